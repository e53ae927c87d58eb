"""The command path against cameras no kinder than the field (simulator habits).

Every camera variant the guide and the vendor's other software allow: 4G wake
latency, round trips, an awake window shorter than Home Assistant presumes, slow
acts, late and repeated answers, the picture before or after the heartbeat, a
wake answered by a heartbeat, USB-C power, silent reboots, validated sets. Each
act reaches its camera exactly once or ends with a clear outcome; nothing is left
waiting; the user's command goes first.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from homeassistant.const import ATTR_ENTITY_ID, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.milesight_x5.const import SETTINGS_COMMANDS
from simulator.runner import Habits

from .conftest import HEARTBEAT_TOPIC, MAC, make_entry
from .field import SCALE, FieldCamera, field_options
from .helpers import until

NOISE = "switch.garden_camera_noise_trigger"
STATUS = "sensor.garden_camera_command_status"
IMAGE = "image.garden_camera_snapshot"
FIELD = Habits.field()

# name: (habits, SimulatedCamera keywords)
VARIANTS: dict[str, tuple[Habits, dict[str, Any]]] = {
    "field": (FIELD, {}),
    "heartbeat_first": (Habits.field(picture_first=False), {}),
    "late_answers": (Habits.field(late_every=2, late_by=20), {}),
    "repeated_answers": (Habits.field(repeat_answers=True), {}),
    "wake_answers_awake": (Habits.field(wake_when_awake="heartbeat"), {}),
    "usb_power": (FIELD, {"external_power": True}),
    "picture_only": (FIELD, {"snapshot_answer": False}),
    "silent_reboot": (FIELD, {"reboot_answer": False}),
    "strict_sets": (FIELD, {"validate_sets": True, "set_replaces_objects": True}),
}
# An act may end "not confirmed" only where an answer can be lost to lateness.
UNCONFIRMED_OK = {"late_answers"}


@pytest.fixture
def mock_config_entry() -> MockConfigEntry:
    """The camera with the integration's default timing, scaled like the field."""
    return make_entry(options=field_options())


@pytest.fixture
def field(
    init_integration: MockConfigEntry,
    field_camera: Callable[..., FieldCamera],
    request: pytest.FixtureRequest,
) -> FieldCamera:
    """The variant's camera, asleep, never heard since setup."""
    habits, variant = VARIANTS[getattr(request, "param", "field")]
    return field_camera(habits.scaled(SCALE), **variant)


async def _call(hass: HomeAssistant, domain: str, service: str, **data: Any) -> None:
    await hass.services.async_call(domain, service, data, blocking=True)


async def _press(hass: HomeAssistant, key: str) -> None:
    await _call(
        hass, "button", "press", **{ATTR_ENTITY_ID: f"button.garden_camera_{key}"}
    )


async def _outcome(hass: HomeAssistant, action: Any) -> str:
    """'ok', or the translation key the user read."""
    try:
        await action
    except HomeAssistantError as err:
        return str(err.translation_key)
    return "ok"


async def _settle(hass: HomeAssistant, seconds: float) -> None:
    await asyncio.sleep(seconds)
    await hass.async_block_till_done(wait_background_tasks=True)


