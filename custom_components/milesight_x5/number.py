"""Numbers: the camera's thresholds and intervals, with the guide's ranges."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.components.number import (
    NumberDeviceClass,
    NumberEntity,
    NumberEntityDescription,
    NumberMode,
)
from homeassistant.const import (
    EntityCategory,
    UnitOfSoundPressure,
    UnitOfTemperature,
    UnitOfTime,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import Setting
from .coordinator import X5ConfigEntry
from .entity import X5SettingDescription, X5SettingEntity, number

PARALLEL_UPDATES = 1

CAPTURE, TRIGGER, SENSOR = "capture.info", "triggerConfig", "sensorConditions"


@dataclass(frozen=True, kw_only=True)
class X5NumberEntityDescription(NumberEntityDescription, X5SettingDescription):
    """A number over one numeric setting."""


def _number(
    key: str,
    path: tuple[str, ...],
    low: float,
    high: float,
    unit: str,
    *,
    device_class: NumberDeviceClass | None = None,
    as_text: bool = False,
    group: str = CAPTURE,
    expert: bool = False,
) -> X5NumberEntityDescription:
    setting = Setting(group, path, as_text=as_text)
    return X5NumberEntityDescription(
        key=key,
        translation_key=key,
        entity_category=EntityCategory.CONFIG,
        native_min_value=low,
        native_max_value=high,
        native_step=1,
        native_unit_of_measurement=unit,
        device_class=device_class,
        mode=NumberMode.BOX,
        entity_registry_enabled_default=not expert,
        setting=setting,
        value_fn=number(setting),
    )


DBA = UnitOfSoundPressure.WEIGHTED_DECIBEL_A
CELSIUS = UnitOfTemperature.CELSIUS
SOUND, TEMP = NumberDeviceClass.SOUND_PRESSURE, NumberDeviceClass.TEMPERATURE
MINUTES, HOURS, SECONDS = UnitOfTime.MINUTES, UnitOfTime.HOURS, UnitOfTime.SECONDS
DURATION = NumberDeviceClass.DURATION

NUMBERS: tuple[X5NumberEntityDescription, ...] = (
    _number("noise_threshold_min", (TRIGGER, SENSOR, "lafThre"), 31, 120, DBA, device_class=SOUND),
    _number("noise_threshold_max", (TRIGGER, SENSOR, "lafLimitThre"), 31, 120, DBA, device_class=SOUND),
    _number("temperature_threshold_min", (TRIGGER, SENSOR, "tempThre"), -100, 100, CELSIUS, device_class=TEMP, as_text=True),
    _number("temperature_threshold_max", (TRIGGER, SENSOR, "tempLimitThre"), -100, 100, CELSIUS, device_class=TEMP, as_text=True),
    _number("trigger_interval", (TRIGGER, "interval"), 1, 60, SECONDS, device_class=DURATION),
    _number("noise_interval", (TRIGGER, SENSOR, "lafInterval"), 1, 60, MINUTES, device_class=DURATION),
    _number("temperature_interval", (TRIGGER, SENSOR, "tempInterval"), 1, 60, MINUTES, device_class=DURATION),
    _number("heartbeat_interval", ("heartInterval",), 1, 72, HOURS, device_class=DURATION),
    _number("heartbeat_test_interval", ("heartTestInterval",), 1, 4320, MINUTES, device_class=DURATION, expert=True),
    _number("low_power_heartbeat_interval", ("heartLpowerInterval",), 24, 72, HOURS, device_class=DURATION),
)  # fmt: skip


async def async_setup_entry(
    hass: HomeAssistant,
    entry: X5ConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the camera's numeric settings."""
    coordinator = entry.runtime_data
    async_add_entities(X5Number(coordinator, description) for description in NUMBERS)


class X5Number(X5SettingEntity, NumberEntity):
    """A numeric camera setting."""

    entity_description: X5NumberEntityDescription

    @property
    def native_value(self) -> float | None:
        """The camera's value (unknown until read), or the change waiting for it."""
        value: float | None = self._value
        return value

    async def async_set_native_value(self, value: float) -> None:
        """Write the value (whole numbers, as the camera takes them)."""
        await self._async_write(round(value), round(value))
