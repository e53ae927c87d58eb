"""The latest good picture as a camera (still images, no stream).

The same picture as the image entity, for what needs a camera: picture cards,
HomeKit, ``camera.snapshot``. A sleeping camera is normal: the entity stays
available and shows the last picture.
"""

from __future__ import annotations

from homeassistant.components.camera import Camera
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import MANUFACTURER, MODEL
from .coordinator import X5ConfigEntry, X5Coordinator
from .entity import X5Entity
from .state import Part

PARALLEL_UPDATES = 0

CAMERA = EntityDescription(key="camera", translation_key="camera", name=None)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: X5ConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the camera's still-image camera."""
    async_add_entities([X5Camera(entry.runtime_data)])


class X5Camera(X5Entity, Camera):
    """The device's main entity, named after it: its latest good picture."""

    _attr_brand = MANUFACTURER
    _attr_model = MODEL
    # Its state (idle) never changes: pictures are fetched, not written.
    _parts: frozenset[Part] = frozenset()

    def __init__(self, coordinator: X5Coordinator) -> None:
        """Bind the camera to its coordinator."""
        X5Entity.__init__(self, coordinator, CAMERA)
        Camera.__init__(self)

    async def async_camera_image(
        self, width: int | None = None, height: int | None = None
    ) -> bytes | None:
        """The latest good picture, as the camera sent it (no scaling)."""
        snapshot = self.coordinator.data.snapshot
        if snapshot is None or snapshot.image is None:
            return None
        self.content_type = snapshot.mime_type or "image/jpeg"
        return snapshot.image
