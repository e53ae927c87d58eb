"""What the X5 family does in the field, read from its settings: reports the
vendor's cloud takes away, and setting a wrong clock.

Pure functions over the camera's ``get.*`` answers (NOTES.md, "What the X5 family
does in the field"): with the vendor's device management on (``get.mip.info``
``takeOverPlatform`` and ``dataReportTakeover``, both 1 by default, firmware
3x.1.0.3-r1 and later) pictures may go to the vendor's cloud instead of the MQTT
topic; ``get.capture.info`` ``platformEnable`` 1 is the vendor's AIoT platform
mode. ``set.time.info`` sets the clock (``timeManual``, ``syncMode`` 1 = manual);
the guide does not give ``timeManual``'s format, so it is written in the format of
the camera's own ``date`` and ``time``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
import re
from typing import Any

from .coerce import as_int, as_str

MIP_READ = "get.mip.info"
TIME_READ = "get.time.info"
# Why reports may not reach MQTT (keys of the repair's text).
TAKEOVER = "takeover"  # get.mip.info: the vendor's device management
PLATFORM = "platform"  # get.capture.info platformEnable: the AIoT platform mode
_MIP_SINCE = (1, 0, 3)  # 3x.1.0.3-r1: the parts after the major version, and r1
_VERSION = re.compile(r"(?:V_?)?(3\d)\.(\d+)\.(\d+)\.(\d+)(?:-r(\d+))?", re.IGNORECASE)
_DATE = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})")
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")
# Time zones are whole quarters of an hour, from UTC-12 to UTC+14.
_QUARTER = timedelta(minutes=15)
_WIDEST_ZONE = timedelta(hours=14)


def diverted(settings: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Why the camera's reports may go elsewhere than MQTT (empty: nothing says so)."""
    mip = settings.get(MIP_READ, {})
    capture = settings.get("get.capture.info", {})
    reasons = []
    if (
        as_int(mip.get("takeOverPlatform")) == 1
        and as_int(mip.get("dataReportTakeover")) == 1
    ):
        reasons.append(TAKEOVER)
    if as_int(capture.get("platformEnable")) == 1:
        reasons.append(PLATFORM)
    return reasons


def has_mip(software: str | None) -> bool:
    """Whether the firmware may answer ``get.mip.info`` (3x.1.0.3-r1 and later):
    False only for a version known to be older; an unknown one is asked."""
    match = _VERSION.fullmatch((software or "").strip())
    if match is None:
        return True
    parts = tuple(int(part) for part in match.group(2, 3, 4))
    revision = int(match[5] or 0)
    return parts > _MIP_SINCE or (parts == _MIP_SINCE and revision >= 1)


def takeover_off(mip: Mapping[str, Any]) -> dict[str, Any]:
    """The whole ``mip.info`` branch as last read, device management's reports off."""
    return {**mip, "takeOverPlatform": 0, "dataReportTakeover": 0}


def _wall_clock(
    time_info: Mapping[str, Any],
) -> tuple[datetime, str, bool] | None:
    """The camera's own local date and time (``get.time.info``) as a wall clock
    (tagged UTC only to compute with), its date separator, and whether it shows
    seconds; None when it does not read as a date and a time."""
    date = _DATE.fullmatch(as_str(time_info.get("date")) or "")
    clock = _TIME.fullmatch(as_str(time_info.get("time")) or "")
    if date is None or clock is None:
        return None
    try:
        wall = datetime(
            int(date[1]),
            int(date[3]),
            int(date[4]),
            int(clock[1]),
            int(clock[2]),
            int(clock[3] or 0),
            tzinfo=UTC,
        )
    except ValueError:
        return None
    return wall, date[2], clock[3] is not None


def time_zone(time_info: Mapping[str, Any], camera_utc: datetime) -> timedelta | None:
    """The camera's time zone: its wall clock (``get.time.info``) minus its own
    UTC clock when it answered (``camera_utc``: Home Assistant's time plus the
    offset its messages show), in quarters of an hour; None when unreadable."""
    if (read := _wall_clock(time_info)) is None:
        return None
    zone = round((read[0] - camera_utc) / _QUARTER) * _QUARTER
    return zone if abs(zone) <= _WIDEST_ZONE else None


def manual_time(
    time_info: Mapping[str, Any], zone: timedelta, now: datetime
) -> str | None:
    """``timeManual`` for ``set.time.info`` that sets the camera's clock to ``now``
    (UTC) in its time zone ``zone`` (kept), in the format of its own ``date`` and
    ``time``; None when its answer does not show that format."""
    if (read := _wall_clock(time_info)) is None:
        return None
    _, separator, seconds = read
    target = now + zone
    text = target.strftime(f"%Y{separator}%m{separator}%d %H:%M")
    return f"{text}:{target:%S}" if seconds else text


def wall_clock_error(
    time_info: Mapping[str, Any], zone: timedelta, now: datetime
) -> timedelta | None:
    """How far the camera's wall clock (``get.time.info`` answered at ``now``) is
    from Home Assistant's time in its zone: near zero once the clock is set."""
    if (read := _wall_clock(time_info)) is None:
        return None
    return read[0] - (now + zone)


def wall_time(
    text: str, zone: timedelta | None, clock_offset: float | None
) -> datetime | None:
    """When a picture the camera dated ``text`` (its wall time, as
    ``storage.search`` lists it: ``YYYY-MM-DD HH:MM:SS``, ``+`` for the space too)
    was taken by Home Assistant's clock: its time zone ``zone`` and its clock's
    offset taken off. None when the zone is unknown or the text is no time."""
    date, _, clock = text.strip().replace("+", " ").partition(" ")
    read = _wall_clock({"date": date, "time": clock})
    if read is None or zone is None:
        return None
    return read[0] - zone - timedelta(seconds=clock_offset or 0.0)
