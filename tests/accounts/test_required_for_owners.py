"""TWO_FACTOR_REQUIRED_FOR_OWNERS: owners and admin staff must set up and use two-factor."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse

from tests.accounts.helpers import app_code, two_factor_on
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def required(settings):
    settings.TWO_FACTOR_REQUIRED_FOR_OWNERS = True


def test_off_by_default_owners_and_staff_go_anywhere(client, owner, workspace):
    owner.is_staff = True
    owner.save(update_fields=["is_staff"])
    client.force_login(owner)

    assert client.get(reverse("stakeholders:overview", args=[workspace.slug])).status_code == 200
    assert client.get(reverse("admin:index")).status_code == 200


def test_on_an_owner_without_it_is_sent_to_set_it_up(client, owner, workspace, required):
    client.force_login(owner)

    response = client.get(reverse("stakeholders:overview", args=[workspace.slug]))

    assert response.status_code == 302
    assert response["Location"] == reverse("account")
    account = client.get(reverse("account")).content.decode()
    assert "You must turn this on" in account
    assert client.get(reverse("account_two_factor_setup")).status_code == 200


def test_on_an_owner_with_it_but_not_verified_is_sent_to_the_code_step(
    client, owner, workspace, required
):
    device, _ = two_factor_on(owner)
    client.force_login(owner)
    url = reverse("stakeholders:overview", args=[workspace.slug])

    response = client.get(url)

    assert response["Location"] == f"{reverse('login_code')}?next=%2Fw%2Fnorth-fenwick%2F"
    done = client.post(reverse("login_code"), {"code": app_code(device.bin_key), "next": url})
    assert done["Location"] == url
    assert client.get(url).status_code == 200


def test_on_an_owner_who_logs_in_with_a_code_goes_anywhere(client, owner, workspace, required):
    device, _ = two_factor_on(owner)
    client.post(reverse("login"), {"username": owner.username, "password": PASSWORD})
    client.post(reverse("login_code"), {"code": app_code(device.bin_key)})

    assert client.get(reverse("stakeholders:overview", args=[workspace.slug])).status_code == 200


def test_on_an_owner_who_sets_it_up_goes_on_at_once(client, owner, workspace, required):
    client.force_login(owner)
    client.post(reverse("account_two_factor_start"))
    from django_otp.plugins.otp_totp.models import TOTPDevice

    key = TOTPDevice.objects.get(user=owner).bin_key
    client.post(reverse("account_two_factor_setup"), {"code": app_code(key)})

    assert client.get(reverse("stakeholders:overview", args=[workspace.slug])).status_code == 200


def test_on_viewers_and_editors_are_not_forced(client, viewer, editor, workspace, required):
    for user in (viewer, editor):
        client.force_login(user)
        assert (
            client.get(reverse("stakeholders:overview", args=[workspace.slug])).status_code == 200
        )
        assert "You must turn this on" not in client.get(reverse("account")).content.decode()


def test_on_staff_are_sent_to_set_it_up_before_the_admin(client, editor, required):
    editor.is_staff = True
    editor.save(update_fields=["is_staff"])
    client.force_login(editor)

    assert client.get(reverse("admin:index"))["Location"] == reverse("account")
    assert client.get(reverse("stakeholders:home")).status_code == 200


def test_on_htmx_requests_are_sent_by_hx_redirect(client, owner, workspace, required):
    client.force_login(owner)

    response = client.get(
        reverse("stakeholders:overview", args=[workspace.slug]), headers={"HX-Request": "true"}
    )

    assert response["HX-Redirect"] == reverse("account")


def test_on_the_admin_refuses_unverified_staff(owner, settings):
    owner.is_staff = True
    request = RequestFactory().get("/admin/")
    request.user = owner
    owner.is_verified = lambda: False

    settings.TWO_FACTOR_REQUIRED_FOR_OWNERS = False
    assert admin.site.has_permission(request)
    settings.TWO_FACTOR_REQUIRED_FOR_OWNERS = True
    assert not admin.site.has_permission(request)
    owner.is_verified = lambda: True
    assert admin.site.has_permission(request)
    request.user = AnonymousUser()
    assert not admin.site.has_permission(request)


def test_on_verified_staff_use_the_admin(client, editor, required):
    editor.is_staff = True
    editor.save(update_fields=["is_staff"])
    device, _ = two_factor_on(editor)
    client.post(reverse("login"), {"username": editor.username, "password": PASSWORD})
    client.post(reverse("login_code"), {"code": app_code(device.bin_key)})

    assert client.get(reverse("admin:index")).status_code == 200


def test_on_logging_out_is_never_blocked(client, owner, required):
    client.force_login(owner)

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("login")
