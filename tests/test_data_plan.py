"""The SIM's data plan: the share used this month, and a repair from 80 %."""

from __future__ import annotations

import json

from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.milesight_x5.const import CONF_DATA_PLAN, DOMAIN

from .conftest import HEARTBEAT_TOPIC, MAC, FakeCamera, fire

USED = "sensor.garden_camera_data_plan_used"


async def _plan(hass: HomeAssistant, entry: MockConfigEntry, megabytes: int) -> None:
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_DATA_PLAN: megabytes}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_share_of_the_plan_and_its_repair(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_camera: FakeCamera,
    issue_registry: ir.IssueRegistry,
) -> None:
    """No plan: unknown. 100 MB and 85 MB used: 85 %, and a repair naming both,
    at once when the plan is saved. The camera's counter starts again with the
    month: the repair goes. Out of range: said on the field."""
    camera = fake_camera[MAC]
    camera.data_monthly = 85_000_000
    await fire(hass, HEARTBEAT_TOPIC, json.dumps(camera.heartbeat()))
    assert hass.states.get(USED).state == "unknown"
    await _plan(hass, init_integration, 100)
    assert float(hass.states.get(USED).state) == 85.0
    issue = issue_registry.async_get_issue(DOMAIN, f"data_plan_{MAC}")
    assert issue is not None
    assert issue.translation_placeholders == {
        "name": "Garden camera",
        "used": "85",
        "plan": "100",
    }
    camera.data_monthly = 1_000_000  # a new month
    await fire(hass, HEARTBEAT_TOPIC, json.dumps(camera.heartbeat()))
    assert float(hass.states.get(USED).state) == 1.0
    assert issue_registry.async_get_issue(DOMAIN, f"data_plan_{MAC}") is None
    # A camera asleep keeps its month's share (not a measurement of now).
    assert hass.states.get(USED).state != "unavailable"
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_DATA_PLAN: -1}
    )
    assert result["errors"] == {CONF_DATA_PLAN: "data_plan_range"}


async def test_plan_kept_across_a_restart(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_camera: FakeCamera,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Set up again (a restart), the plan and the month's data give the share
    before the camera wakes."""
    camera = fake_camera[MAC]
    camera.data_monthly = 90_000_000
    await fire(hass, HEARTBEAT_TOPIC, json.dumps(camera.heartbeat()))
    await _plan(hass, init_integration, 100)
    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert float(hass.states.get(USED).state) == 90.0
    assert issue_registry.async_get_issue(DOMAIN, f"data_plan_{MAC}") is not None
