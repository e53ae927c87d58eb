"""The command path of one camera: readiness, probe, queue, repeat rules, writes.

NOTES.md ("Remote configuration", corrected reading):

- The camera is ready when any message from it arrives (heartbeat, snapshot, alarm,
  answer). One heard within the awake window is presumed ready; one on external
  power never sleeps. Any other is reached by publishing the wake *and* sending an
  idempotent probe (a ``get``): a sleeping camera wakes and posts a heartbeat, an
  awake but quiet one (USB-C power: a wake produces nothing) answers the probe.
- Commands go out one at a time, in the order they were asked for.
- A heartbeat while a command waits means the camera just woke and did not hear
  it: it is sent again at once (see :class:`~.api.mqtt_client.X5MqttClient`).
- Only what the catalogue marks idempotent is retried after a timeout; an act
  (reboot, format, picture, upgrade) goes out once per user action.
- A write is a read-modify-write of the changed branch (:class:`~.api.Setting`).
- In Low Power mode the camera takes no remote configuration: nothing is sent
  and nothing woken, except one read a day right after a heartbeat.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
import contextlib
from datetime import datetime, timedelta
import logging
from typing import TYPE_CHECKING, Any

from homeassistant.components import mqtt
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_PORT, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util import dt as dt_util

from .api import (
    AuthenticationError,
    CameraAsleepError,
    Command,
    CommandCancelledError,
    CommandKind,
    CommandNotConfirmedError,
    CommandTimeoutError,
    NeedsHttpError,
    PublishError,
    Setting,
    X5ConnectionError,
    X5Error,
    deep_merge,
    get_command,
)
from .api.http_client import FACTORY_USERNAME, X5HttpClient
from .api.mqtt_client import X5MqttClient
from .const import (
    CONF_ANSWER_TIMEOUT,
    CONF_AWAKE_WINDOW,
    CONF_REQUEST_TOPIC,
    CONF_WAKE_TIMEOUT,
    DEFAULT_ANSWER_TIMEOUT,
    DEFAULT_AWAKE_WINDOW,
    DEFAULT_HTTP_PORT,
    DEFAULT_WAKE_TIMEOUT,
    DOMAIN,
    LOW_POWER_RECHECK_INTERVAL,
    PROBE_COMMAND,
    SETTINGS_COMMANDS,
    SETTINGS_FRESH,
    SETTINGS_REFRESH_INTERVAL,
    UPGRADE_CHECK_INTERVAL,
    WAKE_TOPIC_PREFIX,
)
from .dispatcher import MessageKind
from .state import Part

if TYPE_CHECKING:
    from .coordinator import X5Coordinator

_LOGGER = logging.getLogger(__name__)


def http_client(hass: HomeAssistant, data: Mapping[str, Any]) -> X5HttpClient | None:
    """The camera's HTTP client from entry data, or None when no host is set."""
    if not (host := data.get(CONF_HOST)):
        return None
    return X5HttpClient(
        async_get_clientsession(hass),
        str(host),
        int(data.get(CONF_PORT, DEFAULT_HTTP_PORT)),
        str(data.get(CONF_USERNAME) or FACTORY_USERNAME),
        str(data.get(CONF_PASSWORD) or ""),
    )


