"""Monitoring photos without metadata: a photo is decoded and encoded anew as a JPEG, which keeps
only the pixels — EXIF (the phone's GPS position, its model, the time), XMP, IPTC and comments are
not carried over (issue 15: "metadata stripped by re-encoding before anyone else sees them").

Pure bytes in, bytes out (Pillow); the handler downloads the member's photo through the Bot API,
calls :func:`strip_metadata` and uploads the copy, and only the copy's ``file_id`` is stored.
"""

from __future__ import annotations

import io

from PIL import Image, ImageOps

from bot.domain.errors import InvalidInput

MAX_SIDE = 2560
"""Longest side of a re-encoded photo, pixels (Telegram shows photos up to 2,560 px)."""
MAX_INPUT = 20 * 1024 * 1024
"""Largest photo accepted, bytes (the Bot API's getFile limit)."""


class NotAPhoto(InvalidInput):
    """The bytes are not an image Pillow can read."""


def strip_metadata(data: bytes) -> bytes:
    """``data`` (JPEG, PNG, WebP…) re-encoded as a JPEG with no metadata: the orientation the EXIF
    asked for is applied to the pixels first (so the copy is not shown sideways), then only RGB
    pixels are written (quality 85, at most :data:`MAX_SIDE` px on the longest side).

    Raises:
        NotAPhoto: unreadable or over :data:`MAX_INPUT` bytes.
    """
    if len(data) > MAX_INPUT:
        raise NotAPhoto("photo too large")
    try:
        with Image.open(io.BytesIO(data)) as source:
            source.load()
            upright = ImageOps.exif_transpose(source)
            pixels = upright.convert("RGB")
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        raise NotAPhoto(str(error)) from error
    pixels.thumbnail((MAX_SIDE, MAX_SIDE))
    clean = Image.new("RGB", pixels.size)
    clean.paste(pixels)
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue()


def has_metadata(data: bytes) -> bool:
    """Whether the image carries EXIF, XMP, an ICC profile or comments (for tests and checks)."""
    with Image.open(io.BytesIO(data)) as image:
        info = image.info
        return bool(image.getexif()) or any(key in info for key in ("exif", "xmp", "XML:com.adobe.xmp", "comment",
                                                                        "icc_profile", "photoshop"))
