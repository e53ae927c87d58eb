"""Pictures are shown in the order the camera took them (not the loop's clock
frozen here: the decodes race for real)."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any
from unittest.mock import patch

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_mqtt_message,
)

from custom_components.milesight_x5 import coordinator as module
from custom_components.milesight_x5.const import LARGE_PAYLOAD_BYTES

from .conftest import SNAPSHOT_TOPIC
from .helpers import jpeg, picture

IMAGE = "image.garden_camera_snapshot"


async def _race(hass: HomeAssistant, *, camera_times: bool = True) -> None:
    """Two large pictures, a (taken first) and b: a's decode is slow, so b arrives
    while a is still decoded and finishes first."""
    real = module.parse_snapshot

    def slow_for_a(message: dict) -> Any:
        if message["values"]["file"] == "a.jpg":
            time.sleep(0.3)
        return real(message)

    now = int(dt_util.utcnow().timestamp())
    pad = "x" * LARGE_PAYLOAD_BYTES
    with patch.object(module, "parse_snapshot", slow_for_a):
        for tag, taken in (("a", now - 10), ("b", now - 5)):
            message = json.loads(picture(tag, file=f"{tag}.jpg", pad=pad))
            message["values"].pop("time", None)
            message.pop("ts", None)
            if camera_times:
                message["values"]["time"] = taken
                message["ts"] = taken * 1000
            async_fire_mqtt_message(hass, SNAPSHOT_TOPIC, json.dumps(message))
            await asyncio.sleep(0.05)  # b arrives while a is still decoded
        await hass.async_block_till_done()


@pytest.mark.parametrize("camera_times", [True, False])
async def test_pictures_are_shown_in_the_order_taken(
    hass: HomeAssistant, init_integration: MockConfigEntry, camera_times: bool
) -> None:
    """Two large pictures decoded side by side, the older one finishing last: the
    newer stays shown (by the camera's times, or by arrival without them); both
    are in the history."""
    await _race(hass, camera_times=camera_times)
    image = hass.data["image"].get_entity(IMAGE)
    assert await image.async_image() == jpeg("b")
    history = init_integration.runtime_data.history
    assert history.count == 2


@pytest.mark.parametrize(("clock_offset", "shown"), [(0.0, "a"), (-3600.0, "b")])
async def test_a_clock_that_disagrees_orders_nothing(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    clock_offset: float,
    shown: str,
) -> None:
    """A picture the camera dates an hour before the one shown: with its clock
    agreeing with Home Assistant's it is older (history only); with its clock an
    hour behind, the camera's dates order nothing: the newer arrival is shown."""
    now = int(dt_util.utcnow().timestamp())
    state = init_integration.runtime_data.data
    for tag, taken in (("a", now), ("b", now - 3600)):
        state.clock_offset = clock_offset
        message = json.loads(picture(tag, file=f"{tag}.jpg"))
        message["values"]["time"] = taken
        message["ts"] = taken * 1000
        async_fire_mqtt_message(hass, SNAPSHOT_TOPIC, json.dumps(message))
        await hass.async_block_till_done()
    image = hass.data["image"].get_entity(IMAGE)
    assert await image.async_image() == jpeg(shown)
    assert init_integration.runtime_data.history.count == 2


async def test_each_capture_event_names_its_own_picture(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The older picture decoded last is not shown, but its capture event points
    at its own picture, and the picture kept for a restart is the newer one."""
    events: list[dict[str, Any]] = []
    hass.bus.async_listen("milesight_x5_capture", lambda e: events.append(e.data))
    await _race(hass)
    history = init_integration.runtime_data.history
    by_file = {event["file"]: event["media_content_id"] for event in events}
    older, newer = sorted(history.newest_first(), key=lambda p: p.taken)
    assert by_file["a.jpg"].endswith(older.name)
    assert by_file["b.jpg"].endswith(newer.name)
    assert history.latest.read_bytes() == jpeg("b")
