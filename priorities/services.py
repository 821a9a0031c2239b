"""Writes that touch several plan models at once."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, TypeVar

import yaml
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Agency, Role, User
from core.models import FieldChange, StaleEdit, changes_since
from core.queue import queue_after_commit
from core.upsert import upsert

from .models import (
    ExpectedOutcome,
    GlossaryTerm,
    Invitation,
    KeyIssue,
    Membership,
    Partnership,
    PartnershipAim,
    PlanRevision,
    Priority,
    StrategicAssessment,
    StrategicPlan,
    Theme,
)
from .plan_file import POSITIONAL_FORMAT, LineData, PlanFile, PlanFileError, PriorityData, is_generated_key
from .revisions import LINE_KINDS, draft_priorities, plan_as_draft

M = TypeVar("M", bound=models.Model)


@dataclass
class ImportResult:
    """What an import did, counted by model and by kind of change."""

    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    retired: Counter[str] = field(default_factory=Counter)
    reinstated: Counter[str] = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.retired or self.reinstated)

    def summary(self) -> str:
        if not self.changed:
            return "No changes: the portal already matches the file."
        parts = []
        for verb, counts in (
            ("created", self.created),
            ("updated", self.updated),
            ("retired", self.retired),
            ("reinstated", self.reinstated),
        ):
            for name, count in sorted(counts.items()):
                parts.append(f"{verb} {count} {name}")
        return "; ".join(parts) + "."


class _Writer:
    """Creates or updates one row at a time, saving only what differs, so history stays true."""

    def __init__(self, *, user: User | None, reason: str) -> None:
        self.user = user
        self.reason = reason
        self.result = ImportResult()

    def _save(self, obj: models.Model) -> None:
        obj._history_user = self.user  # type: ignore[attr-defined]
        obj._change_reason = self.reason  # type: ignore[attr-defined]
        try:
            obj.full_clean(validate_constraints=False)
        except ValidationError as exc:
            # The file checker should have caught this; if not, report it, never crash.
            what = f"{obj._meta.verbose_name} {str(obj)[:60]!r}"
            raise PlanFileError(
                [f"{what}: {field}: {message}" for field, messages in exc.message_dict.items() for message in messages]
            ) from exc
        obj.save()

    def sync(self, model: type[M], lookup: dict[str, Any], values: dict[str, Any]) -> M:
        obj, state = upsert(model, lookup, values, save=lambda record, _fields: self._save(record))
        name = str(model._meta.verbose_name_plural)
        if state == "new":
            self.result.created[name] += 1
        elif state == "changed":
            self.result.updated[name] += 1
        return obj

    def retire(self, queryset: models.QuerySet[Any]) -> None:
        for obj in queryset.filter(retired_at__isnull=True):
            obj.retired_at = timezone.now()
            self._save(obj)
            self.result.retired[str(obj._meta.verbose_name_plural)] += 1

    def sync_keyed(
        self, model: type[M], parent: dict[str, Any], entries: list[dict[str, Any]], *, kind: str, place: str, text: str
    ) -> list[M]:
        """Make the parent's rows of one kind match the file's entries, matched by key.

        Each entry holds the row's values: its `key`, its place (`place`: position or
        number) and its wording (`text`). A row the file no longer names is retired; a
        retired row the file names again is reinstated; a new key is a new row. A row whose
        key the converter made (theme-2) takes a readable key the file gives a line of the
        very same wording, so giving converted lines readable keys keeps them."""
        rows: dict[str, Any] = {row.key: row for row in model._default_manager.filter(**parent)}  # type: ignore[attr-defined]
        named = {entry["key"] for entry in entries}
        spare = {
            getattr(row, text): row for key, row in rows.items() if key not in named and is_generated_key(kind, key)
        }
        for entry in entries:
            if entry["key"] not in rows and entry[text] in spare:
                adopted = spare.pop(entry[text])
                rows[entry["key"]] = rows.pop(adopted.key)
        dropped = [row for key, row in rows.items() if key not in named]
        if model is KeyIssue:
            # A retired key issue takes its sub-points with it.
            self.retire(KeyIssue.objects.filter(parent__in=[row.pk for row in dropped]))
        self.retire(model._default_manager.filter(pk__in=[row.pk for row in dropped]))
        # Rows that move are parked out of the way first, so that no two current rows
        # hold the same place part-way through (the database forbids it).
        moving = [
            row.pk
            for entry in entries
            if (row := rows.get(entry["key"])) is not None
            and row.retired_at is None
            and getattr(row, place) != entry[place]
        ]
        model._default_manager.filter(pk__in=moving).update(**{place: F(place) + PARKED})
        name = str(model._meta.verbose_name_plural)
        synced: list[M] = []
        for entry in entries:
            values = {**entry, "retired_at": None}
            found = rows.get(entry["key"])
            if found is None:
                created = model(**parent, **values)
                self._save(created)
                self.result.created[name] += 1
                synced.append(created)
                continue
            was_retired = found.retired_at is not None
            differs = [attr for attr, value in values.items() if getattr(found, attr) != value]
            for attr in differs:
                setattr(found, attr, values[attr])
            if differs:
                self._save(found)
                (self.result.reinstated if was_retired else self.result.updated)[name] += 1
            synced.append(found)
        return synced

    def sync_lines(self, model: type[M], parent: dict[str, Any], lines: list[LineData], kind: str) -> list[M]:
        """A priority's lines of one kind, in the file's order."""
        entries = [
            {"key": line.key, "text": line.text, "position": position} for position, line in enumerate(lines, start=1)
        ]
        return self.sync_keyed(model, parent, entries, kind=kind, place="position", text="text")


# Added to a moving row's place while the rows of its list are renumbered.
PARKED = 10_000


def _sync_priorities(writer: _Writer, plan: StrategicPlan, priorities: list[PriorityData]) -> None:
    entries = [{"key": p.key, "number": p.number, "title": p.title, "summary": p.summary} for p in priorities]
    rows = writer.sync_keyed(Priority, {"plan": plan}, entries, kind="priority", place="number", text="title")
    for priority, data in zip(rows, priorities, strict=True):
        writer.sync_lines(Theme, {"priority": priority}, data.themes, "theme")
        writer.sync_lines(PartnershipAim, {"priority": priority}, data.aims, "aim")
        writer.sync_lines(ExpectedOutcome, {"priority": priority}, data.outcomes, "outcome")
        issues = writer.sync_lines(
            KeyIssue,
            {"priority": priority, "parent": None},
            [LineData(issue.key, issue.text) for issue in data.key_issues],
            "key-issue",
        )
        for issue, issue_data in zip(issues, data.key_issues, strict=True):
            writer.sync_lines(KeyIssue, {"priority": priority, "parent": issue}, issue_data.sub_points, "sub-point")


class _DryRun(Exception):
    """Rolls back an import that was only a rehearsal."""


def plan_import(
    *, plan_file: PlanFile, user: User | None = None, source: str = "plan file", dry_run: bool = False
) -> ImportResult:
    """Make the portal match the plan file, in one transaction, changing only what differs.

    Priorities and their lines are matched by key; what the file no longer has is retired,
    not deleted, so actions that refer to it and the history keep it. A csp-plan/1 file,
    which names lines only by position, may create a plan but not change one.
    """
    writer = _Writer(user=user, reason=f"Imported from {source}")
    try:
        with transaction.atomic():
            _import(writer, plan_file, user)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return writer.result


def _import(writer: _Writer, plan_file: PlanFile, user: User | None) -> None:
    """The import itself; the caller owns the transaction."""
    if (
        plan_file.format == POSITIONAL_FORMAT
        and StrategicPlan.objects.filter(
            partnership__name=plan_file.partnership_name, title=plan_file.plan_title
        ).exists()
    ):
        raise PlanFileError(
            [
                f"format: the portal already has the plan “{plan_file.plan_title}”, and a {POSITIONAL_FORMAT} "
                "file names its lines only by position, so importing it could move actions to other lines. "
                "Convert the file with `python manage.py add_plan_keys FILE` and import the csp-plan/2 file it writes."
            ]
        )
    partnership = writer.sync(
        Partnership,
        {"name": plan_file.partnership_name},
        {
            "short_name": plan_file.partnership_short_name,
            "slug": plan_file.partnership_slug,
            "board_name": plan_file.board_name,
            "strapline": plan_file.strapline,
            "vision": plan_file.vision,
        },
    )
    agencies = _sync_agencies(writer, plan_file, partnership)
    members = set(partnership.members.all())
    missing = [agency for agency in agencies if agency not in members]
    # A responsible authority the file no longer names leaves the partnership (other
    # partners, added in the admin, are not the file's to remove).
    departed = [agency for agency in members if agency.is_responsible_authority and agency not in set(agencies)]
    if missing or departed:
        partnership._history_user = user  # type: ignore[attr-defined]
        partnership.members.add(*missing)
        partnership.members.remove(*departed)
        if missing:
            writer.result.created["partnership memberships"] += len(missing)
        if departed:
            writer.result.retired["partnership memberships"] += len(departed)

    assessments = {
        data.year: writer.sync(
            StrategicAssessment,
            {"partnership": partnership, "year": data.year},
            {"title": data.title, "findings": data.findings, "url": data.url},
        )
        for data in plan_file.assessments
    }
    supersedes = None
    if plan_file.supersedes:
        supersedes = StrategicPlan.objects.filter(partnership=partnership, title=plan_file.supersedes).first()
        if supersedes is None:
            raise PlanFileError([f"plan.supersedes: no plan called {plan_file.supersedes!r} in the portal"])
        successor = StrategicPlan.objects.filter(supersedes=supersedes).exclude(title=plan_file.plan_title).first()
        if successor is not None:
            raise PlanFileError([f"plan.supersedes: {supersedes.title!r} is already superseded by {successor.title!r}"])
    plan = writer.sync(
        StrategicPlan,
        {"partnership": partnership, "title": plan_file.plan_title},
        {
            "starts": plan_file.starts,
            "ends": plan_file.ends,
            "based_on": assessments.get(plan_file.based_on) if plan_file.based_on else None,
            "supersedes": supersedes,
        },
    )
    _sync_priorities(writer, plan, plan_file.priorities)

    for term, description in plan_file.glossary.items():
        writer.sync(GlossaryTerm, {"partnership": partnership, "term": term}, {"description": description})
    for stale in GlossaryTerm.objects.filter(partnership=partnership).exclude(term__in=plan_file.glossary):
        stale._history_user = user  # type: ignore[attr-defined]
        stale._change_reason = writer.reason  # type: ignore[attr-defined]
        stale.delete()
        writer.result.retired["glossary terms"] += 1


def _agency_name(name: str) -> str:
    """An agency's name as matching compares it: case and spacing do not count."""
    return " ".join(name.split()).casefold()


