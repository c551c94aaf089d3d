"""The public picture of one side of a pair: the manager's region, cut on the server.

The stored photo has already been re-encoded without metadata (`patients.records.images`);
the cut is re-encoded again from its pixels only, so no EXIF, XMP or ICC data can reach a
public page, and the part outside the region (a face, say) never leaves the server.
The region is in fractions of the picture, so the before and the after photo are cut
alike whatever their size in pixels.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Final

from PIL import Image

# The long side of a public picture: enough for a page, no use for anything else.
PUBLIC_LONG_SIDE: Final = 900
JPEG_QUALITY: Final = 85

Box = tuple[Decimal, Decimal, Decimal, Decimal]


def pixel_box(box: Box, size: tuple[int, int]) -> tuple[int, int, int, int]:
    """The region (x, y, width, height as fractions) in pixels: left, top, right, bottom."""
    x, y, width, height = box
    columns, rows = size
    left = min(columns - 1, int(x * columns))
    top = min(rows - 1, int(y * rows))
    right = max(left + 1, min(columns, round((x + width) * columns)))
    bottom = max(top + 1, min(rows, round((y + height) * rows)))
    return left, top, right, bottom


def crop_picture(data: bytes, box: Box) -> bytes:
    """The region of the picture in `data`, at most PUBLIC_LONG_SIDE, as a JPEG without metadata."""
    with Image.open(io.BytesIO(data)) as image:
        cut = image.convert("RGB").crop(pixel_box(box, image.size))
    cut.thumbnail((PUBLIC_LONG_SIDE, PUBLIC_LONG_SIDE))
    out = io.BytesIO()
    cut.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()
