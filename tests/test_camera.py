"""The camera entity: the latest good picture for cards, HomeKit and camera.snapshot."""

from __future__ import annotations

from collections.abc import Coroutine
from datetime import timedelta
from http import HTTPStatus
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.camera import async_get_image
from homeassistant.const import STATE_IDLE, Platform
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion

from .conftest import HEARTBEAT_TOPIC, SNAPSHOT_TOPIC, fire, snapshot_entities
from .helpers import jpeg, load_fixture_text, picture

CAMERA = "camera.garden_camera"
IMAGE = "image.garden_camera_snapshot"
CAPTURE = "event.garden_camera_capture"

pytestmark = pytest.mark.freeze_time("2026-11-25T12:00:00+00:00")


@pytest.fixture
def platforms() -> list[Platform]:
    """The camera, the image and the events (their order is tested)."""
    return [Platform.CAMERA, Platform.IMAGE, Platform.EVENT]


def _camera_entity(hass: HomeAssistant) -> Any:
    return hass.data["camera"].get_entity(CAMERA)


@pytest.mark.parametrize("platforms", [[Platform.CAMERA]])
async def test_camera_snapshot(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """The device's main entity, named after the camera, never streaming."""
    await fire(hass, SNAPSHOT_TOPIC, picture("a"))
    entity = _camera_entity(hass)
    entity.access_tokens.append("1")  # the random token, made stable for the snapshot
    entity.async_write_ha_state()
    await snapshot_entities(hass, entity_registry, snapshot, init_integration.entry_id)


async def test_the_image_is_the_latest_good_picture(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    """async_get_image (HomeKit's snapshots, picture cards) and the camera proxy give
    the latest whole picture; a broken one keeps the one before."""
    await fire(hass, SNAPSHOT_TOPIC, picture("a"))
    image = await async_get_image(hass, CAMERA)
    assert image.content == jpeg("a")
    assert image.content_type == "image/jpeg"
    await fire(hass, SNAPSHOT_TOPIC, picture("b"))
    await fire(hass, SNAPSHOT_TOPIC, picture(image="garbage!"))
    assert (await async_get_image(hass, CAMERA)).content == jpeg("b")
    resp = await (await hass_client()).get(f"/api/camera_proxy/{CAMERA}")
    assert resp.status == HTTPStatus.OK
    assert await resp.read() == jpeg("b")


async def test_a_png_picture_is_served_as_png(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The content type follows the picture."""
    import base64

    from simulator.image import _png

    uri = "data:image/png;base64," + base64.b64encode(_png()).decode()
    await fire(hass, SNAPSHOT_TOPIC, picture(image=uri))
    image = await async_get_image(hass, CAMERA)
    assert image.content_type == "image/png"
    assert image.content == _png()


async def test_camera_snapshot_action_writes_the_picture(
    hass: HomeAssistant, init_integration: MockConfigEntry, tmp_path: Path
) -> None:
    """camera.snapshot saves the latest picture to a file."""
    await fire(hass, SNAPSHOT_TOPIC, picture("a"))
    hass.config.allowlist_external_dirs = {str(tmp_path)}
    target = tmp_path / "garden.jpg"
    await hass.services.async_call(
        "camera",
        "snapshot",
        {"entity_id": CAMERA, "filename": str(target)},
        blocking=True,
    )
    assert target.read_bytes() == jpeg("a")


async def test_before_any_picture(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """No picture yet: the camera is there (idle) and says it has no image."""
    assert hass.states.get(CAMERA).state == STATE_IDLE
    with pytest.raises(HomeAssistantError):
        await async_get_image(hass, CAMERA)


async def test_a_sleeping_camera_stays_available(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Silent past the watchdog (asleep, out of coverage): still idle with its last
    picture; only the connectivity sensor turns off."""
    await fire(hass, HEARTBEAT_TOPIC, load_fixture_text("heartbeat.json"))
    await fire(hass, SNAPSHOT_TOPIC, picture("a"))
    freezer.tick(timedelta(days=3))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert init_integration.runtime_data.data.reachable is False
    assert hass.states.get(CAMERA).state == STATE_IDLE
    assert (await async_get_image(hass, CAMERA)).content == jpeg("a")


async def test_the_picture_survives_a_restart(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """After a restart the camera shows the last picture before the camera speaks."""
    await fire(hass, SNAPSHOT_TOPIC, picture("a"))
    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert (await async_get_image(hass, CAMERA)).content == jpeg("a")


def _now(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """Run a coroutine that does not wait for anything, right here (in a callback)."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value
    coroutine.close()
    raise AssertionError("the coroutine waited")


async def test_entities_hold_the_picture_before_the_capture_fires(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """When the capture event fires (an automation reads it at once), the image and
    the camera entities already show that capture's picture."""
    await fire(hass, SNAPSHOT_TOPIC, picture("first"))
    image_entity = hass.data["image"].get_entity(IMAGE)
    camera_entity = _camera_entity(hass)
    seen: list[tuple[bytes, bytes, str]] = []

    @callback
    def _capture(event: Event[Any]) -> None:
        if event.data["entity_id"] == CAPTURE:
            seen.append(
                (
                    _now(image_entity.async_image()),
                    _now(camera_entity.async_camera_image()),
                    hass.states.get(IMAGE).state,
                )
            )

    hass.bus.async_listen("state_changed", _capture)
    freezer.tick(timedelta(minutes=5))
    await fire(hass, SNAPSHOT_TOPIC, picture("second", snapType="PIR"))
    assert seen == [(jpeg("second"), jpeg("second"), "2026-11-25T12:05:00+00:00")]
