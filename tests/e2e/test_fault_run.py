"""A fault run on a real mosquitto: three cameras, the broker restarted, a reload.

Three simulated cameras with the field's habits (:meth:`Habits.field`), each a
config entry of its own and a :class:`SimulatorHub` of its own (habits are per
hub), on the session's mosquitto with Home Assistant's real MQTT client:

- *Garden*: the field's camera as it is;
- *Barn*: every third answer late by more than the answer timeout, every answer
  repeated (a QoS 1 duplicate);
- *Shed*: ``cmd.reboot`` unanswered (it restarts at once) and a wake reaching it
  awake answered by a heartbeat.

**Scaled by** :data:`SCALE` (0.1) so the run fits CI: the habits
(``Habits.field(...).scaled(0.1)``: 0.8 s wake, 0.08 s round trip, 0.6 s awake
window, 0.5 s picture, 3 s silent reboot, 6 s download), the integration's
timing options (awake window 1 s, wake timeout 12 s, answer timeout 1.5 s, from
10/120/15) and Home Assistant's MQTT reconnect interval (1 s, from 10). The field's
"broker restarted every ~60 s" becomes every ~13 s (stopped for 0.3-1.5 s) over
a chaos phase of :data:`RUN_SECONDS` (75 s); the cameras also wake by themselves
every 4-6 s (their hub's interval).

Seeded random user actions (:data:`SEED`, ``X5_FAULT_SEED`` to change it), one at
a time per camera, the three cameras at once: the buttons (picture, restart,
format, wake), the snapshot and send_command actions, a firmware install, switches,
numbers, selects, and the same picture asked twice at once. Twice a config entry is
reloaded while one of its commands waits for the camera's wake (an act on Garden,
a write on Barn).

What must hold:

- every act the user asked for reached its camera at most once (what the camera
  *received*, from the simulator's own record), and was done by it if the user was
  told it was; nothing else sent an act;
- no act reached a camera that was not up (waking, restarting) or that had shown
  no sign of life for longer than the integration's own awake window (1 s). An act
  lost to a camera asleep sooner than that is the field's race (its window ended
  between the evidence and the act): counted in the summary, not failed;
- every failed action is a :class:`HomeAssistantError` of the integration with a
  translation key of its ``strings.json`` (nothing untranslated, no cancellation);
  the actions waiting through a reload end ``camera_unloaded`` (or done, if done
  first);
- after a quiet period every command status sensor is ``idle`` and no request is
  in flight;
- the integration's asyncio tasks and Home Assistant's MQTT subscriptions are back
  where they were after warm-up (Home Assistant's own tasks within
  :data:`HA_TASK_TOLERANCE`);
- nothing logged at ERROR by the integration, no "Task exception was never
  retrieved".

Every problem is listed at the end, with the camera's own log around it; the whole
run (the cameras' logs, the user's actions, the restarts, what was logged) is
written to ``fault_run_timeline.txt`` in the test's tmp_path. ``X5_FAULT_TRACE=1``
adds the integration's and Home Assistant's MQTT debug logs to it.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass, field
import json
import logging
import os
from pathlib import Path
import random
import time
from typing import Any

from homeassistant.components import mqtt
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.milesight_x5.const import CONF_MAC, DEFAULT_TOPICS, DOMAIN
from simulator import SimulatedCamera
from simulator.mqtt import SimulatorHub
from simulator.runner import CameraRunner, Habits
from tests.field import field_options

from .conftest import Mosquitto, setup_mqtt, wait_for

pytestmark = [
    pytest.mark.usefixtures(
        "socket_enabled", "mock_hass_config", "entity_registry_enabled_by_default"
    ),
    pytest.mark.timeout(300),
]

SCALE = 0.1
SEED = int(os.environ.get("X5_FAULT_SEED", "20250504"))
TRACE = bool(os.environ.get("X5_FAULT_TRACE"))  # debug logs into the timeline
RUN_SECONDS = 75.0  # the chaos phase
RESTART_EVERY = 13.0  # the field's ~60 s between broker restarts, scaled
QUIET_LIMIT = 40.0  # seconds for every camera to settle after the run
ACTION_LIMIT = 60.0  # an action still running after this is stuck
PRESUMED = 10 * SCALE  # the integration's awake window (Options): 1 s
VARIANT_ACT_SECONDS = 5 * SCALE  # the field's picture after cmd.snapshot, scaled
HA_TASK_TOLERANCE = 2  # Home Assistant's own tasks (MQTT debouncers) may differ

ACTS = frozenset({"cmd.reboot", "cmd.snapshot", "cmd.sd.format", "upgrade.online"})
TRANSLATED = frozenset(
    json.loads(
        (
            Path(__file__).parents[2] / "custom_components" / DOMAIN / "strings.json"
        ).read_text()
    )["exceptions"]
)
UNLOADED = "camera_unloaded"


class TimedLog(list[str]):
    """A hub's log with the wall time of each line (for the run's timeline)."""

    def __init__(self) -> None:
        """Empty."""
        super().__init__()
        self.times: list[float] = []

    def append(self, line: str) -> None:
        """A line, now."""
        self.times.append(time.time())
        super().append(line)


@dataclass(frozen=True)
class Variant:
    """One camera of the run."""

    title: str
    mac: str
    habits: Habits
    camera: dict[str, Any]
    interval: float  # seconds between its wakes by itself


VARIANTS = (
    Variant("Garden", "1CC3164126B1", Habits.field().scaled(SCALE), {}, 4.0),
    Variant(
        "Barn",
        "1CC3164126B2",
        # late_by 2 s (scaled): more than the answer timeout (1.5 s)
        Habits.field(late_every=3, late_by=20, repeat_answers=True).scaled(SCALE),
        {},
        5.0,
    ),
    Variant(
        "Shed",
        "1CC3164126B3",
        Habits.field(wake_when_awake="heartbeat").scaled(SCALE),
        {"reboot_answer": False},
        6.0,
    ),
)

SWITCHES = (
    "noise_trigger",
    "temperature_trigger",
    "indicator",
    "timed_capture",
    "timestamp_overlay",
)
NUMBERS = {"noise_threshold_min": (40, 90), "trigger_interval": (1, 60)}
SELECTS = {
    "day_night_mode": ["auto", "day", "night"],
    "trigger_source": ["auto", "radar", "pir"],
    "image_type": ["full_image", "cropped"],
}
# Each camera gets each act at least once.
MUST = (
    "press snapshot_now",
    "press restart",
    "press format_sd_card",
    "install firmware",
)
READS = ("get.image.info", "get.device.status", "get.wakeup.info")


@dataclass
class Camera:
    """A camera of the run: its simulator, its entry, what was asked of it."""

    variant: Variant
    hub: SimulatorHub
    entry: MockConfigEntry
    actions: list[Action] = field(default_factory=list)

    @property
    def mac(self) -> str:
        """The camera's MAC."""
        return self.variant.mac

    @property
    def runner(self) -> CameraRunner:
        """Its runner (what it received, what it did)."""
        return self.hub.runners[self.mac]

    @property
    def sim(self) -> SimulatedCamera:
        """Its simulated camera."""
        return self.hub.cameras[self.mac]


