from axes.apps import AppConfig as AxesConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = _("Clinic")


class SignInLogConfig(AxesConfig):
    """django-axes under the name a manager looks for in the admin: "Sign-in log", not "Axes"."""

    verbose_name = _("Sign-in log")
