"""What `make run` does after migrating: load the demo clinic and say where to go.

The demo (`seed_demo`) belongs to the patients app, which the clinic never imports: it is
called by its name, and prints the logins to try itself.
"""

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Load the demo clinic and print where to go and how to log in."

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("seed_demo", stdout=self.stdout)
        port = settings.PORT
        mail = settings.EMAIL_URL or settings.EMAIL_FILE_PATH
        self.stdout.write(
            "\n"
            f"  The portal starts at http://127.0.0.1:{port}/  (health: /health/, admin: /admin/)\n"
            f"  E-mails go to {mail}\n"
            "  Ctrl-C stops the web server, the worker and beat.\n"
        )
