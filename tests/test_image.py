"""The snapshot image: bytes, capture time, bad images, restart."""

from __future__ import annotations

import base64
from datetime import timedelta
from http import HTTPStatus
import json

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNKNOWN, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion

from .conftest import HEARTBEAT_TOPIC, SNAPSHOT_TOPIC, fire, snapshot_entities
from .helpers import load_fixture_json, load_fixture_text, payload, picture

IMAGE = "image.garden_camera_snapshot"
NOW = "2026-11-25T12:00:00+00:00"  # when Home Assistant receives the picture

pytestmark = pytest.mark.freeze_time(NOW)


@pytest.fixture
def platforms() -> list[Platform]:
    """Only the image."""
    return [Platform.IMAGE]


def _jpeg() -> bytes:
    uri = load_fixture_json("snapshot.json")["values"]["image"]
    return base64.b64decode(uri.split(",", 1)[1])


async def _fetch(
    hass: HomeAssistant, client: ClientSessionGenerator
) -> tuple[int, bytes]:
    http = await client()
    resp = await http.get(f"/api/image_proxy/{IMAGE}")
    return resp.status, await resp.read()


async def test_image_snapshot(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """The image entity after a snapshot: state is when HA received it."""
    await fire(hass, SNAPSHOT_TOPIC, load_fixture_text("snapshot.json"))
    entity = hass.data["image"].get_entity(IMAGE)
    entity.access_tokens.append("1")  # the random token, made stable for the snapshot
    entity.async_write_ha_state()
    await snapshot_entities(hass, entity_registry, snapshot, init_integration.entry_id)


async def test_image_bytes_and_capture_time(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    """The JPEG the camera sent is served; the state is when HA received it (the
    camera's clock may be wrong; its capture time stays in the snapshot)."""
    assert hass.states.get(IMAGE).state == STATE_UNKNOWN
    await fire(hass, SNAPSHOT_TOPIC, load_fixture_text("snapshot.json"))
    assert hass.states.get(IMAGE).state == NOW
    snapshot = init_integration.runtime_data.data.snapshot
    assert snapshot.capture_time.isoformat() == "2023-04-24T11:45:43+00:00"
    status, body = await _fetch(hass, hass_client)
    assert status == HTTPStatus.OK
    assert body == _jpeg()


def _cut(text: str, keep: int) -> str:
    return text[:keep]


GOOD_URI = load_fixture_json("snapshot.json")["values"]["image"]


@pytest.mark.parametrize(
    "bad_image",
    [
        "data:image/jpeg;base64,/9j/4AA...",  # the guide's cut sample
        "data:image/jpeg;base64,%%%%",
        None,
        "not a picture at all",  # not a data URI; decodes as base64 though
        _cut(GOOD_URI, len(GOOD_URI) // 2),  # truncated base64
        "data:image/jpeg;base64,"
        + base64.b64encode(b"\xff\xd8\xff" + bytes(50)).decode(),
    ],
    ids=["guide_cut", "garbage", "none", "not_data_uri", "truncated", "no_end_marker"],
)
async def test_bad_image_keeps_the_previous_one(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
    bad_image: str | None,
) -> None:
    """A picture that is not whole never replaces the last good one (observation 6)."""
    await fire(hass, SNAPSHOT_TOPIC, load_fixture_text("snapshot.json"))
    freezer.tick(timedelta(minutes=5))
    await fire(
        hass, SNAPSHOT_TOPIC, payload("snapshot.json", image=bad_image, time=1700000000)
    )
    assert hass.states.get(IMAGE).state == NOW
    status, body = await _fetch(hass, hass_client)
    assert status == HTTPStatus.OK
    assert body == _jpeg()
    # The snapshot's other data still arrived.
    snapshot = init_integration.runtime_data.data.snapshot
    assert snapshot.capture_time.isoformat() == "2023-11-14T22:13:20+00:00"
    if bad_image is not None:
        assert "the last good picture stays" in caplog.text


async def test_bad_pictures_warn_once(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A camera sending broken pictures warns once, not per message."""
    for _ in range(3):
        await fire(hass, SNAPSHOT_TOPIC, payload("snapshot.json", image="garbage!"))
    warnings = [r for r in caplog.records if "last good picture" in r.getMessage()]
    assert [r.levelname for r in warnings] == ["WARNING", "DEBUG", "DEBUG"]


async def test_camera_clock_in_1970(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A camera whose clock says 1970: the picture is dated when HA received it.
    A picture's old time alone says nothing of the clock (it may be a backlog);
    its heartbeats report the wrong clock, once (observation 7)."""
    for tag in "ab":  # two pictures (the same one twice would be one capture)
        await fire(
            hass,
            SNAPSHOT_TOPIC,
            picture(tag, time=86_400 * 2, file=f"CV19700103{tag}.jpg"),
        )
    assert hass.states.get(IMAGE).state == NOW
    assert not [r for r in caplog.records if "clock of camera" in r.getMessage()]
    heartbeat = load_fixture_json("heartbeat.json")
    for seconds in (86_400 * 2, 86_400 * 2 + 60):
        heartbeat["ts"] = seconds * 1000
        await fire(hass, HEARTBEAT_TOPIC, json.dumps(heartbeat))
    clock = [r for r in caplog.records if "clock of camera" in r.getMessage()]
    assert [r.levelname for r in clock] == ["WARNING", "DEBUG"]


async def test_oversized_snapshot_is_rejected(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A snapshot over the 10 MB cap is refused whole; the last image stays."""
    await fire(hass, SNAPSHOT_TOPIC, load_fixture_text("snapshot.json"))
    huge = (
        "data:image/jpeg;base64," + base64.b64encode(bytes(11 * 1024 * 1024)).decode()
    )
    await fire(
        hass, SNAPSHOT_TOPIC, payload("snapshot.json", image=huge, time=1700000000)
    )
    status, body = await _fetch(hass, hass_client)
    assert body == _jpeg()
    assert hass.states.get(IMAGE).state == NOW
    assert "snapshot rejected: image larger than 10485760 bytes" in caplog.text


async def test_large_snapshot_is_decoded_off_the_loop(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    """A 200 kB snapshot (over the in-loop limit) still arrives whole."""
    big = _jpeg()[:-2] + bytes(200_000) + b"\xff\xd9"
    uri = "data:image/jpeg;base64," + base64.b64encode(big).decode()
    await fire(
        hass, SNAPSHOT_TOPIC, payload("snapshot.json", image=uri, imageSize=len(big))
    )
    status, body = await _fetch(hass, hass_client)
    assert status == HTTPStatus.OK
    assert body == big


async def test_image_survives_a_restart(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    """Reloading (as at a restart) shows the last snapshot before the camera speaks."""
    await fire(hass, SNAPSHOT_TOPIC, load_fixture_text("snapshot.json"))
    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(IMAGE).state == NOW
    status, body = await _fetch(hass, hass_client)
    assert status == HTTPStatus.OK
    assert body == _jpeg()


async def test_json_image_field_types(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A snapshot that is only metadata (no image at all) sets no image."""
    message = load_fixture_json("snapshot.json")
    del message["values"]["image"]
    await fire(hass, SNAPSHOT_TOPIC, json.dumps(message))
    assert hass.states.get(IMAGE).state == STATE_UNKNOWN


@pytest.mark.parametrize(("camera_time", "shown"), [(1, False), (1700000000, True)])
async def test_retained_picture_restores_only_when_newer(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    camera_time: int,
    shown: bool,
) -> None:
    """A retained picture (the broker's replay on subscribe) shows when it is newer
    than the one known; an older one is ignored."""
    from pytest_homeassistant_custom_component.common import async_fire_mqtt_message

    replayed = _jpeg()[:-2] + b"replayed" + b"\xff\xd9"
    uri = "data:image/jpeg;base64," + base64.b64encode(replayed).decode()
    await fire(hass, SNAPSHOT_TOPIC, load_fixture_text("snapshot.json"))
    async_fire_mqtt_message(
        hass,
        SNAPSHOT_TOPIC,
        payload("snapshot.json", image=uri, time=camera_time),
        retain=True,
    )
    await hass.async_block_till_done()
    assert (await _fetch(hass, hass_client))[1] == (replayed if shown else _jpeg())
