"""The patient's outcome pages (included in the `patients` namespace)."""

from django.urls import path

from patients.records.outcomes import progress_views

urlpatterns = [
    path("a/<str:token>/", progress_views.self_assessment, name="self-assessment"),
    path("me/progress/", progress_views.my_progress, name="progress"),
]
