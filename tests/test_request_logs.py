"""Request lines reach no log with their query string (admin searches put names there)
nor with the token of an emailed link (invitations, password resets)."""

import datetime
import io
import logging
import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.servers.basehttp import WSGIRequestHandler
from django.http import HttpResponse
from django.utils.log import log_response
from gunicorn.config import Config
from gunicorn.glogging import Logger

from influence_map.logs import DropQueryStrings, without_query_strings

SEARCH = "/admin/stakeholders/person/?q=Jane"
GUNICORN_CONF = Path(__file__).resolve().parent.parent / "deploy" / "gunicorn.conf.py"


def _written(logger_name: str, emit) -> str:
    """What the handlers from the logger up to the root write while `emit` runs.

    pytest's own capture handlers are left out: they are not the project's logs.
    """
    handlers = []
    logger = logging.getLogger(logger_name)
    while logger is not None:
        handlers += [
            h
            for h in logger.handlers
            if isinstance(h, logging.StreamHandler) and not type(h).__module__.startswith("_pytest")
        ]
        logger = logger.parent if logger.propagate else None
    assert handlers, f"no handler writes {logger_name}"
    saved = [(h, h.setStream(io.StringIO())) for h in handlers]
    try:
        emit()
        return "".join(h.stream.getvalue() for h, _ in saved)
    finally:
        for h, old in saved:
            if old is not None:
                h.setStream(old)


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        (
            "GET /admin/stakeholders/person/?q=Jane HTTP/1.1",
            "GET /admin/stakeholders/person/ HTTP/1.1",
        ),
        (
            '"GET /admin/autocomplete/?term=Jane+Doe&app_label=x HTTP/1.1" 200',
            '"GET /admin/autocomplete/ HTTP/1.1" 200',
        ),
        (
            "Referer https://im.example.nhs.uk/admin/?q=Jane",
            "Referer https://im.example.nhs.uk/admin/",
        ),
        ("Is this a question? Yes", "Is this a question? Yes"),
    ],
)
def test_query_strings_are_dropped_from_request_lines(line, kept):
    assert without_query_strings(line) == kept


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        (
            "GET /invitations/Zq3kP0_x-7Yb2fQ/ HTTP/1.1",
            "GET /invitations/[redacted]/ HTTP/1.1",
        ),
        ("GET /invitations/accept/ HTTP/1.1", "GET /invitations/accept/ HTTP/1.1"),
        (
            '"GET /accounts/reset/MQ/cz6a1q-4f2e9b0c7d1a/ HTTP/1.1" 302',
            '"GET /accounts/reset/[redacted]/[redacted]/ HTTP/1.1" 302',
        ),
        (
            "GET /accounts/reset/MQ/set-password/ HTTP/1.1",
            "GET /accounts/reset/[redacted]/set-password/ HTTP/1.1",
        ),
        ("GET /accounts/reset/done/ HTTP/1.1", "GET /accounts/reset/done/ HTTP/1.1"),
        (
            "Referer https://im.example.nhs.uk/invitations/Zq3kP0_x/?utm=1",
            "Referer https://im.example.nhs.uk/invitations/[redacted]/",
        ),
        (
            "POST /w/north/members/invitations/12/cancel/ HTTP/1.1",
            "POST /w/north/members/invitations/12/cancel/ HTTP/1.1",
        ),
    ],
)
def test_tokens_of_emailed_links_are_redacted(line, kept):
    assert without_query_strings(line) == kept


def test_development_server_request_line_has_no_search_term():
    handler = WSGIRequestHandler.__new__(WSGIRequestHandler)
    handler.request = None

    text = _written(
        "django.server",
        lambda: handler.log_message('"%s" %s %s', f"GET {SEARCH} HTTP/1.1", "200", "5120"),
    )

    assert '"GET /admin/stakeholders/person/ HTTP/1.1" 200 5120' in text
    assert "Jane" not in text


def test_development_server_request_line_has_no_link_token():
    handler = WSGIRequestHandler.__new__(WSGIRequestHandler)
    handler.request = None

    text = _written(
        "django.server",
        lambda: handler.log_message(
            '"%s" %s %s', "GET /invitations/Zq3kP0_x-7Yb2fQ/ HTTP/1.1", "302", "0"
        ),
    )

    assert '"GET /invitations/[redacted]/ HTTP/1.1" 302 0' in text
    assert "Zq3kP0" not in text


def test_django_request_log_has_no_search_term():
    text = _written(
        "django.request",
        lambda: log_response(
            "Not Found: %s", SEARCH, response=HttpResponse(status=404), request=None
        ),
    )

    assert "Not Found: /admin/stakeholders/person/" in text
    assert "Jane" not in text


def test_every_configured_handler_drops_query_strings():
    loggers = [logging.getLogger(), logging.getLogger("django.server")]
    for logger in loggers:
        for handler in logger.handlers:
            if type(handler).__module__.startswith("_pytest"):
                continue
            assert any(isinstance(f, DropQueryStrings) for f in handler.filters), handler


def test_gunicorn_access_and_error_logs_have_no_search_term():
    # As gunicorn reads a -c file: every name that is a setting.
    cfg = Config()
    for key, value in runpy.run_path(str(GUNICORN_CONF)).items():
        if key in cfg.settings:
            cfg.set(key, value)
    cfg.on_starting(None)
    log = Logger(cfg)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": SEARCH,
        "PATH_INFO": "/admin/stakeholders/person/",
        "QUERY_STRING": "q=Jane",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": f"https://im.example.nhs.uk{SEARCH}",
    }
    response = SimpleNamespace(status="200 OK", sent=5120, headers=[])
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    try:
        access = _written(
            "gunicorn.access",
            lambda: log.access(response, request, environ, datetime.timedelta(milliseconds=12)),
        )
        error = _written(
            "gunicorn.error", lambda: log.error("Error handling request %s", environ["RAW_URI"])
        )
    finally:
        for name in ("gunicorn.access", "gunicorn.error"):
            logging.getLogger(name).handlers.clear()

    assert '"GET /admin/stakeholders/person/ HTTP/1.1" 200 5120 12ms' in access
    assert "Error handling request /admin/stakeholders/person/" in error
    assert "Jane" not in access + error
