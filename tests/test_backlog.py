"""Nothing lost with HTTP access: pictures whose upload failed are fetched from the
camera's SD card (storage.search, storage.export), a few per wake, into the history
as late pictures at their capture time, never twice."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import timedelta
import json

from aiohttp import web
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import MqttMockHAClient

from custom_components.milesight_x5.api.field import wall_time
from custom_components.milesight_x5.backlog import PER_WAKE, listed
from simulator import SimulatedCamera
from simulator.http import create_app

from .conftest import HEARTBEAT_TOPIC, MAC, SNAPSHOT_TOPIC, FakeCamera, fire, make_entry

pytestmark = pytest.mark.usefixtures("socket_enabled")

PASSWORD = "s3cret"
BUS_EVENT = "milesight_x5_capture"


@pytest.fixture
async def camera(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient, unused_tcp_port: int
) -> AsyncGenerator[tuple[SimulatedCamera, FakeCamera, MockConfigEntry]]:
    """One camera behind MQTT and HTTP, added with HTTP access, five pictures on
    its card that it could not upload (and one it did)."""
    fake = FakeCamera(hass, mqtt_mock, MAC)
    sim = fake[MAC]
    sim.zone_seconds = 3600  # UTC+1: its file times are wall times
    sim.clock_offset = 90  # its clock a minute and a half fast
    runner = web.AppRunner(create_app(sim, password=PASSWORD))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", unused_tcp_port).start()
    entry = make_entry(
        host="127.0.0.1", port=unused_tcp_port, username="admin", password=PASSWORD
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    sim.add_backlog(5)
    yield sim, fake, entry
    await runner.cleanup()


async def _heartbeat(hass: HomeAssistant, sim: SimulatedCamera) -> None:
    sim.awake = True
    await fire(hass, HEARTBEAT_TOPIC, json.dumps(sim.heartbeat()))
    await hass.async_block_till_done(wait_background_tasks=True)


def _http_apis(runner_requests: list[tuple[str, str, str, object]]) -> list[str]:
    return [api for _, _, api, _ in runner_requests]


async def test_a_backlog_comes_a_few_pictures_per_wake(
    hass: HomeAssistant,
    camera: tuple[SimulatedCamera, FakeCamera, MockConfigEntry],
) -> None:
    """Five failed uploads: the first wake fetches three, the next two; each is in
    the history at its capture time (its zone and its fast clock taken off),
    marked late, and no device trigger fires; a third wake searches nothing more."""
    sim, fake, entry = camera
    events: list[object] = []
    hass.bus.async_listen(BUS_EVENT, events.append)
    # When each was taken by Home Assistant's clock (the camera's is 90 s fast).
    expected = sorted(dt_util.utc_from_timestamp(f.taken - 90) for f in sim.backlog)
    await _heartbeat(hass, sim)
    history = entry.runtime_data.history
    assert history.count == PER_WAKE
    await _heartbeat(hass, sim)
    assert history.count == 5
    kept = sorted(history.newest_first(), key=lambda picture: picture.taken)
    assert all(picture.late for picture in kept)
    for picture, taken in zip(kept, expected, strict=True):
        assert abs((picture.taken - taken).total_seconds()) < 2
    assert events == []
    fake.requests.clear()
    await _heartbeat(hass, sim)
    assert history.count == 5


def test_listed_keeps_what_reads_as_a_file() -> None:
    """storage.search items without a name, a time, a size or an upload flag are
    left out; the rest come oldest first."""
    answer = {
        "list": [
            {
                "file": "b.jpg",
                "startTime": "2026-12-01 10:00:00",
                "size": 5,
                "upload": 0,
            },
            {
                "file": "a.jpg",
                "startTime": "2026-12-01 09:00:00",
                "size": 5,
                "upload": 1,
            },
            {"file": "", "startTime": "2026-12-01 08:00:00", "size": 5, "upload": 0},
            {"file": "c.jpg", "startTime": "2026-12-01 11:00:00", "upload": 0},
            {
                "file": "d.jpg",
                "startTime": "2026-12-01 12:00:00",
                "size": 5,
                "upload": 7,
            },
            "junk",
        ]
    }
    assert [(p.file, p.uploaded) for p in listed(answer)] == [
        ("a.jpg", True),
        ("b.jpg", False),
    ]
    assert listed(None) == []
    assert listed({"list": "nothing"}) == []


def test_wall_time_needs_a_zone_and_a_time() -> None:
    """A file time is taken back to Home Assistant's clock only with a known zone."""
    zone = timedelta(hours=2)
    taken = wall_time("2026-12-01+12:00:00", zone, -30)
    assert taken == dt_util.parse_datetime("2026-12-01T10:00:30+00:00")
    assert wall_time("2026-12-01 12:00:00", None, 0) is None
    assert wall_time("yesterday", zone, 0) is None


