"""Binary sensors, and the reachability watchdog with a frozen clock."""

from __future__ import annotations

from datetime import timedelta
import json

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import (
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from syrupy.assertion import SnapshotAssertion

from .conftest import HEARTBEAT_TOPIC, fire, snapshot_entities
from .helpers import load_fixture_json, load_fixture_text, payload

CONNECTIVITY = "binary_sensor.garden_camera_connectivity"


@pytest.fixture
def platforms() -> list[Platform]:
    """Only the binary sensors."""
    return [Platform.BINARY_SENSOR]


async def test_binary_sensors_from_guide_heartbeat(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Connectivity on, not charging, no external power (guide sample)."""
    await fire(hass, HEARTBEAT_TOPIC, load_fixture_text("heartbeat.json"))
    await snapshot_entities(hass, entity_registry, snapshot, init_integration.entry_id)


async def test_unknown_before_the_camera_speaks(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Nothing heard yet: unknown, not 'disconnected'."""
    assert hass.states.get(CONNECTIVITY).state == STATE_UNKNOWN
    assert (
        hass.states.get("binary_sensor.garden_camera_charging").state == STATE_UNKNOWN
    )


async def test_charging_and_external_power(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """chargeStat and powerGoodStat drive charging and external power."""
    heartbeat = load_fixture_json("heartbeat.json")
    heartbeat["values"]["battery"].update(chargeStat=1, powerGoodStat="1")
    await fire(hass, HEARTBEAT_TOPIC, json.dumps(heartbeat))
    assert hass.states.get("binary_sensor.garden_camera_charging").state == STATE_ON
    assert (
        hass.states.get("binary_sensor.garden_camera_external_power").state == STATE_ON
    )


@pytest.mark.parametrize("platforms", [None])  # all: what goes stale, what stays
async def test_watchdog_default_interval(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Sleeping is fine; silence past 2 x 24 h + 10 min marks it unreachable;
    that is logged once, and once when it is back."""
    await fire(hass, HEARTBEAT_TOPIC, load_fixture_text("heartbeat.json"))
    assert hass.states.get(CONNECTIVITY).state == STATE_ON

    freezer.tick(timedelta(hours=48, minutes=9))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert hass.states.get(CONNECTIVITY).state == STATE_ON
    # Other entities keep their values while the camera sleeps.
    assert hass.states.get("binary_sensor.garden_camera_charging").state == STATE_OFF

    freezer.tick(timedelta(minutes=2))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert hass.states.get(CONNECTIVITY).state == STATE_OFF
    # Unreachable: what it measured is no longer shown as current; what it is set
    # to, what it counted and what it saw (dated) stay.
    stale = [
        "binary_sensor.garden_camera_charging",
        "sensor.garden_camera_battery",
        "sensor.garden_camera_temperature",
        "sensor.garden_camera_noise",
        "sensor.garden_camera_signal_strength",
        "sensor.garden_camera_cellular_status",
    ]
    assert {hass.states.get(e).state for e in stale} == {STATE_UNAVAILABLE}
    kept = [
        "sensor.garden_camera_last_heartbeat",
        "sensor.garden_camera_data_received_today",
        "number.garden_camera_heartbeat",
        "image.garden_camera_snapshot",
    ]
    assert STATE_UNAVAILABLE not in {hass.states.get(e).state for e in kept}

    # Any message brings it back.
    await fire(hass, HEARTBEAT_TOPIC, payload("heartbeat.json"))
    await fire(hass, HEARTBEAT_TOPIC, payload("heartbeat.json"))
    assert hass.states.get(CONNECTIVITY).state == STATE_ON
    assert hass.states.get("binary_sensor.garden_camera_charging").state == STATE_OFF
    assert hass.states.get("sensor.garden_camera_battery").state == "91"
    lines = [r.getMessage() for r in caplog.records if "1CC3164126A2" in r.getMessage()]
    assert [line for line in lines if "unreachable" in line] == [
        "Camera 1CC3164126A2 silent for more than 2 days, 0:10:00: marked unreachable"
    ]
    assert [line for line in lines if "reachable again" in line] == [
        "Camera 1CC3164126A2 is reachable again"
    ]


async def test_watchdog_counts_from_the_last_message(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A heartbeat late in the silence window moves the deadline: 2 x 24 h + 10 min
    after the last message, not the first."""
    await fire(hass, HEARTBEAT_TOPIC, load_fixture_text("heartbeat.json"))
    freezer.tick(timedelta(hours=47))
    await fire(hass, HEARTBEAT_TOPIC, payload("heartbeat.json"))
    freezer.tick(timedelta(hours=1, minutes=11))  # the first deadline has passed
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert hass.states.get(CONNECTIVITY).state == STATE_ON
    freezer.tick(timedelta(hours=47))  # 48 h 11 min after the second heartbeat
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert hass.states.get(CONNECTIVITY).state == STATE_OFF


async def test_watchdog_uses_the_cameras_interval(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """With heartbeat test mode at 30 min (get.capture.info), 70 min of silence is enough."""
    coordinator = init_integration.runtime_data
    coordinator.data.settings["get.capture.info"] = {
        "heartTestMode": 1,
        "heartTestInterval": 30,
    }
    await fire(hass, HEARTBEAT_TOPIC, load_fixture_text("heartbeat.json"))
    freezer.tick(timedelta(minutes=71))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert hass.states.get(CONNECTIVITY).state == STATE_OFF


async def test_watchdog_timer_is_set_once(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Messages do not move the timer: it is set by the first, and looks at when the
    camera last spoke when it fires."""
    from unittest.mock import patch

    from homeassistant.helpers.event import async_call_later

    with patch(
        "custom_components.milesight_x5.reachability.async_call_later",
        wraps=async_call_later,
    ) as armed:
        for _ in range(3):
            await fire(hass, HEARTBEAT_TOPIC, payload("heartbeat.json"))
    assert armed.call_count == 1
    assert hass.states.get(CONNECTIVITY).state == STATE_ON
