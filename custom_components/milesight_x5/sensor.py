"""Sensors: the heartbeat's measurements, the last snapshot's trigger, today's counts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    PERCENTAGE,
    SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
    EntityCategory,
    UnitOfElectricCurrent,
    UnitOfElectricPotential,
    UnitOfInformation,
    UnitOfSoundPressure,
    UnitOfTemperature,
    UnitOfTime,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType

from .api import Battery, Cellular, SensorReadings, TriggerType
from .api.outlook import days_left
from .coordinator import X5ConfigEntry, X5Coordinator
from .copy_job import DONE, FAILED, PENDING
from .entity import X5Entity
from .state import Part, X5State

PARALLEL_UPDATES = 0

CONNECTION_OPTIONS = ["connected", "connecting", "disconnected"]
SIM_OPTIONS = ["valid", "invalid", "no_sim"]
# What the command path does: feedback while a command waits for a sleeping camera.
COMMAND_STATUS_OPTIONS = ["idle", "waking", "sending", "restarting", "done", "failed"]


def connection_state(text: str | None) -> str | None:
    """Map ``connectStatus`` ("4G Connected", "0"/"1") to a stable state."""
    if text is None:
        return None
    lowered = text.lower()
    if "disconnect" in lowered or lowered == "0":
        return "disconnected"
    if "connecting" in lowered or "dial" in lowered:
        return "connecting"
    if "connect" in lowered or lowered == "1":
        return "connected"
    return None


def sim_state(text: str | None) -> str | None:
    """Map ``simStatus`` ("Valid", or 0 no SIM / 1 invalid / 2 valid) to a stable state."""
    if text is None:
        return None
    lowered = text.lower().replace(" ", "")
    if lowered in {"2", "valid", "ready"}:
        return "valid"
    if lowered in {"1", "invalid"}:
        return "invalid"
    if lowered in {"0", "nosim", "notinserted", "absent"}:
        return "no_sim"
    return None


@dataclass(frozen=True, kw_only=True)
class X5SensorEntityDescription(SensorEntityDescription):
    """A sensor, with how to read its value from the camera's state."""

    value_fn: Callable[[X5State], StateType | datetime]
    attributes_fn: Callable[[X5State], dict[str, Any]] | None = None
    parts: frozenset[Part] = frozenset({Part.HEARTBEAT})  # what value_fn reads
    # A value that goes stale (unavailable while the camera is unreachable);
    # None: every measurement does.
    measured: bool | None = None


def _part[S, T](
    section: Callable[[X5State], S | None], read: Callable[[S], T]
) -> Callable[[X5State], T | None]:
    """Read a field of one heartbeat section; None while the camera has not sent it."""

    def value(state: X5State) -> T | None:
        part = section(state)
        return None if part is None else read(part)

    return value


def _battery(
    read: Callable[[Battery], float | None],
) -> Callable[[X5State], float | None]:
    return _part(lambda state: state.battery, read)


def _copy_attributes(state: X5State) -> dict[str, Any]:
    """Where the last settings copy came from, what it copied, and why it failed."""
    job = state.copy_job
    if job is None:
        return {}
    return {
        "source": job.source,
        "groups": job.groups,
        "reason": job.reason,
        "since": job.since,
    }


# Why a command waits, by what the command path does now.
_WAITING = {"waking": "asleep", "sending": "answer", "restarting": "restarting"}


def _command_attributes(state: X5State) -> dict[str, Any]:
    """The user's last command and why it waits or failed (translated values)."""
    reason = _WAITING.get(state.command_status, state.last_error)
    return {"command": state.last_command, "reason": reason}


def _cellular(read: Callable[[Cellular], StateType]) -> Callable[[X5State], StateType]:
    return _part(lambda state: state.cellular, read)


def _reading(
    read: Callable[[SensorReadings], float | None],
) -> Callable[[X5State], float | None]:
    return _part(lambda state: state.sensor, read)


def _millivolts(
    key: str, read: Callable[[Battery], float | None]
) -> X5SensorEntityDescription:
    """A battery voltage, sent in mV, shown in V."""
    return X5SensorEntityDescription(
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.VOLTAGE,
        native_unit_of_measurement=UnitOfElectricPotential.MILLIVOLT,
        suggested_unit_of_measurement=UnitOfElectricPotential.VOLT,
        suggested_display_precision=2,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=_battery(read),
    )


def _last_heartbeat(state: X5State) -> datetime | None:
    """When Home Assistant received it (the camera's clock may be wrong)."""
    return state.heartbeat_at


