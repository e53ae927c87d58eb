"""Where a camera setting lives in a ``get.*`` answer, and how to write it back.

NOTES.md (corrected reading): whether the camera merges a partial nested object
or replaces the whole object is not documented. So a write is a read-modify-write
of the changed branch: a top-level scalar goes alone (as in the guide's example);
a field inside an object goes with that whole top-level object exactly as the
camera last reported it, only the one leaf changed. Never a lone nested fragment.
"""

from __future__ import annotations

from collections.abc import Mapping
import copy
from dataclasses import dataclass
from typing import Any

from .exceptions import SettingUnknownError


@dataclass(frozen=True, slots=True)
class Setting:
    """A field of a ``get.X`` answer, written back with ``set.X``."""

    group: str  # "capture.info"
    path: tuple[str, ...]  # ("triggerConfig", "sensorConditions", "lafDetect")
    as_text: bool = False  # the camera wants the value as a string (tempThre)

    @property
    def read_command(self) -> str:
        """The ``get.*`` answering this setting."""
        return f"get.{self.group}"

    @property
    def write_command(self) -> str:
        """The ``set.*`` writing this setting."""
        return f"set.{self.group}"

    @property
    def nested(self) -> bool:
        """Whether the setting lives inside an object (a write needs the object)."""
        return len(self.path) > 1

    def read(self, settings: Mapping[str, Any]) -> Any:
        """The raw value in cached ``get.*`` answers (keyed by command), or None."""
        node: Any = settings.get(self.read_command)
        for part in self.path:
            if not isinstance(node, Mapping):
                return None
            node = node.get(part)
        return node

    def payload(self, value: Any, current: Mapping[str, Any] | None) -> dict[str, Any]:
        """The ``set.*`` data: the scalar alone, or its whole top-level object.

        ``current`` is the latest ``get.*`` answer; it is needed for a nested
        setting, whose branch is copied with only the leaf changed.
        """
        leaf = str(value) if self.as_text else value
        top = self.path[0]
        if not self.nested:
            return {top: leaf}
        branch = current.get(top) if current is not None else None
        if not isinstance(branch, Mapping):
            raise SettingUnknownError(
                f"{self.group}: the camera did not report {top}; not written",
                command=self.write_command,
            )
        whole: dict[str, Any] = copy.deepcopy(dict(branch))
        node: Any = whole
        for part in self.path[1:-1]:
            node = node.get(part)
            if not isinstance(node, dict):
                where = ".".join(self.path[:-1])
                raise SettingUnknownError(
                    f"{self.group}: the camera did not report {where}; not written",
                    command=self.write_command,
                )
        node[self.path[-1]] = leaf
        return {top: whole}


def deep_merge(target: dict[str, Any], changes: Mapping[str, Any]) -> None:
    """Merge ``changes`` into ``target`` leaf by leaf (objects are merged, not
    replaced): what a camera that merges would hold after the write."""
    for key, value in changes.items():
        node = target.get(key)
        if isinstance(value, Mapping) and isinstance(node, dict):
            deep_merge(node, value)
        else:
            target[key] = copy.deepcopy(value)
