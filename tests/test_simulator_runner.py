"""The runner's timing habits, on a virtual clock (no broker, no threads).

Each habit of :class:`simulator.runner.Habits` has a test here that fails without
it; the defaults are pinned to the original (instant, in order, once) simulator.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from simulator import SimulatedCamera
from simulator.runner import CameraRunner, Habits, LoopTimers, Topics, VirtualClock

from .helpers import configure_request

MAC = "1CC3164126A2"
TOPICS = Topics()
SHORT = {
    TOPICS.heartbeat: "heartbeat",
    TOPICS.snapshot: "snapshot",
    TOPICS.alarm: "alarm",
}


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override the package-wide fixture: no Home Assistant here."""


def request(api: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
    """A configure request for the test camera."""
    return configure_request(MAC, api, data)


class Rig:
    """One camera, its runner, a virtual clock, and what it published when."""

    def __init__(self, habits: Habits | None = None, **switches: Any) -> None:
        self.clock = VirtualClock()
        self.camera = SimulatedCamera(MAC, **switches)
        self.sent: list[tuple[float, str, dict[str, Any]]] = []
        self.runner = CameraRunner(
            self.camera,
            habits or Habits(),
            TOPICS,
            self.clock.schedule,
            self.clock.cancel,
            self.publish,
            clock=self.clock.clock,
        )

    def publish(self, topic: str, message: dict[str, Any]) -> None:
        self.sent.append((self.clock.now, topic, message))

    @staticmethod
    def _name(topic: str, message: dict[str, Any]) -> str:
        return SHORT.get(topic) or f"answer {message['api']}"

    def events(self) -> list[tuple[float, str]]:
        """(time, what) of everything published: "heartbeat", "answer get.x", ..."""
        return [(round(t, 6), self._name(topic, m)) for t, topic, m in self.sent]

    def kinds(self) -> list[str]:
        """What was published, in order."""
        return [self._name(topic, m) for _, topic, m in self.sent]

    def ask(self, api: str, data: dict[str, Any] | None = None) -> None:
        """A request reaches the camera now."""
        self.runner.on_request(request(api, data))

    def answers(self) -> list[dict[str, Any]]:
        """The answers published, in order."""
        return [m for _, topic, m in self.sent if topic == TOPICS.response]

    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)

    def asleep(self) -> Rig:
        """Put the camera to sleep (as at the end of an awake window)."""
        self.runner.sleep()
        assert not self.camera.awake
        return self


# --- defaults: the original simulator ---------------------------------------------------


def test_defaults_are_instant_in_order_and_once() -> None:
    """Habits(): answers, pictures and a wake's heartbeat go out at once, in order."""
    rig = Rig()
    rig.ask("get.image.info")
    rig.ask("cmd.snapshot")
    assert rig.events() == [
        (0, "answer get.image.info"),
        (0, "answer cmd.snapshot"),
        (0, "snapshot"),
    ]
    rig.asleep().runner.on_wake_message(b"1")
    assert rig.kinds()[3:] == ["heartbeat", "snapshot"]
    assert rig.clock.pending() == {f"{MAC}/sleep": 20.0}


def test_defaults_requests_keep_it_awake_and_reboot_does_not_interrupt() -> None:
    """Habits(): every answer restarts the 20 s window; an answered cmd.reboot and
    upgrade.online change nothing else (the firmware at once)."""
    rig = Rig()
    rig.runner.wake_by_itself()
    rig.advance(15)
    rig.ask("cmd.reboot")
    rig.ask("upgrade.online")
    assert rig.camera.firmware == rig.camera.latest_firmware
    rig.advance(15)
    rig.ask("get.image.info")
    assert rig.answers()[-1]["api"] == "get.image.info"
    assert rig.camera.awake
    rig.advance(20)
    assert not rig.camera.awake


# --- wake_latency ------------------------------------------------------------------


