"""The X5 family's field habits as repairs: reports Milesight's cloud takes away
(fixable), a clock off by more than a day (fixable), a camera that wakes for
triggers but posts no picture (a hint)."""

from __future__ import annotations

from datetime import timedelta
from http import HTTPStatus
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.milesight_x5.api.field import has_mip
from custom_components.milesight_x5.const import CONF_ANSWER_TIMEOUT, DOMAIN
from simulator import SimulatedCamera

from .conftest import (
    MAC,
    SNAPSHOT_TOPIC,
    FakeCamera,
    fire,
    make_entry,
    wake_up,
)
from .helpers import picture

NEW_FIRMWARE = "V_31.1.0.4"  # has get.mip.info (3x.1.0.3-r1 and later)
DAY = 86400


@pytest.fixture
def mock_config_entry() -> MockConfigEntry:
    """A camera whose unanswered requests give up quickly."""
    return make_entry(options={CONF_ANSWER_TIMEOUT: 0.3})


def _issue(hass: HomeAssistant, kind: str) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(DOMAIN, f"{kind}_{MAC}")


async def _fix(
    hass: HomeAssistant, client: ClientSessionGenerator, issue_id: str
) -> dict[str, Any]:
    """Open the issue's fix flow as the UI does and confirm its form."""
    assert await async_setup_component(hass, "repairs", {})
    http = await client()
    resp = await http.post(
        "/api/repairs/issues/fix", json={"handler": DOMAIN, "issue_id": issue_id}
    )
    assert resp.status == HTTPStatus.OK
    flow: dict[str, Any] = await resp.json()
    if flow["type"] != "form":
        return flow
    assert flow["step_id"] == "confirm"
    resp = await http.post(f"/api/repairs/issues/fix/{flow['flow_id']}", json={})
    assert resp.status == HTTPStatus.OK
    result: dict[str, Any] = await resp.json()
    return result


async def _in_platform_mode(
    hass: HomeAssistant, fake_camera: FakeCamera
) -> SimulatedCamera:
    """The camera in AIoT platform mode, heard: the repair is up."""
    camera = fake_camera[MAC]
    camera.firmware = NEW_FIRMWARE
    camera.settings["capture.info"]["platformEnable"] = 1
    await wake_up(hass, camera)
    await _wakes_without_pictures(hass, camera)
    assert _issue(hass, "reports_diverted") is not None
    return camera


async def _wakes_without_pictures(hass: HomeAssistant, camera: SimulatedCamera) -> None:
    """Three wakes of its own, soon after each other (triggers), no picture."""
    for _ in range(3):
        await wake_up(hass, camera)


@pytest.mark.parametrize(
    ("software", "expected"),
    [
        ("V_31.1.0.3", False),
        ("V_31.1.0.3-r1", True),
        ("V_31.1.0.4", True),
        ("V_32.2.0.1", True),
        ("V_31.0.9.9", False),
        ("something else", True),
        (None, True),
    ],
)
def test_which_firmware_is_asked_for_mip(software: str | None, expected: bool) -> None:
    """The guide: get.mip.info "only works with firmware version 3x.1.0.3-r1 and
    later"; an unknown version is asked (its answer, or none, tells)."""
    assert has_mip(software) is expected


