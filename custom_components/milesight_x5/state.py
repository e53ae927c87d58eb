"""What is known about one camera, and where it is kept across restarts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .api import (
    Alarm,
    Battery,
    Cellular,
    Heartbeat,
    InvalidPayloadError,
    SensorReadings,
    Snapshot,
    parse_alarm,
    parse_heartbeat,
    parse_snapshot,
)
from .api.coerce import as_int
from .const import DEFAULT_HEARTBEAT_INTERVAL, DOMAIN
from .copy_job import CopyJob
from .counters import DailyCounts

STORAGE_VERSION = 1
# When Home Assistant received something, kept across restarts.
_TIMES = ("last_seen", "heartbeat_at", "snapshot_at", "alarm_at", "install_since")
# The stored messages (raw, by kind) and how each becomes its model again.
_PARSERS: tuple[tuple[str, Any], ...] = (
    ("heartbeat", parse_heartbeat),
    ("alarm", parse_alarm),
    ("snapshot", parse_snapshot),
)


class Part(StrEnum):
    """A part of what is known about a camera.

    Entities say which parts they show and hear only of changes to those: a
    heartbeat asks the heartbeat's sensors, not the camera's 60 other entities.
    """

    HEARTBEAT = "heartbeat"  # the merged heartbeat and when it arrived
    SNAPSHOT = "snapshot"  # the last snapshot and its picture
    ALARM = "alarm"  # the last alarm
    SETTINGS = "settings"  # get.* answers, and changes waiting for the camera
    REACHABILITY = "reachability"  # the watchdog's verdict
    COMMANDS = "commands"  # what the command path is doing
    TODAY = "today"  # today's counts (every live message adds to them)
    COPY = "copy"  # a settings copy this camera is to take


EVERY_PART: frozenset[Part] = frozenset(Part)


@dataclass(slots=True)
class X5State:
    """Everything known about one camera.

    Times ending in ``_at`` are when Home Assistant received something; the
    camera's own ``ts``/``time`` stay in the models (its clock may be wrong).
    """

    heartbeat: Heartbeat | None = None  # merged: every field keeps its last value
    snapshot: Snapshot | None = None  # last snapshot; ``image`` is the last good one
    alarm: Alarm | None = None
    last_seen: datetime | None = None  # when Home Assistant last heard from it
    heartbeat_at: datetime | None = None
    snapshot_at: datetime | None = None  # when the last good picture arrived
    alarm_at: datetime | None = None
    reachable: bool | None = None  # watchdog; None before the first message
    settings: dict[str, dict[str, Any]] = field(default_factory=dict)  # get.* answers
    settings_at: dict[str, datetime] = field(default_factory=dict)  # when read
    pending: dict[str, Any] = field(
        default_factory=dict
    )  # entity key -> requested value
    raw: dict[str, dict[str, Any]] = field(
        default_factory=dict
    )  # merged heartbeat, last alarm and snapshot (no image)
    dropped: dict[str, tuple[str, ...]] = field(
        default_factory=dict
    )  # kind -> unusable fields of its last message
    clock_offset: float | None = None  # s the camera's clock is ahead of HA's
    # What commands do now (waking/sending/restarting), else how the last of a
    # user's ended (done/failed; idle before the first): the command status sensor.
    command_status: str = "idle"
    last_command: str | None = None  # the last user's command (catalogue name)
    last_error: str | None = None  # why it failed (an exception translation key)
    install_version: str | None = None  # firmware being installed (upgrade.online)
    install_since: datetime | None = None  # when the camera took the install
    # The SD card's backlog (HTTP): searched from the last good upload's time (the
    # camera's wall time, as it lists it); files already fetched.
    backlog_since: str | None = None
    backlog_fetched: list[str] = field(default_factory=list)
    today: DailyCounts = field(default_factory=DailyCounts)  # live messages today
    copy_job: CopyJob | None = None  # the last settings copy to it (settings_copy.py)
    data_plan: int = 0  # the SIM's monthly data plan, MB (Options; 0: none given)
    # The state of charge at heartbeats, (epoch s, %): the battery outlook's trend.
    battery_log: list[tuple[float, float]] = field(default_factory=list)

    @property
    def battery(self) -> Battery | None:
        """The battery section of the merged heartbeat."""
        return self.heartbeat.battery if self.heartbeat is not None else None

    @property
    def cellular(self) -> Cellular | None:
        """The cellular section of the merged heartbeat."""
        return self.heartbeat.cellular if self.heartbeat is not None else None

    @property
    def sensor(self) -> SensorReadings | None:
        """The sensor section of the merged heartbeat."""
        return self.heartbeat.sensor if self.heartbeat is not None else None

    @property
    def data_plan_used(self) -> float | None:
        """The share of the monthly data plan used this month (%), if both known."""
        cellular = self.cellular
        if not self.data_plan or cellular is None or cellular.data_monthly is None:
            return None
        return round(cellular.data_monthly / (self.data_plan * 1e6) * 100, 1)

    def restore(self, stored: Mapping[str, Any]) -> None:
        """Take back what :meth:`stored` wrote; a part that cannot be used is left
        out on its own (the snapshot's picture is the coordinator's file)."""
        self.raw = stored.get("raw") or {}
        self.settings = stored.get("settings") or {}
        for kind, parse in _PARSERS:
            if (message := self.raw.get(kind)) is None:
                continue
            try:
                setattr(self, kind, parse(message))
            except InvalidPayloadError:
                continue
        times: dict[str, Any] = stored.get("times") or {}
        for name in _TIMES:
            if isinstance(text := times.get(name) or stored.get(name), str):
                setattr(self, name, dt_util.parse_datetime(text))
        for name, text in (stored.get("settings_at") or {}).items():
            if isinstance(text, str) and (moment := dt_util.parse_datetime(text)):
                self.settings_at[name] = moment
        self.today = DailyCounts.restored(stored.get("today"))
        if isinstance(version := stored.get("install_version"), str):
            self.install_version = version
        backlog = stored.get("backlog") or {}
        if isinstance(since := backlog.get("since"), str):
            self.backlog_since = since
        fetched = backlog.get("fetched")
        if isinstance(fetched, list):
            self.backlog_fetched = [name for name in fetched if isinstance(name, str)]
        self.copy_job = CopyJob.restored(stored.get("copy"))
        log = stored.get("battery_log")
        self.battery_log = [
            (float(pair[0]), float(pair[1]))
            for pair in (log if isinstance(log, list) else [])
            if isinstance(pair, list | tuple)
            and len(pair) == 2
            and all(isinstance(x, int | float) for x in pair)
        ]

    def stored(self) -> dict[str, Any]:
        """What is written to the camera's store (no picture: that is a file)."""
        return {
            "raw": self.raw,
            "settings": self.settings,
            "settings_at": {k: v.isoformat() for k, v in self.settings_at.items()},
            "times": {name: iso(getattr(self, name)) for name in _TIMES},
            "today": self.today.as_stored(),
            "install_version": self.install_version,
            "backlog": {"since": self.backlog_since, "fetched": self.backlog_fetched},
            "copy": self.copy_job.stored() if self.copy_job is not None else None,
            "battery_log": [list(pair) for pair in self.battery_log],
        }

    def fresh(self, name: str, max_age: timedelta) -> dict[str, Any] | None:
        """A cached answer read within ``max_age``, else None."""
        read = self.settings_at.get(name)
        if read is None or dt_util.utcnow() - read > max_age:
            return None
        return self.settings.get(name)

    def setting(self, name: str, key: str) -> Any:
        """One field of a cached ``get.*`` answer, or None."""
        return self.settings.get(name, {}).get(key)

    @property
    def low_power(self) -> bool:
        """Whether the camera said it runs in Low Power Timed Capture (work mode 1)."""
        return as_int(self.setting("get.capture.info", "workMode")) == 1

    @property
    def external_power(self) -> bool:
        """Whether the camera said it runs on external power (it never sleeps)."""
        return as_int(self.setting("get.device.status", "powerSupply")) == 1


