from __future__ import annotations

from django.urls import include, path, register_converter

from core.converters import choice_converter

from . import views

register_converter(choice_converter("pdf", "xlsx", "html", "docx"), "report_format")
register_converter(choice_converter("summary", "recommendations", "decisions"), "paper_part")

app_name = "reports"

urlpatterns = [
    path(
        "<slug:partnership>/",
        include(
            [
                path("dashboard/", views.dashboard, name="dashboard"),
                path("dashboard/priorities/<int:pk>/", views.priority, name="priority"),
                path("dashboard/exceptions/", views.exceptions, name="exceptions"),
                path("dashboard/indicators/<int:pk>/", views.indicator, name="indicator"),
                path("reports/", views.archive, name="archive"),
                path("reports/compile/", views.report_compile_view, name="compile"),
                path("reports/paper/<int:period>/", views.paper, name="paper"),
                path("reports/paper/<int:period>/meeting/", views.paper_meeting, name="paper_meeting"),
                path(
                    "reports/paper/<int:period>/commentary/<int:priority>/",
                    views.paper_part,
                    {"part": "commentary"},
                    name="paper_commentary",
                ),
                path("reports/paper/<int:period>/<paper_part:part>/", views.paper_part, name="paper_part"),
                path("reports/<int:pk>/", views.report_detail, name="report"),
                path("reports/<int:pk>/publish/", views.report_publish_view, name="publish"),
                path("reports/<int:pk>/status.json", views.report_status, name="status"),
                path("reports/<int:pk>/download.<report_format:fmt>", views.report_download, name="download"),
            ]
        ),
    ),
]
