"""Codes as an authenticator app computes them (RFC 6238), from the device's own secret."""

from base64 import b32decode

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from stakeholders.accounts.services import recovery_codes_create


def app_code(key: bytes, steps_ahead: int = 0) -> str:
    """The 6-digit code an app with this secret shows now (or `steps_ahead` periods on)."""
    return f"{TOTP(key, drift=steps_ahead).token():06d}"


def secret_key(grouped_secret: str) -> bytes:
    """The key from the secret as the set-up page writes it out (base32, in groups)."""
    return b32decode("".join(grouped_secret.split()))


def two_factor_on(user) -> tuple[TOTPDevice, list[str]]:
    """A confirmed authenticator app and ten recovery codes for the user."""
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return device, recovery_codes_create(user=user)


def a_wrong_code(key: bytes) -> str:
    """A 6-digit code that no app with this key shows in the accepted window."""
    accepted = {app_code(key, steps) for steps in (-1, 0, 1, 2)}
    return next(c for c in ("000000", "111111", "222222", "333333", "444444") if c not in accepted)
