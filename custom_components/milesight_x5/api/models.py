"""Typed models of what the X5 sends: three uplinks and the configure response."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from .coerce import as_int

# A camera time before this is a clock that was never set (1970, a build date).
CLOCK_SET = datetime(2020, 1, 1, tzinfo=UTC)
# A camera time this far ahead of its message's arrival is a clock running ahead.
CLOCK_AHEAD = timedelta(minutes=10)


class TriggerType(StrEnum):
    """Stable names for the snapshot trigger (``snapType``); the raw text is kept."""

    NOISE = "noise"
    TEMPERATURE = "temperature"
    PIR = "pir"
    RADAR = "radar"
    TIMED = "timed"
    DIGITAL_INPUT = "digital_input"
    MANUAL = "manual"
    DEBUG = "debug"
    OTHER = "other"


class AlarmType(StrEnum):
    """Stable names for the free-text ``alarm``; the raw text is kept."""

    LOW_POWER = "low_power"
    STORAGE = "storage"
    TEMPERATURE = "temperature"
    NOISE = "noise"
    OTHER = "other"


@dataclass(frozen=True, slots=True, kw_only=True)
class Battery:
    """``values.battery`` of a heartbeat."""

    soc: float | None = None  # %
    capacity: float | None = None  # mAh
    voltage: float | None = None  # mV
    healthy: float | None = None  # %
    charge_current: float | None = None  # mA
    charge_status: int | None = None  # 0 = not charging
    charge_voltage: float | None = None  # mV
    power_good: int | None = None  # 0 = no external power
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def charging(self) -> bool | None:
        """Whether the battery charges, when the camera says."""
        return None if self.charge_status is None else self.charge_status != 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Gps:
    """``values.gps`` of a heartbeat (the camera sends strings)."""

    latitude: float | None = None
    longitude: float | None = None
    altitude: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def has_fix(self) -> bool:
        """Whether this is a usable position (0,0 is what a camera without fix sends)."""
        if self.latitude is None or self.longitude is None:
            return False
        if self.latitude == 0 and self.longitude == 0:
            return False
        return -90 <= self.latitude <= 90 and -180 <= self.longitude <= 180


@dataclass(frozen=True, slots=True, kw_only=True)
class Cellular:
    """``values.cellular`` of a heartbeat."""

    connect_status: str | None = None
    sim_status: str | None = None
    signal_strength: int | None = None  # dBm; the camera's 0 (unknown) becomes None
    imei: str | None = None
    imsi: str | None = None
    iccid: str | None = None
    ip_address: str | None = None
    subnet_mask: str | None = None
    gateway: str | None = None
    dns: str | None = None
    data_monthly: int | None = None  # bytes (NOTES.md: heartbeat sends bytes)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class SensorReadings:
    """``values.sensor`` of a heartbeat."""

    laf: float | None = None  # dBA
    temperature: float | None = None  # °C
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class Uplink:
    """Fields every uplink has."""

    mac: str
    device_name: str | None = None
    timestamp: datetime | None = None  # message time, from ``ts``
    extra: dict[str, Any] = field(default_factory=dict)
    invalid_fields: tuple[str, ...] = ()  # present but unusable, dropped


@dataclass(frozen=True, slots=True, kw_only=True)
class Heartbeat(Uplink):
    """A heartbeat (status) uplink."""

    battery: Battery | None = None
    gps: Gps | None = None
    cellular: Cellular | None = None
    sensor: SensorReadings | None = None
    storage_used: float | None = None  # % of the SD card in use


@dataclass(frozen=True, slots=True, kw_only=True)
class Snapshot(Uplink):
    """A snapshot uplink, the image decoded."""

    snap_type: str | None = None  # raw text, as sent
    trigger: TriggerType = TriggerType.OTHER
    trigger_value: float | str | None = None
    file: str | None = None
    capture_time: datetime | None = None  # from ``time`` (seconds)
    declared_size: int | None = None  # ``imageSize``
    image: bytes | None = None
    mime_type: str | None = None
    image_error: str | None = None  # why ``image`` is None although one was sent
    late: bool = False  # taken long before it arrived (a backlog): no news

    def camera_time(self, received: datetime) -> datetime | None:
        """When the camera says it took the picture (its capture time, else its
        message time), when plausible: a set clock (one never set says 1970), not
        ahead of the picture's arrival (``received``)."""
        for moment in (self.capture_time, self.timestamp):
            if moment is not None and CLOCK_SET <= moment <= received + CLOCK_AHEAD:
                return moment
        return None

    @property
    def size_mismatch(self) -> bool:
        """Whether the decoded image differs from the size the camera declared."""
        return (
            self.image is not None
            and self.declared_size is not None
            and self.declared_size != len(self.image)
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Alarm(Uplink):
    """An alarm uplink."""

    text: str | None = None  # raw text, as sent
    alarm_type: AlarmType = AlarmType.OTHER


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfigureResponse:
    """An answer on the configure response topic."""

    mac: str
    api: str
    device_name: str | None = None
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def code(self) -> int | None:
        """The result code of a ``set.*``/``cmd.*`` answer (None for ``get.*`` data)."""
        return as_int(self.data.get("code"))

    @property
    def result(self) -> str | None:
        """The result text of a ``set.*``/``cmd.*`` answer."""
        value = self.data.get("result")
        return value if isinstance(value, str) else None

    @property
    def ok(self) -> bool:
        """False only when the camera answered with a non-zero code."""
        code = self.code
        return code is None or code == 0