# A new agency name this close to an existing one (in single-letter edits) is taken for a typo.
TYPO_EDITS = 2


def _within_a_typo(a: str, b: str) -> bool:
    """At most TYPO_EDITS insertions, deletions or substitutions turn a into b."""
    if abs(len(a) - len(b)) > TYPO_EDITS:
        return False
    previous = list(range(len(b) + 1))
    for i, char in enumerate(a, start=1):
        row = [i]
        for j, other in enumerate(b, start=1):
            row.append(min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (char != other)))
        previous = row
    return previous[-1] <= TYPO_EDITS


def _sync_agencies(writer: _Writer, plan_file: PlanFile, partnership: Partnership) -> list[Agency]:
    """The file's responsible authorities, matched to agencies by name.

    Agencies are shared by every partnership: a name within a typo of an existing one is
    refused rather than made a second agency, and an agency another partnership also has
    keeps its short name and kind (they are not this file's to change)."""
    known = {_agency_name(agency.name): agency for agency in Agency.objects.all()}
    problems = []
    for i, data in enumerate(plan_file.responsible_authorities):
        name = _agency_name(data.name)
        near = next(
            (a for known_name, a in known.items() if name not in known and _within_a_typo(name, known_name)), None
        )
        if near is not None:
            problems.append(
                f"partnership.responsible_authorities[{i}].name: “{data.name}” is within a typo of the existing "
                f"agency “{near.name}”; use that exact name, or, if it is another body, add it in the admin first"
            )
    if problems:
        raise PlanFileError(problems)
    agencies = []
    for data in plan_file.responsible_authorities:
        values = {"short_name": data.short_name, "kind": Agency.Kind.RESPONSIBLE_AUTHORITY}
        agency = known.get(_agency_name(data.name))
        if agency is None:
            agency = writer.sync(Agency, {"name": data.name}, values)
        elif not agency.partnerships.exclude(pk=partnership.pk).exists():
            agency = writer.sync(Agency, {"pk": agency.pk}, values)
        agencies.append(agency)
    return agencies


