"""The blueprints of blueprints/automation/milesight_x5, loaded and run in Home Assistant."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from unittest.mock import ANY
from urllib.parse import quote

from awesomeversion import AwesomeVersion
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import automation
from homeassistant.components.blueprint import models, schemas
from homeassistant.const import __version__ as ha_version
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.setup import async_setup_component
from homeassistant.util import yaml as yaml_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_mqtt_message,
)
from pytest_homeassistant_custom_component.typing import MqttMockHAClient

from custom_components.milesight_x5.const import DOMAIN, EVENT_CAPTURE

from .conftest import ALARM_TOPIC, MAC, SNAPSHOT_TOPIC, camera_device, fire, make_entry
from .helpers import payload, use_blueprint

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "blueprints" / "automation" / DOMAIN
BLUEPRINTS = sorted(path.name for path in FOLDER.glob("*.yaml"))
REPOSITORY = "https://github.com/milesight-x5-ha/milesight_x5"

# 13:00 in Berlin.
pytestmark = pytest.mark.freeze_time("2026-11-25 12:00:00+00:00")

PIR_PICTURE = payload("snapshot.json", snapType="PIR", triggerValue="")
NOISE_PICTURE = payload("snapshot.json", time=1682336800)
TIMED_PICTURE = payload("snapshot.json", snapType="Timer", time=1682336900)
LOW_POWER = payload("alarm.json", MAC)


# AI Task (and its local attachments) came with Home Assistant 2025.8.
MIN_VERSION = {"ai_capture_description.yaml": "2025.8.0"}


def test_there_are_the_blueprints() -> None:
    """Capture and alarm notifications, the fleet's health, AI descriptions."""
    assert BLUEPRINTS == [
        "ai_capture_description.yaml",
        "alarm_notification.yaml",
        "capture_notification.yaml",
        "fleet_battery_low.yaml",
        "fleet_data_budget.yaml",
        "fleet_unreachable.yaml",
    ]


@pytest.mark.parametrize("name", BLUEPRINTS)
def test_blueprint_is_valid(name: str) -> None:
    """Home Assistant's blueprint schema takes it; every input is used; it runs on
    the oldest Home Assistant the integration supports; re-import finds it."""
    data = yaml_util.load_yaml(FOLDER / name)
    blueprint = models.Blueprint(
        data, expected_domain=automation.DOMAIN, schema=schemas.BLUEPRINT_SCHEMA
    )
    minimum = MIN_VERSION.get(name, "2025.4.0")
    if AwesomeVersion(ha_version) >= AwesomeVersion(minimum):
        assert blueprint.validate() is None
    else:  # the AI one on the pinned Home Assistant: refused, saying why
        assert blueprint.validate() == [f"Requires at least Home Assistant {minimum}"]
    assert yaml_util.extract_inputs(data) == set(blueprint.inputs)
    assert blueprint.metadata["source_url"] == (
        f"{REPOSITORY}/blob/main/blueprints/automation/{DOMAIN}/{name}"
    )
    assert blueprint.metadata["homeassistant"]["min_version"] == minimum
    # The automation schema takes it once its inputs are given.
    assert automation.config.AUTOMATION_BLUEPRINT_SCHEMA(data)


@pytest.mark.parametrize("name", BLUEPRINTS)
def test_readme_links_import(name: str) -> None:
    """The README has the My Home Assistant import link of each blueprint."""
    raw = (
        "https://raw.githubusercontent.com/milesight-x5-ha/milesight_x5/main/"
        f"blueprints/automation/{DOMAIN}/{name}"
    )
    link = (
        "https://my.home-assistant.io/redirect/blueprint_import/?blueprint_url="
        + quote(raw, safe="")
    )
    assert link in (ROOT / "README.md").read_text()


def _sent(notifications: list[ServiceCall]) -> list[dict[str, Any]]:
    return [dict(call.data) for call in notifications]


