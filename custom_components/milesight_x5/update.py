"""Firmware: installed vs offered by ``upgrade.check``, installed with ``upgrade.online``."""

from __future__ import annotations

from typing import Any

from homeassistant.components.update import (
    UpdateDeviceClass,
    UpdateEntity,
    UpdateEntityDescription,
    UpdateEntityFeature,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api.coerce import as_int, as_str
from .coordinator import X5ConfigEntry
from .entity import X5Entity
from .state import Part

PARALLEL_UPDATES = 1

FIRMWARE = UpdateEntityDescription(
    key="firmware",
    device_class=UpdateDeviceClass.FIRMWARE,
    entity_category=EntityCategory.CONFIG,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: X5ConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the camera's firmware entity."""
    async_add_entities([X5Firmware(entry.runtime_data, FIRMWARE)])


class X5Firmware(X5Entity, UpdateEntity):
    """The camera's firmware; installable when the camera offers an image URL."""

    _parts = frozenset({Part.SETTINGS})

    def _shown(self) -> Any:
        return (
            self.installed_version,
            self.latest_version,
            self.supported_features,
            self.release_summary,
            self.in_progress,
        )

    @property
    def _check(self) -> dict[str, Any]:
        return self.coordinator.data.settings.get("upgrade.check", {})

    @property
    def supported_features(self) -> UpdateEntityFeature:
        """Installable only when the camera offers an image URL."""
        if self._check.get("url") and as_int(self._check.get("updateState")) == 1:
            return UpdateEntityFeature.INSTALL | UpdateEntityFeature.PROGRESS
        return UpdateEntityFeature.PROGRESS

    @property
    def in_progress(self) -> bool:
        """From the camera's acceptance until it reports the new version (meanwhile
        Home Assistant refuses another install)."""
        return self.coordinator.data.install_version is not None

    @property
    def installed_version(self) -> str | None:
        """The version the camera runs (``get.login.info`` software)."""
        return self.coordinator.firmware_version

    @property
    def latest_version(self) -> str | None:
        """The version ``upgrade.check`` offers, or the installed one when up to date."""
        check = self._check
        if as_int(check.get("updateState")) == 1:
            return as_str(check.get("softversion"))
        return self.installed_version

    @property
    def release_summary(self) -> str | None:
        """The camera's description of the offered firmware."""
        summary = as_str(self._check.get("description"))
        return summary[:255] if summary else None

    async def async_install(
        self, version: str | None, backup: bool, **kwargs: Any
    ) -> None:
        """Ask the camera to download and install the offered image."""
        await self._async_command("upgrade.online", {"url": self._check.get("url", "")})
