"""A camera no kinder than the field, behind Home Assistant's mocked MQTT.

The simulator's :class:`~simulator.runner.CameraRunner` on Home Assistant's own
event loop: wake latency, round trips, a short awake window after its own
activity, slow acts, late and repeated answers, pictures before the heartbeat,
restarts and installs, each switchable (:class:`~simulator.runner.Habits`). Time
runs for real, scaled down (:data:`SCALE`): the integration's options are scaled
by the same factor, so every ratio stays the field's.

Used by the tests (tests/test_field.py) and by the traffic benchmark
(benchmarks/camera_traffic.py), which counts what Home Assistant sends.
"""

from __future__ import annotations

from dataclasses import dataclass
import json
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from pytest_homeassistant_custom_component.common import async_fire_mqtt_message
from pytest_homeassistant_custom_component.typing import MqttMockHAClient

from custom_components.milesight_x5.const import (
    CONF_ANSWER_TIMEOUT,
    CONF_AWAKE_WINDOW,
    CONF_WAKE_TIMEOUT,
    DEFAULT_ANSWER_TIMEOUT,
    DEFAULT_AWAKE_WINDOW,
    DEFAULT_TOPICS,
    DEFAULT_WAKE_TIMEOUT,
    WAKE_TOPIC_PREFIX,
)
from simulator import SimulatedCamera
from simulator.runner import CameraRunner, Habits, LoopTimers, Topics

SCALE = 1 / 20  # 8 s of 4G attach take 0.4 s
REQUEST_TOPIC = DEFAULT_TOPICS["request_topic"]


def field_options(scale: float = SCALE, **options: Any) -> dict[str, Any]:
    """The integration's default timing, scaled like the camera."""
    return {
        CONF_AWAKE_WINDOW: DEFAULT_AWAKE_WINDOW * scale,
        CONF_WAKE_TIMEOUT: DEFAULT_WAKE_TIMEOUT * scale,
        CONF_ANSWER_TIMEOUT: DEFAULT_ANSWER_TIMEOUT * scale,
        **options,
    }


@dataclass(frozen=True)
class Sent:
    """One message Home Assistant sent to the camera."""

    what: str  # "wake" or the request's api
    size: int  # payload bytes
    at: float  # loop time


class FieldCamera:
    """One simulated camera with field habits, answering Home Assistant's MQTT."""

    def __init__(
        self,
        hass: HomeAssistant,
        mqtt_mock: MqttMockHAClient,
        mac: str,
        habits: Habits,
        **variant: Any,
    ) -> None:
        """The camera ``mac`` (asleep until woken) with ``habits``; ``variant``
        goes to :class:`~simulator.SimulatedCamera` (external_power, ...)."""
        self.hass = hass
        self.timers = LoopTimers(hass.loop)
        self.camera = SimulatedCamera(mac, **variant)
        self.camera.sleep()
        self.runner = CameraRunner(
            self.camera,
            habits,
            Topics(),
            self.timers.schedule,
            self.timers.cancel,
            self._uplink,
            clock=self.timers.clock,
        )
        self.sent: list[Sent] = []
        self.broker_down = False
        self._stopped = False
        self.uplinks: list[tuple[str, dict[str, Any], float]] = []  # with loop time
        mqtt_mock.async_publish.side_effect = self._from_home_assistant

    @property
    def mac(self) -> str:
        """The camera's MAC."""
        return self.camera.mac

    def _uplink(self, topic: str, message: dict[str, Any]) -> None:
        self.uplinks.append((topic, message, self.timers.clock()))
        async_fire_mqtt_message(self.hass, topic, json.dumps(message))

    async def _from_home_assistant(
        self,
        topic: str,
        payload: Any,
        qos: int = 0,
        retain: bool = False,
        **kwargs: Any,  # keywords newer Home Assistant versions add
    ) -> None:
        if self.broker_down:
            raise HomeAssistantError("not connected to the broker")
        if self._stopped:
            return  # the test is over: nobody answers any more
        size = len(payload if isinstance(payload, bytes) else str(payload).encode())
        now = self.timers.clock()
        if topic == WAKE_TOPIC_PREFIX + self.mac:
            self.sent.append(Sent("wake", size, now))
            self.runner.on_wake_message(payload)
        elif topic == REQUEST_TOPIC:
            request = json.loads(payload)
            if request.get("devMac") == self.mac:
                self.sent.append(Sent(str(request.get("api")), size, now))
                self.runner.on_request(request, size)

    def stop(self) -> None:
        """No timer left behind (the end of a test)."""
        self._stopped = True
        self.runner.stop()
        self.timers.cancel_all()

    # --- what was sent -----------------------------------------------------------------

    @property
    def whats(self) -> list[str]:
        """What Home Assistant sent, in order ("wake" or the api)."""
        return [sent.what for sent in self.sent]

    def count(self, what: str) -> int:
        """How often ``what`` was sent."""
        return self.whats.count(what)

    def first_after(self, topic: str) -> tuple[float, Sent]:
        """When the camera's first ``topic`` uplink was posted, and the first
        message Home Assistant sent after it."""
        posted = next(at for t, _, at in self.uplinks if t == topic)
        return posted, next(sent for sent in self.sent if sent.at >= posted)

    def heard(self, what: str) -> int:
        """How often the camera did ``what`` while up (not lost to its sleep)."""
        return sum(
            1 for line in self.runner.log if line.startswith(f"{what} {self.mac} ans")
        )
