"""Uplinks merge: a heartbeat updates exactly the fields it carries usable values for.

A camera may send a heartbeat with sections missing, ``null`` or garbage (or only
``devMac``). What it lacks or carries broken keeps its last value: the merged
message is the previous one overlaid with the new message's usable leaves, and the
state is parsed from that (so a restart, which parses the stored merged message,
restores the same values).

This runs for every heartbeat, so it is done in one pass and one parse: the new
message is overlaid onto the merged one in place (an undo log remembers what it
replaced), and the result is parsed. The merged message held only usable values,
so whatever that parse finds unusable came with the new message: only then (a
broken heartbeat, rare) is the overlay undone and redone without those fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from .coerce import as_datetime
from .exceptions import InvalidPayloadError
from .models import Heartbeat
from .parsers import Payload, decode_json, parse_heartbeat, peek_mac, plain_battery

_MISSING = object()

type _Undo = list[tuple[dict[str, Any], str, Any]]


def _keeps_old(value: Any) -> bool:
    """``null`` and blank text carry no value: the old one stays."""
    return value is None or (isinstance(value, str) and not value.strip())


def _overlay(
    target: dict[str, Any],
    changes: Mapping[str, Any],
    undo: _Undo,
    skip: frozenset[str] = frozenset(),
    path: str = "",
) -> None:
    """Write the usable leaves of ``changes`` into ``target``, logging what they
    replaced; ``skip`` names (dotted paths) the fields that must not be written."""
    for key, value in changes.items():
        if _keeps_old(value):
            continue
        if skip and f"{path}{key}" in skip:
            continue
        if isinstance(value, Mapping):
            node = target.get(key)
            if not isinstance(node, dict):
                undo.append((target, key, target.get(key, _MISSING)))
                node = target[key] = {}
            _overlay(node, value, undo, skip, f"{path}{key}." if skip else "")
        else:
            undo.append((target, key, target.get(key, _MISSING)))
            target[key] = value


def _undo(undo: _Undo) -> None:
    for target, key, old in reversed(undo):
        if old is _MISSING:
            del target[key]
        else:
            target[key] = old


def _as_nested(message: dict[str, Any]) -> dict[str, Any]:
    """A flat message (no ``values`` object): its fields are what ``values`` holds."""
    if isinstance(message.get("values"), Mapping):
        return message
    return {
        **({"ts": message["ts"]} if "ts" in message else {}),
        "values": {k: v for k, v in message.items() if k not in ("ts", "values")},
    }


def heartbeat_time(payload: Payload) -> datetime | None:
    """The camera's time of a heartbeat (``ts``, ms), without parsing the rest."""
    message = payload if isinstance(payload, Mapping) else decode_json(payload)
    return as_datetime(message.get("ts"), "ms")


def battery_part(message: dict[str, Any], mac: str) -> dict[str, Any] | None:
    """The battery fields a snapshot of camera ``mac`` carries (where firmware
    adds them) as a heartbeat fragment for :func:`merge_heartbeat` (no time: the
    heartbeat's stays), or None."""
    values = _as_nested(message).get("values")
    if not isinstance(values, Mapping) or "battery" not in values:
        return None
    return {"values": {"devMac": mac, "battery": values["battery"]}}


def merge_heartbeat(
    merged: dict[str, Any] | None, payload: Payload
) -> tuple[dict[str, Any], Heartbeat, tuple[str, ...]]:
    """Merge a heartbeat into the merged message ``merged`` (updated in place).

    Returns the merged message, its parsed heartbeat, and the fields of the new
    message that were unusable and dropped (their old values stay). Raises
    :class:`InvalidPayloadError` only for a message without a usable MAC; whatever
    raises, ``merged`` is left as it was.
    """
    message = plain_battery(_as_nested(decode_json(payload)))
    if peek_mac(message) is None:
        parse_heartbeat(message)  # raises, saying why
        raise InvalidPayloadError("message rejected: no devMac")
    target: dict[str, Any] = {} if merged is None else merged
    undo: _Undo = []
    try:
        _overlay(target, message, undo)
        heartbeat = parse_heartbeat(target)
        dropped = heartbeat.invalid_fields
        if dropped:
            # Only the new message can have brought them: write it again without.
            _undo(undo)
            undo.clear()
            _overlay(target, message, undo, frozenset(dropped))
            heartbeat = parse_heartbeat(target)
    except BaseException:
        _undo(undo)  # whatever failed (too deep, no usable MAC), nothing stays
        raise
    return target, heartbeat, dropped