def test_wake_latency_heartbeat_after_the_modem_is_up() -> None:
    """A wake's heartbeat comes wake_latency later; meanwhile requests are lost
    and a second wake changes nothing."""
    rig = Rig(Habits(wake_latency=8, woken_picture=False)).asleep()
    rig.runner.on_wake_message(b"1")
    rig.advance(7.9)
    rig.ask("get.image.info")
    rig.runner.on_wake_message(b"1")
    assert rig.sent == []
    assert not rig.camera.awake
    rig.advance(0.1)
    assert rig.events() == [(8, "heartbeat")]
    rig.ask("get.image.info")
    assert rig.kinds() == ["heartbeat", "answer get.image.info"]
    size = len(json.dumps(request("get.image.info")).encode())
    assert rig.runner.received == [
        ("wake", 1),
        ("get.image.info", size),
        ("wake", 1),
        ("get.image.info", size),
    ]


def test_wake_by_itself_waits_for_the_modem_too() -> None:
    """A PIR/timer wake of a sleeping camera: heartbeat and picture after the latency."""
    rig = Rig(Habits(wake_latency=8)).asleep()
    rig.runner.wake_by_itself(("PIR", ""))
    rig.advance(7)
    assert rig.sent == []
    rig.advance(1)
    assert rig.events() == [(8, "heartbeat"), (8, "snapshot")]
    assert rig.sent[1][2]["values"]["snapType"] == "PIR"


# --- rtt ------------------------------------------------------------------------------


def test_rtt_delays_every_answer() -> None:
    """An answer arrives rtt after its request, and the picture of an act-less
    cmd.snapshot behind it."""
    rig = Rig(Habits(rtt=0.8))
    rig.ask("get.image.info")
    rig.advance(0.5)
    rig.ask("cmd.snapshot")
    rig.advance(0.29)
    assert rig.sent == []
    rig.advance(0.01)
    assert rig.events() == [(0.8, "answer get.image.info")]
    rig.advance(0.5)
    assert rig.events()[1:] == [(1.3, "answer cmd.snapshot"), (1.3, "snapshot")]


# --- awake_window and requests_keep_awake -------------------------------------------------


@pytest.mark.parametrize(("keep_awake", "sleeps_at"), [(True, 11.0), (False, 6.0)])
def test_awake_window_counts_from_its_own_activity(
    keep_awake: bool, sleeps_at: float
) -> None:
    """awake_window 6 from the wake; a request at 5 extends it only when
    requests_keep_awake (the field: being asked something does not)."""
    rig = Rig(Habits(awake_window=6, requests_keep_awake=keep_awake)).asleep()
    rig.runner.on_wake_message()
    rig.advance(5)
    rig.ask("get.image.info")
    assert rig.answers()
    rig.advance(sleeps_at - 5 - 0.01)
    assert rig.camera.awake
    rig.advance(0.01)
    assert not rig.camera.awake
    assert rig.runner.log[-1] == f"sleep {MAC}"


def test_own_uplinks_keep_it_awake() -> None:
    """An alarm it posts is its own activity: the window starts again."""
    rig = Rig(Habits(awake_window=6, requests_keep_awake=False))
    rig.runner.wake_by_itself()
    rig.advance(4)
    rig.runner.post_alarm("Low power")
    rig.advance(5)
    assert rig.camera.awake
    rig.advance(1)
    assert not rig.camera.awake


def test_sleeping_camera_records_and_loses_requests() -> None:
    """Asleep: a request is received (api, bytes) and gets nothing."""
    rig = Rig().asleep()
    rig.ask("get.image.info")
    rig.ask("cmd.snapshot")
    assert rig.sent == []
    assert [api for api, _ in rig.runner.received] == ["get.image.info", "cmd.snapshot"]
    assert rig.camera.snapshots_taken == 0
    assert f"get.image.info {MAC} no answer (asleep)" in rig.runner.log


# --- picture_first, wake_picture, woken_picture -------------------------------------------


