"""The patient's session-photo pages (namespace `my-photos`)."""

from django.urls import path

from . import patient_views

app_name = "my-photos"
urlpatterns = [
    path("me/photos/compare/", patient_views.my_comparison, name="compare"),
]