@dataclass
class Action:
    """One user action: what, the act it asks for, where the camera's records
    stood when it began, and how it ended (per call: "ok" or the translation key)."""

    what: str
    act: str | None
    received_at: int
    log_at: int
    started: float
    outcomes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    wall: float = field(default_factory=time.time)


class Run:
    """The user, the broker's operator and the checks of one fault run."""

    def __init__(
        self, hass: HomeAssistant, cameras: list[Camera], broker: Mosquitto
    ) -> None:
        """The run over ``cameras``; nothing happens before :meth:`async_run`."""
        self.hass = hass
        self.cameras = cameras
        self.broker = broker
        self.rng = random.Random(f"{SEED} broker")  # each user has its own
        self.restarts: list[tuple[float, float]] = []  # (at, seconds down)
        self.reloads: list[tuple[str, str, list[str]]] = []  # camera, what, outcomes
        self.reloading = False
        self.retired: list[Any] = []  # the commands of coordinators reloaded away
        self.notes: list[str] = []  # worth a look, not wrong
        self.start = 0.0
        self.wall = 0.0
        self.deadline = 0.0

    # --- helpers -------------------------------------------------------------------

    def entity(self, camera: Camera, domain: str, key: str) -> str:
        """The entity id of ``camera``'s ``key`` (from the registry)."""
        entity_id = er.async_get(self.hass).async_get_entity_id(
            domain, DOMAIN, f"{camera.mac}_{key}"
        )
        assert entity_id is not None, (domain, key)
        return entity_id

    def device(self, camera: Camera) -> str:
        """The device id of ``camera``."""
        (device,) = dr.async_entries_for_config_entry(
            dr.async_get(self.hass), camera.entry.entry_id
        )
        return device.id

    def status(self, camera: Camera) -> str | None:
        """Its command status sensor's state."""
        state = self.hass.states.get(self.entity(camera, "sensor", "command_status"))
        return state.state if state else None

    def now(self) -> float:
        """Seconds since the chaos phase began."""
        return time.monotonic() - self.start

    async def call(self, domain: str, service: str, **data: Any) -> None:
        """A blocking service call, as a user or an automation makes it."""
        response = domain == DOMAIN and service == "send_command"
        await self.hass.services.async_call(
            domain, service, data, blocking=True, return_response=response
        )

    async def outcome(self, call: Awaitable[Any]) -> str:
        """ "ok", the translation key the user read, or what went wrong instead."""
        try:
            async with asyncio.timeout(ACTION_LIMIT):
                await call
        except TimeoutError:
            return "STUCK"
        except HomeAssistantError as err:
            if err.translation_domain != DOMAIN or err.translation_key is None:
                return f"UNTRANSLATED {type(err).__name__}: {err}"
            return str(err.translation_key)
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise  # the test itself is cancelled
            return "CancelledError"  # the caller's task was not cancelled
        except Exception as err:  # noqa: BLE001 (what the user must never get)
            return f"UNTRANSLATED {type(err).__name__}: {err}"
        return "ok"

    async def act(
        self,
        camera: Camera,
        what: str,
        act: str | None,
        *calls: Callable[[], Awaitable[Any]],
    ) -> Action:
        """Run ``calls`` at once as one user action on ``camera``, and note it."""
        runner = camera.runner
        action = Action(what, act, len(runner.received), len(runner.log), self.now())
        camera.actions.append(action)
        began = time.monotonic()
        action.outcomes = list(
            await asyncio.gather(*(self.outcome(call()) for call in calls))
        )
        action.seconds = time.monotonic() - began
        return action

    async def asleep(self, camera: Camera, limit: float = 4.0) -> None:
        """Wait (a while at most) until the camera sleeps."""
        runner = camera.runner
        deadline = time.monotonic() + limit
        while (runner.up or runner.waking) and time.monotonic() < deadline:  # noqa: ASYNC110 (the simulator's state)
            await asyncio.sleep(0.05)

    # --- the user ------------------------------------------------------------------

    def choices(
        self, camera: Camera, rng: random.Random
    ) -> list[tuple[int, str, str | None, Callable[[], Awaitable[Any]]]]:
        """What the user may do to ``camera`` now: (weight, what, act, call)."""
        hass = self.hass

        def press(key: str) -> Callable[[], Awaitable[Any]]:
            entity_id = self.entity(camera, "button", key)
            return lambda: self.call("button", "press", entity_id=entity_id)

        def switch() -> Awaitable[Any]:
            key = rng.choice(SWITCHES)
            service = rng.choice(("turn_on", "turn_off"))
            return self.call(
                "switch", service, entity_id=self.entity(camera, "switch", key)
            )

        def number() -> Awaitable[Any]:
            key = rng.choice(list(NUMBERS))
            low, high = NUMBERS[key]
            return self.call(
                "number",
                "set_value",
                entity_id=self.entity(camera, "number", key),
                value=rng.randint(low, high),
            )

        def select() -> Awaitable[Any]:
            key = rng.choice(list(SELECTS))
            return self.call(
                "select",
                "select_option",
                entity_id=self.entity(camera, "select", key),
                option=rng.choice(SELECTS[key]),
            )

        def send(command: str) -> Callable[[], Awaitable[Any]]:
            return lambda: self.call(
                DOMAIN, "send_command", device_id=self.device(camera), command=command
            )

        def snapshot_action() -> Awaitable[Any]:
            return self.call(DOMAIN, "snapshot", device_id=self.device(camera))

        options: list[tuple[int, str, str | None, Callable[[], Awaitable[Any]]]] = [
            (5, "press snapshot_now", "cmd.snapshot", press("snapshot_now")),
            (2, "action snapshot", "cmd.snapshot", snapshot_action),
            (1, "send_command cmd.snapshot", "cmd.snapshot", send("cmd.snapshot")),
            (1, "press restart", "cmd.reboot", press("reboot")),
            (1, "press format_sd_card", "cmd.sd.format", press("format_sd_card")),
            (1, "press wake", None, press("wake")),
            (5, "switch", None, switch),
            (3, "number", None, number),
            (2, "select", None, select),
            (2, "send_command read", None, send(rng.choice(READS))),
        ]
        firmware = hass.states.get(self.entity(camera, "update", "firmware"))
        if (
            firmware is not None
            and firmware.state == "on"
            and not firmware.attributes.get("in_progress")
        ):
            entity_id = firmware.entity_id
            options.append(
                (
                    1,
                    "install firmware",
                    "upgrade.online",
                    lambda: self.call("update", "install", entity_id=entity_id),
                )
            )
        return options

    async def user(self, camera: Camera, reload_at: float | None) -> None:
        """Random actions on one camera until the deadline, one at a time; at
        ``reload_at`` its entry is reloaded while a command waits."""
        rng = random.Random(f"{SEED} {camera.variant.title}")
        must = list(MUST)
        rng.shuffle(must)
        while self.now() < self.deadline:
            if reload_at is not None and self.now() >= reload_at:
                await self.reload_mid_command(camera)
                reload_at = None
                continue
            if rng.random() < 0.3:
                await self.asleep(camera)  # the wake path, not only the awake one
            options = self.choices(camera, rng)
            (_, what, act, call), *_ = rng.choices(
                options, weights=[weight for weight, *_ in options]
            )
            if must and rng.random() < 0.25:
                # Every act at least once on every camera, whatever the dice say.
                chosen = [o for o in options if o[1] == must[0]]
                if chosen:
                    _, what, act, call = chosen[0]
                    must.pop(0)
            if what == "press snapshot_now" and rng.random() < 0.25:
                # Two automations ask for a picture at once: one act for both.
                await self.act(
                    camera,
                    "snapshot twice at once",
                    act,
                    call,
                    lambda: self.call(
                        DOMAIN, "snapshot", device_id=self.device(camera)
                    ),
                )
            else:
                await self.act(camera, what, act, call)
            await asyncio.sleep(rng.uniform(0.1, 1.5))

    async def reload_mid_command(self, camera: Camera) -> None:
        """Reload ``camera``'s entry while an act (Garden) or a write (others)
        waits for the wake of the sleeping camera."""
        self.reloading = True
        try:
            await wait_for(lambda: self.hass.data[mqtt.DATA_MQTT].client.connected)
            await self.asleep(camera, limit=10)
            if camera.variant.title == "Garden":
                what, act = "reload during press snapshot_now", "cmd.snapshot"
                entity_id = self.entity(camera, "button", "snapshot_now")
                call = self.call("button", "press", entity_id=entity_id)
            else:
                what, act = "reload during switch turn_on", None
                entity_id = self.entity(camera, "switch", "noise_trigger")
                call = self.call("switch", "turn_on", entity_id=entity_id)
            task = self.hass.async_create_task(
                self.act(camera, what, act, lambda: call)
            )
            await wait_for(
                lambda: task.done() or self.status(camera) in ("waking", "sending"),
                what="the command to wait",
            )
            old = camera.entry.runtime_data.commands
            reloaded = await self.hass.config_entries.async_reload(
                camera.entry.entry_id
            )
            action = await task
            assert reloaded
            self.retired.append(old)
            self.reloads.append((camera.variant.title, what, action.outcomes))
        finally:
            self.reloading = False

    # --- the broker's operator -------------------------------------------------------

    async def operator(self) -> None:
        """Restart mosquitto every ~RESTART_EVERY s (on the same port), never
        while an entry reloads."""
        rng = self.rng
        next_at = RESTART_EVERY + rng.uniform(-2, 2)
        while next_at < RUN_SECONDS - 3:
            await asyncio.sleep(max(0.0, next_at - self.now()))
            while self.reloading:  # noqa: ASYNC110 (the run's own flag)
                await asyncio.sleep(0.1)
            down = rng.uniform(0.3, 1.5)
            at = self.now()
            await self.hass.async_add_executor_job(self.broker.stop)
            await asyncio.sleep(down)
            await self.hass.async_add_executor_job(self.broker.start)
            self.restarts.append((at, down))
            next_at = at + RESTART_EVERY + rng.uniform(-2, 2)

    async def async_run(self) -> None:
        """The chaos phase: the users of the three cameras and the operator."""
        self.start = time.monotonic()
        self.wall = time.time()
        self.deadline = RUN_SECONDS
        await asyncio.gather(
            self.operator(),
            self.user(self.cameras[0], reload_at=RUN_SECONDS * 0.4),
            self.user(self.cameras[1], reload_at=RUN_SECONDS * 0.75),
            self.user(self.cameras[2], reload_at=None),
        )

    # --- what the cameras did ------------------------------------------------------

    @staticmethod
    def evidence_age(
        camera: Camera,
        act: str,
        log: list[str],
        times: list[float],
        start: int,
        end: int | None,
    ) -> float:
        """How long before ``act`` reached it asleep (the first time from ``start``)
        the camera last showed it was awake (the time it did, not the time Home
        Assistant heard it: a late answer is old news)."""
        mac, act_at = camera.mac, None
        for index in range(start, len(log) if end is None else end):
            if log[index] == f"{act} {mac} no answer (asleep)":
                act_at = index
                break
        if act_at is None:
            return 0.0
        for index in range(act_at - 1, -1, -1):
            if (extra := _sign_of_life(log[index], mac)) is not None:
                return times[act_at] - (times[index] + extra)
        return float("inf")

    def check_acts(self, camera: Camera) -> tuple[list[str], Counter[str]]:
        """Each action's window in the camera's records: from its start to the next
        one's. Problems found, and a tally for the summary."""
        runner, mac = camera.runner, camera.mac
        received, log = list(runner.received), list(runner.log)
        times = list(getattr(runner.log, "times", [0.0] * len(log)))

        def lines(start: int, end: int | None) -> list[str]:
            return [
                f"{at - self.wall:.2f} {line}"
                for at, line in zip(times[start:end], log[start:end], strict=True)
                if mac in line
            ]

        problems: list[str] = []
        reported = 0
        tally: Counter[str] = Counter()
        actions = camera.actions
        first = actions[0].received_at if actions else len(received)
        if before := [what for what, _ in received[:first] if what in ACTS]:
            problems.append(f"{camera.variant.title}: acts before any user: {before}")
        for index, action in enumerate(actions):
            following = actions[index + 1] if index + 1 < len(actions) else None
            got = received[
                action.received_at : following.received_at if following else None
            ]
            did_lines = log[action.log_at : following.log_at if following else None]
            sent = [what for what, _ in got if what in ACTS]
            done = [
                line
                for line in did_lines
                if action.act is not None
                and line
                in (f"{action.act} {mac} answered", f"{action.act} {mac} no answer")
            ]
            # An act the camera could not take: asleep (its window ended since it
            # was shown awake: a race the field has too), or not up at all.
            lost = [
                line
                for line in did_lines
                if action.act is not None
                and line == f"{action.act} {mac} no answer (asleep)"
            ]
            not_up = [
                line
                for line in did_lines
                if action.act is not None
                and line.startswith(f"{action.act} {mac} no answer (")
                and line not in lost
            ]
            label = (
                f"{camera.variant.title} #{index} {action.what} at "
                f"{action.started:.1f} s: outcomes {action.outcomes}, sent {sent}"
            )
            if action.act is None and sent:
                problems.append(f"{label}: an act the user did not ask for")
            if action.act is not None:
                tally["acts asked"] += 1
                tally["acts sent"] += len(sent)
                tally["acts done"] += len(done)
                tally["acts lost asleep"] += len(lost)
                if any(what != action.act for what in sent) or len(sent) > 1:
                    problems.append(f"{label}: act sent more than once")
                if len(done) > 1:
                    problems.append(f"{label}: act done more than once: {done}")
                if "ok" in action.outcomes and not done:
                    problems.append(f"{label}: told done, the camera did not do it")
                if not_up:
                    # Only the wake's heartbeat (the camera up) lets an act go out.
                    problems.append(f"{label}: act sent to a camera not up: {not_up}")
            for outcome in action.outcomes:
                tally[outcome] += 1
                if outcome != "ok" and outcome not in TRANSLATED:
                    problems.append(f"{label}: untranslated outcome {outcome!r}")
            end = following.log_at if following else None
            if lost:
                assert action.act is not None
                gap = self.evidence_age(
                    camera, action.act, log, times, action.log_at, end
                )
                if gap > PRESUMED:
                    # Sent on evidence older than the integration's own awake
                    # window: not the race of a window that ended meanwhile.
                    problems.append(
                        f"{label}: act sent to a camera silent for {gap:.2f} s"
                    )
                else:
                    self.notes.append(
                        f"{label}: lost asleep {gap:.2f} s after its last sign of"
                        f" life; the camera's log {lines(action.log_at, end)}"
                    )
            if len(problems) > reported:
                problems[-1] += f"; the camera's log {lines(action.log_at, end)}"
                reported = len(problems)
        return problems, tally


