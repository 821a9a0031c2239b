"""The iCalendar feed (RFC 5545) of a person's dates, and the secret address it is read at.

Written by hand rather than with a package: the feed holds only all-day events, so the
parts of RFC 5545 it needs are few (CRLF line ends, folding at 75 octets, escaping text,
UID, DTSTAMP, DTSTART;VALUE=DATE) and fit in this module; a dependency would bring far
more than that to pin, audit and upgrade.

Calendar apps cannot sign in, so the feed is read at an address that carries its own
proof: the person's id and the generation of their address, signed with the portal's
secret key. It cannot be guessed or forged; making a new address (the generation goes up)
stops every older one; so does changing SECRET_KEY.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core import signing
from django.urls import reverse

from accounts.models import User
from priorities.models import Partnership

from .due import my_open_actions, officer_partnerships
from .models import CalendarFeed, Milestone, ReportingPeriod

SALT = "actionplans.calendar"
SEP = "."  # not in the signature's alphabet, and safe in a path


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT, sep=SEP, algorithm="sha256")


def feed_generation(user: User) -> int:
    return CalendarFeed.objects.filter(user=user).values_list("generation", flat=True).first() or 0


def feed_token(user: User, generation: int | None = None) -> str:
    """The secret part of the person's feed address."""
    if generation is None:
        generation = feed_generation(user)
    return _signer().sign(f"{user.pk}{SEP}{generation}")


def feed_renew(*, user: User) -> str:
    """A new address for the person's feed; the old one stops working at once."""
    feed, _ = CalendarFeed.objects.get_or_create(user=user)
    feed.generation += 1
    feed.save()
    return feed_token(user, feed.generation)


def user_for_token(token: str) -> User | None:
    """Whose feed the address is, if it is genuine, current and theirs is an active account."""
    try:
        user_pk, generation = _signer().unsign(token).split(SEP)
    except (signing.BadSignature, ValueError):
        return None
    user = User.objects.filter(pk=user_pk, is_active=True).first()
    if user is None or str(feed_generation(user)) != generation:
        return None
    return user


@dataclass(frozen=True)
class Event:
    """An all-day event."""

    uid: str
    day: dt.date
    summary: str
    description: str = ""
    url: str = ""


def escape(text: str) -> str:
    """TEXT as RFC 5545 3.3.11 writes it: backslash, semicolon, comma and newlines escaped."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """Split a content line into lines of at most 75 octets (RFC 5545 3.1), each continuation
    starting with a space, never inside a UTF-8 character."""
    parts: list[str] = []
    current, size, limit = "", 0, 75
    for char in line:
        octets = len(char.encode("utf-8"))
        if size + octets > limit:
            parts.append(current)
            current, size, limit = " ", 1, 75
        current += char
        size += octets
    parts.append(current)
    return "\r\n".join(parts)


def _date(day: dt.date) -> str:
    return day.strftime("%Y%m%d")


def ics(*, name: str, events: Iterable[Event], now: dt.datetime) -> str:
    """The calendar, CRLF-ended and folded."""
    stamp = now.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//CSP portal//What's due//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(name)}",
    ]
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{_date(event.day)}",
            f"DTEND;VALUE=DATE:{_date(event.day + dt.timedelta(days=1))}",
            f"SUMMARY:{escape(event.summary)}",
            "TRANSP:TRANSPARENT",
        ]
        if event.description:
            lines.append(f"DESCRIPTION:{escape(event.description)}")
        if event.url:
            lines.append(f"URL:{event.url}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(f"{fold(line)}\r\n" for line in lines)


def feed_events(user: User, site_url: str) -> list[Event]:
    """The opening and closing day of every update window of each partnership the person now
    belongs to, and the due day of each open milestone of their open actions. Someone whose
    membership has ended no longer gets that partnership's dates."""
    host = site_url.split("://", 1)[-1].split("/", 1)[0] or "csp-portal"
    events: list[Event] = []
    periods = ReportingPeriod.objects.filter(partnership__in=Partnership.objects.of_user(user)).select_related(
        "partnership"
    )
    for period in periods.order_by("window_opens", "partnership__name"):
        name = period.partnership.short_name
        url = f"{site_url}{reverse('actionplans:my_actions')}"
        events.append(
            Event(
                uid=f"window-{period.pk}-opens@{host}",
                day=period.window_opens,
                summary=f"{name}: {period.label} updates open",
                description=f"The {period.label} update window opens; it closes on {period.window_closes:%-d %B %Y}.",
                url=url,
            )
        )
        events.append(
            Event(
                uid=f"window-{period.pk}-closes@{host}",
                day=period.window_closes,
                summary=f"{name}: {period.label} updates due",
                description=f"The {period.label} update window closes: updates are due today.",
                url=url,
            )
        )
    milestones = (
        Milestone.objects.filter(
            action__in=my_open_actions(user, officer_partnerships(user)), completed_on__isnull=True
        )
        .select_related("action__plan__partnership")
        .order_by("due_date", "pk")
    )
    for milestone in milestones:
        action = milestone.action
        events.append(
            Event(
                uid=f"milestone-{milestone.pk}@{host}",
                day=milestone.due_date,
                summary=f"{action.plan.partnership.short_name}: milestone due: {milestone.title}",
                description=f"Action {action.reference} {action.title}",
                url=f"{site_url}{action.get_absolute_url()}",
            )
        )
    return events
