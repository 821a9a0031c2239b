"""Who may read and change action plans, actions, milestones and updates.

Officers edit what their agency leads or they own and read the rest; priority leads also
review updates under their priority; board members read; CSP admins do everything.
Views ask these rules; they never re-implement them.
"""

from __future__ import annotations

import rules

from accounts.rules import (
    add_admin_only_model_perms,
    is_board_member,
    is_csp_admin,
    is_officer,
    is_priority_lead,
    is_signed_in,
)

from .models import Action, ActionUpdate


@rules.predicate
def is_action_editor(user, action: Action | None) -> bool:  # type: ignore[no-untyped-def]
    return action is not None and action.is_editable_by_agency_of(user)


@rules.predicate
def leads_priority_of_update(user, update: ActionUpdate | None) -> bool:  # type: ignore[no-untyped-def]
    return update is not None and update.action.plan.priority.lead_id == user.pk


@rules.predicate
def submitted_it(user, update: ActionUpdate | None) -> bool:  # type: ignore[no-untyped-def]
    return update is not None and update.submitted_by_id == user.pk


is_read_only = is_signed_in & ~is_csp_admin & ~is_officer & is_board_member

rules.add_perm("actionplans.view_actionplans", is_signed_in)
# Asked about a partnership (or one of its records), every rule answers for that
# partnership's roles; see accounts.rules.
# An officer may add an action to a plan for their own agency (the form pins the agency).
rules.add_perm("actionplans.create_action", is_csp_admin | is_officer)
rules.add_perm("actionplans.edit_action", is_csp_admin | (is_officer & is_action_editor))
rules.add_perm("actionplans.review_updates", is_csp_admin | is_priority_lead)
# A lead does not approve their own update; an admin may.
rules.add_perm(
    "actionplans.review_update",
    is_csp_admin | (is_priority_lead & leads_priority_of_update & ~submitted_it),
)
rules.add_perm("actionplans.reopen_update", is_csp_admin)
rules.add_perm("actionplans.import_actions", is_csp_admin)
rules.add_perm("actionplans.carry_forward", is_csp_admin)
rules.add_perm("actionplans.read_only", is_read_only)

add_admin_only_model_perms(
    "actionplans",
    [
        "reportingperiod",
        "actionplan",
        "action",
        "milestone",
        "actionupdate",
        "indicator",
        "indicatorvalue",
        "remindersent",
    ],
)
