"""What the camera pays, per action and per day: at most the guide's minimum + 1.

The cases of benchmarks/camera_traffic.py (which prints them as a table): a field
camera (tests/field.py) in each state, one user action, every message Home
Assistant sent it counted.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from benchmarks.camera_traffic import ACTIONS, STATES, minimum, record
from custom_components.milesight_x5.const import SETTINGS_COMMANDS
from simulator.runner import Habits

from .conftest import make_entry
from .field import SCALE, FieldCamera, field_options
from .helpers import until

FIELD = Habits.field()
DAY_SCALE = SCALE / 10  # a day of a hundred wakes, fast


async def _call(hass: HomeAssistant, domain: str, service: str, **data: Any) -> Any:
    return await hass.services.async_call(
        domain,
        service,
        data,
        blocking=True,
        return_response=service == "send_command",
    )


ACT: dict[str, Callable[[HomeAssistant], Awaitable[Any]]] = {
    "snapshot": lambda h: _call(
        h, "button", "press", entity_id="button.garden_camera_snapshot_now"
    ),
    "reboot": lambda h: _call(
        h, "button", "press", entity_id="button.garden_camera_restart"
    ),
    "wake": lambda h: _call(
        h, "button", "press", entity_id="button.garden_camera_wake"
    ),
    "switch": lambda h: _call(
        h, "switch", "turn_on", entity_id="switch.garden_camera_noise_trigger"
    ),
    "number": lambda h: _call(
        h,
        "number",
        "set_value",
        entity_id="number.garden_camera_min_noise",
        value=75,
    ),
    "select": lambda h: _call(
        h,
        "select",
        "select_option",
        entity_id="select.garden_camera_day_night_mode",
        option="night",
    ),
    "install": lambda h: _call(
        h, "update", "install", entity_id="update.garden_camera_firmware"
    ),
    "send_command": lambda h: _call(
        h,
        "milesight_x5",
        "send_command",
        entity_id="camera.garden_camera",
        command="get.sys.info",
    ),
}
ASLEEP = {"asleep", "asleep_due", "never_heard", "presumed"}
# What each action sends last: what follows it is background reading.
COMMAND = {
    "snapshot": "cmd.snapshot",
    "reboot": "cmd.reboot",
    "wake": "wake",
    "switch": "set.capture.info",
    "number": "set.capture.info",
    "select": "set.image.info",
    "install": "upgrade.online",
    "send_command": "get.sys.info",
}
CASES = [
    (state, action)
    for state in STATES
    for action in ACTIONS
    if not (state == "never_heard" and action == "install")  # nothing offered yet
]


@pytest.fixture
def mock_config_entry() -> MockConfigEntry:
    """The camera with the integration's default timing, scaled like the field."""
    return make_entry(options=field_options())


async def _known(
    hass: HomeAssistant, entry: MockConfigEntry, field: FieldCamera
) -> None:
    """The camera woke by itself and its settings were read (first contact)."""
    state = entry.runtime_data.data
    for _ in range(6):  # a short awake window may cut the first read short
        field.runner.wake_by_itself(("Timed", ""))
        await asyncio.sleep(FIELD.wake_latency * SCALE + 0.05)
        await hass.async_block_till_done(wait_background_tasks=True)
        if all(state.fresh(n, timedelta(days=1)) for n in SETTINGS_COMMANDS) and (
            "upgrade.check" in state.settings
        ):
            return
    raise AssertionError(f"settings not read: {field.runner.log}")


async def _prepare(
    hass: HomeAssistant, entry: MockConfigEntry, field: FieldCamera, name: str
) -> None:
    state = entry.runtime_data.data
    if name == "never_heard":
        return
    await _known(hass, entry, field)
    if name == "awake":
        seen = state.heartbeat_at
        field.runner.wake_by_itself(("Timed", ""))
        await until(lambda: state.heartbeat_at != seen)
        return
    if name != "usb_power":
        await until(lambda: not field.runner.up)
    if name == "presumed":  # heard 2 s ago (field time): presumed, not shown awake
        state.last_seen = dt_util.utcnow() - timedelta(seconds=2 * SCALE * 2)
        return
    state.last_seen = dt_util.utcnow() - timedelta(hours=1)
    if name == "asleep_due":
        for read in list(state.settings_at):
            state.settings_at[read] -= timedelta(hours=25)


