"""The GPS position, once the camera has a fix."""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
)
from syrupy.assertion import SnapshotAssertion

from .conftest import HEARTBEAT_TOPIC, fire, snapshot_entities
from .helpers import payload

TRACKER = "device_tracker.garden_camera_location"


@pytest.fixture
def platforms() -> list[Platform]:
    """Only the tracker."""
    return [Platform.DEVICE_TRACKER]


async def test_tracker_snapshot(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """The guide's heartbeat has a fix: the tracker appears at it."""
    await fire(hass, HEARTBEAT_TOPIC, payload("heartbeat.json"))
    await snapshot_entities(hass, entity_registry, snapshot, init_integration.entry_id)


async def test_no_tracker_without_fix_then_keeps_last_fix(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """No entity until a fix; a later heartbeat without fix keeps the last position."""
    no_fix = {"latitude": "0", "longitude": "0", "altitude": "0"}
    await fire(hass, HEARTBEAT_TOPIC, payload("heartbeat.json", gps=no_fix))
    assert hass.states.get(TRACKER) is None

    await fire(hass, HEARTBEAT_TOPIC, payload("heartbeat.json"))
    state = hass.states.get(TRACKER)
    assert state.attributes["latitude"] == 24.62493
    assert state.attributes["longitude"] == 118.03077

    await fire(hass, HEARTBEAT_TOPIC, payload("heartbeat.json", gps=no_fix))
    await fire(hass, HEARTBEAT_TOPIC, payload("heartbeat.json", gps=None))
    state = hass.states.get(TRACKER)
    assert state.attributes["latitude"] == 24.62493
