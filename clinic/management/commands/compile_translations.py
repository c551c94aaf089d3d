"""Compile every .po catalogue of the project to .mo, in pure Python (no GNU gettext needed)."""

from pathlib import Path
from typing import Any

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile the project's translation catalogues (.po -> .mo)."

    def handle(self, *args: Any, **options: Any) -> None:
        compiled = 0
        for po_path in sorted(Path(settings.BASE_DIR).glob("**/locale/*/LC_MESSAGES/*.po")):
            if ".venv" in po_path.parts:
                continue
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            # A msgid twice (two branches adding the same entry) fails here, not at run time.
            polib.pofile(str(po_path), check_for_duplicates=True).save_as_mofile(str(mo_path))
            compiled += 1
        self.stdout.write(f"Translations compiled: {compiled} catalogue(s) updated.")