# Revising the plan in the portal ------------------------------------------------------


def revision_open(
    *,
    plan: StrategicPlan,
    user: User,
    year: int,
    title: str,
    findings: str = "",
    url: str = "",
    kind: str = PlanRevision.Kind.REFRESH,
) -> PlanRevision:
    """Record the new strategic assessment and open a draft revision of the plan, the draft
    starting as the plan stands now. Only one draft per plan is open at a time."""
    with transaction.atomic():
        assessment = StrategicAssessment.objects.filter(partnership=plan.partnership, year=year).first()
        if assessment is None:
            assessment = StrategicAssessment(partnership=plan.partnership, year=year)
        # An assessment already recorded keeps what this form leaves blank.
        assessment.title = title
        assessment.findings = findings or assessment.findings
        assessment.url = url or assessment.url
        assessment._history_user = user  # type: ignore[attr-defined]
        assessment.full_clean()
        assessment.save()
        if PlanRevision.objects.filter(plan=plan, status=PlanRevision.Status.DRAFT).exists():
            raise ValidationError("This plan already has a draft revision: finish or publish that one first.")
        revision = PlanRevision(
            partnership=plan.partnership,
            plan=plan,
            assessment=assessment,
            kind=kind,
            title=plan.title,
            starts=plan.starts,
            ends=plan.ends,
            draft=plan_as_draft(plan),
            created_by=user,
        )
        revision._history_user = user  # type: ignore[attr-defined]
        revision._change_reason = f"Opened after the {assessment}"  # type: ignore[attr-defined]
        revision.full_clean()
        revision.save()
    return revision


