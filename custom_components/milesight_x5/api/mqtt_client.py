"""MQTT request/response over any publish function: correlate answers by (MAC, api)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from .catalogue import Command, encode_mqtt_request, get_command
from .exceptions import CommandFailedError, CommandTimeoutError, UnknownCommandError
from .models import ConfigureResponse

type Publish = Callable[[str, str], Awaitable[None]]

DEFAULT_TIMEOUT = 15.0


class X5MqttClient:
    """Sends commands on the configure request topic and matches the answers.

    One request per (camera, api) is in flight at a time; a second one waits for the
    first. Answers come in through :meth:`handle_response` (the caller routes the
    response topic here). ``data.code != 0`` raises :class:`CommandFailedError`.
    """

    def __init__(self, publish: Publish, request_topic: str) -> None:
        """Publish requests with ``publish(topic, payload)`` on ``request_topic``."""
        self._publish = publish
        self.request_topic = request_topic
        self._pending: dict[tuple[str, str], asyncio.Future[ConfigureResponse]] = {}
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
        """Send one command and return the answer's ``data``."""
        if isinstance(command, str):
            command = get_command(command)
        if command.mqtt_api is None:
            raise UnknownCommandError(f"{command.name} has no MQTT command (HTTP only)")
        api = command.mqtt_api
        key = (mac, api)
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            future: asyncio.Future[ConfigureResponse] = (
                asyncio.get_running_loop().create_future()
            )
            self._pending[key] = future
            try:
                await self._publish(
                    self.request_topic, encode_mqtt_request(command, mac, data)
                )
                async with asyncio.timeout(answer_timeout):
                    response = await future
            except TimeoutError:
                raise CommandTimeoutError(
                    f"{api} to {mac}: no answer within {answer_timeout:g} s"
                ) from None
            finally:
                if self._pending.get(key) is future:
                    del self._pending[key]
        if not response.ok:
            raise CommandFailedError(api, response.code or -1, response.result)
        return response.data

    def handle_response(self, response: ConfigureResponse) -> bool:
        """Resolve the request this answers; return whether one was waiting."""
        future = self._pending.get((response.mac, response.api))
        if future is None or future.done():
            return False
        future.set_result(response)
        return True
