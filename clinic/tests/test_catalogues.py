"""The translation catalogues are well formed: branches append entries, and a merge keeps both."""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings

CATALOGUES = sorted(
    path
    for path in Path(settings.BASE_DIR).glob("**/locale/*/LC_MESSAGES/*.po")
    if ".venv" not in path.parts
)


@pytest.mark.parametrize(
    "path", CATALOGUES, ids=lambda path: str(path.relative_to(settings.BASE_DIR))
)
def test_no_message_is_defined_twice(path: Path) -> None:
    polib.pofile(str(path), check_for_duplicates=True)  # raises ValueError on a duplicate


@pytest.mark.parametrize(
    "path", CATALOGUES, ids=lambda path: str(path.relative_to(settings.BASE_DIR))
)
def test_every_plural_has_the_languages_number_of_forms(path: Path) -> None:
    catalogue = polib.pofile(str(path))
    nplurals = int(re.search(r"nplurals\s*=\s*(\d+)", catalogue.metadata["Plural-Forms"])[1])
    short = [
        entry.msgid
        for entry in catalogue
        if entry.msgid_plural and not entry.obsolete and len(entry.msgstr_plural) != nplurals
    ]
    assert short == []
