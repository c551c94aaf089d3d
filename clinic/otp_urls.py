"""The staff's second factor: set up a TOTP device, verify a session."""

from django.contrib import admin
from django.urls import path

from . import staff_security

urlpatterns = [
    path("setup/", admin.site.admin_view(staff_security.otp_setup), name="staff-otp-setup"),
    path("verify/", admin.site.admin_view(staff_security.otp_verify), name="staff-otp-verify"),
]
