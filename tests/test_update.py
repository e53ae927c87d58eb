"""Firmware update entity from upgrade.check."""

from __future__ import annotations

from homeassistant.components.update import (
    ATTR_INSTALLED_VERSION,
    ATTR_LATEST_VERSION,
    UpdateEntityFeature,
)
from homeassistant.const import ATTR_ENTITY_ID, STATE_OFF, STATE_ON, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from .conftest import MAC, FakeCamera, wake_up

FIRMWARE = "update.garden_camera_firmware"


async def test_update_offered_and_installed(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_camera: FakeCamera
) -> None:
    """The camera offers a newer firmware; installing sends upgrade.online with its URL."""
    assert hass.states.get(FIRMWARE).state == STATE_UNKNOWN
    camera = fake_camera[MAC]
    await wake_up(hass, camera)
    state = hass.states.get(FIRMWARE)
    assert state.state == STATE_ON
    assert state.attributes[ATTR_INSTALLED_VERSION] == "V_31.1.0.3"
    assert state.attributes[ATTR_LATEST_VERSION] == "V_31.1.0.4"
    assert state.attributes["release_summary"] == "Simulated firmware"
    await hass.services.async_call(
        "update", "install", {ATTR_ENTITY_ID: FIRMWARE}, blocking=True
    )
    assert fake_camera.sent("upgrade.online")[-1]["data"] == {
        "url": "http://firmware.invalid/V_31.1.0.4.bin"
    }
    assert camera.firmware == "V_31.1.0.4"
    # While it installs, an act is refused at once, saying why (the camera restarts
    # when the firmware is written: the act would be lost, or harm the install).
    sent = len(fake_camera.requests)
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            "button",
            "press",
            {ATTR_ENTITY_ID: "button.garden_camera_snapshot_now"},
            blocking=True,
        )
    assert err.value.translation_key == "firmware_installing"
    assert len(fake_camera.requests) == sent
    # (The device page shows the install's restart meanwhile.)
    assert hass.states.get("sensor.garden_camera_command_status").state == "restarting"
    # It restarts with the new firmware: its next heartbeat brings the news.
    await wake_up(hass, camera)
    state = hass.states.get(FIRMWARE)
    assert state.state == STATE_OFF
    assert state.attributes[ATTR_INSTALLED_VERSION] == "V_31.1.0.4"
    assert state.attributes[ATTR_LATEST_VERSION] == "V_31.1.0.4"
    # The new version shows: acts go again.
    await hass.services.async_call(
        "button",
        "press",
        {ATTR_ENTITY_ID: "button.garden_camera_snapshot_now"},
        blocking=True,
    )
    assert fake_camera.sent("cmd.snapshot")


async def test_up_to_date(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_camera: FakeCamera
) -> None:
    """updateState 0: off, latest equals installed, not installable."""
    camera = fake_camera[MAC]
    camera.latest_firmware = camera.firmware
    await wake_up(hass, camera)
    state = hass.states.get(FIRMWARE)
    assert state.state == STATE_OFF
    assert state.attributes[ATTR_LATEST_VERSION] == "V_31.1.0.3"
    # Progress is reported (an install runs until the camera shows the new
    # version); nothing to install.
    assert state.attributes["supported_features"] == UpdateEntityFeature.PROGRESS


async def test_an_install_that_never_reports_frees_acts(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_camera: FakeCamera
) -> None:
    """An install whose new version never shows (versions written differently, the
    camera on USB power posting only at its interval): acts are refused only for
    the install's timeout (30 min), then go again."""
    from datetime import timedelta

    from homeassistant.util import dt as dt_util

    await wake_up(hass, fake_camera[MAC])
    state = init_integration.runtime_data.data
    state.install_version = "?"
    state.install_since = dt_util.utcnow() - timedelta(minutes=29)
    with pytest.raises(ServiceValidationError):
        await _press(hass)
    state.install_since = dt_util.utcnow() - timedelta(minutes=31)
    await _press(hass)
    assert fake_camera.sent("cmd.snapshot")


async def _press(hass: HomeAssistant) -> None:
    await hass.services.async_call(
        "button",
        "press",
        {ATTR_ENTITY_ID: "button.garden_camera_snapshot_now"},
        blocking=True,
    )