@pytest.mark.usefixtures("blueprints_dir")
async def test_capture_notifies_once_for_a_live_picture(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    notifications: list[ServiceCall],
) -> None:
    """Each live picture of a chosen trigger notifies once; others, a broker's replay
    and a reload notify nothing."""
    device = camera_device(hass, init_integration.entry_id)
    await use_blueprint(
        hass, "capture_notification.yaml", camera=device.id, triggers=["pir", "noise"]
    )
    await fire(hass, SNAPSHOT_TOPIC, PIR_PICTURE)
    assert _sent(notifications) == [
        {"title": "Garden camera", "message": "PIR capture", "data": {"image": ANY}}
    ]
    # This picture, from the history, at a signed URL a phone can fetch.
    image = notifications[0].data["data"]["image"]
    assert image.startswith("/api/milesight_x5/history/")
    assert "-pir.jpg?authSig=" in image
    await fire(hass, SNAPSHOT_TOPIC, TIMED_PICTURE)  # not chosen
    async_fire_mqtt_message(hass, SNAPSHOT_TOPIC, NOISE_PICTURE, retain=True)
    await hass.async_block_till_done()
    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert len(notifications) == 1
    await fire(hass, SNAPSHOT_TOPIC, payload("snapshot.json", time=1682337000))
    assert _sent(notifications)[1] == {
        "title": "Garden camera",
        "message": "Noise capture: 51 dBA",
        "data": {"image": ANY},
    }


@pytest.mark.usefixtures("blueprints_dir")
async def test_capture_after_a_restart_notifies_nothing(
    hass: HomeAssistant,
    mqtt_mock: MqttMockHAClient,
    hass_storage: dict[str, Any],
    notifications: list[ServiceCall],
) -> None:
    """Home Assistant starts with a picture stored and the broker replays it: the
    automation, already running, sends nothing."""
    hass_storage[f"{DOMAIN}.{MAC}"] = {
        "version": 1,
        "minor_version": 1,
        "key": f"{DOMAIN}.{MAC}",
        "data": {"raw": {"snapshot": {"values": {"devMac": MAC, "snapType": "PIR"}}}},
    }
    entry = make_entry()
    entry.add_to_hass(hass)
    from homeassistant.helpers import device_registry as dr

    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id, identifiers={(DOMAIN, MAC)}
    )
    await use_blueprint(hass, "capture_notification.yaml", camera=device.id)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    async_fire_mqtt_message(hass, SNAPSHOT_TOPIC, PIR_PICTURE, retain=True)
    await hass.async_block_till_done()
    assert notifications == []
    await fire(hass, SNAPSHOT_TOPIC, PIR_PICTURE)
    assert len(notifications) == 1


@pytest.mark.usefixtures("blueprints_dir")
async def test_capture_attaches_the_picture(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    notifications: list[ServiceCall],
) -> None:
    """A capture that carries its picture's URL path sends it as the image."""
    device = camera_device(hass, init_integration.entry_id)
    await use_blueprint(hass, "capture_notification.yaml", camera=device.id)
    path = "/api/milesight_x5/picture/1CC3164126A2/1.jpg?authSig=abc"
    hass.bus.async_fire(
        EVENT_CAPTURE,
        {"device_id": device.id, "type": "radar", "picture_url": path},
    )
    await hass.async_block_till_done()
    assert _sent(notifications) == [
        {"title": "Garden camera", "message": "Radar capture", "data": {"image": path}}
    ]


