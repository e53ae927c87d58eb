"""The fleet health blueprints, run in Home Assistant on a camera's real entities."""

from __future__ import annotations

from datetime import timedelta
import json
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant, ServiceCall
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.milesight_x5.const import DOMAIN

from .conftest import HEARTBEAT_TOPIC, MAC, FakeCamera, fire
from .helpers import use_blueprint

FOLDER = Path(__file__).resolve().parent.parent / "blueprints" / "automation" / DOMAIN
BATTERY = "sensor.garden_camera_battery"
CONNECTIVITY = "binary_sensor.garden_camera_connectivity"
DATA = "sensor.garden_camera_data_used_this_month"


pytestmark = pytest.mark.usefixtures("blueprints_dir")


async def _heartbeat(hass: HomeAssistant, camera: Any) -> None:
    await fire(hass, HEARTBEAT_TOPIC, json.dumps(camera.heartbeat()))


def _messages(notifications: list[ServiceCall]) -> list[tuple[str, str]]:
    return [(call.data["title"], call.data["message"]) for call in notifications]


async def test_battery_low_once_per_crossing(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_camera: FakeCamera,
    notifications: list[ServiceCall],
) -> None:
    """Below 20 %: one notification; more low heartbeats: none; charged above
    and low again: one more."""
    camera = fake_camera[MAC]
    await _heartbeat(hass, camera)  # 91 %
    await use_blueprint(
        hass, "fleet_battery_low.yaml", batteries=[BATTERY], threshold=20
    )
    for soc in (18, 17, 16):
        camera.battery = soc
        await _heartbeat(hass, camera)
    assert _messages(notifications) == [("Garden camera", "Battery low: 18 %")]
    for soc in (60, 12):
        camera.battery = soc
        await _heartbeat(hass, camera)
    assert _messages(notifications)[1:] == [("Garden camera", "Battery low: 12 %")]


async def test_unreachable_for_a_while_and_back(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_camera: FakeCamera,
    notifications: list[ServiceCall],
    freezer: FrozenDateTimeFactory,
) -> None:
    """Unreachable (the watchdog) for an hour: one notification; heard again: one
    more. Unreachable for less than the wait: neither."""
    camera = fake_camera[MAC]
    await _heartbeat(hass, camera)
    await use_blueprint(
        hass,
        "fleet_unreachable.yaml",
        connectivity=[CONNECTIVITY],
        duration={"hours": 1},
    )
    # Silence past the watchdog (the guide's 24 h heartbeat: 2 x 24 h + 10 min).
    await hass.async_block_till_done(wait_background_tasks=True)  # the first read
    camera.sleep()  # and then it sleeps: nothing heard until its next heartbeat
    freezer.tick(timedelta(hours=48, minutes=11))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert hass.states.get(CONNECTIVITY).state == "off"
    assert notifications == []
    freezer.tick(timedelta(hours=1, seconds=1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert len(notifications) == 1
    assert notifications[0].data["message"].startswith("Unreachable since ")
    camera.awake = True
    await _heartbeat(hass, camera)
    assert _messages(notifications)[1] == ("Garden camera", "Heard from again")
    await hass.async_block_till_done(wait_background_tasks=True)
    camera.sleep()
    # A short absence: nothing either way.
    freezer.tick(timedelta(hours=48, minutes=11))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    await _heartbeat(hass, camera)
    assert len(notifications) == 2


async def test_data_above_the_budget_once(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    fake_camera: FakeCamera,
    notifications: list[ServiceCall],
) -> None:
    """Above 100 MB this month: one notification, in the sensor's unit; more data
    the same month: none."""
    camera = fake_camera[MAC]
    camera.data_monthly = 50_000_000
    await _heartbeat(hass, camera)
    assert hass.states.get(DATA).attributes["unit_of_measurement"] == "MB"
    await use_blueprint(hass, "fleet_data_budget.yaml", data_used=[DATA], budget=100)
    for used in (120_000_000, 130_000_000):
        camera.data_monthly = used
        await _heartbeat(hass, camera)
    assert _messages(notifications) == [
        ("Garden camera", "Data this month: 120.0 MB, above the budget")
    ]