def _sign_of_life(line: str, mac: str) -> float | None:
    """Whether a camera's log line shows it awake then; the seconds after the line
    it still was (a picture posted after the answer to cmd.snapshot)."""
    event, _, rest = line.partition(" ")
    if rest.split(" ", 1)[0] != mac:
        return None
    if event in ("awake", "booted", "wake"):  # a wake: the heartbeat of some
        return 0.0
    if rest == f"{mac} answered":
        return VARIANT_ACT_SECONDS if event == "cmd.snapshot" else 0.0
    return None


def _timeline(run: Run, records: list[logging.LogRecord]) -> list[str]:
    """Everything of the run in time order: the cameras' logs, the user's actions,
    the broker's restarts, what was logged (seconds since the chaos began)."""
    events: list[tuple[float, str]] = []
    for camera in run.cameras:
        log = camera.runner.log
        for at, line in zip(getattr(log, "times", []), log, strict=False):
            if camera.mac in line:
                events.append((at, f"CAM  {line}"))
        for index, action in enumerate(camera.actions):
            title = camera.variant.title
            events.append((action.wall, f"USER {title} #{index} {action.what}"))
            events.append(
                (
                    action.wall + action.seconds,
                    f"USER {title} #{index} {action.what} -> {action.outcomes}",
                )
            )
    for at, down in run.restarts:
        events.append((run.wall + at, f"BROKER stopped for {down:.1f} s"))
    events.extend(
        (
            record.created,
            f"LOG  {record.levelname} {record.name}: {record.getMessage()[:300]}",
        )
        for record in records
    )
    events.sort(key=lambda event: event[0])
    return [f"{at - run.wall:8.3f} {text}" for at, text in events]