@pytest.mark.parametrize(
    ("first", "order"),
    [(False, ["heartbeat", "snapshot"]), (True, ["snapshot", "heartbeat"])],
)
def test_picture_first(first: bool, order: list[str]) -> None:
    """The wake picture before the heartbeat when that is the habit."""
    rig = Rig(Habits(picture_first=first, wake_latency=2)).asleep()
    rig.runner.wake_by_itself()
    rig.advance(2)
    assert rig.kinds() == order


def test_wake_picture_off_wakes_with_a_heartbeat_only() -> None:
    """wake_picture False: a wake by itself posts no picture."""
    rig = Rig(Habits(wake_picture=False)).asleep()
    rig.runner.wake_by_itself()
    assert rig.kinds() == ["heartbeat"]
    rig.runner.wake_by_itself(picture=True)  # the hub's snapshot_every may ask
    assert rig.kinds() == ["heartbeat", "heartbeat", "snapshot"]


def test_woken_picture_off_a_wake_message_brings_no_picture() -> None:
    """woken_picture False (the field): woken for configuration, no picture."""
    rig = Rig(Habits(woken_picture=False)).asleep()
    rig.runner.on_wake_message()
    assert rig.kinds() == ["heartbeat"]


# --- act_seconds --------------------------------------------------------------------------


def test_slow_act_picture_later_and_awake_meanwhile() -> None:
    """cmd.snapshot: the answer after rtt, the Manual picture act_seconds after the
    request; the act keeps it awake past its window, which restarts afterwards."""
    habits = Habits(rtt=0.5, act_seconds=5, awake_window=2, requests_keep_awake=False)
    rig = Rig(habits)
    rig.runner.wake_by_itself(picture=False)
    rig.ask("cmd.snapshot")
    rig.advance(4.9)
    assert rig.events() == [(0, "heartbeat"), (0.5, "answer cmd.snapshot")]
    assert rig.camera.awake
    rig.advance(0.1)
    assert rig.events()[-1] == (5, "snapshot")
    assert rig.sent[-1][2]["values"]["snapType"] == "Manual"
    rig.advance(1.9)
    assert rig.camera.awake
    rig.advance(0.1)
    assert not rig.camera.awake


def test_slow_act_without_answer_brings_only_the_picture() -> None:
    """snapshot_answer False with a slow act: nothing but the picture, later."""
    rig = Rig(Habits(act_seconds=5), snapshot_answer=False)
    rig.ask("cmd.snapshot")
    rig.advance(5)
    assert rig.events() == [(5, "snapshot")]


# --- late_every / late_by -----------------------------------------------------------------


def test_late_answers_hold_back_the_ones_after_them() -> None:
    """Every 2nd answer 4 s late; the 3rd, due earlier, waits behind it (in order)."""
    rig = Rig(Habits(rtt=1, late_every=2, late_by=4))
    rig.ask("get.image.info")
    rig.advance(0.5)
    rig.ask("get.capture.info")
    rig.advance(0.5)
    rig.ask("get.wakeup.info")
    rig.advance(10)
    assert rig.events() == [
        (1, "answer get.image.info"),
        (5.5, "answer get.capture.info"),
        (5.5, "answer get.wakeup.info"),
    ]
    assert f"late {MAC} get.capture.info by 4 s" in rig.runner.log


def test_no_late_answers_by_default() -> None:
    """late_every 0: every answer on time."""
    rig = Rig(Habits(rtt=1, late_by=4))
    for api in ("get.image.info", "get.capture.info", "get.wakeup.info"):
        rig.ask(api)
    rig.advance(1)
    assert [t for t, _ in rig.events()] == [1, 1, 1]


# --- repeat_answers -----------------------------------------------------------------------


def test_repeat_answers_each_answer_twice_back_to_back() -> None:
    """A QoS 1 duplicate: each answer twice in a row, the picture once."""
    rig = Rig(Habits(repeat_answers=True))
    rig.ask("get.image.info")
    rig.ask("cmd.snapshot")
    assert rig.kinds() == [
        "answer get.image.info",
        "answer get.image.info",
        "answer cmd.snapshot",
        "answer cmd.snapshot",
        "snapshot",
    ]


