"""The simulator's MQTT hub against a real mosquitto: what goes on the wire, and when."""

from __future__ import annotations

from collections.abc import Callable, Generator
import json
from pathlib import Path
import subprocess
import sys
import threading
import time
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion
import pytest

from simulator import SimulatedCamera
from simulator.mqtt import WAKE_PREFIX, Habits, SimulatorHub, Topics
from tests.helpers import subprocess_env

from .conftest import Mosquitto

MAC = "1CC3164126A2"
ROOT = Path(__file__).resolve().parents[2]
TOPICS = Topics()

pytestmark = [pytest.mark.usefixtures("socket_enabled"), pytest.mark.timeout(60)]


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override the package-wide fixture: no Home Assistant here."""


class Listener:
    """A plain MQTT client on the camera topics: records what arrives, sends requests."""

    def __init__(self, port: int) -> None:
        self.messages: list[tuple[float, str, dict[str, Any]]] = []
        self._changed = threading.Condition()
        self._subscribed = threading.Event()
        self.client = paho.Client(CallbackAPIVersion.VERSION2, client_id="listener")
        self.client.on_connect = lambda client, *_: client.subscribe(
            [
                (TOPICS.heartbeat, 0),
                (TOPICS.snapshot, 0),
                (TOPICS.response, 0),
                (TOPICS.alarm, 0),
            ]
        )
        self.client.on_subscribe = lambda *_: self._subscribed.set()
        self.client.on_message = self._on_message
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        assert self._subscribed.wait(10), "listener not subscribed"

    def _on_message(self, client: Any, userdata: Any, msg: paho.MQTTMessage) -> None:
        with self._changed:
            self.messages.append((time.monotonic(), msg.topic, json.loads(msg.payload)))
            self._changed.notify_all()

    def on(self, topic: str) -> list[dict[str, Any]]:
        """The messages received on ``topic``, in order."""
        with self._changed:
            return [message for _, t, message in self.messages if t == topic]

    def wait(
        self, condition: Callable[[], bool], limit: float = 10.0, what: str = "it"
    ) -> None:
        """Block until ``condition`` holds (polled; messages wake it at once)."""
        deadline = time.monotonic() + limit
        with self._changed:
            while not condition():
                if time.monotonic() > deadline:
                    raise AssertionError(f"waited {limit} s for {what} in vain")
                self._changed.wait(0.05)

    def quiet(self, seconds: float) -> list[tuple[float, str, dict[str, Any]]]:
        """What arrives during the next ``seconds``."""
        start = len(self.messages)
        time.sleep(seconds)
        with self._changed:
            return self.messages[start:]

    def send(self, api: str, data: dict[str, Any] | None = None) -> None:
        """A request on the configure request topic."""
        message: dict[str, Any] = {"api": api, "devMac": MAC}
        if data is not None:
            message["data"] = data
        self.client.publish(TOPICS.request, json.dumps(message)).wait_for_publish(5)

    def wake(self, mac: str = MAC) -> None:
        """Any payload on the wake topic."""
        self.client.publish(WAKE_PREFIX + mac, "1").wait_for_publish(5)

    def close(self) -> None:
        """Disconnect and stop the network thread."""
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def listener(broker: Mosquitto) -> Generator[Listener]:
    """A client listening on the broker before any camera starts."""
    client = Listener(broker.port)
    yield client
    client.close()


@pytest.fixture
def start_hub(broker: Mosquitto) -> Generator[Callable[..., SimulatorHub]]:
    """Start hubs on the broker; every one is stopped after the test."""
    hubs: list[SimulatorHub] = []

    def start(*cameras: SimulatedCamera, **options: Any) -> SimulatorHub:
        hub = SimulatorHub(cameras, "127.0.0.1", broker.port, **options)
        hubs.append(hub)
        hub.start()
        return hub

    yield start
    for hub in hubs:
        hub.stop()


def test_wake_topic_wakes_a_sleeping_camera_only(
    listener: Listener, start_hub: Callable[..., SimulatorHub]
) -> None:
    """A wake reaching an awake camera sends nothing; a sleeping one sends a heartbeat."""
    camera = SimulatedCamera(MAC)
    hub = start_hub(camera, interval=3600, awake_window=1.0)
    listener.wait(
        lambda: len(listener.on(TOPICS.heartbeat)) == 1, what="boot heartbeat"
    )
    listener.wake()
    assert not [m for m in listener.quiet(0.5) if m[1] == TOPICS.heartbeat]
    listener.wait(lambda: not camera.awake, what="sleep")
    listener.send("get.image.info")
    assert not listener.quiet(0.5), "an asleep camera answered"
    listener.wake()
    listener.wait(lambda: len(listener.on(TOPICS.heartbeat)) == 2, what="heartbeat")
    listener.send("get.image.info")
    listener.wait(lambda: len(listener.on(TOPICS.response)) == 1, what="answer")
    assert f"wake {MAC}" in hub.log


def test_external_power_heartbeat_only_at_its_interval(
    listener: Listener, start_hub: Callable[..., SimulatorHub]
) -> None:
    """USB-C: never put to sleep, wakes do nothing, a heartbeat every interval."""
    camera = SimulatedCamera(MAC, external_power=True)
    hub = start_hub(camera, interval=1.5, awake_window=0.2)
    listener.wait(lambda: len(listener.on(TOPICS.heartbeat)) == 1, what="heartbeat")
    first = time.monotonic()
    listener.wake()
    listener.wake()
    assert not [m for m in listener.quiet(0.8) if m[1] == TOPICS.heartbeat]
    assert camera.awake
    assert not any(line.startswith("sleep") for line in hub.log)
    listener.send("get.device.status")
    listener.wait(lambda: len(listener.on(TOPICS.response)) == 1, what="answer")
    assert listener.on(TOPICS.response)[0]["data"]["powerSupply"] == 1
    listener.wait(lambda: len(listener.on(TOPICS.heartbeat)) == 2, what="next one")
    assert time.monotonic() - first > 1.0
    assert camera.awake


def test_snapshot_picture_only_on_the_wire(
    listener: Listener, start_hub: Callable[..., SimulatorHub]
) -> None:
    """cmd.snapshot without an answer: the hub still publishes the picture."""
    camera = SimulatedCamera(MAC, snapshot_answer=False)
    start_hub(camera, interval=3600, awake_window=30)
    listener.wait(lambda: len(listener.on(TOPICS.snapshot)) == 1, what="wake-up")
    listener.send("cmd.snapshot")
    listener.wait(lambda: len(listener.on(TOPICS.snapshot)) == 2, what="the picture")
    assert listener.on(TOPICS.snapshot)[-1]["values"]["snapType"] == "Manual"
    listener.send("get.image.info")
    listener.wait(lambda: len(listener.on(TOPICS.response)) == 1, what="answer")
    assert [r["api"] for r in listener.on(TOPICS.response)] == ["get.image.info"]


def test_silent_reboot_then_heartbeat(
    listener: Listener, start_hub: Callable[..., SimulatorHub]
) -> None:
    """cmd.reboot unanswered; no answer or wake-up while down; then a heartbeat."""
    camera = SimulatedCamera(MAC, reboot_answer=False, reboot_seconds=1.5)
    hub = start_hub(camera, interval=3600, awake_window=30)
    listener.wait(lambda: len(listener.on(TOPICS.heartbeat)) == 1, what="heartbeat")
    listener.send("cmd.reboot")
    sent = time.monotonic()
    listener.wait(lambda: camera.rebooting, what="the reboot")
    listener.send("get.image.info")
    listener.wake()
    assert listener.quiet(0.7) == [], "a rebooting camera spoke"
    listener.wait(
        lambda: len(listener.on(TOPICS.heartbeat)) == 2, what="boot heartbeat"
    )
    assert time.monotonic() - sent >= 1.4
    assert camera.reboots == 1
    assert listener.on(TOPICS.response) == []
    listener.send("get.image.info")
    listener.wait(lambda: len(listener.on(TOPICS.response)) == 1, what="answer")
    assert [line for line in hub.log if line.split()[0] in {"reboot", "booted"}] == [
        f"reboot {MAC}",
        f"booted {MAC}",
    ]


def test_answered_reboot_does_not_interrupt(
    listener: Listener, start_hub: Callable[..., SimulatorHub]
) -> None:
    """Default: the OK arrives and the camera stays up."""
    camera = SimulatedCamera(MAC)
    start_hub(camera, interval=3600, awake_window=30)
    listener.wait(lambda: len(listener.on(TOPICS.heartbeat)) == 1, what="heartbeat")
    listener.send("cmd.reboot")
    listener.send("get.image.info")
    listener.wait(lambda: len(listener.on(TOPICS.response)) == 2, what="answers")
    assert [r["api"] for r in listener.on(TOPICS.response)] == [
        "cmd.reboot",
        "get.image.info",
    ]


def test_two_hubs_share_a_broker(
    listener: Listener, start_hub: Callable[..., SimulatorHub]
) -> None:
    """Two processes' hubs stay connected side by side and both answer."""
    other = "1CC3164126A3"
    first = start_hub(SimulatedCamera(MAC), interval=3600, awake_window=30)
    second = start_hub(SimulatedCamera(other), interval=3600, awake_window=30)
    assert first.client_id != second.client_id
    listener.wait(lambda: len(listener.on(TOPICS.heartbeat)) == 2, what="heartbeats")
    time.sleep(0.5)  # a duplicate client id would have dropped the first by now
    listener.send("get.image.info")
    listener.client.publish(
        TOPICS.request, json.dumps({"api": "get.image.info", "devMac": other})
    ).wait_for_publish(5)
    listener.wait(lambda: len(listener.on(TOPICS.response)) == 2, what="answers")
    assert {r["devMac"] for r in listener.on(TOPICS.response)} == {MAC, other}
    assert first._client.is_connected()
    assert second._client.is_connected()


