"""X5 protocol errors as translated Home Assistant errors."""

from __future__ import annotations

from collections.abc import Awaitable

from homeassistant.exceptions import HomeAssistantError

from .api import (
    AuthenticationError,
    CameraAsleepError,
    CommandFailedError,
    CommandNotConfirmedError,
    CommandTimeoutError,
    PublishError,
    SettingUnknownError,
    UnknownCommandError,
    X5ConnectionError,
    X5Error,
)
from .const import DOMAIN


def ha_error(err: X5Error, name: str) -> HomeAssistantError:
    """The user-facing error for a failed command on camera ``name``."""
    placeholders: dict[str, str] = {"name": name, "error": str(err)}
    if isinstance(err, CameraAsleepError):
        # low_power_mode / wake_disabled / camera_asleep
        key = str(err.args[0]) if err.args else "camera_asleep"
    elif isinstance(err, CommandNotConfirmedError):
        key = "not_confirmed"
        placeholders["command"] = err.api
    elif isinstance(err, CommandTimeoutError):
        key = "command_timeout"
    elif isinstance(err, CommandFailedError):
        key = "command_failed"
        placeholders |= {"code": str(err.code), "result": err.result or "-"}
    elif isinstance(err, AuthenticationError):
        key = "auth_failed"
    elif isinstance(err, PublishError):
        key = "broker_unavailable"
    elif isinstance(err, X5ConnectionError):
        key = "cannot_connect"
    elif isinstance(err, SettingUnknownError):
        key = "setting_unknown"
    elif isinstance(err, UnknownCommandError):
        key = "http_only"
    else:
        key = "command_error"
    return HomeAssistantError(
        str(err),
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders,
    )


async def async_run[T](awaitable: Awaitable[T], name: str) -> T:
    """Await a command; an X5 error becomes a translated HomeAssistantError."""
    try:
        return await awaitable
    except X5Error as err:
        raise ha_error(err, name) from err


__all__ = ["async_run", "ha_error"]