def expected_heartbeat_interval(capture_info: Mapping[str, Any] | None) -> timedelta:
    """The camera's heartbeat interval from ``get.capture.info`` (NOTES.md units).

    ``heartTestInterval`` is minutes (in heartbeat test mode), ``heartLpowerInterval``
    hours (in Low Power mode, ``workMode`` 1), ``heartInterval`` hours otherwise.
    """
    if not capture_info:
        return DEFAULT_HEARTBEAT_INTERVAL
    if as_int(capture_info.get("heartTestMode")) == 1:
        minutes = as_int(capture_info.get("heartTestInterval"))
        if minutes and minutes > 0:
            return timedelta(minutes=minutes)
    key = (
        "heartLpowerInterval"
        if as_int(capture_info.get("workMode")) == 1
        else "heartInterval"
    )
    hours = as_int(capture_info.get(key))
    if hours and hours > 0:
        return timedelta(hours=hours)
    return DEFAULT_HEARTBEAT_INTERVAL


def camera_store(hass: HomeAssistant, mac: str) -> Store[dict[str, Any]]:
    """The camera's stored state (its pictures are the history's files)."""
    return Store(hass, STORAGE_VERSION, f"{DOMAIN}.{mac}", private=True)


def iso(moment: datetime | None) -> str | None:
    """A time as ISO text, or None."""
    return moment.isoformat() if moment else None
