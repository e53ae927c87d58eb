"""The command path against a camera that behaves as the guide says.

Readiness (wake + probe), order, what is never repeated, what a heartbeat during
a pending command means, read-modify-write, traffic rules, errors.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.button import DOMAIN as BUTTON_DOMAIN, SERVICE_PRESS
from homeassistant.components.number import (
    ATTR_VALUE,
    DOMAIN as NUMBER_DOMAIN,
    SERVICE_SET_VALUE,
)
from homeassistant.components.switch import DOMAIN as SWITCH_DOMAIN
from homeassistant.const import (
    ATTR_ENTITY_ID,
    SERVICE_TURN_ON,
    STATE_OFF,
    STATE_ON,
    STATE_UNKNOWN,
)
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import MqttMockHAClient

from custom_components.milesight_x5.api import X5Error
from custom_components.milesight_x5.const import (
    CONF_ANSWER_TIMEOUT,
    CONF_WAKE_TIMEOUT,
    SETTINGS_COMMANDS,
)

from .conftest import (
    HEARTBEAT_TOPIC,
    MAC,
    FakeCamera,
    fire,
    make_entry,
    not_heard_lately,
    wake_up,
)
from .helpers import until

NOISE = "switch.garden_camera_noise_trigger"
REFRESH = [*SETTINGS_COMMANDS, "upgrade.check"]


@pytest.fixture
def mock_config_entry() -> MockConfigEntry:
    """A camera whose wake attempts and answers give up quickly."""
    return make_entry(options={CONF_WAKE_TIMEOUT: 0.3, CONF_ANSWER_TIMEOUT: 0.1})


async def _turn_on(hass: HomeAssistant, entity_id: str) -> None:
    await hass.services.async_call(
        SWITCH_DOMAIN, SERVICE_TURN_ON, {ATTR_ENTITY_ID: entity_id}, blocking=True
    )


async def _press(hass: HomeAssistant, key: str) -> None:
    await hass.services.async_call(
        BUTTON_DOMAIN,
        SERVICE_PRESS,
        {ATTR_ENTITY_ID: f"button.garden_camera_{key}"},
        blocking=True,
    )


def _trigger_config(camera: Any) -> dict[str, Any]:
    config: dict[str, Any] = camera.settings["capture.info"]["triggerConfig"]
    return config


# --- settings read after a heartbeat; traffic rules ------------------------------------


async def test_settings_read_when_the_camera_wakes(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_camera: FakeCamera,
    freezer: FrozenDateTimeFactory,
) -> None:
    """First contact reads the settings right after the heartbeat (no wake); then
    no wake reads anything until the settings interval (a day) is over."""
    assert hass.states.get(NOISE).state == STATE_UNKNOWN
    await wake_up(hass, fake_camera[MAC])
    assert fake_camera.apis == REFRESH
    assert fake_camera.wakes == []
    assert hass.states.get(NOISE).state == STATE_OFF
    assert hass.states.get("switch.garden_camera_timestamp_overlay").state == STATE_ON
    # A camera wakes on every trigger: thirty wakes in a day read nothing.
    fake_camera.requests.clear()
    for _ in range(30):
        freezer.tick(timedelta(minutes=45))
        await wake_up(hass, fake_camera[MAC])
    assert fake_camera.requests == []
    # A day after the last read: the settings and the vendor's server, once.
    freezer.tick(timedelta(hours=2))
    await wake_up(hass, fake_camera[MAC])
    await wake_up(hass, fake_camera[MAC])
    assert fake_camera.apis == REFRESH
    assert fake_camera.wakes == []


async def test_settings_interval_is_an_option(
    hass: HomeAssistant, init_integration: MockConfigEntry, mqtt_mock: MqttMockHAClient
) -> None:
    """Every 6 hours instead of daily: the settings, but upgrade.check stays daily;
    a read the camera's sleep cut short is finished at its next heartbeat."""
    from custom_components.milesight_x5.const import CONF_SETTINGS_INTERVAL

    hass.config_entries.async_update_entry(
        init_integration,
        # Answers may take a while on a busy machine: a read is lost only by sleep.
        options={
            **init_integration.options,
            CONF_SETTINGS_INTERVAL: 6,
            CONF_ANSWER_TIMEOUT: 2,
        },
    )
    await hass.async_block_till_done()
    fake = FakeCamera(hass, mqtt_mock, MAC)
    camera = fake[MAC]
    await wake_up(hass, camera)
    fake.requests.clear()
    state = init_integration.runtime_data.data
    for name in SETTINGS_COMMANDS:  # read 7 hours ago
        state.settings_at[name] -= timedelta(hours=7)
    original = camera.answer
    asked: list[str] = []

    def sleepy(api: str, data: Any = None) -> Any:
        asked.append(api)
        return None if len(asked) > 2 else original(api, data)  # slept

    camera.answer = sleepy  # type: ignore[method-assign]
    await wake_up(hass, camera)
    assert fake.apis == list(SETTINGS_COMMANDS[:3])  # stopped at the loss
    camera.answer = original  # type: ignore[method-assign]
    fake.requests.clear()
    await wake_up(hass, camera)
    assert fake.apis == list(SETTINGS_COMMANDS[2:])


