"""Event entities: alarms and snapshot captures, for automations."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import Alarm, AlarmType, Snapshot, TriggerType
from .coordinator import X5ConfigEntry, X5Coordinator, X5State
from .entity import X5Entity

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class X5EventEntityDescription(EventEntityDescription):
    """An event entity, with how to read the latest occurrence from the state."""

    latest_fn: Callable[[X5State], Alarm | Snapshot | None]
    event_fn: Callable[[Any], tuple[str, dict[str, Any]]]


def _alarm_event(alarm: Alarm) -> tuple[str, dict[str, Any]]:
    return alarm.alarm_type.value, {"text": alarm.text}


def _snapshot_event(snapshot: Snapshot) -> tuple[str, dict[str, Any]]:
    return snapshot.trigger.value, {
        "snap_type": snapshot.snap_type,
        "trigger_value": snapshot.trigger_value,
        "file": snapshot.file,
        "capture_time": snapshot.capture_time.isoformat()
        if snapshot.capture_time
        else None,
    }


EVENTS: tuple[X5EventEntityDescription, ...] = (
    X5EventEntityDescription(
        key="alarm",
        translation_key="alarm",
        event_types=[alarm.value for alarm in AlarmType],
        latest_fn=lambda state: state.alarm,
        event_fn=_alarm_event,
    ),
    X5EventEntityDescription(
        key="capture",
        translation_key="capture",
        event_types=[trigger.value for trigger in TriggerType],
        latest_fn=lambda state: state.snapshot,
        event_fn=_snapshot_event,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: X5ConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the camera's event entities."""
    coordinator = entry.runtime_data
    async_add_entities(X5Event(coordinator, description) for description in EVENTS)


class X5Event(X5Entity, EventEntity):
    """Fires when the camera sends a new alarm or snapshot."""

    entity_description: X5EventEntityDescription

    def __init__(
        self, coordinator: X5Coordinator, description: X5EventEntityDescription
    ) -> None:
        """Remember the latest occurrence already known, so it does not fire again."""
        super().__init__(coordinator, description)
        self._latest = description.latest_fn(coordinator.data)

    @callback
    def _handle_coordinator_update(self) -> None:
        latest = self.entity_description.latest_fn(self.coordinator.data)
        if latest is None or latest is self._latest:
            return
        self._latest = latest
        event_type, data = self.entity_description.event_fn(latest)
        self._trigger_event(event_type, data)
        self.async_write_ha_state()
