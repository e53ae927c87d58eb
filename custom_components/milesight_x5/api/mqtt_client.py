"""MQTT request/response over any publish function: correlate answers by (MAC, api)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .catalogue import Command, encode_mqtt_request, get_command
from .exceptions import (
    CommandFailedError,
    CommandNotConfirmedError,
    CommandTimeoutError,
    UnknownCommandError,
)
from .models import ConfigureResponse

type Publish = Callable[[str, str], Awaitable[None]]

DEFAULT_TIMEOUT = 15.0
# A heartbeat this soon after an act went out is the same wake's (the camera woke,
# posted, and took the request): the act is not sent again.
RESEND_GUARD_SECONDS = 3.0
# A camera cannot restart faster: a heartbeat sooner after cmd.reboot is a wake (it
# slept and missed the reboot), not the restart.
MIN_RESTART_SECONDS = 5.0


@dataclass(slots=True)
class _Pending:
    """A request waiting for its answer."""

    command: Command
    payload: str
    future: asyncio.Future[ConfigureResponse]
    timeout: float
    deadline: float
    sent_at: float | None = None  # loop time the broker took it


class X5MqttClient:
    """Sends commands on the configure request topic and matches the answers.

    One request per (camera, api) is in flight at a time; a second one waits for the
    first. Answers come in through :meth:`handle_response` (the caller routes the
    response topic here); other evidence (the picture of ``cmd.snapshot``) through
    :meth:`complete`. ``data.code != 0`` raises :class:`CommandFailedError`.

    A camera that posts a heartbeat while a request waits has just woken up and did
    not hear it (a sleeping camera hears nothing): :meth:`async_camera_woke` sends
    it again, acts included, with a fresh answer timeout. A restarting command
    (``cmd.reboot``) is the exception: the heartbeat after it is its effect.
    """

    def __init__(self, publish: Publish, request_topic: str) -> None:
        """Publish requests with ``publish(topic, payload)`` on ``request_topic``."""
        self._publish = publish
        self.request_topic = request_topic
        self._pending: dict[tuple[str, str], _Pending] = {}
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}

    @property
    def pending(self) -> set[tuple[str, str]]:
        """The (MAC, api) pairs waiting for an answer."""
        return set(self._pending)

    async def async_request(
        self,
        mac: str,
        command: Command | str,
        data: Mapping[str, Any] | None = None,
        *,
        answer_timeout: float = DEFAULT_TIMEOUT,
    ) -> dict[str, Any]:
        """Send one command and return the answer's ``data``.

        No answer in time: :class:`CommandNotConfirmedError` for an act (it went
        out and is not repeated), :class:`CommandTimeoutError` otherwise.
        """
        if isinstance(command, str):
            command = get_command(command)
        if command.mqtt_api is None:
            raise UnknownCommandError(f"{command.name} has no MQTT command (HTTP only)")
        api = command.mqtt_api
        key = (mac, api)
        loop = asyncio.get_running_loop()
        async with self._locks.setdefault(key, asyncio.Lock()):
            pending = self._pending[key] = _Pending(
                command,
                encode_mqtt_request(command, mac, data),
                loop.create_future(),
                answer_timeout,
                loop.time() + answer_timeout,
            )
            try:
                await self._publish(self.request_topic, pending.payload)
                pending.sent_at = loop.time()
                response = await self._async_wait(pending)
            finally:
                if self._pending.get(key) is pending:
                    del self._pending[key]
        if response is None:
            if not command.idempotent:
                raise CommandNotConfirmedError(api)
            raise CommandTimeoutError(
                f"{api} to {mac}: no answer within {answer_timeout:g} s", command=api
            )
        if not response.ok:
            raise CommandFailedError(api, response.code or -1, response.result)
        return response.data

    @staticmethod
    async def _async_wait(pending: _Pending) -> ConfigureResponse | None:
        """The answer, or None once the deadline (which a resend moves) passed."""
        loop = asyncio.get_running_loop()
        while (remaining := pending.deadline - loop.time()) > 0:
            try:
                async with asyncio.timeout(remaining):
                    return await asyncio.shield(pending.future)
            except TimeoutError:
                continue
        return None

    def handle_response(self, response: ConfigureResponse) -> bool:
        """Resolve the request this answers; return whether one was waiting."""
        return self._resolve((response.mac, response.api), response)

    def complete(self, mac: str, api: str, data: Mapping[str, Any]) -> bool:
        """Resolve a request by other evidence than an answer (``cmd.snapshot``)."""
        return self._resolve(
            (mac, api), ConfigureResponse(mac=mac, api=api, data=dict(data))
        )

    def _resolve(self, key: tuple[str, str], response: ConfigureResponse) -> bool:
        pending = self._pending.get(key)
        if pending is None or pending.future.done():
            return False
        pending.future.set_result(response)
        return True

    def cancel_all(self, error: Exception) -> None:
        """Fail every request waiting (the camera is unloaded)."""
        for pending in self._pending.values():
            if not pending.future.done():
                pending.future.set_exception(error)
                pending.future.exception()  # its waiter may be gone already

    async def async_camera_woke(self, mac: str, *, acts: bool = True) -> list[str]:
        """Send again what ``mac`` cannot have heard; return the apis sent again.

        ``acts=False``: a heartbeat that is not a wake (a camera on external power
        posts one at its interval) sends no act again. An act sent moments ago is
        not sent again either: that heartbeat is the wake that heard it.
        """
        now = asyncio.get_running_loop().time()
        resent: list[str] = []
        for (owner, api), pending in list(self._pending.items()):
            if owner != mac or pending.future.done() or pending.sent_at is None:
                continue
            since = now - pending.sent_at
            command = pending.command
            if command.restarts and since >= MIN_RESTART_SECONDS:
                # It restarted, as asked: the heartbeat of its start confirms it.
                pending.future.set_result(ConfigureResponse(mac=mac, api=api))
                continue
            if not command.idempotent and (not acts or since < RESEND_GUARD_SECONDS):
                continue
            pending.deadline = now + pending.timeout
            pending.sent_at = now
            resent.append(api)
            await self._publish(self.request_topic, pending.payload)
        return resent
