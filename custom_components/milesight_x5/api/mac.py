"""MAC address handling: the X5 writes 12 upper-case hex digits, users do not."""

from __future__ import annotations

import re

from .exceptions import InvalidMacError

_SEPARATED = re.compile(
    r"^[0-9A-Fa-f]{2}([:\-.]?)(?:[0-9A-Fa-f]{2}\1){4}[0-9A-Fa-f]{2}$"
)
_DOTTED = re.compile(r"^[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}$")


def normalize_mac(value: object) -> str:
    """Return ``value`` as 12 upper-case hex digits.

    Accepts ``AA:BB:CC:DD:EE:FF``, ``aa-bb-cc-dd-ee-ff``, ``aabbccddeeff`` and
    ``aabb.ccdd.eeff``; raises :class:`InvalidMacError` for anything else.
    """
    if not isinstance(value, str):
        raise InvalidMacError(f"MAC address must be text, got {type(value).__name__}")
    text = value.strip()
    if not (_SEPARATED.match(text) or _DOTTED.match(text)):
        raise InvalidMacError(
            f"{value!r} is not a MAC address: expected 12 hex digits, optionally"
            " separated by ':' or '-' (like AA:BB:CC:DD:EE:FF)"
        )
    return re.sub(r"[^0-9A-Fa-f]", "", text).upper()


def format_mac(mac: str) -> str:
    """Return a normalised MAC in the colon form Home Assistant uses."""
    mac = normalize_mac(mac)
    return ":".join(mac[i : i + 2] for i in range(0, 12, 2)).lower()