@pytest.mark.parametrize("field", list(VARIANTS), indirect=True)
async def test_every_act_once_on_every_camera(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    field: FieldCamera,
    request: pytest.FixtureRequest,
) -> None:
    """A picture, a nested write and a reboot on a camera asleep and never heard,
    then again once it slept after being heard (presumed awake, but its window is
    shorter): each act reached the camera once, the write holds, and the command
    path ends idle."""
    name = request.node.callspec.params["field"]
    allowed = {"ok"} | ({"not_confirmed"} if name in UNCONFIRMED_OK else set())
    camera = field.camera
    before = hass.states.get(IMAGE).state

    outcome = await _outcome(hass, _press(hass, "snapshot_now"))
    assert field.heard("cmd.snapshot") <= 1
    assert field.count("cmd.snapshot") == 1
    if outcome == "ok":
        assert hass.states.get(IMAGE).state != before
        assert camera.snapshots_taken >= 1

    # A nested write: the whole branch, the camera's other settings kept.
    thresholds = dict(
        camera.settings["capture.info"]["triggerConfig"]["sensorConditions"]
    )
    outcome = await _outcome(hass, _call(hass, "switch", "turn_on", entity_id=NOISE))
    assert outcome in {"ok", "command_timeout"}
    await _settle(hass, 1.5 * 0.75)  # a late answer lands
    conditions = camera.settings["capture.info"]["triggerConfig"]["sensorConditions"]
    assert conditions == {**thresholds, "lafDetect": 1}
    assert hass.states.get(NOISE).state == STATE_ON

    # It sleeps after its own window (0.3 s), while still presumed awake (0.5 s).
    await asyncio.sleep(FIELD.awake_window * SCALE + 0.05)
    reboots = camera.reboots
    outcome = await _outcome(hass, _press(hass, "restart"))
    assert outcome in allowed
    assert field.count("cmd.reboot") == 1
    assert camera.reboots == reboots + 1
    # Restarting until heard again; then nothing waits.
    await _settle(hass, (FIELD.reboot_seconds or 0) * SCALE + 0.5)
    # How the restart ended (went through, or sent and not confirmed): not waiting.
    assert hass.states.get(STATUS).state in ("done", "failed")
    assert init_integration.runtime_data.commands.mqtt.in_flight(MAC) is None


async def test_presumed_awake_but_asleep_costs_one_probe(
    hass: HomeAssistant, init_integration: MockConfigEntry, field: FieldCamera
) -> None:
    """Heard moments ago, but its window is over: the act is preceded by one probe
    (lost), one wake, and goes out once after the heartbeat (3 messages: the
    guide's 2, plus one)."""
    await _press(hass, "snapshot_now")
    while field.runner.up:  # noqa: ASYNC110 (a fake's state)
        await asyncio.sleep(0.01)
    await hass.async_block_till_done(wait_background_tasks=True)
    field.sent.clear()
    # Heard 0.2 s ago: presumed awake (0.5 s), not shown awake (0.1 s).
    state = init_integration.runtime_data.data
    state.last_seen = dt_util.utcnow() - timedelta(seconds=0.2)
    await _press(hass, "snapshot_now")
    assert field.whats[:3] == ["get.device.status", "wake", "cmd.snapshot"]
    assert field.count("cmd.snapshot") == 1


async def test_users_command_goes_first_after_the_heartbeat(
    hass: HomeAssistant, init_integration: MockConfigEntry, field: FieldCamera
) -> None:
    """Never heard: the wake alone (no probe with it); the heartbeat that answers
    it releases the user's command within 50 ms, before the first-contact read."""
    await _call(hass, "switch", "turn_on", entity_id=NOISE)
    assert field.whats[0] == "wake"
    assert "get.device.status" not in field.whats[:2]
    posted, first = field.first_after(HEARTBEAT_TOPIC)
    assert first.what == "get.capture.info"  # the user's read-modify-write
    assert first.at - posted < 0.05
    assert field.whats[2] == "set.capture.info"
    await _settle(hass, 0.1)


async def test_same_act_asked_twice_goes_once(
    hass: HomeAssistant, init_integration: MockConfigEntry, field: FieldCamera
) -> None:
    """Two automations ask for a picture during the same wake: one cmd.snapshot,
    one outcome for both."""
    commands = init_integration.runtime_data.commands
    first, second = await asyncio.gather(
        commands.async_command("cmd.snapshot"), commands.async_command("cmd.snapshot")
    )
    assert first == second
    assert field.count("cmd.snapshot") == 1
    assert field.camera.snapshots_taken == 1
    # A later request is a new act.
    await commands.async_command("cmd.snapshot")
    assert field.count("cmd.snapshot") == 2


async def test_a_sensor_picture_does_not_complete_the_snapshot(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    field_camera: Callable[..., FieldCamera],
) -> None:
    """No answer to cmd.snapshot, and a PIR capture arrives while its picture is
    being taken: the action waits for its own (manual) picture."""
    field = field_camera(FIELD.scaled(SCALE), snapshot_answer=False)
    commands = init_integration.runtime_data.commands
    task = hass.async_create_task(commands.async_command("cmd.snapshot"))
    while not field.count("cmd.snapshot"):  # noqa: ASYNC110 (a fake's state)
        await asyncio.sleep(0.01)
    field.runner.post_capture("PIR", "")
    await asyncio.sleep(0.05)
    assert not task.done()
    await task
    # Its own picture came (kept). Which one is shown is by the times taken: the
    # manual one was taken at the request, before the PIR one (shown when their
    # camera times fall in different seconds).
    kept = init_integration.runtime_data.history.newest_first()
    assert [p.trigger.value for p in kept if p.trigger.value in ("manual", "pir")] in (
        ["manual", "pir"],
        ["pir", "manual"],
    )