class X5Commands:
    """Sends one camera's commands: over HTTP when configured, else over MQTT."""

    def __init__(self, coordinator: X5Coordinator) -> None:
        """Commands for the coordinator's camera."""
        self._coordinator = coordinator
        self.hass = coordinator.hass
        self.mac = coordinator.mac
        self._entry = coordinator.config_entry
        self.mqtt = X5MqttClient(
            self._async_publish, self._entry.data[CONF_REQUEST_TOPIC]
        )
        self.http = http_client(self.hass, self._entry.data)
        self._heard = asyncio.Event()
        self._picture = asyncio.Event()  # a live snapshot arrived
        self._reach_task: asyncio.Task[None] | None = None
        self._queue = asyncio.Lock()  # one command at a time, in order
        self._writes = asyncio.Lock()  # one read-modify-write at a time
        self._last_refresh: datetime | None = None
        self._upgrade_checked: datetime | None = None  # when upgrade.check last went
        self._closed = False

    def _set_status(self, status: str) -> None:
        """Show what the command path does now (the command status sensor)."""
        state = self._coordinator.data
        if state.command_status != status:
            state.command_status = status
            self._coordinator.async_update_parts(Part.COMMANDS)

    def async_shutdown(self) -> None:
        """Stop reaching the camera, and fail what waits (the entry unloads)."""
        self._closed = True
        if self._reach_task is not None:
            self._reach_task.cancel()
        self.mqtt.cancel_all(self._unloaded(""))

    @staticmethod
    def _unloaded(command: str) -> CommandCancelledError:
        return CommandCancelledError("the camera was unloaded", command=command)

    def _seconds(self, key: str, default: float) -> float:
        return float(self._entry.options.get(key, default))

    # --- readiness -------------------------------------------------------------------

    @property
    def presumed_awake(self) -> bool:
        """Whether a command may go out without waking the camera first."""
        state = self._coordinator.data
        if self.on_external_power:
            return True
        window = timedelta(
            seconds=self._seconds(CONF_AWAKE_WINDOW, DEFAULT_AWAKE_WINDOW)
        )
        return (
            state.last_seen is not None and dt_util.utcnow() - state.last_seen < window
        )

    @property
    def on_external_power(self) -> bool:
        """Whether the camera said lately that it runs on external power (it never
        sleeps). An old answer is not trusted: it may have been unplugged since."""
        coordinator = self._coordinator
        return coordinator.data.external_power and (
            coordinator.settings_fresh(PROBE_COMMAND, coordinator.watchdog_timeout)
            is not None
        )

    def asleep_reason(self) -> str:
        """Why the camera may not respond, from what it told us (a translation key)."""
        state = self._coordinator.data
        if state.low_power:
            return "low_power_mode"
        if state.setting("get.wakeup.info", "wakeupByMQTT") in (0, "0"):
            return "wake_disabled"
        return "camera_asleep"

    @property
    def wake_topic(self) -> str:
        """The camera's wake topic (not customisable on the camera)."""
        return WAKE_TOPIC_PREFIX + self.mac

    async def _async_publish(self, topic: str, payload: str) -> None:
        try:
            await mqtt.async_publish(self.hass, topic, payload)
        except HomeAssistantError as err:
            # HA's broker connection is down: the camera cannot be reached now.
            raise PublishError(f"cannot publish to {topic}: {err}") from err

    async def async_wake(self) -> None:
        """Publish on the wake topic (any payload wakes a sleeping camera)."""
        await self._async_publish(self.wake_topic, "wake")

    def note_heard(self) -> None:
        """The camera spoke (any message, or an HTTP answer): it is ready."""
        self._heard.set()

    async def async_on_message(self, kind: MessageKind) -> None:
        """A live message from the camera: it is awake now."""
        self.note_heard()
        if kind is MessageKind.SNAPSHOT:
            # cmd.snapshot has no documented answer: its picture completes it.
            self._picture.set()
            self.mqtt.complete(self.mac, "cmd.snapshot", {})
        elif kind is MessageKind.HEARTBEAT:
            try:
                # On external power a heartbeat is its interval's, not a wake.
                acts = not self.on_external_power
                if resent := await self.mqtt.async_camera_woke(self.mac, acts=acts):
                    _LOGGER.debug("%s woke up: sent %s again", self.mac, resent)
            except X5ConnectionError as err:
                _LOGGER.debug("Sending again to %s failed: %s", self.mac, err)
            self._maybe_refresh()

    async def _async_reach(
        self, *, wake: bool, heard_since: datetime | None = None
    ) -> None:
        """Return once the camera can take a command; wake and probe it if needed.

        ``heard_since``: presume it awake only if it spoke after this moment.
        """
        last_seen = self._coordinator.data.last_seen
        if self.presumed_awake and (
            heard_since is None or (last_seen is not None and last_seen > heard_since)
        ):
            return
        if self._closed:
            raise self._unloaded("")
        if self._coordinator.data.low_power:
            raise CameraAsleepError("low_power_mode")  # nothing wakes it
        if not wake:
            raise CameraAsleepError(self.asleep_reason())
        if self._reach_task is None or self._reach_task.done():
            self._reach_task = self._entry.async_create_background_task(
                self.hass, self._async_wake_and_probe(), f"{DOMAIN} reach {self.mac}"
            )
        reach = self._reach_task
        try:
            await asyncio.shield(reach)
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if reach.cancelled() and not (current and current.cancelling()):
                raise self._unloaded("") from None  # unloaded while it waited
            raise

    async def _async_wake_and_probe(self) -> None:
        """Wake and probe once for every command waiting; all fail together."""
        self._heard.clear()
        self._set_status("waking")
        try:
            await self.async_wake()
        except BaseException:
            self._set_status("idle")
            raise
        probe = self._entry.async_create_background_task(
            self.hass, self._async_probe(), f"{DOMAIN} probe {self.mac}"
        )
        try:
            async with asyncio.timeout(
                self._seconds(CONF_WAKE_TIMEOUT, DEFAULT_WAKE_TIMEOUT)
            ):
                await self._heard.wait()
        except BaseException as err:
            self._set_status("idle")  # every command waiting fails with it
            if isinstance(err, TimeoutError):
                raise CameraAsleepError(self.asleep_reason()) from None
            raise
        finally:
            probe.cancel()

    async def _async_probe(self) -> None:
        """Ask an idempotent ``get`` until answered: an awake, quiet camera answers."""
        timeout = self._seconds(CONF_ANSWER_TIMEOUT, DEFAULT_ANSWER_TIMEOUT)
        while True:
            try:
                await self.mqtt.async_request(
                    self.mac, PROBE_COMMAND, answer_timeout=timeout
                )
            except CommandTimeoutError:
                continue
            except X5Error as err:
                _LOGGER.debug("Probing %s stopped: %s", self.mac, err)
            return

    # --- sending ---------------------------------------------------------------------

    async def async_command(
        self, name: str, data: Mapping[str, Any] | None = None, *, wake: bool = True
    ) -> dict[str, Any] | bytes:
        """Send a catalogue command (reaching the camera first); return its answer.

        ``wake=False``: only while the camera is presumed awake (background reads).
        """
        command = get_command(name)
        result = await self._async_send(command, data, wake=wake)
        await self._async_take_answer(command, data, result)
        return result

    async def _async_send(
        self, command: Command, data: Mapping[str, Any] | None, *, wake: bool
    ) -> dict[str, Any] | bytes:
        if self._closed:
            raise self._unloaded(command.name)
        if self.http is not None:
            try:
                answer = await self.http.async_request(command, data)
            except AuthenticationError:
                self._entry.async_start_reauth(self.hass)
                raise
            except X5ConnectionError as err:
                if not command.over_mqtt:
                    raise
                if err.maybe_sent and not command.idempotent:
                    raise CommandNotConfirmedError(command.name) from err
                _LOGGER.debug(
                    "%s over HTTP failed (%s); trying MQTT", command.name, err
                )
            else:
                self._coordinator.async_heard()  # it answered: it is awake
                return answer
        if not command.over_mqtt:
            raise NeedsHttpError(
                f"{command.name} needs HTTP access to the camera", command=command.name
            )
        if self._coordinator.data.low_power and command.kind is not CommandKind.READ:
            # No remote configuration in Low Power mode: only reads, only while it
            # is awake after a heartbeat (to notice it is back in Full Function).
            raise CameraAsleepError("low_power_mode")
        try:
            # Every command waiting shares one wake and probe, and fails with it.
            await self._async_reach(wake=wake)
            async with self._queue:
                await self._async_reach(wake=wake)
                self._set_status("sending")
                sent_at = dt_util.utcnow()
                try:
                    return await self._async_request(command, data)
                except CommandNotConfirmedError:
                    raise  # an act: it went out once, never again
                except CommandTimeoutError:
                    if not wake:
                        raise
                # Not heard since: it slept sooner than presumed. Reach it, send again.
                _LOGGER.debug("%s: no answer from %s; retrying", command.name, self.mac)
                await self._async_reach(wake=True, heard_since=sent_at)
                self._set_status("sending")
                return await self._async_request(command, data)
        finally:
            if not self._queue.locked():
                self._set_status("idle")

    async def _async_request(
        self, command: Command, data: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        timeout = self._seconds(CONF_ANSWER_TIMEOUT, DEFAULT_ANSWER_TIMEOUT)
        if command.restarts:
            # No answer may come; the heartbeat of its restart may take a while.
            timeout = max(
                timeout, self._seconds(CONF_WAKE_TIMEOUT, DEFAULT_WAKE_TIMEOUT)
            )
        if command.name != "cmd.snapshot":
            return await self.mqtt.async_request(
                self.mac, command, data, answer_timeout=timeout
            )
        self._picture.clear()
        answer = await self.mqtt.async_request(
            self.mac, command, data, answer_timeout=timeout
        )
        # Answered before its picture arrived: the action ends with the picture in
        # the image entity (or, should it not come, after the answer timeout).
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await self._picture.wait()
        return answer

    async def _async_take_answer(
        self,
        command: Command,
        data: Mapping[str, Any] | None,
        result: dict[str, Any] | bytes,
    ) -> None:
        coordinator = self._coordinator
        if isinstance(result, bytes):
            if command.name == "cmd.snapshot" and result:
                # Over HTTP the picture is the answer: show it like an uplink.
                await coordinator.async_take_picture(result)
            return
        if command.name == "upgrade.online":
            # It installs and restarts: read firmware and offer at its next heartbeat.
            self._last_refresh = self._upgrade_checked = None
            coordinator.data.settings_at.pop("upgrade.check", None)
        if command.kind is CommandKind.READ and result:
            if command.is_read or command.name == "upgrade.check":
                coordinator.store_settings(command.name, result)
        elif command.kind is CommandKind.WRITE and data:
            self._confirm_write(command, data)
        coordinator.async_update_parts(Part.SETTINGS)

    def _confirm_write(self, command: Command, data: Mapping[str, Any]) -> None:
        """The camera took a write: cache it, then read the branch back.

        Merged into the cache, never replacing a branch with a fragment (an expert's
        send_command may send one), and no longer fresh: the next read-modify-write
        reads the camera's own version first unless the read-back brought it.
        """
        get_name = "get." + command.name.removeprefix("set.")
        state = self._coordinator.data
        if get_name in state.settings:
            deep_merge(state.settings[get_name], data)
            state.settings_at.pop(get_name, None)
            self._coordinator.async_save_later()
        # The camera may adjust what it was given: read it back while it is awake.
        self._entry.async_create_background_task(
            self.hass, self._async_read(get_name), f"{DOMAIN} {get_name} {self.mac}"
        )

    async def _async_read(self, name: str) -> None:
        try:
            await self.async_command(name, wake=False)
        except X5Error as err:
            _LOGGER.debug("Reading %s from %s failed: %s", name, self.mac, err)

    async def async_set(
        self, key: str, setting: Setting, value: Any, shown: Any
    ) -> None:
        """A settings entity's change, shown as pending until the camera confirms it.

        A nested setting goes with its whole top-level object as the camera last
        reported it (read first when nothing fresh is cached).
        """
        state = self._coordinator.data
        state.pending[key] = shown
        self._coordinator.async_update_parts(Part.SETTINGS)
        try:
            if self.http is None:
                await self._async_reach(wake=True)  # shared by every write waiting
            async with self._writes:
                current: Mapping[str, Any] | None = None
                if setting.nested:
                    current = self._coordinator.settings_fresh(
                        setting.read_command, SETTINGS_FRESH
                    )
                    if current is None:
                        read = await self.async_command(setting.read_command)
                        current = read if isinstance(read, dict) else None
                await self.async_command(
                    setting.write_command, setting.payload(value, current)
                )
        finally:
            state.pending.pop(key, None)
            self._coordinator.async_update_parts(Part.SETTINGS)

    # --- reading the settings the entities show ----------------------------------------

    def _maybe_refresh(self) -> None:
        """After a heartbeat: read the settings, at most every few minutes."""
        now = dt_util.utcnow()
        low_power = self._coordinator.data.low_power
        interval = (
            LOW_POWER_RECHECK_INTERVAL if low_power else SETTINGS_REFRESH_INTERVAL
        )
        if self._last_refresh is not None and now - self._last_refresh < interval:
            return
        self._last_refresh = now
        names = ["get.capture.info"] if low_power else list(SETTINGS_COMMANDS)
        if (
            not low_power
            and (
                self._upgrade_checked is None
                or now - self._upgrade_checked >= UPGRADE_CHECK_INTERVAL
            )
            and (
                self._coordinator.settings_fresh(
                    "upgrade.check", UPGRADE_CHECK_INTERVAL
                )
                is None
            )
        ):
            # Counted when asked, answered or not: a slow vendor server over
            # cellular must not make it go out with every refresh.
            self._upgrade_checked = now
            names.append("upgrade.check")
        self._entry.async_create_background_task(
            self.hass, self._async_refresh(names), f"{DOMAIN} settings {self.mac}"
        )

    async def _async_refresh(self, names: list[str]) -> None:
        """Read while the camera is awake; stop at the first failure (it slept)."""
        for name in names:
            try:
                await self.async_command(name, wake=False)
            except X5Error as err:
                _LOGGER.debug(
                    "Settings refresh of %s stopped at %s: %s", self.mac, name, err
                )
                return
