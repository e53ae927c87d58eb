"""The one base entity of the integration, and the base of settings entities."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.core import callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.device_registry import CONNECTION_NETWORK_MAC, DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .api import Setting, format_mac
from .api.coerce import as_int, as_number
from .const import DOMAIN, MANUFACTURER, MODEL
from .coordinator import X5Coordinator
from .errors import async_run
from .state import Part, X5State


class X5Entity(CoordinatorEntity[X5Coordinator]):
    """A camera entity: one device per camera, named by translation key.

    Sleeping is normal for this camera: entities stay available and keep their last
    value. A measurement (battery, noise, temperature, signal, ...) is honest about
    its age: once the watchdog calls the camera unreachable it is unavailable, and
    the camera's next message brings it back. Settings, counters and pictures (each
    dated) stay.
    """

    _attr_has_entity_name = True
    # The parts of the camera's state the entity shows: it hears of no other change.
    _parts: frozenset[Part] = frozenset({Part.HEARTBEAT})

    def __init__(
        self,
        coordinator: X5Coordinator,
        description: EntityDescription,
        parts: frozenset[Part] | None = None,
        *,
        measured: bool = False,
    ) -> None:
        """Bind the entity to its camera and description (``parts``: what it shows,
        when other than its class's; ``measured``: a value that goes stale)."""
        parts = self._parts if parts is None else parts
        self._measured = measured
        if measured:
            parts = parts | {Part.REACHABILITY}
        super().__init__(coordinator, context=parts)
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
            sw_version=coordinator.firmware_version,
        )

    # --- write only what changed ---------------------------------------------------
    #
    # A camera message changes a few values. Only the entities showing its part of
    # the state hear about it (``_parts``); each says what it shows (``_shown``),
    # and its state is written only when that changed: a heartbeat asks its ~20
    # sensors and writes the ~10 values it moved, not 60 states.

    _last_shown: Any = None

    def _shown(self) -> Any:
        """What the entity shows from the camera's state (compared, not written)."""
        return None

    @property
    def available(self) -> bool:
        """A measurement is unavailable while the camera is called unreachable."""
        if self._measured and self.coordinator.data.reachable is False:
            return False
        return super().available

    async def async_added_to_hass(self) -> None:
        """Remember what the first state write shows."""
        await super().async_added_to_hass()
        self._last_shown = (self._shown(), self.available)

    @callback
    def _handle_coordinator_update(self) -> None:
        """Write the state only when what the entity shows changed."""
        shown = (self._shown(), self.available)
        if shown == self._last_shown:
            return
        self._last_shown = shown
        self.async_write_ha_state()

    async def _async_command(
        self, name: str, data: Mapping[str, Any] | None = None
    ) -> Any:
        """Send a command; errors reach the user translated."""
        return await async_run(
            self.coordinator.commands.async_command(name, data),
            self.coordinator.config_entry.title,
        )


# --- settings entities ---------------------------------------------------------------


def flag(setting: Setting) -> Callable[[X5State], bool | None]:
    """Read a 0/1 setting as a boolean."""

    def value(state: X5State) -> bool | None:
        raw = as_int(setting.read(state.settings))
        return None if raw is None else raw != 0

    return value


def number(setting: Setting) -> Callable[[X5State], float | None]:
    """Read a numeric setting (numbers may come as strings)."""

    def value(state: X5State) -> float | None:
        return as_number(setting.read(state.settings))

    return value


@dataclass(frozen=True, kw_only=True)
class X5SettingDescription(EntityDescription):
    """Where a settings entity's value lives, and how to read it from the state.

    ``cuts_link``: whether writing this raw value leaves Home Assistant unable to
    reach the camera over MQTT (heartbeat off, wake by MQTT off, Low Power mode).
    """

    setting: Setting
    value_fn: Callable[[X5State], Any]
    cuts_link: Callable[[Any], bool] | None = None


class X5SettingEntity(X5Entity):
    """An entity showing a camera setting; a change shows as pending until confirmed."""

    entity_description: X5SettingDescription
    _parts = frozenset({Part.SETTINGS})

    def _shown(self) -> Any:
        return self._value

    @property
    def _value(self) -> Any:
        """The change waiting for the camera, else the camera's value (None: unknown)."""
        description = self.entity_description
        pending = self.coordinator.data.pending
        if description.key in pending:
            return pending[description.key]
        return description.value_fn(self.coordinator.data)

    async def _async_write(self, value: Any, shown: Any) -> None:
        """Write ``value`` to the setting; show ``shown`` until the camera confirms.

        The lock-out guard: a value that cuts Home Assistant off from the camera is
        refused unless HTTP access (a way back) is configured.
        """
        description = self.entity_description
        coordinator = self.coordinator
        cuts_link = description.cuts_link
        if (
            cuts_link is not None
            and cuts_link(value)
            and coordinator.commands.http is None
        ):
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="lockout",
                translation_placeholders={
                    "name": coordinator.config_entry.title,
                    "entity": self.name
                    if isinstance(self.name, str)
                    else description.key,
                },
            )
        await async_run(
            coordinator.commands.async_set(
                description.key, description.setting, value, shown
            ),
            coordinator.config_entry.title,
        )
