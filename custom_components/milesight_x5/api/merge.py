"""Uplinks merge: a heartbeat updates exactly the fields it carries usable values for.

A camera may send a heartbeat with sections missing, ``null`` or garbage (or only
``devMac``). What it lacks or carries broken keeps its last value: the merged
message is the previous one overlaid with the new message's usable leaves, and the
state is parsed from that (so a restart, which parses the stored merged message,
restores the same values).
"""

from __future__ import annotations

from collections.abc import Mapping
import copy
from typing import Any

from .models import Heartbeat
from .parsers import Payload, decode_json, parse_heartbeat


def _overlay(
    target: dict[str, Any], changes: Mapping[str, Any], invalid: set[str], path: str
) -> None:
    for key, value in changes.items():
        where = f"{path}{key}"
        if value is None or where in invalid:
            continue
        if isinstance(value, str) and not value.strip():
            continue
        if isinstance(value, Mapping):
            node = target.get(key)
            if not isinstance(node, dict):
                node = target[key] = {}
            _overlay(node, value, invalid, f"{where}.")
        else:
            target[key] = copy.deepcopy(value)


def merge_heartbeat(
    previous: Mapping[str, Any] | None, payload: Payload
) -> tuple[dict[str, Any], Heartbeat, Heartbeat]:
    """Merge a heartbeat into the previous merged one.

    Returns the merged message, its parsed heartbeat, and the new message parsed
    alone (its ``invalid_fields`` were dropped: the old values stay). Raises
    :class:`InvalidPayloadError` only for a message without a usable MAC.
    """
    message = decode_json(payload)
    if not isinstance(message.get("values"), Mapping):
        # A flat message: its fields are what ``values`` would hold.
        message = {
            **({"ts": message["ts"]} if "ts" in message else {}),
            "values": {k: v for k, v in message.items() if k not in ("ts", "values")},
        }
    new = parse_heartbeat(message)
    merged: dict[str, Any] = copy.deepcopy(dict(previous)) if previous else {}
    _overlay(merged, message, set(new.invalid_fields), "")
    return merged, parse_heartbeat(merged), new