def _stale_priority(revision: PlanRevision, expected: int, key: str) -> StaleEdit:
    """StaleEdit naming what the other admin changed in this one priority."""
    stale = changes_since(PlanRevision.objects.get(pk=revision.pk), expected)
    opened = stale.current.history.filter(version=expected).order_by("-history_id").first()  # type: ignore[attr-defined]
    before = (opened.draft if opened else {}).get("priorities", [])
    was: dict[str, Any] = next((p for p in before if p["key"] == key), {})
    now = stale.current.draft_priority(key) or {}  # type: ignore[attr-defined]
    changes = []
    if was.get("title") != now.get("title"):
        changes.append(FieldChange("Title", was.get("title", "(blank)"), now.get("title", "(blank)")))
    if was.get("summary") != now.get("summary"):
        changes.append(FieldChange("Summary", was.get("summary") or "(blank)", now.get("summary") or "(blank)"))
    for kind, label in LINE_KINDS.items():
        old = {line["key"]: line["text"] for line in was.get(kind, [])}
        new = {line["key"]: line["text"] for line in now.get(kind, [])}
        for line_key in [*old, *(k for k in new if k not in old)]:
            if old.get(line_key) != new.get(line_key):
                changes.append(
                    FieldChange(label, old.get(line_key) or "(not in the plan)", new.get(line_key) or "(retired)")
                )
    if changes or not stale.changes:
        stale.changes = changes
    return stale


def revision_save(
    *, revision: PlanRevision, expected_version: int, user: User, priority: dict[str, Any] | None = None, **values: Any
) -> PlanRevision:
    """Save one priority of the draft (its title, summary and lines), or the revision's own
    details (kind, title, starts, ends, effective_on, decisions), unless another admin saved
    the draft since `expected_version`: then StaleEdit, and nothing is saved."""
    if not revision.is_draft:
        raise ValidationError("This revision is published: it can no longer be changed.")
    with transaction.atomic():
        try:
            revision.claim(expected_version)
        except StaleEdit:
            if priority is not None:
                raise _stale_priority(revision, expected_version, priority["key"]) from None
            raise
        if priority is not None:
            draft = dict(revision.draft)
            draft["priorities"] = [priority if p["key"] == priority["key"] else p for p in draft["priorities"]]
            revision.draft = draft
        for name, value in values.items():
            setattr(revision, name, value)
        revision.draft = {
            **revision.draft,
            "title": revision.title,
            "starts": revision.starts.isoformat(),
            "ends": revision.ends.isoformat(),
        }
        revision._history_user = user  # type: ignore[attr-defined]
        revision.full_clean()
        revision.save()
    return revision


