"""Idle sessions end: SESSION_IDLE_TIMEOUT seconds without a request signs a user out.

Each save of a session sets its expiry to now + SESSION_COOKIE_AGE, which settings
makes the idle timeout. Saving on every request (SESSION_SAVE_EVERY_REQUEST) would
write to the database on every page; instead a request saves the session only when
the last save is more than REFRESH_SECONDS old, so a session ends between the
timeout less a minute and the timeout after its last request.
"""

from collections.abc import Callable

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

REFRESH_SECONDS = 60
SAVED_AT = "_idle_saved_at"  # when the session's expiry was last moved on (Unix time)


def _now() -> float:
    return timezone.now().timestamp()


@receiver(user_logged_in)
def session_saved_at_login(sender, request: HttpRequest, **kwargs) -> None:
    """Logging in saves the session: the first pages after it need not save it again."""
    if request is not None and hasattr(request, "session"):
        request.session[SAVED_AT] = _now()


def refresh_idle_sessions(get_response: Callable) -> Callable:
    """Middleware (inside SessionMiddleware): move a used session's expiry on, now and then."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        session = getattr(request, "session", None)
        # A session the request never read is neither loaded nor refreshed here.
        if session is None or not session.accessed or session.is_empty():
            return response
        saved_at = session.get(SAVED_AT)
        now = _now()
        if not isinstance(saved_at, int | float) or not 0 <= now - saved_at < REFRESH_SECONDS:
            session[SAVED_AT] = now  # modified: SessionMiddleware saves it, expiry and all
        return response

    return middleware
