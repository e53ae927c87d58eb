"""Binary sensors: reachability (watchdog), charging, external power."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import X5ConfigEntry, X5Coordinator
from .entity import X5Entity
from .state import Part, X5State

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class X5BinarySensorEntityDescription(BinarySensorEntityDescription):
    """A binary sensor, with how to read it from the camera's state."""

    value_fn: Callable[[X5State], bool | None]
    parts: frozenset[Part] = frozenset({Part.HEARTBEAT})  # what value_fn reads
    measured: bool = False  # goes stale: unavailable while unreachable


def _charging(state: X5State) -> bool | None:
    return state.battery.charging if state.battery is not None else None


def _power_good(state: X5State) -> bool | None:
    battery = state.battery
    if battery is None or battery.power_good is None:
        return None
    return battery.power_good != 0


BINARY_SENSORS: tuple[X5BinarySensorEntityDescription, ...] = (
    X5BinarySensorEntityDescription(
        key="connectivity",
        device_class=BinarySensorDeviceClass.CONNECTIVITY,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda state: state.reachable,
        # The heartbeat interval the watchdog waits for is a setting.
        parts=frozenset({Part.REACHABILITY, Part.SETTINGS}),
    ),
    X5BinarySensorEntityDescription(
        key="charging",
        device_class=BinarySensorDeviceClass.BATTERY_CHARGING,
        value_fn=_charging,
        measured=True,
    ),
    X5BinarySensorEntityDescription(
        key="power_good",
        translation_key="power_good",
        device_class=BinarySensorDeviceClass.PLUG,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=_power_good,
        measured=True,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: X5ConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the camera's binary sensors."""
    coordinator = entry.runtime_data
    async_add_entities(
        X5BinarySensor(coordinator, description) for description in BINARY_SENSORS
    )


class X5BinarySensor(X5Entity, BinarySensorEntity):
    """A binary sensor reading the camera's state."""

    entity_description: X5BinarySensorEntityDescription

    def __init__(
        self, coordinator: X5Coordinator, description: X5BinarySensorEntityDescription
    ) -> None:
        """A binary sensor hears of the parts its value is read from."""
        super().__init__(
            coordinator, description, description.parts, measured=description.measured
        )

    def _shown(self) -> bool | None:
        return self.is_on

    @property
    def is_on(self) -> bool | None:
        """On, off, or None (unknown) while the camera has not said."""
        return self.entity_description.value_fn(self.coordinator.data)
