"""X5 protocol errors as translated Home Assistant errors.

What the user reads is the translation (no English internals pass through): the
camera's name, the command, and for a refusal the camera's code and text. A state
of the camera that stops a command (asleep, Low Power mode, no HTTP access) is a
ServiceValidationError: Home Assistant logs it as one line. A failure to talk to it
is a HomeAssistantError. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

from collections.abc import Awaitable

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from .api import (
    AuthenticationError,
    CameraAsleepError,
    CommandCancelledError,
    CommandError,
    CommandFailedError,
    CommandNotConfirmedError,
    CommandTimeoutError,
    NeedsHttpError,
    PublishError,
    SettingUnknownError,
    X5ConnectionError,
    X5Error,
)
from .const import DOMAIN

# Checked in order: subclasses before their bases.
_KEYS: tuple[tuple[type[X5Error], str], ...] = (
    (CommandCancelledError, "camera_unloaded"),
    (CommandNotConfirmedError, "not_confirmed"),
    (CommandTimeoutError, "command_timeout"),
    (CommandFailedError, "command_failed"),
    (AuthenticationError, "auth_failed"),
    (PublishError, "broker_unavailable"),
    (X5ConnectionError, "cannot_connect"),
    (SettingUnknownError, "setting_unknown"),
    (NeedsHttpError, "http_only"),
)
# The camera's state stops the command: the user can act on it.
_PRECONDITIONS = {"camera_asleep", "low_power_mode", "wake_disabled"} | {
    "firmware_installing",
    "setting_unknown",
    "http_only",
}


def error_key(err: X5Error) -> str:
    """Why a command failed, as a translation key (``exceptions`` in strings.json)."""
    if isinstance(err, CameraAsleepError):
        # low_power_mode / wake_disabled / camera_asleep
        return str(err.args[0]) if err.args else "camera_asleep"
    return next((k for kind, k in _KEYS if isinstance(err, kind)), "command_error")


def ha_error(err: X5Error, name: str) -> HomeAssistantError:
    """The user-facing error for a failed command on camera ``name``."""
    placeholders: dict[str, str] = {
        "name": name,
        "command": err.command if isinstance(err, CommandError) else "",
    }
    key = error_key(err)
    if isinstance(err, CommandFailedError):
        placeholders |= {"code": str(err.code), "result": err.result or "-"}
    kind = ServiceValidationError if key in _PRECONDITIONS else HomeAssistantError
    return kind(
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


__all__ = ["async_run", "error_key", "ha_error"]
