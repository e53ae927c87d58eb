"""The latest snapshot as an image entity."""

from __future__ import annotations

from homeassistant.components.image import ImageEntity, ImageEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import X5ConfigEntry, X5Coordinator
from .entity import X5Entity
from .state import Part

PARALLEL_UPDATES = 0

SNAPSHOT = ImageEntityDescription(key="snapshot", translation_key="snapshot")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: X5ConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the camera's snapshot image."""
    async_add_entities([X5SnapshotImage(hass, entry.runtime_data)])


class X5SnapshotImage(X5Entity, ImageEntity):
    """The last good snapshot; a snapshot with a bad image keeps the previous one."""

    _parts = frozenset({Part.SNAPSHOT})

    def __init__(self, hass: HomeAssistant, coordinator: X5Coordinator) -> None:
        """Set up the image from what the camera sent last (or restored)."""
        X5Entity.__init__(self, coordinator, SNAPSHOT)
        ImageEntity.__init__(self, hass)
        self._image: bytes | None = None
        self._update_from_state()

    def _update_from_state(self) -> bool:
        """Take a new image from the state; return whether it changed."""
        snapshot = self.coordinator.data.snapshot
        image = snapshot.image if snapshot is not None else None
        if snapshot is None or image is None or image is self._image:
            return False
        self._image = image
        self._attr_content_type = snapshot.mime_type or "image/jpeg"
        # When Home Assistant received it: the camera's clock may be wrong.
        self._attr_image_last_updated = self.coordinator.data.snapshot_at
        return True

    @callback
    def _handle_coordinator_update(self) -> None:
        if self._update_from_state():
            self.async_write_ha_state()

    async def async_image(self) -> bytes | None:
        """Return the snapshot's bytes."""
        return self._image
