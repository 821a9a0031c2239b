from __future__ import annotations

from django.urls import include, path

from . import views

app_name = "priorities"

urlpatterns = [
    path("", views.partnership_list, name="partnerships"),
    path(
        "<slug:partnership>/",
        include(
            [
                path("", views.home, name="home"),
                path("priorities/<int:pk>/", views.priority_detail, name="priority"),
                path("glossary/", views.glossary, name="glossary"),
            ]
        ),
    ),
]
