"""Whether a camera can take a command now, and reaching it when it cannot.

The camera pays for every message (battery, cellular data), and every guess about
whether it is awake costs the user a lost or doubled action. What counts as
evidence (NOTES.md, "Remote configuration"):

- **Heard lately** (within the awake window, Options): presumed awake. A read or a
  write goes out at once; if it is not answered within the *nudge* (a few round
  trips) the wake follows, and the heartbeat of that wake sends it again.
- **Shown awake**: heard within a fifth of the awake window, or the answer to a
  probe, or the heartbeat that answers our wake. Only then does an act (reboot,
  picture, format, install) go out: an act is never sent twice, so it is never
  sent on a guess. Presumed but not shown awake, an act is preceded by one probe.
- **External power** (the heartbeat's ``powerGoodStat`` or ``get.device.status``
  ``powerSupply``, lately): it does not sleep; reads and writes go at once, acts
  after a probe unless it was heard lately. A camera seen answering our wake while
  on external power does sleep after all: the claim is no longer trusted.
- **Otherwise** (asleep, or never heard): the wake alone (a probe sent with it
  would reach a sleeping camera and be lost). If no heartbeat came after a few wake
  latencies, one probe: a camera on USB-C power ignores wakes but answers it.
- **Restarting** (after a reboot or an install's restart): nothing is sent, and no
  wake (a restarting camera hears none), until the camera is heard again.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from datetime import timedelta
import logging

from homeassistant.util import dt as dt_util

from .api import (
    CameraAsleepError,
    CommandCancelledError,
    PublishError,
    get_command,
)
from .api.coerce import as_int
from .api.mqtt_client import X5MqttClient
from .const import (
    CONF_ANSWER_TIMEOUT,
    CONF_AWAKE_WINDOW,
    CONF_WAKE_TIMEOUT,
    DEFAULT_ANSWER_TIMEOUT,
    DEFAULT_AWAKE_WINDOW,
    DEFAULT_WAKE_TIMEOUT,
    EVIDENCE_SHARE,
    PROBE_COMMAND,
    WAKE_TOPIC_PREFIX,
)
from .link import CameraLink

_LOGGER = logging.getLogger(__name__)

type Publish = Callable[[str, str], Awaitable[None]]

# How many round trips / wake latencies are remembered (the worst one counts).
_OBSERVED = 8


class Reach:
    """Readiness of one camera: the evidence, the wake, the probe."""

    def __init__(
        self,
        link: CameraLink,
        mqtt: X5MqttClient,
        publish: Publish,
        changed: Callable[[], None],
    ) -> None:
        """Reach ``link``'s camera, publishing with ``publish``; ``changed`` is
        called when it starts or stops waking it."""
        self._link = link
        self._changed = changed
        self._mqtt = mqtt
        self._publish = publish
        self.mac = link.mac
        self.closed = False
        self.restarting = False
        self.waking = False
        self.sleeps_on_power = False  # answered our wake while claiming power
        self._heard = 0  # how many times the camera was heard
        self._heard_event = asyncio.Event()
        self._round_trips: deque[float] = deque(maxlen=_OBSERVED)
        self._wake_latencies: deque[float] = deque(maxlen=_OBSERVED)
        self._wake_sent_at: float | None = None
        self._wake_heard_at = 0  # heard count when the wake went out
        # Its own last uplink (loop time): where its awake window starts on every
        # camera (answering may not keep it awake), and how long after one it was
        # found asleep (a request unanswered, not a word since).
        self._own_at: float | None = None
        self._windows: deque[float] = deque(maxlen=_OBSERVED)

    # --- options -----------------------------------------------------------------------

    def _seconds(self, key: str, default: float) -> float:
        return float(self._link.config_entry.options.get(key, default))

    @property
    def awake_window(self) -> float:
        """Seconds after its last message the camera is presumed awake."""
        return self._seconds(CONF_AWAKE_WINDOW, DEFAULT_AWAKE_WINDOW)

    @property
    def answer_timeout(self) -> float:
        """Seconds to wait for an answer."""
        return self._seconds(CONF_ANSWER_TIMEOUT, DEFAULT_ANSWER_TIMEOUT)

    @property
    def wake_timeout(self) -> float:
        """Seconds to wait for a camera to wake."""
        return self._seconds(CONF_WAKE_TIMEOUT, DEFAULT_WAKE_TIMEOUT)

    @property
    def nudge(self) -> float:
        """Seconds without an answer after which a presumed-awake camera is taken
        to be asleep: four of its slowest recent round trips, within a fifteenth
        and a third of the answer timeout."""
        timeout = self.answer_timeout
        worst = max(self._round_trips, default=timeout)
        return min(timeout / 3, max(timeout / 15, 4 * worst))

    @property
    def probe_after(self) -> float:
        """Seconds after a wake without a heartbeat before one probe: three of its
        slowest recent wakes, at most a quarter of the wake timeout."""
        quarter = self.wake_timeout / 4
        if not self._wake_latencies:
            return quarter
        return min(quarter, 3 * max(self._wake_latencies))

    def observe_round_trip(self, seconds: float) -> None:
        """An answer came ``seconds`` after its request."""
        self._round_trips.append(max(seconds, 0.0))

    def observe_asleep(self, sent_at: float) -> float | None:
        """A request sent at ``sent_at`` (loop time) found the camera asleep: its
        awake window after its own last uplink was shorter than that. Returns
        what was noted (to take back if its answer comes after all)."""
        if self._own_at is None or sent_at <= self._own_at:
            return None
        window = sent_at - self._own_at
        self._windows.append(window)
        return window

    def forget_asleep(self, window: float | None) -> None:
        """A request taken for lost was answered late: the camera was awake."""
        if window is not None and window in self._windows:
            self._windows.remove(window)

    def window_closes_in(self) -> float | None:
        """Seconds until the camera's window after its own last uplink ends, by
        the shortest one observed (negative: past); None while none was observed.
        A camera that answers while its window runs out loses an act sent then."""
        if self._own_at is None or not self._windows:
            return None
        elapsed = asyncio.get_running_loop().time() - self._own_at
        return min(self._windows) - elapsed

    # --- evidence ----------------------------------------------------------------------

    def _heard_within(self, seconds: float) -> bool:
        last_seen = self._link.data.last_seen
        return last_seen is not None and (
            dt_util.utcnow() - last_seen < timedelta(seconds=seconds)
        )

    @property
    def presumed_awake(self) -> bool:
        """Whether a read or write may go out without waking the camera first."""
        if self.restarting:
            return False
        return self.on_external_power or self._heard_within(self.awake_window)

    @property
    def shown_awake(self) -> bool:
        """Whether the camera was heard so lately that an act may go out at once."""
        return not self.restarting and self._heard_within(
            self.awake_window * EVIDENCE_SHARE
        )

    @property
    def on_external_power(self) -> bool:
        """Whether the camera said lately that it runs on external power (it never
        sleeps). An old claim is not trusted: it may have been unplugged since."""
        if self.sleeps_on_power:
            return False
        state = self._link.data
        horizon = self._link.watchdog_timeout
        now = dt_util.utcnow()
        status_at = state.settings_at.get(PROBE_COMMAND)
        if state.external_power and status_at and now - status_at < horizon:
            return True
        battery = state.battery
        return bool(
            battery is not None
            and battery.power_good == 1
            and state.heartbeat_at is not None
            and now - state.heartbeat_at < horizon
        )

    @property
    def known_asleep(self) -> bool:
        """Whether the camera was heard before and now presumably sleeps (an HTTP
        request would only run into its timeout)."""
        return self._link.data.last_seen is not None and not self.presumed_awake

    def asleep_reason(self) -> str:
        """Why the camera may not respond, from what it told us (a translation key)."""
        state = self._link.data
        if state.low_power:
            return "low_power_mode"
        if as_int(state.setting("get.wakeup.info", "wakeupByMQTT")) == 0:
            return "wake_disabled"
        return "camera_asleep"

    @property
    def wake_topic(self) -> str:
        """The camera's wake topic (not customisable on the camera)."""
        return WAKE_TOPIC_PREFIX + self.mac

    # --- hearing -----------------------------------------------------------------------

    def note_heard(self, *, heartbeat: bool = False, own: bool = False) -> None:
        """The camera spoke (any message, or an HTTP answer): it is awake now.

        ``own``: an uplink of its own (its awake window starts again);
        ``heartbeat``: a heartbeat, which after our wake measures the wake."""
        self._heard += 1
        if own or heartbeat:
            self._own_at = asyncio.get_running_loop().time()
        self.restarting = False
        if heartbeat and self._wake_sent_at is not None:
            if self._heard == self._wake_heard_at + 1:
                latency = asyncio.get_running_loop().time() - self._wake_sent_at
                self._wake_latencies.append(latency)
                if self.on_external_power:
                    self.sleeps_on_power = True
            self._wake_sent_at = None
        self._heard_event.set()
        self._heard_event = asyncio.Event()

    @property
    def woken_by_us(self) -> bool:
        """Whether Home Assistant woke or restarted the camera and has not heard its
        heartbeat since (the next heartbeat is that wake's, not a trigger's)."""
        return self.restarting or self._wake_sent_at is not None

    @property
    def heard_count(self) -> int:
        """How many times the camera was heard (a mark to wait beyond)."""
        return self._heard

    async def async_wait_heard(self, mark: int, seconds: float) -> bool:
        """Wait until the camera is heard after ``mark``; whether it was within
        ``seconds``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while self._heard <= mark:
            if self.closed:
                raise CommandCancelledError("the camera was unloaded")
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            event = self._heard_event
            try:
                async with asyncio.timeout(remaining):
                    await event.wait()
            except TimeoutError:
                continue
        return True

    # --- reaching ----------------------------------------------------------------------

    async def async_reach(self, *, act: bool, wake: bool) -> None:
        """Return once the camera can take the command; wake or probe it if needed.

        ``act``: only a camera shown awake takes it. ``wake`` False: only a camera
        presumed awake (background reads never wake it). The caller holds the
        camera's queue: one reach at a time, shared by the commands behind it.
        """
        if self.closed:
            raise CommandCancelledError("the camera was unloaded")
        if self.restarting:
            if not wake:
                raise CameraAsleepError(self.asleep_reason())
            # A restarting camera hears no wake; its boot heartbeat is on its way.
            if await self.async_wait_heard(self._heard, self.wake_timeout):
                return
            self.restarting = False
        if act and self.shown_awake and not await self._async_window_over():
            return
        if self.presumed_awake and (not act or await self.async_probe(self.nudge)):
            return
        if not wake:
            raise CameraAsleepError(self.asleep_reason())
        if self._link.data.low_power:
            raise CameraAsleepError("low_power_mode")  # nothing wakes it
        await self._async_wake()
        if act and not self.shown_awake and not await self.async_probe(self.nudge):
            # Heard, but not lately enough for an act (a slow publish): not on a guess.
            raise CameraAsleepError(self.asleep_reason())

    async def _async_window_over(self) -> bool:
        """Whether the camera's window may close before an act sent now arrives
        (answers alone do not show it open: it was found asleep that soon after its
        own uplink before). Then its end is waited out: the probe that follows
        finds it asleep (and the wake follows) or still awake (it answers)."""
        closes_in = self.window_closes_in()
        if closes_in is None or self.on_external_power:
            return False
        if closes_in > 2 * max(self._round_trips, default=0.0):
            return False
        if closes_in > 0:
            await asyncio.sleep(closes_in)
        return True

    async def async_publish_wake(self) -> None:
        """Publish on the wake topic (any payload wakes a sleeping camera)."""
        self._wake_heard_at = self._heard
        await self._publish(self.wake_topic, "wake")
        self._wake_sent_at = asyncio.get_running_loop().time()

    async def _async_wake(self) -> None:
        """The wake, then at most one probe; heard in time or CameraAsleepError."""
        self.waking = True
        self._changed()
        try:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + self.wake_timeout
            await self.async_publish_wake()
            # Only what is heard after the wake went out answers it (a publish can
            # take seconds while the broker is away).
            mark = self._heard
            if await self.async_wait_heard(mark, self.probe_after):
                return
            _LOGGER.debug("%s: no heartbeat after the wake; probing", self.mac)
            if await self.async_probe(max(deadline - loop.time(), 0.0)):
                return
            if self._heard > mark:
                return
            raise CameraAsleepError(self.asleep_reason())
        finally:
            self.waking = False
            self._changed()

    async def async_probe(self, seconds: float) -> bool:
        """One idempotent ``get``: whether the camera answered (or was heard
        otherwise) within ``seconds``."""
        mark = self._heard
        request = await self._mqtt.async_send(self.mac, get_command(PROBE_COMMAND))
        try:
            if await self.async_wait_heard(mark, seconds):
                return True
        finally:
            self._mqtt.give_up(request)
        self.observe_asleep(request.sent_at)
        return False


async def async_publish_retrying(
    publish: Callable[[str, str], Awaitable[None]],
    topic: str,
    payload: str,
    *,
    patience: float,
    closed: Callable[[], bool],
) -> None:
    """Publish, trying again each second while the broker is away (``patience``
    seconds at most): a message that could not be published went nowhere."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + patience
    while True:
        if closed():
            raise CommandCancelledError("the camera was unloaded")
        try:
            await publish(topic, payload)
        except PublishError:
            if loop.time() >= deadline:
                raise
            await asyncio.sleep(min(1.0, max(deadline - loop.time(), 0.0)))
        else:
            return
