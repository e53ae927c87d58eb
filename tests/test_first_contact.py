"""First contact: a camera added before it was heard is woken once, right after."""

from __future__ import annotations

from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.milesight_x5.const import (
    CONF_HTTP,
    CONF_MAC,
    CONF_TOPICS,
    DEFAULT_TOPICS,
    DOMAIN,
)

from .conftest import MAC, FakeCamera

pytestmark = pytest.mark.usefixtures("_limit_platforms")


async def _add_by_mac(hass: HomeAssistant) -> MockConfigEntry:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_MAC: MAC,
            CONF_NAME: "Garden camera",
            CONF_TOPICS: dict(DEFAULT_TOPICS),
            CONF_HTTP: {},
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["description"] == "until_it_wakes"
    await hass.async_block_till_done(wait_background_tasks=True)
    entry: MockConfigEntry = result["result"]
    return entry


async def test_added_camera_is_woken_once_and_read(
    hass: HomeAssistant, fake_camera: FakeCamera
) -> None:
    """Added by MAC while asleep: one wake right after; its heartbeat brings the
    values and the first-contact read. A restart of Home Assistant (a reload) does
    not wake it again: only adding it does."""
    camera = fake_camera[MAC]
    camera.sleep()
    entry = await _add_by_mac(hass)
    assert fake_camera.wakes == [MAC]
    await hass.async_block_till_done(wait_background_tasks=True)
    assert hass.states.get("sensor.garden_camera_battery").state == "91"
    # The first-contact read, at the heartbeat the wake brought.
    assert "get.capture.info" in fake_camera.apis
    camera.sleep()
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert fake_camera.wakes == [MAC]


async def test_added_camera_that_cannot_be_woken(
    hass: HomeAssistant, fake_camera: FakeCamera
) -> None:
    """Wake by MQTT off (or out of coverage): the one wake goes unanswered, nothing
    else is sent, and nothing fails: its values come when it wakes by itself."""
    camera = fake_camera[MAC]
    camera.sleep()
    camera.settings["wakeup.info"]["wakeupByMQTT"] = 0
    entry = await _add_by_mac(hass)
    assert fake_camera.wakes == [MAC]
    assert fake_camera.apis == []
    assert hass.states.get("sensor.garden_camera_battery").state == "unknown"
    assert entry.state is ConfigEntryState.LOADED
