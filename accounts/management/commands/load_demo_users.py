from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import DEMO_AUTHENTICATOR_KEY, DemoRefused, demo_users_load


class Command(BaseCommand):
    help = "Create the demo accounts (DEBUG only) and print them."

    def handle(self, *args: Any, **options: Any) -> None:
        password = settings.DEMO_PASSWORD
        try:
            users = demo_users_load(password=password)
        except DemoRefused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Demo accounts (password for each: {password}):")
        for user in users:
            roles = "; ".join(
                f"{m.role}, {m.partnership.short_name}" for m in user.memberships.select_related("partnership")
            )
            self.stdout.write(f"  {user.email:<42} {user.agency}: {roles}")
        self.stdout.write(
            "The CSP admins also need a code: add the key "
            f"{DEMO_AUTHENTICATOR_KEY} to an authenticator app (time-based, 6 digits)."
        )
