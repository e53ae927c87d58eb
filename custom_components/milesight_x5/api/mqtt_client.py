"""MQTT request/response for a camera whose answers carry no request identity.

An answer names only the camera (``devMac``) and the command (``api``). What makes
it safe to take an answer for a request anyway (NOTES.md, "Remote configuration"):

- **One request in flight per camera.** The next one goes out when the answer came
  or the caller gave up waiting.
- **A request given up on may still be answered** (a slow link, a busy camera): it
  becomes an *orphan*. The camera answers in the order it was asked (a slow link
  delays everything behind a late answer), so an orphan is settled by the first of:
  its own late answer (taken as late, never for a later request), the answer of a
  request sent after it (it was never heard, or its answer would have come first), a
  heartbeat of a wake after it (a sleeping camera heard nothing; one that heard it
  answers before it sleeps), or ``late_horizon`` seconds.
- While an orphan of a command may still be answered, the same command is not sent
  again (:meth:`X5MqttClient.async_orphan_settled`): its late answer would look like
  the new one's.
- **A repeated answer** (a QoS 1 duplicate) comes right after the first: the same
  answer again within ``repeat_window`` seconds is dropped, and a command answered
  less than ``repeat_window`` ago is not sent again before that window ends, so a
  repeat can never be taken for the next request's answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .catalogue import Command, encode_mqtt_request
from .exceptions import UnknownCommandError
from .models import ConfigureResponse

type Publish = Callable[[str, str], Awaitable[None]]

DEFAULT_LATE_HORIZON = 60.0
DEFAULT_REPEAT_WINDOW = 1.0


class Answer(StrEnum):
    """What an answer on the response topic was taken for."""

    TAKEN = "taken"  # the answer of the request in flight
    LATE = "late"  # the late answer of an orphan (returned with it)
    REPEAT = "repeat"  # the same answer again, right after the first
    UNEXPECTED = (
        "unexpected"  # nobody asked (another client, or older than the horizon)
    )


@dataclass(slots=True, eq=False)
class Request:
    """One request: what went out, when, and the answer it waits for."""

    mac: str
    command: Command
    data: Mapping[str, Any] | None
    payload: str
    future: asyncio.Future[ConfigureResponse]
    sent_at: float = 0.0  # loop time the broker took it (the last time, if resent)
    sends: int = 0
    answered: bool = False  # its answer came (not only other evidence)

    @property
    def api(self) -> str:
        """The command's MQTT api."""
        return self.command.mqtt_api or self.command.name


@dataclass(slots=True)
class _Camera:
    """One camera's requests: the one in flight, orphans, the last answers."""

    flight: Request | None = None
    orphans: list[Request] = field(default_factory=list)
    answering: set[str] = field(default_factory=set)  # apis it was seen to answer
    answered: dict[str, tuple[float, dict[str, Any]]] = field(default_factory=dict)
    changed: asyncio.Event = field(default_factory=asyncio.Event)


