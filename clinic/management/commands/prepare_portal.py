"""What `make run` does after migrating: load the demo clinic and say where to go."""

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from .seed_demo import patient_logins, staff_logins


class Command(BaseCommand):
    help = "Load the demo clinic and print where to go and how to log in."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--logins-only", action="store_true", help="Only print where to go and the logins."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["logins_only"]:
            call_command("seed_demo", no_login_list=True, stdout=self.stdout)
        mail = settings.EMAIL_URL or settings.EMAIL_FILE_PATH
        portal = settings.PORTAL_URL.rstrip("/")
        logins = "".join(
            f"    {email:<26} {note}\n" for email, note in [*staff_logins(), *patient_logins()]
        )
        self.stdout.write(
            "\n"
            f"  The portal is at {portal}/  (health: /health/, admin: /admin/)\n"
            f"  Demo logins use the password: {settings.DEMO_PASSWORD}\n"
            f"{logins}"
            f"  E-mails go to {mail}\n"
            "  Ctrl-C (or `make stop` elsewhere) stops the web server, the worker and beat.\n"
        )
