from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

handler500 = "core.views.server_error"

urlpatterns = [
    path("", include("priorities.urls")),
    path("", include("actionplans.urls")),
    path("", include("reports.urls")),
    path("consultations/", include("consultations.urls")),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("", include("core.urls")),
]
