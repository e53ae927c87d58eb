"""Repairs: topic mismatch (fixable both ways), and nothing left behind a removed camera."""

from __future__ import annotations

from http import HTTPStatus
import logging
from typing import Any

from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.milesight_x5.const import DOMAIN
from simulator import SimulatedCamera

from .conftest import MAC, FakeCamera, wake_up

ISSUE = f"topic_mismatch_{MAC}"


async def _fix(
    hass: HomeAssistant, client: ClientSessionGenerator, step: str | None
) -> dict[str, Any]:
    """Open the issue's fix flow as the UI does; pick ``step`` from its menu."""
    assert await async_setup_component(hass, "repairs", {})
    http = await client()
    resp = await http.post(
        "/api/repairs/issues/fix", json={"handler": DOMAIN, "issue_id": ISSUE}
    )
    assert resp.status == HTTPStatus.OK
    flow: dict[str, Any] = await resp.json()
    if step is None:
        return flow
    resp = await http.post(
        f"/api/repairs/issues/fix/{flow['flow_id']}", json={"next_step_id": step}
    )
    assert resp.status == HTTPStatus.OK
    result: dict[str, Any] = await resp.json()
    return {"menu": flow, **result}


@pytest.fixture
async def camera(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_camera: FakeCamera
) -> SimulatedCamera:
    """The camera, heard, posting heartbeats on another topic than configured."""
    camera = fake_camera[MAC]
    camera.settings["capture.info"]["statusTopic"] = "farm/status"
    await wake_up(hass, camera)
    return camera


async def test_topic_mismatch_repair_appears_and_goes(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    camera: SimulatedCamera,
    issue_registry: ir.IssueRegistry,
) -> None:
    """The camera posts heartbeats elsewhere: a fixable issue; fixed, it goes."""
    issue = issue_registry.async_get_issue(DOMAIN, ISSUE)
    assert issue is not None
    assert issue.is_fixable
    assert (
        issue.translation_placeholders["topics"] == "X5SensingCam/Status -> farm/status"
    )
    camera.settings["capture.info"]["statusTopic"] = "X5SensingCam/Status"
    await init_integration.runtime_data.commands.async_command("get.capture.info")
    assert issue_registry.async_get_issue(DOMAIN, ISSUE) is None


async def test_adopt_the_cameras_topics(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    camera: SimulatedCamera,
    issue_registry: ir.IssueRegistry,
    hass_client: ClientSessionGenerator,
) -> None:
    """Fix by listening where the camera posts: the entry takes its topics."""
    result = await _fix(hass, hass_client, "adopt")
    assert result["menu"]["menu_options"] == ["adopt"]  # no HTTP: no push
    assert result["type"] == "create_entry"
    await hass.async_block_till_done()
    assert init_integration.data["heartbeat_topic"] == "farm/status"
    assert issue_registry.async_get_issue(DOMAIN, ISSUE) is None


async def test_push_our_topics_over_http(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    camera: SimulatedCamera,
    issue_registry: ir.IssueRegistry,
    hass_client: ClientSessionGenerator,
) -> None:
    """With HTTP access, Home Assistant's topics can be written to the camera."""
    from unittest.mock import AsyncMock, patch

    commands = init_integration.runtime_data.commands
    request = AsyncMock(return_value={"code": 0, "result": "OK"})
    with patch.object(commands, "http", AsyncMock(async_request=request)):
        result = await _fix(hass, hass_client, "push")
    assert result["menu"]["menu_options"] == ["adopt", "push"]
    assert result["type"] == "create_entry"
    # Over HTTP only: over MQTT the answer would come where HA does not listen.
    assert [call.args for call in request.await_args_list] == [
        ("set.capture.info", {"statusTopic": "X5SensingCam/Status"})
    ]
    assert issue_registry.async_get_issue(DOMAIN, ISSUE) is None
    # A camera that refuses: the flow says so, the issue stays.
    await commands.async_command("get.capture.info")  # still farm/status
    assert issue_registry.async_get_issue(DOMAIN, ISSUE) is not None
    from custom_components.milesight_x5.api import CommandFailedError

    request.side_effect = CommandFailedError("set.capture.info", 3, "Bad")
    with patch.object(commands, "http", AsyncMock(async_request=request)):
        result = await _fix(hass, hass_client, "push")
    assert (result["type"], result["reason"]) == ("abort", "push_failed")
    assert issue_registry.async_get_issue(DOMAIN, ISSUE) is not None


async def test_removing_a_camera_removes_its_issues_and_files(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    camera: SimulatedCamera,
    issue_registry: ir.IssueRegistry,
    hass_storage: dict[str, Any],
) -> None:
    """Nothing of a removed camera stays behind: repairs, stored state, picture
    (observation 13)."""
    assert issue_registry.async_get_issue(DOMAIN, ISSUE) is not None
    await hass.config_entries.async_remove(init_integration.entry_id)
    await hass.async_block_till_done()
    assert [i for (d, i) in issue_registry.issues if d == DOMAIN] == []
    assert f"{DOMAIN}.{MAC}" not in hass_storage


async def test_update_entity_is_quiet(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_camera: FakeCamera,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """homeassistant.update_entity on a camera entity: no error, no camera traffic
    (the camera sleeps; it is never polled) (observation 11)."""
    assert await async_setup_component(hass, "homeassistant", {})
    await wake_up(hass, fake_camera[MAC])
    fake_camera.requests.clear()
    with caplog.at_level(logging.ERROR):
        await hass.services.async_call(
            "homeassistant",
            "update_entity",
            {
                ATTR_ENTITY_ID: [
                    "sensor.garden_camera_battery",
                    "switch.garden_camera_noise_trigger",
                ]
            },
            blocking=True,
        )
        await hass.async_block_till_done()
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert fake_camera.requests == []
    assert fake_camera.wakes == []
    assert hass.states.get("sensor.garden_camera_battery").state == "91"


async def test_fix_for_an_unloaded_camera_says_so(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    camera: SimulatedCamera,
    hass_client: ClientSessionGenerator,
) -> None:
    """The camera was disabled after the issue appeared: Fix explains, no crash."""
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    result = await _fix(hass, hass_client, None)
    assert (result["type"], result["reason"]) == ("abort", "camera_not_loaded")


async def test_adopting_topics_that_overlap_is_refused(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_camera: FakeCamera,
    hass_client: ClientSessionGenerator,
) -> None:
    """A camera whose own topics overlap (heartbeat = its request topic): adopting
    them would make HA hear its own requests; the fix says what to change."""
    camera = fake_camera[MAC]
    camera.settings["capture.info"]["statusTopic"] = "X5SensingCam/ConfigureRequest"
    await wake_up(hass, camera)
    result = await _fix(hass, hass_client, "adopt")
    assert (result["type"], result["reason"]) == (
        "abort",
        "topic_clash_heartbeat_request",
    )
    assert init_integration.data["heartbeat_topic"] == "X5SensingCam/Status"