def revision_apply(*, revision: PlanRevision, user: User) -> StrategicPlan:
    """Write the draft to the plan (the caller owns the transaction and the actions).

    A refresh syncs the draft into the same plan by key, as the importer does: a reworded
    line keeps its row and its actions, a line left out is retired. A new plan is a new
    StrategicPlan superseding the old one, with new rows of the same keys and each
    priority's lead carried over."""
    writer = _Writer(user=user, reason=f"Revision {revision.pk} published: {revision.title}")
    old = revision.plan
    day = revision.effective_on or timezone.localdate()
    if revision.kind == PlanRevision.Kind.REFRESH:
        plan = writer.sync(
            StrategicPlan,
            {"pk": old.pk},
            {"title": revision.title, "ends": revision.ends, "based_on": revision.assessment or old.based_on},
        )
        _sync_priorities(writer, plan, draft_priorities(revision.draft))
        return plan
    if StrategicPlan.objects.filter(supersedes=old).exists():
        raise ValidationError("This plan is already superseded.")
    plan = writer.sync(
        StrategicPlan,
        {"partnership": old.partnership, "title": revision.title},
        {"starts": day, "ends": revision.ends, "based_on": revision.assessment, "supersedes": old},
    )
    _sync_priorities(writer, plan, draft_priorities(revision.draft))
    leads = dict(old.priorities.filter(lead__isnull=False).values_list("key", "lead"))
    for priority in plan.priorities.filter(key__in=leads):
        priority.lead_id = leads[priority.key]
        writer._save(priority)
    return plan


# Revisions made before the portal, recorded from the published plan -----------------------

HISTORY_FORMAT = "csp-plan-history/1"


def _history_summary(entry: dict[str, Any]) -> dict[str, Any]:
    """A recorded revision's difference, in the shape `PlanDiff.as_json` gives."""
    ends = entry.get("ends") or {}
    priorities = [
        {
            "key": p["key"],
            "number": p["number"],
            "title": p["title"]["to"],
            "change": "changed",
            "old_title": p["title"]["from"],
            "old_number": None,
            "summary_changed": False,
            "lines": [],
        }
        for p in entry.get("priorities", [])
    ]
    return {
        "priorities": priorities,
        "old_title": "",
        "new_title": "",
        "old_ends": str(ends.get("from", "")),
        "new_ends": str(ends.get("to", "")),
        "counts": {"added": 0, "reworded": len(priorities), "retired": 0, "moved": 0},
    }


def plan_history_import(*, text: str, partnership_name: str) -> int:
    """Record the revisions a plan's history file (csp-plan-history/1) names, made before
    the portal, as published revisions marked as recorded from the source. Importing the
    same file again changes nothing. Returns how many were recorded anew."""
    raw = yaml.safe_load(text)
    if not isinstance(raw, dict) or raw.get("format") != HISTORY_FORMAT:
        raise PlanFileError([f"format: must be {HISTORY_FORMAT!r}"])
    # Plan titles are unique within a partnership only: the history is its plan file's.
    plan = StrategicPlan.objects.filter(partnership__name=partnership_name, title=raw.get("plan")).first()
    if plan is None:
        raise PlanFileError([f"plan: no plan called {raw.get('plan')!r} in the portal; import the plan first"])
    recorded = 0
    with transaction.atomic():
        for i, entry in enumerate(raw.get("revisions") or []):
            assessment = StrategicAssessment.objects.filter(
                partnership=plan.partnership, year=entry.get("assessment")
            ).first()
            if assessment is None:
                raise PlanFileError([f"revisions[{i}].assessment: no assessment for {entry.get('assessment')}"])
            if PlanRevision.objects.filter(plan=plan, assessment=assessment).exclude(recorded_from="").exists():
                continue
            revision = PlanRevision(
                partnership=plan.partnership,
                plan=plan,
                assessment=assessment,
                kind=entry.get("kind", PlanRevision.Kind.REFRESH),
                title=plan.title,
                starts=plan.starts,
                ends=entry["ends"]["to"] if entry.get("ends") else plan.ends,
                effective_on=entry.get("effective_on"),
                status=PlanRevision.Status.PUBLISHED,
                result=plan,
                summary=_history_summary(entry),
                recorded_from=" ".join(str(entry.get("recorded_from", "")).split()),
            )
            revision._change_reason = "Recorded from the published plan"  # type: ignore[attr-defined]
            revision.full_clean()
            revision.save()
            recorded += 1
    return recorded


