"""Event entities: alarms and snapshot captures, for automations."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import Alarm, AlarmType, Snapshot, TriggerType
from .const import MEDIA_SOURCE_PREFIX
from .coordinator import X5ConfigEntry, X5Coordinator
from .dispatcher import MessageKind
from .entity import X5Entity
from .state import Part
from .view import async_signed_picture_path

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class X5EventEntityDescription(EventEntityDescription):
    """An event entity: which messages fire it, and what each one says."""

    kind: MessageKind
    event_fn: Callable[[Any, X5Coordinator], tuple[str, dict[str, Any]]]


def _alarm_event(
    alarm: Alarm, _coordinator: X5Coordinator
) -> tuple[str, dict[str, Any]]:
    return alarm.alarm_type.value, {
        "text": alarm.text,
        "camera_time": alarm.timestamp.isoformat() if alarm.timestamp else None,
    }


def _snapshot_event(
    snapshot: Snapshot, coordinator: X5Coordinator
) -> tuple[str, dict[str, Any]]:
    """The capture, and where its picture is kept (None: the picture was not kept,
    for it was not a whole one or could not be written)."""
    picture = coordinator.last_picture if snapshot.image is not None else None
    entry_id = coordinator.config_entry.entry_id
    return snapshot.trigger.value, {
        "snap_type": snapshot.snap_type,
        "trigger_value": snapshot.trigger_value,
        "file": snapshot.file,
        "capture_time": snapshot.capture_time.isoformat()
        if snapshot.capture_time
        else None,
        # Taken long before it arrived (a backlog): no device trigger fires for it.
        "late": snapshot.late,
        "media_content_id": f"{MEDIA_SOURCE_PREFIX}/{entry_id}/{picture.name}"
        if picture
        else None,
        # Signed: a notification can fetch it without a login, for a day.
        "picture_url": async_signed_picture_path(coordinator.hass, entry_id, picture)
        if picture
        else None,
    }


EVENTS: tuple[X5EventEntityDescription, ...] = (
    X5EventEntityDescription(
        key="alarm",
        translation_key="alarm",
        event_types=[alarm.value for alarm in AlarmType],
        kind=MessageKind.ALARM,
        event_fn=_alarm_event,
    ),
    X5EventEntityDescription(
        key="capture",
        translation_key="capture",
        event_types=[trigger.value for trigger in TriggerType],
        kind=MessageKind.SNAPSHOT,
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
    """Fires for each live alarm or snapshot; never for a replayed one or a restart."""

    entity_description: X5EventEntityDescription
    _parts: frozenset[Part] = frozenset()  # fired by messages, not by the state
    # A signed URL is for the notification of this event, not for the recorder.
    _unrecorded_attributes = frozenset({"picture_url"})

    async def async_added_to_hass(self) -> None:
        """Listen to the camera's live messages of this kind."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.coordinator.async_add_event_listener(
                self.entity_description.kind, self._async_occurred
            )
        )

    @callback
    def _async_occurred(self, occurrence: Alarm | Snapshot) -> None:
        event_type, data = self.entity_description.event_fn(
            occurrence, self.coordinator
        )
        self._trigger_event(event_type, data)
        self.async_write_ha_state()
