"""Who may read and change consultations.

Everyone signed in reads the results; free text is read only by CSP admins (who code it
and decide what is publishable) unless an admin has marked an answer publishable. Admins
alone record consultations, import responses, code answers and feed indicators.
"""

from __future__ import annotations

import rules

from accounts.rules import add_admin_only_model_perms, is_csp_admin, is_signed_in

rules.add_perm("consultations.view_results", is_signed_in)
rules.add_perm("consultations.manage", is_csp_admin)
rules.add_perm("consultations.read_free_text", is_csp_admin)
add_admin_only_model_perms(
    "consultations",
    ["consultation", "question", "option", "ward", "themetag", "columnmapping", "responseimport", "indicatorfeed"],
)