def _camera_time(state: X5State) -> dict[str, Any]:
    """What the camera's own clock said: kept, never trusted for the state."""
    heartbeat = state.heartbeat
    moment = heartbeat.timestamp if heartbeat is not None else None
    return {"camera_time": moment.isoformat() if moment else None}


def _trigger(state: X5State) -> str | None:
    return state.snapshot.trigger.value if state.snapshot is not None else None


DIAGNOSTIC = EntityCategory.DIAGNOSTIC


def _captures_of(trigger: TriggerType) -> Callable[[X5State], int]:
    return lambda state: state.today.captures.get(trigger, 0)


# Counts of the live messages of Home Assistant's local day: zero at midnight (a new
# cycle of a total_increasing sensor), kept across a restart on the same day.
TODAY = frozenset({Part.TODAY})
COUNTERS: tuple[X5SensorEntityDescription, ...] = (
    X5SensorEntityDescription(
        key="captures_today",
        translation_key="captures_today",
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=lambda state: state.today.captures_total,
        parts=TODAY,
    ),
    *(
        X5SensorEntityDescription(
            key=f"{trigger}_captures_today",
            translation_key=f"{trigger}_captures_today",
            state_class=SensorStateClass.TOTAL_INCREASING,
            entity_registry_enabled_default=False,
            value_fn=_captures_of(trigger),
            parts=TODAY,
        )
        for trigger in TriggerType
    ),
    X5SensorEntityDescription(
        key="alarms_today",
        translation_key="alarms_today",
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=lambda state: state.today.alarms,
        parts=TODAY,
    ),
    X5SensorEntityDescription(
        key="data_received_today",
        translation_key="data_received_today",
        device_class=SensorDeviceClass.DATA_SIZE,
        native_unit_of_measurement=UnitOfInformation.BYTES,
        suggested_unit_of_measurement=UnitOfInformation.MEGABYTES,
        suggested_display_precision=2,
        state_class=SensorStateClass.TOTAL_INCREASING,
        entity_category=DIAGNOSTIC,
        value_fn=lambda state: state.today.received,
        parts=TODAY,
    ),
)

