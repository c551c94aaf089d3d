"""The Russian edition is complete: no catalogue holds an empty or fuzzy entry."""

from pathlib import Path

import polib
import pytest
from django.conf import settings

CATALOGUES = sorted(
    path
    for path in Path(settings.BASE_DIR).glob("**/locale/ru/LC_MESSAGES/*.po")
    if ".venv" not in path.parts
)


def test_there_are_russian_catalogues() -> None:
    assert Path(settings.BASE_DIR, "locale/ru/LC_MESSAGES/django.po") in CATALOGUES


@pytest.mark.parametrize(
    "catalogue", CATALOGUES, ids=lambda p: str(p.relative_to(settings.BASE_DIR))
)
def test_catalogue_is_fully_translated(catalogue: Path) -> None:
    po = polib.pofile(str(catalogue))
    assert po.metadata.get("Language") == "ru"
    assert not po.metadata_is_fuzzy, "the header is marked fuzzy"
    untranslated = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    assert untranslated == [], f"untranslated in {catalogue.name}: {untranslated[:10]}"
    assert fuzzy == [], f"fuzzy in {catalogue.name}: {fuzzy[:10]}"
