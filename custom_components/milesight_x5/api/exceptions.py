"""Exceptions of the X5 protocol layer: one small hierarchy."""

from __future__ import annotations


class X5Error(Exception):
    """Base class of every error raised by the X5 protocol layer."""


class InvalidMacError(X5Error, ValueError):
    """A MAC address that is not 12 hexadecimal digits."""


class InvalidPayloadError(X5Error):
    """A message that cannot be used at all (not JSON, no usable MAC, too big)."""


class CommandError(X5Error):
    """A command could not be carried out."""


class CommandFailedError(CommandError):
    """The camera answered a command with a non-zero code."""

    def __init__(self, api: str, code: int, result: str | None) -> None:
        """Keep the command, the camera's code and its result text."""
        super().__init__(f"{api} failed with code {code}: {result or 'no result text'}")
        self.api = api
        self.code = code
        self.result = result


class CommandTimeoutError(CommandError):
    """The camera did not answer a command in time."""


class CameraAsleepError(CommandTimeoutError):
    """The camera did not wake up to take a command."""


class X5ConnectionError(CommandError):
    """The camera could not be reached (HTTP)."""


class AuthenticationError(CommandError):
    """The camera refused the credentials (HTTP 401)."""


class UnknownCommandError(X5Error, KeyError):
    """A command name that is not in the catalogue."""

    def __str__(self) -> str:
        """Show the message, not the KeyError repr."""
        return str(self.args[0]) if self.args else "unknown command"
