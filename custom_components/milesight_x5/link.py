"""What the command path needs of its camera: a narrow interface, not the coordinator.

The command path (:mod:`.commands`, :mod:`.reach`, :mod:`.settings_reader`) reads
the camera's state and hands answers back through this interface, so it never
imports the coordinator (which owns it): the layers point one way.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Protocol

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant

from .state import Part, X5State


class CameraLink(Protocol):
    """One camera as the command path sees it (the coordinator is one)."""

    hass: HomeAssistant
    mac: str
    data: X5State

    @property
    def config_entry(self) -> ConfigEntry[Any]:
        """The camera's config entry (options, background tasks, reauth)."""

    @property
    def watchdog_timeout(self) -> timedelta:
        """Silence after which the camera counts as unreachable."""

    def async_update_parts(self, *parts: Part) -> None:
        """Tell the entities showing ``parts`` that they changed."""

    def async_save_later(self) -> None:
        """Write the camera's state soon."""

    def store_settings(self, name: str, data: dict[str, Any]) -> None:
        """Keep a ``get.*`` (or ``upgrade.check``) answer as the camera gave it."""

    def async_heard(self) -> None:
        """The camera answered over HTTP: it is awake now."""

    async def async_take_picture(self, image: bytes) -> None:
        """A picture from an HTTP ``cmd.snapshot`` answer: shown like an uplink."""
