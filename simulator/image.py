"""Pictures for simulated snapshots (no I/O: bytes in memory)."""

from __future__ import annotations

import io
import struct
import zlib


def make_image(shade: int = 0, label: str = "") -> tuple[bytes, str]:
    """A small real picture: a JPEG when Pillow is there (it is, beside HA), else PNG."""
    try:
        from PIL import Image, ImageDraw
    except ImportError:
        return _png(shade=shade), "image/png"
    image = Image.new("RGB", (320, 180), (30 + shade % 60, 70, 110))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 120, 320, 180), fill=(40, 110 + shade % 80, 50))
    draw.ellipse((240, 20, 290, 70), fill=(250, 210, 60))
    draw.text((10, 10), f"X5 simulator {label}", fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=70)
    return buffer.getvalue(), "image/jpeg"


def _png(width: int = 64, height: int = 48, shade: int = 0) -> bytes:
    """A small real image (PNG: no image library needed)."""
    rows = b"".join(
        b"\x00"
        + b"".join(
            bytes(((x * 4 + shade) % 256, (y * 5) % 256, 160)) for x in range(width)
        )
        for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


__all__ = ["make_image"]