async def test_a_fetched_picture_uploaded_later_is_one_capture(
    hass: HomeAssistant,
    camera: tuple[SimulatedCamera, FakeCamera, MockConfigEntry],
) -> None:
    """The camera uploads over MQTT a picture Home Assistant already fetched from
    its card: the same file and bytes are one capture, kept once."""
    sim, fake, entry = camera
    await _heartbeat(hass, sim)
    history = entry.runtime_data.history
    assert history.count == PER_WAKE
    for message in sim.take_backlog()[:PER_WAKE]:
        fake.later(SNAPSHOT_TOPIC, message)
    await hass.async_block_till_done()
    assert history.count == PER_WAKE


async def test_no_http_answer_leaves_it_for_later(
    hass: HomeAssistant,
    camera: tuple[SimulatedCamera, FakeCamera, MockConfigEntry],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The camera's HTTP side does not answer the search: nothing is fetched,
    nothing goes over MQTT for it, and it is not asked again before the settings
    interval (not at every wake)."""
    sim, fake, entry = camera
    original = sim.search
    asked: list[object] = []

    def broken(query: dict[str, object]) -> dict[str, object]:
        asked.append(query)
        return {"code": 1, "result": "busy"}

    sim.search = broken  # type: ignore[method-assign]
    await _heartbeat(hass, sim)
    await _heartbeat(hass, sim)
    assert len(asked) == 1
    assert entry.runtime_data.history.count == 0
    assert "storage.search" not in fake.apis
    assert "Backlog of" in caplog.text
    sim.search = original  # type: ignore[method-assign]


async def test_unknown_zone_keeps_them_where_they_arrive(
    hass: HomeAssistant,
    camera: tuple[SimulatedCamera, FakeCamera, MockConfigEntry],
) -> None:
    """Its time cannot be read: the pictures come all the same, late, dated when
    they arrived."""
    sim, _, entry = camera
    sim._date_time = lambda: {"date": "", "time": ""}  # type: ignore[method-assign]
    before = dt_util.utcnow()
    await _heartbeat(hass, sim)
    kept = entry.runtime_data.history.newest_first()
    assert len(kept) == PER_WAKE
    assert all(picture.late and picture.taken >= before for picture in kept)


async def test_a_backlog_never_hides_the_newest_picture(
    hass: HomeAssistant,
    camera: tuple[SimulatedCamera, FakeCamera, MockConfigEntry],
) -> None:
    """A fresh picture is shown; backlog pictures fetched afterwards (with their
    capture time, and without one when the camera's time cannot be read) go into
    the history but the image stays on the fresh one, after a restart too."""
    from .helpers import jpeg, picture

    sim, _, entry = camera
    sim._date_time = lambda: {"date": "", "time": ""}  # type: ignore[method-assign]
    await fire(hass, SNAPSHOT_TOPIC, picture("fresh"))
    await _heartbeat(hass, sim)
    assert entry.runtime_data.history.count == PER_WAKE + 1
    image = hass.data["image"].get_entity("image.garden_camera_snapshot")
    assert await image.async_image() == jpeg("fresh")
    assert entry.runtime_data.history.latest.read_bytes() == jpeg("fresh")


async def test_a_full_page_of_good_uploads_is_searched_past(
    hass: HomeAssistant,
    camera: tuple[SimulatedCamera, FakeCamera, MockConfigEntry],
) -> None:
    """Forty pictures uploaded, then the five failed ones: the first search's page
    is all good uploads; the next wake searches on from its last and fetches."""
    sim, _, entry = camera
    failed = list(sim.backlog)
    for sd_file in failed:
        sd_file.taken += 3600  # the failed ones after the good ones
    good = sim.add_backlog(40, spacing=60, ending=7200)
    for sd_file in good:
        sd_file.upload = 1
    await _heartbeat(hass, sim)
    assert entry.runtime_data.history.count == 0
    await _heartbeat(hass, sim)
    await _heartbeat(hass, sim)
    assert entry.runtime_data.history.count == 5


async def test_a_file_that_does_not_export_is_tried_a_few_times(
    hass: HomeAssistant,
    camera: tuple[SimulatedCamera, FakeCamera, MockConfigEntry],
) -> None:
    """An export that is no picture: tried at three wakes, then let go; the
    others come."""
    sim, _, entry = camera
    first = sim.backlog[0]
    original = sim.sd_file

    def missing(name: str, path: str = "/mnt/mmc") -> object:
        return None if name == first.name else original(name, path)

    sim.sd_file = missing  # type: ignore[method-assign,assignment]
    for _ in range(4):
        await _heartbeat(hass, sim)
    assert entry.runtime_data.history.count == 4
    assert first.name in entry.runtime_data.data.backlog_fetched
