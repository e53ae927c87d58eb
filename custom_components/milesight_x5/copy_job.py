"""A settings copy a camera is to take, as kept with its state (see settings_copy.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from homeassistant.util import dt as dt_util

PENDING, DONE, FAILED = "pending", "done", "failed"


@dataclass(slots=True)
class CopyJob:
    """A copy this camera is to take (kept with its state)."""

    source: str  # the source camera's name
    groups: list[str]
    values: dict[str, dict[str, Any]]  # read command -> copied top-level fields
    status: str = PENDING
    reason: str | None = None  # why it failed (an exception translation key)
    since: datetime = field(default_factory=dt_util.utcnow)
    written: list[str] = field(default_factory=list)  # writes the camera took

    def stored(self) -> dict[str, Any]:
        """As kept in the camera's store."""
        return {
            "source": self.source,
            "groups": self.groups,
            "values": self.values,
            "status": self.status,
            "reason": self.reason,
            "since": self.since.isoformat(),
            "written": self.written,
        }

    @classmethod
    def restored(cls, stored: Any) -> CopyJob | None:
        """Back from the store; None for nothing usable."""
        if not isinstance(stored, dict):
            return None
        try:
            since = dt_util.parse_datetime(str(stored["since"])) or dt_util.utcnow()
            return cls(
                source=str(stored["source"]),
                groups=[str(group) for group in stored["groups"]],
                values=dict(stored["values"]),
                status=str(stored["status"]),
                reason=stored.get("reason"),
                since=since,
                written=[str(name) for name in stored.get("written", [])],
            )
        except (KeyError, TypeError, ValueError):
            return None