def _own_time(name: str, action: str, messages: int) -> float:
    """The camera's own part of the time (field seconds): its wake, the round trips
    of the guide's minimum, the picture being taken."""
    if action == "wake":
        return 0.0
    seconds = FIELD.wake_latency if name in ASLEEP else 0.0
    seconds += FIELD.rtt * (minimum(name, action) - (1 if name in ASLEEP else 0))
    if action == "snapshot":
        seconds += FIELD.act_seconds
    return seconds


@pytest.fixture
def field(
    init_integration: MockConfigEntry,
    field_camera: Callable[..., FieldCamera],
    request: pytest.FixtureRequest,
) -> FieldCamera:
    """The field camera of the case (on USB-C power for that state)."""
    usb = request.node.callspec.params["case"][0] == "usb_power"
    return field_camera(FIELD.scaled(SCALE), external_power=usb)


@pytest.mark.parametrize("case", CASES, ids=[f"{s}-{a}" for s, a in CASES])
async def test_messages_per_action(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    field: FieldCamera,
    case: tuple[str, str],
) -> None:
    """One user action in one camera state: at most the guide's minimum + 1
    messages, an act done once, and nothing read before the user's command."""
    name, action = case
    await _prepare(hass, init_integration, field, name)
    loop = asyncio.get_running_loop()
    before = len(field.sent)
    acts = {api: field.heard(api) for api in ("cmd.snapshot", "cmd.reboot")}
    start = loop.time()
    await ACT[action](hass)
    seconds = (loop.time() - start) / SCALE
    await asyncio.sleep(0.3)
    await hass.async_block_till_done(wait_background_tasks=True)
    sent = field.sent[before:]
    last = max(i for i, one in enumerate(sent) if one.what == COMMAND[action])
    own, background = sent[: last + 1], len(sent) - last - 1
    result = {
        "state": name,
        "action": action,
        "messages": len(own),
        "whats": " ".join(sent.what for sent in own),
        "bytes": sum(sent.size for sent in own),
        "minimum": minimum(name, action),
        "background": background,
        "seconds": seconds,
        "added": max(seconds - _own_time(name, action, len(own)), 0.0),
    }
    record(result)
    assert len(own) <= minimum(name, action) + 1, result
    for api, count in acts.items():
        assert field.heard(api) - count <= 1
    if name != "asleep_due":
        assert background <= (6 if name == "never_heard" else 0), result


async def test_a_simulated_day(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    field_camera: Callable[..., FieldCamera],
) -> None:
    """A hundred trigger wakes and three user actions on a known camera whose
    settings are due once: the daily read, and each action's wake and command."""
    hass.config_entries.async_update_entry(
        init_integration, options=field_options(DAY_SCALE)
    )
    await hass.async_block_till_done()
    await _day(hass, init_integration, field_camera(FIELD.scaled(DAY_SCALE)))


async def _day(hass: HomeAssistant, entry: MockConfigEntry, field: FieldCamera) -> None:
    awake = FIELD.wake_latency * DAY_SCALE + FIELD.awake_window * DAY_SCALE
    for _ in range(3):  # known: first contact done
        field.runner.wake_by_itself(("Timed", ""))
        await asyncio.sleep(awake + 0.02)
        await hass.async_block_till_done(wait_background_tasks=True)
    state = entry.runtime_data.data
    for read in list(state.settings_at):
        state.settings_at[read] -= timedelta(hours=25)
    entry.runtime_data.settings_reader._upgrade_asked = None  # a day ago
    field.sent.clear()
    actions = {20: "switch", 50: "snapshot", 80: "select"}
    for wake in range(100):
        field.runner.wake_by_itself(("PIR", ""))
        await asyncio.sleep(awake + 0.02)
        await hass.async_block_till_done(wait_background_tasks=True)
        if wake in actions:
            await until(lambda: not field.runner.up)
            state.last_seen = dt_util.utcnow() - timedelta(hours=1)
            await ACT[actions[wake]](hass)
    daily_read = len(SETTINGS_COMMANDS) + 1
    user_minimum = sum(minimum("asleep", action) for action in actions.values())
    result = {
        "kind": "day",
        "wakes": 100,
        "actions": len(actions),
        "messages": len(field.sent),
        "minimum": daily_read + user_minimum,
        "wake_messages": field.count("wake"),
    }
    record(result)
    # Cut short by the short awake window, a read goes again at the next wake.
    assert len(field.sent) <= daily_read + user_minimum + len(actions) + 3, result
    assert field.count("wake") == len(actions)
