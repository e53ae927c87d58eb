"""Alarm and capture events for automations."""

from __future__ import annotations

from datetime import timedelta
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNKNOWN, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_mqtt_message,
)
from syrupy.assertion import SnapshotAssertion

from .conftest import (
    ALARM_TOPIC,
    HEARTBEAT_TOPIC,
    MAC,
    SNAPSHOT_TOPIC,
    fire,
    make_entry,
    snapshot_entities,
)
from .helpers import payload

ALARM = "event.garden_camera_alarm"
CAPTURE = "event.garden_camera_capture"

pytestmark = pytest.mark.freeze_time("2026-11-25 12:00:00+00:00")


@pytest.fixture
def platforms() -> list[Platform]:
    """Only the events."""
    return [Platform.EVENT]


@pytest.fixture
def mock_config_entry() -> MockConfigEntry:
    """The camera, with an id that stays the same (it is in the picture's address)."""
    return make_entry(entry_id="01GARDENCAMERA000000000000")


async def test_events_snapshot(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Both event entities after the guide's alarm and a snapshot."""
    await fire(hass, ALARM_TOPIC, payload("alarm.json", MAC))
    with patch(
        "custom_components.milesight_x5.view.async_sign_path",
        lambda hass, path, expiration, **kwargs: f"{path}?authSig=signed",
    ):
        await fire(hass, SNAPSHOT_TOPIC, payload("snapshot.json"))
    await snapshot_entities(hass, entity_registry, snapshot, init_integration.entry_id)


async def test_alarm_event(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """'Low power' fires low_power with the camera's words; unknown text fires other."""
    assert hass.states.get(ALARM).state == STATE_UNKNOWN
    await fire(hass, ALARM_TOPIC, payload("alarm.json", MAC))
    state = hass.states.get(ALARM)
    assert state.state == "2026-11-25T12:00:00.000+00:00"
    assert state.attributes["event_type"] == "low_power"
    assert state.attributes["text"] == "Low power"

    await fire(hass, ALARM_TOPIC, payload("alarm.json", MAC, alarm="Lens covered"))
    state = hass.states.get(ALARM)
    assert state.attributes["event_type"] == "other"
    assert state.attributes["text"] == "Lens covered"


async def test_alarm_of_another_camera_does_not_fire(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The guide's sample alarm is from another MAC: nothing fires here."""
    await fire(hass, ALARM_TOPIC, payload("alarm.json"))
    assert hass.states.get(ALARM).state == STATE_UNKNOWN


async def test_capture_event(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A snapshot fires a capture event named by its trigger, with its details."""
    await fire(
        hass, SNAPSHOT_TOPIC, payload("snapshot.json", snapType="PIR", triggerValue="")
    )
    state = hass.states.get(CAPTURE)
    assert state.attributes["event_type"] == "pir"
    assert state.attributes["snap_type"] == "PIR"
    assert state.attributes["trigger_value"] is None
    assert state.attributes["file"] == "CV20230424074543T.jpg"
    assert state.attributes["capture_time"] == "2023-04-24T11:45:43+00:00"


async def test_event_not_fired_again_after_restart(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A restart restores the last event; it is not fired a second time."""
    await fire(hass, ALARM_TOPIC, payload("alarm.json", MAC))
    before = hass.states.get(ALARM)
    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    after = hass.states.get(ALARM)
    assert after.state == before.state
    assert after.attributes["event_type"] == "low_power"


async def test_retained_messages_are_not_events(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The broker replays a retained alarm and picture on every resubscribe (a
    restart): no event fires, and the camera is not taken as awake (observation 8)."""
    await fire(hass, ALARM_TOPIC, payload("alarm.json", MAC))
    await fire(hass, SNAPSHOT_TOPIC, payload("snapshot.json"))
    alarm, capture = hass.states.get(ALARM), hass.states.get(CAPTURE)
    last_seen = init_integration.runtime_data.data.last_seen
    freezer.tick(timedelta(minutes=30))
    async_fire_mqtt_message(hass, ALARM_TOPIC, payload("alarm.json", MAC), retain=True)
    async_fire_mqtt_message(
        hass, SNAPSHOT_TOPIC, payload("snapshot.json", time=1700000000), retain=True
    )
    await hass.async_block_till_done()
    assert hass.states.get(ALARM) == alarm
    assert hass.states.get(CAPTURE) == capture
    assert init_integration.runtime_data.data.last_seen == last_seen


async def test_events_fire_only_for_messages(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Other updates of the camera (a heartbeat, an answer) never fire an event."""
    await fire(hass, ALARM_TOPIC, payload("alarm.json", MAC))
    await fire(hass, SNAPSHOT_TOPIC, payload("snapshot.json"))
    alarm, capture = hass.states.get(ALARM), hass.states.get(CAPTURE)
    freezer.tick(timedelta(minutes=1))
    await fire(hass, HEARTBEAT_TOPIC, payload("heartbeat.json", MAC))
    init_integration.runtime_data.async_update_listeners()
    await hass.async_block_till_done()
    assert hass.states.get(ALARM) == alarm
    assert hass.states.get(CAPTURE) == capture
    # A new alarm does fire.
    await fire(hass, ALARM_TOPIC, payload("alarm.json", MAC))
    assert hass.states.get(ALARM).state == "2026-11-25T12:01:00.000+00:00"
