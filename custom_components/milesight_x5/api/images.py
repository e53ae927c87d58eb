"""Pictures in snapshot uplinks: data URIs decoded, and only whole pictures kept.

A picture replaces the last good one only when it is complete: a JPEG from its
start marker to its end marker (or a whole PNG), within the size cap. A truncated
transfer, a string that is not a data URI of an image, or base64 garbage is not a
picture, however it decodes.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

DEFAULT_MAX_IMAGE_BYTES = 10 * 1024 * 1024

_DATA_URI = re.compile(
    r"^data:(?P<mime>[\w.+-]+/[\w.+-]+)?(?P<params>(?:;[^,;]*)*),", re.ASCII
)
_SPACES = (b" ", b"\n", b"\r", b"\t", b"\x0b", b"\x0c")
_JPEG_START, _JPEG_END = b"\xff\xd8\xff", b"\xff\xd9"
_PNG_START, _PNG_END = b"\x89PNG\r\n\x1a\n", b"IEND\xaeB`\x82"


def sniff_mime(image: bytes) -> str | None:
    """Return the mime type of JPEG or PNG bytes, else None."""
    if image.startswith(_JPEG_START):
        return "image/jpeg"
    if image.startswith(_PNG_START):
        return "image/png"
    return None


def picture_error(
    image: bytes, max_image_bytes: int = DEFAULT_MAX_IMAGE_BYTES
) -> str | None:
    """Why ``image`` is not a whole picture, or None when it is one."""
    if len(image) > max_image_bytes:
        return f"image larger than {max_image_bytes} bytes"
    mime = sniff_mime(image)
    # Cameras may pad the end of a JPEG with zero bytes or line ends.
    tail = image[-1024:].rstrip(b"\x00\r\n ")
    if mime == "image/jpeg":
        return None if tail.endswith(_JPEG_END) else "image is a truncated JPEG"
    if mime == "image/png":
        return None if tail.endswith(_PNG_END) else "image is a truncated PNG"
    return "image is neither JPEG nor PNG"


def _ascii(text: str) -> bytes:
    try:
        return text.encode("ascii")
    except UnicodeEncodeError:
        return text.encode("ascii", "replace")  # not base64 anyway: found below


def decode_image(
    raw: Any, max_image_bytes: int = DEFAULT_MAX_IMAGE_BYTES
) -> tuple[bytes | None, str | None, str | None]:
    """Decode a data-URI (or bare base64) picture: (bytes, mime type, error).

    The bytes are returned only for a whole picture (:func:`picture_error`).
    """
    # A 1 MB picture is 1.4 MB of text: every step is one C call over it (no regex),
    # so that a worker thread decoding it never holds the GIL long enough to stall
    # the event loop.
    if not isinstance(raw, str | bytes):
        return None, None, "image is not text"
    text = _ascii(raw) if isinstance(raw, str) else raw
    if text[:5].lower() == b"data:":
        comma = text.find(b",", 0, 256)
        match = _DATA_URI.match(text[: comma + 1].decode("ascii", "replace"))
        if comma < 0 or match is None or ";base64" not in match["params"].lower():
            return None, None, "image is not a base64 data URI"
        text = text[comma + 1 :]
    if any(space in text for space in _SPACES):
        text = text.translate(None, b"".join(_SPACES))
    if len(text) * 3 // 4 > max_image_bytes:
        return None, None, f"image larger than {max_image_bytes} bytes"
    if padding := -len(text) % 4:
        text += b"=" * padding
    try:
        image = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None, None, "image is not valid base64"
    if not image:
        return None, None, "image is empty"
    if (error := picture_error(image, max_image_bytes)) is not None:
        return None, None, error
    return image, sniff_mime(image), None
