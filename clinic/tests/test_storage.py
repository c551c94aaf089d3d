"""STORAGE_URL: a private folder by default, a private S3-compatible bucket when named."""

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.utils.module_loading import import_string
from moto import mock_aws

from clinic.storage import default_storage_from_url


def test_no_storage_url_is_the_private_local_folder(tmp_path: Path) -> None:
    entry = default_storage_from_url("", media_root=tmp_path)
    assert entry == {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path), "base_url": "/media-not-public/"},
    }
    assert default_storage_from_url("file:///srv/clinic/media", media_root=tmp_path)["OPTIONS"][
        "location"
    ] == ("/srv/clinic/media")


def test_an_s3_url_names_a_private_bucket_with_short_lived_signed_urls(tmp_path: Path) -> None:
    entry = default_storage_from_url(
        "s3://clinic-files/portal/media?endpoint_url=https://s3.example.net&region_name=ru-1",
        media_root=tmp_path,
        signed_url_seconds=45,
    )
    assert entry["BACKEND"] == "storages.backends.s3.S3Storage"
    assert entry["OPTIONS"] == {
        "bucket_name": "clinic-files",
        "location": "portal/media",
        "default_acl": "private",
        "querystring_auth": True,
        "querystring_expire": 45,
        "file_overwrite": False,
        "signature_version": "s3v4",
        "endpoint_url": "https://s3.example.net",
        "region_name": "ru-1",
    }


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("ftp://files/photos", "must start with file:// or s3://"),
        ("s3:///photos", "names no bucket"),
        ("s3://bucket?access_key=AKIA", "unknown options: access_key"),
    ],
)
def test_a_wrong_storage_url_stops_the_start(url: str, says: str, tmp_path: Path) -> None:
    with pytest.raises(ImproperlyConfigured, match=says):
        default_storage_from_url(url, media_root=tmp_path)


@mock_aws
def test_files_in_the_bucket_are_private_and_their_urls_expire(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="clinic-files")
    entry = default_storage_from_url(
        "s3://clinic-files/media?region_name=us-east-1", media_root=tmp_path
    )
    storage = import_string(entry["BACKEND"])(**entry["OPTIONS"])

    name = storage.save("patient-photos/a.jpg", ContentFile(b"\xff\xd8\xff pixels"))
    assert storage.save("patient-photos/a.jpg", ContentFile(b"another")) != name
    with storage.open(name) as handle:
        assert handle.read() == b"\xff\xd8\xff pixels"
    grants = s3.get_object_acl(Bucket="clinic-files", Key=f"media/{name}")["Grants"]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]  # the owner only
    assert all("URI" not in grant["Grantee"] for grant in grants)  # no AllUsers grant
    query = parse_qs(urlsplit(storage.url(name)).query)
    assert query["X-Amz-Expires"] == ["60"]
