"""Two-factor authentication is compulsory for owners and the admin when
TWO_FACTOR_REQUIRED_FOR_OWNERS is on (settings, .env.example).

A signed-in owner of any workspace, or a staff user opening the admin, whose session
has not been verified with a code is sent to set two-factor up (`/account/`), or to
the login's code step if they already have it. With the setting off this does nothing
and reads nothing.
"""

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from stakeholders.accounts.services import two_factor_enabled
from stakeholders.models import Membership, Role

# The pages an unverified user may still open: setting two-factor up, the code step,
# and logging out.
EXEMPT_URL_NAMES = (
    "account",
    "account_two_factor_setup",
    "account_two_factor_start",
    "login",
    "login_code",
    "logout",
)

REQUIRED_MESSAGE = (
    "You own a workspace or use data entry, so you must turn on two-factor "
    "authentication before you continue."
)


def two_factor_required(user, path: str) -> bool:
    """Whether this signed-in user must be verified with a code to open `path`."""
    if not settings.TWO_FACTOR_REQUIRED_FOR_OWNERS:
        return False
    if user.is_staff and path.startswith(reverse("admin:index")):
        return True
    return Membership.objects.filter(user=user, role=Role.OWNER).exists()


def _is_verified(user) -> bool:
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    if getattr(request, "htmx", False):
        # An htmx swap would put the page inside a region: the browser goes there instead.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


def require_two_factor(get_response: Callable) -> Callable:
    """Middleware (after OTPMiddleware): unverified owners and admin staff set up or verify."""

    def middleware(request: HttpRequest) -> HttpResponse:
        if not settings.TWO_FACTOR_REQUIRED_FOR_OWNERS:
            return get_response(request)
        user = request.user
        if not user.is_authenticated or _is_verified(user):
            return get_response(request)
        exempt = {reverse(name) for name in EXEMPT_URL_NAMES}
        if request.path in exempt or not two_factor_required(user, request.path):
            return get_response(request)
        if two_factor_enabled(user=user):
            url = reverse("login_code") + "?" + urlencode({"next": request.get_full_path()})
        else:
            messages.warning(request, REQUIRED_MESSAGE)
            url = reverse("account")
        return _redirect(request, url)

    return middleware
