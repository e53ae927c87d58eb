"""Switches: the camera's on/off settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import Setting
from .coordinator import X5ConfigEntry
from .entity import X5SettingDescription, X5SettingEntity, flag

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class X5SwitchEntityDescription(SwitchEntityDescription, X5SettingDescription):
    """A switch over one 0/1 setting."""


def _switch(
    key: str,
    group: str,
    *path: str,
    as_text: bool = False,
    category: EntityCategory | None = EntityCategory.CONFIG,
    off_cuts_link: bool = False,
    expert: bool = False,
) -> X5SwitchEntityDescription:
    """A 0/1 setting; ``off_cuts_link``: off leaves HA unable to reach the camera;
    ``expert``: debugging and testing settings, off by default."""
    setting = Setting(group, path, as_text=as_text)
    return X5SwitchEntityDescription(
        key=key,
        translation_key=key,
        entity_category=category,
        setting=setting,
        value_fn=flag(setting),
        cuts_link=(lambda value: value == 0) if off_cuts_link else None,
        entity_registry_enabled_default=not (off_cuts_link or expert),
    )


CAPTURE, TRIGGER, SENSOR = "capture.info", "triggerConfig", "sensorConditions"

SWITCHES: tuple[X5SwitchEntityDescription, ...] = (
    _switch("noise_trigger", CAPTURE, TRIGGER, SENSOR, "lafDetect", category=None),
    _switch(
        "temperature_trigger", CAPTURE, TRIGGER, SENSOR, "tempDetect", category=None
    ),
    _switch("motion_trigger", CAPTURE, TRIGGER, "sourceEnable", category=None),
    _switch("sensor_trigger", CAPTURE, TRIGGER, "BySensor"),
    _switch("digital_input_trigger", CAPTURE, TRIGGER, "ByDI"),
    _switch("timed_capture", CAPTURE, "timedCapture"),
    _switch("debug_capture", CAPTURE, "debugCapture", expert=True),
    _switch("algorithm_validation", CAPTURE, "algoEnable", expert=True),
    _switch("indicator", CAPTURE, TRIGGER, "indicator"),
    _switch("post_snapshot", CAPTURE, "snapshotEnable"),
    _switch("post_alarm", CAPTURE, "alarmEnable"),
    _switch(
        "post_heartbeat", CAPTURE, "statusEnable", as_text=True, off_cuts_link=True
    ),
    _switch("delete_after_post", CAPTURE, "postDelete", expert=True),
    _switch("heartbeat_test_mode", CAPTURE, "heartTestMode", expert=True),
    _switch("wake_by_mqtt", "wakeup.info", "wakeupByMQTT", off_cuts_link=True),
    _switch("timestamp_overlay", "image.info", "showTimestamp"),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: X5ConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the camera's setting switches."""
    coordinator = entry.runtime_data
    async_add_entities(X5Switch(coordinator, description) for description in SWITCHES)


class X5Switch(X5SettingEntity, SwitchEntity):
    """A camera setting that is on or off."""

    entity_description: X5SwitchEntityDescription

    @property
    def is_on(self) -> bool | None:
        """The camera's value (unknown until read), or the change waiting for it."""
        value: bool | None = self._value
        return value

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Switch the setting on (queued while the camera sleeps)."""
        await self._async_write(1, True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Switch the setting off (queued while the camera sleeps)."""
        await self._async_write(0, False)
