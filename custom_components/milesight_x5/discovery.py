"""Discovery of unconfigured cameras, once the integration listens to their topic.

Home Assistant's MQTT starts a config flow for *every* new payload on a topic the
manifest names (``X5SensingCam/Status``). For a camera that is already configured
that flow only aborts, but it runs for each heartbeat: in the benchmark it was a
fifth of the CPU a heartbeat cost. Once the dispatcher subscribes to that topic
anyway (a camera uses it), the integration takes discovery over: it ends Home
Assistant's discovery subscription for the topic and starts the same flow itself,
only for a MAC no config entry has (ignored ones included), at most once a minute
per MAC. Its subscription then stays for as long as Home Assistant runs, so
cameras are still discovered after the last one was removed.

Home Assistant offers no call to end an integration's discovery subscription; the
takeover reads the MQTT integration's own record of them and does nothing when it
is not there (MQTT discovery turned off, or a Home Assistant that keeps it
elsewhere): discovery then stays Home Assistant's, as before, at its cost.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
import logging
import time

from homeassistant.components import mqtt
from homeassistant.config_entries import SOURCE_MQTT
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import discovery_flow
from homeassistant.helpers.service_info.mqtt import MqttServiceInfo

from .const import DOMAIN

_LOGGER = logging.getLogger(__name__)

# A MAC offered once is offered again at most this often (its flow may be gone).
RETRY_SECONDS = 60.0


def _mqtt_discovery_subscriptions(
    hass: HomeAssistant,
) -> tuple[MutableMapping[str, Callable[[], None]] | None, bool]:
    """The MQTT integration's discovery subscriptions by "<domain>_<topic>", and
    whether its discovery is on (it then also holds its own discovery topics)."""
    mqtt_data = hass.data.get("mqtt")
    subscriptions = getattr(mqtt_data, "integration_unsubscribe", None)
    if not isinstance(subscriptions, MutableMapping):
        return None, False
    return subscriptions, bool(getattr(mqtt_data, "discovery_unsubscribe", None))


class X5Discovery:
    """Offers cameras heard on the topics taken over from Home Assistant's MQTT."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Nothing taken over yet."""
        self._hass = hass
        self.topics: set[str] = set()
        self._offered: dict[str, float] = {}  # MAC -> when its flow was started

    @callback
    def async_take_over(self, topic: str) -> bool:
        """End Home Assistant's discovery subscription for ``topic`` (a topic of the
        manifest); return whether discovery on it is ours now.

        Called for every message on the topic (a dict lookup): a reload of the MQTT
        integration subscribes it again, or turns its discovery off.
        """
        subscriptions, discovery_on = _mqtt_discovery_subscriptions(self._hass)
        if subscriptions is not None and (
            unsubscribe := subscriptions.pop(f"{DOMAIN}_{topic}", None)
        ):
            unsubscribe()
            if topic not in self.topics:
                _LOGGER.debug("Discovery on %s taken over from MQTT", topic)
            self.topics.add(topic)
        elif not discovery_on:
            self.topics.discard(topic)  # MQTT discovery was turned off
        return topic in self.topics

    @callback
    def async_heard(self, mac: str, msg: mqtt.ReceiveMessage) -> None:
        """A message of camera ``mac``, which no config entry of this topic has."""
        if self._hass.config_entries.async_entry_for_domain_unique_id(DOMAIN, mac):
            return  # configured on other topics, or ignored
        now = time.monotonic()
        if now - self._offered.get(mac, -RETRY_SECONDS) < RETRY_SECONDS:
            return
        self._offered[mac] = now
        _LOGGER.debug("Offering camera %s, heard on %s", mac, msg.topic)
        info = MqttServiceInfo(
            topic=msg.topic,
            payload=msg.payload,
            qos=msg.qos,
            retain=msg.retain,
            subscribed_topic=msg.subscribed_topic,
            timestamp=msg.timestamp,
        )
        discovery_flow.async_create_flow(
            self._hass,
            DOMAIN,
            {"source": SOURCE_MQTT},
            info,
            discovery_key=discovery_flow.DiscoveryKey(
                domain="mqtt", key=msg.topic, version=1
            ),
        )
