"""Who may see dashboards and reports, compile and publish them."""

from __future__ import annotations

from typing import Any

import rules

from accounts.rules import add_admin_only_model_perms, is_board_member, is_csp_admin, is_priority_lead, is_signed_in

# Dashboards are for everyone signed in; the board's reports and their files are for board
# members and admins; compiling and publishing are the community safety team's.
rules.add_perm("reports.view_dashboard", is_signed_in)
rules.add_perm("reports.read_reports", is_csp_admin | is_board_member)
rules.add_perm("reports.compile_reports", is_csp_admin)
add_admin_only_model_perms("reports", ["quarterlyreport"])


@rules.predicate
def leads_priority_of_part(user: Any, part: Any) -> bool:
    """The person is the lead of the priority this part of the board paper comments on."""
    return bool(part is not None and part.priority is not None and part.priority.lead_id == user.pk)


# The board paper's words: the team writes every part; a priority lead writes the
# commentary on the priority they lead, and sees the paper to do so.
rules.add_perm("reports.write_board_paper", is_csp_admin | is_priority_lead)
rules.add_perm("reports.write_paper_part", is_csp_admin | (is_priority_lead & leads_priority_of_part))
