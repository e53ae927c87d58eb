"""The demo's calls to its Home Assistant: the user (onboarding, or its login on a
kept config), waiting for the cameras, and the settings copy it starts."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

import aiohttp

USERNAME, PASSWORD = "demo", "x5-demo-pass"


async def wait_for_cameras(base: str, token: str, *, required: bool = True) -> None:
    """Wait until the cameras' entities exist (their MQTT subscriptions are made).

    ``required`` False (a kept config, where cameras may have been removed): go on
    after the wait instead of failing.
    """
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(headers=headers) as session:
        deadline = time.monotonic() + (120 if required else 60)
        while time.monotonic() < deadline:
            with contextlib.suppress(aiohttp.ClientError):
                async with session.get(f"{base}/api/states") as resp:
                    ids = {state["entity_id"] for state in await resp.json()}
                if {
                    "sensor.garden_camera_battery",
                    "sensor.barn_camera_battery",
                } <= ids:
                    # HA's MQTT client batches subscriptions (0.5 s), then the SUBACK.
                    await asyncio.sleep(2)
                    return
            await asyncio.sleep(0.5)
    if required:
        raise RuntimeError("the cameras were not set up; see home-assistant.log")


async def _wait_for_http(
    session: aiohttp.ClientSession, base: str, path: str = "/manifest.json"
) -> None:
    """Wait until Home Assistant's HTTP server answers ``path``."""
    deadline = time.monotonic() + 300
    while True:
        with contextlib.suppress(aiohttp.ClientError):
            async with session.get(f"{base}{path}") as resp:
                if resp.status == 200:
                    return
        if time.monotonic() > deadline:
            raise RuntimeError("Home Assistant did not start")
        await asyncio.sleep(0.5)


async def _token(
    session: aiohttp.ClientSession, base: str, client_id: str, code: str
) -> dict[str, Any]:
    async with session.post(
        f"{base}/auth/token",
        data={"grant_type": "authorization_code", "code": code, "client_id": client_id},
    ) as resp:
        resp.raise_for_status()
        tokens: dict[str, Any] = await resp.json()
    return tokens


async def log_in(base: str) -> dict[str, Any]:
    """Log the demo user in (a kept config: the user exists); return its tokens."""
    client_id = f"{base}/"
    async with aiohttp.ClientSession() as session:
        await _wait_for_http(session, base)
        async with session.post(
            f"{base}/auth/login_flow",
            json={
                "client_id": client_id,
                "handler": ["homeassistant", None],
                "redirect_uri": f"{client_id}?auth_callback=1",
            },
        ) as resp:
            resp.raise_for_status()
            flow_id = (await resp.json())["flow_id"]
        async with session.post(
            f"{base}/auth/login_flow/{flow_id}",
            json={"client_id": client_id, "username": USERNAME, "password": PASSWORD},
        ) as resp:
            resp.raise_for_status()
            result = await resp.json()
        if result.get("type") != "create_entry":
            raise RuntimeError(
                f"the demo login {USERNAME} / {PASSWORD} was refused (changed in the"
                " UI?); start over with scripts/demo --fresh"
            )
        return await _token(session, base, client_id, result["result"])


async def create_user(base: str) -> dict[str, Any]:
    """Create the demo user through onboarding; return its tokens."""
    client_id = f"{base}/"
    async with aiohttp.ClientSession() as session:
        await _wait_for_http(session, base, "/api/onboarding")
        async with session.post(
            f"{base}/api/onboarding/users",
            json={
                "client_id": client_id,
                "name": "Demo",
                "username": USERNAME,
                "password": PASSWORD,
                "language": "en",
            },
        ) as resp:
            resp.raise_for_status()
            code = (await resp.json())["auth_code"]
        return await _token(session, base, client_id, code)


async def start_copy(base: str, token: str) -> str:
    """The garden camera's heartbeat and image settings copied to the barn and field
    cameras (a fresh demo): the barn takes them at once, the field camera (it cannot
    be woken) at its next wake. Once the garden camera's settings are read."""
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(headers=headers) as session:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            async with session.get(
                f"{base}/api/states/select.garden_camera_day_night_mode"
            ) as resp:
                read = resp.status == 200 and (await resp.json())["state"] not in (
                    "unknown",
                    "unavailable",
                )
            async with session.get(
                f"{base}/api/states/number.garden_camera_heartbeat"
            ) as resp:
                read = read and resp.status == 200
            if read:
                break
            await asyncio.sleep(0.5)
        else:
            return "settings copy: not started (the garden camera's settings unread)"
        async with session.post(
            f"{base}/api/template",
            json={"template": "{{ device_id('sensor.garden_camera_battery') }}"},
        ) as resp:
            source = (await resp.text()).strip()
        async with session.post(
            f"{base}/api/services/milesight_x5/copy_settings?return_response",
            json={
                "source": source,
                "groups": ["heartbeat", "image"],
                "entity_id": ["camera.barn_camera", "camera.field_camera"],
            },
        ) as resp:
            if resp.status != 200:
                return f"settings copy: refused ({resp.status}: {await resp.text()})"
    return (
        "settings copy: Garden camera's heartbeat and image settings to Barn camera"
        " (at once) and Field camera (it cannot be woken: at once if still awake,"
        " else at its next own wake): their Settings copy sensors"
    )
