"""Two-factor authentication: an authenticator app (TOTP) and single-use recovery codes.

Built on django-otp. Only a confirmed device counts: a TOTP device is created
unconfirmed when someone starts setting up, and confirmed when they type a code
from their app. Wrong codes are throttled by django-otp (each failure doubles the
wait before the next try: 1, 2, 4, 8 ... seconds), so guesses are never unlimited.
"""

import math
from base64 import b32encode
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODE_COUNT = 10
RECOVERY_DEVICE_NAME = "Recovery codes"
APP_DEVICE_NAME = "Authenticator app"

WRONG_CODE = "The code is not right. Check your authenticator app and enter the code it shows now."
WRONG_RECOVERY_CODE = "The recovery code is not right, or it has been used already."
NO_CODE = "Enter the 6-digit code from your authenticator app, or a recovery code."
BAD_SHAPE = "Enter the 6-digit code from your authenticator app, or an 8-character recovery code."


def two_factor_enabled(*, user: AbstractBaseUser) -> bool:
    """Whether the user has a confirmed authenticator app (so logging in needs a code)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(*, user: AbstractBaseUser) -> int:
    """How many unused recovery codes the user has."""
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def totp_device_pending(*, user: AbstractBaseUser) -> TOTPDevice | None:
    """The unconfirmed authenticator app being set up, if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def totp_device_start(*, user: AbstractBaseUser) -> TOTPDevice:
    """A new unconfirmed authenticator app with a fresh secret (replacing any unfinished one)."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device = TOTPDevice(user=user, name=APP_DEVICE_NAME, confirmed=False)
        device.full_clean()
        device.save()
    return device


def secret_in_groups(device: TOTPDevice) -> str:
    """The secret key as base32 in groups of four, for typing into an app by hand."""
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(device: TOTPDevice) -> SafeString:
    """The device's otpauth:// address as an inline SVG QR code (no image request, no style)."""
    import segno  # only the two-factor set-up page draws a QR code: not loaded at start

    svg = segno.make(device.config_url, error="m").svg_inline(
        scale=5, border=4, dark="#000", light="#fff", svgclass="app-qr-code", omitsize=False
    )
    # segno writes only paths and numbers: nothing from the user reaches the markup.
    return mark_safe(svg)  # noqa: S308


@dataclass(frozen=True)
class CodeCheck:
    """The outcome of checking a code: the device that accepted it, or why not."""

    device: Device | None = None
    error: str = ""
    recovery_code_used: bool = False


def _normalised(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _throttle_error(device: Device) -> str | None:
    allowed, info = device.verify_is_allowed()
    if allowed:
        return None
    locked_until = (info or {}).get("locked_until")
    seconds = (
        max(1, math.ceil((locked_until - timezone.now()).total_seconds())) if locked_until else 1
    )
    unit = "second" if seconds == 1 else "seconds"
    return (
        "You have entered a wrong code too many times in a row. "
        f"Wait {seconds} {unit}, then try again."
    )


def _verified(device: Device, code: str, wrong: str) -> CodeCheck:
    # Locked row: two requests with one code cannot both use it (django-otp's advice).
    with transaction.atomic():
        device = type(device).objects.select_for_update().get(pk=device.pk)
        refused = _throttle_error(device)
        if refused:
            return CodeCheck(error=refused)
        if device.verify_token(code):
            return CodeCheck(device=device, recovery_code_used=isinstance(device, StaticDevice))
    return CodeCheck(error=wrong)


def code_check(*, user: AbstractBaseUser, code: str) -> CodeCheck:
    """Check a code from the user's app (6 digits) or one of their recovery codes (8 characters).

    A recovery code is used up when it is accepted.
    """
    code = _normalised(code)
    if not code:
        return CodeCheck(error=NO_CODE)
    if len(code) == 6 and code.isdigit():
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        wrong = WRONG_CODE
    elif len(code) == 8 and code.isalnum():
        device = StaticDevice.objects.filter(user=user, confirmed=True).first()
        wrong = WRONG_RECOVERY_CODE
    else:
        return CodeCheck(error=BAD_SHAPE)
    if device is None:
        return CodeCheck(error=wrong)
    return _verified(device, code, wrong)


def recovery_codes_create(*, user: AbstractBaseUser) -> list[str]:
    """Ten new single-use recovery codes for the user; any earlier ones stop working."""
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


@dataclass(frozen=True)
class Confirmation:
    """Two-factor turned on: the app that confirmed it, and the recovery codes to show once."""

    device: TOTPDevice | None = None
    recovery_codes: tuple[str, ...] = ()
    error: str = ""


def two_factor_confirm(*, user: AbstractBaseUser, code: str) -> Confirmation:
    """Confirm the app being set up with a code from it; create recovery codes."""
    pending = totp_device_pending(user=user)
    if pending is None:
        return Confirmation(error="Start setting up two-factor authentication again.")
    code = _normalised(code)
    if not (len(code) == 6 and code.isdigit()):
        return Confirmation(error="Enter the 6-digit code your authenticator app shows.")
    check = _verified(pending, code, WRONG_CODE)
    if check.device is None:
        return Confirmation(error=check.error)
    with transaction.atomic():
        device = check.device
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = recovery_codes_create(user=user)
    return Confirmation(device=device, recovery_codes=tuple(codes))


def two_factor_turn_off(*, user: AbstractBaseUser) -> None:
    """Remove the user's authenticator app and recovery codes."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()


def identity_check(*, user: AbstractBaseUser, password: str, code: str) -> str:
    """'' when the password or a current code is right; otherwise what is wrong."""
    if password:
        if user.check_password(password):
            return ""
        if not code:
            return "The password is not right."
    if code:
        return code_check(user=user, code=code).error
    return "Enter your password, or a code from your authenticator app."
