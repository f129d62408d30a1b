"""Login throttling, and no personal data in URLs, logs or error pages."""

import logging

import pytest
from django.conf import settings
from django.test import RequestFactory, override_settings
from django.urls import reverse

from influence_map.proxy import client_ip
from tests.factories import PASSWORD, AffiliationFactory, PersonFactory, UserFactory

LOGIN = reverse("login")


def attempt(client, username, password, url=LOGIN):
    return client.post(url, {"username": username, "password": password})


@pytest.fixture
def member(viewer):
    return viewer


def test_sixth_attempt_is_refused_even_with_the_right_password(client, member):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(5):
        response = attempt(client, member.username, "wrong password")
        assert response.status_code in (200, 429)
    response = attempt(client, member.username, PASSWORD)
    assert response.status_code == 429
    body = response.content.decode()
    assert "Too many failed attempts to log in with this username." in body
    assert "Try again in 15 minutes" in body
    assert "_auth_user_id" not in client.session
    # The page is the login page again, not a bare error.
    assert 'action="/accounts/login/"' in body


def test_fewer_failures_then_the_right_password_logs_in(client, member):
    for _ in range(4):
        assert attempt(client, member.username, "wrong password").status_code == 200
    response = attempt(client, member.username, PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(member.pk)


def test_a_success_resets_the_count(client, member):
    for _ in range(4):
        attempt(client, member.username, "wrong password")
    assert attempt(client, member.username, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        attempt(client, member.username, "wrong password")
    assert attempt(client, member.username, PASSWORD).status_code == 302


def test_lockout_is_per_username(client, member):
    other = UserFactory(username="someone-else")
    for _ in range(5):
        attempt(client, member.username, "wrong password")
    assert attempt(client, member.username, PASSWORD).status_code == 429
    assert attempt(client, other.username, PASSWORD).status_code == 302


def test_admin_login_is_throttled_too(client, member):
    member.is_staff = True
    member.save(update_fields=["is_staff"])
    url = reverse("admin:login")
    for _ in range(5):
        attempt(client, member.username, "wrong password", url=url)
    response = attempt(client, member.username, PASSWORD, url=url)
    assert response.status_code == 429
    assert "Too many failed attempts" in response.content.decode()


def test_failed_logins_log_no_username(client, member, caplog):
    caplog.set_level(logging.DEBUG)
    for _ in range(6):
        attempt(client, member.username, "wrong password")
    assert member.username not in caplog.text
    assert "wrong password" not in caplog.text


def test_secure_cookies_and_hsts_are_on_in_production():
    # The suite runs with DEBUG off, as production does.
    assert not settings.DEBUG
    assert settings.SESSION_COOKIE_SECURE
    assert settings.CSRF_COOKIE_SECURE
    assert settings.SESSION_COOKIE_HTTPONLY
    assert settings.SECURE_HSTS_SECONDS >= 31536000
    assert "'nonce-" not in str(settings.SECURE_CSP)  # the nonce is added per response
    assert settings.SECURE_CSP["script-src"]


# Error pages and URLs carry no personal data


def test_404_for_another_workspaces_person_names_nobody(
    client, outsider, other_workspace, workspace
):
    person = PersonFactory(
        workspace=workspace, name="Zebedee Quartermaine", job_title="Chief nurse"
    )
    client.force_login(outsider)
    for name in ("person_detail", "map_person"):
        url = reverse(f"stakeholders:{name}", kwargs={"slug": workspace.slug, "pk": person.pk})
        response = client.get(url)
        assert response.status_code == 404
        body = response.content.decode()
        assert "Zebedee" not in body
        assert "Quartermaine" not in body
        assert "Chief nurse" not in body
        assert "North Fenwick" not in body
        assert "Page not found" in body


def test_404_in_own_workspace_for_a_missing_id_names_nobody(client, viewer, workspace):
    AffiliationFactory(person=PersonFactory(workspace=workspace, name="Zebedee Quartermaine"))
    client.force_login(viewer)
    url = reverse("stakeholders:person_detail", kwargs={"slug": workspace.slug, "pk": 999999})
    response = client.get(url)
    assert response.status_code == 404
    assert "Zebedee" not in response.content.decode()


def test_people_search_keeps_the_term_out_of_the_url(client, viewer, workspace):
    PersonFactory(workspace=workspace, name="Zebedee Quartermaine")
    PersonFactory(workspace=workspace, name="Amira Okafor")
    client.force_login(viewer)
    url = reverse("stakeholders:workspace_detail", kwargs={"slug": workspace.slug})
    page = client.get(url).content.decode()
    # The search form posts: nothing typed into it reaches an address or access log.
    assert 'method="post"' in page
    assert "hx-push-url" not in page
    assert 'hx-post="' in page

    response = client.post(url, {"q": "zebedee"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Zebedee Quartermaine" in body
    assert "Amira Okafor" not in body
    assert "?q=" not in body
    assert "zebedee" not in response.get("Location", "")


def test_search_term_in_the_address_is_ignored(client, viewer, workspace):
    PersonFactory(workspace=workspace, name="Zebedee Quartermaine")
    PersonFactory(workspace=workspace, name="Amira Okafor")
    client.force_login(viewer)
    url = reverse("stakeholders:workspace_detail", kwargs={"slug": workspace.slug})
    body = client.get(url, {"q": "zebedee"}).content.decode()
    assert "Amira Okafor" in body


def test_search_needs_csrf(viewer, workspace):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(viewer)
    url = reverse("stakeholders:workspace_detail", kwargs={"slug": workspace.slug})
    assert strict.post(url, {"q": "x"}).status_code == 403


def test_search_pages_carry_the_term_in_the_body(client, viewer, workspace):
    from stakeholders.selectors import PEOPLE_PER_PAGE

    for i in range(PEOPLE_PER_PAGE + 5):
        PersonFactory(workspace=workspace, ref=f"Z{i:03d}", name=f"Zed {i:03d}")
    PersonFactory(workspace=workspace, name="Amira Okafor")
    client.force_login(viewer)
    url = reverse("stakeholders:workspace_detail", kwargs={"slug": workspace.slug})
    first = client.post(url, {"q": "zed"}).content.decode()
    assert "Zed 000" in first
    assert "Zed 054" not in first
    # Page links are buttons of a POST form holding the term, not links with it.
    assert 'name="people_page" value="2"' in first
    assert 'type="hidden" name="q" value="zed"' in first
    second = client.post(url, {"q": "zed", "people_page": "2"}).content.decode()
    assert "Zed 054" in second
    assert "Zed 000" not in second
    assert "Amira Okafor" not in second


def test_search_and_not_found_log_no_names(client, viewer, outsider, workspace, caplog):
    person = PersonFactory(workspace=workspace, name="Zebedee Quartermaine")
    caplog.set_level(logging.DEBUG)
    client.force_login(viewer)
    url = reverse("stakeholders:workspace_detail", kwargs={"slug": workspace.slug})
    client.post(url, {"q": "Quartermaine"})
    client.force_login(outsider)
    client.get(
        reverse("stakeholders:person_detail", kwargs={"slug": workspace.slug, "pk": person.pk})
    )
    assert "Not Found" in caplog.text  # the 404 was logged, by path only
    assert "Quartermaine" not in caplog.text
    assert "Zebedee" not in caplog.text


@override_settings(AXES_CLIENT_IP_CALLABLE="influence_map.proxy.client_ip")
def test_behind_the_proxy_lockout_is_per_client_address(client, member):
    # Everyone reaches the app from the proxy's 127.0.0.1: without the proxy's header,
    # a stranger's five guesses would lock the username out for its owner too.
    stranger = {"HTTP_X_FORWARDED_FOR": "203.0.113.7"}
    owner = {"HTTP_X_FORWARDED_FOR": "198.51.100.20"}
    for _ in range(5):
        client.post(LOGIN, {"username": member.username, "password": "wrong"}, **stranger)
    right = {"username": member.username, "password": PASSWORD}
    assert client.post(LOGIN, right, **stranger).status_code == 429
    assert client.post(LOGIN, right, **owner).status_code == 302


def test_the_client_address_is_the_one_the_proxy_added():
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="10.0.0.9, 203.0.113.7")
    assert client_ip(request) == "203.0.113.7"
    assert client_ip(RequestFactory().get("/")) == "127.0.0.1"
