"""Who may read and change the strategic plan."""

from __future__ import annotations

import rules

from accounts.rules import add_admin_only_model_perms, is_csp_admin, is_signed_in

# Every signed-in person reads the whole plan; its content is edited in the admin.
rules.add_perm("priorities.view_plan", is_signed_in)
# The yearly revision: CSP admins record the assessment, edit the draft and publish it.
rules.add_perm("priorities.revise_plan", is_csp_admin)
add_admin_only_model_perms(
    "priorities",
    [
        "partnership",
        "membership",
        "strategicassessment",
        "strategicplan",
        "priority",
        "theme",
        "keyissue",
        "partnershipaim",
        "expectedoutcome",
        "glossaryterm",
    ],
)
# A partnership's people (inviting, the members page, deactivating): its CSP admins.
rules.add_perm("priorities.manage_people", is_csp_admin)
