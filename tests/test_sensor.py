"""Sensors from the guide's heartbeat and snapshot."""

from __future__ import annotations

import json

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNKNOWN, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
)
from syrupy.assertion import SnapshotAssertion

from .conftest import HEARTBEAT_TOPIC, SNAPSHOT_TOPIC, fire, snapshot_entities
from .helpers import load_fixture_json, load_fixture_text

pytestmark = pytest.mark.freeze_time("2026-11-25 12:00:00+00:00")


@pytest.fixture
def platforms() -> list[Platform]:
    """Only the sensors."""
    return [Platform.SENSOR]


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_sensors_from_guide_samples(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Every sensor after the guide's heartbeat and a snapshot."""
    await fire(hass, HEARTBEAT_TOPIC, load_fixture_text("heartbeat.json"))
    await fire(hass, SNAPSHOT_TOPIC, load_fixture_text("snapshot.json"))
    await snapshot_entities(hass, entity_registry, snapshot, init_integration.entry_id)


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_display_precision(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """The precision the integration asks for (snapshots leave it out: HA 2026.x also
    stores one it derives from the device class for the other sensors)."""
    asked = {
        "battery_voltage": 2,
        "charge_voltage": 2,
        "data_used_this_month": 1,
        "data_received_today": 2,
    }
    for key, precision in asked.items():
        entry = entity_registry.async_get(f"sensor.garden_camera_{key}")
        assert entry is not None, key
        assert entry.options["sensor"]["suggested_display_precision"] == precision


async def test_sensors_unknown_before_first_heartbeat(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Before the camera speaks: unknown, never a made-up 0."""
    for sensor in (
        "battery",
        "noise",
        "temperature",
        "signal_strength",
        "storage_used",
    ):
        assert hass.states.get(f"sensor.garden_camera_{sensor}").state == STATE_UNKNOWN


async def test_user_visible_values(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """What a dashboard shows from the guide's heartbeat."""
    await fire(hass, HEARTBEAT_TOPIC, load_fixture_text("heartbeat.json"))
    states = {
        key: hass.states.get(f"sensor.garden_camera_{key}").state
        for key in (
            "battery",
            "noise",
            "temperature",
            "signal_strength",
            "cellular_status",
            "sim_status",
            "data_used_this_month",
            "storage_used",
        )
    }
    assert states == {
        "battery": "91",
        "noise": "61",
        "temperature": "32",
        "signal_strength": STATE_UNKNOWN,  # 0 dBm means unknown
        "cellular_status": "connected",
        "sim_status": "valid",
        "data_used_this_month": "6.107722",  # bytes shown as MB
        "storage_used": "6.5",
    }


DIAGNOSTICS_GRADE = (
    "sensor.garden_camera_ip_address",
    "sensor.garden_camera_battery_voltage",
    "sensor.garden_camera_charge_voltage",
    "sensor.garden_camera_charge_current",
    "switch.garden_camera_debug_capture",
    "switch.garden_camera_heartbeat_test_mode",
    "switch.garden_camera_algorithm_validation",
    "switch.garden_camera_delete_picture_after_post",
    "number.garden_camera_test_heartbeat",
)
EVERYDAY = (
    "sensor.garden_camera_battery",
    "sensor.garden_camera_noise",
    "sensor.garden_camera_temperature",
    "sensor.garden_camera_signal_strength",
)


@pytest.mark.parametrize("platforms", [None])
async def test_diagnostics_grade_entities_are_off_by_default(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """Entities for debugging stay off until wanted; everyday ones are on."""
    for entity_id in DIAGNOSTICS_GRADE:
        entry = entity_registry.async_get(entity_id)
        assert entry is not None, entity_id
        assert entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION, entity_id
    for entity_id in EVERYDAY:
        entry = entity_registry.async_get(entity_id)
        assert entry is not None, entity_id
        assert entry.disabled_by is None, entity_id
    # The trigger value (dBA or °C, by trigger) is on the capture event instead.
    assert (
        entity_registry.async_get("sensor.garden_camera_snapshot_trigger_value") is None
    )


async def test_imei_imsi_iccid_disabled_by_default(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """Identifiers of the SIM are diagnostic and off unless the user turns them on."""
    for key in ("imei", "imsi", "iccid"):
        entry = entity_registry.async_get(f"sensor.garden_camera_{key}")
        assert entry is not None
        assert entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION
        assert entry.entity_category is not None


async def test_broken_field_keeps_the_rest(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """One bad field: that sensor keeps its last value (unknown before any), the
    others update, one warning only."""
    heartbeat = load_fixture_json("heartbeat.json")
    heartbeat["values"]["sensor"]["temperature"] = "hot"
    heartbeat["values"]["battery"]["soc"] = 88
    await fire(hass, HEARTBEAT_TOPIC, json.dumps(heartbeat))
    await fire(hass, HEARTBEAT_TOPIC, json.dumps(heartbeat))
    assert hass.states.get("sensor.garden_camera_temperature").state == STATE_UNKNOWN
    assert hass.states.get("sensor.garden_camera_battery").state == "88"
    await fire(hass, HEARTBEAT_TOPIC, load_fixture_text("heartbeat.json"))
    await fire(hass, HEARTBEAT_TOPIC, json.dumps(heartbeat))
    assert hass.states.get("sensor.garden_camera_temperature").state == "32"
    assert hass.states.get("sensor.garden_camera_battery").state == "88"
    warnings = [r for r in caplog.records if "unusable fields" in r.getMessage()]
    assert [r.levelname for r in warnings] == ["WARNING", "DEBUG", "DEBUG"]


async def test_guide_heartbeat_verbatim_changes_nothing(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The guide's sample with its missing comma is not JSON: ignored, nothing breaks."""
    await fire(hass, HEARTBEAT_TOPIC, load_fixture_text("heartbeat_guide_verbatim.txt"))
    assert hass.states.get("sensor.garden_camera_battery").state == STATE_UNKNOWN
    await fire(hass, HEARTBEAT_TOPIC, load_fixture_text("heartbeat.json"))
    assert hass.states.get("sensor.garden_camera_battery").state == "91"


async def test_snapshot_trigger_sensors(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The last snapshot's trigger (enum, unknown kinds as 'other') and value."""
    await fire(hass, SNAPSHOT_TOPIC, load_fixture_text("snapshot.json"))
    assert hass.states.get("sensor.garden_camera_snapshot_trigger").state == "noise"
    snap = load_fixture_json("snapshot.json")
    snap["values"]["snapType"] = "Lightning"
    await fire(hass, SNAPSHOT_TOPIC, json.dumps(snap))
    assert hass.states.get("sensor.garden_camera_snapshot_trigger").state == "other"


@pytest.mark.parametrize(
    ("connect", "sim", "expected"),
    [
        ("Disconnected", "No SIM", ("disconnected", "no_sim")),
        ("Connecting", "Invalid", ("connecting", "invalid")),
        ("1", "2", ("connected", "valid")),
        ("Searching", "Locked", (STATE_UNKNOWN, STATE_UNKNOWN)),
    ],
)
async def test_cellular_enums(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    connect: str,
    sim: str,
    expected: tuple[str, str],
    freezer: FrozenDateTimeFactory,
) -> None:
    """Cellular and SIM texts map to fixed states; unknown texts show unknown."""
    heartbeat = load_fixture_json("heartbeat.json")
    heartbeat["values"]["cellular"].update(connectStatus=connect, simStatus=sim)
    await fire(hass, HEARTBEAT_TOPIC, json.dumps(heartbeat))
    assert (
        hass.states.get("sensor.garden_camera_cellular_status").state,
        hass.states.get("sensor.garden_camera_sim_status").state,
    ) == expected


PARTIAL_HEARTBEATS = {
    "only_devMac": {"values": {"devMac": "1CC3164126A2"}},
    "null_sections": {
        "values": {
            "devMac": "1CC3164126A2",
            "battery": None,
            "sensor": None,
            "cellular": None,
            "gps": None,
        },
        "storage": None,
    },
    "garbage_sections": {
        "values": {
            "devMac": "1CC3164126A2",
            "battery": "n/a",
            "sensor": ["LAF", 3],
            "cellular": {"signalStrength": "weak", "ipAddr": 7.5},
        },
        "storage": {"storageCapacity": "lots"},
    },
}


@pytest.mark.parametrize("partial", PARTIAL_HEARTBEATS.values(), ids=PARTIAL_HEARTBEATS)
async def test_partial_heartbeat_keeps_known_values(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    partial: dict[str, object],
) -> None:
    """A heartbeat with sections missing, null or garbage updates what it carries
    and nothing else: battery, noise, temperature... keep their values, also after
    a restart (observation 5)."""
    await fire(hass, HEARTBEAT_TOPIC, load_fixture_text("heartbeat.json"))
    keys = ("battery", "noise", "temperature", "storage_used", "cellular_status")
    before = {key: hass.states.get(f"sensor.garden_camera_{key}").state for key in keys}
    freezer.tick(60)
    await fire(hass, HEARTBEAT_TOPIC, json.dumps(partial))
    after = {key: hass.states.get(f"sensor.garden_camera_{key}").state for key in keys}
    assert after == before
    # The heartbeat itself arrived, at HA's time.
    assert (
        hass.states.get("sensor.garden_camera_last_heartbeat").state
        == "2026-11-25T12:01:00+00:00"
    )
    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    restored = {
        key: hass.states.get(f"sensor.garden_camera_{key}").state for key in keys
    }
    assert restored == before


async def test_last_heartbeat_is_receive_time(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A camera whose clock says 1970: the heartbeat is dated when HA received it;
    the camera's own time is an attribute (observation 7)."""
    heartbeat = load_fixture_json("heartbeat.json")
    heartbeat["ts"] = 3_600_000
    await fire(hass, HEARTBEAT_TOPIC, json.dumps(heartbeat))
    state = hass.states.get("sensor.garden_camera_last_heartbeat")
    assert state.state == "2026-11-25T12:00:00+00:00"
    assert state.attributes["camera_time"] == "1970-01-01T01:00:00+00:00"


async def test_a_plain_number_battery_is_shown(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A heartbeat with ``"battery": 84`` (the vendor platform's reading) shows 84 %
    instead of being dropped; the battery's other values stay."""
    await fire(hass, HEARTBEAT_TOPIC, load_fixture_text("heartbeat.json"))
    message = load_fixture_json("heartbeat.json")
    message["values"]["battery"] = 84
    await fire(hass, HEARTBEAT_TOPIC, json.dumps(message))
    assert hass.states.get("sensor.garden_camera_battery").state == "84"
    assert (
        hass.states.get("sensor.garden_camera_battery_capacity").state != STATE_UNKNOWN
    )


@pytest.mark.parametrize(
    "battery", [67, {"soc": 67, "voltage": 3900}], ids=["plain", "object"]
)
async def test_battery_carried_by_a_snapshot_is_shown(
    hass: HomeAssistant, init_integration: MockConfigEntry, battery: object
) -> None:
    """Firmware that adds battery fields to a picture: the battery sensors follow
    it (the heartbeat's other values stay); a backlog picture's battery is old
    news and changes nothing."""
    await fire(hass, HEARTBEAT_TOPIC, load_fixture_text("heartbeat.json"))
    capacity = hass.states.get("sensor.garden_camera_battery_capacity").state
    snap = load_fixture_json("snapshot.json")
    snap["values"]["battery"] = battery
    await fire(hass, SNAPSHOT_TOPIC, json.dumps(snap))
    assert hass.states.get("sensor.garden_camera_battery").state == "67"
    assert hass.states.get("sensor.garden_camera_battery_capacity").state == capacity
    late = load_fixture_json("snapshot.json")
    now = dt_util.utcnow().timestamp()
    late["ts"], late["values"]["time"] = int(now * 1000), int(now) - 7200
    late["values"]["battery"], late["values"]["file"] = 12, "backlog.jpg"
    await fire(hass, SNAPSHOT_TOPIC, json.dumps(late))
    assert [p.late for p in init_integration.runtime_data.history.newest_first()] == [
        False,
        True,
    ]
    assert hass.states.get("sensor.garden_camera_battery").state == "67"