SENSORS: tuple[X5SensorEntityDescription, ...] = (
    X5SensorEntityDescription(
        key="battery",
        device_class=SensorDeviceClass.BATTERY,
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=_battery(lambda b: b.soc),
    ),
    _millivolts("battery_voltage", lambda b: b.voltage),
    X5SensorEntityDescription(
        key="battery_capacity",
        translation_key="battery_capacity",
        native_unit_of_measurement="mAh",
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=DIAGNOSTIC,
        value_fn=_battery(lambda b: b.capacity),
    ),
    X5SensorEntityDescription(
        key="battery_health",
        translation_key="battery_health",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=DIAGNOSTIC,
        value_fn=_battery(lambda b: b.healthy),
    ),
    X5SensorEntityDescription(
        key="charge_current",
        translation_key="charge_current",
        device_class=SensorDeviceClass.CURRENT,
        native_unit_of_measurement=UnitOfElectricCurrent.MILLIAMPERE,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=_battery(lambda b: b.charge_current),
    ),
    _millivolts("charge_voltage", lambda b: b.charge_voltage),
    X5SensorEntityDescription(
        key="noise",
        translation_key="noise",
        device_class=SensorDeviceClass.SOUND_PRESSURE,
        native_unit_of_measurement=UnitOfSoundPressure.WEIGHTED_DECIBEL_A,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=_reading(lambda r: r.laf),
    ),
    X5SensorEntityDescription(
        key="temperature",
        device_class=SensorDeviceClass.TEMPERATURE,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=_reading(lambda r: r.temperature),
    ),
    X5SensorEntityDescription(
        key="signal_strength",
        device_class=SensorDeviceClass.SIGNAL_STRENGTH,
        native_unit_of_measurement=SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=DIAGNOSTIC,
        value_fn=_cellular(lambda c: c.signal_strength),
    ),
    X5SensorEntityDescription(
        key="cellular_status",
        translation_key="cellular_status",
        device_class=SensorDeviceClass.ENUM,
        options=CONNECTION_OPTIONS,
        entity_category=DIAGNOSTIC,
        value_fn=_cellular(lambda c: connection_state(c.connect_status)),
        measured=True,  # "connected" would be a claim about now
    ),
    X5SensorEntityDescription(
        key="sim_status",
        translation_key="sim_status",
        device_class=SensorDeviceClass.ENUM,
        options=SIM_OPTIONS,
        entity_category=DIAGNOSTIC,
        value_fn=_cellular(lambda c: sim_state(c.sim_status)),
    ),
    X5SensorEntityDescription(
        key="ip_address",
        translation_key="ip_address",
        entity_category=DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=_cellular(lambda c: c.ip_address),
    ),
    X5SensorEntityDescription(
        key="data_monthly",
        translation_key="data_monthly",
        device_class=SensorDeviceClass.DATA_SIZE,
        native_unit_of_measurement=UnitOfInformation.BYTES,
        suggested_unit_of_measurement=UnitOfInformation.MEGABYTES,
        suggested_display_precision=1,
        state_class=SensorStateClass.TOTAL_INCREASING,
        entity_category=DIAGNOSTIC,
        value_fn=_cellular(lambda c: c.data_monthly),
    ),
    X5SensorEntityDescription(
        key="data_plan_used",
        translation_key="data_plan_used",
        native_unit_of_measurement=PERCENTAGE,
        suggested_display_precision=0,
        state_class=SensorStateClass.MEASUREMENT,
        measured=False,  # this month's share: true while the camera sleeps
        value_fn=lambda state: state.data_plan_used,
        parts=frozenset({Part.HEARTBEAT}),
    ),
    X5SensorEntityDescription(
        key="storage_used",
        translation_key="storage_used",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=DIAGNOSTIC,
        value_fn=lambda s: s.heartbeat.storage_used if s.heartbeat else None,
    ),
    X5SensorEntityDescription(
        key="last_heartbeat",
        translation_key="last_heartbeat",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=DIAGNOSTIC,
        value_fn=_last_heartbeat,
        attributes_fn=_camera_time,
    ),
    *(
        X5SensorEntityDescription(
            key=key,
            translation_key=key,
            entity_category=DIAGNOSTIC,
            entity_registry_enabled_default=False,
            value_fn=_cellular(read),
        )
        for key, read in (
            ("imei", lambda c: c.imei),
            ("imsi", lambda c: c.imsi),
            ("iccid", lambda c: c.iccid),
        )
    ),
    X5SensorEntityDescription(
        key="command_status",
        translation_key="command_status",
        device_class=SensorDeviceClass.ENUM,
        options=COMMAND_STATUS_OPTIONS,
        # Not diagnostic: next to the buttons it says at once that a command
        # waits for a sleeping camera, and then how it ended and why.
        value_fn=lambda state: state.command_status,
        attributes_fn=_command_attributes,
        parts=frozenset({Part.COMMANDS}),
    ),
    X5SensorEntityDescription(
        key="battery_days_left",
        translation_key="battery_days_left",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.DAYS,
        suggested_display_precision=0,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda state: days_left(state.battery_log),
        parts=frozenset({Part.HEARTBEAT}),
    ),
    X5SensorEntityDescription(
        key="settings_copy",
        translation_key="settings_copy",
        device_class=SensorDeviceClass.ENUM,
        options=[PENDING, DONE, FAILED],
        entity_category=DIAGNOSTIC,
        value_fn=lambda state: state.copy_job.status if state.copy_job else None,
        attributes_fn=_copy_attributes,
        parts=frozenset({Part.COPY}),
    ),
    X5SensorEntityDescription(
        key="snapshot_trigger",
        translation_key="snapshot_trigger",
        device_class=SensorDeviceClass.ENUM,
        options=[trigger.value for trigger in TriggerType],
        value_fn=_trigger,
        parts=frozenset({Part.SNAPSHOT}),
    ),
    *COUNTERS,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: X5ConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the camera's sensors."""
    coordinator = entry.runtime_data
    async_add_entities(X5Sensor(coordinator, description) for description in SENSORS)


class X5Sensor(X5Entity, SensorEntity):
    """A sensor reading one field of the camera's state."""

    entity_description: X5SensorEntityDescription

    def __init__(
        self, coordinator: X5Coordinator, description: X5SensorEntityDescription
    ) -> None:
        """A sensor hears of the parts its value is read from."""
        measured = description.measured
        if measured is None:
            measured = description.state_class is SensorStateClass.MEASUREMENT
        super().__init__(coordinator, description, description.parts, measured=measured)

    def _shown(self) -> Any:
        return (self.native_value, self.extra_state_attributes)

    @property
    def native_value(self) -> StateType | datetime:
        """The field's value, or None (unknown) while the camera has not sent it."""
        return self.entity_description.value_fn(self.coordinator.data)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """More than the state, for the few sensors that have it."""
        if (attributes := self.entity_description.attributes_fn) is None:
            return None
        return attributes(self.coordinator.data)
