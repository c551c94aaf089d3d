from axes.apps import AppConfig as AxesConfig
from django.apps import AppConfig
from django.db import connections
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate, pre_save
from django.utils.translation import gettext_lazy as _

from clinic.periodic import sync_periodic_jobs
from clinic.search import register_sqlite_functions
from clinic.tokens import revoke_tokens_on_new_password


class ClinicConfig(AppConfig):
    default = True
    name = "clinic"
    verbose_name = _("Clinic")

    def ready(self) -> None:
        # Case-insensitive search in every alphabet on SQLite too (clinic/search.py).
        connection_created.connect(register_sqlite_functions, dispatch_uid="clinic.sqlite_lower")
        # Beat gets a row for every periodic job declared in code (clinic/periodic.py).
        post_migrate.connect(sync_periodic_jobs, sender=self, dispatch_uid="clinic.periodic")
        # API tokens end with the password, however it is set (clinic/authentication.py).
        pre_save.connect(
            revoke_tokens_on_new_password,
            sender=self.get_model("User"),
            dispatch_uid="clinic.revoke_tokens_on_new_password",
        )
        # An app that came first may already have opened a connection.
        for connection in connections.all(initialized_only=True):
            if connection.connection is not None:
                register_sqlite_functions(sender=None, connection=connection)


class SignInLogConfig(AxesConfig):
    """django-axes under the name a manager looks for in the admin: "Sign-in log", not "Axes"."""

    verbose_name = _("Sign-in log")