class X5MqttClient:
    """Sends requests on the configure request topic and matches their answers."""

    def __init__(
        self,
        publish: Publish,
        request_topic: str,
        *,
        late_horizon: float = DEFAULT_LATE_HORIZON,
        repeat_window: float = DEFAULT_REPEAT_WINDOW,
    ) -> None:
        """Publish requests with ``publish(topic, payload)`` on ``request_topic``."""
        self._publish = publish
        self.request_topic = request_topic
        self.late_horizon = late_horizon
        self.repeat_window = repeat_window
        self._cameras: dict[str, _Camera] = {}

    def _camera(self, mac: str) -> _Camera:
        return self._cameras.setdefault(mac, _Camera())

    @staticmethod
    def _now() -> float:
        return asyncio.get_running_loop().time()

    # --- what is waiting ---------------------------------------------------------------

    def in_flight(self, mac: str) -> Request | None:
        """The request of ``mac`` waiting for its answer, if any."""
        camera = self._cameras.get(mac)
        return camera.flight if camera else None

    def orphans(self, mac: str) -> list[str]:
        """The apis of the orphans of ``mac`` that may still be answered."""
        self._expire(mac)
        camera = self._cameras.get(mac)
        return [orphan.api for orphan in camera.orphans] if camera else []

    def _expire(self, mac: str) -> None:
        camera = self._cameras.get(mac)
        if camera is None or not camera.orphans:
            return
        oldest = self._now() - self.late_horizon
        kept = [orphan for orphan in camera.orphans if orphan.sent_at > oldest]
        if len(kept) != len(camera.orphans):
            camera.orphans = kept
            self._changed(camera)

    @staticmethod
    def _changed(camera: _Camera) -> None:
        camera.changed.set()
        camera.changed = asyncio.Event()

    async def async_orphan_settled(self, mac: str, api: str) -> None:
        """Wait until no orphan of ``api`` may still be answered, and until a repeat of
        its last answer can no longer come (at most ``late_horizon`` seconds)."""
        camera = self._camera(mac)
        while True:
            self._expire(mac)
            now = self._now()
            waits = [
                orphan.sent_at + self.late_horizon - now
                for orphan in camera.orphans
                if orphan.api == api
            ]
            if (last := camera.answered.get(api)) is not None:
                waits.append(last[0] + self.repeat_window - now)
            if (wait := max(waits, default=0.0)) <= 0:
                return
            changed = camera.changed
            try:
                async with asyncio.timeout(wait):
                    await changed.wait()
            except TimeoutError:
                continue

    # --- sending -----------------------------------------------------------------------

    async def async_send(
        self, mac: str, command: Command, data: Mapping[str, Any] | None = None
    ) -> Request:
        """Publish a request and make it the one in flight; its ``future`` gets the
        answer. The caller waits as long as it likes, then :meth:`give_up`."""
        if command.mqtt_api is None:
            raise UnknownCommandError(f"{command.name} has no MQTT command (HTTP only)")
        camera = self._camera(mac)
        if camera.flight is not None:
            raise RuntimeError(f"{mac}: {camera.flight.api} is still in flight")
        request = Request(
            mac,
            command,
            data,
            encode_mqtt_request(command, mac, data),
            asyncio.get_running_loop().create_future(),
        )
        camera.flight = request
        try:
            await self.async_resend(request)
        except BaseException:
            camera.flight = None
            raise
        return request

    async def async_resend(self, request: Request) -> None:
        """Publish the request (again): a camera that just woke did not hear it."""
        await self._publish(self.request_topic, request.payload)
        request.sent_at = self._now()
        request.sends += 1

    def give_up(self, request: Request, *, heard: bool = True) -> None:
        """The caller stops waiting for ``request``'s answer.

        ``heard``: the camera may have heard it, so its answer may still come (an
        orphan); False when it cannot have (never published, camera unloaded).
        """
        camera = self._camera(request.mac)
        if camera.flight is request:
            camera.flight = None
        if not request.future.done():
            request.future.cancel()
        # Unanswered, or done by other evidence (a picture) where this camera
        # answers the command too: its answer may still come.
        late = not request.answered and (
            not request.future.done()
            or request.future.cancelled()
            or request.api in camera.answering
        )
        if heard and request.sends and late:
            camera.orphans.append(request)
        self._changed(camera)

    # --- answers -----------------------------------------------------------------------

    def handle_response(
        self, response: ConfigureResponse
    ) -> tuple[Answer, Request | None]:
        """Match an answer: the request it answers (taken, or late), or nothing."""
        mac, api = response.mac, response.api
        camera = self._cameras.get(mac)
        if camera is None:
            return Answer.UNEXPECTED, None
        now = self._now()
        last = camera.answered.get(api)
        if (
            last is not None
            and now - last[0] < self.repeat_window
            and last[1] == response.data
        ):
            return Answer.REPEAT, None
        self._expire(mac)
        camera.answered[api] = (now, response.data)  # its repeat is known as one
        camera.answering.add(api)
        for orphan in camera.orphans:
            if orphan.api == api:
                # In order: the oldest unanswered request of this api is answered
                # first; those asked before it were not heard.
                self._settle(camera, camera.orphans.index(orphan) + 1)
                return Answer.LATE, orphan
        flight = camera.flight
        if flight is not None and flight.api == api and not flight.answered:
            self._settle(camera, len(camera.orphans))  # sent before it: never heard
            flight.answered = True
            if not flight.future.done():
                flight.future.set_result(response)
            return Answer.TAKEN, flight
        return Answer.UNEXPECTED, None

    def _settle(self, camera: _Camera, count: int) -> None:
        if count:
            del camera.orphans[:count]
            self._changed(camera)

    def complete(self, mac: str, api: str, data: Mapping[str, Any]) -> bool:
        """Resolve the request in flight by other evidence than an answer (the
        picture of ``cmd.snapshot``); return whether one was waiting."""
        camera = self._cameras.get(mac)
        flight = camera.flight if camera else None
        if flight is None or flight.api != api or flight.future.done():
            return False
        flight.future.set_result(ConfigureResponse(mac=mac, api=api, data=dict(data)))
        return True

    def camera_woke(self, mac: str) -> None:
        """A heartbeat of a wake: what went out before it was never heard."""
        camera = self._cameras.get(mac)
        if camera is not None:
            self._settle(camera, len(camera.orphans))

    def cancel_all(self, error: Exception) -> None:
        """Fail every request in flight (the camera is unloaded)."""
        for camera in self._cameras.values():
            camera.orphans.clear()
            if (flight := camera.flight) is not None and not flight.future.done():
                flight.future.set_exception(error)
                flight.future.exception()  # its waiter may be gone already
