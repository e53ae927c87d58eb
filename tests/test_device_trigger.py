"""Device triggers and the bus events behind them: live alarms and captures only."""

from __future__ import annotations

from pathlib import Path
import re
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import automation
from homeassistant.components.device_automation import DeviceAutomationType
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, ServiceCall, State
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_mqtt_message,
    async_get_device_automations,
    async_mock_service,
    mock_restore_cache_with_extra_data,
)
from pytest_homeassistant_custom_component.typing import MqttMockHAClient
import yaml

from custom_components.milesight_x5.api import AlarmType, TriggerType
from custom_components.milesight_x5.const import DOMAIN, EVENT_ALARM, EVENT_CAPTURE

from .conftest import (
    ALARM_TOPIC,
    HEARTBEAT_TOPIC,
    MAC,
    SNAPSHOT_TOPIC,
    camera_device,
    fire,
    make_entry,
)
from .helpers import load_fixture_text, payload

pytestmark = pytest.mark.freeze_time("2026-11-25 12:00:00+00:00")

PIR_PICTURE = payload("snapshot.json", snapType="PIR", triggerValue="")
NOISE_PICTURE = payload("snapshot.json", time=1682336800)
LOW_POWER = payload("alarm.json", MAC)


@pytest.fixture
def calls(hass: HomeAssistant) -> list[ServiceCall]:
    """What the test automations did."""
    return async_mock_service(hass, "test", "automation")


async def _automations(
    hass: HomeAssistant, device_id: str, triggers: dict[str, dict[str, str]]
) -> None:
    """One automation per device trigger type, each recording its data (templates)."""
    assert await async_setup_component(
        hass,
        automation.DOMAIN,
        {
            automation.DOMAIN: [
                {
                    "triggers": [
                        {
                            "trigger": "device",
                            "domain": DOMAIN,
                            "device_id": device_id,
                            "type": trigger_type,
                        }
                    ],
                    "actions": [{"action": "test.automation", "data": data}],
                }
                for trigger_type, data in triggers.items()
            ]
        },
    )


