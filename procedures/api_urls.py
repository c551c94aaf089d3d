"""Catalogue and screening API under /api/v1/."""

from django.urls import path

from . import api

urlpatterns = [
    path("procedures/", api.ProcedureListView.as_view(), name="api-procedure-list"),
    path("procedures/<slug:slug>/", api.ProcedureDetailView.as_view(), name="api-procedure-detail"),
    path("screening/", api.ScreeningView.as_view(), name="api-screening"),
]
