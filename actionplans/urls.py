from __future__ import annotations

from django.urls import include, path, register_converter

from core.converters import choice_converter

from . import views

register_converter(choice_converter("csv", "xlsx"), "export_format")

app_name = "actionplans"

urlpatterns = [
    path("my-actions/", views.my_actions, name="my_actions"),
    path("whats-due/", views.whats_due_view, name="whats_due"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path(
        "<slug:partnership>/",
        include(
            [
                path("action-plans/", views.plan_list, name="plans"),
                path("action-plans/<int:pk>/", views.plan_detail, name="plan"),
                path("action-plans/carry-forward/", views.carry_forward, name="carry_forward"),
                path("action-plans/<int:plan_pk>/actions/new/", views.action_create, name="action_create"),
                path("action-plans/<int:pk>/import/", views.plan_import, name="import"),
                path("action-plans/<int:pk>/actions.<export_format:fmt>", views.plan_export, name="export"),
                path("actions/<int:pk>/", views.action_detail, name="action"),
                path("actions/<int:pk>/history/", views.action_history_view, name="action_history"),
                path("actions/<int:pk>/edit/", views.action_edit, name="action_edit"),
                path("actions/<int:pk>/milestones/new/", views.milestone_create, name="milestone_create"),
                path("milestones/<int:pk>/edit/", views.milestone_edit, name="milestone_edit"),
                path("actions/<int:pk>/updates/<int:period_pk>/", views.update_form, name="update"),
                path(
                    "actions/<int:pk>/updates/<int:period_pk>/reopen/", views.update_reopen_view, name="update_reopen"
                ),
                path("reviews/", views.review_list, name="reviews"),
                # The plan revision's steps that act on actions (its other pages are priorities').
                path("plan/revisions/<int:pk>/decisions/", views.revision_decisions, name="revision_decisions"),
                path("plan/revisions/<int:pk>/publish/", views.revision_publish_view, name="revision_publish"),
                path("updates/<int:pk>/review/", views.update_review_view, name="update_review"),
            ]
        ),
    ),
]
