from __future__ import annotations

from django.urls import include, path

from . import people, views

app_name = "priorities"

urlpatterns = [
    path("", views.partnership_list, name="partnerships"),
    path(
        "<slug:partnership>/",
        include(
            [
                path("", views.home, name="home"),
                path("priorities/<int:pk>/", views.priority_detail, name="priority"),
                path("people/", people.members, name="people"),
                path("people/invite/", people.invite, name="people_invite"),
                path("people/invite/file/", people.bulk_invite, name="people_bulk"),
                path("people/<int:pk>/remove/", people.deactivate, name="people_remove"),
                path("glossary/", views.glossary, name="glossary"),
                path("plan/revisions/", views.revision_list, name="revisions"),
                path("plan/revisions/new/", views.revision_new, name="revision_new"),
                path("plan/revisions/<int:pk>/", views.revision_detail, name="revision"),
                path(
                    "plan/revisions/<int:pk>/priorities/<slug:key>/", views.revision_priority, name="revision_priority"
                ),
            ]
        ),
    ),
]
