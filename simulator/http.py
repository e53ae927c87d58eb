"""The camera's HTTP twin: every path of the guide, Basic auth, JSON in and out."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable
import json
from pathlib import Path
from typing import Any

from aiohttp import web

from .device import SimulatedCamera

GUIDE_COMMANDS = Path(__file__).with_name("guide_commands.tsv")
# The two HTTP-only calls have no MQTT api in the guide; they get these names.
HTTP_ONLY = {"/api/upgrade/reset": "upgrade.reset", "/upload/image": "upload.image"}
QUERY_APIS = {"storage.search", "storage.export"}


def guide_commands() -> list[tuple[str, str, str]]:
    """(path, HTTP method, MQTT api or "") of every command, as the guide lists them."""
    rows = []
    for line in GUIDE_COMMANDS.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            path, method, api = [*line.split("\t"), ""][:3]
            rows.append((path, method, api.strip()))
    return rows


def guide_routes() -> list[tuple[str, str, str]]:
    """(HTTP method, path, api) of every command of the guide, HTTP-only ones named."""
    return [
        (method, path, api or HTTP_ONLY[path]) for path, method, api in guide_commands()
    ]


def _authorized(request: web.Request, username: str, password: str) -> bool:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Basic "):
        return False
    try:
        user, _, secret = base64.b64decode(header[6:]).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    return user == username and secret == password


def _export(camera: SimulatedCamera, query: dict[str, Any]) -> web.Response:
    """``storage.export``: the file's bytes (guide, "Storage export": query ``path``
    ``/mnt/mmc``, ``name``, ``size``; its Return Data table is empty, the file is
    the answer) with its content type: ``image/jpeg`` (the simulator's pictures are
    JPEGs when Pillow is there, as beside Home Assistant).

    A ``path`` other than ``/mnt/mmc`` (or none) or a ``name`` not on the card:
    404 Not Found ("no such file"), as a web server answers for a missing file (the
    guide lists no error). ``size`` is not checked (the guide calls it "File Size"
    and says nothing of a mismatch).
    """
    sd_file = camera.sd_file(str(query.get("name", "")), str(query.get("path", "")))
    if sd_file is None:
        raise web.HTTPNotFound(text="no such file")
    body, content_type = sd_file.image()
    return web.Response(body=body, content_type=content_type)


def create_app(
    camera: SimulatedCamera,
    username: str = "admin",
    password: str = "ms123456",
    on_reboot: Callable[[str], None] | None = None,
    on_install: Callable[[str], None] | None = None,
) -> web.Application:
    """An aiohttp app serving one camera's HTTP API.

    A ``cmd.reboot`` the camera does not answer (``reboot_answer`` False) drops the
    connection, and ``on_reboot(mac)`` is called so that someone (the MQTT hub)
    ends the reboot later. An ``upgrade.online`` that starts a download
    (``install_at_once`` False) calls ``on_install(mac)``, so that someone finishes
    it.

    ``storage.search`` and ``storage.export`` (POST in the guide) take query
    parameters; ``storage.export`` answers the file's bytes (:func:`_export`).
    """
    app = web.Application()
    app["requests"] = []

    def handler(api: str) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def handle(request: web.Request) -> web.StreamResponse:
            if not _authorized(request, username, password):
                raise web.HTTPUnauthorized(
                    headers={"WWW-Authenticate": 'Basic realm="X5"'}
                )
            if not camera.awake:
                raise web.HTTPServiceUnavailable(
                    text="rebooting" if camera.rebooting else "asleep"
                )
            data: dict[str, Any] | None = None
            if api in QUERY_APIS or request.method == "GET":
                data = dict(request.query) or None
            elif api == "upload.image":
                await request.post()
            elif request.can_read_body:
                try:
                    body = await request.json()
                except json.JSONDecodeError:
                    raise web.HTTPBadRequest(text="body is not JSON") from None
                data = body if isinstance(body, dict) else None
            app["requests"].append((request.method, request.path, api, data))
            if api == "cmd.snapshot":
                # Over HTTP the picture is the answer (with or without snapshot_answer).
                camera.answer(api)
                pictures = [
                    u for kind, u in camera.take_uplinks() if kind == "snapshot"
                ]
                if not pictures:
                    raise web.HTTPServiceUnavailable(text="no snapshot")
                uplink = pictures[-1]
                uri = uplink["values"]["image"]
                return web.Response(
                    body=base64.b64decode(uri.split(",", 1)[1]),
                    content_type=uri[5:].split(";", 1)[0],
                )
            if api == "storage.export":
                return _export(camera, data or {})
            if api in {"upgrade.reset", "upload.image"}:
                return web.json_response({"code": 0, "result": "OK"})
            was_installing = camera.installing
            answer = camera.answer(api, data)
            if camera.installing and not was_installing and on_install is not None:
                on_install(camera.mac)
            if answer is None and camera.rebooting:  # down before it answered
                if on_reboot is not None:
                    on_reboot(camera.mac)
                if request.transport is not None:
                    request.transport.close()
                raise web.HTTPServiceUnavailable(text="rebooting")
            if answer is None:
                raise web.HTTPNotFound(text=f"{api} not simulated")
            return web.json_response(answer)

        return handle

    for method, path, api in guide_routes():
        app.router.add_route(method, path, handler(api))
    return app
