"""What `make run` does after migrating: load the demo clinic and say where to go.

The demo (`seed_demo`) belongs to the patients app, which the clinic never imports: it is
called by its name, and prints the logins to try itself.
"""

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


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
        texts = settings.SMS_URL or settings.SMS_FILE_PATH
        portal = settings.PORTAL_URL.rstrip("/")
        start, end = settings.SMS_QUIET_HOURS
        self.stdout.write(f"\n  The portal is at {portal}/  (health: /health/, admin: /admin/)")
        call_command("seed_demo", logins_only=True, stdout=self.stdout)
        self.stdout.write(
            f"  E-mails go to {mail}\n"
            f"  Text messages go to {texts} (none between {start} and {end} clinic time)\n"
            "  Ctrl-C (or `make stop` elsewhere) stops the web server, the worker and beat.\n"
        )
