from __future__ import annotations

from django.urls import path, register_converter

from core.converters import choice_converter

from . import views

register_converter(choice_converter("csv", "xlsx"), "results_format")

app_name = "consultations"

urlpatterns = [
    path("", views.consultation_list, name="list"),
    path("<slug:slug>/", views.consultation_detail, name="consultation"),
    path("<slug:slug>/questions/<int:number>/", views.question_detail, name="question"),
    path("<slug:slug>/questions/<int:number>/coding/", views.coding, name="coding"),
    path("<slug:slug>/results.<results_format:fmt>", views.results_export, name="export"),
    path("<slug:slug>/import/", views.import_upload, name="import"),
    path("<slug:slug>/import/<int:pk>/", views.import_map, name="import_map"),
    path("<slug:slug>/feed/", views.feed, name="feed"),
]
