"""Pictures the camera sends twice, and pictures it took long before they arrive
(a backlog uploaded after a reconnect): one capture each; late ones kept, no news."""

from __future__ import annotations

from datetime import timedelta
import json
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from .conftest import SNAPSHOT_TOPIC, fire
from .helpers import jpeg, picture

CAPTURE = "event.garden_camera_capture"
TODAY = "sensor.garden_camera_captures_today"
IMAGE = "image.garden_camera_snapshot"


@pytest.fixture
def bus_events(hass: HomeAssistant) -> list[dict[str, Any]]:
    """The capture events device triggers and blueprints listen to."""
    events: list[dict[str, Any]] = []
    hass.bus.async_listen("milesight_x5_capture", lambda e: events.append(e.data))
    return events


def _picture(tag: str, taken: int, **values: Any) -> str:
    message = json.loads(picture(tag, **values))
    message["values"]["time"] = taken
    message["ts"] = int(dt_util.utcnow().timestamp() * 1000)  # sent now
    return json.dumps(message)


async def test_the_same_picture_twice_is_one_capture(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    bus_events: list[dict[str, Any]],
) -> None:
    """By its file name, or by its capture time and bytes: one history entry, one
    event, counted once."""
    now = int(dt_util.utcnow().timestamp())
    await fire(hass, SNAPSHOT_TOPIC, _picture("a", now, file="a.jpg"))
    await fire(hass, SNAPSHOT_TOPIC, _picture("a", now, file="a.jpg"))
    await fire(hass, SNAPSHOT_TOPIC, _picture("b", now - 1, file=""))
    await fire(hass, SNAPSHOT_TOPIC, _picture("b", now - 1, file=""))
    assert init_integration.runtime_data.history.count == 2
    assert len(bus_events) == 2
    assert hass.states.get(TODAY).state == "2"


@pytest.mark.parametrize(
    ("sent", "clock_offset", "late"),
    [
        (0, None, True),  # sent now: its clock agrees
        (-7200, 0.0, True),  # ts its capture time; its heartbeats: the clock agrees
        (-7200, -7200.0, False),  # its heartbeats say the clock is two hours behind
        (-7200, None, False),  # ts two hours old, nothing else: its clock may be off
        (None, 0.0, True),  # no send time; its heartbeats said the clock agrees
        (None, None, False),  # nothing tells: news
    ],
)
async def test_a_backlog_picture_is_kept_but_no_news(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    bus_events: list[dict[str, Any]],
    sent: int | None,
    clock_offset: float | None,
    late: bool,
) -> None:
    """Taken an hour before it arrived, by a clock known to agree: in the history,
    its capture event says late, no device trigger or notification. A clock off or
    unknown cannot tell: the picture is news."""
    state = init_integration.runtime_data.data
    now = int(dt_util.utcnow().timestamp())
    message = json.loads(_picture("old", now - 3600, file="old.jpg"))
    if sent is None:
        del message["ts"]
    else:
        message["ts"] = (now + sent) * 1000
    state.clock_offset = clock_offset
    await fire(hass, SNAPSHOT_TOPIC, json.dumps(message))
    assert init_integration.runtime_data.history.count == 1
    assert hass.states.get(CAPTURE).attributes["late"] is late
    assert len(bus_events) == (0 if late else 1)
    # A fresh picture is news again.
    await fire(hass, SNAPSHOT_TOPIC, _picture("new", now, file="new.jpg"))
    assert hass.states.get(CAPTURE).attributes["late"] is False
    assert len(bus_events) == (1 if late else 2)


async def test_a_late_picture_answers_no_snapshot_asked_now(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The command path hears of a late picture as no picture at all: a backlog
    picture cannot pass for the one a waiting snapshot action asked for."""
    from unittest.mock import AsyncMock, patch

    commands = init_integration.runtime_data.commands
    now = int(dt_util.utcnow().timestamp())
    with patch.object(commands, "async_on_message", AsyncMock()) as heard:
        await fire(hass, SNAPSHOT_TOPIC, _picture("old", now - 3600, snapType="Manual"))
        await fire(hass, SNAPSHOT_TOPIC, _picture("new", now, snapType="Manual"))
    (_, late), (_, fresh) = (call.args for call in heard.await_args_list)
    assert late is None
    assert fresh is not None
    assert fresh.trigger == "manual"


async def test_a_backlog_takes_its_place_in_the_history(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A fresh picture, then a backlog uploaded oldest first (two hours and one
    hour old, one of them from yesterday's local day): each goes into the history
    at its capture time, marked late, and the browser says so; the image stays on
    the newest; today's count takes the fresh one and the backlog picture taken
    today, not yesterday's."""
    from homeassistant.components import media_source
    from homeassistant.setup import async_setup_component

    assert await async_setup_component(hass, "media_source", {})
    coordinator = init_integration.runtime_data
    start_of_day = dt_util.start_of_local_day()
    now = start_of_day + timedelta(hours=1, minutes=30)
    freezer.move_to(now)
    yesterday = int((start_of_day - timedelta(minutes=30)).timestamp())
    today = int((now - timedelta(hours=1)).timestamp())
    stamp = int(now.timestamp())
    await fire(hass, SNAPSHOT_TOPIC, _picture("new", stamp, file="new.jpg"))
    await fire(hass, SNAPSHOT_TOPIC, _picture("yday", yesterday, file="y.jpg"))
    await fire(hass, SNAPSHOT_TOPIC, _picture("hour", today, file="h.jpg"))
    kept = coordinator.history.newest_first()
    assert [(int(p.taken.timestamp()), p.late) for p in kept] == [
        (stamp, False),
        (today, True),
        (yesterday, True),
    ]
    image = hass.data["image"].get_entity(IMAGE)
    assert await image.async_image() == jpeg("new")
    assert hass.states.get(TODAY).state == "2"
    root = await media_source.async_browse_media(
        hass, f"media-source://milesight_x5/{init_integration.entry_id}"
    )
    days = [day.title for day in root.children]
    assert (
        days
        == sorted({dt_util.as_local(p.taken).date().isoformat() for p in kept})[::-1]
    )
    day = await media_source.async_browse_media(
        hass, root.children[-1].media_content_id
    )
    assert day.children[-1].title.endswith(" · Late")
    # Known after a restart too: the index keeps the mark.
    await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    again = init_integration.runtime_data.history.newest_first()
    assert [p.late for p in again] == [False, True, True]
