"""Where the portal's stored files live: `STORAGE_URL` picks the default storage of `STORAGES`.

Every stored file (patients' photos and their thumbnails, and the uploads waiting
for the worker) is written and read through Django's default storage, never a
path on the disk, so two or more web servers and the workers share them:

- unset, or `file:///some/folder`: a private folder (`VAR_DIR/media` by default).
  Good for one host; every process on it shares the folder.
- `s3://bucket/optional/prefix?endpoint_url=https://s3.example.net&region_name=ru-1`:
  a private S3-compatible bucket through django-storages. The key pair comes from
  `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` (boto3 reads them itself), never
  from the URL, so the URL can be logged. `addressing_style=path` suits servers
  without virtual-host buckets (MinIO, moto).

Files are never public: objects are written with the `private` ACL, the storage
gives no public address, and the portal serves a file only from a view that first
checks who is asking (it streams the object through). Should anything ask the
storage for a URL, it is signed and expires after `STORAGE_SIGNED_URL_SECONDS`.

Consent documents and the patient's data export are not stored: they are made from
the database when asked for, so they need no shared disk either.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.core.exceptions import ImproperlyConfigured

# Query parameters of an s3:// STORAGE_URL handed to django-storages as they are.
_S3_OPTIONS = ("endpoint_url", "region_name", "addressing_style", "signature_version")
# Not a public address: files are only ever served by the access-checked views.
PRIVATE_BASE_URL = "/media-not-public/"


def default_storage_from_url(
    url: str, *, media_root: Path, signed_url_seconds: int = 60
) -> dict[str, Any]:
    """The `STORAGES["default"]` entry for a STORAGE_URL (empty: the local folder)."""
    if not url:
        return _folder(media_root)
    parts = urlsplit(url)
    if parts.scheme == "file":
        return _folder(Path(parts.path))
    if parts.scheme != "s3":
        raise ImproperlyConfigured(
            f"STORAGE_URL must start with file:// or s3://, not {parts.scheme or url!r}"
        )
    if not parts.netloc:
        raise ImproperlyConfigured("STORAGE_URL names no bucket (s3://bucket/prefix).")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    unknown = sorted(set(query) - set(_S3_OPTIONS))
    if unknown:
        raise ImproperlyConfigured(f"STORAGE_URL has unknown options: {', '.join(unknown)}")
    options: dict[str, Any] = {
        "bucket_name": parts.netloc,
        "location": parts.path.strip("/"),
        "default_acl": "private",
        "querystring_auth": True,
        "querystring_expire": signed_url_seconds,
        # Random names are never reused; an existing name is never overwritten.
        "file_overwrite": False,
        # Signed URLs of the current scheme (every S3-compatible server takes it).
        "signature_version": "s3v4",
    }
    options.update(query)
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


def _folder(root: Path) -> dict[str, Any]:
    return {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(root), "base_url": PRIVATE_BASE_URL},
    }
