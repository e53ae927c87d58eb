"""The complete X5 command catalogue: one table, the single source of truth.

Every command of the vendor guide, with its MQTT api string (None for the two
HTTP-only calls), its HTTP method and path, how its parameters travel, and what it
returns. MQTT, HTTP, the services and the settings entities all read this table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
import json
from typing import Any

from .exceptions import UnknownCommandError
from .mac import normalize_mac


class HttpMethod(StrEnum):
    """HTTP method of a command's HTTP twin."""

    GET = "GET"
    POST = "POST"


class RequestKind(StrEnum):
    """How a command's parameters travel."""

    NONE = "none"  # no parameters
    JSON = "json"  # JSON object: MQTT ``data`` / HTTP JSON body
    QUERY = "query"  # MQTT ``data`` / HTTP query string
    FILE = "file"  # HTTP multipart file upload (HTTP only)


class CommandKind(StrEnum):
    """What a command does to the camera: the direction shown to users."""

    READ = "read"  # asks, changes nothing
    WRITE = "write"  # sets a whole settings branch (the same write twice is one)
    ACT = "act"  # changes the world each time: reboot, format, picture, upgrade


# Acts that restart the camera: its next heartbeat is their consequence, not a wake.
_RESTARTS = frozenset({"cmd.reboot", "cmd.reset", "upgrade.online", "upgrade.reset"})
# Content-Type the guide lists where the body does not say it (JSON bodies do).
_CONTENT_TYPES = {
    "storage.search": "application/json",
    "storage.export": "application/json",
    "cmd.sd.format": "application/x-www-form-urlencoded",
}
# Reads that are not called get.*: they answer and change nothing.
_READS = frozenset({"check.auth", "storage.search", "storage.export", "upgrade.check"})


class ReturnKind(StrEnum):
    """What a command answers."""

    SETTINGS = "settings"  # an object of settings / status fields
    RESULT = "result"  # {"code", "result"}
    IMAGE = "image"  # a JPEG (HTTP) / a snapshot uplink (MQTT)
    FILE = "file"  # a file download
    LIST = "list"  # {"list": [...], "total"}


@dataclass(frozen=True, slots=True, kw_only=True)
class Command:
    """One command of the guide."""

    name: str  # unique; equals the MQTT api string when there is one
    mqtt_api: str | None
    http_method: HttpMethod
    http_path: str
    request: RequestKind
    returns: ReturnKind
    section: str  # the guide's section (system, login, live, cmd, storage)
    destructive: bool = False

    @property
    def over_mqtt(self) -> bool:
        """Whether the command can be sent over MQTT."""
        return self.mqtt_api is not None

    @property
    def is_read(self) -> bool:
        """Whether the command only reads (``get.*``)."""
        return self.name.startswith("get.")

    @property
    def kind(self) -> CommandKind:
        """Read, write or act (NOTES.md: acts must never be repeated)."""
        if self.is_read or self.name in _READS:
            return CommandKind.READ
        if self.name.startswith("set."):
            return CommandKind.WRITE
        return CommandKind.ACT

    @property
    def content_type(self) -> str | None:
        """The Content-Type header the guide lists for a request without a JSON body."""
        return _CONTENT_TYPES.get(self.name)

    @property
    def idempotent(self) -> bool:
        """Whether sending it twice does no more than once (may be retried)."""
        return self.kind is not CommandKind.ACT

    @property
    def restarts(self) -> bool:
        """Whether the camera restarts on it: a heartbeat after it is its effect."""
        return self.name in _RESTARTS

    @property
    def takes_data(self) -> bool:
        """Whether the command takes parameters."""
        return self.request is not RequestKind.NONE


def _pair(
    topic: str,
    path: str,
    section: str = "system",
    *,
    returns: ReturnKind = ReturnKind.SETTINGS,
) -> tuple[Command, Command]:
    """The usual ``get.X``/``set.X`` pair on one path (GET reads, POST writes)."""
    return (
        Command(
            name=f"get.{topic}",
            mqtt_api=f"get.{topic}",
            http_method=HttpMethod.GET,
            http_path=path,
            request=RequestKind.NONE,
            returns=returns,
            section=section,
        ),
        Command(
            name=f"set.{topic}",
            mqtt_api=f"set.{topic}",
            http_method=HttpMethod.POST,
            http_path=path,
            request=RequestKind.JSON,
            returns=ReturnKind.RESULT,
            section=section,
        ),
    )


def _one(
    name: str,
    method: HttpMethod,
    path: str,
    section: str,
    *,
    request: RequestKind = RequestKind.NONE,
    returns: ReturnKind = ReturnKind.RESULT,
    mqtt: bool = True,
    destructive: bool = False,
) -> Command:
    return Command(
        name=name,
        mqtt_api=name if mqtt else None,
        http_method=method,
        http_path=path,
        request=request,
        returns=returns,
        section=section,
        destructive=destructive,
    )


