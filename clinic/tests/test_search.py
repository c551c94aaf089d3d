"""Search helpers: names in any case and alphabet, phones in any spelling."""

from typing import Any

import pytest
from django.db import connection

from clinic.models import User
from clinic.search import as_e164, contains_text, phone_matches

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "query",
    [
        "9165551234",
        "89165551234",
        "+79165551234",
        "8 916 555 12 34",
        "+7 (916) 555-12-34",
        "8-916-555-12-34",
    ],
)
def test_any_spelling_of_a_number_reads_as_e164(query: str) -> None:
    assert as_e164(query) == "+79165551234"


@pytest.mark.parametrize("query", ["", "Петрова", "111-11", "916 555", "alice@example.test"])
def test_what_is_not_one_number_is_text(query: str) -> None:
    assert as_e164(query) is None


def test_the_region_comes_from_the_setting(settings: Any) -> None:
    settings.PHONENUMBER_DEFAULT_REGION = "DE"
    assert as_e164("030 1234567") == "+49301234567"
    assert as_e164("+7 916 555 12 34") == "+79165551234"


@pytest.mark.parametrize("word", ["петрова", "ПЕТРОВА", "Петр", "trova", "PETR"])
def test_names_match_whatever_their_case_and_alphabet(word: str) -> None:
    cyrillic = User.objects.create(email="p@example.test", last_name="Петрова")
    latin = User.objects.create(email="q@example.test", last_name="Petrova")

    found = set(User.objects.filter(contains_text("last_name", word)))

    assert found == ({cyrillic} if word.lower().startswith("п") else {latin})
    # The point of the helper: the database's own LIKE (SQLite) folds ASCII only.
    if connection.vendor == "sqlite" and word == "петрова":
        assert not User.objects.filter(last_name__icontains=word).exists()


def test_a_phone_query_matches_the_number_or_its_digits() -> None:
    full = User.objects.create(email="p@example.test", phone="8 916 555 12 34")
    other = User.objects.create(email="q@example.test", phone="+7 900 123-45-55")

    def found(query: str) -> set[User]:
        match = phone_matches("phone", query)
        assert match is not None
        return set(User.objects.filter(match))

    assert found("+7 (916) 555-12-34") == {full}
    assert found("555-12") == {full}
    assert found("555") == {full, other}
    assert phone_matches("phone", "Петрова 555") is None
    assert phone_matches("phone", "") is None
