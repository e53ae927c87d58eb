"""What a camera sent today (Home Assistant's local day): captures, alarms, bytes.

The counts start at zero at local midnight. Only live messages count: a broker's
replay of a retained message is not the camera sending anything.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.util import dt as dt_util

from .api import Alarm, Snapshot, TriggerType
from .api.coerce import as_int


def _end_of(day: date) -> datetime:
    """The moment (UTC) ``day`` ends in Home Assistant's time zone."""
    return dt_util.as_utc(dt_util.start_of_local_day(day + timedelta(days=1)))


@dataclass(slots=True)
class DailyCounts:
    """Counts of one local day; ``ends`` is when they start again at zero."""

    day: date = field(default_factory=lambda: dt_util.now().date())
    ends: datetime = field(init=False)
    captures: dict[TriggerType, int] = field(default_factory=dict)
    alarms: int = 0
    received: int = 0  # bytes of the camera's MQTT messages

    def __post_init__(self) -> None:
        """Know when the day ends (one comparison per message)."""
        self.ends = _end_of(self.day)

    @property
    def captures_total(self) -> int:
        """Pictures of every trigger."""
        return sum(self.captures.values())

    def roll(self, now: datetime) -> bool:
        """Start a new day at zero once ``now`` is past this one; whether it did."""
        if now < self.ends:
            return False
        self.day = dt_util.as_local(now).date()
        self.ends = _end_of(self.day)
        self.captures = {}
        self.alarms = self.received = 0
        return True

    def add_received(self, size: int, now: datetime) -> None:
        """A live message of ``size`` bytes arrived."""
        self.roll(now)
        self.received += size

    def count(self, occurrence: Alarm | Snapshot, now: datetime) -> None:
        """A live alarm or picture arrived. A late picture (a backlog) counts on
        the day it was taken: not today when taken before."""
        self.roll(now)
        if isinstance(occurrence, Alarm):
            self.alarms += 1
            return
        taken = occurrence.camera_time(now) if occurrence.late else None
        if taken is None or dt_util.as_local(taken).date() == self.day:
            trigger = occurrence.trigger
            self.captures[trigger] = self.captures.get(trigger, 0) + 1

    def as_stored(self) -> dict[str, Any]:
        """What is written to the camera's store."""
        return {
            "day": self.day.isoformat(),
            "captures": {str(trigger): n for trigger, n in self.captures.items()},
            "alarms": self.alarms,
            "received": self.received,
        }

    @classmethod
    def restored(cls, stored: Any) -> DailyCounts:
        """The stored counts when they are of today, else today's zeros.

        A field that does not read as a count is zero; the others are kept.
        """
        today = cls()
        if (
            not isinstance(stored, Mapping)
            or stored.get("day") != today.day.isoformat()
        ):
            return today
        captures = stored.get("captures")
        if isinstance(captures, Mapping):
            for trigger in TriggerType:
                if (n := _count(captures.get(trigger.value))) > 0:
                    today.captures[trigger] = n
        today.alarms = _count(stored.get("alarms"))
        today.received = _count(stored.get("received"))
        return today


def _count(value: Any) -> int:
    """A stored count, or 0 when it is not one."""
    number = as_int(value)
    return number if number is not None and number > 0 else 0


@callback
def async_track_midnight(
    hass: HomeAssistant, counts: Callable[[], DailyCounts], changed: CALLBACK_TYPE
) -> CALLBACK_TYPE:
    """Show zeros at local midnight, also when no message comes then.

    A timer for the moment the day ends, set again for the next one: a clock time of
    00:00:00 would skip the days a time zone's DST change makes midnight not exist.
    """
    unsub: CALLBACK_TYPE | None = None

    @callback
    def _arm() -> None:
        nonlocal unsub
        unsub = async_track_point_in_utc_time(hass, _midnight, counts().ends)

    @callback
    def _midnight(now: datetime) -> None:
        if counts().roll(now):
            changed()
        _arm()

    @callback
    def _cancel() -> None:
        if unsub is not None:
            unsub()

    _arm()
    return _cancel
