from __future__ import annotations

import datetime as dt

import factory

from accounts.models import Agency, Role, User
from priorities.models import Membership, Partnership

PASSWORD = "a-long-test-password"


def gds_date(name: str, day: dt.date) -> dict[str, str]:
    """A date as the GOV.UK date input posts it: day, month and year boxes."""
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Agency {n}")
    short_name = factory.LazyAttribute(lambda o: o.name[:20])
    kind = Agency.Kind.RESPONSIBLE_AUTHORITY


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="en_GB")
    agency = factory.SubFactory(AgencyFactory)
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def roles(self, create: bool, extracted: list[Role] | None, **kwargs: object) -> None:
        """`roles=[Role.OFFICER]`: those roles in the partnership given as
        `roles__partnership=…`, else in the first partnership there is (the shipped plan's)."""
        if create and extracted:
            partnership = kwargs.get("partnership") or Partnership.objects.order_by("pk").first()
            assert partnership is not None, "Import a plan before giving people roles"
            for role in extracted:
                Membership.objects.create(partnership=partnership, user=self, role=role.value)


def give_roles(user: User, partnership: Partnership, *roles: Role) -> User:
    """Give the person these roles in another partnership too."""
    for role in roles:
        Membership.objects.create(partnership=partnership, user=user, role=role.value)
    user.__dict__.pop("_partnership_roles", None)
    return user
