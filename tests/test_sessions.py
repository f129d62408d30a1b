"""Sessions end after SESSION_IDLE_TIMEOUT seconds without a request (8 hours by default)."""

import datetime
import os
import runpy
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

import influence_map
from stakeholders.sessions import REFRESH_SECONDS

SETTINGS_FILE = Path(influence_map.__file__).parent / "settings.py"


@pytest.fixture
def overview(workspace):
    return reverse("stakeholders:overview", kwargs={"slug": workspace.slug})


def _settings_with(monkeypatch, **environ) -> dict:
    for name, value in environ.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    monkeypatch.setenv("SECRET_KEY", os.environ.get("SECRET_KEY") or "x")
    return runpy.run_path(str(SETTINGS_FILE))


def test_the_idle_timeout_is_eight_hours_unless_set(monkeypatch):
    assert _settings_with(monkeypatch, SESSION_IDLE_TIMEOUT=None)["SESSION_COOKIE_AGE"] == 28_800
    assert _settings_with(monkeypatch, SESSION_IDLE_TIMEOUT="900")["SESSION_COOKIE_AGE"] == 900


def _later(monkeypatch, seconds: float) -> datetime.datetime:
    """Move the clock on (the session store and the middleware read timezone.now)."""
    moved = timezone.now() + datetime.timedelta(seconds=seconds)
    monkeypatch.setattr(timezone, "now", lambda: moved)
    return moved


def _expires() -> datetime.datetime:
    return Session.objects.get().expire_date


def test_a_session_ends_after_the_idle_timeout(client, viewer, overview, monkeypatch, settings):
    client.force_login(viewer)
    assert client.get(overview).status_code == 200

    _later(monkeypatch, settings.SESSION_COOKIE_AGE + 1)
    response = client.get(overview)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_every_request_starts_the_idle_time_again(client, viewer, overview, monkeypatch, settings):
    client.force_login(viewer)
    idle = datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)

    # Three requests, each a little less than the timeout after the one before: the
    # user is active for longer than the timeout and stays signed in.
    for _ in range(3):
        now = _later(monkeypatch, settings.SESSION_COOKIE_AGE - 2 * REFRESH_SECONDS)
        assert client.get(overview).status_code == 200
        assert _expires() == now + idle


def test_requests_within_a_minute_do_not_write_the_session(client, viewer, overview, monkeypatch):
    client.force_login(viewer)
    at_login = _expires()

    _later(monkeypatch, REFRESH_SECONDS - 1)
    assert client.get(overview).status_code == 200
    assert _expires() == at_login

    _later(monkeypatch, 2)
    assert client.get(overview).status_code == 200
    assert _expires() > at_login
