"""Checking and cleaning uploaded photos with Pillow, before anything is stored.

Rules (the photos part of the patients issue):
- Only JPEG, PNG and WebP are accepted, decided by the file's content (Pillow
  identifies and verifies it), never by its name or the browser's claim.
- At most `settings.PHOTO_MAX_BYTES` bytes and `settings.PHOTO_MAX_PIXELS`
  pixels. Pillow's decompression-bomb warning is treated as an error: a small
  file that unpacks into a huge image is refused before it is decoded.
- The picture is turned upright from its EXIF orientation, then re-encoded
  from raw pixels only, so EXIF (GPS included), XMP, ICC and text chunks are
  all gone from what is stored.
- A JPEG thumbnail (at most `THUMBNAIL_SIZE`) is made for lists and
  comparisons.
- At most `settings.PHOTO_DECODE_MAX_PIXELS` pixels are ever decoded at once, so
  a worker's memory is bounded whatever arrives: a larger JPEG is decoded
  already scaled down by its decoder (`draft`: 1/2, 1/4 or 1/8, the largest
  scale that fits), and a larger PNG or WebP (whose decoders cannot scale) is
  refused. What is stored is that decoded picture, so it is never larger either.

`probe_image()` is the cheap part the upload request runs (the header and the
file's structure, no pixels decoded); `clean_image()` decodes and re-encodes,
in the Celery worker (patients.records.tasks). Both are pure (bytes in, bytes
out); storing is the service's job.
"""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Final

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from procedures.errors import DomainError, lazy_interpolate

ACCEPTED_FORMATS: Final = ("JPEG", "PNG", "WEBP")
EXTENSIONS: Final = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
THUMBNAIL_SIZE: Final = (480, 480)


class ImageRejected(DomainError):
    """The upload is not a photo we accept; `code` says why, `message` tells the person."""

    code = "invalid_image"

    def __init__(self, message: str | Promise, *, code: str) -> None:
        super().__init__(message, code=code, field="image")


@dataclass(frozen=True)
class ProbedImage:
    """What the header says: the upload's bytes, its format and its size in pixels."""

    data: bytes
    image_format: str
    width: int
    height: int


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    image_format: str
    width: int
    height: int
    thumbnail: bytes

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.image_format]


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f}"


def _read_limited(upload: IO[bytes], max_bytes: int) -> bytes:
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise _too_large(max_bytes)
    if hasattr(upload, "seek"):
        upload.seek(0)
    # Read one byte past the limit: a size the client lied about is still caught.
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _too_large(max_bytes)
    if not data:
        raise ImageRejected(_("The file is empty."), code="empty_file")
    return data


def _too_large(max_bytes: int) -> ImageRejected:
    return ImageRejected(
        lazy_interpolate(
            _("The file is too large: at most %(mb)s MB, please."), {"mb": _megabytes(max_bytes)}
        ),
        code="file_too_large",
    )


def _too_many_pixels(max_pixels: int) -> ImageRejected:
    return ImageRejected(
        lazy_interpolate(
            _("The picture is too large: at most %(mp)s megapixels, please."),
            {"mp": f"{max_pixels / 1_000_000:.0f}"},
        ),
        code="too_many_pixels",
    )


def _not_an_image() -> ImageRejected:
    return ImageRejected(
        _("This file is not a JPEG, PNG or WebP picture. Please choose a photo."),
        code="not_an_image",
    )


