"""Exceptions of the X5 protocol layer: one small hierarchy."""

from __future__ import annotations


class X5Error(Exception):
    """Base class of every error raised by the X5 protocol layer."""


class InvalidMacError(X5Error, ValueError):
    """A MAC address that is not 12 hexadecimal digits."""


class InvalidPayloadError(X5Error):
    """A message that cannot be used at all (not JSON, no usable MAC, too big)."""


class CommandError(X5Error):
    """A command could not be carried out; ``command`` names it when known."""

    def __init__(self, message: str = "", *, command: str = "") -> None:
        """Keep the message (for logs) and the command (for users)."""
        super().__init__(message)
        self.command = command


class CommandFailedError(CommandError):
    """The camera answered a command with a non-zero code."""

    def __init__(self, api: str, code: int, result: str | None) -> None:
        """Keep the command, the camera's code and its result text."""
        super().__init__(
            f"{api} failed with code {code}: {result or 'no result text'}", command=api
        )
        self.api = api
        self.code = code
        self.result = result


class CommandTimeoutError(CommandError):
    """The camera did not answer a command in time."""


class CommandNotConfirmedError(CommandTimeoutError):
    """An act went out once and the camera did not confirm it; it is not repeated."""

    def __init__(self, api: str) -> None:
        """Keep the command that may or may not have been carried out."""
        super().__init__(f"{api} was sent; the camera did not confirm it", command=api)
        self.api = api


class CameraAsleepError(CommandTimeoutError):
    """The camera did not wake up to take a command.

    ``args[0]`` is why, as a translation key: ``camera_asleep``, ``low_power_mode``
    or ``wake_disabled``.
    """


class X5ConnectionError(CommandError):
    """The camera could not be reached.

    ``maybe_sent``: the request may have reached the camera before the connection
    failed (a timeout, a dropped answer), so an act must not be sent again.
    """

    def __init__(
        self, message: str, *, maybe_sent: bool = False, command: str = ""
    ) -> None:
        """Keep whether the camera may have heard the request."""
        super().__init__(message, command=command)
        self.maybe_sent = maybe_sent


class PublishError(X5ConnectionError):
    """The request could not be published: the MQTT broker is not reachable."""


class CommandCancelledError(CommandError):
    """The camera was unloaded (removed, disabled, reloaded) while a command waited."""


class NeedsHttpError(CommandError):
    """A command of the guide that only the camera's HTTP API has (no MQTT twin)."""


class SettingUnknownError(CommandError):
    """A nested setting cannot be written: the camera did not report its branch."""


class AuthenticationError(CommandError):
    """The camera refused the credentials (HTTP 401)."""


class UnknownCommandError(X5Error, KeyError):
    """A command name that is not in the catalogue."""

    def __str__(self) -> str:
        """Show the message, not the KeyError repr."""
        return str(self.args[0]) if self.args else "unknown command"
