"""Who may see dashboards and reports, compile and publish them."""

from __future__ import annotations

import rules

from accounts.rules import add_admin_only_model_perms, is_board_member, is_csp_admin, is_signed_in

# Dashboards are for everyone signed in; the board's reports and their files are for board
# members and admins; compiling and publishing are the community safety team's.
rules.add_perm("reports.view_dashboard", is_signed_in)
rules.add_perm("reports.read_reports", is_csp_admin | is_board_member)
rules.add_perm("reports.compile_reports", is_csp_admin)
add_admin_only_model_perms("reports", ["quarterlyreport"])
