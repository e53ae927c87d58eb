"""Commands: wake-then-send, queueing, errors, pending values, settings refresh."""

from __future__ import annotations

import asyncio

from homeassistant.components.switch import DOMAIN as SWITCH_DOMAIN
from homeassistant.const import (
    ATTR_ENTITY_ID,
    SERVICE_TURN_ON,
    STATE_OFF,
    STATE_ON,
    STATE_UNKNOWN,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr, issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.milesight_x5.const import CONF_WAKE_TIMEOUT

from .conftest import MAC, FakeCamera, make_entry, wake_up

NOISE = "switch.garden_camera_noise_trigger"


@pytest.fixture
def mock_config_entry() -> MockConfigEntry:
    """A camera whose wake attempts give up quickly."""
    return make_entry(options={CONF_WAKE_TIMEOUT: 0.2})


async def _turn_on(hass: HomeAssistant, entity_id: str) -> None:
    await hass.services.async_call(
        SWITCH_DOMAIN, SERVICE_TURN_ON, {ATTR_ENTITY_ID: entity_id}, blocking=True
    )


async def test_settings_read_when_the_camera_wakes(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_camera: FakeCamera
) -> None:
    """Unknown before the camera speaks; its heartbeat triggers the get.* reads."""
    assert hass.states.get(NOISE).state == STATE_UNKNOWN
    await wake_up(hass, fake_camera[MAC])
    assert [r["api"] for r in fake_camera.requests] == [
        "get.capture.info",
        "get.image.info",
        "get.wakeup.info",
        "get.login.info",
        "upgrade.check",
    ]
    assert hass.states.get(NOISE).state == STATE_OFF
    assert hass.states.get("switch.garden_camera_timestamp_overlay").state == STATE_ON
    # Rate limited: the next heartbeat reads nothing again.
    await wake_up(hass, fake_camera[MAC])
    assert len(fake_camera.requests) == 5


async def test_command_to_awake_camera_goes_out_at_once(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_camera: FakeCamera
) -> None:
    """Awake: no wake, the set goes out nested as the guide shows, state follows."""
    await wake_up(hass, fake_camera[MAC])
    await _turn_on(hass, NOISE)
    assert fake_camera.wakes == []
    assert fake_camera.sent("set.capture.info")[-1] == {
        "api": "set.capture.info",
        "devMac": MAC,
        "data": {"triggerConfig": {"sensorConditions": {"lafDetect": 1}}},
    }
    assert hass.states.get(NOISE).state == STATE_ON
    assert (
        fake_camera[MAC].settings["capture.info"]["triggerConfig"]["sensorConditions"][
            "lafDetect"
        ]
        == 1
    )


async def test_wake_then_send_in_order(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_camera: FakeCamera
) -> None:
    """Asleep: one wake, the heartbeat, then every queued command in order."""
    coordinator = init_integration.runtime_data
    camera = fake_camera[MAC]
    camera.awake = False
    results = await asyncio.gather(
        coordinator.async_command("cmd.reboot"),
        coordinator.async_command("set.image.info", {"brightness": 60}),
        coordinator.async_command("get.image.info"),
    )
    assert fake_camera.wakes == [MAC]
    ours = [
        r["api"]
        for r in fake_camera.requests
        if r["api"] in {"cmd.reboot", "set.image.info"}
    ]
    assert ours == ["cmd.reboot", "set.image.info"]
    assert results[0] == {"code": 0, "result": "OK"}
    assert results[2]["brightness"] == 60
    assert camera.reboots == 1


async def test_camera_that_never_wakes(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_camera: FakeCamera
) -> None:
    """Low Power mode (known from get.capture.info): every queued command fails, saying so."""
    coordinator = init_integration.runtime_data
    camera = fake_camera[MAC]
    await wake_up(hass, camera)
    camera.settings["capture.info"]["workMode"] = 1
    coordinator.data.settings["get.capture.info"]["workMode"] = 1
    coordinator.data.last_seen = None  # it went to sleep
    camera.awake = False
    outcomes = await asyncio.gather(
        _turn_on(hass, NOISE),
        _turn_on(hass, "switch.garden_camera_timed_capture"),
        return_exceptions=True,
    )
    assert fake_camera.wakes == [MAC]  # one wake for both
    for outcome in outcomes:
        assert isinstance(outcome, HomeAssistantError)
        assert outcome.translation_key == "low_power_mode"
    # Nothing pending is left shown.
    assert hass.states.get(NOISE).state == STATE_OFF


@pytest.mark.parametrize(
    ("setup", "key"),
    [
        ({"get.wakeup.info": {"wakeupByMQTT": 0}}, "wake_disabled"),
        ({}, "camera_asleep"),
    ],
)
async def test_wake_failure_reasons(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_camera: FakeCamera,
    setup: dict,
    key: str,
) -> None:
    """Wake by MQTT off, or no reason known: the error says which."""
    coordinator = init_integration.runtime_data
    coordinator.data.settings.update(setup)
    fake_camera[MAC].settings["wakeup.info"]["wakeupByMQTT"] = 0
    fake_camera[MAC].awake = False
    with pytest.raises(HomeAssistantError) as err:
        await _turn_on(hass, NOISE)
    assert err.value.translation_key == key
    assert err.value.translation_placeholders["name"] == "Garden camera"


async def test_pending_value_until_confirmed(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_camera: FakeCamera
) -> None:
    """A change to a sleeping camera shows as requested while it waits for the wake."""
    camera = fake_camera[MAC]
    await wake_up(hass, camera)
    init_integration.runtime_data.data.last_seen = None  # asleep now
    camera.awake = False
    fake_camera.answering = True
    task = hass.async_create_task(_turn_on(hass, NOISE))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert hass.states.get(NOISE).state == STATE_ON  # pending
    await task
    assert hass.states.get(NOISE).state == STATE_ON  # confirmed
    assert fake_camera.wakes == [MAC]


async def test_answer_timeout_and_failure_code(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_camera: FakeCamera
) -> None:
    """No answer: a timeout error; code != 0: the camera's code and text."""
    coordinator = init_integration.runtime_data
    await wake_up(hass, fake_camera[MAC])
    hass.config_entries.async_update_entry(
        init_integration, options={**init_integration.options, "answer_timeout": 0.05}
    )
    fake_camera.answering = False
    with pytest.raises(HomeAssistantError) as err:
        await _turn_on(hass, NOISE)
    assert err.value.translation_key == "command_timeout"
    fake_camera.answering = True
    fake_camera[MAC].answer = lambda api, data=None: {"code": 3, "result": "Busy"}  # type: ignore[method-assign]
    with pytest.raises(HomeAssistantError) as err:
        await _turn_on(hass, NOISE)
    assert err.value.translation_key == "command_failed"
    assert err.value.translation_placeholders["code"] == "3"
    assert err.value.translation_placeholders["result"] == "Busy"
    assert coordinator.mqtt.pending == set()


async def test_http_only_command_without_http(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_camera: FakeCamera
) -> None:
    """upgrade.reset has no MQTT command: a clear error without HTTP access."""
    from custom_components.milesight_x5.errors import async_run

    coordinator = init_integration.runtime_data
    with pytest.raises(HomeAssistantError) as err:
        await async_run(coordinator.async_command("upgrade.reset"), "Garden camera")
    assert err.value.translation_key == "http_only"


async def test_topic_mismatch_repair(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_camera: FakeCamera,
    issue_registry: ir.IssueRegistry,
) -> None:
    """The camera posts heartbeats elsewhere: a repair issue says so; fixed, it goes."""
    camera = fake_camera[MAC]
    camera.settings["capture.info"]["statusTopic"] = "farm/status"
    await wake_up(hass, camera)
    issue = issue_registry.async_get_issue("milesight_x5", f"topic_mismatch_{MAC}")
    assert issue is not None
    assert (
        issue.translation_placeholders["topics"] == "X5SensingCam/Status -> farm/status"
    )
    camera.settings["capture.info"]["statusTopic"] = "X5SensingCam/Status"
    await init_integration.runtime_data.async_command("get.capture.info")
    assert (
        issue_registry.async_get_issue("milesight_x5", f"topic_mismatch_{MAC}") is None
    )


async def test_unsolicited_get_answer_updates_settings(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """An answer nobody waited for (another client asked) still updates the entities."""
    from .conftest import RESPONSE_TOPIC, fire

    await fire(
        hass,
        RESPONSE_TOPIC,
        '{"devMac": "1CC3164126A2", "api": "get.image.info", "data": {"showTimestamp": 0}}',
    )
    assert hass.states.get("switch.garden_camera_timestamp_overlay").state == STATE_OFF


async def test_camera_asleep_sooner_than_expected_is_woken_and_retried(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_camera: FakeCamera
) -> None:
    """Presumed awake but silent: one wake, then the command again, and it succeeds."""
    camera = fake_camera[MAC]
    await wake_up(hass, camera)
    hass.config_entries.async_update_entry(
        init_integration, options={**init_integration.options, "answer_timeout": 0.05}
    )
    camera.awake = False  # it slept within Home Assistant's awake window
    await _turn_on(hass, NOISE)
    assert fake_camera.wakes == [MAC]
    assert len(fake_camera.sent("set.capture.info")) == 2
    assert hass.states.get(NOISE).state == STATE_ON


async def test_broker_down_is_a_clear_error(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_camera: FakeCamera
) -> None:
    """HA's MQTT cannot publish: the command fails as 'cannot reach', nothing hangs."""
    from unittest.mock import patch

    await wake_up(hass, fake_camera[MAC])
    with (
        patch(
            "custom_components.milesight_x5.coordinator.mqtt.async_publish",
            side_effect=HomeAssistantError("not connected"),
        ),
        pytest.raises(HomeAssistantError) as err,
    ):
        await _turn_on(hass, NOISE)
    assert err.value.translation_key == "cannot_connect"


async def test_set_is_read_back_and_firmware_shown_on_device(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_camera: FakeCamera,
    device_registry: dr.DeviceRegistry,
) -> None:
    """After a set.*, the camera's setting is read back; the device shows its firmware."""
    camera = fake_camera[MAC]
    await wake_up(hass, camera)
    device = device_registry.async_get_device(identifiers={("milesight_x5", MAC)})
    assert device is not None
    assert device.sw_version == "V_31.1.0.3"
    fake_camera.requests.clear()
    await _turn_on(hass, NOISE)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert [r["api"] for r in fake_camera.requests] == [
        "set.capture.info",
        "get.capture.info",
    ]
