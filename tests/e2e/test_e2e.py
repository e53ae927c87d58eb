"""Two simulated cameras, Home Assistant's real MQTT client, a real mosquitto."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from http import HTTPStatus
from typing import Any

from homeassistant.components import mqtt
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.milesight_x5.const import (
    CONF_ANSWER_TIMEOUT,
    CONF_AWAKE_WINDOW,
    CONF_MAC,
    CONF_WAKE_TIMEOUT,
    DEFAULT_TOPICS,
    DOMAIN,
)
from simulator import SimulatedCamera
from simulator.mqtt import SimulatorHub

from .conftest import Mosquitto, setup_mqtt, wait_for

CAM_A, CAM_B, CAM_C = "1CC3164126A2", "1CC3164126A3", "1CC3164126A4"

pytestmark = [
    pytest.mark.usefixtures("socket_enabled", "mock_hass_config"),
    pytest.mark.timeout(120),
]


@pytest.fixture
async def mqtt_entry(hass: HomeAssistant, broker: Mosquitto) -> MockConfigEntry:
    """Home Assistant's MQTT integration, for real, on the session's mosquitto."""
    return await setup_mqtt(hass, broker)


@pytest.fixture
async def cameras(
    hass: HomeAssistant, mqtt_entry: MockConfigEntry, broker: Mosquitto
) -> AsyncGenerator[dict[str, Any]]:
    """Both cameras configured in Home Assistant, then the simulator started."""
    entries = {}
    for mac, title in ((CAM_A, "Garden"), (CAM_B, "Barn")):
        entry = MockConfigEntry(
            domain=DOMAIN,
            title=title,
            unique_id=mac,
            data={CONF_MAC: mac, **DEFAULT_TOPICS},
            options={CONF_AWAKE_WINDOW: 1, CONF_ANSWER_TIMEOUT: 3},
        )
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        entries[mac] = entry
    await hass.async_block_till_done()
    client = hass.data[mqtt.DATA_MQTT].client
    await wait_for(lambda: not client._pending_subscriptions, what="subscriptions")
    await asyncio.sleep(0.5)  # the broker's SUBACK
    sims = [SimulatedCamera(CAM_A), SimulatedCamera(CAM_B, battery=55)]
    hub = SimulatorHub(sims, "127.0.0.1", broker.port, interval=3600, awake_window=2)
    await hass.async_add_executor_job(hub.start)
    yield {"hub": hub, "entries": entries, "sim": {c.mac: c for c in sims}}
    await hass.async_add_executor_job(hub.stop)
    for entry in entries.values():
        await hass.config_entries.async_unload(entry.entry_id)
    await hass.config_entries.async_unload(mqtt_entry.entry_id)
    await hass.async_block_till_done()


def _state(hass: HomeAssistant, entity_id: str) -> str | None:
    state = hass.states.get(entity_id)
    return state.state if state else None


async def test_heartbeat_snapshot_alarm(
    hass: HomeAssistant, cameras: dict[str, Any], hass_client: ClientSessionGenerator
) -> None:
    """Uplinks of both cameras reach their own entities, over the real broker."""
    await wait_for(
        lambda: _state(hass, "sensor.garden_battery") == "91", what="A battery"
    )
    await wait_for(
        lambda: _state(hass, "sensor.barn_battery") == "55", what="B battery"
    )
    assert _state(hass, "sensor.garden_noise") == "61"
    assert _state(hass, "binary_sensor.garden_connectivity") == "on"
    await wait_for(
        lambda: _state(hass, "image.garden_snapshot") not in (None, "unknown")
    )
    client = await hass_client()
    resp = await client.get("/api/image_proxy/image.garden_snapshot")
    assert resp.status == HTTPStatus.OK
    assert (await resp.read())[:2] in (b"\xff\xd8", b"\x89P")
    hub = cameras["hub"]
    await hass.async_add_executor_job(hub.alarm, CAM_B, "Low power")
    await wait_for(
        lambda: (s := hass.states.get("event.barn_alarm")) is not None
        and s.attributes.get("event_type") == "low_power",
        what="B alarm event",
    )
    assert _state(hass, "event.garden_alarm") == "unknown"


async def test_switch_round_trip_and_sleeping_camera(
    hass: HomeAssistant, cameras: dict[str, Any]
) -> None:
    """A switch change reaches the simulator and the get.* state comes back;
    a command to a sleeping camera wakes it and succeeds."""
    sim: SimulatedCamera = cameras["sim"][CAM_A]
    await wait_for(
        lambda: _state(hass, "switch.garden_noise_trigger") == "off", what="settings"
    )
    await hass.services.async_call(
        "switch",
        "turn_on",
        {ATTR_ENTITY_ID: "switch.garden_noise_trigger"},
        blocking=True,
    )
    assert (
        sim.settings["capture.info"]["triggerConfig"]["sensorConditions"]["lafDetect"]
        == 1
    )
    assert _state(hass, "switch.garden_noise_trigger") == "on"

    # Let it fall asleep (awake window 2 s in the simulator, 1 s in HA), then command it.
    await wait_for(lambda: not sim.awake, what="camera asleep")
    await hass.services.async_call(
        "number",
        "set_value",
        {ATTR_ENTITY_ID: "number.garden_min_noise", "value": 75},
        blocking=True,
    )
    conditions = sim.settings["capture.info"]["triggerConfig"]["sensorConditions"]
    assert conditions["lafThre"] == 75, "\n".join(cameras["hub"].log)
    assert _state(hass, "number.garden_min_noise") == "75"


async def test_broker_restart(
    hass: HomeAssistant, cameras: dict[str, Any], broker: Mosquitto
) -> None:
    """mosquitto restarts mid-test: Home Assistant resubscribes and keeps working."""
    await wait_for(
        lambda: _state(hass, "sensor.garden_battery") == "91", what="first heartbeat"
    )
    await hass.async_add_executor_job(broker.stop)
    await wait_for(
        lambda: not hass.data[mqtt.DATA_MQTT].client.connected, what="disconnect"
    )
    await hass.async_add_executor_job(broker.start)
    await wait_for(
        lambda: hass.data[mqtt.DATA_MQTT].client.connected, limit=40, what="reconnect"
    )
    sim: SimulatedCamera = cameras["sim"][CAM_A]
    sim.battery = 80
    hub: SimulatorHub = cameras["hub"]
    # The simulator reconnects too; its next wake-up reaches Home Assistant.
    await wait_for(
        lambda: hub._client.is_connected(), limit=20, what="simulator reconnect"
    )
    client = hass.data[mqtt.DATA_MQTT].client
    await wait_for(lambda: not client._pending_subscriptions, what="resubscribed")
    await asyncio.sleep(1)  # the broker's SUBACK
    hub.log.clear()
    await hass.async_add_executor_job(hub.wake, CAM_A)
    await wait_for(
        lambda: _state(hass, "sensor.garden_battery") == "80", what="new heartbeat"
    )
    # Commands still find their way.
    answer = await cameras["entries"][CAM_A].runtime_data.commands.async_command(
        "get.image.info"
    )
    assert answer["brightness"] == 50


async def test_awake_quiet_camera_on_usb_power(
    hass: HomeAssistant, mqtt_entry: MockConfigEntry, broker: Mosquitto
) -> None:
    """A camera on USB-C power that posted before Home Assistant listened, replaces
    objects on set and answers cmd.snapshot only with the picture: never heard, it
    is reached by the probe, keeps its settings, and gives its picture."""
    sim = SimulatedCamera(
        CAM_C, external_power=True, set_replaces_objects=True, snapshot_answer=False
    )
    hub = SimulatorHub([sim], "127.0.0.1", broker.port, interval=3600)
    await hass.async_add_executor_job(hub.start)  # its one heartbeat: nobody listens
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Shed",
        unique_id=CAM_C,
        data={CONF_MAC: CAM_C, **DEFAULT_TOPICS},
        options={CONF_AWAKE_WINDOW: 1, CONF_ANSWER_TIMEOUT: 3, CONF_WAKE_TIMEOUT: 10},
    )
    entry.add_to_hass(hass)
    try:
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        client = hass.data[mqtt.DATA_MQTT].client
        await wait_for(lambda: not client._pending_subscriptions, what="subscriptions")
        await asyncio.sleep(0.5)  # the broker's SUBACK
        assert _state(hass, "sensor.shed_battery") == "unknown"  # never heard
        await hass.services.async_call(
            "switch",
            "turn_on",
            {ATTR_ENTITY_ID: "switch.shed_noise_trigger"},
            blocking=True,
        )
        conditions = sim.settings["capture.info"]["triggerConfig"]["sensorConditions"]
        assert conditions["lafDetect"] == 1
        assert conditions["lafThre"] == 60  # not lost to a fragment
        assert "wake " + CAM_C in hub.log  # the wake went out and did nothing
        assert f"get.device.status {CAM_C} answered" in hub.log
        await hass.services.async_call(
            DOMAIN, "snapshot", {"device_id": _device(hass, entry)}, blocking=True
        )
        assert _state(hass, "sensor.shed_snapshot_trigger") == "manual"
    finally:
        await hass.async_add_executor_job(hub.stop)
        await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()


def _device(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    from homeassistant.helpers import device_registry as dr

    (device,) = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    return device.id
