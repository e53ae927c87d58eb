"""Copying settings from one camera to others: which fields, and the writes.

A copy takes, per group the user chose, the source camera's fields as it last
reported them (its ``get.*`` answers) and writes them to each target as
whole-branch writes built from the *target's* own last report: a top-level field
goes alone, a field inside an object goes with that whole object as the target
reported it, only the copied leaves replaced (NOTES.md: whether the camera merges a
partial object is not documented). Network, security, broker, topic, platform and
work-mode fields are in no group: they are never copied (a copied broker or
login could cut the target off).
"""

from __future__ import annotations

from collections.abc import Mapping
import copy
from typing import Any, Final

from .exceptions import SettingUnknownError

# Group -> read command -> the fields copied, dotted inside an object (an object
# named whole copies all its leaves). The indicator LED stays each camera's own.
COPY_GROUPS: Final[dict[str, dict[str, tuple[str, ...]]]] = {
    "triggers": {
        "get.capture.info": (
            "triggerConfig.sourceEnable",
            "triggerConfig.source",
            "triggerConfig.interval",
            "triggerConfig.BySensor",
            "triggerConfig.ByDI",
            "triggerConfig.sensorConditions",
            "algoEnable",
            "debugCapture",
        ),
    },
    "timed_capture": {
        "get.capture.info": (
            "timedCapture",
            "continuous",
            "intervalUnit",
            "interval",
            "uploadMode",
            "frequency",
            "time1",
            "time2",
        ),
    },  # fmt: skip
    "heartbeat": {
        "get.capture.info": (
            "heartInterval",
            "heartTestMode",
            "heartTestInterval",
            "heartLpowerInterval",
        ),
    },  # fmt: skip
    "image": {
        "get.image.info": (
            "brightness",
            "contrast",
            "saturation",
            "sharpness",
            "denoise",
            "dnMode",
            "dayToNight",
            "nightToDay",
            "irStrength",
            "showTimestamp",
            "showDeviceName",
            "captureMode",
        ),
        "get.capture.info": ("imageType",),
    },  # fmt: skip
}


def write_of(read: str) -> str:
    """``get.capture.info`` -> ``set.capture.info``."""
    return "set." + read.removeprefix("get.")


def read_of(write: str) -> str:
    """``set.capture.info`` -> ``get.capture.info``."""
    return "get." + write.removeprefix("set.")


def _field(answer: Any, dotted: str) -> tuple[bool, Any]:
    node = answer
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return False, None
        node = node[part]
    return True, node


def copied_values(
    settings: Mapping[str, Any], groups: list[str]
) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """The source's fields of ``groups`` by read command (its cached answers), a
    dotted field nested as in the answer; and the fields it did not report (left
    out: firmware differ, and the guide's own samples lack some of its fields).

    Raises :class:`SettingUnknownError` when the source has not reported a read a
    group needs at all (nothing to copy from).
    """
    values: dict[str, dict[str, Any]] = {}
    skipped: list[str] = []
    for group in groups:
        for read, fields in COPY_GROUPS[group].items():
            answer = settings.get(read)
            if not isinstance(answer, Mapping):
                raise SettingUnknownError(
                    f"{group}: the source did not report {read}", command=read
                )
            into = values.setdefault(read, {})
            for dotted in fields:
                found, value = _field(answer, dotted)
                if not found:
                    skipped.append(dotted)
                    continue
                *parents, leaf = dotted.split(".")
                node = into
                for part in parents:
                    node = node.setdefault(part, {})
                node[leaf] = copy.deepcopy(value)
    return {read: fields for read, fields in values.items() if fields}, skipped


def _overlay(target: dict[str, Any], leaves: Mapping[str, Any]) -> None:
    for key, value in leaves.items():
        if isinstance(value, Mapping) and isinstance(target.get(key), dict):
            _overlay(target[key], value)
        else:
            target[key] = copy.deepcopy(value)


def copy_writes(
    values: Mapping[str, Mapping[str, Any]], settings: Mapping[str, Any]
) -> dict[str, dict[str, Any]]:
    """The ``set.*`` data per write command for one target: the copied top-level
    fields alone, an object field as the target's whole object (its last report)
    with the copied leaves laid over it.

    Raises :class:`SettingUnknownError` when the target has not reported an object
    the copy changes (its other leaves are unknown: read it first).
    """
    writes: dict[str, dict[str, Any]] = {}
    for read, fields in values.items():
        data: dict[str, Any] = {}
        for field, value in fields.items():
            if not isinstance(value, Mapping):
                data[field] = copy.deepcopy(value)
                continue
            _, own = _field(settings.get(read), field)
            if not isinstance(own, Mapping):
                raise SettingUnknownError(
                    f"the target did not report {field}; not written",
                    command=write_of(read),
                )
            whole = copy.deepcopy(dict(own))
            _overlay(whole, value)
            data[field] = whole
        writes[write_of(read)] = data
    return writes
