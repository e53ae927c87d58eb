"""One MQTT subscription per distinct topic, shared by every camera, routed by MAC."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import partial
import logging
from typing import Any, Protocol

from homeassistant.components import mqtt
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.util.hass_dict import HassKey

from .api import InvalidPayloadError, decode_json, peek_mac
from .const import DOMAIN, LARGE_PAYLOAD_BYTES

_LOGGER = logging.getLogger(__name__)

DATA_DISPATCHER: HassKey[X5Dispatcher] = HassKey(DOMAIN)


class MessageKind(StrEnum):
    """What a topic carries for a camera."""

    HEARTBEAT = "heartbeat"
    SNAPSHOT = "snapshot"
    ALARM = "alarm"
    RESPONSE = "response"


class MessageReceiver(Protocol):
    """What the dispatcher hands a decoded message to (a camera's coordinator)."""

    async def async_handle_message(
        self,
        kind: MessageKind,
        message: dict[str, Any],
        size: int,
        retained: bool = False,
    ) -> None:
        """Handle one decoded message of this camera (``retained``: a replay)."""


@dataclass(slots=True)
class _Route:
    unsubscribe: CALLBACK_TYPE
    # MAC -> what this topic carries for that camera -> who takes it
    receivers: dict[str, dict[MessageKind, MessageReceiver]] = field(
        default_factory=dict
    )


class X5Dispatcher:
    """Routes messages of shared topics to cameras with one dict lookup per message."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Start with no subscription."""
        self._hass = hass
        self._routes: dict[str, _Route] = {}

    @property
    def topics(self) -> set[str]:
        """The topics subscribed now."""
        return set(self._routes)

    async def async_register(
        self, mac: str, topics: Mapping[MessageKind, str], receiver: MessageReceiver
    ) -> Callable[[], None]:
        """Route ``topics`` of camera ``mac`` to ``receiver``; return the undo."""
        for kind, topic in topics.items():
            route = self._routes.get(topic)
            if route is None:
                # Snapshots are large: every topic is taken as raw bytes, decoded here.
                unsubscribe = await mqtt.async_subscribe(
                    self._hass,
                    topic,
                    partial(self._async_message, topic),
                    encoding=None,
                )
                route = self._routes[topic] = _Route(unsubscribe)
            route.receivers.setdefault(mac, {})[kind] = receiver

        @callback
        def _unregister() -> None:
            for topic in set(topics.values()):
                route = self._routes.get(topic)
                if route is None:
                    continue
                route.receivers.pop(mac, None)
                if not route.receivers:
                    route.unsubscribe()
                    del self._routes[topic]

        return _unregister

    async def _async_message(self, topic: str, msg: mqtt.ReceiveMessage) -> None:
        route = self._routes.get(topic)
        if route is None:
            return
        payload = msg.payload
        size = len(payload)
        try:
            if size > LARGE_PAYLOAD_BYTES:
                message = await self._hass.async_add_executor_job(decode_json, payload)
            else:
                message = decode_json(payload)
        except InvalidPayloadError as err:
            _LOGGER.debug("Ignoring message on %s: %s", msg.topic, err)
            return
        mac = peek_mac(message)
        receivers = route.receivers.get(mac) if mac else None
        if receivers is None:
            # A camera not configured: Home Assistant's MQTT offers it (discovery,
            # the manifest's topic), or it was added on other topics.
            _LOGGER.debug(
                "Ignoring message on %s for unknown camera %s", msg.topic, mac
            )
            return
        # Where topics overlap, an answer (it names its api) is only an answer and
        # an uplink never one: a request heard back can never pass for a heartbeat.
        is_answer = "api" in message
        for kind, receiver in receivers.items():
            if (kind is MessageKind.RESPONSE) is is_answer:
                await receiver.async_handle_message(kind, message, size, msg.retain)


@callback
def async_get_dispatcher(hass: HomeAssistant) -> X5Dispatcher:
    """Return the integration's one dispatcher, created on first use."""
    if (dispatcher := hass.data.get(DATA_DISPATCHER)) is None:
        dispatcher = hass.data[DATA_DISPATCHER] = X5Dispatcher(hass)
    return dispatcher
