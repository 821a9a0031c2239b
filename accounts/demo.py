"""Demo accounts for trying the portal locally. Never made when DEBUG is off."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction

from .models import Agency, Role, User

DEMO_DOMAIN = "demo.csp-portal.test"


@dataclass(frozen=True)
class DemoUser:
    email: str
    full_name: str
    agency_name: str
    role: Role


# One officer per responsible authority of the shipped plan, then the other roles.
DEMO_USERS = [
    DemoUser(f"officer.council@{DEMO_DOMAIN}", "Olu Adeyemi", "Bedford Borough Council", Role.OFFICER),
    DemoUser(f"officer.police@{DEMO_DOMAIN}", "Priya Shah", "Bedfordshire Police", Role.OFFICER),
    DemoUser(f"officer.fire@{DEMO_DOMAIN}", "Tom Fletcher", "Bedfordshire Fire and Rescue Service", Role.OFFICER),
    DemoUser(f"officer.probation@{DEMO_DOMAIN}", "Grace Okafor", "Offender Management Services", Role.OFFICER),
    DemoUser(f"officer.health@{DEMO_DOMAIN}", "Daniel Reid", "Bedfordshire Clinical Commissioning Group", Role.OFFICER),
    DemoUser(f"lead@{DEMO_DOMAIN}", "Maria Santos", "Bedfordshire Police", Role.PRIORITY_LEAD),
    DemoUser(f"board@{DEMO_DOMAIN}", "James Whitfield", "Bedford Borough Council", Role.BOARD_MEMBER),
    DemoUser(f"admin@{DEMO_DOMAIN}", "Aisha Khan", "Bedford Borough Council", Role.CSP_ADMIN),
]


def is_demo_account(email: str) -> bool:
    """Whether the address is one of the demo accounts' (their password is in the README)."""
    return email.lower().endswith("@" + DEMO_DOMAIN)


class DemoRefused(Exception):
    """Demo accounts have a published password, so they never exist outside DEBUG."""


def demo_users_load(*, password: str) -> list[User]:
    """Create or refresh the demo accounts; agencies must exist (import the plan first)."""
    if not settings.DEBUG:
        raise DemoRefused("Demo accounts are only made when DEBUG is on.")
    users = []
    with transaction.atomic():
        for demo in DEMO_USERS:
            agency = Agency.objects.filter(name=demo.agency_name).first()
            if agency is None:
                agency, _ = Agency.objects.get_or_create(
                    name=demo.agency_name,
                    defaults={"short_name": demo.agency_name, "kind": Agency.Kind.RESPONSIBLE_AUTHORITY},
                )
            user = User.objects.filter(email=demo.email).first() or User(email=demo.email)
            user.full_name = demo.full_name
            user.agency = agency
            user.is_active = True
            user.set_password(password)
            user.save()
            roles = [demo.role] + ([Role.OFFICER] if demo.role == Role.PRIORITY_LEAD else [])
            user.groups.set(Group.objects.filter(name__in=[r.value for r in roles]))
            users.append(user)
    return users