# --- wake_when_awake ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("habit", "published"), [("nothing", []), ("heartbeat", [(0.3, "heartbeat")])]
)
def test_wake_reaching_an_awake_camera(
    habit: Any, published: list[tuple[float, str]]
) -> None:
    """Awake, a wake does nothing, or (habit) brings a heartbeat after rtt."""
    rig = Rig(Habits(wake_when_awake=habit, rtt=0.3))
    rig.runner.on_wake_message(b"1")
    rig.advance(1)
    assert rig.events() == published


def test_external_power_ignores_wakes_whatever_the_habit() -> None:
    """USB-C: never asleep, a wake brings nothing, and it never sleeps."""
    rig = Rig(Habits(wake_when_awake="heartbeat"), external_power=True)
    rig.runner.on_wake_message()
    rig.runner.wake_by_itself()  # its heartbeat interval
    rig.advance(100)
    assert rig.kinds() == ["heartbeat", "snapshot"]
    assert rig.camera.awake
    assert rig.clock.pending() == {}


# --- restarts -------------------------------------------------------------------------------


def test_silent_reboot_is_down_then_boots_with_a_heartbeat() -> None:
    """reboot_answer False: no answer, deaf for reboot_seconds, then a heartbeat."""
    rig = Rig(Habits(), reboot_answer=False, reboot_seconds=3)
    rig.ask("cmd.reboot")
    rig.advance(2.9)
    rig.ask("get.image.info")
    rig.runner.on_wake_message()
    rig.runner.wake_by_itself()
    assert rig.sent == []
    rig.advance(0.1)
    assert rig.events() == [(3, "heartbeat")]
    rig.ask("get.image.info")
    assert rig.kinds()[-1] == "answer get.image.info"
    assert [line.split()[0] for line in rig.runner.log].count("booted") == 1


def test_answered_reboot_restarts_when_that_is_the_habit() -> None:
    """reboot_restarts: the OK (in flight) arrives, then silence, then a heartbeat
    (Habits.reboot_seconds over the camera's)."""
    rig = Rig(Habits(reboot_restarts=True, reboot_seconds=10, rtt=0.5))
    rig.ask("cmd.reboot")
    assert rig.camera.rebooting
    rig.advance(1)
    rig.ask("get.image.info")
    rig.advance(8.9)
    assert rig.events() == [(0.5, "answer cmd.reboot")]
    rig.advance(0.1)
    assert rig.events()[-1] == (10, "heartbeat")
    assert rig.camera.reboots == 1


def test_http_reboot_reported_to_the_runner() -> None:
    """reboot_started (the HTTP front end's on_reboot): the same silence and boot."""
    rig = Rig(Habits(reboot_seconds=2))
    rig.runner.reboot_started()
    rig.ask("get.image.info")
    rig.advance(2)
    assert rig.kinds() == ["heartbeat"]


def test_firmware_install_downloads_restarts_and_boots_the_new_version() -> None:
    """upgrade.online: OK; downloading (awake, answering, old version); restart
    (silent); boot with the new firmware and a heartbeat; nothing more offered."""
    habits = Habits(install_seconds=5, reboot_seconds=3, awake_window=1)
    rig = Rig(habits, firmware="V_31.1.0.3", latest_firmware="V_31.1.0.4")
    rig.ask("upgrade.online", {"url": "http://firmware.invalid/x.bin"})
    assert rig.answers()[-1]["data"] == {"code": 0, "result": "OK"}
    rig.advance(4.9)
    rig.ask("get.login.info")
    assert rig.answers()[-1]["data"]["software"] == "V_31.1.0.3"
    assert rig.camera.awake  # the download keeps it up past its 1 s window
    rig.advance(0.1)
    assert rig.camera.rebooting
    rig.ask("get.login.info")
    rig.advance(2.9)
    assert rig.kinds()[-1] == "answer get.login.info"
    assert len(rig.answers()) == 2
    rig.advance(0.1)
    assert rig.events()[-1] == (8, "heartbeat")
    rig.ask("get.login.info")
    rig.ask("upgrade.check")
    assert rig.answers()[-2]["data"]["software"] == "V_31.1.0.4"
    assert rig.answers()[-1]["data"]["updateState"] == 0
    assert f"installed {MAC} V_31.1.0.4" in rig.runner.log


