"""The picture history in the media browser, and the URL that serves a picture."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import media_source
from homeassistant.components.media_player import BrowseError
from homeassistant.components.media_source import Unresolvable
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    MqttMockHAClient,
    WebSocketGenerator,
)

from custom_components.milesight_x5.api import TriggerType
from custom_components.milesight_x5.history import Picture
from custom_components.milesight_x5.media_source import picture_title

from .conftest import MAC, OTHER_MAC, SNAPSHOT_TOPIC, fire, make_entry
from .helpers import jpeg, picture

ROOT = "media-source://milesight_x5"
# 23:30 in Berlin on the 24th; the later pictures are on the 25th there.
START = datetime(2026, 11, 24, 22, 30, tzinfo=UTC)
GARDEN_ID, BARN_ID = "01GARDENCAMERA000000000000", "01BARNCAMERA00000000000000"

pytestmark = pytest.mark.freeze_time(START)


@pytest.fixture
def platforms() -> list[Platform]:
    """The events (for the capture's picture)."""
    return [Platform.EVENT]


@pytest.fixture
async def cameras(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient, _limit_platforms: None
) -> tuple[MockConfigEntry, MockConfigEntry]:
    """Two cameras, in Berlin's time zone, with the media source set up."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    garden = make_entry(MAC, "Garden camera", entry_id=GARDEN_ID)
    barn = make_entry(OTHER_MAC, "Barn camera", entry_id=BARN_ID)
    for entry in (garden, barn):
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
    assert await async_setup_component(hass, "media_source", {})
    await hass.async_block_till_done()
    return garden, barn


async def _three_pictures(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """The garden camera's pictures: 23:30 (24th), 00:30 and 14:02 (25th), Berlin."""
    await fire(
        hass, SNAPSHOT_TOPIC, picture("t", snapType="Temperature", triggerValue="35.5")
    )
    freezer.move_to(START + timedelta(hours=1))
    await fire(hass, SNAPSHOT_TOPIC, picture("p", snapType="PIR", triggerValue=""))
    freezer.move_to(datetime(2026, 11, 25, 13, 2, 17, tzinfo=UTC))
    await fire(hass, SNAPSHOT_TOPIC, picture("n", snapType="Noise", triggerValue="78"))
    # Back to when the test's login is valid (an access token lives 30 minutes).
    freezer.move_to(START + timedelta(minutes=1))


def _titles(node: Any) -> list[str]:
    return [child.title for child in node.children]


async def test_browse_camera_day_pictures(
    hass: HomeAssistant,
    cameras: tuple[MockConfigEntry, MockConfigEntry],
    freezer: FrozenDateTimeFactory,
) -> None:
    """Cameras by name, then days (local, newest first), then pictures newest first
    titled with the local time, the trigger, its value and unit."""
    await _three_pictures(hass, freezer)
    root = await media_source.async_browse_media(hass, ROOT)
    assert root.title == "Milesight X5 Sensing Camera"
    assert _titles(root) == ["Barn camera", "Garden camera"]
    barn, garden = root.children
    assert barn.media_content_id == f"{ROOT}/{BARN_ID}"
    assert barn.thumbnail is None  # no picture yet
    assert garden.can_expand
    assert not garden.can_play

    camera = await media_source.async_browse_media(hass, garden.media_content_id)
    assert camera.title == "Garden camera"
    assert _titles(camera) == ["2026-11-25", "2026-11-24"]
    day = await media_source.async_browse_media(
        hass, camera.children[0].media_content_id
    )
    assert _titles(day) == ["14:02 · Noise 78 dBA", "00:30 · PIR"]
    newest = day.children[0]
    assert newest.media_content_type == "image/jpeg"
    assert newest.can_play
    assert not newest.can_expand
    url = f"/api/milesight_x5/history/{GARDEN_ID}/20261125T130217000000Z-noise.jpg"
    assert newest.thumbnail == url
    assert camera.thumbnail == url  # the newest picture stands for the camera
    earlier = await media_source.async_browse_media(
        hass, camera.children[1].media_content_id
    )
    assert _titles(earlier) == ["23:30 · Temperature 35.5 °C"]

    empty = await media_source.async_browse_media(hass, barn.media_content_id)
    assert empty.children == []


async def test_trigger_names_follow_the_language(
    hass: HomeAssistant,
    cameras: tuple[MockConfigEntry, MockConfigEntry],
    freezer: FrozenDateTimeFactory,
) -> None:
    """The trigger is named in Home Assistant's language."""
    await _three_pictures(hass, freezer)
    hass.config.language = "de"
    day = await media_source.async_browse_media(hass, f"{ROOT}/{GARDEN_ID}/2026-11-25")
    assert _titles(day) == ["14:02 · Geräusch 78 dBA", "00:30 · PIR"]


@pytest.mark.parametrize(
    ("trigger", "value", "title"),
    [
        (TriggerType.NOISE, 78.0, "13:02 · noise 78 dBA"),
        (TriggerType.TEMPERATURE, -3.25, "13:02 · temperature -3.25 °C"),
        (TriggerType.DIGITAL_INPUT, 1, "13:02 · digital_input 1"),
        (TriggerType.OTHER, "lens covered", "13:02 · other lens covered"),
        (TriggerType.TIMED, None, "13:02 · timed"),
        (TriggerType.MANUAL, "", "13:02 · manual"),
    ],
)
async def test_picture_titles(
    hass: HomeAssistant, trigger: TriggerType, value: Any, title: str
) -> None:
    """A unit where the trigger has one; a text value as it came."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    kept = Picture(
        name="x.jpg",
        taken=datetime(2026, 11, 25, 12, 2, tzinfo=UTC),
        trigger=trigger,
        trigger_value=value,
    )
    assert picture_title(kept, {}) == title


async def test_resolve_and_fetch(
    hass: HomeAssistant,
    cameras: tuple[MockConfigEntry, MockConfigEntry],
    freezer: FrozenDateTimeFactory,
    hass_client: ClientSessionGenerator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """A picture resolves to its URL: served to a logged-in user, not to others."""
    await _three_pictures(hass, freezer)
    day = await media_source.async_browse_media(hass, f"{ROOT}/{GARDEN_ID}/2026-11-25")
    media_id = day.children[0].media_content_id
    assert media_id == f"{ROOT}/{GARDEN_ID}/20261125T130217000000Z-noise.jpg"
    play = await media_source.async_resolve_media(hass, media_id, None)
    assert play.mime_type == "image/jpeg"
    assert (
        play.url
        == f"/api/milesight_x5/history/{GARDEN_ID}/20261125T130217000000Z-noise.jpg"
    )

    resp = await (await hass_client()).get(play.url)
    assert resp.status == HTTPStatus.OK
    assert resp.content_type == "image/jpeg"
    assert await resp.read() == jpeg("n")
    resp = await (await hass_client_no_auth()).get(play.url)
    assert resp.status == HTTPStatus.UNAUTHORIZED


async def test_the_capture_event_carries_its_picture(
    hass: HomeAssistant,
    cameras: tuple[MockConfigEntry, MockConfigEntry],
    freezer: FrozenDateTimeFactory,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """The capture event names its picture in the media browser and gives a signed
    URL a notification can fetch without a login."""
    await fire(hass, SNAPSHOT_TOPIC, picture("e", snapType="PIR"))
    attributes = hass.states.get("event.garden_camera_capture").attributes
    name = "20261124T223000000000Z-pir.jpg"
    assert attributes["media_content_id"] == f"{ROOT}/{GARDEN_ID}/{name}"
    play = await media_source.async_resolve_media(
        hass, attributes["media_content_id"], None
    )
    assert attributes["picture_url"].startswith(f"{play.url}?authSig=")
    resp = await (await hass_client_no_auth()).get(attributes["picture_url"])
    assert resp.status == HTTPStatus.OK
    assert await resp.read() == jpeg("e")
    # It works for a day.
    freezer.tick(timedelta(hours=23, minutes=59))
    resp = await (await hass_client_no_auth()).get(attributes["picture_url"])
    assert resp.status == HTTPStatus.OK
    freezer.tick(timedelta(minutes=2))
    resp = await (await hass_client_no_auth()).get(attributes["picture_url"])
    assert resp.status == HTTPStatus.UNAUTHORIZED


async def test_an_invalid_picture_has_no_picture_in_its_event(
    hass: HomeAssistant, cameras: tuple[MockConfigEntry, MockConfigEntry]
) -> None:
    """The capture of a picture that was not whole fires, saying it has no picture."""
    await fire(hass, SNAPSHOT_TOPIC, picture("a"))
    await fire(hass, SNAPSHOT_TOPIC, picture(image="garbage!", snapType="PIR"))
    attributes = hass.states.get("event.garden_camera_capture").attributes
    assert attributes["event_type"] == "pir"
    assert attributes["media_content_id"] is None
    assert attributes["picture_url"] is None


@pytest.mark.parametrize(
    "identifier",
    [
        "01NOTACAMERA",
        f"{GARDEN_ID}/2026-13",
        f"{GARDEN_ID}/yesterday",
        f"{GARDEN_ID}/20261124T223000000000Z-temperature.jpg",  # a picture
    ],
)
async def test_browsing_what_is_not_there(
    hass: HomeAssistant,
    cameras: tuple[MockConfigEntry, MockConfigEntry],
    identifier: str,
) -> None:
    """An unknown camera, a malformed day or a picture cannot be browsed."""
    with pytest.raises(BrowseError, match="no such camera or day"):
        await media_source.async_browse_media(hass, f"{ROOT}/{identifier}")


async def test_a_day_without_pictures_is_empty(
    hass: HomeAssistant, cameras: tuple[MockConfigEntry, MockConfigEntry]
) -> None:
    """A day the camera sent nothing (an old link) lists nothing."""
    day = await media_source.async_browse_media(hass, f"{ROOT}/{GARDEN_ID}/2020-01-01")
    assert day.children == []
    assert day.thumbnail is None


@pytest.mark.parametrize(
    "identifier",
    [
        f"{GARDEN_ID}/20261124T223000000000Z-noise.jpg",  # never taken
        f"{GARDEN_ID}/../{BARN_ID}/index.json",
        f"{GARDEN_ID}/index.json",
        "01NOTACAMERA/20261124T223000000000Z-temperature.jpg",
        GARDEN_ID,
    ],
)
async def test_resolving_what_is_not_there(
    hass: HomeAssistant,
    cameras: tuple[MockConfigEntry, MockConfigEntry],
    freezer: FrozenDateTimeFactory,
    identifier: str,
) -> None:
    """Only a kept picture resolves."""
    await _three_pictures(hass, freezer)
    with pytest.raises(Unresolvable, match="not in the camera's history"):
        await media_source.async_resolve_media(hass, f"{ROOT}/{identifier}", None)


@pytest.mark.parametrize(
    "path",
    [
        "index.json",
        "holiday.jpg",  # a file put in the folder by hand
        "..%2F..%2Fmilesight_x5." + MAC,
        "%2E%2E",
        "20261124T223000000000Z-noise.jpg",  # named like ours, never taken
    ],
)
async def test_the_url_serves_only_kept_pictures(
    hass: HomeAssistant,
    cameras: tuple[MockConfigEntry, MockConfigEntry],
    freezer: FrozenDateTimeFactory,
    hass_client: ClientSessionGenerator,
    path: str,
) -> None:
    """Nothing in the folder but a kept picture is served, and nothing outside it."""
    await _three_pictures(hass, freezer)
    garden, _ = cameras
    folder = garden.runtime_data.history.folder
    (folder / "holiday.jpg").write_bytes(jpeg("mine"))
    (folder / "20261124T223000000000Z-noise.jpg").write_bytes(jpeg("mine"))
    resp = await (await hass_client()).get(
        f"/api/milesight_x5/history/{GARDEN_ID}/{path}"
    )
    assert resp.status in (HTTPStatus.NOT_FOUND, HTTPStatus.BAD_REQUEST)


async def test_the_url_of_another_camera_or_integration(
    hass: HomeAssistant,
    cameras: tuple[MockConfigEntry, MockConfigEntry],
    freezer: FrozenDateTimeFactory,
    hass_client: ClientSessionGenerator,
) -> None:
    """A picture is served under its own camera only; other entries are not cameras."""
    await _three_pictures(hass, freezer)
    other = MockConfigEntry(domain="demo", entry_id="01OTHERINTEGRATION00000000")
    other.add_to_hass(hass)
    client = await hass_client()
    name = "20261125T130217000000Z-noise.jpg"
    for entry_id in (BARN_ID, "01OTHERINTEGRATION00000000", "nope"):
        resp = await client.get(f"/api/milesight_x5/history/{entry_id}/{name}")
        assert resp.status == HTTPStatus.NOT_FOUND


async def test_a_picture_deleted_by_hand_breaks_nothing(
    hass: HomeAssistant,
    cameras: tuple[MockConfigEntry, MockConfigEntry],
    freezer: FrozenDateTimeFactory,
    hass_client: ClientSessionGenerator,
) -> None:
    """Deleted while Home Assistant runs: still listed, its URL answers 404; gone
    from the list after a restart."""
    await _three_pictures(hass, freezer)
    garden, _ = cameras
    name = "20261125T130217000000Z-noise.jpg"
    (garden.runtime_data.history.folder / name).unlink()
    day = await media_source.async_browse_media(hass, f"{ROOT}/{GARDEN_ID}/2026-11-25")
    assert len(day.children) == 2
    resp = await (await hass_client()).get(
        f"/api/milesight_x5/history/{GARDEN_ID}/{name}"
    )
    assert resp.status == HTTPStatus.NOT_FOUND
    assert await hass.config_entries.async_reload(garden.entry_id)
    await hass.async_block_till_done()
    day = await media_source.async_browse_media(hass, f"{ROOT}/{GARDEN_ID}/2026-11-25")
    assert _titles(day) == ["00:30 · PIR"]


async def test_an_unloaded_camera_is_not_listed(
    hass: HomeAssistant,
    cameras: tuple[MockConfigEntry, MockConfigEntry],
    freezer: FrozenDateTimeFactory,
    hass_client: ClientSessionGenerator,
) -> None:
    """A camera that is not loaded (disabled, failed) is neither listed nor served."""
    await _three_pictures(hass, freezer)
    garden, _ = cameras
    assert await hass.config_entries.async_unload(garden.entry_id)
    root = await media_source.async_browse_media(hass, ROOT)
    assert _titles(root) == ["Barn camera"]
    with pytest.raises(BrowseError):
        await media_source.async_browse_media(hass, f"{ROOT}/{GARDEN_ID}")
    name = "20261125T130217000000Z-noise.jpg"
    resp = await (await hass_client()).get(
        f"/api/milesight_x5/history/{GARDEN_ID}/{name}"
    )
    assert resp.status == HTTPStatus.NOT_FOUND


async def test_browse_over_the_websocket(
    hass: HomeAssistant,
    cameras: tuple[MockConfigEntry, MockConfigEntry],
    freezer: FrozenDateTimeFactory,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """What the media browser panel asks for."""
    await _three_pictures(hass, freezer)
    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {
            "type": "media_source/browse_media",
            "media_content_id": f"{ROOT}/{GARDEN_ID}/2026-11-24",
        }
    )
    result = (await client.receive_json())["result"]
    assert result["title"] == "2026-11-24"
    assert result["children_media_class"] == "image"
    assert [child["title"] for child in result["children"]] == [
        "23:30 · Temperature 35.5 °C"
    ]
    await client.send_json_auto_id(
        {
            "type": "media_source/resolve_media",
            "media_content_id": result["children"][0]["media_content_id"],
        }
    )
    resolved = (await client.receive_json())["result"]
    assert resolved["url"].startswith(
        f"/api/milesight_x5/history/{GARDEN_ID}/20261124T223000000000Z-temperature.jpg?authSig="
    )
