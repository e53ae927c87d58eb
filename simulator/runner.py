"""When a simulated camera does what: the field's timing, on any transport.

:class:`SimulatedCamera` knows *what* a camera answers and posts; a
:class:`CameraRunner` decides *when*: the modem's start-up after a wake, the
round trip of an answer, the awake window, slow acts, late or repeated answers,
restarts and firmware installs. It owns no thread and no event loop: the front end
gives it three callables,

- ``schedule(key, delay, action)``: run ``action()`` in ``delay`` seconds, replacing
  any timer already under ``key`` (keys are unique to the runner: they start with
  the camera's MAC);
- ``cancel(key)``: drop the timer under ``key`` if there is one;
- ``publish(topic, message)``: send a JSON message,

plus ``clock()``, the time those delays are measured in (seconds; default
:func:`time.monotonic`, which is also asyncio's ``loop.time``). The threaded MQTT
hub (:class:`~.mqtt.SimulatorHub`, ``threading.Timer``) and an asyncio test
double (:class:`LoopTimers`, ``loop.call_later``) drive the same runner; tests use
:class:`VirtualClock` and step time by hand. Every call into a runner must come
from one thread at a time (the hub holds a lock; an event loop is one thread).

:class:`Habits` lists the timing habits; ``Habits()`` is the simulator's original
convenient camera, :meth:`Habits.field` the unkind combination.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
import dataclasses
from dataclasses import dataclass
import heapq
import itertools
import json
import time
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from .device import SimulatedCamera

if TYPE_CHECKING:
    import asyncio

Action = Callable[[], None]
Schedule = Callable[[str, float, Action], None]
Cancel = Callable[[str], None]
Publish = Callable[[str, dict[str, Any]], None]

WAKE_PREFIX = "X5SensingCam/Wake/"


@dataclass(frozen=True)
class Topics:
    """The camera's topics (the guide's defaults)."""

    heartbeat: str = "X5SensingCam/Status"
    snapshot: str = "X5SensingCam/Snapshot"
    alarm: str = "X5SensingCam/Alarm"
    request: str = "X5SensingCam/ConfigureRequest"
    response: str = "X5SensingCam/ConfigureRespond"

    def uplink(self, kind: str) -> str:
        """The topic of an uplink kind ("heartbeat", "snapshot", "alarm")."""
        topic: str = getattr(self, kind)
        return topic


@dataclass(frozen=True, kw_only=True)
class Habits:
    """How a camera behaves in time. Defaults: the simulator's original camera
    (instant, in order, once, kept awake by every request).

    ``wake_latency``: seconds from a wake (a message on its wake topic, or a wake by
    itself) to its heartbeat: the 4G modem attaching. Meanwhile it is not awake:
    requests are lost, a second wake changes nothing.

    ``rtt``: seconds from a request reaching it to its answer reaching the broker.

    ``awake_window``: seconds it stays awake after its *own* last activity: its
    wake, its uplinks, the end of an act (a ``cmd.snapshot`` capture, a firmware
    download, which keep it awake while they run).

    ``requests_keep_awake``: True: an answered request also restarts the awake
    window (the original simulator). False (the field: NOTES, "stays awake only a
    few seconds unless a job runs"): being asked something does not.

    ``picture_first``: a wake's picture is posted before its heartbeat.

    ``wake_picture``: a wake by itself (:meth:`CameraRunner.wake_by_itself`: PIR,
    timer) posts a picture, its trigger the next of
    :data:`~.device.WAKE_TRIGGERS`. ``woken_picture``: a wake by the wake topic
    posts one too (the original simulator did; a camera woken for configuration
    has nothing to show).

    ``act_seconds``: the picture of ``cmd.snapshot`` (or ``pushNow``) comes this
    long after the request (NOTES: the sibling firmware's capture "waits ~5 s for
    the image to settle"); 0: with the answer.

    ``late_every``/``late_by``: every Nth answer (N = ``late_every``; 0: none) is
    late by ``late_by`` seconds more than ``rtt``. Answers stay in order: those
    after a late one queue behind it, as on a slow link.

    ``repeat_answers``: each answer is published twice, back to back (a QoS 1
    duplicate).

    ``wake_when_awake``: what a wake reaching an awake camera does: "nothing"
    (NOTES' reading: the heartbeat comes "each time the camera wakes up") or
    "heartbeat" (after ``rtt``). A camera on external power ignores wakes either way.

    ``reboot_restarts``: an *answered* ``cmd.reboot`` restarts the camera (silent
    for the restart, then a heartbeat). False: the OK and no interruption (the
    original simulator). An unanswered one (``SimulatedCamera.reboot_answer``
    False) always restarts.

    ``reboot_seconds``: how long a restart is silent before its heartbeat; None:
    the camera's own ``SimulatedCamera.reboot_seconds``.

    ``install_seconds``: ``upgrade.online`` downloads this long (awake, answering),
    then restarts, then boots the new firmware with a heartbeat; None: installed at
    once, no restart (the original simulator).
    """

    wake_latency: float = 0.0
    rtt: float = 0.0
    awake_window: float = 20.0
    requests_keep_awake: bool = True
    picture_first: bool = False
    wake_picture: bool = True
    woken_picture: bool = True
    act_seconds: float = 0.0
    late_every: int = 0
    late_by: float = 0.0
    repeat_answers: bool = False
    wake_when_awake: Literal["nothing", "heartbeat"] = "nothing"
    reboot_restarts: bool = False
    reboot_seconds: float | None = None
    install_seconds: float | None = None

    DURATIONS: ClassVar[tuple[str, ...]] = (
        "wake_latency",
        "rtt",
        "awake_window",
        "act_seconds",
        "late_by",
        "reboot_seconds",
        "install_seconds",
    )

    def __post_init__(self) -> None:
        """Refuse what no camera does (negative durations, unknown choices)."""
        for name in self.DURATIONS:
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"{name} must not be negative")
        if self.late_every < 0:
            raise ValueError("late_every must not be negative")
        if self.wake_when_awake not in ("nothing", "heartbeat"):
            raise ValueError("wake_when_awake must be 'nothing' or 'heartbeat'")

    @classmethod
    def field(cls, **changes: Any) -> Habits:
        """The unkind camera, as the field makes it (``changes`` override):

        wake_latency 8 s (a 4G attach), rtt 0.8 s, awake_window 6 s after its own
        last activity, requests do not keep it awake, the wake picture before the
        heartbeat, no picture for a wake by message, cmd.snapshot's picture 5 s
        late, a wake reaching it awake does nothing, an answered reboot restarts
        (30 s silent), a firmware install downloads 60 s then restarts. Late and
        repeated answers stay off: switch them on separately
        (``Habits.field(late_every=3, late_by=4, repeat_answers=True)``).
        """
        values: dict[str, Any] = {
            "wake_latency": 8.0,
            "rtt": 0.8,
            "awake_window": 6.0,
            "requests_keep_awake": False,
            "picture_first": True,
            "wake_picture": True,
            "woken_picture": False,
            "act_seconds": 5.0,
            "late_every": 0,
            "late_by": 0.0,
            "repeat_answers": False,
            "wake_when_awake": "nothing",
            "reboot_restarts": True,
            "reboot_seconds": 30.0,
            "install_seconds": 60.0,
        }
        return cls(**{**values, **changes})

    def scaled(self, factor: float) -> Habits:
        """Every duration times ``factor`` (tests run the field at 1/50 speed)."""
        if factor <= 0:
            raise ValueError("factor must be positive")
        changes: dict[str, Any] = {}
        for name in self.DURATIONS:
            value = getattr(self, name)
            changes[name] = None if value is None else value * factor
        return dataclasses.replace(self, **changes)


class CameraRunner:
    """One simulated camera on some transport: its habits in time.

    Inputs (the front end calls them): :meth:`on_wake_message` (anything on
    ``X5SensingCam/Wake/<MAC>``), :meth:`on_request` (a configure request whose
    ``devMac`` is this camera's), :meth:`wake_by_itself`, :meth:`post_alarm`,
    :meth:`post_capture`, :meth:`sleep` (end the awake window now),
    :meth:`reboot_started`/:meth:`install_started` (another front end, HTTP, took
    the camera down or started a download), :meth:`stop` (cancel its timers).

    Asleep, waking (modem not up yet) or restarting it answers nothing: a request
    is recorded in :attr:`received` and lost.

    Offline (``SimulatedCamera.offline``: its link to the broker is down) it hears
    no wake and no request and posts nothing; a trigger or its timer still takes a
    picture, kept on its card for later (``upload`` 0). Online again, its next wake
    (:meth:`wake_by_itself`, a wake message, the boot after a restart) posts that
    backlog (``SimulatedCamera.take_backlog``: oldest first, each with its capture
    time) among the wake's pictures: before the heartbeat with
    ``Habits.picture_first``, after it otherwise, older than the wake's own.

    While ``SimulatedCamera.pictures_to_cloud`` (the vendor's cloud took it over)
    its pictures go to ``SimulatedCamera.cloud_uploads``, not the snapshot topic
    (logged "cloud"); heartbeats and alarms still come. :attr:`received` lists every message
    that reached it, ("wake" or the api, payload bytes), asleep or not;
    :attr:`log` what it did, one line each, "<event> <MAC> ..." (a hub shares one
    list between its cameras).
    """

    def __init__(
        self,
        camera: SimulatedCamera,
        habits: Habits,
        topics: Topics,
        schedule: Schedule,
        cancel: Cancel,
        publish: Publish,
        *,
        clock: Callable[[], float] = time.monotonic,
        log: list[str] | None = None,
    ) -> None:
        """Drive ``camera``; nothing happens before the first call."""
        self.camera = camera
        self.habits = habits
        self.topics = topics
        self._schedule, self._cancel, self._publish = schedule, cancel, publish
        self._clock = clock
        self.received: list[tuple[str, int]] = []
        self.log: list[str] = [] if log is None else log
        self.answers = 0  # answers produced (late_every counts these)
        self._waking = False
        self._after_wake: list[tuple[str, dict[str, Any]]] = []
        self._busy = 0  # acts and downloads under way: they keep it awake
        self._acts: set[str] = set()
        self._act_ids = itertools.count(1)
        self._link: deque[tuple[float, str, dict[str, Any]]] = deque()
        self._link_due = float("-inf")
        if habits.install_seconds is not None:
            camera.install_at_once = False

    # --- state ------------------------------------------------------------------------

    @property
    def mac(self) -> str:
        """The camera's MAC."""
        return self.camera.mac

    @property
    def waking(self) -> bool:
        """Woken, the modem not up yet (``wake_latency``)."""
        return self._waking

    @property
    def up(self) -> bool:
        """Awake and answering."""
        return self.camera.awake and not self.camera.rebooting and not self._waking

    @property
    def busy(self) -> bool:
        """An act or a download keeps it awake."""
        return self._busy > 0

    @property
    def reboot_seconds(self) -> float:
        """How long a restart is silent."""
        if self.habits.reboot_seconds is not None:
            return self.habits.reboot_seconds
        return self.camera.reboot_seconds

    def _key(self, name: str) -> str:
        return f"{self.mac}/{name}"

    def _note(self, event: str, detail: str = "") -> None:
        self.log.append(f"{event} {self.mac}{' ' + detail if detail else ''}")

    # --- inputs -----------------------------------------------------------------------

    def on_wake_message(self, payload: bytes | str = b"") -> None:
        """Something arrived on its wake topic (any payload wakes it)."""
        size = len(payload.encode() if isinstance(payload, str) else payload)
        self.received.append(("wake", size))
        self._note("wake")
        camera = self.camera
        if camera.rebooting:
            self._note("deaf", "(restarting)")
        elif camera.offline:
            self._note("deaf", "(offline)")
        elif camera.awake:
            if self.habits.wake_when_awake == "heartbeat" and not camera.external_power:
                self._send_uplink("heartbeat", camera.heartbeat(), self.habits.rtt)
                self._touch()
        elif self._waking:
            self._note("deaf", "(waking)")
        elif not camera.can_wake:
            self._note("deaf", "(cannot be woken)")
        else:
            pictures = (
                [("snapshot", camera.wake_snapshot())]
                if self.habits.woken_picture
                else []
            )
            self._begin_wake(pictures)

    def on_request(self, request: dict[str, Any], size: int | None = None) -> None:
        """A configure request for this camera (``size``: its payload bytes)."""
        api = request.get("api")
        label = api if isinstance(api, str) else "?"
        if size is None:
            size = len(json.dumps(request).encode())
        self.received.append((label, size))
        camera = self.camera
        if camera.offline:
            self._note(label, "no answer (offline)")
            return
        if not self.up:
            state = "restarting" if camera.rebooting else "asleep"
            self._note(label, f"no answer ({'waking' if self._waking else state})")
            return
        was_installing = camera.installing
        response = camera.respond(request)
        uplinks = camera.take_uplinks()
        self._note(label, "answered" if response is not None else "no answer")
        if response is not None:
            self._send_answer(response)
        for kind, uplink in uplinks:
            if not camera.posts(kind):
                self._note("muted", kind)
            elif self.habits.act_seconds > 0:
                self._start_act(kind, uplink)
            else:
                self._send_uplink(kind, uplink, self.habits.rtt)
        if (response is not None and self.habits.requests_keep_awake) or (
            uplinks and self.habits.act_seconds <= 0
        ):
            self._touch()
        if camera.rebooting:  # went down without an answer
            self._restart()
        elif (
            label == "cmd.reboot"
            and response is not None
            and self.habits.reboot_restarts
        ):
            camera.begin_reboot()
            self._restart()
        elif camera.installing and not was_installing:
            self.install_started()

    def wake_by_itself(
        self, trigger: tuple[str, str] | None = None, *, picture: bool | None = None
    ) -> None:
        """It wakes by itself (PIR, its timer): a heartbeat and (``picture``,
        default ``Habits.wake_picture``) a picture, its trigger ``trigger``
        (snapType, triggerValue) or the next of :data:`~.device.WAKE_TRIGGERS`.

        Asleep: after ``wake_latency``. Already awake (external power: this is its
        heartbeat timer): at once. Restarting: nothing. Offline: the picture only,
        kept on its card (the backlog), nothing posted.
        """
        camera = self.camera
        if camera.rebooting:
            self._note("rebooting")
            return
        if picture is None:
            picture = self.habits.wake_picture
        pictures: list[tuple[str, dict[str, Any]]] = []
        if picture:
            snapshot = camera.snapshot(*trigger) if trigger else camera.wake_snapshot()
            pictures.append(("snapshot", snapshot))
        if camera.offline:
            self._note("offline", f"{len(pictures)} picture(s) kept")
            return
        if self._waking:
            self._after_wake.extend(pictures)
        elif camera.awake:
            self._note("awake")
            self._post_wake(camera.heartbeat(), pictures)
            self._touch()
        else:
            self._begin_wake(pictures)

    def post_alarm(self, text: str = "Low power") -> None:
        """It posts an alarm (a sleeping camera wakes for it: heartbeat first)."""
        self._own_uplink("alarm", self.camera.alarm(text))

    def post_capture(self, snap_type: str, value: str = "") -> None:
        """A trigger fires (``snap_type``, ``value``): its picture (a sleeping
        camera wakes for it: the wake's order, heartbeat and picture)."""
        if self.camera.rebooting:
            self._note("lost", "snapshot (restarting)")
            return
        self._own_uplink("snapshot", self.camera.snapshot(snap_type, value))

    def sleep(self) -> None:
        """The awake window is over: it sleeps, unless an act or a download runs,
        it is on external power, or it is restarting."""
        self._cancel(self._key("sleep"))
        if self._busy or not self.camera.sleep():
            self._note("no sleep")
        else:
            self._note("sleep")

    def reboot_started(self) -> None:
        """It went down to restart (over HTTP, say): silent ``reboot_seconds``,
        then it boots awake with a heartbeat."""
        if not self.camera.rebooting:
            self.camera.begin_reboot()
        self._restart()

    def install_started(self) -> None:
        """``upgrade.online`` started a download (``SimulatedCamera.installing``):
        ``install_seconds`` awake and answering, then the restart."""
        if not self.camera.installing:
            return
        self._note("installing", self.camera.latest_firmware)
        self._busy += 1
        self._cancel(self._key("sleep"))
        self._schedule(
            self._key("install"), self.habits.install_seconds or 0.0, self._installed
        )

    def stop(self) -> None:
        """Cancel every timer of this camera."""
        for name in ("sleep", "modem", "boot", "install", "link", *self._acts):
            self._cancel(self._key(name))
        self._acts.clear()

    # --- what it does -----------------------------------------------------------------

    def _begin_wake(self, uplinks: list[tuple[str, dict[str, Any]]]) -> None:
        self._waking = True
        self._after_wake.extend(uplinks)
        if self.habits.wake_latency > 0:
            self._schedule(self._key("modem"), self.habits.wake_latency, self._modem_up)
        else:
            self._modem_up()

    def _modem_up(self) -> None:
        if not self._waking:
            return
        self._waking = False
        pending, self._after_wake = self._after_wake, []
        if self.camera.rebooting:
            return
        self.camera.awake = True
        self._note("awake")
        self._post_wake(self.camera.heartbeat(), pending)
        self._touch()

    def _post_wake(
        self,
        heartbeat: dict[str, Any] | None,
        uplinks: list[tuple[str, dict[str, Any]]],
    ) -> None:
        """A wake's heartbeat (if any) and uplinks, pictures first if that is the
        habit; the backlog (online, pictures not muted) before the wake's own."""
        backlog: list[tuple[str, dict[str, Any]]] = []
        if not self.camera.offline and self.camera.posts("snapshot"):
            backlog = [("snapshot", m) for m in self.camera.take_backlog()]
            if backlog:
                self._note("backlog", f"{len(backlog)} upload(s)")
        pictures = backlog + [u for u in uplinks if u[0] == "snapshot"]
        others = [u for u in uplinks if u[0] != "snapshot"]
        beat = [] if heartbeat is None else [("heartbeat", heartbeat)]
        order = (pictures + beat) if self.habits.picture_first else (beat + pictures)
        for kind, message in order + others:
            self._post(kind, message)

    def _own_uplink(self, kind: str, message: dict[str, Any]) -> None:
        camera = self.camera
        if camera.rebooting:
            self._note("lost", f"{kind} (restarting)")
        elif camera.offline:
            self._note(
                "offline", "picture kept" if kind == "snapshot" else f"{kind} lost"
            )
        elif self._waking:
            self._after_wake.append((kind, message))
        elif camera.awake:
            self._post(kind, message)
            self._touch()
        else:
            self._begin_wake([(kind, message)])

    def _routed(self, kind: str, message: dict[str, Any]) -> bool:
        """Whether an uplink goes on to the broker: not muted, not offline (a
        picture goes back to the backlog), not a picture the cloud takes."""
        camera = self.camera
        if not camera.posts(kind):
            self._note("muted", kind)
            return False
        if camera.offline:
            if kind == "snapshot":
                camera.upload_failed(message)
            self._note("lost", f"{kind} (offline)")
            return False
        if kind == "snapshot" and camera.pictures_to_cloud:
            camera.to_cloud(message)
            self._note("cloud", "snapshot")
            return False
        return True

    def _post(self, kind: str, message: dict[str, Any]) -> None:
        """Publish an uplink now, unless its switch is off (or see :meth:`_routed`)."""
        if self._routed(kind, message):
            self._publish(self.topics.uplink(kind), message)

    def _send_uplink(self, kind: str, message: dict[str, Any], delay: float) -> None:
        if self._routed(kind, message):
            self._enqueue(self.topics.uplink(kind), message, delay)

    def _touch(self) -> None:
        """Its own activity: the awake window starts again (not while busy, on
        external power or restarting)."""
        if self._busy:
            self._cancel(self._key("sleep"))
            return
        if self.camera.external_power or self.camera.rebooting:
            return
        self._schedule(self._key("sleep"), self.habits.awake_window, self.sleep)

    def _send_answer(self, response: dict[str, Any]) -> None:
        self.answers += 1
        delay = self.habits.rtt
        every = self.habits.late_every
        if every and self.answers % every == 0:
            delay += self.habits.late_by
            self._note("late", f"{response['api']} by {self.habits.late_by:g} s")
        for _ in range(2 if self.habits.repeat_answers else 1):
            self._enqueue(self.topics.response, response, delay)

    def _enqueue(self, topic: str, message: dict[str, Any], delay: float) -> None:
        """Send over the link: ``delay`` from now, never before what went before."""
        now = self._clock()
        due = max(now + delay, self._link_due)
        self._link_due = due
        if due <= now and not self._link:
            self._publish(topic, message)
            return
        self._link.append((due, topic, message))
        if len(self._link) == 1:
            self._schedule(self._key("link"), due - now, self._drain)

    def _drain(self) -> None:
        now = self._clock()
        while self._link and self._link[0][0] <= now:
            _, topic, message = self._link.popleft()
            self._publish(topic, message)
        if self._link:
            self._schedule(self._key("link"), self._link[0][0] - now, self._drain)

    def _start_act(self, kind: str, uplink: dict[str, Any]) -> None:
        name = f"act-{next(self._act_ids)}"
        self._acts.add(name)
        self._busy += 1
        self._cancel(self._key("sleep"))
        self._schedule(
            self._key(name),
            self.habits.act_seconds,
            lambda: self._act_done(name, kind, uplink),
        )

    def _act_done(self, name: str, kind: str, uplink: dict[str, Any]) -> None:
        if name not in self._acts:
            return
        self._acts.discard(name)
        self._busy -= 1
        if not self.up:
            self._note("lost", kind)
            return
        self._post(kind, uplink)
        self._touch()

    def _restart(self) -> None:
        """The camera is down (``rebooting``): silence, then :meth:`_boot`."""
        self._note("reboot")
        for name in ("sleep", "modem", "install", *self._acts):
            self._cancel(self._key(name))
        self._acts.clear()
        self._busy = 0
        self._waking = False
        self._after_wake.clear()
        self._schedule(self._key("boot"), self.reboot_seconds, self._boot)

    def _boot(self) -> None:
        if not self.camera.rebooting:
            return
        heartbeat = self.camera.end_reboot()
        self._note("booted")
        if heartbeat is None:
            self._note("muted", "heartbeat")
        self._post_wake(heartbeat, [])
        self._touch()

    def _installed(self) -> None:
        self._busy = max(0, self._busy - 1)
        if self.camera.finish_install():
            self._note("installed", self.camera.firmware)
            self._restart()


class VirtualClock:
    """Timers on a clock that moves only when told: deterministic runner tests.

    ``schedule``/``cancel``/``clock`` fit :class:`CameraRunner`; :meth:`advance`
    runs what falls due, in time order (ties in the order scheduled).
    """

    def __init__(self) -> None:
        """Time 0, no timers."""
        self.now = 0.0
        self._timers: dict[str, tuple[float, int]] = {}
        self._queue: list[tuple[float, int, str, Action]] = []
        self._ids = itertools.count()

    def clock(self) -> float:
        """The virtual time."""
        return self.now

    def schedule(self, key: str, delay: float, action: Action) -> None:
        """Run ``action`` ``delay`` from now, replacing the timer under ``key``."""
        entry = (self.now + max(0.0, delay), next(self._ids))
        self._timers[key] = entry
        heapq.heappush(self._queue, (*entry, key, action))

    def cancel(self, key: str) -> None:
        """Drop the timer under ``key``."""
        self._timers.pop(key, None)

    def pending(self) -> dict[str, float]:
        """Timer keys and when they fall due."""
        return {key: due for key, (due, _) in self._timers.items()}

    def advance(self, seconds: float = 0.0) -> None:
        """Move time on by ``seconds``, running every timer due by then."""
        end = self.now + seconds
        while self._queue and self._queue[0][0] <= end:
            due, number, key, action = heapq.heappop(self._queue)
            if self._timers.get(key) != (due, number):
                continue  # replaced or cancelled
            del self._timers[key]
            self.now = max(self.now, due)
            action()
        self.now = end


class LoopTimers:
    """``schedule``/``cancel``/``clock`` on an asyncio loop (``loop.call_later``),
    for a runner living in an event loop (Home Assistant's, in tests)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        """Timers on ``loop``."""
        self.loop = loop
        self._handles: dict[str, asyncio.TimerHandle] = {}

    def clock(self) -> float:
        """The loop's time."""
        return self.loop.time()

    def schedule(self, key: str, delay: float, action: Action) -> None:
        """Run ``action`` ``delay`` from now, replacing the timer under ``key``."""
        self.cancel(key)

        def fire() -> None:
            self._handles.pop(key, None)
            action()

        self._handles[key] = self.loop.call_later(max(0.0, delay), fire)

    def cancel(self, key: str) -> None:
        """Drop the timer under ``key``."""
        if (handle := self._handles.pop(key, None)) is not None:
            handle.cancel()

    def cancel_all(self) -> None:
        """Drop every timer (the end of a test)."""
        for key in list(self._handles):
            self.cancel(key)


__all__ = [
    "WAKE_PREFIX",
    "CameraRunner",
    "Habits",
    "LoopTimers",
    "Topics",
    "VirtualClock",
]
