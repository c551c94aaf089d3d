from django.urls import path

from patients.messaging import views

urlpatterns = [
    path("sms/status/<str:token>/", views.sms_status_callback, name="sms-status-callback"),
]