async def test_low_power_camera_gets_no_traffic(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_camera: FakeCamera,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Low Power mode: no wake and no request; the action says why; a heartbeat
    reads only get.capture.info, once a day (to notice Full Function again)."""
    camera = fake_camera[MAC]
    await wake_up(hass, camera)
    camera.settings["capture.info"]["workMode"] = 1
    init_integration.runtime_data.data.settings["get.capture.info"]["workMode"] = 1
    fake_camera.requests.clear()
    not_heard_lately(init_integration)
    with pytest.raises(HomeAssistantError) as err:
        await _turn_on(hass, NOISE)
    assert err.value.translation_key == "low_power_mode"
    assert (fake_camera.requests, fake_camera.wakes) == ([], [])
    freezer.tick(timedelta(minutes=11))
    await wake_up(hass, camera)
    await wake_up(hass, camera)
    assert (fake_camera.requests, fake_camera.wakes) == ([], [])
    # Back in Full Function mode (changed on its web page): noticed within a day,
    # by one read right after a heartbeat.
    camera.settings["capture.info"]["workMode"] = 0
    freezer.tick(timedelta(days=1))
    await wake_up(hass, camera)
    assert fake_camera.apis == ["get.capture.info"]
    assert fake_camera.wakes == []
    assert not init_integration.runtime_data.data.low_power


# --- writes: read-modify-write of the changed branch -------------------------------------


@pytest.mark.parametrize("replaces", [False, True], ids=["merging", "replacing"])
async def test_nested_write_sends_the_whole_branch(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    mqtt_mock: MqttMockHAClient,
    replaces: bool,
) -> None:
    """A field inside triggerConfig goes with all of triggerConfig as last read:
    a camera that replaces objects keeps its thresholds and intervals."""
    fake = FakeCamera(hass, mqtt_mock, MAC, set_replaces_objects=replaces)
    camera = fake[MAC]
    before = _trigger_config(camera)
    await wake_up(hass, camera)
    await _turn_on(hass, NOISE)
    assert fake.wakes == []
    sent = fake.sent("set.capture.info")[-1]["data"]
    assert list(sent) == ["triggerConfig"]
    expected = {
        **before,
        "sensorConditions": {**before["sensorConditions"], "lafDetect": 1},
    }
    assert sent["triggerConfig"] == expected
    assert _trigger_config(camera) == expected  # nothing lost on the camera
    assert hass.states.get(NOISE).state == STATE_ON
    # A threshold next: the lafDetect just written stays.
    await hass.services.async_call(
        NUMBER_DOMAIN,
        SERVICE_SET_VALUE,
        {
            ATTR_ENTITY_ID: "number.garden_camera_min_noise",
            ATTR_VALUE: 75,
        },
        blocking=True,
    )
    conditions = _trigger_config(camera)["sensorConditions"]
    assert (conditions["lafThre"], conditions["lafDetect"]) == (75, 1)
    assert conditions["lafLimitThre"] == before["sensorConditions"]["lafLimitThre"]


async def test_write_reads_first_when_nothing_fresh_is_cached(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    mqtt_mock: MqttMockHAClient,
) -> None:
    """Never heard, nothing cached: get first, then the whole branch."""
    fake = FakeCamera(hass, mqtt_mock, MAC, set_replaces_objects=True)
    await _turn_on(hass, NOISE)
    # The probe reaches it (awake, never heard), then read, write, read back.
    assert fake.apis[:3] == [
        "get.device.status",
        "get.capture.info",
        "set.capture.info",
    ]
    sent = fake.sent("set.capture.info")[0]["data"]["triggerConfig"]
    assert sent["sensorConditions"]["lafThre"] == 60
    assert _trigger_config(fake[MAC])["sensorConditions"]["lafDetect"] == 1


async def test_top_level_scalar_goes_alone(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_camera: FakeCamera
) -> None:
    """A top-level setting is sent alone, as in the guide's example."""
    await wake_up(hass, fake_camera[MAC])
    await hass.services.async_call(
        NUMBER_DOMAIN,
        SERVICE_SET_VALUE,
        {ATTR_ENTITY_ID: "number.garden_camera_heartbeat", ATTR_VALUE: 12},
        blocking=True,
    )
    assert fake_camera.sent("set.capture.info")[-1]["data"] == {"heartInterval": 12}


async def test_nested_write_without_the_branch_is_refused(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_camera: FakeCamera
) -> None:
    """The camera does not report triggerConfig: nothing partial is written."""
    camera = fake_camera[MAC]
    del camera.settings["capture.info"]["triggerConfig"]
    await wake_up(hass, camera)
    with pytest.raises(HomeAssistantError) as err:
        await _turn_on(hass, NOISE)
    assert err.value.translation_key == "setting_unknown"
    assert fake_camera.sent("set.capture.info") == []


# --- readiness: awake but quiet, asleep, external power ----------------------------------


async def test_awake_quiet_camera_is_reached_by_a_probe(
    hass: HomeAssistant, init_integration: MockConfigEntry, mqtt_mock: MqttMockHAClient
) -> None:
    """USB-C powered, not heard since setup: the wake produces nothing, the probe is
    answered, and the commands go out (observation 1)."""
    fake = FakeCamera(hass, mqtt_mock, MAC, external_power=True)
    await _press(hass, "restart")
    assert fake.wakes == [MAC]
    assert fake.apis[:2] == ["get.device.status", "cmd.reboot"]
    assert fake[MAC].reboots == 1
    # Now known to run on external power: no wake and no probe any more.
    fake[MAC].end_reboot()
    await wake_up(hass, fake[MAC])  # first contact: the settings are read
    not_heard_lately(init_integration)
    fake.requests.clear()
    await _turn_on(hass, NOISE)
    assert fake.wakes == [MAC]
    assert fake.apis == ["set.capture.info"]


async def test_wake_then_send_in_order(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_camera: FakeCamera
) -> None:
    """Asleep: one wake for all, the heartbeat, then the queued commands in order."""
    commands = init_integration.runtime_data.commands
    camera = fake_camera[MAC]
    camera.awake = False
    results = await asyncio.gather(
        commands.async_command("cmd.reboot"),
        commands.async_command("set.image.info", {"brightness": 60}),
        commands.async_command("get.image.info"),
    )
    assert fake_camera.wakes == [MAC]
    ours = [a for a in fake_camera.apis if a in {"cmd.reboot", "set.image.info"}]
    assert ours == ["cmd.reboot", "set.image.info"]
    assert results[0] == {"code": 0, "result": "OK"}
    assert isinstance(results[2], dict)
    assert results[2]["brightness"] == 60
    assert camera.reboots == 1


@pytest.mark.parametrize(
    ("setup", "key"),
    [
        ({"get.wakeup.info": {"wakeupByMQTT": 0}}, "wake_disabled"),
        ({}, "camera_asleep"),
    ],
)
async def test_camera_that_never_responds(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_camera: FakeCamera,
    setup: dict[str, Any],
    key: str,
) -> None:
    """Neither wake nor probe answered: every queued command fails, saying why."""
    init_integration.runtime_data.data.settings.update(setup)
    camera = fake_camera[MAC]
    camera.settings["wakeup.info"]["wakeupByMQTT"] = 0
    camera.awake = False
    # Two platforms: since HA 2026.10, PARALLEL_UPDATES = 1 queues calls to one
    # platform's entities, so only calls to different platforms wait together.
    outcomes = await asyncio.gather(
        _turn_on(hass, NOISE),
        hass.services.async_call(
            "select",
            "select_option",
            {ATTR_ENTITY_ID: "select.garden_camera_day_night_mode", "option": "night"},
            blocking=True,
        ),
        return_exceptions=True,
    )
    assert fake_camera.wakes == [MAC]  # one wake for both
    # The device page says the last command failed, and why (translated value).
    status = hass.states.get("sensor.garden_camera_command_status")
    assert status.state == "failed"
    assert status.attributes["reason"] == key
    assert status.attributes["command"] in ("set.capture.info", "set.image.info")
    for outcome in outcomes:
        assert isinstance(outcome, HomeAssistantError)
        assert outcome.translation_key == key
        assert outcome.translation_placeholders["name"] == "Garden camera"
    assert hass.states.get(NOISE).state == STATE_UNKNOWN  # no pending value left


async def test_pending_value_until_confirmed(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_camera: FakeCamera
) -> None:
    """A change to a sleeping camera shows as requested while it waits for the wake."""
    camera = fake_camera[MAC]
    await wake_up(hass, camera)
    not_heard_lately(init_integration)
    camera.awake = False
    status = "sensor.garden_camera_command_status"
    assert hass.states.get(status).state == "idle"
    seen: list[str] = []
    reasons: list[str | None] = []

    @callback
    def _changed(event: Event[EventStateChangedData]) -> None:
        if event.data["entity_id"] == status and (new := event.data["new_state"]):
            seen.append(new.state)
            reasons.append(new.attributes["reason"])

    hass.bus.async_listen("state_changed", _changed)
    task = hass.async_create_task(_turn_on(hass, NOISE))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert hass.states.get(NOISE).state == STATE_ON  # pending
    # At once: the command waits for the camera, and why (translated values):
    # asked whether it is awake, then woken.
    waiting = hass.states.get(status)
    assert (waiting.state, waiting.attributes["reason"]) == ("sending", "answer")
    assert waiting.attributes["command"] == "set.capture.info"
    await task
    assert hass.states.get(NOISE).state == STATE_ON  # confirmed
    assert fake_camera.wakes == [MAC]
    # The device page said what was going on (why: it was woken), then how it ended.
    assert "waking" in seen
    assert reasons[seen.index("waking")] == "asleep"
    assert "sending" in seen[seen.index("waking") :]
    assert "idle" not in seen[: seen.index("waking") + 2]  # never idle while it waits
    await hass.async_block_till_done(wait_background_tasks=True)  # the read-back
    # Then how it ended: the user's command went through.
    assert hass.states.get(status).state == "done"
    assert hass.states.get(status).attributes == {
        **hass.states.get(status).attributes,
        "command": "set.capture.info",
        "reason": None,
    }


# --- what is repeated and what never is --------------------------------------------------


ACT_BUTTONS = [
    ("restart", "cmd.reboot"),
    ("format_sd_card", "cmd.sd.format"),
    ("snapshot_now", "cmd.snapshot"),
]


@pytest.mark.parametrize(("button", "api"), ACT_BUTTONS)
@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_acts_go_out_exactly_once(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_camera: FakeCamera,
    button: str,
    api: str,
) -> None:
    """Presumed awake, silent: an act is not repeated; the outcome says so
    (observation 2)."""
    camera = fake_camera[MAC]
    await wake_up(hass, camera)
    fake_camera.answering = False
    with pytest.raises(HomeAssistantError) as err:
        await _press(hass, button)
    assert err.value.translation_key == "not_confirmed"
    assert err.value.translation_placeholders["command"] == api
    assert len(fake_camera.sent(api)) == 1
    assert fake_camera.wakes == []


async def test_idempotent_write_is_retried_after_a_wake(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_camera: FakeCamera
) -> None:
    """Presumed awake but it slept: a write goes again after reaching the camera."""
    camera = fake_camera[MAC]
    await wake_up(hass, camera)
    camera.awake = False  # it slept within the awake window
    await _turn_on(hass, NOISE)
    assert fake_camera.wakes == [MAC]
    assert len(fake_camera.sent("set.capture.info")) == 2
    assert hass.states.get(NOISE).state == STATE_ON


async def test_heartbeat_during_a_pending_write_sends_it_again(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_camera: FakeCamera
) -> None:
    """Presumed awake, it slept; it wakes on its timer while a write waits: the
    write (idempotent) goes again at once and is done."""
    hass.config_entries.async_update_entry(
        init_integration, options={CONF_WAKE_TIMEOUT: 5, CONF_ANSWER_TIMEOUT: 5}
    )
    camera = fake_camera[MAC]
    await wake_up(hass, camera)
    camera.settings["wakeup.info"]["wakeupByMQTT"] = 0  # our wake does nothing
    camera.awake = False
    task = hass.async_create_task(_turn_on(hass, NOISE))
    await until(lambda: fake_camera.sent("set.capture.info"))
    loop = asyncio.get_running_loop()
    started = loop.time()
    camera.awake = True  # its timer woke it: heartbeat
    await fire(hass, HEARTBEAT_TOPIC, _json(camera.heartbeat()))
    await task
    assert loop.time() - started < 1
    assert len(fake_camera.sent("set.capture.info")) == 2
    assert hass.states.get(NOISE).state == STATE_ON


@pytest.mark.parametrize(("button", "api"), ACT_BUTTONS)
@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_act_waits_for_evidence_the_camera_is_awake(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_camera: FakeCamera,
    button: str,
    api: str,
) -> None:
    """Heard 5 s ago (presumed awake, not shown awake) but asleep: one probe, lost;
    the wake; the act goes out once, after the heartbeat that answers the wake."""
    camera = fake_camera[MAC]
    await wake_up(hass, camera)
    camera.sleep()
    state = init_integration.runtime_data.data
    state.last_seen = dt_util.utcnow() - timedelta(seconds=5)
    fake_camera.requests.clear()
    await _press(hass, button)
    assert fake_camera.apis == ["get.device.status", api]
    assert fake_camera.wakes == [MAC]
    assert len(fake_camera.sent(api)) == 1


async def test_snapshot_answered_only_by_the_picture(
    hass: HomeAssistant, init_integration: MockConfigEntry, mqtt_mock: MqttMockHAClient
) -> None:
    """No answer on the response topic: the picture completes the action, and the
    image shows it before the action returns (observation 3)."""
    fake = FakeCamera(hass, mqtt_mock, MAC, snapshot_answer=False)
    await wake_up(hass, fake[MAC])
    before = hass.states.get("image.garden_camera_snapshot").state
    await _press(hass, "snapshot_now")
    assert hass.states.get("image.garden_camera_snapshot").state != before
    assert len(fake.sent("cmd.snapshot")) == 1


async def test_reboot_confirmed_by_the_heartbeat_after_it(
    hass: HomeAssistant, init_integration: MockConfigEntry, mqtt_mock: MqttMockHAClient
) -> None:
    """No answer to cmd.reboot; the camera's heartbeat after rebooting confirms it,
    and the reboot is not sent again."""
    hass.config_entries.async_update_entry(
        init_integration, options={CONF_WAKE_TIMEOUT: 5, CONF_ANSWER_TIMEOUT: 5}
    )
    fake = FakeCamera(hass, mqtt_mock, MAC, reboot_answer=False)
    camera = fake[MAC]
    await wake_up(hass, camera)
    task = hass.async_create_task(_press(hass, "restart"))
    await until(lambda: camera.reboots)
    assert camera.respond({"api": "get.sys.info", "devMac": MAC}) is None  # silent
    await asyncio.sleep(0.5)  # a restart takes a while (more than a few round trips)
    heartbeat = camera.end_reboot()  # rebooted: it posts a heartbeat
    assert heartbeat is not None
    await fire(hass, HEARTBEAT_TOPIC, _json(heartbeat))
    await task
    assert len(fake.sent("cmd.reboot")) == 1


# --- errors ------------------------------------------------------------------------------


async def test_failure_code_is_shown(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_camera: FakeCamera
) -> None:
    """code != 0: the camera's code and text; nothing left pending."""
    await wake_up(hass, fake_camera[MAC])
    fake_camera[MAC].answer = lambda api, data=None: {"code": 3, "result": "Busy"}  # type: ignore[method-assign]
    with pytest.raises(HomeAssistantError) as err:
        await _turn_on(hass, "switch.garden_camera_timed_capture")
    assert err.value.translation_key == "command_failed"
    assert err.value.translation_placeholders["code"] == "3"
    assert err.value.translation_placeholders["result"] == "Busy"
    assert init_integration.runtime_data.commands.mqtt.in_flight(MAC) is None


async def test_idempotent_timeout_after_retry(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_camera: FakeCamera
) -> None:
    """A read never answered (though the camera speaks): timeout after one retry."""
    await wake_up(hass, fake_camera[MAC])
    fake_camera.answering = False
    with pytest.raises(HomeAssistantError) as err:
        await _turn_on(hass, "switch.garden_camera_timestamp_overlay")
    assert err.value.translation_key in {"command_timeout", "camera_asleep"}


async def test_http_only_command_without_http(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """upgrade.reset has no MQTT command: a clear error without HTTP access."""
    from custom_components.milesight_x5.errors import async_run

    commands = init_integration.runtime_data.commands
    with pytest.raises(HomeAssistantError) as err:
        await async_run(commands.async_command("upgrade.reset"), "Garden camera")
    assert err.value.translation_key == "http_only"


async def test_broker_down_is_a_clear_error(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_camera: FakeCamera
) -> None:
    """HA's MQTT cannot publish: the error names the broker, not HTTP."""
    from unittest.mock import patch

    await wake_up(hass, fake_camera[MAC])
    with (
        patch(
            "custom_components.milesight_x5.commands.mqtt.async_publish",
            side_effect=HomeAssistantError("not connected"),
        ),
        pytest.raises(HomeAssistantError) as err,
    ):
        await _turn_on(hass, NOISE)
    assert err.value.translation_key == "broker_unavailable"


async def test_write_is_not_read_back_and_firmware_shown_on_device(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_camera: FakeCamera,
    device_registry: dr.DeviceRegistry,
) -> None:
    """The camera's code 0 makes the written value the cached one: nothing is read
    back, and the next write of the branch reads nothing first. The device shows
    its firmware."""
    camera = fake_camera[MAC]
    await wake_up(hass, camera)
    (device,) = dr.async_entries_for_config_entry(
        device_registry, init_integration.entry_id
    )
    assert device.sw_version == "V_31.1.0.3"
    fake_camera.requests.clear()
    await _turn_on(hass, NOISE)
    await _turn_on(hass, "switch.garden_camera_temperature_trigger")
    await hass.async_block_till_done(wait_background_tasks=True)
    assert fake_camera.apis == ["set.capture.info", "set.capture.info"]
    conditions = fake_camera.sent("set.capture.info")[1]["data"]["triggerConfig"]
    assert conditions["sensorConditions"]["lafDetect"] == 1  # the first write kept


LINK_CUTTERS = (
    ("switch", "turn_off", "switch.garden_camera_post_heartbeats", {}),
    ("switch", "turn_off", "switch.garden_camera_wake_by_mqtt", {}),
    (
        "select",
        "select_option",
        "select.garden_camera_work_mode",
        {"option": "low_power"},
    ),
)


async def test_link_cutting_settings_are_disabled_by_default(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Heartbeat off, wake by MQTT off, Low Power mode: off by default."""
    from homeassistant.helpers import entity_registry as er

    registry = er.async_get(hass)
    for _, _, entity_id, _ in LINK_CUTTERS:
        entry = registry.async_get(entity_id)
        assert entry is not None
        assert entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION


@pytest.mark.parametrize(("domain", "service", "entity_id", "extra"), LINK_CUTTERS)
@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_lockout_guard(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_camera: FakeCamera,
    domain: str,
    service: str,
    entity_id: str,
    extra: dict[str, Any],
) -> None:
    """A change that would cut HA off, without HTTP access as a way back: refused
    with an explanation, nothing sent."""
    from homeassistant.exceptions import ServiceValidationError

    await wake_up(hass, fake_camera[MAC])
    fake_camera.requests.clear()
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            domain, service, {ATTR_ENTITY_ID: entity_id, **extra}, blocking=True
        )
    assert err.value.translation_key == "lockout"
    assert fake_camera.requests == []


def _json(message: dict[str, Any]) -> str:
    import json

    return json.dumps(message)


async def test_own_request_is_not_taken_as_the_answer(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient
) -> None:
    """An entry whose request and response topics are one (older setups, or a
    camera's topics adopted): HA hears its own requests there. A set does not
    "succeed" without a camera; a get echo does not wipe the cached settings
    (observation 12)."""
    from pytest_homeassistant_custom_component.common import async_fire_mqtt_message

    shared = "X5SensingCam/Configure"
    entry = make_entry(
        request_topic=shared,
        response_topic=shared,
        options={CONF_WAKE_TIMEOUT: 0.3, CONF_ANSWER_TIMEOUT: 0.1},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    published: list[str] = []

    async def _echo(topic: str, payload: str, *args: Any, **kwargs: Any) -> None:
        published.append(topic)
        if topic == shared:  # the broker hands our request back to us
            hass.loop.call_soon(async_fire_mqtt_message, hass, topic, payload)

    mqtt_mock.async_publish.side_effect = _echo
    coordinator = entry.runtime_data
    coordinator.data.settings["get.image.info"] = {"showTimestamp": 1}
    coordinator.data.last_seen = dt_util.utcnow()  # presumed awake: no wake
    with pytest.raises(X5Error):
        await coordinator.commands.async_command("set.image.info", {"brightness": 1})
    coordinator.data.last_seen = dt_util.utcnow()
    with pytest.raises(X5Error):
        await coordinator.commands.async_command("get.image.info")
    assert coordinator.data.settings["get.image.info"] == {"showTimestamp": 1}
    assert shared in published


VARIANTS: dict[str, dict[str, Any]] = {
    "guide_default": {},
    "external_power": {"external_power": True},
    "snapshot_picture_only": {"snapshot_answer": False},
    "set_replaces_objects": {"set_replaces_objects": True},
    "reboot_silent": {"reboot_answer": False},
    "clock_1970": {"clock_offset": -1_700_000_000.0},
}


@pytest.mark.parametrize("variant", VARIANTS.values(), ids=VARIANTS)
async def test_every_plausible_camera(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    mqtt_mock: MqttMockHAClient,
    variant: dict[str, Any],
) -> None:
    """Against each camera the guide allows, asleep and not heard lately: a write
    keeps the camera's other settings, a picture is taken once and shown, a reboot
    goes out once."""
    hass.config_entries.async_update_entry(
        init_integration, options={CONF_WAKE_TIMEOUT: 5, CONF_ANSWER_TIMEOUT: 2}
    )
    fake = FakeCamera(hass, mqtt_mock, MAC, **variant)
    camera = fake[MAC]
    before = _trigger_config(camera)
    camera.sleep()

    await _turn_on(hass, NOISE)
    assert _trigger_config(camera)["sensorConditions"] == {
        **before["sensorConditions"],
        "lafDetect": 1,
    }
    assert hass.states.get(NOISE).state == STATE_ON

    await hass.async_block_till_done(wait_background_tasks=True)  # first contact
    not_heard_lately(init_integration)
    camera.sleep()
    image_before = hass.states.get("image.garden_camera_snapshot").state
    await _press(hass, "snapshot_now")
    assert len(fake.sent("cmd.snapshot")) == 1
    assert camera.snapshots_taken == 1
    assert hass.states.get("image.garden_camera_snapshot").state != image_before

    task = hass.async_create_task(_press(hass, "restart"))
    await until(lambda: camera.reboots)
    if camera.rebooting:  # silent while it reboots, then its heartbeat
        await asyncio.sleep(0.5)
        heartbeat = camera.end_reboot()
        assert heartbeat is not None
        await fire(hass, HEARTBEAT_TOPIC, _json(heartbeat))
    await task
    assert len(fake.sent("cmd.reboot")) == 1
    assert camera.reboots == 1


async def test_heartbeat_of_the_same_wake_sends_no_act_again(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_camera: FakeCamera
) -> None:
    """An alarm wakes the camera, an automation asks for a picture at once, and the
    heartbeat of that same wake arrives moments later: the camera heard the
    request; it is not sent again (no second picture)."""
    camera = fake_camera[MAC]
    await wake_up(hass, camera)
    fake_camera.answering = False  # busy: the answer is slow
    task = hass.async_create_task(_press(hass, "snapshot_now"))
    await until(lambda: fake_camera.sent("cmd.snapshot"))
    await fire(hass, HEARTBEAT_TOPIC, _json(camera.heartbeat()))
    with pytest.raises(HomeAssistantError):
        await task
    assert len(fake_camera.sent("cmd.snapshot")) == 1


async def test_interval_heartbeat_on_external_power_sends_no_act_again(
    hass: HomeAssistant, init_integration: MockConfigEntry, mqtt_mock: MqttMockHAClient
) -> None:
    """On external power a heartbeat is its interval's, not a wake: an act waiting
    for its answer is not sent again."""
    fake = FakeCamera(hass, mqtt_mock, MAC, external_power=True)
    camera = fake[MAC]
    await wake_up(hass, camera)
    assert init_integration.runtime_data.commands.reach.on_external_power
    fake.answering = False
    task = hass.async_create_task(_press(hass, "snapshot_now"))
    await until(lambda: fake.sent("cmd.snapshot"))
    await asyncio.sleep(0.1)
    await fire(hass, HEARTBEAT_TOPIC, _json(camera.heartbeat()))
    with pytest.raises(HomeAssistantError):
        await task
    assert len(fake.sent("cmd.snapshot")) == 1


async def test_restarting_camera_is_not_woken_and_not_presumed_awake(
    hass: HomeAssistant, init_integration: MockConfigEntry, mqtt_mock: MqttMockHAClient
) -> None:
    """After a reboot the camera is restarting (not awake, the status says so): a
    command waits for its boot heartbeat, with no wake and no probe, then goes."""
    hass.config_entries.async_update_entry(
        init_integration, options={CONF_WAKE_TIMEOUT: 5, CONF_ANSWER_TIMEOUT: 2}
    )
    fake = FakeCamera(hass, mqtt_mock, MAC)
    fake.restart_heartbeat = False  # the test posts it
    camera = fake[MAC]
    await wake_up(hass, camera)
    await _press(hass, "restart")
    status = "sensor.garden_camera_command_status"
    assert hass.states.get(status).state == "restarting"
    camera.awake = False  # down while it restarts
    fake.requests.clear()
    task = hass.async_create_task(_turn_on(hass, "switch.garden_camera_timed_capture"))
    await asyncio.sleep(0.2)
    assert (fake.requests, fake.wakes) == ([], [])
    camera.awake = True
    await fire(hass, HEARTBEAT_TOPIC, _json(camera.heartbeat()))
    await task
    assert fake.apis[0] == "set.capture.info"
    assert fake.wakes == []
    await hass.async_block_till_done(wait_background_tasks=True)
    assert hass.states.get(status).state == "done"  # nothing waits


async def test_unload_while_a_command_waits(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_camera: FakeCamera
) -> None:
    """The camera is unloaded while a command waits for its wake: the action ends
    with a translated reason, and nothing more is sent to the camera after."""
    hass.config_entries.async_update_entry(
        init_integration, options={CONF_WAKE_TIMEOUT: 5, CONF_ANSWER_TIMEOUT: 1}
    )
    camera = fake_camera[MAC]
    camera.sleep()
    camera.settings["wakeup.info"]["wakeupByMQTT"] = 0  # it will not wake
    task = hass.async_create_task(_turn_on(hass, NOISE))
    await until(lambda: fake_camera.wakes)
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    with pytest.raises(HomeAssistantError) as err:
        await task
    assert err.value.translation_key == "camera_unloaded"
    sent = (len(fake_camera.requests), len(fake_camera.wakes))
    await asyncio.sleep(1.5)
    assert (len(fake_camera.requests), len(fake_camera.wakes)) == sent


async def test_low_power_camera_can_be_read_right_after_a_heartbeat(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_camera: FakeCamera
) -> None:
    """In Low Power mode a read still goes out while the camera is awake after its
    heartbeat (to see it is back in Full Function mode); writes and acts do not."""
    camera = fake_camera[MAC]
    await wake_up(hass, camera)
    coordinator = init_integration.runtime_data
    coordinator.data.settings["get.capture.info"]["workMode"] = 1
    answer = await coordinator.commands.async_command("get.capture.info")
    assert isinstance(answer, dict)
    assert not coordinator.data.low_power  # the camera is back in Full Function
    coordinator.data.settings["get.capture.info"]["workMode"] = 1
    with pytest.raises(HomeAssistantError) as err:
        await _press(hass, "restart")
    assert err.value.translation_key == "low_power_mode"


async def test_external_power_is_trusted_only_while_recent(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    mqtt_mock: MqttMockHAClient,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A camera that said it runs on external power is not woken; days later (it
    may have been unplugged) it is woken and probed again."""
    fake = FakeCamera(hass, mqtt_mock, MAC, external_power=True)
    await wake_up(hass, fake[MAC])
    reach = init_integration.runtime_data.commands.reach
    assert reach.on_external_power
    freezer.tick(timedelta(days=3))
    assert not reach.on_external_power
    assert not reach.presumed_awake


async def test_slow_upgrade_check_is_not_asked_again_at_every_refresh(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_camera: FakeCamera
) -> None:
    """upgrade.check unanswered (the vendor's server is slow over cellular): the
    heartbeats of the day do not ask it again; the next day they do, once."""
    # Answers may take longer than this module's 0.1 s on a busy machine: a read
    # given up would end the day's read before upgrade.check (not this test's point).
    hass.config_entries.async_update_entry(
        init_integration,
        options={**init_integration.options, CONF_ANSWER_TIMEOUT: 1.5},
    )
    camera = fake_camera[MAC]
    original = camera.answer

    def slow(api: str, data: Any = None) -> Any:
        return None if api == "upgrade.check" else original(api, data)

    camera.answer = slow  # type: ignore[method-assign]
    await wake_up(hass, camera)
    assert fake_camera.apis.count("upgrade.check") == 1
    coordinator = init_integration.runtime_data
    state, reader = coordinator.data, coordinator.settings_reader

    def hours_pass(hours: float) -> None:  # the loop's clock must run: no freezer
        for name in state.settings_at:
            state.settings_at[name] -= timedelta(hours=hours)
        assert reader._upgrade_asked is not None
        reader._upgrade_asked -= timedelta(hours=hours)

    hours_pass(3)
    await wake_up(hass, camera)
    assert fake_camera.apis.count("upgrade.check") == 1
    hours_pass(22)
    await wake_up(hass, camera)
    await wake_up(hass, camera)
    # The day's read ran (on a busy machine its last read may come a moment later).
    await until(lambda: fake_camera.apis.count("upgrade.check") == 2)
    assert fake_camera.apis.count("get.capture.info") == 2
    assert fake_camera.apis.count("upgrade.check") == 2


async def test_overlapping_topics_never_loop(
    hass: HomeAssistant, mqtt_mock: MqttMockHAClient
) -> None:
    """An older entry whose heartbeat filter also matches the request topic: HA
    hears its own request there, but a request is never taken for a heartbeat,
    so nothing is sent again (no loop)."""
    from pytest_homeassistant_custom_component.common import async_fire_mqtt_message

    entry = make_entry(
        heartbeat_topic="X5SensingCam/#",
        options={CONF_WAKE_TIMEOUT: 0.3, CONF_ANSWER_TIMEOUT: 0.2},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    published: list[str] = []

    async def _echo(topic: str, payload: str, *args: Any, **kwargs: Any) -> None:
        published.append(payload)
        hass.loop.call_soon(async_fire_mqtt_message, hass, topic, payload)

    mqtt_mock.async_publish.side_effect = _echo
    entry.runtime_data.data.last_seen = dt_util.utcnow()
    with pytest.raises(X5Error):
        await entry.runtime_data.commands.async_command("cmd.sd.format")
    assert sum('"cmd.sd.format"' in payload for payload in published) == 1
