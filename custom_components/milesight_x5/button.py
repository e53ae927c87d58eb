"""Buttons: reboot, snapshot now, wake, check for firmware, refresh the settings,
format the SD card."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.button import (
    ButtonDeviceClass,
    ButtonEntity,
    ButtonEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import X5ConfigEntry, X5Coordinator
from .entity import X5Entity
from .errors import async_run
from .state import Part

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class X5ButtonEntityDescription(ButtonEntityDescription):
    """A button, with what pressing it sends."""

    press_fn: Callable[[X5Coordinator], Awaitable[Any]]


BUTTONS: tuple[X5ButtonEntityDescription, ...] = (
    X5ButtonEntityDescription(
        key="reboot",
        device_class=ButtonDeviceClass.RESTART,
        entity_category=EntityCategory.CONFIG,
        press_fn=lambda c: c.commands.async_command("cmd.reboot"),
    ),
    X5ButtonEntityDescription(
        key="snapshot_now",
        translation_key="snapshot_now",
        press_fn=lambda c: c.commands.async_command("cmd.snapshot"),
    ),
    X5ButtonEntityDescription(
        key="wake",
        translation_key="wake",
        press_fn=lambda c: c.commands.async_wake(),
    ),
    X5ButtonEntityDescription(
        key="check_firmware",
        translation_key="check_firmware",
        entity_category=EntityCategory.DIAGNOSTIC,
        press_fn=lambda c: c.commands.async_command("upgrade.check"),
    ),
    X5ButtonEntityDescription(
        key="refresh_settings",
        translation_key="refresh_settings",
        entity_category=EntityCategory.DIAGNOSTIC,
        press_fn=lambda c: c.settings_reader.async_refresh(),
    ),
    X5ButtonEntityDescription(
        key="format_sd_card",
        translation_key="format_sd_card",
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=False,  # destructive
        press_fn=lambda c: c.commands.async_command("cmd.sd.format"),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: X5ConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the camera's buttons."""
    coordinator = entry.runtime_data
    async_add_entities(X5Button(coordinator, description) for description in BUTTONS)


class X5Button(X5Entity, ButtonEntity):
    """Sends one command when pressed (waking the camera first if needed)."""

    _parts: frozenset[Part] = frozenset()  # shows nothing of the camera's state

    entity_description: X5ButtonEntityDescription

    async def async_press(self) -> None:
        """Send the command."""
        await async_run(
            self.entity_description.press_fn(self.coordinator),
            self.coordinator.config_entry.title,
        )