@pytest.mark.usefixtures("blueprints_dir")
@pytest.mark.parametrize(
    ("start", "end", "local_time", "sent"),
    [
        ("22:00:00", "07:00:00", "23:30", False),  # quiet over midnight
        ("22:00:00", "07:00:00", "06:59", False),
        ("22:00:00", "07:00:00", "07:00", True),
        ("22:00:00", "07:00:00", "13:00", True),
        ("12:00:00", "14:00:00", "13:00", False),  # quiet in the day
        ("12:00:00", "14:00:00", "14:30", True),
        ("00:00:00", "00:00:00", "03:00", True),  # the default: never quiet
    ],
)
async def test_capture_quiet_hours(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    notifications: list[ServiceCall],
    freezer: FrozenDateTimeFactory,
    start: str,
    end: str,
    local_time: str,
    sent: bool,
) -> None:
    """Nothing is sent during the quiet hours, which may span midnight."""
    device = camera_device(hass, init_integration.entry_id)
    await use_blueprint(
        hass,
        "capture_notification.yaml",
        camera=device.id,
        quiet_start=start,
        quiet_end=end,
    )
    hours, minutes = local_time.split(":")
    freezer.move_to(f"2026-11-25 {hours}:{minutes}:00+01:00")
    await fire(hass, SNAPSHOT_TOPIC, PIR_PICTURE)
    assert len(notifications) == (1 if sent else 0)


@pytest.mark.usefixtures("blueprints_dir")
async def test_alarm_notifies_the_chosen_alarms(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    notifications: list[ServiceCall],
) -> None:
    """A chosen alarm notifies once with the camera's words; another does not; a
    broker's replay and a reload notify nothing."""
    device = camera_device(hass, init_integration.entry_id)
    await use_blueprint(
        hass, "alarm_notification.yaml", camera=device.id, alarms=["low_power"]
    )
    await fire(hass, ALARM_TOPIC, LOW_POWER)
    await fire(hass, ALARM_TOPIC, payload("alarm.json", MAC, alarm="SD card full"))
    async_fire_mqtt_message(hass, ALARM_TOPIC, LOW_POWER, retain=True)
    await hass.async_block_till_done()
    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert _sent(notifications) == [
        {"title": "Garden camera", "message": "Low power alarm: Low power"}
    ]


@pytest.mark.usefixtures("blueprints_dir")
async def test_alarm_defaults_to_every_alarm(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    notifications: list[ServiceCall],
) -> None:
    """Left as it comes, every alarm notifies, the camera's name as the title."""
    device = camera_device(hass, init_integration.entry_id)
    from homeassistant.helpers import device_registry as dr

    dr.async_get(hass).async_update_device(device.id, name_by_user="Gate")
    await use_blueprint(hass, "alarm_notification.yaml", camera=device.id)
    await fire(hass, ALARM_TOPIC, payload("alarm.json", MAC, alarm="SD card full"))
    await fire(hass, ALARM_TOPIC, payload("alarm.json", MAC, alarm=""))
    assert _sent(notifications) == [
        {"title": "Gate", "message": "Storage alarm: SD card full"},
        {"title": "Gate", "message": "Other alarm"},
    ]


@pytest.mark.usefixtures("blueprints_dir")
@pytest.mark.parametrize(
    ("blueprint", "message"),
    [("capture_notification.yaml", PIR_PICTURE), ("alarm_notification.yaml", None)],
)
async def test_default_action_exists_wherever_notify_is_set_up(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    blueprint: str,
    message: str | None,
) -> None:
    """Left at its default, the notify action is notify.persistent_notification,
    which Home Assistant's notify sets up everywhere (the Companion app loads it):
    a capture or an alarm shows in Home Assistant's notifications, nothing fails."""
    from homeassistant.components import persistent_notification as pn

    assert await async_setup_component(hass, "notify", {})
    device = camera_device(hass, init_integration.entry_id)
    await use_blueprint(hass, blueprint, default_action=True, camera=device.id)
    if message is None:
        await fire(hass, ALARM_TOPIC, LOW_POWER)
    else:
        await fire(hass, SNAPSHOT_TOPIC, message)
    await hass.async_block_till_done()
    shown = pn._async_get_or_create_notifications(hass)
    assert [n["title"] for n in shown.values()] == ["Garden camera"]
