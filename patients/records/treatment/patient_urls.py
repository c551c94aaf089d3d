"""The patient's pages of the treatment record (namespace `my-treatment`)."""

from django.urls import path

from . import patient_views

app_name = "my-treatment"
urlpatterns = [
    path("me/appointments/<int:pk>/problem/", patient_views.report_problem, name="report-problem"),
]
