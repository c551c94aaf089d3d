"""Patient-side API under /api/v1/: token, availability, appointments."""

from django.urls import path

from patients.booking import api

urlpatterns = [
    path("auth/token/", api.TokenView.as_view(), name="api-token"),
    path("availability/", api.AvailabilityView.as_view(), name="api-availability"),
    path("appointments/", api.AppointmentListView.as_view(), name="api-appointment-list"),
    path(
        "appointments/<int:pk>/cancel/",
        api.AppointmentCancelView.as_view(),
        name="api-appointment-cancel",
    ),
    path(
        "appointments/<int:pk>/move/",
        api.AppointmentMoveView.as_view(),
        name="api-appointment-move",
    ),
]