def _tasks(test_file: str) -> Counter[tuple[str, str]]:
    """Running tasks by (owner, coroutine): "ours" for the integration's."""
    current = asyncio.current_task()
    tasks: Counter[tuple[str, str]] = Counter()
    for task in asyncio.all_tasks():
        if task is current or task.done():
            continue
        coro = task.get_coro()
        code = getattr(coro, "cr_code", None)
        filename = code.co_filename if code else ""
        name = code.co_qualname if code else repr(coro)
        if filename == test_file:
            continue
        ours = f"custom_components{os.sep}{DOMAIN}" in filename or DOMAIN in (
            task.get_name()
        )
        tasks["ours" if ours else "ha", name] += 1
    return tasks


def _is_error(record: logging.LogRecord) -> bool:
    """An error of the integration, or an exception nobody retrieved."""
    message = record.getMessage()
    return (
        (
            record.levelno >= logging.ERROR
            and record.name.startswith("custom_components")
        )
        or "never retrieved" in message
        or "Error doing job" in message
    )


def _count(tasks: Counter[tuple[str, str]], owner: str) -> int:
    return sum(n for (who, _), n in tasks.items() if who == owner)


@pytest.fixture
async def mqtt_entry(
    hass: HomeAssistant, broker: Mosquitto, monkeypatch: pytest.MonkeyPatch
) -> AsyncGenerator[MockConfigEntry]:
    """Home Assistant's MQTT integration on the session's mosquitto, reconnecting
    every second (its 10 s, scaled)."""
    monkeypatch.setattr(
        "homeassistant.components.mqtt.client.RECONNECT_INTERVAL_SECONDS", 10 * SCALE
    )
    entry = await setup_mqtt(hass, broker)
    yield entry
    if broker.process is None:  # stopped by a failed run: the session needs it
        await hass.async_add_executor_job(broker.start)


