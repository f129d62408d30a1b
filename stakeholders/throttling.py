"""Login throttling with django-axes: after AXES_FAILURE_LIMIT failed logins for one
username from one address, that pair is refused for AXES_COOLOFF_MINUTES, even with the
right password. Settings are in influence_map/settings.py and .env.example.
"""

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class LoginThrottleBackend(AxesStandaloneBackend):
    """Axes' lockout check for logins made through a web request.

    `authenticate()` without a request comes from code (a management command, the
    test client), never from a login form, so there is nothing to throttle.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return (
        f"Too many failed attempts to log in with this username. Try again in {minutes} "
        "minutes. If you have forgotten your password, ask the owner of your workspace."
    )


class _LockedOutForm(AuthenticationForm):
    """The login form as submitted, refused without checking the password again."""

    def clean(self):
        raise ValidationError(lockout_message(), code="locked_out")


def lockout_response(
    request: HttpRequest, response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """The login page again, with the lockout explained, as 429 Too Many Requests."""
    form = _LockedOutForm(request, data=request.POST or None)
    form.is_valid()
    template = (
        "admin/login.html"
        if request.resolver_match and request.resolver_match.namespace == "admin"
        else "registration/login.html"
    )
    context = {"form": form, "next": request.POST.get("next", "")}
    if template == "admin/login.html":
        from django.contrib import admin

        context.update(admin.site.each_context(request))
    return render(request, template, context, status=429)