def test_two_processes_with_flags_share_a_broker(
    listener: Listener, broker: Mosquitto
) -> None:
    """`python -m simulator` twice on one broker: both stay on, flags reach cameras."""
    other = "1CC3164126B0"
    commands = [
        ["--mac", MAC, "--external-power", "--clock-1970"],
        ["--mac", other, "--snapshot-picture-only"],
    ]
    processes = [
        subprocess.Popen(
            [
                *(sys.executable, "-m", "simulator"),
                *("--broker", f"127.0.0.1:{broker.port}"),
                *("--interval", "3600", "--awake", "30", *flags),
            ],
            cwd=ROOT,
            env=subprocess_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for flags in commands
    ]
    try:
        listener.wait(
            lambda: len(listener.on(TOPICS.heartbeat)) == 2, limit=30, what="both"
        )
        beats = {b["values"]["devMac"]: b for b in listener.on(TOPICS.heartbeat)}
        assert beats[MAC]["values"]["battery"]["powerGoodStat"] == 1
        assert beats[MAC]["ts"] < 60_000  # 1970-01-01, a minute at most
        assert beats[other]["values"]["battery"]["powerGoodStat"] == 0
        assert beats[other]["ts"] > 1_600_000_000_000
        time.sleep(1.5)  # a shared client id would have them take turns by now
        for mac in (MAC, other):
            listener.client.publish(
                TOPICS.request, json.dumps({"api": "cmd.snapshot", "devMac": mac})
            ).wait_for_publish(5)
        listener.wait(
            lambda: len(listener.on(TOPICS.snapshot)) == 4, limit=15, what="pictures"
        )
        listener.wait(lambda: len(listener.on(TOPICS.response)) == 1, what="answer")
        assert listener.quiet(0.5) == []
        assert [r["devMac"] for r in listener.on(TOPICS.response)] == [MAC]
    finally:
        for process in processes:
            process.terminate()
        outputs = [process.communicate(timeout=15)[0] for process in processes]
    assert all(process.returncode == 0 for process in processes), outputs
    ids = {line.rsplit(" ", 1)[1] for out in outputs for line in out.splitlines()
           if "as MQTT client" in line}  # fmt: skip
    assert len(ids) == 2, outputs


def test_hub_keeps_the_runners_field_timing(
    listener: Listener, start_hub: Callable[..., SimulatorHub]
) -> None:
    """The field preset at 1/10 speed on the wire: the start-up wake's picture
    before its heartbeat, both after the 0.8 s wake latency; asleep after its 0.6 s
    window, a request is lost (but received); a wake is heard 0.8 s later, with no
    picture; cmd.snapshot's OK first, its picture 0.5 s after the request."""
    camera = SimulatedCamera(MAC, awake=False)
    started = time.monotonic()
    hub = start_hub(camera, interval=3600, habits=Habits.field().scaled(0.1))
    listener.wait(lambda: len(listener.on(TOPICS.heartbeat)) == 1, what="heartbeat")
    assert time.monotonic() - started >= 0.75
    assert [topic for _, topic, _ in listener.messages] == [
        TOPICS.snapshot,
        TOPICS.heartbeat,
    ]
    listener.wait(lambda: not camera.awake, what="sleep")
    listener.send("get.image.info")
    assert listener.quiet(0.3) == [], "an asleep camera answered"
    woken = time.monotonic()
    listener.wake()
    listener.wait(lambda: len(listener.on(TOPICS.heartbeat)) == 2, what="heartbeat")
    assert time.monotonic() - woken >= 0.75
    asked = time.monotonic()
    listener.send("cmd.snapshot")
    listener.wait(lambda: len(listener.on(TOPICS.snapshot)) == 2, what="picture")
    arrivals = {topic: t for t, topic, _ in listener.messages[3:]}
    assert list(arrivals) == [TOPICS.response, TOPICS.snapshot]
    assert arrivals[TOPICS.response] - asked >= 0.07
    assert arrivals[TOPICS.snapshot] - asked >= 0.45
    assert listener.on(TOPICS.snapshot)[-1]["values"]["snapType"] == "Manual"
    assert [api for api, _ in hub.runners[MAC].received] == [
        "get.image.info",
        "wake",
        "cmd.snapshot",
    ]


def test_process_posts_an_alarm_and_a_capture_by_hand(
    listener: Listener, broker: Mosquitto
) -> None:
    """`--field --alarm TEXT --capture TRIGGER:VALUE`: right after its start-up wake,
    each camera posts that alarm and that picture."""
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "simulator", "--mac", MAC, "--field"),
            *("--broker", f"127.0.0.1:{broker.port}", "--interval", "3600"),
            *("--alarm", "Low power", "--capture", "PIR:1"),
        ],
        cwd=ROOT,
        env=subprocess_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        listener.wait(
            lambda: len(listener.on(TOPICS.snapshot)) == 2, limit=30, what="pictures"
        )
        listener.wait(lambda: listener.on(TOPICS.alarm) != [], what="alarm")
    finally:
        process.terminate()
        output = process.communicate(timeout=15)[0]
    assert process.returncode == 0, output
    assert listener.on(TOPICS.alarm)[0]["values"]["alarm"] == "Low power"
    capture = listener.on(TOPICS.snapshot)[-1]["values"]
    assert (capture["snapType"], capture["triggerValue"]) == ("PIR", "1")
    assert "wake_latency=8.0" in output


def test_once_posts_what_is_asked_and_exits(
    listener: Listener, broker: Mosquitto
) -> None:
    """`--once --alarm low_power --capture PIR` (the demo's ready-made commands):
    the alarm by its type, the picture, then the process ends by itself: no wake of
    its own (no heartbeat), so the camera another simulator runs stays the one that
    wakes and answers."""
    result = subprocess.run(
        [
            *(sys.executable, "-m", "simulator", "--mac", MAC, "--once"),
            *("--broker", f"127.0.0.1:{broker.port}", "--wake-latency", "1"),
            *("--alarm", "low_power", "--capture", "PIR"),
        ],
        cwd=ROOT,
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=40,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Posted 1 alarm(s), 1 picture(s)" in result.stdout
    listener.wait(lambda: listener.on(TOPICS.snapshot) != [], what="the picture")
    assert [a["values"]["alarm"] for a in listener.on(TOPICS.alarm)] == ["Low power"]
    assert [s["values"]["snapType"] for s in listener.on(TOPICS.snapshot)] == ["PIR"]
    assert listener.on(TOPICS.heartbeat) == []