GET, POST = HttpMethod.GET, HttpMethod.POST
SETTINGS, RESULT = ReturnKind.SETTINGS, ReturnKind.RESULT

COMMANDS: tuple[Command, ...] = (
    # system
    *_pair("sys.info", "/api/sys"),
    *_pair("security.info", "/api/security"),
    *_pair("wifi.info", "/api/wifi"),
    *_pair("dhcp.info", "/api/dhcp"),
    *_pair("image.info", "/api/image"),
    *_pair("day.section", "/api/day/section"),
    *_pair("capture.info", "/api/capture"),
    # set.alarm.roi lists a form header but shows a JSON body: JSON (NOTES.md).
    *_pair("alarm.roi", "/api/roi"),
    *_pair("cellular.info", "/api/cellular"),
    *_pair("storage.info", "/api/storage"),
    *_pair("time.info", "/api/time"),
    *_pair("schedule", "/api/schedule"),
    *_pair("timed.schedule", "/api/timedschedule"),
    *_pair("interfaces.info", "/api/interfaces"),
    *_pair("wakeup.info", "/api/wakeup"),
    *_pair("mip.info", "/api/mip"),
    # login
    _one("get.login.info", GET, "/login/info", "login", returns=SETTINGS),
    _one(
        "check.auth",
        POST,
        "/login/check",
        "login",
        request=RequestKind.JSON,
        returns=SETTINGS,
    ),
    # live
    _one("get.ir.value", GET, "/live/ir", "live", returns=SETTINGS),
    _one("get.cellular.status", GET, "/api/status/cellular", "live", returns=SETTINGS),
    _one("get.device.status", GET, "/api/status/device", "live", returns=SETTINGS),
    _one("get.sensor.status", GET, "/api/status/sensor", "live", returns=SETTINGS),
    _one("cmd.snapshot", GET, "/live/snapshot", "live", returns=ReturnKind.IMAGE),
    # cmd
    _one("cmd.cellular", GET, "/api/cmd/cellular", "cmd"),
    _one("cmd.httpptest", POST, "/api/httpptest", "cmd", request=RequestKind.JSON),
    _one("cmd.reboot", GET, "/api/cmd/reboot", "cmd"),
    _one("cmd.reset", GET, "/api/cmd/reset", "cmd", destructive=True),
    _one("upgrade.reset", GET, "/api/upgrade/reset", "cmd", mqtt=False),
    _one("upgrade.check", GET, "/api/cmd/checkupgrade", "cmd", returns=SETTINGS),
    _one(
        "upgrade.online", POST, "/api/upgrade/online", "cmd", request=RequestKind.JSON
    ),
    _one(
        "upload.image",
        POST,
        "/upload/image",
        "cmd",
        request=RequestKind.FILE,
        mqtt=False,
    ),
    # /api/cmd/sdformat is a GET with a form header and no parameters.
    _one("cmd.sd.format", GET, "/api/cmd/sdformat", "cmd", destructive=True),
    # storage
    _one(
        "storage.export",
        POST,
        "/storage/export",
        "storage",
        request=RequestKind.QUERY,
        returns=ReturnKind.FILE,
    ),
    _one(
        "storage.search",
        POST,
        "/storage/search",
        "storage",
        request=RequestKind.QUERY,
        returns=ReturnKind.LIST,
    ),
)

BY_NAME: Mapping[str, Command] = {command.name: command for command in COMMANDS}


def selector_key(name: str) -> str:
    """A command's key in the action's translated list (keys have no dots)."""
    return name.replace(".", "_")


BY_SELECTOR_KEY: Mapping[str, Command] = {
    selector_key(command.name): command for command in COMMANDS
}
BY_MQTT_API: Mapping[str, Command] = {
    command.mqtt_api: command for command in COMMANDS if command.mqtt_api
}


def get_command(name: str) -> Command:
    """Return the command called ``name``; raise UnknownCommandError otherwise."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise UnknownCommandError(f"unknown X5 command {name!r}") from None


def build_mqtt_request(
    command: Command | str, mac: str, data: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Return the MQTT request object ``{"api", "devMac", "data"?}``."""
    if isinstance(command, str):
        command = get_command(command)
    if command.mqtt_api is None:
        raise UnknownCommandError(f"{command.name} has no MQTT command (HTTP only)")
    request: dict[str, Any] = {"api": command.mqtt_api, "devMac": normalize_mac(mac)}
    if data:
        request["data"] = dict(data)
    return request


def encode_mqtt_request(
    command: Command | str, mac: str, data: Mapping[str, Any] | None = None
) -> str:
    """Return the MQTT request as the JSON text to publish."""
    return json.dumps(build_mqtt_request(command, mac, data), separators=(",", ":"))
