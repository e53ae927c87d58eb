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


@dataclass(slots=True)
class _Pending:
    """A request waiting for its answer."""

    command: Command
    payload: str
    future: asyncio.Future[ConfigureResponse]
    timeout: float
    deadline: float


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

    async def async_camera_woke(self, mac: str) -> list[str]:
        """Send again what ``mac`` cannot have heard; return the apis sent again."""
        loop = asyncio.get_running_loop()
        resent: list[str] = []
        for (owner, api), pending in list(self._pending.items()):
            if owner != mac or pending.future.done():
                continue
            if pending.command.restarts:
                # It restarted, as asked: that heartbeat is the confirmation.
                pending.future.set_result(ConfigureResponse(mac=mac, api=api))
                continue
            pending.deadline = loop.time() + pending.timeout
            resent.append(api)
            await self._publish(self.request_topic, pending.payload)
        return resent
