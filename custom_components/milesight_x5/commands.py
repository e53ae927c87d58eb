"""The command path of one camera: its queue, the exchange, acts, writes, answers.

What goes out, and when (README, "How commands reach a sleeping camera"):

- **One command at a time per camera**, the user's before background reads: a
  user's command goes out right after the heartbeat that shows the camera awake.
- **Reaching it** is :class:`~.reach.Reach`'s: a wake only for a camera that
  sleeps, a probe only where nothing else can tell, an act only to a camera shown
  awake. Commands waiting behind a wake share it, and fail with it.
- **One request in flight**, answers matched as :mod:`~.api.mqtt_client` says: a
  late or repeated answer is never taken for a later request.
- **Reads and writes** (idempotent) not answered within the nudge are followed by a
  wake; the heartbeat of that wake sends them again, once.
- **Acts** (reboot, picture, format, install) go out once per user action and are
  never sent again; the same act asked again while it runs shares its outcome.
  ``cmd.snapshot`` ends with its answer and its picture (a sensor's picture is
  never taken for it); a reboot's camera is *restarting* until heard again; an
  install is in progress until the camera reports the new firmware.
- **Writes** send the changed branch (:class:`~.api.Setting`); the camera's
  ``code 0`` makes what was written the cached value: nothing is read back.
- **HTTP**, when configured, for a camera that is not known to sleep; a connection
  that was never made falls back to MQTT at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
import contextlib
import copy
import heapq
import json
import logging
from typing import Any

from homeassistant.components import mqtt
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util

from .api import (
    AuthenticationError,
    CameraAsleepError,
    Command,
    CommandCancelledError,
    CommandFailedError,
    CommandKind,
    CommandNotConfirmedError,
    CommandTimeoutError,
    ConfigureResponse,
    NeedsHttpError,
    PublishError,
    Setting,
    Snapshot,
    TriggerType,
    X5ConnectionError,
    X5Error,
    deep_merge,
    get_command,
)
from .api.coerce import as_str
from .api.field import MIP_READ
from .api.mqtt_client import Answer, Request, X5MqttClient
from .camera_http import http_client
from .const import BRANCH_FRESH, CONF_REQUEST_TOPIC, DOMAIN, INSTALL_TIMEOUT
from .dispatcher import MessageKind
from .errors import error_key
from .link import CameraLink
from .reach import Reach, async_publish_retrying
from .state import Part

_LOGGER = logging.getLogger(__name__)

# What checks the HTTP login at setup: the read the config flow checks it with.
LOGIN_CHECK = "get.sys.info"

# A picture of these triggers may be the one cmd.snapshot asked for; a sensor's
# (PIR, noise, timed, ...) never is.
_ASKED_TRIGGERS = frozenset({TriggerType.MANUAL, TriggerType.OTHER})


class _Turns:
    """One command at a time; waiting user commands before background ones."""

    def __init__(self) -> None:
        self._busy = False
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._count = 0

    @property
    def busy(self) -> bool:
        """Whether a command runs or waits."""
        return self._busy or bool(self._waiting)

    @contextlib.asynccontextmanager
    async def turn(self, *, background: bool) -> AsyncIterator[None]:
        """Hold the camera's turn (background: after every user command)."""
        if self.busy:
            turn = asyncio.get_running_loop().create_future()
            self._count += 1
            entry = (int(background), self._count, turn)
            heapq.heappush(self._waiting, entry)
            try:
                await turn
            except asyncio.CancelledError:
                if turn.done() and not turn.cancelled():
                    self._next()  # it was handed the turn: pass it on
                else:
                    self._waiting.remove(entry)
                    heapq.heapify(self._waiting)
                raise
        else:
            self._busy = True
        try:
            yield
        finally:
            self._next()

    def _next(self) -> None:
        while self._waiting:
            _, _, turn = heapq.heappop(self._waiting)
            if not turn.done():
                turn.set_result(None)
                return
        self._busy = False


