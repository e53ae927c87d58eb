"""Actions: wake, reboot, snapshot, any catalogue command by name, and a copy of
one camera's settings to others.

Each action targets cameras the Home Assistant way (devices, entities, areas) and
acts on every X5 camera targeted; anything else targeted is refused before any
camera is contacted.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Mapping
import json
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import (
    ATTR_AREA_ID,
    ATTR_DEVICE_ID,
    ATTR_ENTITY_ID,
    ATTR_FLOOR_ID,
    ATTR_LABEL_ID,
)
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import (
    area_registry as ar,
    config_validation as cv,
    device_registry as dr,
    entity_registry as er,
)
from homeassistant.util.json import JsonValueType
import voluptuous as vol

from .api import BY_NAME, BY_SELECTOR_KEY, RequestKind, SettingUnknownError
from .api.copy import COPY_GROUPS, copied_values
from .const import DOMAIN
from .coordinator import X5ConfigEntry, X5Coordinator
from .errors import async_run

ATTR_COMMAND = "command"
ATTR_DATA = "data"

SERVICE_WAKE = "wake"
SERVICE_REBOOT = "reboot"
SERVICE_SNAPSHOT = "snapshot"
SERVICE_SEND_COMMAND = "send_command"
SERVICE_COPY_SETTINGS = "copy_settings"
ATTR_SOURCE = "source"
ATTR_GROUPS = "groups"

# What a target selector sends: device, entity and area ids (one or a list), and
# since Home Assistant 2026.11 what to leave out of them (``exclude``).
ATTR_EXCLUDE = "exclude"
_IDS = vol.All(cv.ensure_list, [cv.string])
_TARGET_IDS: dict[vol.Marker, Any] = {
    vol.Optional(ATTR_DEVICE_ID): _IDS,
    vol.Optional(ATTR_ENTITY_ID): cv.entity_ids,
    vol.Optional(ATTR_AREA_ID): _IDS,
    vol.Optional(ATTR_FLOOR_ID): _IDS,
    vol.Optional(ATTR_LABEL_ID): _IDS,
}
TARGET_FIELDS: dict[vol.Marker, Any] = {
    **_TARGET_IDS,
    vol.Optional(ATTR_EXCLUDE): vol.Schema(_TARGET_IDS),
}
HAS_TARGET = cv.has_at_least_one_key(
    ATTR_DEVICE_ID, ATTR_ENTITY_ID, ATTR_AREA_ID, ATTR_FLOOR_ID, ATTR_LABEL_ID
)
TARGET_SCHEMA = vol.Schema(vol.All(TARGET_FIELDS, HAS_TARGET))
SEND_COMMAND_SCHEMA = vol.Schema(
    vol.All(
        {
            **TARGET_FIELDS,
            vol.Required(ATTR_COMMAND): cv.string,
            vol.Optional(ATTR_DATA): vol.Any(dict, str),
        },
        HAS_TARGET,
    )
)


COPY_SETTINGS_SCHEMA = vol.Schema(
    vol.All(
        {
            **TARGET_FIELDS,
            vol.Required(ATTR_SOURCE): cv.string,
            vol.Required(ATTR_GROUPS): vol.All(
                cv.ensure_list, [vol.In(list(COPY_GROUPS))], vol.Length(min=1)
            ),
        },
        HAS_TARGET,
    )
)


def _refuse(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders,
    )


def _camera_entry_of_device(
    hass: HomeAssistant, device: dr.DeviceEntry
) -> X5ConfigEntry | None:
    """The camera's entry: its device carries (DOMAIN, MAC), the entry's unique id."""
    for domain, mac in device.identifiers:
        if domain == DOMAIN:
            entry = hass.config_entries.async_entry_for_domain_unique_id(DOMAIN, mac)
            if entry is not None:
                return entry
    return None


def _targeted_entries(hass: HomeAssistant, call: ServiceCall) -> list[X5ConfigEntry]:
    """The camera entries a call targets, in order, less those it excludes; refuse
    what is not a camera (an excluded one that is not is simply not there)."""
    excluded = _entries(hass, call.data.get(ATTR_EXCLUDE) or {}, strict=False)
    return [
        entry
        for entry_id, entry in _entries(hass, call.data, strict=True).items()
        if entry_id not in excluded
    ]


def _entries(
    hass: HomeAssistant, target: Mapping[str, Any], *, strict: bool
) -> dict[str, X5ConfigEntry]:
    """The camera entries of a target by entry id; ``strict``: refuse what is
    not a camera."""
    devices, entities = dr.async_get(hass), er.async_get(hass)
    found: dict[str, X5ConfigEntry] = {}

    def refuse(key: str, **placeholders: str) -> None:
        if strict:
            raise _refuse(key, **placeholders)

    def add(entry: X5ConfigEntry | None) -> bool:
        if entry is None:
            return False
        found.setdefault(entry.entry_id, entry)
        return True

    for device_id in target.get(ATTR_DEVICE_ID, ()):
        device = devices.async_get(device_id)
        if device is None or not add(_camera_entry_of_device(hass, device)):
            refuse("unknown_device", device_id=device_id)
    for entity_id in target.get(ATTR_ENTITY_ID, ()):
        entity = entities.async_get(entity_id)
        entry_id = entity.config_entry_id if entity is not None else None
        entry = hass.config_entries.async_get_entry(entry_id) if entry_id else None
        if entity is None or entity.platform != DOMAIN or not add(entry):
            refuse("not_a_camera_entity", entity_id=entity_id)

    def add_all(devices_in: list[dr.DeviceEntry], entities_in: list[Any]) -> bool:
        """The cameras among devices and entities (of an area, floor, label)."""
        found_any = False
        for device in devices_in:
            found_any |= add(_camera_entry_of_device(hass, device))
        for entity in entities_in:
            if entity.platform == DOMAIN and entity.config_entry_id:
                found_any |= add(
                    hass.config_entries.async_get_entry(entity.config_entry_id)
                )
        return found_any

    areas = list(target.get(ATTR_AREA_ID, ()))
    for floor_id in target.get(ATTR_FLOOR_ID, ()):
        in_floor = [
            area.id for area in ar.async_entries_for_floor(ar.async_get(hass), floor_id)
        ]
        if not in_floor:
            refuse("no_camera_in_floor", floor_id=floor_id)
        areas.extend(in_floor)
    for area_id in areas:
        if not add_all(
            dr.async_entries_for_area(devices, area_id),
            er.async_entries_for_area(entities, area_id),
        ):
            refuse("no_camera_in_area", area_id=area_id)
    for label_id in target.get(ATTR_LABEL_ID, ()):
        if not add_all(
            dr.async_entries_for_label(devices, label_id),
            er.async_entries_for_label(entities, label_id),
        ):
            refuse("no_camera_with_label", label_id=label_id)
    return found


def _targeted_cameras(hass: HomeAssistant, call: ServiceCall) -> list[X5Coordinator]:
    """The loaded cameras a call targets (translated errors otherwise)."""
    cameras = []
    for entry in _targeted_entries(hass, call):
        if entry.state is not ConfigEntryState.LOADED:
            raise _refuse("camera_not_loaded", name=entry.title)
        cameras.append(entry.runtime_data)
    return cameras


def _command_data(name: str, raw: Any) -> dict[str, Any] | None:
    """Validate a send_command call before anything is sent."""
    command = BY_NAME.get(name)
    if command is None:
        raise _refuse("unknown_command", command=name)
    if isinstance(raw, str):
        try:
            raw = json.loads(raw) if raw.strip() else None
        except ValueError:
            raw = [raw]  # not JSON: refused below
    if raw is not None and not isinstance(raw, dict):
        raise _refuse("invalid_data", command=name)
    if raw and command.request is RequestKind.NONE:
        raise _refuse("data_not_taken", command=name)
    return raw or None


async def _async_on_each[T](
    cameras: Iterable[X5Coordinator],
    action: Callable[[X5Coordinator], Awaitable[T]],
) -> dict[str, T]:
    """Run ``action`` on every camera at once; results by MAC; raise the first error."""
    cameras = list(cameras)
    outcomes = await asyncio.gather(
        *(async_run(action(camera), camera.config_entry.title) for camera in cameras),
        return_exceptions=True,
    )
    results: dict[str, T] = {}
    for camera, outcome in zip(cameras, outcomes, strict=True):
        if isinstance(outcome, BaseException):
            raise outcome
        results[camera.mac] = outcome
    return results


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's actions (once, at integration setup)."""

    async def _wake(call: ServiceCall) -> None:
        await _async_on_each(
            _targeted_cameras(hass, call), lambda c: c.commands.async_wake()
        )

    async def _reboot(call: ServiceCall) -> None:
        await _async_on_each(
            _targeted_cameras(hass, call),
            lambda c: c.commands.async_command("cmd.reboot"),
        )

    async def _snapshot(call: ServiceCall) -> None:
        await _async_on_each(
            _targeted_cameras(hass, call),
            lambda c: c.commands.async_command("cmd.snapshot"),
        )

    async def _send_command(call: ServiceCall) -> ServiceResponse:
        cameras = _targeted_cameras(hass, call)
        text = call.data[ATTR_COMMAND].strip()
        # The guide's name (YAML), or its key in the translated list (the UI).
        command = BY_NAME.get(text) or BY_SELECTOR_KEY.get(text)
        name = command.name if command is not None else text
        data = _command_data(name, call.data.get(ATTR_DATA))
        results = await _async_on_each(
            cameras, lambda c: c.commands.async_command(name, data)
        )
        return {
            mac: {"command": name, "bytes": len(result)}
            if isinstance(result, bytes)
            else {"command": name, "response": result}
            for mac, result in results.items()
        }

    async def _copy_settings(call: ServiceCall) -> ServiceResponse:
        device = dr.async_get(hass).async_get(call.data[ATTR_SOURCE])
        entry = _camera_entry_of_device(hass, device) if device else None
        if entry is None:
            raise _refuse("unknown_device", device_id=call.data[ATTR_SOURCE])
        if entry.state is not ConfigEntryState.LOADED:
            raise _refuse("camera_not_loaded", name=entry.title)
        source: X5Coordinator = entry.runtime_data
        groups: list[str] = list(dict.fromkeys(call.data[ATTR_GROUPS]))
        try:
            values, skipped = copied_values(source.data.settings, groups)
        except SettingUnknownError as err:
            raise _refuse("source_not_read", name=entry.title) from err
        targets = [c for c in _targeted_cameras(hass, call) if c.mac != source.mac]
        return {
            camera.mac: {
                "camera": camera.config_entry.title,
                "queued": list[JsonValueType](
                    camera.settings_copy.start(entry.title, groups, values)
                ),
                "status": "pending",
                "not_reported": list[JsonValueType](skipped),
            }
            for camera in targets
        }

    for service, handler in (
        (SERVICE_WAKE, _wake),
        (SERVICE_REBOOT, _reboot),
        (SERVICE_SNAPSHOT, _snapshot),
    ):
        hass.services.async_register(DOMAIN, service, handler, schema=TARGET_SCHEMA)
    hass.services.async_register(
        DOMAIN,
        SERVICE_SEND_COMMAND,
        _send_command,
        schema=SEND_COMMAND_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_COPY_SETTINGS,
        _copy_settings,
        schema=COPY_SETTINGS_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
