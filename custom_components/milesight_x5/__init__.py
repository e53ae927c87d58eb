"""The Milesight X5 Sensing Camera integration."""

from __future__ import annotations

from homeassistant.components import mqtt
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.typing import ConfigType

from .api import AuthenticationError
from .bus_events import async_setup_bus_events
from .const import (
    CONF_MAC,
    CONF_PICTURE_FOLDER,
    DEFAULT_PICTURE_FOLDER,
    DOMAIN,
    JUST_ADDED,
)
from .coordinator import X5ConfigEntry, X5Coordinator
from .counters import async_track_midnight
from .dispatcher import async_get_dispatcher
from .history_files import history_folder, legacy_history, remove_history
from .repairs import async_check_factory_password, async_delete_camera_issues
from .services import async_setup_services
from .state import Part, camera_store
from .view import X5PictureView

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.CAMERA,
    Platform.DEVICE_TRACKER,
    Platform.EVENT,
    Platform.IMAGE,
    Platform.NUMBER,
    Platform.SELECT,
    Platform.SENSOR,
    Platform.SWITCH,
    Platform.UPDATE,
]

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions and the pictures' URL, whatever cameras there are."""
    async_setup_services(hass)
    hass.http.register_view(X5PictureView())
    return True


async def async_setup_entry(hass: HomeAssistant, entry: X5ConfigEntry) -> bool:
    """Set up one camera: restore its state, route its topics, add its entities."""
    if not await mqtt.async_wait_for_mqtt_client(hass):
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN, translation_key="mqtt_not_available"
        )
    coordinator = X5Coordinator(hass, entry)
    await coordinator.async_restore()
    try:
        await coordinator.commands.async_check_login()
    except AuthenticationError as err:
        await coordinator.async_shutdown()
        raise ConfigEntryAuthFailed(
            translation_domain=DOMAIN,
            translation_key="auth_failed",
            translation_placeholders={"name": entry.title},
        ) from err
    entry.async_on_unload(coordinator.history.async_stop)
    await coordinator.history.async_load()
    http = coordinator.commands.http
    async_check_factory_password(
        hass, entry, http is not None and http.uses_factory_password
    )
    entry.runtime_data = coordinator
    entry.async_on_unload(
        await async_get_dispatcher(hass).async_register(
            coordinator.mac, coordinator.topics, coordinator
        )
    )
    entry.async_on_unload(
        async_track_midnight(
            hass,
            lambda: coordinator.data.today,
            lambda: coordinator.async_update_parts(Part.TODAY),
        )
    )
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    # After the entities: an automation sees the event entity's new state.
    entry.async_on_unload(async_setup_bus_events(hass, coordinator))
    if coordinator.mac in hass.data.get(JUST_ADDED, ()):
        hass.data[JUST_ADDED].discard(coordinator.mac)
        entry.async_create_background_task(
            hass, coordinator.async_wake_new(), f"{DOMAIN} first wake {coordinator.mac}"
        )
    return True


async def async_unload_entry(hass: HomeAssistant, entry: X5ConfigEntry) -> bool:
    """Unload a camera; its routes go, and the last camera's subscriptions too."""
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded:
        await entry.runtime_data.async_shutdown()
    return unloaded


async def async_remove_entry(hass: HomeAssistant, entry: X5ConfigEntry) -> None:
    """Delete the camera's stored state, pictures and repair issues."""
    mac = entry.data[CONF_MAC]
    await camera_store(hass, mac).async_remove()
    folder = entry.options.get(CONF_PICTURE_FOLDER, DEFAULT_PICTURE_FOLDER)
    await hass.async_add_executor_job(
        remove_history, history_folder(hass, mac, folder), *legacy_history(hass, mac)
    )
    async_delete_camera_issues(hass, mac)
