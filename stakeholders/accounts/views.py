"""Your account page, turning two-factor authentication on and off, and the login's code step."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from stakeholders.accounts import services
from stakeholders.accounts.enforcement import two_factor_required
from stakeholders.http import signed_in_page

PENDING = "two_factor_pending"  # who gave the right password and still owes a code
PENDING_SECONDS = 10 * 60


def _next_url(request: HttpRequest) -> str:
    """The `next` page if it is on this site; the home page otherwise."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


class LoginView(auth_views.LoginView):
    """Django's login (throttled by django-axes); then a code for users with two-factor on."""

    def form_valid(self, form):
        user = form.get_user()
        if not services.two_factor_enabled(user=user):
            return super().form_valid(form)
        # Not signed in yet: the session only remembers who owes a code, for a while.
        self.request.session.cycle_key()
        self.request.session[PENDING] = {
            "user": user.pk,
            "backend": user.backend,
            "at": time.time(),
        }
        return redirect(_with_next(reverse("login_code"), self.get_redirect_url()))


def _pending_user(request: HttpRequest):
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None
    user = get_user_model().objects.filter(pk=pending.get("user"), is_active=True).first()
    if user is not None:
        user.backend = pending.get("backend")
    return user


@sensitive_post_parameters("code")
@never_cache
@csrf_protect
@require_http_methods(["GET", "HEAD", "POST"])
def login_code(request: HttpRequest) -> HttpResponse:
    """The login's second step: a code from the authenticator app, or a recovery code."""
    next_url = _next_url(request)
    if request.user.is_authenticated:
        user = request.user
        if user.is_verified() or not services.two_factor_enabled(user=user):
            return redirect(next_url)
    else:
        user = _pending_user(request)
        if user is None or not services.two_factor_enabled(user=user):
            return redirect(_with_next(reverse("login"), request.GET.get("next", "")))
    error = ""
    if request.method == "POST":
        check = services.code_check(user=user, code=request.POST.get("code", ""))
        if check.device is not None:
            if request.user.is_authenticated:
                otp_login(request, check.device)
            else:
                request.session.pop(PENDING, None)
                user.otp_device = check.device  # django-otp keeps it in the session at login
                auth_login(request, user, backend=user.backend)
            if check.recovery_code_used:
                left = services.recovery_codes_left(user=user)
                messages.info(
                    request,
                    f"You used a recovery code. You have {left} left: get new ones from "
                    "your account page if you are running low.",
                )
            return redirect(next_url)
        error = check.error
    return render(
        request,
        "stakeholders/accounts/login_code.html",
        {"error": error, "next": request.POST.get("next") or request.GET.get("next", "")},
    )


@signed_in_page
def account(request: HttpRequest) -> HttpResponse:
    """The signed-in user's account: who they are, their password, two-factor."""
    user = request.user
    return render(
        request,
        "stakeholders/accounts/account.html",
        {
            "two_factor_on": services.two_factor_enabled(user=user),
            "recovery_codes_left": services.recovery_codes_left(user=user),
            # Staff must use it for the admin; owners everywhere.
            "two_factor_required": two_factor_required(user, reverse("admin:index")),
        },
    )


@signed_in_page(methods=("POST",))
def two_factor_start(request: HttpRequest) -> HttpResponse:
    """Begin setting up an authenticator app: a fresh secret, not yet confirmed."""
    if not services.two_factor_enabled(user=request.user):
        services.totp_device_start(user=request.user)
    return redirect("account_two_factor_setup")


@sensitive_post_parameters("code")
@signed_in_page(methods=("GET", "POST"))
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """The QR code and secret of the app being set up, and the code that confirms it."""
    user = request.user
    if services.two_factor_enabled(user=user):
        return render(request, "stakeholders/accounts/two_factor_setup.html", {"already_on": True})
    error = ""
    if request.method == "POST":
        confirmation = services.two_factor_confirm(user=user, code=request.POST.get("code", ""))
        if confirmation.device is not None:
            otp_login(request, confirmation.device)  # this session has just shown a code
            return render(
                request,
                "stakeholders/accounts/recovery_codes.html",
                {"codes": confirmation.recovery_codes, "just_turned_on": True},
            )
        error = confirmation.error
    device = services.totp_device_pending(user=user)
    context = {"error": error, "device": device}
    if device is not None:
        context["qr_code"] = services.qr_code_svg(device)
        context["secret"] = services.secret_in_groups(device)
    return render(
        request,
        "stakeholders/accounts/two_factor_setup.html",
        context,
        status=400 if error else 200,
    )


def _identity_error(request: HttpRequest) -> str | None:
    """'' when the POSTed password or code is right, the error if not, None on GET."""
    if request.method != "POST":
        return None
    return services.identity_check(
        user=request.user,
        password=request.POST.get("password", ""),
        code=request.POST.get("code", ""),
    )


@sensitive_post_parameters("password", "code")
@signed_in_page(methods=("GET", "POST"))
def two_factor_off(request: HttpRequest) -> HttpResponse:
    """Turn two-factor off, after the password again (or a current code)."""
    template = "stakeholders/accounts/two_factor_off.html"
    two_factor_on = services.two_factor_enabled(user=request.user)
    error = _identity_error(request) if two_factor_on else None
    if error == "":
        services.two_factor_turn_off(user=request.user)
        messages.info(request, "Two-factor authentication is off.")
        return redirect("account")
    context = {"error": error, "two_factor_on": two_factor_on}
    return render(request, template, context, status=400 if error else 200)


@sensitive_post_parameters("password", "code")
@signed_in_page(methods=("GET", "POST"))
def recovery_codes_new(request: HttpRequest) -> HttpResponse:
    """New recovery codes (the old ones stop working), after the password or a code."""
    two_factor_on = services.two_factor_enabled(user=request.user)
    template = "stakeholders/accounts/recovery_codes_new.html"
    error = _identity_error(request) if two_factor_on else None
    if error == "":
        codes = services.recovery_codes_create(user=request.user)
        return render(request, "stakeholders/accounts/recovery_codes.html", {"codes": codes})
    context = {"error": error, "two_factor_on": two_factor_on}
    return render(request, template, context, status=400 if error else 200)