async def test_firmware_install_in_progress_until_reported(
    hass: HomeAssistant, init_integration: MockConfigEntry, field: FieldCamera
) -> None:
    """The install downloads, restarts and boots the new firmware: the update is in
    progress meanwhile (a second install is refused, nothing sent), and done when
    the camera reports the new version; it is not offered again."""
    firmware = "update.garden_camera_firmware"
    await _press(hass, "check_for_firmware_update")
    await hass.async_block_till_done(wait_background_tasks=True)
    # What its short awake window cut from the first-contact read, the next wake
    # finishes.
    field.runner.wake_by_itself(("Timed", ""))
    await _settle(hass, FIELD.wake_latency * SCALE + 0.3)
    state = hass.states.get(firmware)
    assert state.state == STATE_ON
    assert state.attributes["latest_version"] == "V_31.1.0.4"
    # Installed once it slept again (pressed the moment it falls asleep, the act is
    # lost to its window and ends "not confirmed": a race this test is not about).
    await until(lambda: not field.camera.awake)
    # The check pressed for this wake is not asked again by the first-contact read.
    assert field.count("upgrade.check") == 1
    await _call(hass, "update", "install", entity_id=firmware)
    assert hass.states.get(firmware).attributes["in_progress"] is True
    sent = len(field.sent)
    with pytest.raises(HomeAssistantError):
        await _call(hass, "update", "install", entity_id=firmware)
    assert len(field.sent) == sent
    assert field.count("upgrade.online") == 1
    # Download, restart, boot: the heartbeat, then the version read.
    wait = ((FIELD.install_seconds or 0) + (FIELD.reboot_seconds or 0)) * SCALE
    await _settle(hass, wait + 0.5)
    state = hass.states.get(firmware)
    assert state.attributes["installed_version"] == "V_31.1.0.4"
    assert state.attributes["in_progress"] is False
    assert state.state != STATE_ON
    assert field.count("upgrade.online") == 1


async def test_no_user_action_costs_nothing_but_first_contact(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    field_camera: Callable[..., FieldCamera],
) -> None:
    """Thirty trigger wakes and no user action: each setting read once at first
    contact (what the camera's sleep cut short is read at its next wake), the
    firmware check asked once (answered or not: at most daily), no wake, then
    nothing per wake."""
    field = field_camera(FIELD.scaled(SCALE / 10))
    reads = [*SETTINGS_COMMANDS, "upgrade.check"]
    for wake in range(30):
        field.runner.wake_by_itself(("PIR", ""))
        await _settle(hass, FIELD.awake_window * SCALE / 10 + 0.05)
        if wake == 9:
            after_ten = len(field.sent)
    assert "wake" not in field.whats
    assert [field.heard(api) for api in SETTINGS_COMMANDS] == [1] * 5
    assert field.count("upgrade.check") == 1
    assert sorted(set(field.whats)) == sorted(reads)
    assert len(field.sent) == after_ten  # twenty wakes: nothing


async def test_nothing_is_published_after_unload(
    hass: HomeAssistant, init_integration: MockConfigEntry, field: FieldCamera
) -> None:
    """Unloaded while a command waits for the wake: the action ends with a reason
    and nothing more goes to the camera."""
    task = hass.async_create_task(
        _outcome(hass, _call(hass, "switch", "turn_on", entity_id=NOISE))
    )
    while not field.sent:  # noqa: ASYNC110 (a fake's state)
        await asyncio.sleep(0.01)
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    assert await task == "camera_unloaded"
    count = len(field.sent)
    await asyncio.sleep(1)
    assert len(field.sent) == count


