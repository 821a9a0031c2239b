"""Two-factor sign-in: a code from an authenticator app (TOTP) after the password, or one of
ten single-use recovery codes when the phone is lost. django-otp keeps the devices and
checks the codes; this module decides who must use it and records every change.

Superusers and CSP admins must: they can change who sees and does what for a whole
partnership, so a guessed or reused password alone must not be enough. Everyone else may
turn it on for themselves.
"""

from __future__ import annotations

import base64
import logging
import re
from typing import Any

import django_otp
import segno
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils.safestring import SafeString
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Role, TwoFactorChange, User

log = logging.getLogger(__name__)

RECOVERY_CODE_COUNT = 10
# Whether the signed-in person has an authenticator app, kept in the session so that a page
# costs no query to find out (set again whenever it changes here, and at every sign-in).
HAS_APP = "portal_two_factor_app"
# Recovery codes just made, to be shown once on the next page and then forgotten.
CODES_TO_SHOW = "portal_recovery_codes_to_show"


def two_factor_required(user: Any) -> bool:
    """Superusers, and anyone who is a CSP admin of any partnership, must use it."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return any(Role.CSP_ADMIN.value in roles for roles in user.partnership_roles().values())


def authenticator_of(user: Any) -> TOTPDevice | None:
    """The person's confirmed authenticator app, if they have one."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("-pk").first()


def has_authenticator(request: HttpRequest, *, fresh: bool = False) -> bool:
    """Whether the signed-in person has set up an authenticator app: read once a session,
    or again when `fresh` (the two-factor pages, so an app removed elsewhere, by the operator
    say, is noticed there rather than asking for a code no app can give)."""
    known = None if fresh else request.session.get(HAS_APP)
    if known is None:
        known = authenticator_of(request.user) is not None
        request.session[HAS_APP] = known
    return bool(known)


@receiver(user_logged_in, dispatch_uid="two_factor_forget_app")
def _forget_on_sign_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    # The session may have been someone else's, or the app may have changed elsewhere.
    if request is not None and hasattr(request, "session"):
        request.session.pop(HAS_APP, None)
        request.session.pop(CODES_TO_SHOW, None)


def is_verified(request: HttpRequest) -> bool:
    """Whether this session gave a second-factor code (django-otp's middleware says)."""
    check = getattr(request.user, "is_verified", None)
    return bool(check and check())


def _record(user: User, kind: TwoFactorChange.Kind, by: User | None) -> None:
    TwoFactorChange.objects.create(user=user, kind=kind, changed_by=by)
    log.info("Two-factor: %s for %s by %s", kind.label, user.email, by.email if by else "the operator")


# Setting up an authenticator app.


def app_being_set_up(user: User) -> TOTPDevice:
    """The unconfirmed app the set-up page shows, made on first visit and kept until it is
    confirmed (so a reload shows the same QR code the phone may already have read)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def app_confirm(request: HttpRequest, device: TOTPDevice, code: str) -> bool:
    """Confirm the app being set up with a code it shows. The app replaces any earlier one,
    and this session counts as verified by it."""
    if not device.verify_token(code):
        return False
    user = request.user
    assert isinstance(user, User)
    with transaction.atomic():
        replaced = TOTPDevice.objects.filter(user=user).exclude(pk=device.pk)
        had_one = replaced.filter(confirmed=True).exists()
        replaced.delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        if had_one:
            _record(user, TwoFactorChange.Kind.APP_REMOVED, user)
        _record(user, TwoFactorChange.Kind.APP_ADDED, user)
    django_otp.login(request, device)
    request.session[HAS_APP] = True
    return True


def qr_code_svg(device: TOTPDevice) -> SafeString:
    """The app's set-up address as an inline SVG QR code (segno: no image file, no script)."""
    svg = segno.make(device.config_url, error="m").svg_inline(
        scale=4, dark="#0b0c0c", light="#ffffff", svgclass="app-qr-code", lineclass=None
    )
    # An image with a name for screen readers; the page gives the key as text beside it.
    label = "QR code to scan with your authenticator app"
    return SafeString(svg.replace("<svg ", f'<svg role="img" aria-label="{label}" focusable="false" ', 1))


def secret_in_groups(device: TOTPDevice) -> str:
    """The secret key in base32 (what apps ask for when typed by hand), in groups of four."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


# Recovery codes.


def recovery_codes_make(user: User, *, by: User | None) -> list[str]:
    """Ten new single-use codes; any earlier ones stop working."""
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(user=user, defaults={"name": "Recovery codes"})
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
        _record(user, TwoFactorChange.Kind.RECOVERY_CODES_MADE, by)
    return codes


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def code_grouped(code: str) -> str:
    """A recovery code as shown: two groups of four, easier to copy by hand."""
    return f"{code[:4]} {code[4:]}"


# Signing in with a code.


def _normalised(code: str) -> str:
    return re.sub(r"[\s-]", "", code).lower()


def looks_like_app_code(code: str) -> bool:
    return bool(re.fullmatch(r"\d{6}", _normalised(code)))


def code_check(request: HttpRequest, code: str) -> bool:
    """Check a code typed after sign-in: six digits from the app, else a recovery code. A
    right one verifies this session; a recovery code works once."""
    user = request.user
    assert isinstance(user, User)
    typed = _normalised(code)
    model: Any = TOTPDevice if looks_like_app_code(typed) else StaticDevice
    with transaction.atomic():
        # Locked while checked, so one code cannot be used twice by two requests at once.
        for device in model.objects.devices_for_user(user, confirmed=True).select_for_update():
            if device.verify_token(typed):
                django_otp.login(request, device)
                if isinstance(device, StaticDevice):
                    _record(user, TwoFactorChange.Kind.RECOVERY_CODE_USED, user)
                return True
    return False


def code_check_allowed(request: HttpRequest) -> bool:
    """False while django-otp's own throttle holds the person's app back after wrong codes
    (it doubles the wait after each, and only a right code resets it)."""
    device = authenticator_of(request.user)
    return device is None or bool(device.verify_is_allowed()[0])


# Turning it off.


def two_factor_turn_off(user: User, *, by: User | None) -> None:
    """Remove the app and the recovery codes (people who are not required to use it, or the
    operator for someone who lost both their phone and their codes)."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        _record(user, TwoFactorChange.Kind.TURNED_OFF, by)


def recent_changes(user: User, limit: int = 5) -> list[TwoFactorChange]:
    return list(user.two_factor_changes.select_related("changed_by")[:limit])
