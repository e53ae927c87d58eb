"""The one base entity of the integration."""

from __future__ import annotations

from homeassistant.helpers.device_registry import CONNECTION_NETWORK_MAC, DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .api import format_mac
from .const import DOMAIN, MANUFACTURER, MODEL
from .coordinator import X5Coordinator


class X5Entity(CoordinatorEntity[X5Coordinator]):
    """A camera entity: one device per camera, named by translation key.

    Sleeping is normal for this camera: entities stay available and keep their last
    value; reachability is the connectivity binary sensor's business.
    """

    _attr_has_entity_name = True

    def __init__(
        self, coordinator: X5Coordinator, description: EntityDescription
    ) -> None:
        """Bind the entity to its camera and description."""
        super().__init__(coordinator)
        self.entity_description = description
        mac = coordinator.mac
        self._attr_unique_id = f"{mac}_{description.key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, mac)},
            connections={(CONNECTION_NETWORK_MAC, format_mac(mac))},
            manufacturer=MANUFACTURER,
            model=MODEL,
            name=coordinator.config_entry.title,
            serial_number=mac,
        )
