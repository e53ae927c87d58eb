"""Actions: wake, reboot, snapshot, and any catalogue command by name."""

from __future__ import annotations

import json
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv, device_registry as dr
import voluptuous as vol

from .api import BY_NAME, RequestKind
from .const import DOMAIN
from .coordinator import X5ConfigEntry, X5Coordinator
from .errors import async_run

ATTR_DEVICE_ID = "device_id"
ATTR_COMMAND = "command"
ATTR_DATA = "data"

SERVICE_WAKE = "wake"
SERVICE_REBOOT = "reboot"
SERVICE_SNAPSHOT = "snapshot"
SERVICE_SEND_COMMAND = "send_command"

DEVICE_SCHEMA = vol.Schema({vol.Required(ATTR_DEVICE_ID): cv.string})
SEND_COMMAND_SCHEMA = DEVICE_SCHEMA.extend(
    {
        vol.Required(ATTR_COMMAND): cv.string,
        vol.Optional(ATTR_DATA): vol.Any(dict, str),
    }
)


def _coordinator(hass: HomeAssistant, device_id: str) -> X5Coordinator:
    """The loaded camera behind a device id, or a translated validation error."""
    device = dr.async_get(hass).async_get(device_id)
    if device is not None:
        for entry_id in device.config_entries:
            entry: X5ConfigEntry | None = hass.config_entries.async_get_entry(entry_id)
            if entry is None or entry.domain != DOMAIN:
                continue
            if entry.state is not ConfigEntryState.LOADED:
                raise ServiceValidationError(
                    translation_domain=DOMAIN,
                    translation_key="camera_not_loaded",
                    translation_placeholders={"name": entry.title},
                )
            return entry.runtime_data
    raise ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="unknown_device",
        translation_placeholders={"device_id": device_id},
    )


def _command_data(name: str, raw: Any) -> dict[str, Any] | None:
    """Validate a send_command call before anything is sent."""
    command = BY_NAME.get(name)
    if command is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="unknown_command",
            translation_placeholders={"command": name},
        )
    if isinstance(raw, str):
        try:
            raw = json.loads(raw) if raw.strip() else None
        except ValueError:
            raw = [raw]  # not JSON: refused below
    if raw is not None and not isinstance(raw, dict):
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="invalid_data",
            translation_placeholders={"command": name},
        )
    if raw and command.request is RequestKind.NONE:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="data_not_taken",
            translation_placeholders={"command": name},
        )
    return raw or None


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's actions (once, at integration setup)."""

    async def _wake(call: ServiceCall) -> None:
        coordinator = _coordinator(hass, call.data[ATTR_DEVICE_ID])
        await async_run(coordinator.async_wake(), coordinator.config_entry.title)

    async def _reboot(call: ServiceCall) -> None:
        coordinator = _coordinator(hass, call.data[ATTR_DEVICE_ID])
        await async_run(
            coordinator.async_command("cmd.reboot"), coordinator.config_entry.title
        )

    async def _snapshot(call: ServiceCall) -> None:
        coordinator = _coordinator(hass, call.data[ATTR_DEVICE_ID])
        await async_run(
            coordinator.async_command("cmd.snapshot"), coordinator.config_entry.title
        )

    async def _send_command(call: ServiceCall) -> ServiceResponse:
        coordinator = _coordinator(hass, call.data[ATTR_DEVICE_ID])
        name = call.data[ATTR_COMMAND].strip()
        data = _command_data(name, call.data.get(ATTR_DATA))
        result = await async_run(
            coordinator.async_command(name, data), coordinator.config_entry.title
        )
        if isinstance(result, bytes):
            return {"command": name, "bytes": len(result)}
        return {"command": name, "response": result}

    hass.services.async_register(DOMAIN, SERVICE_WAKE, _wake, schema=DEVICE_SCHEMA)
    hass.services.async_register(DOMAIN, SERVICE_REBOOT, _reboot, schema=DEVICE_SCHEMA)
    hass.services.async_register(
        DOMAIN, SERVICE_SNAPSHOT, _snapshot, schema=DEVICE_SCHEMA
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_SEND_COMMAND,
        _send_command,
        schema=SEND_COMMAND_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
