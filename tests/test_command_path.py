"""The command path's corners: the refresh button, a given-up install, a queued
command cancelled, a solar camera that claims power but sleeps, Low Power mode,
an unloaded camera."""

from __future__ import annotations

import asyncio
from datetime import timedelta
import json
import logging
from typing import Any

from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.milesight_x5.api import CameraAsleepError, X5Error
from custom_components.milesight_x5.const import (
    CONF_ANSWER_TIMEOUT,
    CONF_WAKE_TIMEOUT,
    SETTINGS_COMMANDS,
)

from .conftest import HEARTBEAT_TOPIC, MAC, FakeCamera, fire, make_entry, wake_up
from .helpers import until


@pytest.fixture
def mock_config_entry() -> MockConfigEntry:
    """A camera whose wakes and answers give up quickly."""
    return make_entry(options={CONF_WAKE_TIMEOUT: 0.5, CONF_ANSWER_TIMEOUT: 0.3})


async def test_refresh_settings_button_reads_everything_now(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_camera: FakeCamera
) -> None:
    """The settings were read today; the button reads them again at once, waking
    the sleeping camera for it, the firmware check included."""
    camera = fake_camera[MAC]
    await wake_up(hass, camera)
    init_integration.runtime_data.data.last_seen = dt_util.utcnow() - timedelta(hours=1)
    camera.sleep()
    fake_camera.requests.clear()
    await hass.services.async_call(
        "button",
        "press",
        {ATTR_ENTITY_ID: "button.garden_camera_refresh_settings"},
        blocking=True,
    )
    assert fake_camera.wakes == [MAC]
    assert fake_camera.apis[: len(SETTINGS_COMMANDS) + 1] == [
        *SETTINGS_COMMANDS,
        "upgrade.check",
    ]