def _plain_pixels(image: Image.Image, image_format: str) -> Image.Image:
    """A new image holding only the pixels: no EXIF, XMP, ICC profile or text chunks."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    if image_format == "JPEG":
        mode = "L" if image.mode in ("L", "1") else "RGB"
    else:
        mode = "RGBA" if has_alpha else ("L" if image.mode in ("L", "1") else "RGB")
    converted = image.convert(mode)
    return Image.frombytes(mode, converted.size, converted.tobytes())


def _thumbnail(image: Image.Image) -> bytes:
    thumb = image.copy()
    thumb.thumbnail(THUMBNAIL_SIZE)
    if thumb.mode != "RGB":
        background = Image.new("RGB", thumb.size, "white")
        background.paste(thumb, mask=thumb.getchannel("A") if "A" in thumb.getbands() else None)
        thumb = background
    out = io.BytesIO()
    thumb.save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue()


def _draft_size(width: int, height: int, decode_max: int) -> tuple[int, int]:
    """The size to ask a JPEG decoder for so that what it decodes stays under `decode_max`.

    `draft` picks the largest reduction whose result is still at least the size
    asked for, so the result is less than twice the size asked for on each side:
    asking for half the side of `decode_max` pixels keeps it under `decode_max`.
    """
    scale = math.sqrt(decode_max / (width * height)) / 2
    return max(1, int(width * scale)), max(1, int(height * scale))


@contextmanager
def _decoding(max_pixels: int) -> Iterator[None]:
    """Pillow at work on an upload: its bomb check at `max_pixels`, its errors as ImageRejected."""
    # Pillow's bomb check reads this module-level limit; every upload sets it to
    # the clinic's, so another caller cannot leave it raised.
    Image.MAX_IMAGE_PIXELS = max_pixels
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            yield
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels(max_pixels) from None
        except ImageRejected:
            raise
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
            # Truncated or corrupt data surfaces as any of these from the decoders.
            raise _not_an_image() from None


def probe_image(
    upload: IO[bytes], *, max_bytes: int | None = None, max_pixels: int | None = None
) -> ProbedImage:
    """Check the size, the format and the structure of an upload without decoding its pixels."""
    max_bytes = max_bytes if max_bytes is not None else settings.PHOTO_MAX_BYTES
    max_pixels = max_pixels if max_pixels is not None else settings.PHOTO_MAX_PIXELS
    decode_max = settings.PHOTO_DECODE_MAX_PIXELS
    data = _read_limited(upload, max_bytes)
    with (
        _decoding(max_pixels),
        Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as probe,
    ):
        image_format, (width, height) = probe.format, probe.size
        probe.verify()
    if image_format not in ACCEPTED_FORMATS:
        raise _not_an_image()
    if width * height > max_pixels:
        raise _too_many_pixels(max_pixels)
    if image_format != "JPEG" and width * height > decode_max:
        # Only JPEG decoders scale down while decoding (see the module's docstring).
        raise _too_many_pixels(decode_max)
    return ProbedImage(data=data, image_format=image_format, width=width, height=height)


def clean_image(
    upload: IO[bytes], *, max_bytes: int | None = None, max_pixels: int | None = None
) -> CleanImage:
    """Check an uploaded file and return it re-encoded and upright, or raise ImageRejected."""
    probed = probe_image(upload, max_bytes=max_bytes, max_pixels=max_pixels)
    image_format = probed.image_format
    decode_max = settings.PHOTO_DECODE_MAX_PIXELS
    # verify() left the probed image unusable; a second open decodes it.
    with (
        _decoding(max_pixels if max_pixels is not None else settings.PHOTO_MAX_PIXELS),
        Image.open(io.BytesIO(probed.data), formats=ACCEPTED_FORMATS) as image,
    ):
        if image.format != image_format:
            raise _not_an_image()
        if image.width * image.height > decode_max:
            image.draft(image.mode, _draft_size(image.width, image.height, decode_max))
        image.load()
        upright = ImageOps.exif_transpose(image)
        clean = _plain_pixels(upright, image_format)

    out = io.BytesIO()
    if image_format == "JPEG":
        clean.save(out, format="JPEG", quality=90, optimize=True)
    elif image_format == "PNG":
        clean.save(out, format="PNG", optimize=True)
    else:
        clean.save(out, format="WEBP", quality=90)
    return CleanImage(
        data=out.getvalue(),
        image_format=image_format,
        width=clean.width,
        height=clean.height,
        thumbnail=_thumbnail(clean),
    )
