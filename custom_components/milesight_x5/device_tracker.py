"""The camera's GPS position, added once the camera reports a fix."""

from __future__ import annotations

from typing import Any

from homeassistant.components.device_tracker import SourceType, TrackerEntity
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import Gps
from .coordinator import X5ConfigEntry
from .entity import X5Entity
from .state import Part

PARALLEL_UPDATES = 0

LOCATION = EntityDescription(key="location", translation_key="location")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: X5ConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the tracker now if the camera has a fix, else on its first fix."""
    coordinator = entry.runtime_data

    added = False

    @callback
    def _add_on_first_fix() -> None:
        nonlocal added
        hb = coordinator.data.heartbeat
        if added or hb is None or hb.gps is None or not hb.gps.has_fix:
            return
        added = True
        async_add_entities([X5Tracker(coordinator, LOCATION)])

    _add_on_first_fix()
    if not added:
        entry.async_on_unload(
            coordinator.async_add_listener(
                _add_on_first_fix, frozenset({Part.HEARTBEAT})
            )
        )


class X5Tracker(X5Entity, TrackerEntity):
    """Where the camera is, from the heartbeat's GPS; keeps the last fix."""

    _attr_source_type = SourceType.GPS
    _attr_location_accuracy = 0
    _fix: Gps | None = None

    def _shown(self) -> Any:
        return (self.latitude, self.longitude)

    @property
    def _gps(self) -> Gps | None:
        hb = self.coordinator.data.heartbeat
        if hb is not None and hb.gps is not None and hb.gps.has_fix:
            self._fix = hb.gps
        return self._fix

    @property
    def latitude(self) -> float | None:
        """Latitude of the last fix."""
        return gps.latitude if (gps := self._gps) else None

    @property
    def longitude(self) -> float | None:
        """Longitude of the last fix."""
        return gps.longitude if (gps := self._gps) else None