# --- capture.info switches mute uplinks ------------------------------------------------------


def _set(rig: Rig, **changes: Any) -> None:
    rig.ask("set.capture.info", changes)
    assert rig.answers()[-1]["data"]["code"] == 0
    rig.sent.clear()


def test_post_enable_off_posts_nothing_but_answers() -> None:
    """postEnable 0: no heartbeat, picture or alarm; answers still come."""
    rig = Rig()
    _set(rig, postEnable=0)
    rig.runner.wake_by_itself()
    rig.runner.post_alarm("Low power")
    rig.runner.post_capture("PIR")
    rig.ask("cmd.snapshot")
    assert rig.kinds() == ["answer cmd.snapshot"]


@pytest.mark.parametrize("off", [0, "0"])
def test_status_enable_off_no_heartbeats(off: Any) -> None:
    """statusEnable 0 or "0": wakes and boots post no heartbeat; pictures still."""
    rig = Rig(Habits(reboot_seconds=1), reboot_answer=False)
    _set(rig, statusEnable=off)
    rig.asleep().runner.on_wake_message()
    assert rig.kinds() == ["snapshot"]
    rig.ask("cmd.reboot")
    rig.advance(1)
    assert rig.kinds() == ["snapshot"]
    assert rig.camera.awake


def test_snapshot_enable_off_no_pictures() -> None:
    """snapshotEnable 0: the wake's heartbeat, cmd.snapshot's OK, no picture."""
    rig = Rig(Habits(act_seconds=1))
    _set(rig, snapshotEnable=0)
    rig.runner.wake_by_itself()
    rig.ask("cmd.snapshot")
    rig.advance(2)
    assert rig.kinds() == ["heartbeat", "answer cmd.snapshot"]


def test_alarm_enable_off_no_alarms() -> None:
    """Alarms need alarmEnable."""
    rig = Rig()
    rig.runner.post_alarm("Low power")
    assert rig.kinds() == ["alarm"]
    _set(rig, alarmEnable=0)
    rig.runner.post_alarm("Low power")
    assert rig.sent == []


# --- own uplinks of a sleeping camera -----------------------------------------------------


def test_alarm_and_capture_wake_a_sleeping_camera_heartbeat_first() -> None:
    """A sleeping camera wakes to post: heartbeat (after the latency), then the
    alarm / the trigger's picture."""
    rig = Rig(Habits(wake_latency=2)).asleep()
    rig.runner.post_alarm("Low power")
    rig.advance(2)
    assert rig.events() == [(2, "heartbeat"), (2, "alarm")]
    rig.asleep().runner.post_capture("Noise", "78")
    rig.advance(2)
    assert rig.kinds()[2:] == ["heartbeat", "snapshot"]
    assert rig.sent[-1][2]["values"]["triggerValue"] == "78"


def test_stop_cancels_every_timer() -> None:
    """After stop nothing more happens."""
    rig = Rig(Habits(rtt=1, act_seconds=2, wake_latency=1)).asleep()
    rig.runner.on_wake_message()
    rig.advance(1)
    rig.ask("cmd.snapshot")
    rig.runner.stop()
    rig.advance(10)
    assert rig.kinds() == ["heartbeat", "snapshot"]
    assert rig.clock.pending() == {}


# --- the presets ----------------------------------------------------------------------


