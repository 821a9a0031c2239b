"""The portal-wide pages: health check, accessibility statement and charts (names not namespaced)."""

from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("accessibility/", views.accessibility, name="accessibility"),
    path("charts/<str:key>.svg", views.chart, name="chart"),
    path("healthz", views.healthz, name="healthz"),
    path("healthz/worker", views.healthz_worker, name="healthz_worker"),
    path("session/extend", views.session_extend, name="session_extend"),
]