@pytest.fixture
async def cameras(
    hass: HomeAssistant, mqtt_entry: MockConfigEntry, broker: Mosquitto
) -> AsyncGenerator[list[Camera]]:
    """The three cameras configured (scaled options), then their simulators."""
    cameras = []
    for variant in VARIANTS:
        entry = MockConfigEntry(
            domain=DOMAIN,
            title=variant.title,
            unique_id=variant.mac,
            data={CONF_MAC: variant.mac, **DEFAULT_TOPICS},
            options=field_options(SCALE),
        )
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        hub = SimulatorHub(
            [SimulatedCamera(variant.mac, **variant.camera)],
            "127.0.0.1",
            broker.port,
            interval=variant.interval,
            snapshot_every=2,
            habits=variant.habits,
        )
        hub.log = TimedLog()
        for runner in hub.runners.values():
            runner.log = hub.log
        cameras.append(Camera(variant, hub, entry))
    await hass.async_block_till_done()
    client = hass.data[mqtt.DATA_MQTT].client
    await wait_for(lambda: not client._pending_subscriptions, what="subscriptions")
    await asyncio.sleep(0.5)  # the broker's SUBACK
    for camera in cameras:
        await hass.async_add_executor_job(camera.hub.start)
    yield cameras
    for camera in cameras:
        await hass.async_add_executor_job(camera.hub.stop)
    for camera in cameras:
        await hass.config_entries.async_unload(camera.entry.entry_id)
    await hass.config_entries.async_unload(mqtt_entry.entry_id)
    await hass.async_block_till_done()


