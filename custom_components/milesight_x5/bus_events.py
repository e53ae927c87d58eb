"""Events on Home Assistant's bus: one per live alarm and capture of a camera.

Device triggers and blueprints listen to them. They come from the same live
messages as the event entities (never a broker's replay, a reload or a restart),
also while those entities are disabled, and carry what the event entity's
attributes say, with the camera's ``device_id`` and the ``type`` (``low_power``,
``pir``...).
"""

from __future__ import annotations

from functools import partial
from typing import Final

from homeassistant.const import ATTR_DEVICE_ID, CONF_TYPE
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr

from .api import Alarm, Snapshot
from .const import DOMAIN, EVENT_ALARM, EVENT_CAPTURE
from .coordinator import X5Coordinator
from .dispatcher import MessageKind
from .event import EVENTS, X5EventEntityDescription

BUS_EVENT_TYPES: Final = {
    MessageKind.ALARM: EVENT_ALARM,
    MessageKind.SNAPSHOT: EVENT_CAPTURE,
}


@callback
def async_setup_bus_events(
    hass: HomeAssistant, coordinator: X5Coordinator
) -> CALLBACK_TYPE:
    """Fire a bus event for each live alarm and capture; return the undo."""
    removers = [
        coordinator.async_add_event_listener(
            description.kind, partial(_async_fire, hass, coordinator, description)
        )
        for description in EVENTS
    ]

    @callback
    def _remove() -> None:
        for remove in removers:
            remove()

    return _remove


@callback
def _async_fire(
    hass: HomeAssistant,
    coordinator: X5Coordinator,
    description: X5EventEntityDescription,
    occurrence: Alarm | Snapshot,
) -> None:
    if isinstance(occurrence, Snapshot) and occurrence.late:
        return  # a backlog picture is no news: no trigger, no notification
    if (device_id := camera_device_id(hass, coordinator)) is None:
        return  # no device (yet): nothing could be listening for it
    event_type, data = description.event_fn(occurrence, coordinator)
    hass.bus.async_fire(
        BUS_EVENT_TYPES[description.kind],
        {ATTR_DEVICE_ID: device_id, CONF_TYPE: event_type, **data},
    )


def camera_device_id(hass: HomeAssistant, coordinator: X5Coordinator) -> str | None:
    """The id of the camera's device in the device registry."""
    registry = dr.async_get(hass)
    for device in dr.async_entries_for_config_entry(
        registry, coordinator.config_entry.entry_id
    ):
        if (DOMAIN, coordinator.mac) in device.identifiers:
            return device.id
    return None