async def test_get_triggers(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The automation editor offers one trigger per alarm type and capture trigger."""
    device = camera_device(hass, init_integration.entry_id)
    triggers = await async_get_device_automations(
        hass, DeviceAutomationType.TRIGGER, device.id
    )
    ours = [trigger for trigger in triggers if trigger["domain"] == DOMAIN]
    assert sorted(trigger["type"] for trigger in ours) == sorted(
        [
            *(f"{alarm}_alarm" for alarm in AlarmType),
            *(f"{trigger}_capture" for trigger in TriggerType),
        ]
    )
    assert len(ours) == 14
    for trigger in ours:
        assert trigger == {
            "platform": "device",
            "domain": DOMAIN,
            "device_id": device.id,
            "type": trigger["type"],
            "metadata": {},
        }


async def test_capture_trigger_fires_for_its_trigger_only(
    hass: HomeAssistant, init_integration: MockConfigEntry, calls: list[ServiceCall]
) -> None:
    """A PIR capture trigger fires once for a live PIR picture, with its details,
    and not for a noise picture, an alarm or a heartbeat."""
    device = camera_device(hass, init_integration.entry_id)
    data = {
        "type": "{{ trigger.event.data.type }}",
        "file": "{{ trigger.event.data.file }}",
        "platform": "{{ trigger.platform }}",
    }
    await _automations(hass, device.id, {"pir_capture": data})
    await fire(hass, SNAPSHOT_TOPIC, NOISE_PICTURE)
    await fire(hass, HEARTBEAT_TOPIC, load_fixture_text("heartbeat.json"))
    await fire(hass, ALARM_TOPIC, LOW_POWER)
    assert calls == []
    await fire(hass, SNAPSHOT_TOPIC, PIR_PICTURE)
    assert [call.data for call in calls] == [
        {"type": "pir", "file": "CV20230424074543T.jpg", "platform": "device"}
    ]


async def test_trigger_variables(
    hass: HomeAssistant, init_integration: MockConfigEntry, calls: list[ServiceCall]
) -> None:
    """An alarm's words and a capture's trigger value reach the automation, and the
    event entity already shows the event when the automation runs."""
    device = camera_device(hass, init_integration.entry_id)
    await _automations(
        hass,
        device.id,
        {
            "other_alarm": {
                "text": "{{ trigger.event.data.text }}",
                "entity": "{{ state_attr('event.garden_camera_alarm', 'text') }}",
            },
            "noise_capture": {"value": "{{ trigger.event.data.trigger_value }} dBA"},
        },
    )
    await fire(hass, ALARM_TOPIC, payload("alarm.json", MAC, alarm="Lens covered"))
    await fire(hass, SNAPSHOT_TOPIC, NOISE_PICTURE)
    assert [call.data for call in calls] == [
        {"text": "Lens covered", "entity": "Lens covered"},
        {"value": "51 dBA"},
    ]


async def test_no_trigger_on_restart_replay_or_reload(
    hass: HomeAssistant,
    mqtt_mock: MqttMockHAClient,
    hass_storage: dict[str, Any],
    calls: list[ServiceCall],
) -> None:
    """Home Assistant restarts with an alarm and a picture stored, the event entities
    restored and the broker replaying both: nothing triggers; a reload neither; the
    next live alarm does, once."""
    hass_storage[f"{DOMAIN}.{MAC}"] = {
        "version": 1,
        "minor_version": 1,
        "key": f"{DOMAIN}.{MAC}",
        "data": {
            "raw": {
                "alarm": {"values": {"devMac": MAC, "alarm": "Low power"}},
                "snapshot": {"values": {"devMac": MAC, "snapType": "PIR"}},
            },
            "last_seen": "2026-11-25T11:00:00+00:00",
        },
    }
    mock_restore_cache_with_extra_data(
        hass,
        [
            (
                State("event.garden_camera_alarm", "2026-11-25T11:00:00.000+00:00"),
                {
                    "last_event_type": "low_power",
                    "last_event_attributes": {"text": "Low power"},
                },
            ),
            (
                State("event.garden_camera_capture", "2026-11-25T11:00:00.000+00:00"),
                {"last_event_type": "pir", "last_event_attributes": {}},
            ),
        ],
    )
    entry = make_entry()
    entry.add_to_hass(hass)
    # The device is in the registry from before the restart; automations start first.
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id, identifiers={(DOMAIN, MAC)}
    )
    await _automations(
        hass,
        device.id,
        {kind: {"type": kind} for kind in ("low_power_alarm", "pir_capture")},
    )
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    alarm = hass.states.get("event.garden_camera_alarm")
    assert alarm.state == "2026-11-25T11:00:00.000+00:00"  # restored
    async_fire_mqtt_message(hass, ALARM_TOPIC, LOW_POWER, retain=True)
    async_fire_mqtt_message(hass, SNAPSHOT_TOPIC, PIR_PICTURE, retain=True)
    await hass.async_block_till_done()
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert calls == []
    await fire(hass, ALARM_TOPIC, LOW_POWER)
    assert [call.data for call in calls] == [{"type": "low_power_alarm"}]


async def test_bus_events(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Each live alarm and picture fires its bus event once with what its event
    entity says; a replayed one fires none."""
    alarms = async_capture_events(hass, EVENT_ALARM)
    captures = async_capture_events(hass, EVENT_CAPTURE)
    device = camera_device(hass, init_integration.entry_id)
    await fire(hass, ALARM_TOPIC, LOW_POWER)
    await fire(hass, SNAPSHOT_TOPIC, NOISE_PICTURE)
    async_fire_mqtt_message(hass, ALARM_TOPIC, LOW_POWER, retain=True)
    await hass.async_block_till_done()
    assert [event.data for event in alarms] == [
        {
            "device_id": device.id,
            "type": "low_power",
            "text": "Low power",
            "camera_time": "2023-04-24T11:46:58.966000+00:00",
        }
    ]
    capture = hass.states.get("event.garden_camera_capture").attributes
    assert [event.data for event in captures] == [
        {
            "device_id": device.id,
            "type": "noise",
            **{
                key: value
                for key, value in capture.items()
                if key not in {"event_type", "event_types", "friendly_name"}
            },
        }
    ]
    assert captures[0].data["trigger_value"] == 51.0
    # The picture, for a notification: where it is kept and a signed URL.
    assert captures[0].data["media_content_id"].startswith("media-source://")
    assert captures[0].data["picture_url"].startswith("/api/milesight_x5/")


async def test_bus_events_without_the_event_entities(
    hass: HomeAssistant,
    mqtt_mock: MqttMockHAClient,
    entity_registry: er.EntityRegistry,
    calls: list[ServiceCall],
) -> None:
    """The triggers work with the camera's event entities disabled."""
    entry = make_entry()
    entry.add_to_hass(hass)
    for key in ("alarm", "capture"):
        entity_registry.async_get_or_create(
            Platform.EVENT,
            DOMAIN,
            f"{MAC}_{key}",
            config_entry=entry,
            disabled_by=er.RegistryEntryDisabler.USER,
        )
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get("event.garden_camera_alarm") is None
    device = camera_device(hass, entry.entry_id)
    await _automations(hass, device.id, {"low_power_alarm": {"fired": "yes"}})
    await fire(hass, ALARM_TOPIC, LOW_POWER)
    assert len(calls) == 1


@pytest.mark.parametrize("platforms", [[]])
async def test_no_bus_event_without_a_device(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Without any entity the camera has no device: nothing can listen, none fires."""
    alarms = async_capture_events(hass, EVENT_ALARM)
    await fire(hass, ALARM_TOPIC, LOW_POWER)
    assert alarms == []


async def test_unknown_trigger_type_is_refused(
    hass: HomeAssistant, init_integration: MockConfigEntry, calls: list[ServiceCall]
) -> None:
    """A trigger type that does not exist leaves the automation unavailable."""
    device = camera_device(hass, init_integration.entry_id)
    await _automations(hass, device.id, {"smoke_alarm": {}})
    (entity_id,) = hass.states.async_entity_ids(automation.DOMAIN)
    assert hass.states.get(entity_id).state == "unavailable"


def _readme_automations(device_id: str) -> list[dict[str, Any]]:
    """The automations of the README's Automations section, on this camera."""
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    section = readme.split("## Automations", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```yaml\n(.*?)```", section, re.DOTALL)
    automations = [
        item
        for block in blocks
        if block.startswith("automation:")
        for item in yaml.safe_load(
            block.replace("0123456789abcdef0123456789abcdef", device_id)
        )["automation"]
    ]
    assert len(automations) == 2
    return automations


async def test_readme_automations_never_fire_falsely(
    hass: HomeAssistant,
    mqtt_mock: MqttMockHAClient,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The README's examples, running before the camera is added: each notifies once
    for a live alarm or picture (also the first), and not when the camera is added,
    reloaded or the broker replays a message."""
    notified = async_mock_service(hass, "notify", "mobile_app_my_phone")
    entry = make_entry()
    entry.add_to_hass(hass)
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id, identifiers={(DOMAIN, MAC)}
    )
    assert await async_setup_component(
        hass, automation.DOMAIN, {automation.DOMAIN: _readme_automations(device.id)}
    )
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert notified == []  # the new entities' first state is no event
    await fire(hass, ALARM_TOPIC, LOW_POWER)
    await fire(hass, SNAPSHOT_TOPIC, PIR_PICTURE)
    messages = ["Garden camera: Low power", "Garden camera: pir capture"]
    assert [call.data["message"] for call in notified] == messages
    notified.clear()
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    async_fire_mqtt_message(hass, ALARM_TOPIC, LOW_POWER, retain=True)
    async_fire_mqtt_message(hass, SNAPSHOT_TOPIC, NOISE_PICTURE, retain=True)
    await hass.async_block_till_done()
    assert notified == []
    freezer.tick(60)  # an event entity's state is the event's time
    await fire(hass, ALARM_TOPIC, LOW_POWER)
    await fire(hass, SNAPSHOT_TOPIC, PIR_PICTURE)
    assert [call.data["message"] for call in notified] == messages
