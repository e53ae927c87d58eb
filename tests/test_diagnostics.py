"""Diagnostics: useful, and without the camera's secrets."""

from __future__ import annotations

import json

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion

from .conftest import ALARM_TOPIC, HEARTBEAT_TOPIC, MAC, SNAPSHOT_TOPIC, fire
from .helpers import payload

SECRETS = (
    "868444050582056",  # IMEI
    "460115211076172",  # IMSI
    "89860322245922526572",  # ICCID
    "24.62493",  # latitude
    "118.03077",  # longitude
    "s3cret",
)


async def test_diagnostics_redacts_secrets(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    """IMEI, IMSI, ICCID, GPS and passwords never appear; the rest does."""
    await fire(hass, HEARTBEAT_TOPIC, payload("heartbeat.json"))
    await fire(hass, SNAPSHOT_TOPIC, payload("snapshot.json"))
    await fire(hass, ALARM_TOPIC, payload("alarm.json", MAC))
    init_integration.runtime_data.data.settings["get.capture.info"] = {
        "password": "s3cret",
        "host": "broker.local",
    }
    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, init_integration
    )
    text = json.dumps(diagnostics)
    for secret in SECRETS:
        assert secret not in text
    assert "data:image" not in text
    heartbeat = diagnostics["last_payloads"]["heartbeat"]["values"]
    assert heartbeat["cellular"]["imei"] == "**REDACTED**"
    assert heartbeat["gps"] == "**REDACTED**"
    assert heartbeat["battery"]["soc"] == 91
    assert diagnostics["settings"]["get.capture.info"]["host"] == "broker.local"
    assert diagnostics["state"]["reachable"] is True
    assert diagnostics["state"]["snapshot"]["image_bytes"] == 901
    assert diagnostics["entry"]["data"]["mac"] == MAC


async def test_diagnostics_show_what_was_dropped_and_the_camera_clock(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    """Unusable fields of the last heartbeat and the camera's own times are shown;
    the values kept stay in the merged payload."""
    await fire(hass, HEARTBEAT_TOPIC, payload("heartbeat.json"))
    await fire(
        hass,
        HEARTBEAT_TOPIC,
        json.dumps({"ts": 1000, "values": {"devMac": MAC, "battery": "flat"}}),
    )
    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, init_integration
    )
    state = diagnostics["state"]
    assert state["dropped_fields"]["heartbeat"] == ["values.battery"]
    assert state["camera_time"]["heartbeat"] == "1970-01-01T00:00:01+00:00"
    assert state["clock_offset_s"] < -86400 * 365 * 50
    assert state["received"]["heartbeat"] is not None
    assert diagnostics["last_payloads"]["heartbeat"]["values"]["battery"]["soc"] == 91


@pytest.mark.freeze_time("2026-11-25 12:00:00+00:00")
async def test_diagnostics_snapshot(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    snapshot: SnapshotAssertion,
) -> None:
    """The whole dump after a heartbeat, a snapshot and an alarm."""
    await fire(hass, HEARTBEAT_TOPIC, payload("heartbeat.json"))
    await fire(hass, SNAPSHOT_TOPIC, payload("snapshot.json"))
    await fire(hass, ALARM_TOPIC, payload("alarm.json", MAC))
    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, init_integration
    )
    assert diagnostics == snapshot