def test_field_preset_values() -> None:
    """Habits.field(): the unkind combination; late and repeat separately."""
    field = Habits.field()
    assert (field.wake_latency, field.rtt, field.awake_window) == (8, 0.8, 6)
    assert not field.requests_keep_awake
    assert field.picture_first
    assert not field.woken_picture
    assert field.act_seconds == 5
    assert (field.late_every, field.repeat_answers) == (0, False)
    assert field.reboot_restarts
    assert (field.reboot_seconds, field.install_seconds) == (30, 60)
    assert Habits.field(late_every=3, late_by=2).late_every == 3


def test_scaled_multiplies_every_duration_only() -> None:
    """scaled(1/50): durations shrink, switches and counts stay, None stays None."""
    fast = Habits.field(late_every=2, late_by=4).scaled(1 / 50)
    assert fast.wake_latency == pytest.approx(0.16)
    assert fast.rtt == pytest.approx(0.016)
    assert fast.awake_window == pytest.approx(0.12)
    assert fast.act_seconds == pytest.approx(0.1)
    assert fast.late_by == pytest.approx(0.08)
    assert fast.reboot_seconds == pytest.approx(0.6)
    assert fast.install_seconds == pytest.approx(1.2)
    assert (fast.late_every, fast.requests_keep_awake) == (2, False)
    assert Habits().scaled(2).reboot_seconds is None
    with pytest.raises(ValueError, match="positive"):
        Habits().scaled(0)
    with pytest.raises(ValueError, match="rtt must not be negative"):
        Habits(rtt=-1)


def test_field_preset_scaled_end_to_end() -> None:
    """The field at 1/50 speed: a wake heard 0.16 s later, picture-less; gets
    answered 0.016 s later but they do not keep it up: it sleeps 0.12 s after its
    heartbeat, and the next request is lost."""
    rig = Rig(Habits.field().scaled(1 / 50)).asleep()
    rig.runner.on_wake_message()
    rig.advance(0.16)
    rig.ask("get.image.info")
    rig.advance(0.1)
    rig.ask("get.capture.info")
    rig.advance(0.03)
    assert not rig.camera.awake
    rig.ask("get.wakeup.info")
    rig.advance(1)
    assert rig.events() == [
        (0.16, "heartbeat"),
        (0.176, "answer get.image.info"),
        (0.276, "answer get.capture.info"),
    ]
    assert rig.runner.received[-1][0] == "get.wakeup.info"


# --- the asyncio timers ---------------------------------------------------------------


async def test_loop_timers_drive_a_runner_in_an_event_loop() -> None:
    """LoopTimers (loop.call_later): the answer arrives rtt later in real time."""
    loop = asyncio.get_running_loop()
    timers = LoopTimers(loop)
    camera = SimulatedCamera(MAC)
    arrived: list[tuple[float, str]] = []
    runner = CameraRunner(
        camera,
        Habits(rtt=0.05, awake_window=0.1),
        TOPICS,
        timers.schedule,
        timers.cancel,
        lambda topic, message: arrived.append((loop.time(), topic)),
        clock=timers.clock,
    )
    start = loop.time()
    runner.on_request(request("get.image.info"))
    assert arrived == []
    await asyncio.sleep(0.2)
    assert [topic for _, topic in arrived] == [TOPICS.response]
    assert arrived[0][0] - start >= 0.05
    assert not camera.awake  # the 0.1 s window ran out
    runner.on_wake_message()
    timers.cancel_all()
    await asyncio.sleep(0.15)
    assert camera.awake  # its sleep timer was cancelled


def test_virtual_clock_replaces_timers_with_the_same_key() -> None:
    """A key scheduled again runs once, at its new time."""
    clock = VirtualClock()
    ran: list[float] = []
    clock.schedule("k", 1, lambda: ran.append(clock.now))
    clock.schedule("k", 3, lambda: ran.append(clock.now))
    clock.advance(5)
    assert ran == [3]
    clock.schedule("k", 1, lambda: ran.append(clock.now))
    clock.cancel("k")
    clock.advance(5)
    assert ran == [3]