@pytest.mark.parametrize(
    ("takeover", "platform", "key"),
    [
        (True, False, "reports_diverted_takeover"),
        (False, True, "reports_diverted_platform"),
        (True, True, "reports_diverted_takeover_platform"),
    ],
)
async def test_reports_diverted_repair_turns_it_off(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    fake_camera: FakeCamera,
    takeover: bool,
    platform: bool,
    key: str,
) -> None:
    """Read with the first-contact settings, device management (both of mip.info's
    reports on) or AIoT platform mode raise a fixable issue saying which; the fix
    writes the whole mip.info branch with both off (autoProvision kept) and/or
    platformEnable 0, the issue goes, and pictures reach MQTT again."""
    fake = fake_camera
    camera = fake[MAC]
    camera.firmware = NEW_FIRMWARE
    if takeover:
        camera.settings["mip.info"].update(
            {"autoProvision": 1, "takeOverPlatform": 1, "dataReportTakeover": 1}
        )
    camera.settings["capture.info"]["platformEnable"] = int(platform)
    assert camera.pictures_to_cloud
    await wake_up(hass, camera)
    assert _issue(hass, "reports_diverted") is None  # the settings alone: nothing
    await _wakes_without_pictures(hass, camera)
    issue = _issue(hass, "reports_diverted")
    assert issue is not None
    assert issue.translation_key == key
    assert issue.is_fixable

    result = await _fix(hass, hass_client, f"reports_diverted_{MAC}")
    assert result["type"] == "create_entry"
    assert _issue(hass, "reports_diverted") is None
    assert not camera.pictures_to_cloud
    writes = [r for r in fake.requests if r["api"].startswith("set.")]
    if takeover:
        assert {
            "api": "set.mip.info",
            "data": {
                "autoProvision": 1,
                "takeOverPlatform": 0,
                "dataReportTakeover": 0,
            },
        } in [{"api": r["api"], "data": r.get("data")} for r in writes]
    if platform:
        assert any(
            r["api"] == "set.capture.info" and r["data"] == {"platformEnable": 0}
            for r in writes
        )
    shown = init_integration.runtime_data.data.settings
    assert shown["get.mip.info"]["takeOverPlatform"] == 0


async def test_reports_diverted_fix_that_cannot_be_written_says_why(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    fake_camera: FakeCamera,
) -> None:
    """The camera refuses the write: the flow ends saying so, the issue stays."""
    camera = await _in_platform_mode(hass, fake_camera)
    original = camera.answer

    def refuse(api: str, data: dict[str, Any] | None = None) -> dict[str, Any] | None:
        if api.startswith("set."):
            return {"code": 1, "result": "refused"}
        return original(api, data)

    camera.answer = refuse  # type: ignore[method-assign]
    result = await _fix(hass, hass_client, f"reports_diverted_{MAC}")
    assert result["type"] == "abort"
    assert result["reason"] == "not_written"
    assert "refused" in result["description_placeholders"]["error"]
    assert _issue(hass, "reports_diverted") is not None


async def test_fix_for_an_unloaded_camera_says_so(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    fake_camera: FakeCamera,
) -> None:
    """Unloaded (disabled), the fix has nobody to write through: it says so."""
    await _in_platform_mode(hass, fake_camera)
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    result = await _fix(hass, hass_client, f"reports_diverted_{MAC}")
    assert result["type"] == "abort"
    assert result["reason"] == "camera_not_loaded"


async def test_mip_asked_once_per_interval_where_unanswered(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_camera: FakeCamera
) -> None:
    """A firmware of an unknown version that does not answer get.mip.info: it is
    asked last (nothing else lost) and not again at the next wakes of the day; a
    firmware known to lack it is never asked."""
    camera = fake_camera[MAC]
    camera.firmware = "X5 custom build"
    camera.mip_supported = False
    await wake_up(hass, camera)
    assert fake_camera.apis[-1] == "get.mip.info"
    for _ in range(3):
        await wake_up(hass, camera)
    assert fake_camera.apis.count("get.mip.info") == 1

    camera.firmware = "V_31.1.0.3"
    state = init_integration.runtime_data.data
    state.settings_at = {}  # everything due again
    fake_camera.requests.clear()
    await wake_up(hass, camera)
    assert "get.login.info" in fake_camera.apis
    assert "get.mip.info" not in fake_camera.apis


async def test_clock_repair_sets_the_clock_in_its_zone(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    fake_camera: FakeCamera,
) -> None:
    """A camera two days behind (its heartbeats say so) in UTC+8: a fixable issue;
    the fix reads its time, writes set.time.info in its own format with manual
    sync and its zone kept, reads it back, and the issue goes; the next
    heartbeats agree."""
    camera = fake_camera[MAC]
    camera.clock_offset = -2 * DAY
    camera.settings["time.info"].update(
        {"timezone": "UTC+8", "zonename": "Asia/Shanghai"}
    )
    camera.zone_seconds = 8 * 3600
    await wake_up(hass, camera)
    issue = _issue(hass, "clock_off")
    assert issue is not None
    assert issue.translation_placeholders == {"name": "Garden camera", "days": "-2.0"}

    result = await _fix(hass, hass_client, f"clock_off_{MAC}")
    assert result["type"] == "create_entry", result
    assert _issue(hass, "clock_off") is None
    (write,) = fake_camera.sent("set.time.info")
    assert write["data"]["syncMode"] == 1
    assert write["data"]["timezone"] == "UTC+8"
    assert write["data"]["zonename"] == "Asia/Shanghai"
    assert "date" not in write["data"]
    assert abs(camera.clock_offset) < 5
    await wake_up(hass, camera)
    assert _issue(hass, "clock_off") is None


