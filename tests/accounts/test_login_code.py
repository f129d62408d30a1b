"""Logging in: password, then a code for users with two-factor on."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY

from stakeholders.accounts import services
from tests.accounts.helpers import a_wrong_code, app_code, two_factor_on
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

CODE_STEP = reverse("login_code")


def _password(client, user, next_url=""):
    data = {"username": user.username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("login"), data)


def test_without_two_factor_the_password_is_enough(client, viewer):
    response = _password(client, viewer)

    assert response.status_code == 302
    assert response["Location"] == reverse("stakeholders:home")
    assert client.session[SESSION_KEY] == str(viewer.pk)


def test_an_unconfirmed_app_does_not_count(client, viewer):
    services.totp_device_start(user=viewer)

    response = _password(client, viewer)

    assert response["Location"] == reverse("stakeholders:home")


def test_with_two_factor_the_password_leads_to_the_code_step_not_in(client, viewer):
    two_factor_on(viewer)

    response = _password(client, viewer)

    assert response.status_code == 302
    assert response["Location"].startswith(CODE_STEP)
    assert SESSION_KEY not in client.session
    assert client.get(reverse("stakeholders:home"))["Location"].startswith(reverse("login"))
    assert "Enter your code" in client.get(response["Location"]).content.decode()


def test_the_right_code_logs_in_and_verifies_the_session(client, viewer):
    device, _ = two_factor_on(viewer)
    _password(client, viewer)

    response = client.post(CODE_STEP, {"code": app_code(device.bin_key)})

    assert response.status_code == 302
    assert response["Location"] == reverse("stakeholders:home")
    assert client.session[SESSION_KEY] == str(viewer.pk)
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id


def test_a_wrong_code_is_refused_with_a_clear_error(client, viewer):
    device, _ = two_factor_on(viewer)
    _password(client, viewer)

    response = client.post(CODE_STEP, {"code": a_wrong_code(device.bin_key)})

    assert response.status_code == 200
    assert "The code is not right" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_wrong_codes_in_a_row_make_even_the_right_code_wait(client, viewer):
    device, _ = two_factor_on(viewer)
    _password(client, viewer)
    wrong = a_wrong_code(device.bin_key)
    for _ in range(3):
        client.post(CODE_STEP, {"code": wrong})

    response = client.post(CODE_STEP, {"code": app_code(device.bin_key)})

    assert "wrong code too many times" in response.content.decode()
    assert SESSION_KEY not in client.session
    device.refresh_from_db()
    assert device.throttling_failure_count >= 1


def test_a_recovery_code_works_once(client, viewer):
    _, codes = two_factor_on(viewer)
    _password(client, viewer)

    used = client.post(CODE_STEP, {"code": codes[0].upper()})
    assert used["Location"] == reverse("stakeholders:home")
    assert client.session[SESSION_KEY] == str(viewer.pk)
    assert "You have 9 left" in client.get(reverse("stakeholders:home")).content.decode()

    client.post(reverse("logout"))
    _password(client, viewer)
    again = client.post(CODE_STEP, {"code": codes[0]})
    assert "has been used already" in again.content.decode()
    assert SESSION_KEY not in client.session


def test_next_is_kept_through_the_code_step(client, viewer):
    device, _ = two_factor_on(viewer)

    response = _password(client, viewer, next_url="/account/")
    assert response["Location"] == f"{CODE_STEP}?next=%2Faccount%2F"
    assert 'value="/account/"' in client.get(response["Location"]).content.decode()

    done = client.post(CODE_STEP, {"code": app_code(device.bin_key), "next": "/account/"})
    assert done["Location"] == "/account/"


@pytest.mark.parametrize("unsafe", ["https://evil.example/", "//evil.example/", "javascript:x"])
def test_an_unsafe_next_is_refused(client, viewer, unsafe):
    device, _ = two_factor_on(viewer)
    _password(client, viewer, next_url=unsafe)

    response = client.post(CODE_STEP, {"code": app_code(device.bin_key), "next": unsafe})

    assert response["Location"] == reverse("stakeholders:home")


def test_the_code_step_without_a_password_first_goes_to_log_in(client):
    response = client.get(CODE_STEP)

    assert response["Location"].startswith(reverse("login"))


def test_the_code_step_answers_head_as_get(client, viewer):
    two_factor_on(viewer)
    _password(client, viewer)

    assert client.get(CODE_STEP).status_code == client.head(CODE_STEP).status_code == 200


def test_throttling_of_passwords_still_applies(client, viewer):
    two_factor_on(viewer)
    for _ in range(5):
        client.post(reverse("login"), {"username": viewer.username, "password": "wrong"})

    assert _password(client, viewer).status_code == 429


def test_the_admin_login_refuses_an_account_with_two_factor(client, viewer):
    viewer.is_staff = True
    viewer.save(update_fields=["is_staff"])
    two_factor_on(viewer)

    response = client.post(
        reverse("admin:login"), {"username": viewer.username, "password": PASSWORD}
    )

    assert response.status_code == 200
    assert "uses two-factor authentication" in response.content.decode()
    assert SESSION_KEY not in client.session
