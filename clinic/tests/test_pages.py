"""The home page and the layout every page shares."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_home_page_says_what_the_clinic_treats(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "post-acne scars" in html
    assert "/static/vendor/bootstrap/bootstrap.min.css" in html
    assert "only a doctor can diagnose" in html.lower() or "Only a doctor can diagnose" in html
    assert "cdn" not in html.lower()


def test_home_page_in_russian(client: Client) -> None:
    response = client.get("/", headers={"accept-language": "ru"})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="ru">' in html
    assert "постакне" in html.lower()


def test_language_switcher_remembers_the_choice(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "ru", "next": "/"})
    assert response.status_code == 302
    assert '<html lang="ru">' in client.get("/").content.decode()


def test_every_page_carries_a_strict_content_security_policy(client: Client) -> None:
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy


def test_api_docs_page_loads_only_local_files(client: Client) -> None:
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "https://" not in html


def test_the_favicon_is_served(client: Client) -> None:
    response = client.get("/favicon.ico")

    assert response.status_code == 200
    assert response["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    icon = b"".join(response.streaming_content)
    assert icon[:4] == b"\x00\x00\x01\x00"  # the ICO header
    assert len(icon) < 10_000
