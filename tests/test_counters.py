"""Today's counts: captures per trigger, alarms, bytes received; zero at local midnight."""

from __future__ import annotations

import base64
from datetime import date, datetime
import json
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_mqtt_message,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.typing import MqttMockHAClient
from syrupy.assertion import SnapshotAssertion

from custom_components.milesight_x5.const import DOMAIN
from custom_components.milesight_x5.counters import DailyCounts

from .conftest import (
    ALARM_TOPIC,
    HEARTBEAT_TOPIC,
    MAC,
    RESPONSE_TOPIC,
    SNAPSHOT_TOPIC,
    fire,
    make_entry,
)
from .helpers import load_fixture_json, load_fixture_text, payload

# 23:30 in Berlin, where the test's Home Assistant lives: local midnight is 23:00 UTC.
pytestmark = pytest.mark.freeze_time("2026-11-25 22:30:00+00:00")
MIDNIGHT = "2026-11-25 23:00:00+00:00"

SENSOR = "sensor.garden_camera_{}"
TRIGGERS = ("noise", "temperature", "pir", "radar", "timed", "digital_input")
COUNTERS = (
    "captures_today",
    *(f"{trigger}_captures_today" for trigger in TRIGGERS),
    "manual_captures_today",
    "debug_captures_today",
    "other_captures_today",
    "alarms_today",
    "data_received_today",
)


@pytest.fixture
def platforms() -> list[Platform]:
    """Only the sensors."""
    return [Platform.SENSOR]


@pytest.fixture
async def berlin(hass: HomeAssistant) -> None:
    """Home Assistant's time zone, set before the camera (its day is a local one)."""
    await hass.config.async_set_time_zone("Europe/Berlin")


@pytest.fixture
async def camera(
    hass: HomeAssistant, berlin: None, init_integration: MockConfigEntry
) -> MockConfigEntry:
    """The camera, set up in Berlin."""
    return init_integration


def counts(hass: HomeAssistant) -> dict[str, str]:
    """What the counters show, by key (data in bytes, as the state's unit is MB)."""
    shown = {key: hass.states.get(SENSOR.format(key)).state for key in COUNTERS}
    shown["data_received_today"] = str(
        round(float(shown["data_received_today"]) * 1_000_000)
    )
    return shown


def only(**nonzero: int) -> dict[str, str]:
    """Every counter zero but these."""
    return {key: str(nonzero.get(key, 0)) for key in COUNTERS}


async def live_day(hass: HomeAssistant) -> int:
    """A heartbeat, a PIR and a noise picture, an alarm; the bytes they were."""
    messages = (
        (HEARTBEAT_TOPIC, load_fixture_text("heartbeat.json")),
        (SNAPSHOT_TOPIC, payload("snapshot.json", snapType="PIR", triggerValue="")),
        (SNAPSHOT_TOPIC, payload("snapshot.json", time=1682336800)),
        (ALARM_TOPIC, payload("alarm.json", MAC)),
    )
    for topic, text in messages:
        await fire(hass, topic, text)
    return sum(len(text.encode()) for _, text in messages)


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_counts_of_a_day(
    hass: HomeAssistant, camera: MockConfigEntry, snapshot: SnapshotAssertion
) -> None:
    """Each live picture counts for its trigger and in all, each alarm, every byte."""
    assert counts(hass) == only()
    received = await live_day(hass)
    assert counts(hass) == only(
        captures_today=2,
        pir_captures_today=1,
        noise_captures_today=1,
        alarms_today=1,
        data_received_today=received,
    )
    assert {
        key: {
            "state": state.state,
            "attributes": json.loads(json.dumps(state.attributes)),
        }
        for key in ("captures_today", "pir_captures_today", "data_received_today")
        if (state := hass.states.get(SENSOR.format(key)))
    } == snapshot


