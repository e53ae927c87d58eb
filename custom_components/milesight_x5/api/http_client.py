"""The HTTP twin of every command: Basic auth, the catalogue's method, path and body."""

from __future__ import annotations

import base64
from collections.abc import Mapping
import json
from typing import Any
from urllib.parse import quote

import aiohttp
from yarl import URL

from .catalogue import Command, HttpMethod, RequestKind, get_command
from .coerce import as_int
from .exceptions import AuthenticationError, CommandFailedError, X5ConnectionError

FACTORY_USERNAME = "admin"
FACTORY_PASSWORD = "ms123456"  # noqa: S105 (the guide's factory default, to warn about)
DEFAULT_HTTP_TIMEOUT = 10.0
# A connection not made within this never carried the request: a sleeping camera
# (its modem off) costs this much before MQTT takes over, not the whole timeout.
DEFAULT_CONNECT_TIMEOUT = 3.0


def basic_auth(username: str, password: str) -> str:
    """The Authorization header for HTTP Basic auth, as aiohttp.BasicAuth made it.

    aiohttp 3.14 deprecates BasicAuth and the ``auth`` parameter for its
    ``encode_basic_auth``, which aiohttp 3.11 (Home Assistant 2025.4) does not have.
    """
    if ":" in username:
        raise ValueError('A ":" is not allowed in the username (RFC 7617)')
    credentials = f"{username}:{password}".encode("latin1")
    return "Basic " + base64.b64encode(credentials).decode("ascii")


class X5HttpClient:
    """Calls the camera's HTTP API with a session the caller owns."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        host: str,
        port: int = 80,
        username: str = FACTORY_USERNAME,
        password: str = FACTORY_PASSWORD,
        *,
        timeout: float = DEFAULT_HTTP_TIMEOUT,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
    ) -> None:
        """Talk to ``http://host:port`` as ``username``."""
        self._session = session
        self.base_url = f"http://{host}:{port}"
        self._auth = {"Authorization": basic_auth(username, password)}
        self._timeout = aiohttp.ClientTimeout(
            total=timeout, sock_connect=min(connect_timeout, timeout)
        )
        self.uses_factory_password = password == FACTORY_PASSWORD

    async def async_request(
        self, command: Command | str, data: Mapping[str, Any] | None = None
    ) -> dict[str, Any] | bytes:
        """Send one command; return its JSON object, or bytes for images and files."""
        if isinstance(command, str):
            command = get_command(command)
        headers = dict(self._auth)
        if command.content_type:
            headers["Content-Type"] = command.content_type
        kwargs: dict[str, Any] = {"headers": headers, "timeout": self._timeout}
        payload = dict(data or {})
        url: str | URL = self.base_url + command.http_path
        if command.request is RequestKind.JSON:
            kwargs["json"] = payload
        elif command.request is RequestKind.QUERY:
            url = URL(f"{url}?{query_string(payload)}", encoded=True)
        elif command.request is RequestKind.FILE:
            form = aiohttp.FormData()
            content = payload.get("file", b"")
            form.add_field(
                "file",
                content if isinstance(content, bytes) else str(content).encode(),
                filename=str(payload.get("filename", "firmware.bin")),
                content_type="application/octet-stream",
            )
            kwargs["data"] = form
        elif command.http_method is HttpMethod.GET and payload:
            kwargs["params"] = {key: str(value) for key, value in payload.items()}
        try:
            async with self._session.request(
                command.http_method.value, url, **kwargs
            ) as resp:
                if resp.status == 401:
                    raise AuthenticationError(
                        f"{command.name}: the camera refused the login",
                        command=command.name,
                    )
                if resp.status in (502, 503, 504):
                    # 503: the camera itself is busy. 502/504: a proxy or port
                    # forward passed the request on: the camera may have heard it.
                    raise X5ConnectionError(
                        f"{command.name}: camera unavailable ({resp.status})",
                        command=command.name,
                        maybe_sent=resp.status != 503,
                    )
                if resp.status >= 400:
                    raise CommandFailedError(command.name, resp.status, resp.reason)
                body = await resp.read()
                content_type = resp.content_type
        except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as err:
            # No connection was made (refused, unreachable, or not in time): the
            # camera heard nothing.
            raise X5ConnectionError(
                f"{command.name}: cannot reach {self.base_url}: {err}",
                command=command.name,
            ) from err
        except (aiohttp.ClientError, TimeoutError) as err:
            raise X5ConnectionError(
                f"{command.name}: no answer from {self.base_url}: {err}",
                maybe_sent=True,
                command=command.name,
            ) from err
        if content_type.startswith(("image/", "application/octet-stream")):
            return body
        return _json_result(command, body)


def query_string(params: Mapping[str, Any]) -> str:
    """A query string as the guide writes it: ``startTime=1970-01-01+00:00:00``.

    Spaces become ``+`` and ``+`` and ``:`` stay literal, so a time given as
    ``2024-10-12 08:00:00`` or ``2024-10-12+08:00:00`` goes out the same way.
    """
    return "&".join(
        f"{quote(str(key), safe='')}="
        f"{quote(str(value).strip().replace(' ', '+'), safe='+:-')}"
        for key, value in params.items()
    )


def _json_result(command: Command, body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    try:
        decoded = json.loads(body)
    except ValueError:
        return {"raw": body.decode("utf-8", "replace")}
    if not isinstance(decoded, dict):
        return {"data": decoded}
    # Some firmware wrap the answer like the MQTT response: {"data": {...}}.
    if isinstance(inner := decoded.get("data"), dict) and "api" in decoded:
        decoded = inner
    code = as_int(decoded.get("code"))
    if (
        code is not None
        and code != 0
        and set(decoded) <= {"code", "result", "msg", "message"}
    ):
        result = decoded.get("result") or decoded.get("msg") or decoded.get("message")
        raise CommandFailedError(command.name, code, str(result) if result else None)
    return decoded
