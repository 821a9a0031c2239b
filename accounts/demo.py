"""Demo accounts for trying the portal locally. Never made when DEBUG is off."""

from __future__ import annotations

import base64
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import Agency, Role, User

DEMO_DOMAIN = "demo.csp-portal.test"
# The demo CSP admins' authenticator key, published like their password (README): type it
# into an authenticator app to get their codes. Demo accounts never sign in with DEBUG off.
DEMO_AUTHENTICATOR_KEY = "CSPPORTALDEMOKEYCSPPORTALDEMOKEY"


BEDFORD = "bedford-borough"
CENTRAL = "central-bedfordshire"


@dataclass(frozen=True)
class DemoUser:
    email: str
    full_name: str
    agency_name: str
    # (partnership slug, role): roles are held per partnership.
    roles: tuple[tuple[str, Role], ...]


# One officer per responsible authority of the Bedford plan, then the other roles; the
# police officer sits on both partnerships, as Bedfordshire Police officers do.
DEMO_USERS = [
    DemoUser(f"officer.council@{DEMO_DOMAIN}", "Olu Adeyemi", "Bedford Borough Council", ((BEDFORD, Role.OFFICER),)),
    DemoUser(
        f"officer.police@{DEMO_DOMAIN}",
        "Priya Shah",
        "Bedfordshire Police",
        ((BEDFORD, Role.OFFICER), (CENTRAL, Role.OFFICER)),
    ),
    DemoUser(
        f"officer.fire@{DEMO_DOMAIN}",
        "Tom Fletcher",
        "Bedfordshire Fire and Rescue Service",
        ((BEDFORD, Role.OFFICER),),
    ),
    DemoUser(
        f"officer.probation@{DEMO_DOMAIN}", "Grace Okafor", "Offender Management Services", ((BEDFORD, Role.OFFICER),)
    ),
    DemoUser(
        f"officer.health@{DEMO_DOMAIN}",
        "Daniel Reid",
        "Bedfordshire Clinical Commissioning Group",
        ((BEDFORD, Role.OFFICER),),
    ),
    DemoUser(
        f"lead@{DEMO_DOMAIN}",
        "Maria Santos",
        "Bedfordshire Police",
        ((BEDFORD, Role.PRIORITY_LEAD), (BEDFORD, Role.OFFICER)),
    ),
    DemoUser(f"board@{DEMO_DOMAIN}", "James Whitfield", "Bedford Borough Council", ((BEDFORD, Role.BOARD_MEMBER),)),
    DemoUser(f"admin@{DEMO_DOMAIN}", "Aisha Khan", "Bedford Borough Council", ((BEDFORD, Role.CSP_ADMIN),)),
    DemoUser(
        f"officer.central@{DEMO_DOMAIN}", "Ben Clarke", "Central Bedfordshire Council", ((CENTRAL, Role.OFFICER),)
    ),
    DemoUser(
        f"admin.central@{DEMO_DOMAIN}", "Sofia Marsh", "Central Bedfordshire Council", ((CENTRAL, Role.CSP_ADMIN),)
    ),
]


def is_demo_account(email: str) -> bool:
    """Whether the address is one of the demo accounts' (their password is in the README)."""
    return email.lower().endswith("@" + DEMO_DOMAIN)


class DemoRefused(Exception):
    """Demo accounts have a published password, so they never exist outside DEBUG."""


def _memberships_set(user: User, roles: tuple[tuple[str, Role], ...]) -> None:
    """Exactly these roles, in the partnerships that are loaded. Memberships are the plan
    app's model, looked up by name so that this bottom app imports nothing above it."""
    partnership_model = apps.get_model("priorities", "Partnership")
    ids = dict(partnership_model.objects.filter(slug__in={slug for slug, _ in roles}).values_list("slug", "pk"))
    wanted = {(ids[slug], role.value) for slug, role in roles if slug in ids}
    current = user.memberships.filter(ended_at__isnull=True)
    for membership in current:
        if (membership.partnership_id, membership.role) not in wanted:
            membership.ended_at = timezone.now()
            membership.save(update_fields=["ended_at"])
    held = set(current.values_list("partnership_id", "role"))
    for partnership_id, role in sorted(wanted - held):
        user.memberships.create(partnership_id=partnership_id, role=role)


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
            _memberships_set(user, demo.roles)
            if any(role == Role.CSP_ADMIN for _, role in demo.roles):
                _demo_authenticator_set(user)
            users.append(user)
    return users


def _demo_authenticator_set(user: User) -> None:
    """The demo admin's app, with the published key (two-factor sign-in is required of
    admins, in the demo too)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    key = base64.b32decode(DEMO_AUTHENTICATOR_KEY).hex()
    TOTPDevice.objects.filter(user=user).exclude(key=key).delete()
    TOTPDevice.objects.get_or_create(user=user, key=key, defaults={"name": "Demo authenticator", "confirmed": True})