async def test_unload_while_an_act_waits_is_translated(
    hass: HomeAssistant, init_integration: MockConfigEntry, field: FieldCamera
) -> None:
    """A picture waits for the camera's wake when it is unloaded: the action ends
    with the translated reason (the act was never sent)."""
    task = hass.async_create_task(_outcome(hass, _press(hass, "snapshot_now")))
    while not field.sent:  # noqa: ASYNC110 (a fake's state)
        await asyncio.sleep(0.01)
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    assert await task == "camera_unloaded"
    assert field.count("cmd.snapshot") == 0


async def test_wake_survives_a_broker_reconnect(
    hass: HomeAssistant, init_integration: MockConfigEntry, field: FieldCamera
) -> None:
    """The broker is away when the wake is to go out and back 0.3 s later: the
    wake goes then and the command is done (not failed)."""
    field.broker_down = True
    task = hass.async_create_task(
        _outcome(hass, _call(hass, "switch", "turn_on", entity_id=NOISE))
    )
    await asyncio.sleep(0.3)
    assert field.sent == []
    field.broker_down = False
    assert await task == "ok"
    assert field.whats[0] == "wake"
    await _settle(hass, 0.1)


async def test_overlapping_writes_to_one_setting(
    hass: HomeAssistant, init_integration: MockConfigEntry, field: FieldCamera
) -> None:
    """Two changes of one setting while the camera is woken: the second value shows
    until it is written (the first write does not drop it), and the camera ends
    with it."""
    from custom_components.milesight_x5.number import NUMBERS

    description = next(d for d in NUMBERS if d.key == "noise_threshold_min")
    commands = init_integration.runtime_data.commands
    key, setting = description.key, description.setting
    first = hass.async_create_task(commands.async_set(key, setting, 70, 70))
    await asyncio.sleep(0)
    second = hass.async_create_task(commands.async_set(key, setting, 80, 80))
    await asyncio.sleep(0)
    state = init_integration.runtime_data.data
    await first
    assert state.pending[key] == 80
    await second
    assert key not in state.pending
    conditions = field.camera.settings["capture.info"]["triggerConfig"]
    assert conditions["sensorConditions"]["lafThre"] == 80


async def test_cloud_takeover_seen_and_turned_off_on_a_field_camera(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    field_camera: Callable[..., FieldCamera],
    hass_client: ClientSessionGenerator,
) -> None:
    """A camera whose pictures go to Milesight's cloud (device management on, as
    the guide's defaults have it): its first-contact read shows it (a fixable
    repair); it wakes for triggers and its pictures never come (a hint); the fix
    turns takeover off at its next wake, and the next trigger's picture arrives."""
    field = field_camera(FIELD.scaled(SCALE), takeover=True)
    field.camera.firmware = "V_31.1.0.4"  # with get.mip.info
    registry = ir.async_get(hass)
    for _ in range(4):
        field.runner.wake_by_itself(("PIR", ""))
        await _settle(hass, FIELD.wake_latency * SCALE + FIELD.awake_window * SCALE)
    assert field.camera.cloud_uploads
    assert hass.states.get(IMAGE).state == "unknown"
    diverted = registry.async_get_issue("milesight_x5", f"reports_diverted_{MAC}")
    assert diverted is not None
    assert diverted.translation_key == "reports_diverted_takeover"
    # The fixable issue says where they go; no second, vaguer hint.
    assert registry.async_get_issue("milesight_x5", f"no_pictures_{MAC}") is None

    assert await async_setup_component(hass, "repairs", {})
    client = await hass_client()
    resp = await client.post(
        "/api/repairs/issues/fix",
        json={"handler": "milesight_x5", "issue_id": f"reports_diverted_{MAC}"},
    )
    flow = await resp.json()
    resp = await client.post(f"/api/repairs/issues/fix/{flow['flow_id']}", json={})
    assert (await resp.json())["type"] == "create_entry"
    assert not field.camera.pictures_to_cloud
    field.runner.wake_by_itself(("PIR", ""))
    await _settle(hass, FIELD.wake_latency * SCALE + FIELD.awake_window * SCALE)
    assert hass.states.get(IMAGE).state != "unknown"
    assert registry.async_get_issue("milesight_x5", f"no_pictures_{MAC}") is None
    assert registry.async_get_issue("milesight_x5", f"reports_diverted_{MAC}") is None
