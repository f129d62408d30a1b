"""Password reset by email and password change, with Django's views and the site's pages."""

import re

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

NEW_PASSWORD = "a-new-and-longer-passphrase-42"
RESET_LINK = re.compile(r"https?://\S+/accounts/reset/[^/\s]+/[^/\s]+/")


@pytest.fixture
def user(db):
    return UserFactory(username="robin", email="robin@example.nhs.uk")


def logs_in(client, username: str, password: str) -> bool:
    """Through the login form, as a person does (django-axes watches it)."""
    response = client.post(reverse("login"), {"username": username, "password": password})
    client.logout()
    return response.status_code == 302


def test_login_page_offers_a_password_reset(client, db):
    body = client.get(reverse("login")).content.decode()
    assert f'<a href="{reverse("password_reset")}">Forgotten your password?</a>' in body


def test_reset_emails_a_link_that_sets_a_new_password(client, user, mailoutbox):
    page = client.get(reverse("password_reset"))
    assert page.status_code == 200
    assert "Reset your password" in page.content.decode()

    response = client.post(reverse("password_reset"), {"email": "Robin@example.nhs.uk"})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    [message] = mailoutbox
    assert message.to == ["robin@example.nhs.uk"]
    assert message.subject == "Reset your Influence Map password"
    assert "robin" in message.body
    link = RESET_LINK.search(message.body)[0]

    # The link drops its token from the address (Django keeps it in the session).
    opened = client.get(link)
    assert opened.status_code == 302
    assert opened["Location"].endswith("/set-password/")
    form = client.get(opened["Location"])
    assert "Choose a new password" in form.content.decode()

    weak = client.post(
        opened["Location"], {"new_password1": "password", "new_password2": "password"}
    )
    assert weak.status_code == 200
    assert "This password is too common." in weak.content.decode()
    done = client.post(
        opened["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302
    assert done["Location"] == reverse("password_reset_complete")
    assert "Your password has been changed" in client.get(done["Location"]).content.decode()

    assert logs_in(client, "robin", NEW_PASSWORD)
    assert not logs_in(client, "robin", PASSWORD)
    # The link works once.
    again = client.get(link, follow=True)
    assert "This password reset link does not work" in again.content.decode()


def test_reset_answers_the_same_for_an_address_with_no_account(client, user, mailoutbox):
    known = client.post(reverse("password_reset"), {"email": "robin@example.nhs.uk"})
    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.nhs.uk"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert len(mailoutbox) == 1
    done = client.get(reverse("password_reset_done")).content.decode()
    assert "If an account has that email address" in done


def test_reset_form_errors_are_clear(client, db):
    response = client.post(reverse("password_reset"), {"email": "not-an-address"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    assert "Enter a valid email address." in body


def test_a_made_up_reset_link_explains_what_to_do(client, user):
    response = client.get(
        reverse("password_reset_confirm", kwargs={"uidb64": "MQ", "token": "made-up"})
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "This password reset link does not work" in body
    assert f'href="{reverse("password_reset")}"' in body


def test_change_password_needs_the_current_one(client, user):
    assert client.get(reverse("password_change"))["Location"].startswith(reverse("login"))
    client.force_login(user)
    page = client.get(reverse("password_change"))
    assert page.status_code == 200
    assert "Change your password" in page.content.decode()

    wrong = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert wrong.status_code == 200
    assert "Your old password was entered incorrectly" in wrong.content.decode()

    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("password_change_done")
    # Still signed in on this device.
    assert client.get(reverse("password_change_done")).status_code == 200
    client.logout()
    assert logs_in(client, "robin", NEW_PASSWORD)
    assert not logs_in(client, "robin", PASSWORD)
