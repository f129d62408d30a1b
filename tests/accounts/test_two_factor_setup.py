"""Turning two-factor authentication on and off, and recovery codes, from the account page."""

import re

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.helpers import a_wrong_code, app_code, secret_key, two_factor_on
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _start(client) -> bytes:
    response = client.post(reverse("account_two_factor_start"))
    assert response.status_code == 302
    assert response["Location"] == reverse("account_two_factor_setup")
    page = client.get(reverse("account_two_factor_setup")).content.decode()
    secret = re.search(r'id="two-factor-secret">([A-Z2-7 ]+)<', page)[1]
    return secret_key(secret)


def test_account_page_shows_who_you_are_and_that_two_factor_is_off(client, viewer):
    client.force_login(viewer)

    response = client.get(reverse("account"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "viewer" in body and "viewer@example.nhs.uk" in body
    assert "Turn on two-factor authentication" in body
    assert f'href="{reverse("password_change")}">Change your password</a>' in body
    assert 'href="/account/"' in client.get(reverse("stakeholders:home")).content.decode()


def test_setup_page_shows_an_inline_svg_qr_code_and_the_secret_in_groups(client, viewer):
    client.force_login(viewer)
    _start(client)

    body = client.get(reverse("account_two_factor_setup")).content.decode()

    assert '<svg width="' in body and 'class="app-qr-code"' in body
    assert "<img" not in body.split("<main")[1]  # no request for the QR code
    secret = re.search(r'id="two-factor-secret">([A-Z2-7 ]+)<', body)[1]
    assert len(secret.split()) == 8 and all(len(group) == 4 for group in secret.split())
    device = TOTPDevice.objects.get(user=viewer)
    assert not device.confirmed
    assert secret_key(secret) == device.bin_key


def test_a_real_code_turns_it_on_and_shows_ten_recovery_codes_once(client, viewer):
    client.force_login(viewer)
    key = _start(client)

    response = client.post(reverse("account_two_factor_setup"), {"code": app_code(key)})

    body = response.content.decode()
    assert response.status_code == 200
    assert "Keep these codes safe" in body
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", body)
    assert len(codes) == 10
    assert set(StaticToken.objects.filter(device__user=viewer).values_list("token", flat=True)) == (
        set(codes)
    )
    assert TOTPDevice.objects.get(user=viewer).confirmed
    account = client.get(reverse("account")).content.decode()
    assert "10 unused recovery codes" in account
    assert not any(code in account for code in codes)


def test_a_wrong_code_is_refused_and_nothing_is_turned_on(client, viewer):
    client.force_login(viewer)
    key = _start(client)

    response = client.post(reverse("account_two_factor_setup"), {"code": a_wrong_code(key)})

    assert response.status_code == 400
    assert "The code is not right" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=viewer, confirmed=True).exists()
    assert not StaticToken.objects.filter(device__user=viewer).exists()


def test_a_code_that_is_not_six_digits_is_refused_clearly(client, viewer):
    client.force_login(viewer)
    _start(client)

    response = client.post(reverse("account_two_factor_setup"), {"code": "12ab"})

    assert response.status_code == 400
    assert "Enter the 6-digit code" in response.content.decode()


def test_turning_off_needs_the_password(client, viewer):
    two_factor_on(viewer)
    client.force_login(viewer)

    wrong = client.post(reverse("account_two_factor_off"), {"password": "not it"})
    assert wrong.status_code == 400
    assert "The password is not right." in wrong.content.decode()
    assert TOTPDevice.objects.filter(user=viewer).exists()

    right = client.post(reverse("account_two_factor_off"), {"password": PASSWORD})
    assert right.status_code == 302
    assert right["Location"] == reverse("account")
    assert not TOTPDevice.objects.filter(user=viewer).exists()
    assert not StaticToken.objects.filter(device__user=viewer).exists()


def test_turning_off_with_a_current_code_instead_of_the_password(client, viewer):
    device, _ = two_factor_on(viewer)
    client.force_login(viewer)

    response = client.post(reverse("account_two_factor_off"), {"code": app_code(device.bin_key)})

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=viewer).exists()


def test_new_recovery_codes_replace_the_old_ones(client, viewer):
    _, old = two_factor_on(viewer)
    client.force_login(viewer)

    response = client.post(reverse("account_recovery_codes"), {"password": PASSWORD})

    new = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())
    assert len(new) == 10
    tokens = set(StaticToken.objects.filter(device__user=viewer).values_list("token", flat=True))
    assert tokens == set(new)
    assert not tokens & set(old)


def test_new_recovery_codes_need_the_password(client, viewer):
    _, old = two_factor_on(viewer)
    client.force_login(viewer)

    response = client.post(reverse("account_recovery_codes"), {"password": "not it"})

    assert response.status_code == 400
    tokens = set(StaticToken.objects.filter(device__user=viewer).values_list("token", flat=True))
    assert tokens == set(old)


@pytest.mark.parametrize(
    "name",
    ["account", "account_two_factor_setup", "account_two_factor_off", "account_recovery_codes"],
)
def test_account_pages_need_sign_in_and_answer_head_as_get(client, viewer, name):
    url = reverse(name)
    assert client.get(url)["Location"].startswith(reverse("login"))

    client.force_login(viewer)
    get, head = client.get(url), client.head(url)

    assert get.status_code == head.status_code == 200
    assert head.content == b""


def test_the_command_turns_it_off_for_someone_who_lost_their_phone(viewer):
    from io import StringIO

    from django.core.management import call_command

    two_factor_on(viewer)
    out = StringIO()

    call_command("two_factor_off", "viewer", stdout=out)

    assert "now off" in out.getvalue()
    assert not TOTPDevice.objects.filter(user=viewer).exists()
    assert not StaticToken.objects.filter(device__user=viewer).exists()