# People ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Invitee:
    """One person to invite: their address, name, agency and roles in the partnership."""

    email: str
    full_name: str
    agency: Agency | None
    roles: tuple[str, ...]


def person_invite(*, partnership: Partnership, invitee: Invitee, invited_by: User) -> User:
    """Give the person the roles in the partnership (making their account if the address is
    new, reactivating it if it was deactivated) and email them the set-password link."""
    email = invitee.email.strip().lower()
    with transaction.atomic():
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User(email=email, full_name=invitee.full_name, agency=invitee.agency)
            user.set_unusable_password()
            user.full_clean()
            user.save()
        elif not user.is_active:
            user.is_active = True
            user.save(update_fields=["is_active"])
        held = set(
            Membership.objects.current().filter(partnership=partnership, user=user).values_list("role", flat=True)
        )
        for role in invitee.roles:
            if role not in held:
                membership = Membership(partnership=partnership, user=user, role=role)
                membership.full_clean()
                membership.save()
        invitation = Invitation(
            partnership=partnership, user=user, roles=", ".join(invitee.roles), invited_by=invited_by
        )
        invitation.full_clean()
        invitation.save()
        from .tasks import send_invitation_email

        queue_after_commit(send_invitation_email, invitation.pk)
    return user


def people_invite(*, partnership: Partnership, invitees: list[Invitee], invited_by: User) -> list[User]:
    """Invite everyone in one transaction: all of them or, on any failure, none."""
    with transaction.atomic():
        return [person_invite(partnership=partnership, invitee=i, invited_by=invited_by) for i in invitees]


def invitation_email(*, invitation_id: int) -> None:
    """Email the person invited: what to, and (a new account) the link to set a password."""
    from django.core.mail import send_mail
    from django.template.loader import render_to_string

    from accounts.invitations import invitation_link

    invitation = Invitation.objects.select_related("user", "partnership").get(pk=invitation_id)
    user = invitation.user
    # Someone who already has a password signs in as ever; only a new account needs the link.
    link = None if user.has_usable_password() else invitation_link(user)
    context = {"invitation": invitation, "link": link, "partnership": invitation.partnership}
    send_mail(
        f"{invitation.partnership.short_name}: you have been invited to the community safety portal",
        render_to_string("priorities/email/invitation.txt", context),
        None,
        [user.email],
    )


def last_admin_refusal(*, partnership: Partnership, user: User, lock: bool = False) -> str | None:
    """Why the person cannot be removed: they are the partnership's only CSP admin, and with
    none left nobody could invite, remove or publish (only the operator could repair it).
    None when they may go. With `lock`, the admins' rows stay locked to the end of the
    transaction, so two admins removing each other at once cannot both succeed."""
    admins = Membership.objects.current().filter(partnership=partnership, role=Role.CSP_ADMIN)
    if lock:
        admins = admins.select_for_update()
    if set(admins.values_list("user_id", flat=True)) != {user.pk}:
        return None
    return f"{user} is the only CSP admin of {partnership.short_name}: make someone else an admin first."


def member_deactivate(*, partnership: Partnership, user: User) -> None:
    """End every role the person holds in the partnership (kept in history, never deleted);
    with no role left anywhere, they can no longer sign in. What they wrote keeps their name.
    The partnership's last CSP admin is refused (ValidationError)."""
    with transaction.atomic():
        refusal = last_admin_refusal(partnership=partnership, user=user, lock=True)
        if refusal is not None:
            raise ValidationError(refusal)
        now = timezone.now()
        for membership in Membership.objects.current().filter(partnership=partnership, user=user):
            membership.ended_at = now
            membership.save(update_fields=["ended_at"])
        if not Membership.objects.current().filter(user=user).exists() and not user.is_superuser:
            user.is_active = False
            user.save(update_fields=["is_active"])
