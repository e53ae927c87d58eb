"""The HTTP client against the simulated camera's HTTP server (a real aiohttp server)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
import pytest

from custom_components.milesight_x5.api import (
    COMMANDS,
    AuthenticationError,
    CommandFailedError,
    X5ConnectionError,
)
from custom_components.milesight_x5.api.http_client import X5HttpClient, basic_auth
from simulator import SimulatedCamera
from simulator.http import create_app

MAC = "1CC3164126A2"

pytestmark = pytest.mark.usefixtures("socket_enabled")


@pytest.fixture
async def camera_server(
    aiohttp_server: Callable[..., Awaitable[TestServer]],
) -> tuple[SimulatedCamera, TestServer]:
    """A simulated camera's HTTP API on a loopback port."""
    camera = SimulatedCamera(MAC)
    server = await aiohttp_server(create_app(camera, password="s3cret"))
    return camera, server


async def _client(
    server: TestServer, session: aiohttp.ClientSession, **kwargs: Any
) -> X5HttpClient:
    return X5HttpClient(
        session, server.host, server.port, "admin", kwargs.get("password", "s3cret")
    )


@pytest.mark.parametrize(
    "command",
    [c for c in COMMANDS if not c.takes_data or c.name.startswith("set.")],
    ids=lambda c: c.name,
)
async def test_every_command_reaches_its_path(
    camera_server: tuple[SimulatedCamera, TestServer], command: Any
) -> None:
    """Each catalogue command uses the guide's method and path, authenticated."""
    camera, server = camera_server
    async with aiohttp.ClientSession() as session:
        client = await _client(server, session)
        data = {"probe": 1} if command.takes_data else None
        await client.async_request(command, data)
    method, path, api, sent = server.app["requests"][-1]
    assert (method, path) == (command.http_method.value, command.http_path)
    if command.name.startswith("set."):
        assert sent == {"probe": 1}  # JSON body


async def test_set_changes_what_get_returns(
    camera_server: tuple[SimulatedCamera, TestServer],
) -> None:
    """POST JSON body for set.*, then GET shows it."""
    _, server = camera_server
    async with aiohttp.ClientSession() as session:
        client = await _client(server, session)
        assert await client.async_request("set.image.info", {"brightness": 60}) == {
            "code": 0,
            "result": "OK",
        }
        answer = await client.async_request("get.image.info")
    assert isinstance(answer, dict)
    assert answer["brightness"] == 60


async def test_query_parameters_for_storage_search(
    aiohttp_server: Callable[..., Awaitable[TestServer]],
) -> None:
    """storage.search: query parameters with times written as the guide shows them
    (``1970-01-01+00:00:00``, ``+`` and ``:`` literal), and the listed JSON header."""
    seen: list[tuple[str, str | None]] = []

    @web.middleware
    async def record(request: web.Request, handler: Any) -> web.StreamResponse:
        query = request.raw_path.partition("?")[2]
        seen.append((query, request.headers.get("Content-Type")))
        return await handler(request)

    app = create_app(SimulatedCamera(MAC), password="s3cret")
    app.middlewares.append(record)
    server = await aiohttp_server(app)
    query = {
        "startTime": "1970-01-01 00:00:00",  # a space, as people type it
        "endTime": "2022-08-13+19:40:30",  # the guide's form
        "start": 0,
        "length": 30,
        "type": 3,
    }
    async with aiohttp.ClientSession() as session:
        client = await _client(server, session)
        assert await client.async_request("storage.search", query) == {
            "list": [],
            "total": 0,
        }
    assert seen == [
        (
            "startTime=1970-01-01+00:00:00&endTime=2022-08-13+19:40:30"
            "&start=0&length=30&type=3",
            "application/json",
        )
    ]


async def test_snapshot_returns_image_bytes(
    camera_server: tuple[SimulatedCamera, TestServer],
) -> None:
    """cmd.snapshot over HTTP answers with the picture itself."""
    _, server = camera_server
    async with aiohttp.ClientSession() as session:
        image = await (await _client(server, session)).async_request("cmd.snapshot")
    assert isinstance(image, bytes)
    assert image.startswith((b"\xff\xd8", b"\x89PNG"))