async def test_per_trigger_counters_are_off_by_default(
    hass: HomeAssistant, camera: MockConfigEntry
) -> None:
    """The total of captures, alarms and bytes show; the per-trigger ones are there
    to be enabled."""
    assert hass.states.get(SENSOR.format("captures_today")).state == "0"
    assert hass.states.get(SENSOR.format("alarms_today")).state == "0"
    assert hass.states.get(SENSOR.format("data_received_today")).state == "0.0"
    assert hass.states.get(SENSOR.format("pir_captures_today")) is None


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_retained_messages_are_not_counted(
    hass: HomeAssistant, camera: MockConfigEntry
) -> None:
    """A broker's replay (on every resubscribe, a restart) is not the camera sending:
    no picture, alarm or byte is counted for it, even a newer picture that is shown."""
    received = await live_day(hass)
    before = counts(hass)
    for topic, text in (
        (HEARTBEAT_TOPIC, load_fixture_text("heartbeat.json")),
        (SNAPSHOT_TOPIC, payload("snapshot.json", time=1700000000)),
        (ALARM_TOPIC, payload("alarm.json", MAC)),
    ):
        async_fire_mqtt_message(hass, topic, text, retain=True)
    await hass.async_block_till_done()
    assert counts(hass) == before
    assert before["data_received_today"] == str(received)


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_zero_at_local_midnight(
    hass: HomeAssistant, camera: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """At midnight in Home Assistant's time zone (not UTC's) every count starts again
    at zero, also with no message then; the next message counts in the new day."""
    await live_day(hass)
    counted = counts(hass)
    freezer.move_to("2026-11-25 22:59:59+00:00")
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert counts(hass) == counted
    freezer.move_to(MIDNIGHT)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert counts(hass) == only()
    text = payload("alarm.json", MAC)
    await fire(hass, ALARM_TOPIC, text)
    assert counts(hass) == only(alarms_today=1, data_received_today=len(text.encode()))


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_a_rejected_message_still_counts_its_bytes(
    hass: HomeAssistant, camera: MockConfigEntry
) -> None:
    """A message the integration cannot use still came over the cellular link."""
    text = json.dumps({"api": "get.device.status", "devMac": MAC, "pad": "x" * 5000})
    await fire(hass, RESPONSE_TOPIC, text)
    assert counts(hass) == only(data_received_today=len(text.encode()))


@pytest.fixture
async def santiago_camera(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> MockConfigEntry:
    """The camera in Santiago de Chile, where DST starts at midnight."""
    await hass.config.async_set_time_zone("America/Santiago")
    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    return init_integration


@pytest.mark.freeze_time("2026-09-06 03:00:00+00:00")  # 23:00 on the 5th there
@pytest.mark.usefixtures("entity_registry_enabled_by_default", "santiago_camera")
async def test_zero_on_a_day_whose_midnight_does_not_exist(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Santiago's clocks jump from 23:59:59 to 01:00 when DST starts (6 September
    2026): the counts still start again at zero that day, at 01:00."""
    await live_day(hass)
    assert counts(hass) != only()
    freezer.move_to("2026-09-06 04:00:00+00:00")  # 01:00 in Santiago
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert counts(hass) == only()


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_message_just_after_midnight_counts_in_the_new_day(
    hass: HomeAssistant, camera: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """A message that arrives after midnight before the midnight timer ran starts the
    new day itself; the timer then changes nothing."""
    await live_day(hass)
    freezer.move_to("2026-11-25 23:00:00.200+00:00")
    text = payload("snapshot.json", snapType="Timer", time=1682336900)
    await fire(hass, SNAPSHOT_TOPIC, text)
    new_day = only(
        captures_today=1, timed_captures_today=1, data_received_today=len(text.encode())
    )
    assert counts(hass) == new_day
    async_fire_time_changed(hass, dt_util.parse_datetime(MIDNIGHT))
    await hass.async_block_till_done()
    assert counts(hass) == new_day


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_counts_survive_a_reload(
    hass: HomeAssistant, camera: MockConfigEntry
) -> None:
    """Reloading the camera (or restarting Home Assistant) on the same day keeps the
    counts: a total_increasing sensor must not drop back in the middle of a day."""
    await live_day(hass)
    counted = counts(hass)
    assert await hass.config_entries.async_reload(camera.entry_id)
    await hass.async_block_till_done()
    assert counts(hass) == counted


def _stored(today: Any) -> dict[str, Any]:
    return {
        "version": 1,
        "minor_version": 1,
        "key": f"{DOMAIN}.{MAC}",
        "data": {"raw": {}, "today": today},
    }


async def _restart(hass: HomeAssistant) -> None:
    await hass.config.async_set_time_zone("Europe/Berlin")
    entry = make_entry()
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
@pytest.mark.parametrize(
    ("today", "shown"),
    [
        (
            {
                "day": "2026-11-25",
                "captures": {"pir": 3, "radar": 1},
                "alarms": 2,
                "received": 123456,
            },
            only(
                captures_today=4,
                pir_captures_today=3,
                radar_captures_today=1,
                alarms_today=2,
                data_received_today=123456,
            ),
        ),
        # The restart crossed midnight: the stored day is over.
        (
            {"day": "2026-11-24", "captures": {"pir": 3}, "alarms": 2, "received": 9},
            only(),
        ),
        # What does not read as a count is zero; the rest is kept.
        (
            {
                "day": "2026-11-25",
                "captures": {"pir": "three", "noise": 2.0, "bogus": 5, "radar": -1},
                "alarms": None,
                "received": "77",
            },
            only(captures_today=2, noise_captures_today=2, data_received_today=77),
        ),
        (
            {"day": "2026-11-25", "captures": ["pir"], "alarms": 1},
            only(alarms_today=1),
        ),
        ("garbage", only()),
        (None, only()),
    ],
    ids=["same_day", "next_day", "bad_fields", "bad_captures", "garbage", "none"],
)
async def test_restart_restores_todays_counts(
    hass: HomeAssistant,
    mqtt_mock: MqttMockHAClient,
    hass_storage: dict[str, Any],
    today: Any,
    shown: dict[str, str],
) -> None:
    """After a restart on the same (local) day the counts go on; on a later day they
    start at zero; a damaged stored count is zero and loses none of the others."""
    hass_storage[f"{DOMAIN}.{MAC}"] = _stored(today)
    await _restart(hass)
    assert counts(hass) == shown


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_counts_are_stored(
    hass: HomeAssistant, camera: MockConfigEntry, hass_storage: dict[str, Any]
) -> None:
    """What a restart reads back is what was counted."""
    received = await live_day(hass)
    assert await hass.config_entries.async_unload(camera.entry_id)
    assert hass_storage[f"{DOMAIN}.{MAC}"]["data"]["today"] == {
        "day": "2026-11-25",
        "captures": {"pir": 1, "noise": 1},
        "alarms": 1,
        "received": received,
    }


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_picture_over_http_counts_as_manual(
    hass: HomeAssistant, camera: MockConfigEntry
) -> None:
    """A cmd.snapshot answered over HTTP is a manual capture (its bytes came over
    HTTP, not MQTT, and are not in the MQTT data count)."""
    image = load_fixture_json("snapshot.json")["values"]["image"].split(",", 1)[1]
    await camera.runtime_data.async_take_picture(base64.b64decode(image))
    await hass.async_block_till_done()
    assert counts(hass) == only(captures_today=1, manual_captures_today=1)


def test_day_ends_at_local_midnight_across_dst() -> None:
    """The day of the clock change in spring is 23 hours long in Berlin."""
    zone = dt_util.get_time_zone("Europe/Berlin")
    previous = dt_util.DEFAULT_TIME_ZONE
    dt_util.set_default_time_zone(zone)
    try:
        day = DailyCounts(day=date(2026, 3, 29))
        assert day.ends == datetime.fromisoformat("2026-03-29T22:00:00+00:00")
        assert not day.roll(datetime.fromisoformat("2026-03-29T21:59:59+00:00"))
        assert day.roll(datetime.fromisoformat("2026-03-29T22:00:00+00:00"))
        assert day.day.isoformat() == "2026-03-30"
    finally:
        dt_util.set_default_time_zone(previous)
