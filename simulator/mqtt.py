"""The simulated cameras on an MQTT broker (paho-mqtt, as Home Assistant ships it)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
import dataclasses
import json
import logging
import os
import secrets
import threading
import time
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion

from .device import SimulatedCamera
from .runner import WAKE_PREFIX, CameraRunner, Habits, Topics

_LOGGER = logging.getLogger(__name__)


def new_client_id() -> str:
    """A client id no other simulator uses: ``x5-simulator-<pid>-<random hex>``."""
    return f"x5-simulator-{os.getpid()}-{secrets.token_hex(4)}"


class BrokerUnreachableError(RuntimeError):
    """The broker did not accept a connection."""


class SimulatorHub:
    """Several simulated cameras sharing one MQTT connection.

    The hub is transport only: the paho connection, ``threading.Timer`` timers and
    the cameras' periodic wake. When each camera does what (wake latency, awake
    window, answers' round trip, restarts, ...) is its :class:`~.runner.CameraRunner`'s
    business, following ``habits`` (default: :class:`~.runner.Habits`, the original
    convenient camera; ``awake_window`` overrides the habits' one).

    Every ``interval`` seconds each camera wakes by itself (heartbeat, and a picture
    every ``snapshot_every`` of these wakes when ``habits.wake_picture``, its
    trigger the next of :data:`~.device.WAKE_TRIGGERS`); :meth:`start` wakes each
    once. A camera on external power never sleeps: this is its heartbeat interval.
    """

    def __init__(
        self,
        cameras: Iterable[SimulatedCamera],
        host: str,
        port: int,
        *,
        interval: float = 60.0,
        awake_window: float | None = None,
        snapshot_every: int = 1,
        topics: Topics | None = None,
        client_id: str | None = None,
        habits: Habits | None = None,
        tls_ca: str | None = None,
        username: str | None = None,
        password: str | None = None,
    ) -> None:
        """Prepare the cameras; nothing is sent before :meth:`start`.

        ``client_id`` defaults to one of this hub's own (see :func:`new_client_id`):
        a broker drops a client when another connects with the same id, so two
        simulator processes must not share one.

        ``tls_ca``: connect over TLS, trusting the CA certificates in this PEM file
        (the broker's host name checked against its certificate); ``username`` and
        ``password``: log in to the broker. By default: plain and anonymous.
        """
        self.cameras = {camera.mac: camera for camera in cameras}
        self.host, self.port = host, port
        habits = habits or Habits()
        if awake_window is not None:
            habits = dataclasses.replace(habits, awake_window=awake_window)
        self.habits = habits
        self.interval, self.awake_window = interval, habits.awake_window
        self.snapshot_every = max(1, snapshot_every)
        self.topics = topics or Topics()
        self.client_id = client_id or new_client_id()
        self._client = paho.Client(
            CallbackAPIVersion.VERSION2, client_id=self.client_id
        )
        if tls_ca is not None:
            self._client.tls_set(ca_certs=tls_ca)
        if username is not None:
            self._client.username_pw_set(username, password)
        self._client.on_connect = self._on_connect
        self._client.on_message = self._on_message
        self._client.reconnect_delay_set(1, 2)
        self._lock = threading.Lock()  # the timers
        self._behaviour = threading.RLock()  # one call into the runners at a time
        self._timers: dict[str, threading.Timer] = {}
        self._stopped = threading.Event()
        self._connected = threading.Event()
        self._listen = True
        self._wakes: dict[str, int] = dict.fromkeys(self.cameras, 0)
        self.log: list[str] = []  # what the cameras received and did, for tests
        self.runners = {
            mac: CameraRunner(
                camera,
                habits,
                self.topics,
                self._schedule,
                self._cancel,
                self.publish,
                log=self.log,
            )
            for mac, camera in self.cameras.items()
        }

    # --- connection ------------------------------------------------------------------

    def start(self, connect_timeout: float = 10.0, *, listen: bool = True) -> None:
        """Connect, then wake every camera once.

        ``listen`` False: neither wakes nor answers (no subscriptions), only what is
        asked (:meth:`alarm`, :meth:`capture`): a trigger fired on a camera that
        another simulator runs.
        """
        self._listen = listen
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
        for mac in self.cameras if listen else ():
            self.wake(mac)

    def stop(self, *, flush: bool = False) -> None:
        """Stop every timer and disconnect; ``flush``: first let the uplinks under
        way go out (a wake's modem, the link's queue; at most 30 s)."""
        deadline = time.monotonic() + 30
        while flush and time.monotonic() < deadline:
            with self._lock:
                if all(key.endswith(("/sleep", "/interval")) for key in self._timers):
                    break
            time.sleep(0.05)
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
        if self._listen:
            client.subscribe(self.topics.request)
            client.subscribe(WAKE_PREFIX + "+")
        self._connected.set()

    def publish(self, topic: str, message: dict[str, Any]) -> None:
        """Publish a JSON message."""
        self._client.publish(topic, json.dumps(message))

    # --- timers (the runners' schedule and cancel) ---------------------------------------

    def _schedule(self, key: str, delay: float, action: Callable[[], None]) -> None:
        """Run ``action`` in ``delay`` s (replacing ``key``'s timer), under the lock
        every call into the runners takes; a replaced timer that already woke up
        does nothing."""

        def fire() -> None:
            with self._behaviour:
                with self._lock:
                    if self._timers.get(key) is not timer:
                        return
                    del self._timers[key]
                action()

        with self._lock:
            if (old := self._timers.pop(key, None)) is not None:
                old.cancel()
            if self._stopped.is_set():
                return
            timer = threading.Timer(max(0.0, delay), fire)
            timer.daemon = True
            self._timers[key] = timer
            timer.start()

    def _cancel(self, key: str) -> None:
        with self._lock:
            if (timer := self._timers.pop(key, None)) is not None:
                timer.cancel()

    # --- behaviour -------------------------------------------------------------------

    def wake(self, mac: str) -> None:
        """The camera wakes by itself (its timer): heartbeat, maybe a picture; the
        next such wake in ``interval`` seconds."""
        with self._behaviour:
            self._wakes[mac] += 1
            picture = self.habits.wake_picture and (
                self._wakes[mac] % self.snapshot_every == 1 or self.snapshot_every == 1
            )
            self.runners[mac].wake_by_itself(picture=picture)
            self._schedule(f"{mac}/interval", self.interval, lambda: self.wake(mac))

    def sleep(self, mac: str) -> None:
        """The camera's awake window ends now (see :meth:`CameraRunner.sleep`)."""
        with self._behaviour:
            self.runners[mac].sleep()

    def reboot_started(self, mac: str) -> None:
        """The camera went down to reboot: silent for its restart, then it wakes.

        Called by the HTTP front end (``create_app(on_reboot=...)``) for a
        ``cmd.reboot`` over HTTP (over MQTT the runner sees it itself).
        """
        with self._behaviour:
            self.runners[mac].reboot_started()

    def install_started(self, mac: str) -> None:
        """``upgrade.online`` over HTTP started a download (``create_app(on_install=...)``)."""
        with self._behaviour:
            self.runners[mac].install_started()

    def alarm(self, mac: str, text: str = "Low power") -> None:
        """The camera posts an alarm."""
        with self._behaviour:
            self.runners[mac].post_alarm(text)

    def capture(self, mac: str, snap_type: str, value: str = "") -> None:
        """A trigger fires on the camera: it posts that picture."""
        with self._behaviour:
            self.runners[mac].post_capture(snap_type, value)

    def _on_message(
        self, client: paho.Client, userdata: Any, msg: paho.MQTTMessage
    ) -> None:
        if msg.topic.startswith(WAKE_PREFIX):
            mac = msg.topic.removeprefix(WAKE_PREFIX)
            with self._behaviour:
                if (runner := self.runners.get(mac)) is not None:
                    runner.on_wake_message(msg.payload)
                else:
                    self.log.append(f"wake {mac}")
            return
        try:
            request = json.loads(msg.payload)
        except ValueError:
            return
        target = request.get("devMac") if isinstance(request, dict) else None
        if not isinstance(target, str) or (runner := self.runners.get(target)) is None:
            return
        with self._behaviour:
            runner.on_request(request, len(msg.payload))


__all__ = [
    "WAKE_PREFIX",
    "BrokerUnreachableError",
    "Habits",
    "SimulatorHub",
    "Topics",
    "new_client_id",
]
