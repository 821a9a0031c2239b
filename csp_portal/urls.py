from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

handler500 = "core.views.server_error"

# The portal's own addresses first; every other first part of a path is a partnership's
# slug (see priorities.models.RESERVED_SLUGS).
urlpatterns = [
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("", include("core.urls")),
    path("", include("actionplans.urls")),  # first: its My actions is portal-wide
    path("", include("priorities.urls")),
    path("", include("reports.urls")),
    path("<slug:partnership>/consultations/", include("consultations.urls")),
]
