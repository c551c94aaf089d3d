"""The public catalogue pages: the list and its filters, a procedure, the scar-type guide."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from procedures.catalogue_data import CATALOGUE, CATALOGUE_BY_SLUG
from procedures.models import Procedure

from .factories import ProcedureFactory

pytestmark = pytest.mark.django_db

LIST = reverse("procedures:list")
GUIDE = reverse("procedures:scar-guide")


def detail(slug: str) -> str:
    return reverse("procedures:detail", args=[slug])


def listed_slugs(html: str) -> list[str]:
    return re.findall(r'href="/procedures/([a-z0-9-]+)/" class="stretched-link"', html)


def test_urls_are_where_the_layout_expects_them() -> None:
    assert LIST == "/procedures/"
    assert GUIDE == "/procedures/scar-types/"
    assert detail("tca-peel") == "/procedures/tca-peel/"


def test_the_list_shows_every_active_procedure_to_anyone(client: Client) -> None:
    Procedure.objects.filter(slug="phenol-peel").update(is_active=False)
    response = client.get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert listed_slugs(html) == [e.slug for e in CATALOGUE if e.slug != "phenol-peel"]
    assert "Hyaluronic acid filler" in html
    assert "from 22,000 RUB" in html


def test_the_list_filters_by_category(client: Client) -> None:
    html = client.get(LIST, {"category": "peel"}).content.decode()
    assert listed_slugs(html) == [
        "glycolic-peel",
        "salicylic-peel",
        "tca-peel",
        "phenol-peel",
        "tca-cross",
    ]
    assert '<option value="peel" selected>' in html


@pytest.mark.parametrize("scar_type", ["icepick", "keloid", "macular", "hypertrophic"])
def test_the_list_filters_by_scar_type(client: Client, scar_type: str) -> None:
    html = client.get(LIST, {"scar_type": scar_type}).content.decode()
    expected = [e.slug for e in CATALOGUE if scar_type in e.indicated_scar_types]
    assert listed_slugs(html) == expected
    assert expected  # every type is treated by something, if only the consultation


def test_both_filters_combine(client: Client) -> None:
    html = client.get(LIST, {"category": "peel", "scar_type": "icepick"}).content.decode()
    assert listed_slugs(html) == ["tca-cross"]
    none = client.get(LIST, {"category": "filler", "scar_type": "icepick"}).content.decode()
    assert listed_slugs(none) == []
    assert "No procedure matches these filters." in none


def test_an_unknown_filter_value_is_explained_and_shows_everything(client: Client) -> None:
    response = client.get(LIST, {"scar_type": "dimple"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Select a valid choice" in html
    assert len(listed_slugs(html)) == 26


def test_the_list_costs_the_same_queries_for_1_and_50_procedures(
    client: Client, django_assert_num_queries: Any
) -> None:
    Procedure.objects.all().delete()
    ProcedureFactory()
    with django_assert_num_queries(1) as one:
        assert len(listed_slugs(client.get(LIST).content.decode())) == 1
    ProcedureFactory.create_batch(49)
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(listed_slugs(client.get(LIST).content.decode())) == 50


def test_a_procedure_page_says_what_it_treats_and_how_it_goes(client: Client) -> None:
    response = client.get(detail("tca-peel"))
    assert response.status_code == 200
    html = response.content.decode()
    entry = CATALOGUE_BY_SLUG["tca-peel"]
    assert re.search(rf"<h1[^>]*>{re.escape(entry.name_en)}</h1>", html)
    assert f'href="{GUIDE}#rolling">Rolling scars</a>' in html
    assert f'href="{GUIDE}#macular">Post-acne marks</a>' in html
    assert "1 to 3 sessions." in html
    assert "At least 90 days between sessions." in html
    assert "About 60 minutes." in html
    assert entry.downtime_en in html
    assert "from 9,000 RUB" in html
    assert entry.precare_en.replace("'", "&#x27;") in html
    assert entry.aftercare_en.replace("'", "&#x27;") in html


def test_who_it_is_not_for_in_plain_words(client: Client) -> None:
    html = client.get(detail("tca-peel")).content.decode()
    not_possible = re.search(r'<ul class="not-possible">(.*?)</ul>', html, re.S).group(1)
    review = re.search(r'<ul class="needs-review">(.*?)</ul>', html, re.S).group(1)
    assert "<li>Rosacea</li>" in not_possible
    assert "<li>Isotretinoin in the last 6 months</li>" in not_possible
    assert "Recent retinoid or acid products: stop them 7 days before" in not_possible
    assert "<li>Pregnancy</li>" in review
    assert "<li>Possible pregnancy</li>" in review
    assert "<li>Phototype IV to VI</li>" in review
    # History and scar-type rules are not about the person: the course facts cover them.
    for hidden in ("Too soon after the last session", "Course complete", "Scar type not"):
        assert hidden not in not_possible + review


def test_the_consultation_is_for_everyone(client: Client) -> None:
    html = client.get(detail("consultation")).content.decode()
    assert "Anyone may come: nothing rules this out." in html
    assert "A single visit." in html
    assert "from 2,000 RUB" in html


@pytest.mark.parametrize(
    ("slug", "course"),
    [
        ("hyaluronic-filler", "1 session. It can be repeated later, when the effect fades."),
        ("collagen-injection", "Repeated when needed; there is no fixed course."),
        ("punch-excision", "At least 1 session."),
        ("glycolic-peel", "2 to 8 sessions."),
    ],
)
def test_courses_read_naturally(client: Client, slug: str, course: str) -> None:
    assert course in client.get(detail(slug)).content.decode()


def test_an_unknown_or_hidden_procedure_is_not_found(client: Client) -> None:
    assert client.get(detail("laser-tattoo")).status_code == 404
    Procedure.objects.filter(slug="tca-peel").update(is_active=False)
    assert client.get(detail("tca-peel")).status_code == 404


def test_a_procedure_page_in_russian(client: Client) -> None:
    response = client.get(detail("tca-peel"), headers={"accept-language": "ru"})
    html = response.content.decode()
    entry = CATALOGUE_BY_SLUG["tca-peel"]
    assert '<html lang="ru">' in html
    assert entry.name_ru in html
    assert entry.description_ru in html
    assert "от 9\xa0000 ₽" in html
    assert "Кому процедура не подходит" in html
    assert "Розацеа" in html
    assert "От 1 до 3 процедур." in html
    assert "Округлые (волнообразные) рубцы" in html


def test_the_list_in_russian(client: Client) -> None:
    html = client.get(LIST, {"category": "laser"}, headers={"accept-language": "ru"}).content
    text = html.decode()
    assert "Лазерные процедуры" in text
    assert "от 25\xa0000 ₽" in text
    assert CATALOGUE_BY_SLUG["laser-resurfacing"].name_ru in text


def test_the_scar_guide_explains_seven_types_with_drawings_and_links(client: Client) -> None:
    response = client.get(GUIDE)
    assert response.status_code == 200
    html = response.content.decode()
    sections = re.findall(r'<section id="([a-z_]+)"', html)
    assert sections == [
        "icepick",
        "rolling",
        "boxcar_shallow",
        "boxcar_deep",
        "hypertrophic",
        "keloid",
        "macular",
    ]
    assert html.count("<svg") == 7
    assert html.count('role="img"') == 7
    assert "Cross-section of the skin: Icepick scars" in html
    icepick = html.split('<section id="icepick"')[1].split("</section>")[0]
    for slug in ("tca-cross", "punch-excision", "oxygen-injections", "phototherapy"):
        assert f'href="{detail(slug)}"' in icepick
    assert 'href="/procedures/glycolic-peel/"' not in icepick
    assert f'href="{LIST}?scar_type=icepick"' in icepick


def test_the_scar_guide_in_russian(client: Client) -> None:
    html = client.get(GUIDE, headers={"accept-language": "ru"}).content.decode()
    assert "Выколотые (V-образные) рубцы" in html
    assert "Срез кожи" in html


@pytest.mark.parametrize("url", [LIST, GUIDE, detail("tca-peel"), detail("hyaluronic-filler")])
def test_pages_carry_no_inline_style_or_script(client: Client, url: str) -> None:
    html = client.get(url).content.decode()
    assert "style=" not in html
    assert "<style" not in html
    assert re.search(r"<script(?![^>]*\bsrc=)", html) is None


def test_the_home_page_links_to_the_catalogue_and_the_guide(client: Client) -> None:
    html = client.get("/").content.decode()
    assert f'href="{LIST}"' in html
    assert f'href="{GUIDE}"' in html
