"""Setup, unload, shared topics and routing."""

from __future__ import annotations

from datetime import timedelta
import json
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import mqtt
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import MqttMockHAClient

from custom_components.milesight_x5.const import DEFAULT_TOPICS, DOMAIN
from custom_components.milesight_x5.dispatcher import MessageKind

from .conftest import (
    HEARTBEAT_TOPIC,
    MAC,
    OTHER_MAC,
    FakeCamera,
    fire,
    make_entry,
    wake_up,
)
from .helpers import load_fixture_json, load_fixture_text


async def test_setup_and_unload(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The entry loads, and unloads cleanly."""
    assert init_integration.state is ConfigEntryState.LOADED
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    assert init_integration.state is ConfigEntryState.NOT_LOADED


async def test_message_finishing_after_unload_arms_no_timer(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A message still being handled when the camera unloads (a snapshot waits for its
    image to be written) leaves no reachability timer behind."""
    coordinator = init_integration.runtime_data
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await coordinator.async_handle_message(
        MessageKind.HEARTBEAT, load_fixture_json("heartbeat.json"), 0
    )
    assert coordinator.data.last_seen is not None
    # verify_cleanup fails the test on a timer left scheduled.


async def test_mqtt_not_available_retries(hass: HomeAssistant) -> None:
    """Without HA's MQTT the entry waits (setup retry) with a translated reason."""
    entry = make_entry()
    entry.add_to_hass(hass)
    with patch(
        "custom_components.milesight_x5.mqtt.async_wait_for_mqtt_client",
        return_value=False,
    ):
        await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert entry.reason == (
        "Home Assistant's MQTT integration is not available;"
        " the camera cannot be reached without it"
    )


async def test_two_cameras_share_one_subscription_per_topic(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient
) -> None:
    """Two cameras on the default topics: each topic subscribed once, data never mixed."""
    first, second = make_entry(MAC, "First"), make_entry(OTHER_MAC, "Second")
    with patch(
        "custom_components.milesight_x5.dispatcher.mqtt.async_subscribe",
        wraps=mqtt.async_subscribe,
    ) as subscribe:
        for entry in (first, second):
            entry.add_to_hass(hass)
            assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
    subscribed = [call.args[1] for call in subscribe.call_args_list]
    assert sorted(subscribed) == sorted(
        DEFAULT_TOPICS[topic]
        for topic in (
            "heartbeat_topic",
            "snapshot_topic",
            "alarm_topic",
            "response_topic",
        )
    )
    # Every topic is taken as bytes: snapshots are large and decoded by us.
    assert all(call.kwargs["encoding"] is None for call in subscribe.call_args_list)

    heartbeat = load_fixture_json("heartbeat.json")
    heartbeat["values"]["devMac"] = OTHER_MAC
    heartbeat["values"]["battery"]["soc"] = 42
    await fire(hass, HEARTBEAT_TOPIC, load_fixture_text("heartbeat.json"))
    await fire(hass, HEARTBEAT_TOPIC, json.dumps(heartbeat))
    assert hass.states.get("sensor.first_battery").state == "91"
    assert hass.states.get("sensor.second_battery").state == "42"

    # Unloading one camera keeps the other's routes and the shared subscription.
    assert await hass.config_entries.async_unload(first.entry_id)
    heartbeat["values"]["battery"]["soc"] = 40
    await fire(hass, HEARTBEAT_TOPIC, json.dumps(heartbeat))
    assert hass.states.get("sensor.second_battery").state == "40"
    assert hass.data[DOMAIN].topics == set(DEFAULT_TOPICS.values()) - {
        DEFAULT_TOPICS["request_topic"]
    }
    # The last camera takes the subscriptions with it (discovery is Home
    # Assistant's MQTT's, on its own subscription).
    assert await hass.config_entries.async_unload(second.entry_id)
    assert hass.data[DOMAIN].topics == set()


async def test_unknown_camera_and_garbage_are_ignored(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Another camera's heartbeat, non-JSON and MAC-less messages change nothing."""
    other = load_fixture_json("heartbeat.json")
    other["values"]["devMac"] = OTHER_MAC
    await fire(hass, HEARTBEAT_TOPIC, json.dumps(other))
    await fire(hass, HEARTBEAT_TOPIC, b"\x00not json")
    await fire(hass, HEARTBEAT_TOPIC, '{"values": {"battery": {"soc": 5}}}')
    assert hass.states.get("sensor.garden_camera_battery").state == "unknown"


async def test_remove_entry_deletes_stored_state(
    hass: HomeAssistant, init_integration: MockConfigEntry, hass_storage: dict
) -> None:
    """Removing the camera removes what was stored for it."""
    await fire(hass, HEARTBEAT_TOPIC, load_fixture_text("heartbeat.json"))
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    assert f"{DOMAIN}.{MAC}" in hass_storage
    await hass.config_entries.async_remove(init_integration.entry_id)
    await hass.async_block_till_done()
    assert f"{DOMAIN}.{MAC}" not in hass_storage


async def test_restart_restores_last_values(
    hass: HomeAssistant,
    mqtt_mock: MqttMockHAClient,
    hass_storage: dict,
) -> None:
    """After a restart the last heartbeat and alarm are shown before the camera speaks."""
    hass_storage[f"{DOMAIN}.{MAC}"] = {
        "version": 1,
        "minor_version": 1,
        "key": f"{DOMAIN}.{MAC}",
        "data": {
            "raw": {
                "heartbeat": load_fixture_json("heartbeat.json"),
                "alarm": {"values": {"devMac": MAC, "alarm": "Low power"}},
                "snapshot": {"values": {"devMac": MAC, "snapType": "PIR"}},
                "bogus": {"values": {}},
            },
            "settings": {},
            "last_seen": (dt_util.utcnow() - timedelta(hours=1)).isoformat(),
        },
    }
    entry = make_entry()
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get("sensor.garden_camera_battery").state == "91"
    assert hass.states.get("sensor.garden_camera_snapshot_trigger").state == "pir"
    assert entry.runtime_data.data.alarm.text == "Low power"
    # No image was stored: the image stays empty rather than failing.
    assert hass.states.get("image.garden_camera_snapshot").state == "unknown"

    # Silent for longer than the watchdog allows before the restart: the
    # measurements are not shown as current, the rest is.
    await hass.config_entries.async_unload(entry.entry_id)
    stored = hass_storage[f"{DOMAIN}.{MAC}"]["data"]
    stored["times"]["last_seen"] = (dt_util.utcnow() - timedelta(days=8)).isoformat()
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get("sensor.garden_camera_battery").state == "unavailable"
    assert hass.states.get("sensor.garden_camera_snapshot_trigger").state == "pir"


async def test_restart_with_corrupt_storage(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient, hass_storage: dict
) -> None:
    """A stored payload that no longer parses is skipped, not fatal."""
    hass_storage[f"{DOMAIN}.{MAC}"] = {
        "version": 1,
        "minor_version": 1,
        "key": f"{DOMAIN}.{MAC}",
        "data": {"raw": {"heartbeat": {"values": {"devMac": "garbage"}}}},
    }
    entry = make_entry()
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get("sensor.garden_camera_battery").state == "unknown"
    assert (
        hass.states.get("binary_sensor.garden_camera_connectivity").state == "unknown"
    )


async def test_long_silence_before_restart_is_unreachable(
    hass: HomeAssistant,
    mqtt_mock: MqttMockHAClient,
    hass_storage: dict,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Last heard long before the restart: unreachable straight away."""
    hass_storage[f"{DOMAIN}.{MAC}"] = {
        "version": 1,
        "minor_version": 1,
        "key": f"{DOMAIN}.{MAC}",
        "data": {"raw": {}, "last_seen": "2000-01-01T00:00:00+00:00"},
    }
    entry = make_entry()
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get("binary_sensor.garden_camera_connectivity").state == "off"
    assert caplog.text.count(f"Camera {MAC} silent for more than") == 1


async def test_a_message_writes_only_what_it_changed(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_camera: FakeCamera,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The same heartbeat twice: the second writes the last-heartbeat state and the
    bytes received today, nothing else; a heartbeat moving one value writes that
    value (and the time and bytes)."""
    from homeassistant.const import EVENT_STATE_CHANGED, EVENT_STATE_REPORTED

    await fire(hass, HEARTBEAT_TOPIC, load_fixture_text("heartbeat.json"))
    await hass.async_block_till_done(wait_background_tasks=True)  # settings read
    from homeassistant.core import Event, callback

    written: list[str] = []

    @callback
    def _every(data: Any) -> bool:
        return True  # every entity, also a write of the same state (reported)

    @callback
    def _record(event: Event[Any]) -> None:
        written.append(event.data["entity_id"])

    for event_type in (EVENT_STATE_CHANGED, EVENT_STATE_REPORTED):
        hass.bus.async_listen(event_type, _record, event_filter=_every)
    freezer.tick(60)
    await fire(hass, HEARTBEAT_TOPIC, load_fixture_text("heartbeat.json"))
    assert sorted(written) == [
        "sensor.garden_camera_data_received_today",
        "sensor.garden_camera_last_heartbeat",
    ]
    written.clear()
    freezer.tick(60)
    heartbeat = load_fixture_json("heartbeat.json")
    heartbeat["values"]["sensor"]["LAF"] = 70
    await fire(hass, HEARTBEAT_TOPIC, json.dumps(heartbeat))
    assert sorted(written) == [
        "sensor.garden_camera_data_received_today",
        "sensor.garden_camera_last_heartbeat",
        "sensor.garden_camera_noise",
    ]


async def test_entities_hear_only_of_what_they_show(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_camera: FakeCamera
) -> None:
    """A heartbeat asks the heartbeat's entities, not the settings entities; a
    settings answer asks the settings entities (and they show it)."""
    from custom_components.milesight_x5.entity import X5SettingEntity

    asked: list[str] = []
    shown = X5SettingEntity._shown

    def _counting(self: X5SettingEntity) -> Any:
        asked.append(self.entity_id)
        return shown(self)

    with patch.object(X5SettingEntity, "_shown", _counting):
        await wake_up(hass, fake_camera[MAC])  # the heartbeat, then the reads
        assert asked  # the answers reached the settings entities
        assert hass.states.get("switch.garden_camera_noise_trigger").state == "off"
        asked.clear()
        heartbeat = load_fixture_json("heartbeat.json")
        heartbeat["values"]["sensor"]["LAF"] = 77
        await fire(hass, HEARTBEAT_TOPIC, json.dumps(heartbeat))
        assert hass.states.get("sensor.garden_camera_noise").state == "77"
        assert asked == []
