"""Tolerant conversions for the X5's loosely typed JSON (numbers as strings and back)."""

from __future__ import annotations

from datetime import UTC, datetime
import math
from typing import Any

# Years a camera clock can plausibly say; outside them a value may be in the
# other unit (seconds sent as milliseconds or back).
_PLAUSIBLE = (2000, 2200)


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


def _epoch(seconds: float) -> datetime | None:
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def as_datetime(value: Any, unit: str = "s") -> datetime | None:
    """Return a UTC datetime from epoch seconds (``unit="s"``) or milliseconds.

    The guide's unit is read first. Only when that gives no plausible date
    (2000-2199) and the other unit does is the value taken as swapped; a camera
    whose clock says 1970 keeps its 1970 in the guide's unit.
    """
    number = as_number(value)
    if number is None or number <= 0:
        return None
    primary = _epoch(number / 1000 if unit == "ms" else number)
    if primary is not None and _PLAUSIBLE[0] <= primary.year < _PLAUSIBLE[1]:
        return primary
    other = _epoch(number if unit == "ms" else number / 1000)
    if other is not None and _PLAUSIBLE[0] <= other.year < _PLAUSIBLE[1]:
        return other
    return primary
