"""Battery days left: the state of charge's trend over the last days."""

from __future__ import annotations

import json

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.milesight_x5.api.outlook import DAY, add_sample, days_left

from .conftest import HEARTBEAT_TOPIC, MAC, FakeCamera, fire

DAYS_LEFT = "sensor.garden_camera_battery_days_left"


def _falling(
    per_day: float, start: float = 80.0, days: int = 4
) -> list[tuple[float, float]]:
    return [(d * DAY, start - per_day * d) for d in range(days + 1)]


def test_days_left_from_the_trend() -> None:
    """A steady fall of 2 %/day from 72 % now: 36 days; noise around the trend
    is averaged out; solar charging by day is netted (the trend of the charge)."""
    assert days_left(_falling(2.0)) == 36.0
    noisy = [
        (t, s + (1.5 if i % 2 else -1.5)) for i, (t, s) in enumerate(_falling(2.0))
    ]
    assert days_left(noisy) == pytest.approx(36.0, abs=3)
    # Down 6 % each night, up 4 % each day: a net 2 %/day, 66 % at the end: about
    # a month (the sawtooth sampled twice a day tilts the fit a little).
    solar = []
    for day in range(5):
        solar += [(day * DAY, 80 - 2 * day), ((day + 0.5) * DAY, 74 - 2 * day)]
    assert 25 < (days_left(solar) or 0) < 40


@pytest.mark.parametrize(
    ("samples", "why"),
    [
        ([], "no history"),
        ([(0.0, 80.0), (DAY, 79.0)], "two samples"),
        ([(0.0, 80.0), (0.5 * DAY, 79.0), (DAY, 78.0)], "a day only"),
        (_falling(0.1), "flat (0.1 %/day)"),
        (_falling(-1.0), "rising (solar keeps up)"),
    ],
)
def test_no_outlook(samples: list[tuple[float, float]], why: str) -> None:
    """Unknown without two days of history; none when the trend is flat or up."""
    assert days_left(samples) is None, why


def test_samples_hourly_within_a_week() -> None:
    """One sample per clock hour (the newest of the hour kept), nothing older than
    7 days. A camera waking every 20 minutes for 49 hours: one sample an hour,
    and an outlook."""
    samples: list[tuple[float, float]] = []
    samples = add_sample(samples, 0.0, 90.0)
    samples = add_sample(samples, 600.0, 89.0)  # the same hour: replaces
    assert samples == [(600.0, 89.0)]
    samples = add_sample(samples, 3600.0, 88.0)  # the next hour
    assert len(samples) == 2
    samples = add_sample(samples, 8 * DAY, 50.0)
    assert samples == [(8 * DAY, 50.0)]
    busy: list[tuple[float, float]] = []
    for step in range(3 * 49 + 1):  # every 20 min for 49 h, 1 %/day
        busy = add_sample(busy, step * 1200.0, 80 - step * 1200.0 / DAY)
    assert len(busy) == 50
    assert days_left(busy) == 78.0


async def test_sensor_follows_the_heartbeats(
    hass: HomeAssistant, init_integration: MockConfigEntry, fake_camera: FakeCamera
) -> None:
    """Heartbeats over days build the trend; the sensor shows it, kept across a
    restart; a heartbeat without a battery section adds nothing."""
    state = init_integration.runtime_data.data
    camera = fake_camera[MAC]
    await fire(hass, HEARTBEAT_TOPIC, json.dumps(camera.heartbeat()))
    assert hass.states.get(DAYS_LEFT).state == "unknown"  # one sample
    now = state.battery_log[-1][0]
    # Three days before, falling 3 %/day to the 91 % just reported.
    state.battery_log = [(now - d * DAY, 91 + 3 * d) for d in (3, 2, 1)] + [
        state.battery_log[-1]
    ]
    await fire(hass, HEARTBEAT_TOPIC, json.dumps(camera.heartbeat()))
    assert float(hass.states.get(DAYS_LEFT).state) == pytest.approx(30.3, abs=0.2)
    assert hass.states.get(DAYS_LEFT).attributes["unit_of_measurement"] == "d"
    bare = {"ts": camera.heartbeat()["ts"], "values": {"devMac": MAC}}
    before = list(state.battery_log)
    await fire(hass, HEARTBEAT_TOPIC, json.dumps(bare))
    assert state.battery_log == before
    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert init_integration.runtime_data.data.battery_log == before
