"""Tolerant conversions for the X5's loosely typed JSON (numbers as strings and back)."""

from __future__ import annotations

from datetime import UTC, datetime
import math
from typing import Any

# Epoch values above this are milliseconds (1e11 s is the year 5138).
_MS_THRESHOLD = 1e11


def as_number(value: Any) -> int | float | None:
    """Return an int or finite float from a number or numeric text, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            pass
        try:
            number = float(text)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def as_int(value: Any) -> int | None:
    """Return an integer from an integral number or numeric text, else None."""
    number = as_number(value)
    if isinstance(number, float):
        return int(number) if number.is_integer() else None
    return number


def as_float(value: Any) -> float | None:
    """Return a float from a number or numeric text, else None."""
    number = as_number(value)
    return None if number is None else float(number)


def as_percent(value: Any) -> float | None:
    """Return a percentage from ``6.5``, ``"6.5"`` or ``"6.5%"``."""
    if isinstance(value, str):
        value = value.strip().removesuffix("%")
    return as_float(value)


def as_str(value: Any) -> str | None:
    """Return non-empty text; numbers become their decimal text."""
    if isinstance(value, str):
        text = value.strip()
        return text or None
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and math.isfinite(value):
        return str(value)
    return None


def as_datetime(value: Any) -> datetime | None:
    """Return a UTC datetime from epoch seconds or milliseconds (told apart by size)."""
    number = as_number(value)
    if number is None or number <= 0:
        return None
    seconds = number / 1000 if number > _MS_THRESHOLD else number
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None