async def test_fault_run(
    hass: HomeAssistant,
    cameras: list[Camera],
    broker: Mosquitto,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    """Three cameras, random user actions, mosquitto restarted every ~13 s, two
    reloads mid-command: every act at most once and done when said so, every
    failure translated, no status stuck, tasks and subscriptions flat, no error
    logged."""
    caplog.set_level(logging.WARNING)
    if TRACE:
        caplog.set_level(logging.DEBUG, "custom_components.milesight_x5")
        caplog.set_level(logging.DEBUG, "homeassistant.components.mqtt.client")
    began = time.monotonic()
    client = hass.data[mqtt.DATA_MQTT].client
    run = Run(hass, cameras, broker)

    # Warm-up: each camera heard, its first settings read (as far as its short
    # wakes allow), the command path idle.
    for camera in cameras:
        await wait_for(
            lambda camera=camera: camera.entry.runtime_data.data.last_seen is not None,
            what=f"{camera.variant.title} heard",
        )
    await asyncio.sleep(3)
    await wait_for(
        lambda: all(run.status(camera) == "idle" for camera in cameras),
        limit=20,
        what="idle after warm-up",
    )
    test_file = __file__
    baseline = _tasks(test_file)
    subscriptions = len(client.subscriptions)
    topics = set(hass.data[DOMAIN].topics)

    await run.async_run()
    chaos = time.monotonic() - began

    # Quiet: no user, the broker up; the cameras still wake by themselves.
    await wait_for(lambda: client.connected, limit=20, what="HA's MQTT back")
    stuck: dict[str, str | None] = {}
    try:
        await wait_for(
            lambda: all(
                run.status(camera) in ("idle", "done", "failed")  # nothing waits
                and camera.entry.runtime_data.commands.mqtt.in_flight(camera.mac)
                is None
                for camera in cameras
            ),
            limit=QUIET_LIMIT,
            what="every camera idle",
        )
    except AssertionError:
        stuck = {camera.variant.title: run.status(camera) for camera in cameras}
    end_tasks = _tasks(test_file)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and (
        _count(end_tasks, "ours") > _count(baseline, "ours")
        or _count(end_tasks, "ha") > _count(baseline, "ha") + HA_TASK_TOLERANCE
    ):
        await asyncio.sleep(0.2)  # one message being handled, say: it passes
        end_tasks = _tasks(test_file)

    # The summary (pytest -s shows it).
    problems: list[str] = []
    summary: list[str] = []
    say = summary.append
    say(f"\nFault run, seed {SEED}: warm-up and chaos {chaos:.0f} s; mosquitto")
    say(
        "restarted at "
        + ", ".join(f"{at:.0f} s ({down:.1f} s down)" for at, down in run.restarts)
    )
    for camera in cameras:
        found, tally = run.check_acts(camera)
        problems += found
        kinds = Counter(action.what for action in camera.actions)
        outcomes = {k: v for k, v in tally.items() if not k.startswith("acts ")}
        say(
            f"{camera.variant.title} ({camera.mac}): {len(camera.actions)} actions,"
            f" acts asked/sent/done/lost asleep {tally['acts asked']}/"
            f"{tally['acts sent']}/{tally['acts done']}/{tally['acts lost asleep']};"
            f" outcomes {dict(sorted(outcomes.items()))}; status {run.status(camera)};"
            f" reboots {camera.sim.reboots}, firmware {camera.sim.firmware}"
        )
        say(f"  actions: {dict(sorted(kinds.items()))}")
    for title, what, outcomes in run.reloads:
        say(f"reload of {title} during '{what}': {outcomes}")
        if any(o not in ("ok", UNLOADED) for o in outcomes):
            problems.append(f"reload of {title}: {what} ended {outcomes}")
    say(
        f"tasks ours/HA after warm-up {_count(baseline, 'ours')}/"
        f"{_count(baseline, 'ha')}, at the end {_count(end_tasks, 'ours')}/"
        f"{_count(end_tasks, 'ha')}; subscriptions {subscriptions} ->"
        f" {len(client.subscriptions)}; wall {time.monotonic() - began:.0f} s"
    )
    bad = [record for record in caplog.records if _is_error(record)]
    errors = [f"{record.name}: {record.getMessage()}" for record in bad]
    warnings = Counter(
        f"{record.levelname} {record.name}: {record.getMessage()[:100]}"
        for record in caplog.records
        if record.levelno >= logging.WARNING and record not in bad
    )
    for line, count in warnings.most_common(8):
        say(f"  logged {count}x {line}")

    leaked = {
        name: count - baseline[who, name]
        for (who, name), count in end_tasks.items()
        if who == "ours" and count > baseline[who, name]
    }
    if len(run.reloads) != 2:
        problems.append(f"{len(run.reloads)} reloads, not 2")
    if stuck:
        problems.append(f"command status stuck: {stuck}")
    if len(client.subscriptions) != subscriptions:
        problems.append(
            f"MQTT subscriptions {subscriptions} -> {len(client.subscriptions)}"
        )
    if set(hass.data[DOMAIN].topics) != topics:
        problems.append(f"topics {topics} -> {hass.data[DOMAIN].topics}")
    if leaked:
        problems.append(f"integration tasks left running: {leaked}")
    for camera in cameras:
        commands = camera.entry.runtime_data.commands
        if commands._acts or commands._pending:
            problems.append(
                f"{camera.variant.title}: acts {list(commands._acts)} or pending"
                f" writes {list(commands._pending)} left"
            )
    for commands in run.retired:
        if (
            not commands.reach.closed
            or commands._acts
            or commands.mqtt.in_flight(commands.mac) is not None
        ):
            problems.append(f"{commands.mac}: the unloaded command path still holds")
    if _count(end_tasks, "ha") > _count(baseline, "ha") + HA_TASK_TOLERANCE:
        problems.append(f"Home Assistant's tasks grew: {end_tasks - baseline}")
    problems += [f"logged: {error}" for error in errors]
    timeline = tmp_path / "fault_run_timeline.txt"
    timeline.write_text("\n".join(_timeline(run, caplog.records)) + "\n")
    say(f"timeline: {timeline}")
    for note in run.notes:
        say("NOTE " + note)
    for problem in problems:
        say("PROBLEM " + problem)
    print("\n".join(summary))  # noqa: T201 (the run's summary, for pytest -s)
    assert not problems, "\n".join(problems)