async def test_upload_image_is_multipart(
    camera_server: tuple[SimulatedCamera, TestServer],
) -> None:
    """upload.image (HTTP only) posts a file."""
    _, server = camera_server
    async with aiohttp.ClientSession() as session:
        client = await _client(server, session)
        assert await client.async_request(
            "upload.image", {"file": b"FW", "filename": "x.bin"}
        ) == {
            "code": 0,
            "result": "OK",
        }


async def test_wrong_password_is_authentication_error(
    camera_server: tuple[SimulatedCamera, TestServer],
) -> None:
    """401 raises AuthenticationError; the factory password is recognised."""
    _, server = camera_server
    async with aiohttp.ClientSession() as session:
        client = X5HttpClient(session, server.host, server.port)
        assert client.uses_factory_password
        with pytest.raises(AuthenticationError):
            await client.async_request("get.sys.info")


async def test_asleep_and_unreachable_are_connection_errors(
    camera_server: tuple[SimulatedCamera, TestServer], unused_tcp_port: int
) -> None:
    """A sleeping camera (503) or nothing listening: X5ConnectionError."""
    camera, server = camera_server
    camera.awake = False
    async with aiohttp.ClientSession() as session:
        with pytest.raises(X5ConnectionError, match="unavailable"):
            await (await _client(server, session)).async_request("get.sys.info")
        closed = X5HttpClient(session, "127.0.0.1", unused_tcp_port, timeout=2)
        with pytest.raises(X5ConnectionError, match="cannot reach"):
            await closed.async_request("get.sys.info")


async def test_error_status_and_code(
    camera_server: tuple[SimulatedCamera, TestServer],
) -> None:
    """An HTTP error status, or a JSON result with a non-zero code, is a failure."""
    camera, server = camera_server
    async with aiohttp.ClientSession() as session:
        client = await _client(server, session)
        # The simulated camera answers cmd.httpptest with a bad URL as {"code": 1}.
        with pytest.raises(CommandFailedError) as err:
            await client.async_request("cmd.httpptest", {"url": "x"})
        assert err.value.code == 1
        # A camera that has no answer: HTTP 404, the status as the code.
        camera.answer = lambda api, data=None: None  # type: ignore[method-assign]
        with pytest.raises(CommandFailedError) as err:
            await client.async_request("get.sys.info")
        assert err.value.code == 404


async def test_json_shapes() -> None:
    """Empty, non-object, non-JSON and MQTT-wrapped bodies are all understood."""
    from custom_components.milesight_x5.api.catalogue import get_command
    from custom_components.milesight_x5.api.http_client import _json_result

    command = get_command("get.image.info")
    assert _json_result(command, b"") == {}
    assert _json_result(command, b"[1]") == {"data": [1]}
    assert _json_result(command, b"hello") == {"raw": "hello"}
    assert _json_result(command, b'{"api": "get.image.info", "data": {"a": 1}}') == {
        "a": 1
    }


def test_basic_auth_header() -> None:
    """The header aiohttp.BasicAuth made; a colon in the username is refused."""
    assert basic_auth("admin", "ms123456") == "Basic YWRtaW46bXMxMjM0NTY="
    with pytest.raises(ValueError):
        basic_auth("ad:min", "x")


@pytest.mark.parametrize(
    ("status", "maybe_sent"), [(502, True), (503, False), (504, True)]
)
async def test_gateway_errors_may_have_reached_the_camera(
    aiohttp_server: Callable[..., Awaitable[TestServer]], status: int, maybe_sent: bool
) -> None:
    """502/504 come from a proxy that passed the request on: an act must not be
    sent again; 503 is the camera itself, busy."""

    async def gateway(request: web.Request) -> web.Response:
        return web.Response(status=status)

    app = web.Application()
    app.router.add_get("/api/cmd/reboot", gateway)
    server = await aiohttp_server(app)
    async with aiohttp.ClientSession() as session:
        client = await _client(server, session)
        with pytest.raises(X5ConnectionError) as err:
            await client.async_request("cmd.reboot")
    assert err.value.maybe_sent is maybe_sent
