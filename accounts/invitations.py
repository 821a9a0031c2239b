"""The link an invited person follows to set their first password: single use (it stops
working once a password is set, because the token hashes the password) and expiring after
INVITATION_DAYS."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Django's reset token with its own salt (a reset link is no invitation) and its own expiry."""

    key_salt = "accounts.invitations.InvitationTokenGenerator"

    def check_token(self, user: Any, token: str | None) -> bool:
        if not (user and token):
            return False
        try:
            timestamp_b36, _ = token.split("-")
            timestamp = base36_to_int(timestamp_b36)
        except ValueError:
            return False
        for secret in [self.secret, *self.secret_fallbacks]:
            if constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token):
                break
        else:
            return False
        return (self._num_seconds(self._now()) - timestamp) <= settings.INVITATION_DAYS * 24 * 60 * 60


invitation_tokens = InvitationTokenGenerator()


def invitation_link(user: Any) -> str:
    """The full address (SITE_URL, as the report emails use) of the person's set-password page."""
    path = reverse(
        "accounts:set_password",
        args=[urlsafe_base64_encode(force_bytes(user.pk)), invitation_tokens.make_token(user)],
    )
    return f"{settings.SITE_URL}{path}"
