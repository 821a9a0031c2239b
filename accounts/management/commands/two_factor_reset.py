from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from accounts.two_factor import two_factor_required, two_factor_turn_off


class Command(BaseCommand):
    help = (
        "Turn off someone's two-factor sign-in when they have lost both their phone and their "
        "recovery codes. A CSP admin is asked to set it up again at their next sign-in."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="The person's email address")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email__iexact=options["email"].strip()).first()
        if user is None:
            raise CommandError(f"No account has the address {options['email']}.")
        two_factor_turn_off(user, by=None)
        then = "set it up again when they next sign in" if two_factor_required(user) else "sign in with their password"
        self.stdout.write(f"Two-factor sign-in is off for {user.email}: they will {then}.")