async def test_install_not_reported_is_given_up(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_camera: FakeCamera,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The camera took the install but never reports the new firmware: after 30
    minutes the install is given up (said once) and offered again."""
    camera = fake_camera[MAC]
    await wake_up(hass, camera)
    state = init_integration.runtime_data.data
    state.install_version = "V_31.1.0.4"
    state.install_since = dt_util.utcnow() - timedelta(minutes=31)
    camera.latest_firmware = "V_31.1.0.4"
    with caplog.at_level(logging.WARNING):
        await wake_up(hass, camera)
    assert state.install_version is None
    assert "given up" in caplog.text
    firmware = hass.states.get("update.garden_camera_firmware")
    assert firmware.attributes["in_progress"] is False


async def test_install_reported_while_in_progress(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_camera: FakeCamera
) -> None:
    """During an install each heartbeat reads the firmware version (nothing else);
    the new one ends it."""
    # Time to answer on a busy machine: a background read waits the nudge only.
    hass.config_entries.async_update_entry(
        init_integration, options={CONF_WAKE_TIMEOUT: 5, CONF_ANSWER_TIMEOUT: 5}
    )
    camera = fake_camera[MAC]
    await wake_up(hass, camera)
    state = init_integration.runtime_data.data
    state.install_version = camera.latest_firmware
    state.install_since = dt_util.utcnow()
    fake_camera.requests.clear()
    await wake_up(hass, camera)
    await until(lambda: fake_camera.apis == ["get.login.info"])
    assert state.install_version is not None  # still the old firmware
    camera.firmware = camera.latest_firmware
    await wake_up(hass, camera)
    await until(lambda: state.install_version is None)


async def test_a_queued_command_cancelled_passes_the_turn_on(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_camera: FakeCamera
) -> None:
    """Three commands queued; the middle one is cancelled while it waits: the first
    and the last go out, the camera's turn is not lost."""
    camera = fake_camera[MAC]
    await wake_up(hass, camera)
    commands = init_integration.runtime_data.commands
    fake_camera.requests.clear()
    fake_camera.answering = False  # the first waits for its answer
    first = hass.async_create_task(commands.async_command("get.sys.info"))
    await asyncio.sleep(0.01)
    second = hass.async_create_task(commands.async_command("get.image.info"))
    third = hass.async_create_task(commands.async_command("get.wakeup.info"))
    await asyncio.sleep(0.01)
    second.cancel()
    fake_camera.answering = True
    with pytest.raises(X5Error):
        await first  # never answered
    assert isinstance(await third, dict)
    assert "get.image.info" not in fake_camera.apis
    assert fake_camera.apis[-1] == "get.wakeup.info"


async def test_solar_power_that_still_sleeps_is_learned(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_camera: FakeCamera
) -> None:
    """The heartbeat says power is good (a solar panel), yet the camera sleeps: a
    write goes out as to a powered camera, is lost, the wake brings a heartbeat and
    the write again; from then on the claim is not trusted."""
    camera = fake_camera[MAC]
    original = camera.heartbeat

    def solar() -> dict[str, Any]:
        message = original()
        message["values"]["battery"]["powerGoodStat"] = 1
        return message

    camera.heartbeat = solar  # type: ignore[method-assign]
    await wake_up(hass, camera)
    reach = init_integration.runtime_data.commands.reach
    assert reach.on_external_power
    init_integration.runtime_data.data.last_seen = dt_util.utcnow() - timedelta(hours=1)
    camera.sleep()
    fake_camera.requests.clear()
    await init_integration.runtime_data.commands.async_command(
        "set.image.info", {"brightness": 60}
    )
    assert fake_camera.wakes == [MAC]
    assert fake_camera.apis.count("set.image.info") == 2
    assert not reach.on_external_power


async def test_low_power_read_needs_a_wake_that_cannot_be(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_camera: FakeCamera
) -> None:
    """Low Power mode, not heard lately: even a read would need a wake, and nothing
    wakes the camera in that mode: it fails at once, saying so, with no traffic."""
    await wake_up(hass, fake_camera[MAC])
    state = init_integration.runtime_data.data
    state.settings["get.capture.info"]["workMode"] = 1
    state.last_seen = dt_util.utcnow() - timedelta(hours=1)
    fake_camera.requests.clear()
    with pytest.raises(CameraAsleepError) as err:
        await init_integration.runtime_data.commands.async_command("get.image.info")
    assert err.value.args[0] == "low_power_mode"
    assert (fake_camera.requests, fake_camera.wakes) == ([], [])


async def test_unloaded_camera_sends_nothing(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_camera: FakeCamera
) -> None:
    """After unload a command (a script holding the object) fails with the
    translated reason, and nothing is published."""
    commands = init_integration.runtime_data.commands
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    fake_camera.requests.clear()
    from custom_components.milesight_x5.errors import async_run

    with pytest.raises(HomeAssistantError) as err:
        await async_run(commands.async_command("get.image.info"), "Garden camera")
    assert err.value.translation_key == "camera_unloaded"
    with pytest.raises(X5Error):
        await commands.async_wake()
    assert (fake_camera.requests, fake_camera.wakes) == ([], [])


async def test_heartbeat_while_a_resend_cannot_be_published(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_camera: FakeCamera
) -> None:
    """The camera wakes while a write waits, but the broker is away for the send
    again: the write ends with a clear error, nothing stays waiting."""
    from unittest.mock import patch

    camera = fake_camera[MAC]
    await wake_up(hass, camera)
    camera.settings["wakeup.info"]["wakeupByMQTT"] = 0
    camera.sleep()
    commands = init_integration.runtime_data.commands
    task = hass.async_create_task(
        commands.async_command("set.image.info", {"brightness": 70})
    )
    while not fake_camera.sent("set.image.info"):  # noqa: ASYNC110 (a fake's state)
        await asyncio.sleep(0.01)
    with patch(
        "custom_components.milesight_x5.commands.mqtt.async_publish",
        side_effect=HomeAssistantError("not connected"),
    ):
        camera.awake = True
        await fire(hass, HEARTBEAT_TOPIC, json.dumps(camera.heartbeat()))
    with pytest.raises(X5Error):
        await task
    assert commands.mqtt.in_flight(MAC) is None


@pytest.mark.parametrize("asleep", [False, True], ids=["still_awake", "asleep"])
async def test_act_after_a_window_found_short_asks_first(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_camera: FakeCamera,
    asleep: bool,
) -> None:
    """Once a camera was found asleep that soon after its own heartbeat, a fresh
    answer past that point does not show it awake for an act (a camera whose
    window runs from its own uplinks sleeps the moment after answering): one
    probe goes first. Still awake, it answers and the picture is taken; asleep,
    the wake follows and the picture is taken after its heartbeat. Either way
    exactly one cmd.snapshot, confirmed."""
    camera = fake_camera[MAC]
    commands = init_integration.runtime_data.commands
    reach = commands.reach
    await wake_up(hass, camera)
    assert reach.window_closes_in() is None  # nothing learned yet
    camera.sleep()
    await commands.async_command("set.image.info", {"brightness": 60})  # lost, woken
    assert fake_camera.wakes == [MAC]
    closes_in = reach.window_closes_in()
    assert closes_in is not None
    await asyncio.sleep(max(closes_in, 0) + 0.05)  # past it: the camera is awake
    await commands.async_command("set.image.info", {"brightness": 50})  # answered
    assert reach.shown_awake
    if asleep:
        camera.sleep()  # the moment after its answer
    fake_camera.requests.clear()
    await hass.services.async_call(
        "button",
        "press",
        {ATTR_ENTITY_ID: "button.garden_camera_snapshot_now"},
        blocking=True,
    )
    assert fake_camera.apis == ["get.device.status", "cmd.snapshot"]
    assert fake_camera.wakes == [MAC] * (2 if asleep else 1)
