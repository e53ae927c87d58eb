"""Discovery once a camera is configured: new cameras are still offered, and the
heartbeats of configured ones start no config flow (the integration took it over)."""

from __future__ import annotations

from collections.abc import Generator
import json
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import SOURCE_IGNORE
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.milesight_x5.config_flow import X5ConfigFlow
from custom_components.milesight_x5.const import DOMAIN

from .conftest import HEARTBEAT_TOPIC, MAC, OTHER_MAC, fire, make_entry
from .helpers import payload

ALT_TOPICS = {
    "heartbeat_topic": "site/Status",
    "snapshot_topic": "site/Snapshot",
    "alarm_topic": "site/Alarm",
    "request_topic": "site/Request",
    "response_topic": "site/Respond",
}


@pytest.fixture
def flows_started() -> Generator[list[str]]:
    """The MAC of every camera the MQTT discovery flow was started for."""
    started: list[str] = []
    step = X5ConfigFlow.async_step_mqtt

    async def _counting(self: X5ConfigFlow, discovery_info: Any) -> Any:
        started.append(json.loads(discovery_info.payload)["values"]["devMac"])
        return await step(self, discovery_info)

    with patch.object(X5ConfigFlow, "async_step_mqtt", _counting):
        yield started


def _offered(hass: HomeAssistant) -> list[str | None]:
    return [
        flow["context"].get("unique_id")
        for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    ]


async def _heartbeats(hass: HomeAssistant, mac: str, count: int) -> None:
    for soc in range(count):
        await fire(
            hass, HEARTBEAT_TOPIC, payload("heartbeat.json", mac, battery={"soc": soc})
        )
    await hass.async_block_till_done(wait_background_tasks=True)


@pytest.mark.usefixtures("init_integration")
async def test_heartbeats_of_a_configured_camera_start_no_flow(
    hass: HomeAssistant, flows_started: list[str]
) -> None:
    """Every heartbeat of a camera already added used to start (and abort) a
    discovery flow; now none does, and its values still arrive."""
    await _heartbeats(hass, MAC, 5)
    assert flows_started == []
    assert hass.states.get("sensor.garden_camera_battery").state == "4"


@pytest.mark.usefixtures("init_integration")
async def test_a_new_camera_is_still_offered_once(
    hass: HomeAssistant, flows_started: list[str]
) -> None:
    """A camera nobody added is offered from its heartbeat, once for its burst."""
    await _heartbeats(hass, OTHER_MAC, 3)
    assert flows_started == [OTHER_MAC]
    assert _offered(hass) == [OTHER_MAC]


@pytest.mark.usefixtures("init_integration")
async def test_an_ignored_camera_is_not_offered(
    hass: HomeAssistant, flows_started: list[str]
) -> None:
    """A camera the user ignored stays ignored."""
    MockConfigEntry(
        domain=DOMAIN, unique_id=OTHER_MAC, source=SOURCE_IGNORE
    ).add_to_hass(hass)
    await _heartbeats(hass, OTHER_MAC, 2)
    assert flows_started == []
    assert _offered(hass) == []


async def test_cameras_are_offered_after_the_last_one_is_removed(
    hass: HomeAssistant, init_integration: MockConfigEntry, flows_started: list[str]
) -> None:
    """Removing every camera does not end discovery."""
    assert await hass.config_entries.async_remove(init_integration.entry_id)
    await hass.async_block_till_done()
    await _heartbeats(hass, OTHER_MAC, 1)
    assert flows_started == [OTHER_MAC]
    # The camera removed is offered again too (Home Assistant's own rediscovery
    # or the next heartbeat).
    await _heartbeats(hass, MAC, 1)
    assert MAC in _offered(hass)


@pytest.mark.usefixtures("mqtt_mock")
async def test_cameras_on_other_topics_leave_discovery_to_mqtt(
    hass: HomeAssistant, flows_started: list[str]
) -> None:
    """Without a camera on the discovery topic, Home Assistant's MQTT offers new
    cameras, as before."""
    entry = make_entry(**ALT_TOPICS)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await _heartbeats(hass, OTHER_MAC, 1)
    assert flows_started == [OTHER_MAC]


@pytest.mark.parametrize(
    "mqtt_config_entry_options", [{"birth_message": {}, "discovery": False}]
)
@pytest.mark.usefixtures("init_integration")
async def test_mqtt_discovery_turned_off_stays_off(
    hass: HomeAssistant, flows_started: list[str]
) -> None:
    """With MQTT discovery off nothing is offered, and nothing is taken over."""
    await _heartbeats(hass, OTHER_MAC, 1)
    assert flows_started == []
    assert _offered(hass) == []


def test_the_manifest_names_the_discovery_topics() -> None:
    """The topics taken over are exactly those Home Assistant's MQTT subscribes for
    the manifest."""
    from pathlib import Path

    from custom_components.milesight_x5.const import DISCOVERY_TOPICS

    manifest = (
        Path(__file__).parent.parent / "custom_components/milesight_x5/manifest.json"
    )
    assert frozenset(json.loads(manifest.read_text())["mqtt"]) == DISCOVERY_TOPICS


class _MqttData:
    """What the MQTT integration keeps of its discovery (the parts read here)."""

    def __init__(self, topic: str) -> None:
        self.unsubscribed: list[str] = []
        self.discovery_unsubscribe: list[object] = [object()]
        self.integration_unsubscribe: dict[str, Any] = {}
        self.subscribe(topic)

    def subscribe(self, topic: str) -> None:
        """What a (re)load of the MQTT integration does for the manifest's topic."""
        self.integration_unsubscribe[f"{DOMAIN}_{topic}"] = lambda: (
            self.unsubscribed.append(topic)
        )


async def test_a_reload_of_mqtt_is_taken_over_again(hass: HomeAssistant) -> None:
    """A reload of the MQTT integration subscribes its discovery again: the next
    message takes it over again; MQTT discovery turned off later ends ours."""
    from custom_components.milesight_x5.discovery import X5Discovery

    mqtt_data = hass.data["mqtt"] = _MqttData(HEARTBEAT_TOPIC)
    discovery = X5Discovery(hass)
    assert discovery.async_take_over(HEARTBEAT_TOPIC)
    assert mqtt_data.unsubscribed == [HEARTBEAT_TOPIC]
    assert discovery.async_take_over(HEARTBEAT_TOPIC)  # nothing new to end
    mqtt_data.subscribe(HEARTBEAT_TOPIC)  # MQTT reloaded
    assert discovery.async_take_over(HEARTBEAT_TOPIC)
    assert mqtt_data.unsubscribed == [HEARTBEAT_TOPIC] * 2
    assert mqtt_data.integration_unsubscribe == {}
    mqtt_data.discovery_unsubscribe.clear()  # reloaded with discovery off
    assert not discovery.async_take_over(HEARTBEAT_TOPIC)
    assert discovery.topics == set()


async def test_nothing_to_take_over_without_mqtts_record(hass: HomeAssistant) -> None:
    """A Home Assistant that keeps its discovery elsewhere: discovery stays its."""
    from custom_components.milesight_x5.discovery import X5Discovery

    hass.data["mqtt"] = object()
    assert not X5Discovery(hass).async_take_over(HEARTBEAT_TOPIC)
