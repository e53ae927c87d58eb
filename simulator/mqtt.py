"""The simulated cameras on an MQTT broker (paho-mqtt, as Home Assistant ships it)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
import json
import logging
import os
import secrets
import threading
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion

from .device import SimulatedCamera

_LOGGER = logging.getLogger(__name__)

WAKE_PREFIX = "X5SensingCam/Wake/"


@dataclass(frozen=True)
class Topics:
    """The camera's topics (the guide's defaults)."""

    heartbeat: str = "X5SensingCam/Status"
    snapshot: str = "X5SensingCam/Snapshot"
    alarm: str = "X5SensingCam/Alarm"
    request: str = "X5SensingCam/ConfigureRequest"
    response: str = "X5SensingCam/ConfigureRespond"


def new_client_id() -> str:
    """A client id no other simulator uses: ``x5-simulator-<pid>-<random hex>``."""
    return f"x5-simulator-{os.getpid()}-{secrets.token_hex(4)}"


class BrokerUnreachableError(RuntimeError):
    """The broker did not accept a connection."""


class SimulatorHub:
    """Several simulated cameras sharing one MQTT connection.

    Each camera posts a heartbeat when it wakes, stays awake for ``awake_window``
    seconds (answering commands), then sleeps; every ``interval`` seconds it wakes
    by itself (heartbeat, and a snapshot every ``snapshot_every`` wakes, its
    trigger the next of :data:`~.device.WAKE_TRIGGERS`). The wake
    topic wakes it unless work mode 1 or ``wakeupByMQTT`` 0, and does nothing to an
    awake camera. A camera on external power is never put to sleep: it only posts
    its heartbeat every ``interval`` seconds (its heartbeat interval). A camera that
    went down on ``cmd.reboot`` (``reboot_answer`` False) is silent for its
    ``reboot_seconds``, then wakes with a heartbeat.
    """

    def __init__(
        self,
        cameras: Iterable[SimulatedCamera],
        host: str,
        port: int,
        *,
        interval: float = 60.0,
        awake_window: float = 20.0,
        snapshot_every: int = 1,
        topics: Topics | None = None,
        client_id: str | None = None,
    ) -> None:
        """Prepare the cameras; nothing is sent before :meth:`start`.

        ``client_id`` defaults to one of this hub's own (see :func:`new_client_id`):
        a broker drops a client when another connects with the same id, so two
        simulator processes must not share one.
        """
        self.cameras = {camera.mac: camera for camera in cameras}
        self.host, self.port = host, port
        self.interval, self.awake_window = interval, awake_window
        self.snapshot_every = max(1, snapshot_every)
        self.topics = topics or Topics()
        self.client_id = client_id or new_client_id()
        self._client = paho.Client(
            CallbackAPIVersion.VERSION2, client_id=self.client_id
        )
        self._client.on_connect = self._on_connect
        self._client.on_message = self._on_message
        self._client.reconnect_delay_set(1, 2)
        self._lock = threading.Lock()
        self._timers: dict[str, threading.Timer] = {}
        self._stopped = threading.Event()
        self._connected = threading.Event()
        self._wakes: dict[str, int] = dict.fromkeys(self.cameras, 0)
        self.log: list[str] = []  # what the cameras received and did, for tests

    # --- connection ------------------------------------------------------------------

    def start(self, connect_timeout: float = 10.0) -> None:
        """Connect, then wake every camera once."""
        try:
            self._client.connect(self.host, self.port, keepalive=30)
        except OSError as err:
            raise BrokerUnreachableError(
                f"cannot connect to the MQTT broker at {self.host}:{self.port}: {err}"
            ) from err
        self._client.loop_start()
        if not self._connected.wait(connect_timeout):
            self.stop()
            raise BrokerUnreachableError(
                f"the MQTT broker at {self.host}:{self.port} did not accept the connection"
            )
        for mac in self.cameras:
            self.wake(mac)

    def stop(self) -> None:
        """Stop every timer and disconnect."""
        self._stopped.set()
        with self._lock:
            timers = list(self._timers.values())
            self._timers.clear()
        for timer in timers:
            timer.cancel()
        for timer in timers:
            if timer is not threading.current_thread():
                timer.join(timeout=5)
        self._client.disconnect()
        self._client.loop_stop()

    def _on_connect(
        self, client: paho.Client, userdata: Any, flags: Any, reason: Any, props: Any
    ) -> None:
        if reason.is_failure:
            _LOGGER.error("Broker refused the simulator: %s", reason)
            return
        client.subscribe(self.topics.request)
        client.subscribe(WAKE_PREFIX + "+")
        self._connected.set()

    def publish(self, topic: str, message: dict[str, Any]) -> None:
        """Publish a JSON message."""
        self._client.publish(topic, json.dumps(message))

    # --- behaviour -------------------------------------------------------------------

    def _schedule(self, key: str, delay: float, action: Any) -> None:
        with self._lock:
            if (old := self._timers.pop(key, None)) is not None:
                old.cancel()
            if self._stopped.is_set():
                return
            timer = threading.Timer(delay, action)
            timer.daemon = True
            self._timers[key] = timer
            timer.start()

    def _cancel(self, key: str) -> None:
        with self._lock:
            if (timer := self._timers.pop(key, None)) is not None:
                timer.cancel()

    def wake(self, mac: str) -> None:
        """The camera wakes by itself (its timer): heartbeat, maybe a snapshot."""
        camera = self.cameras[mac]
        if camera.rebooting:
            self.log.append(f"rebooting {mac}")
            return
        camera.awake = True
        self._woke(mac, camera.heartbeat())

    def _woke(self, mac: str, heartbeat: dict[str, Any]) -> None:
        """Publish what a wake-up sends; sleep after the awake window, wake again later."""
        camera = self.cameras[mac]
        self.log.append(f"awake {mac}")
        self._wakes[mac] += 1
        self.publish(self.topics.heartbeat, heartbeat)
        if self._wakes[mac] % self.snapshot_every == 1 or self.snapshot_every == 1:
            self.publish(self.topics.snapshot, camera.wake_snapshot())
        self._stay_awake(mac)
        self._schedule(f"wake-{mac}", self.interval, lambda: self.wake(mac))

    def _stay_awake(self, mac: str) -> None:
        """Sleep ``awake_window`` seconds from now (never, on external power)."""
        if not self.cameras[mac].external_power:
            self._schedule(f"sleep-{mac}", self.awake_window, lambda: self.sleep(mac))

    def sleep(self, mac: str) -> None:
        """The camera goes to sleep: it answers nothing until woken.

        A camera on external power (or one rebooting) does not: see
        :meth:`SimulatedCamera.sleep`.
        """
        if self.cameras[mac].sleep():
            self.log.append(f"sleep {mac}")
        else:
            self.log.append(f"no sleep {mac}")

    def reboot_started(self, mac: str) -> None:
        """The camera went down to reboot: silent ``reboot_seconds``, then it wakes.

        Called by the hub for ``cmd.reboot`` over MQTT, and by the HTTP front end
        (``create_app(on_reboot=...)``) for one over HTTP.
        """
        camera = self.cameras[mac]
        self.log.append(f"reboot {mac}")
        self._cancel(f"sleep-{mac}")
        self._cancel(f"wake-{mac}")
        self._schedule(
            f"reboot-{mac}", camera.reboot_seconds, lambda: self._end_reboot(mac)
        )

    def _end_reboot(self, mac: str) -> None:
        if (heartbeat := self.cameras[mac].end_reboot()) is None:
            return
        self.log.append(f"booted {mac}")
        self.publish(self.topics.heartbeat, heartbeat)
        self._stay_awake(mac)
        self._schedule(f"wake-{mac}", self.interval, lambda: self.wake(mac))

    def alarm(self, mac: str, text: str = "Low power") -> None:
        """The camera posts an alarm."""
        self.publish(self.topics.alarm, self.cameras[mac].alarm(text))

    def _on_message(
        self, client: paho.Client, userdata: Any, msg: paho.MQTTMessage
    ) -> None:
        if msg.topic.startswith(WAKE_PREFIX):
            mac = msg.topic.removeprefix(WAKE_PREFIX)
            camera = self.cameras.get(mac)
            self.log.append(f"wake {mac}")
            if camera is not None and (heartbeat := camera.wake()) is not None:
                self._woke(mac, heartbeat)
            return
        try:
            request = json.loads(msg.payload)
        except ValueError:
            return
        camera = (
            self.cameras.get(request.get("devMac"))
            if isinstance(request, dict)
            else None
        )
        if camera is None:
            return
        was_rebooting = camera.rebooting
        response = camera.respond(request)
        uplinks = camera.take_uplinks()
        if camera.rebooting and not was_rebooting:
            self.reboot_started(camera.mac)
        self.log.append(
            f"{request.get('api')} {camera.mac} {'answered' if response else 'no answer'}"
        )
        if response is None and not uplinks:
            return
        # Each answer keeps the camera awake a little longer, as a real one would.
        self._stay_awake(camera.mac)
        if response is not None:
            self.publish(self.topics.response, response)
        for kind, uplink in uplinks:
            self.publish(
                self.topics.snapshot if kind == "snapshot" else self.topics.alarm,
                uplink,
            )
