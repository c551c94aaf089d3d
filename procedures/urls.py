"""Public catalogue pages (namespace `procedures`)."""

from django.urls import path

from . import views

app_name = "procedures"
urlpatterns = [
    path("", views.procedure_list, name="list"),
    # Before the <slug> pattern, so "scar-types" is never taken for a procedure.
    path("scar-types/", views.scar_guide, name="scar-guide"),
    path("<slug:slug>/", views.procedure_detail, name="detail"),
    path("<slug:slug>/check/", views.candidate_check, name="candidate-check"),
]
