"""Create any catalogue procedure missing from the database; never overwrite staff edits."""

from typing import Any

from django.core.management.base import BaseCommand

from procedures.services import load_catalogue


class Command(BaseCommand):
    help = (
        "Create the catalogue's procedures (with their rules) that are missing from the "
        "database. Existing procedures are left exactly as staff edited them."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        created = load_catalogue()
        if created:
            names = ", ".join(procedure.slug for procedure in created)
            self.stdout.write(f"Catalogue: created {len(created)} procedure(s): {names}.")
        else:
            self.stdout.write("Catalogue: every procedure is already there.")