async def test_clock_repair_that_does_not_take_says_so(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    fake_camera: FakeCamera,
) -> None:
    """The camera answers OK but its clock stays wrong: the flow says so and the
    issue stays; a camera whose time does not read as a date is not set."""
    camera = fake_camera[MAC]
    camera.clock_offset = -3 * DAY
    await wake_up(hass, camera)
    original = camera.answer

    def ignore_time(
        api: str, data: dict[str, Any] | None = None
    ) -> dict[str, Any] | None:
        if api == "set.time.info":
            return {"code": 0}
        return original(api, data)

    camera.answer = ignore_time  # type: ignore[method-assign]
    result = await _fix(hass, hass_client, f"clock_off_{MAC}")
    assert (result["type"], result["reason"]) == ("abort", "clock_not_set")
    assert _issue(hass, "clock_off") is not None

    fake_camera.requests.clear()
    camera._date_time = lambda: {"date": "soon", "time": "now"}  # type: ignore[method-assign]
    result = await _fix(hass, hass_client, f"clock_off_{MAC}")
    assert (result["type"], result["reason"]) == ("abort", "clock_unreadable")
    assert fake_camera.sent("set.time.info") == []


async def test_wakes_without_pictures_point_at_the_cloud(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_camera: FakeCamera
) -> None:
    """Three wakes of its own sooner than its heartbeat interval (triggers) and no
    picture: a hint names what may take them; the next picture clears it. Wakes
    Home Assistant caused and a camera with pictures switched off count nothing."""
    camera = fake_camera[MAC]
    await wake_up(hass, camera)
    for _ in range(2):
        await wake_up(hass, camera)
    assert _issue(hass, "no_pictures") is None
    await wake_up(hass, camera)
    issue = _issue(hass, "no_pictures")
    assert issue is not None
    assert issue.translation_placeholders == {"name": "Garden camera", "wakes": "3"}
    assert _issue(hass, "reports_diverted") is None  # its settings show no cloud
    await fire(hass, SNAPSHOT_TOPIC, picture("here"))
    assert _issue(hass, "no_pictures") is None

    camera.settings["capture.info"]["snapshotEnable"] = 0
    await hass.services.async_call(
        "button",
        "press",
        {"entity_id": "button.garden_camera_refresh_settings"},
        blocking=True,
    )
    for _ in range(4):
        await wake_up(hass, camera)
    assert _issue(hass, "no_pictures") is None


async def test_heartbeat_of_our_wake_is_not_a_trigger(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_camera: FakeCamera
) -> None:
    """Heartbeats answering Home Assistant's wake are not counted."""
    camera = fake_camera[MAC]
    await wake_up(hass, camera)
    coordinator = init_integration.runtime_data
    for _ in range(4):
        camera.sleep()
        coordinator.data.last_seen = dt_util.utcnow() - timedelta(hours=1)
        fake_camera.wakes.clear()
        await coordinator.commands.async_wake()  # its heartbeat answers
        await hass.async_block_till_done()
        assert fake_camera.wakes == [MAC]
    assert coordinator.picture_watch.wakes == 0
    assert _issue(hass, "no_pictures") is None


async def test_wakes_without_pictures_count_within_a_day(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_camera: FakeCamera,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A camera with a three-day heartbeat that wakes by itself every 20 hours
    (alarms, a phone call): never three within a day, never an issue."""
    camera = fake_camera[MAC]
    camera.settings["capture.info"]["heartInterval"] = 72
    await wake_up(hass, camera)
    for _ in range(5):
        freezer.tick(timedelta(hours=20))
        await wake_up(hass, camera)
    assert init_integration.runtime_data.picture_watch.wakes == 1
    assert _issue(hass, "no_pictures") is None