class X5Commands:
    """Sends one camera's commands: over HTTP when configured, else over MQTT."""

    def __init__(self, link: CameraLink) -> None:
        """Commands for ``link``'s camera."""
        self._link = link
        self.hass = link.hass
        self.mac = link.mac
        self._entry = link.config_entry
        self.mqtt = X5MqttClient(
            self._async_publish, self._entry.data[CONF_REQUEST_TOPIC]
        )
        self.http = http_client(self.hass, self._entry.data)
        self.reach = Reach(link, self.mqtt, self._async_publish, self._status_changed)
        # Late answers come within a few answer timeouts; a repeat right after.
        self.mqtt.late_horizon = 4 * self.reach.answer_timeout
        self.mqtt.repeat_window = self.reach.answer_timeout / 15
        self._turns = _Turns()
        self._acts: dict[str, asyncio.Task[dict[str, Any] | bytes]] = {}
        self._writes = asyncio.Lock()  # one read-modify-write at a time
        self._pending: dict[str, object] = {}  # entity key -> the write showing
        self._written_at: dict[str, float] = {}  # get.* -> loop time of a write
        self._flight_mark = 0  # heard count when the request in flight went out
        self._restart_seen = False  # its boot heartbeat confirmed the act in flight
        self._picture = asyncio.Event()  # the picture cmd.snapshot asked for came
        self._failures = 0  # reaches that failed (the commands behind fail too)
        self._failure: X5Error | None = None

    # --- lifecycle and status ----------------------------------------------------------

    def async_shutdown(self) -> None:
        """Send nothing more, and fail what waits (the entry unloads)."""
        self.reach.closed = True
        self.mqtt.cancel_all(_unloaded(""))
        for task in list(self._acts.values()):
            task.cancel()

    def _status(self) -> str:
        if self.reach.restarting:
            return "restarting"
        if self.reach.waking:
            return "waking"
        if self._turns.busy or self.mqtt.in_flight(self.mac) is not None:
            return "sending"
        state = self._link.data
        if state.last_command is None:
            return "idle"
        return "failed" if state.last_error else "done"

    def _user_command(self, command: Command, err: X5Error | None = None) -> None:
        """A user's command ended (or began, ``err`` None and not yet answered):
        the command status sensor says which, and why it failed."""
        state = self._link.data
        state.last_command = command.name
        state.last_error = None if err is None else error_key(err)

    def _status_changed(self) -> None:
        """Show what the command path does now (the command status sensor)."""
        state = self._link.data
        if (status := self._status()) != state.command_status:
            state.command_status = status
            self._link.async_update_parts(Part.COMMANDS)

    # --- publishing --------------------------------------------------------------------

    async def _async_publish_once(self, topic: str, payload: str) -> None:
        try:
            await mqtt.async_publish(self.hass, topic, payload)
        except HomeAssistantError as err:
            # HA's broker connection is down: the camera cannot be reached now.
            raise PublishError(f"cannot publish to {topic}: {err}") from err

    async def _async_publish(self, topic: str, payload: str) -> None:
        """Publish; while the broker is away, try again (for an answer timeout)."""
        await async_publish_retrying(
            self._async_publish_once,
            topic,
            payload,
            patience=self.reach.answer_timeout,
            closed=lambda: self.reach.closed,
        )

    async def async_wake(self) -> None:
        """Publish on the wake topic (the Wake button: one message, nothing else)."""
        await self.reach.async_publish_wake()

    # --- hearing the camera ------------------------------------------------------------

    async def async_on_message(
        self, kind: MessageKind, snapshot: Snapshot | None = None
    ) -> None:
        """A live message from the camera: it is awake now."""
        heartbeat = kind is MessageKind.HEARTBEAT
        self.reach.note_heard(heartbeat=heartbeat, own=kind is not MessageKind.RESPONSE)
        self._status_changed()
        if snapshot is not None:
            self._on_picture(snapshot)
        elif heartbeat:
            await self._async_on_heartbeat()

    def _on_picture(self, snapshot: Snapshot) -> None:
        """A picture: it completes cmd.snapshot if it can only be the one asked for."""
        flight = self.mqtt.in_flight(self.mac)
        if snapshot.trigger not in _ASKED_TRIGGERS:
            return
        if flight is not None and flight.command.name == "cmd.snapshot":
            self.mqtt.complete(self.mac, flight.api, {})
        self._picture.set()

    async def _async_on_heartbeat(self) -> None:
        """A heartbeat: a wake (unless on external power, where it is its interval's).

        What was sent before it was not heard: a read or write waiting is sent again
        at once; a restarting act waiting with nothing heard since is confirmed by it.
        """
        if self.reach.on_external_power:
            return
        self.mqtt.camera_woke(self.mac)
        flight = self.mqtt.in_flight(self.mac)
        if flight is None or flight.future.done():
            return
        silent = self.reach.heard_count == self._flight_mark + 1
        elapsed = asyncio.get_running_loop().time() - flight.sent_at
        if flight.command.restarts:
            if silent and elapsed >= self.reach.nudge:
                # Silence, then the heartbeat of its start: it restarted, as asked.
                self._restart_seen = True
                flight.future.set_result(
                    ConfigureResponse(mac=self.mac, api=flight.api)
                )
            return
        if flight.command.idempotent and flight.sends < 2:
            try:
                await self.mqtt.async_resend(flight)
                _LOGGER.debug("%s woke up: sent %s again", self.mac, flight.api)
            except X5Error as err:
                _LOGGER.debug("Sending again to %s failed: %s", self.mac, err)

    def handle_response(self, response: ConfigureResponse) -> Answer:
        """An answer on the response topic: the request in flight's, a late one, ..."""
        answer, request = self.mqtt.handle_response(response)
        if request is None:
            _LOGGER.debug("%s answer from %s: %s", answer, self.mac, response.api)
            return answer
        if answer is Answer.TAKEN:
            loop_time = asyncio.get_running_loop().time()
            self.reach.observe_round_trip(loop_time - request.sent_at)
        if not response.ok:
            return answer
        stale = answer is Answer.LATE and (
            self._written_at.get(_read_of(request.command.name), -1.0) > request.sent_at
        )
        if not stale:
            self._take(request.command, request.data, response.data)
        return answer

    # --- sending -----------------------------------------------------------------------

    async def async_command(
        self,
        name: str,
        data: Mapping[str, Any] | None = None,
        *,
        background: bool = False,
        failures: int | None = None,
    ) -> dict[str, Any] | bytes:
        """Send a catalogue command (reaching the camera first); return its answer.

        ``background``: after every user command, and only while the camera is
        presumed awake (never woken for it). ``failures``: how many wakes had
        failed when the action began (a wake that failed since fails it too).
        """
        command = get_command(name)
        if command.kind is not CommandKind.ACT:
            return await self._async_run(
                command, data, background=background, failures=failures
            )
        key = command.name + json.dumps(data or {}, sort_keys=True, default=str)
        # A finished one (its done callback not run yet) is not shared: asked again.
        if (task := self._acts.get(key)) is None or task.done():
            task = self._entry.async_create_background_task(
                self.hass,
                self._async_run(command, data, background=False),
                f"{DOMAIN} {command.name} {self.mac}",
            )
            self._acts[key] = task
            task.add_done_callback(lambda done: self._act_done(key, done))
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if task.cancelled() and not (current and current.cancelling()):
                raise _unloaded(command.name) from None  # unloaded while it ran
            raise

    def _act_done(self, key: str, task: asyncio.Task[Any]) -> None:
        if self._acts.get(key) is task:
            del self._acts[key]
        if not task.cancelled():
            task.exception()  # each caller was told; nothing left unretrieved

    async def _async_run(
        self,
        command: Command,
        data: Mapping[str, Any] | None,
        *,
        background: bool,
        failures: int | None = None,
    ) -> dict[str, Any] | bytes:
        if self.reach.closed:
            raise _unloaded(command.name)
        if background:
            return await self._async_send(
                command, data, background=True, failures=failures
            )
        self._user_command(command)
        try:
            answer = await self._async_send(
                command, data, background=False, failures=failures
            )
        except X5Error as err:
            self._user_command(command, err)
            raise
        finally:
            self._status_changed()
        return answer

    async def _async_send(
        self,
        command: Command,
        data: Mapping[str, Any] | None,
        *,
        background: bool,
        failures: int | None = None,
    ) -> dict[str, Any] | bytes:
        if command.kind is CommandKind.ACT and self._installing():
            # A firmware install runs: the camera restarts when it is written,
            # at a moment nothing tells; an act then is lost (or, a restart,
            # harms the install). Until the new version shows, or for at most
            # the install's timeout (a version that never matches frees it).
            raise CameraAsleepError("firmware_installing")
        if self.http is not None and (
            not command.over_mqtt or not self.reach.known_asleep
        ):
            answer = await self._async_over_http(command, data)
            if answer is not None:
                return answer
        if not command.over_mqtt:
            raise NeedsHttpError(
                f"{command.name} needs HTTP access to the camera", command=command.name
            )
        if self._link.data.low_power and command.kind is not CommandKind.READ:
            # No remote configuration in Low Power mode: only reads, only while it
            # is awake after a heartbeat (to notice it is back in Full Function).
            raise CameraAsleepError("low_power_mode")
        if failures is None:
            failures = self._failures
        # A background read never comes between a user's read and write.
        writes = self._writes if background else contextlib.nullcontext()
        try:
            async with writes, self._turns.turn(background=background):
                self._status_changed()
                if self._failures != failures and self._failure is not None:
                    raise copy.copy(self._failure)  # the wake it waited for failed
                # Not the same command while its late answer or a repeat may
                # come (it would look like the new one's): before the evidence
                # of the camera being awake is taken, so that stays fresh.
                await self.mqtt.async_orphan_settled(
                    self.mac, command.mqtt_api or command.name
                )
                try:
                    await self.reach.async_reach(
                        act=command.kind is CommandKind.ACT, wake=not background
                    )
                except CameraAsleepError as err:
                    if not background:
                        self._failures += 1
                        self._failure = err
                    raise
                return await self._async_exchange(command, data, background=background)
        finally:
            self._status_changed()

    async def async_check_login(self) -> None:
        """At setup, with HTTP access: is the login right? A camera that answers
        costs one read, kept like any other (``get.sys.info``); one that does not
        answer (asleep, out of reach) says nothing about the login and setup goes
        on. Raises AuthenticationError for a refused login."""
        if self.http is None:
            return
        command = get_command(LOGIN_CHECK)
        try:
            answer = await self.http.async_request(command)
        except AuthenticationError:
            raise
        except X5Error as err:
            _LOGGER.debug("HTTP login of %s not checked at setup: %s", self.mac, err)
            return
        self._link.async_heard()
        if isinstance(answer, dict):
            self._take(command, None, answer)

    async def _async_over_http(
        self, command: Command, data: Mapping[str, Any] | None
    ) -> dict[str, Any] | bytes | None:
        """The command over HTTP; None when MQTT should carry it instead."""
        assert self.http is not None
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
            _LOGGER.debug("%s over HTTP failed (%s); trying MQTT", command.name, err)
            return None
        self._link.async_heard()  # it answered: it is awake
        if isinstance(answer, bytes):
            if command.name == "cmd.snapshot" and answer:
                # Over HTTP the picture is the answer: show it like an uplink.
                await self._link.async_take_picture(answer)
        else:
            self._take(command, data, answer)
        return answer

    async def _async_exchange(
        self, command: Command, data: Mapping[str, Any] | None, *, background: bool
    ) -> dict[str, Any]:
        """Send the request and wait for its outcome (the camera is ready)."""
        self._picture.clear()
        self._flight_mark = self.reach.heard_count
        self._restart_seen = False
        request = await self.mqtt.async_send(self.mac, command, data)
        self._status_changed()
        try:
            if command.kind is CommandKind.ACT:
                return await self._async_act(request)
            return await self._async_answer(request, nudge=not background)
        finally:
            self.mqtt.give_up(request)

    async def _async_answer(self, request: Request, *, nudge: bool) -> dict[str, Any]:
        """A read's or write's answer; unanswered within the nudge, the wake follows
        (its heartbeat sends the request again). A background read (no nudge) waits
        the nudge only: the camera slept, and a user's command may be waiting."""
        timeout = self.reach.answer_timeout if nudge else self.reach.nudge
        slept: float | None = None
        if nudge:
            if await _answered(request, self.reach.nudge):
                return _data(request)
            if self.reach.heard_count == self._flight_mark:
                # Not a word since it went out: it slept sooner than presumed.
                _LOGGER.debug("%s: no answer to %s; waking", self.mac, request.api)
                slept = self.reach.observe_asleep(request.sent_at)
                await self.reach.async_publish_wake()
        loop = asyncio.get_running_loop()
        while (remaining := request.sent_at + timeout - loop.time()) > 0:
            if await _answered(request, remaining):
                if request.sends == 1:  # answered without the wake's resend
                    self.reach.forget_asleep(slept)  # slow, not asleep
                return _data(request)
        if (
            not nudge
            and self.reach.heard_count == self._flight_mark
            and request.api != MIP_READ  # firmware may ignore it while awake
        ):
            self.reach.observe_asleep(request.sent_at)  # a background read: it slept
        raise CommandTimeoutError(
            f"{request.api} to {self.mac}: no answer within {timeout:g} s",
            command=request.api,
        )

    async def _async_act(self, request: Request) -> dict[str, Any]:
        """An act's outcome: its answer (a restart's heartbeat, a picture), or not
        confirmed. It is never sent again."""
        reach = self.reach
        command = request.command
        timeout = reach.wake_timeout if command.restarts else reach.answer_timeout
        if not await _answered(request, timeout):
            raise CommandNotConfirmedError(request.api)
        answer = _data(request)
        if command.name == "cmd.snapshot" and not self._picture.is_set():
            # Answered before its picture: the action ends with the picture shown.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(reach.answer_timeout):
                    await self._picture.wait()
        elif command.restarts and not self._restart_seen:
            # Answered before it went down: restarting until it is heard again.
            reach.restarting = True
            self._status_changed()
        return answer

    # --- answers into the state --------------------------------------------------------

    def _take(
        self, command: Command, data: Mapping[str, Any] | None, answer: dict[str, Any]
    ) -> None:
        """What a successful answer tells about the camera."""
        link = self._link
        if command.kind is CommandKind.READ:
            if answer and (command.is_read or command.name == "upgrade.check"):
                link.store_settings(command.name, answer)
                if command.name == "get.login.info":
                    self._check_install()
        elif command.kind is CommandKind.WRITE and data:
            self._confirm_write(command, data)
        elif command.name == "upgrade.online":
            self._start_install()
        link.async_update_parts(Part.SETTINGS)

    def _confirm_write(self, command: Command, data: Mapping[str, Any]) -> None:
        """The camera took a write: what was written is the cached value.

        Merged, never replacing a branch with a fragment (an expert's send_command
        may send one). The branch keeps the time it was read: a nested write reads
        it again once that is old (the camera's web page may have changed it).
        """
        name = _read_of(command.name)
        state = self._link.data
        if (cached := state.settings.get(name)) is not None:
            deep_merge(cached, data)
        else:
            state.settings[name] = copy.deepcopy(dict(data))  # shown, not a base
        self._written_at[name] = asyncio.get_running_loop().time()
        self._link.async_save_later()

    def _installing(self) -> bool:
        state = self._link.data
        return bool(
            state.install_version
            and state.install_since
            and dt_util.utcnow() - state.install_since < INSTALL_TIMEOUT
        )

    def _start_install(self) -> None:
        state = self._link.data
        offered = as_str(state.setting("upgrade.check", "softversion"))
        state.install_version = offered or "?"
        state.install_since = dt_util.utcnow()
        self._link.async_save_later()

    def _check_install(self) -> None:
        state = self._link.data
        if state.install_version is None:
            return
        if as_str(state.setting("get.login.info", "software")) == state.install_version:
            _LOGGER.info("%s runs firmware %s now", self.mac, state.install_version)
            state.install_version = state.install_since = None
            self._link.async_save_later()

    # --- settings entities -------------------------------------------------------------

    async def async_set(
        self, key: str, setting: Setting, value: Any, shown: Any
    ) -> None:
        """A settings entity's change, shown as pending until the camera confirms it.

        A nested setting goes with its whole top-level object as the camera last
        reported it (read first when that is not recent).
        """
        state = self._link.data
        failures = self._failures
        mine = object()
        self._pending[key] = mine
        state.pending[key] = shown
        self._link.async_update_parts(Part.SETTINGS)
        try:
            async with self._writes:
                current: Mapping[str, Any] | None = None
                if setting.nested:
                    current = state.fresh(setting.read_command, BRANCH_FRESH)
                    if current is None:
                        read = await self.async_command(
                            setting.read_command, failures=failures
                        )
                        current = read if isinstance(read, dict) else None
                await self.async_command(
                    setting.write_command,
                    setting.payload(value, current),
                    failures=failures,
                )
        finally:
            if self._pending.get(key) is mine:  # a later change still shows its own
                del self._pending[key]
                state.pending.pop(key, None)
            self._link.async_update_parts(Part.SETTINGS)


async def _answered(request: Request, seconds: float) -> bool:
    """Whether the request's answer came within ``seconds``."""
    if request.future.done():
        return True
    try:
        async with asyncio.timeout(seconds):
            await asyncio.shield(request.future)
    except TimeoutError:
        return False
    return True


def _data(request: Request) -> dict[str, Any]:
    """The answer's data; a refusal raises CommandFailedError."""
    response = request.future.result()
    if not response.ok:
        raise CommandFailedError(request.api, response.code or -1, response.result)
    return response.data


def _read_of(name: str) -> str:
    """The ``get.*`` of a ``set.*`` (or the name itself)."""
    return "get." + name.removeprefix("set.") if name.startswith("set.") else name


def _unloaded(command: str) -> CommandCancelledError:
    return CommandCancelledError("the camera was unloaded", command=command)
