"""The HTTP twin of every command: Basic auth, the catalogue's method, path and body."""

from __future__ import annotations

from collections.abc import Mapping
import json
from typing import Any

import aiohttp

from .catalogue import Command, HttpMethod, RequestKind, get_command
from .coerce import as_int
from .exceptions import AuthenticationError, CommandFailedError, X5ConnectionError

FACTORY_USERNAME = "admin"
FACTORY_PASSWORD = "ms123456"  # noqa: S105 (the guide's factory default, to warn about)
DEFAULT_HTTP_TIMEOUT = 10.0


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
    ) -> None:
        """Talk to ``http://host:port`` as ``username``."""
        self._session = session
        self.base_url = f"http://{host}:{port}"
        self._auth = aiohttp.BasicAuth(username, password)
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self.uses_factory_password = password == FACTORY_PASSWORD

    async def async_request(
        self, command: Command | str, data: Mapping[str, Any] | None = None
    ) -> dict[str, Any] | bytes:
        """Send one command; return its JSON object, or bytes for images and files."""
        if isinstance(command, str):
            command = get_command(command)
        kwargs: dict[str, Any] = {"auth": self._auth, "timeout": self._timeout}
        payload = dict(data or {})
        if command.request is RequestKind.JSON:
            kwargs["json"] = payload
        elif command.request is RequestKind.QUERY:
            kwargs["params"] = {key: str(value) for key, value in payload.items()}
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
        url = self.base_url + command.http_path
        try:
            async with self._session.request(
                command.http_method.value, url, **kwargs
            ) as resp:
                if resp.status == 401:
                    raise AuthenticationError(
                        f"{command.name}: the camera refused the login"
                    )
                if resp.status in (502, 503, 504):
                    raise X5ConnectionError(
                        f"{command.name}: camera unavailable ({resp.status})"
                    )
                if resp.status >= 400:
                    raise CommandFailedError(command.name, resp.status, resp.reason)
                body = await resp.read()
                content_type = resp.content_type
        except (aiohttp.ClientError, TimeoutError) as err:
            raise X5ConnectionError(
                f"{command.name}: cannot reach {self.base_url}: {err}"
            ) from err
        if content_type.startswith(("image/", "application/octet-stream")):
            return body
        return _json_result(command, body)


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
