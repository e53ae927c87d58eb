"""Config flow: add a camera by MAC, or from a heartbeat seen on the broker."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.components import mqtt
from homeassistant.config_entries import ConfigFlow, ConfigFlowResult
from homeassistant.const import CONF_NAME
from homeassistant.data_entry_flow import section
from homeassistant.helpers.service_info.mqtt import MqttServiceInfo
import voluptuous as vol

from .api import (
    InvalidMacError,
    InvalidPayloadError,
    decode_json,
    normalize_mac,
    peek_mac,
)
from .const import (
    CONF_HEARTBEAT_TOPIC,
    CONF_MAC,
    CONF_REQUEST_TOPIC,
    CONF_TOPICS,
    DEFAULT_TOPICS,
    DOMAIN,
    MODEL,
    TOPIC_KEYS,
)


def _default_title(mac: str) -> str:
    return f"{MODEL} {mac[-6:]}"


def _topics_schema(current: Mapping[str, str]) -> vol.Schema:
    return vol.Schema(
        {
            vol.Required(key, default=current.get(key, DEFAULT_TOPICS[key])): str
            for key in TOPIC_KEYS
        }
    )


def _validate_topics(topics: Mapping[str, Any]) -> dict[str, str] | None:
    """Return the topics stripped and valid, or None when one is not an MQTT topic."""
    validated: dict[str, str] = {}
    for key in TOPIC_KEYS:
        value = str(topics.get(key, DEFAULT_TOPICS[key])).strip()
        # The request topic is published to; the others are subscribed to.
        check = (
            mqtt.valid_publish_topic
            if key == CONF_REQUEST_TOPIC
            else mqtt.valid_subscribe_topic
        )
        try:
            validated[key] = check(value)
        except vol.Invalid:
            return None
    return validated


class X5ConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add a Milesight X5 camera."""

    VERSION = 1

    def __init__(self) -> None:
        """Start a flow."""
        self._discovered: dict[str, str] = {}

    def _mqtt_ready(self) -> bool:
        return bool(self.hass.config_entries.async_loaded_entries(mqtt.DOMAIN))

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the MAC, a name, and (folded away) the topics."""
        if not self._mqtt_ready():
            return self.async_abort(reason="mqtt_not_configured")
        errors: dict[str, str] = {}
        if user_input is not None:
            mac: str | None = None
            try:
                mac = normalize_mac(user_input[CONF_MAC])
            except InvalidMacError:
                errors[CONF_MAC] = "invalid_mac"
            topics = _validate_topics(user_input.get(CONF_TOPICS, {}))
            if topics is None:
                errors[CONF_TOPICS] = "invalid_topic"
            if mac is not None and topics is not None:
                await self.async_set_unique_id(mac)
                self._abort_if_unique_id_configured()
                name = (user_input.get(CONF_NAME) or "").strip()
                return self.async_create_entry(
                    title=name or _default_title(mac), data={CONF_MAC: mac, **topics}
                )
        schema = vol.Schema(
            {
                vol.Required(CONF_MAC): str,
                vol.Optional(CONF_NAME): str,
                vol.Required(CONF_TOPICS): section(
                    _topics_schema(DEFAULT_TOPICS), {"collapsed": True}
                ),
            }
        )
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(schema, user_input),
            errors=errors,
        )

    async def async_step_mqtt(
        self, discovery_info: MqttServiceInfo
    ) -> ConfigFlowResult:
        """A heartbeat from a camera that is not configured yet."""
        try:
            message = decode_json(discovery_info.payload)
        except InvalidPayloadError:
            return self.async_abort(reason="invalid_discovery_info")
        if (mac := peek_mac(message)) is None:
            return self.async_abort(reason="invalid_discovery_info")
        await self.async_set_unique_id(mac)
        self._abort_if_unique_id_configured()
        values = message.get("values")
        name = values.get("devName") if isinstance(values, dict) else None
        title = _default_title(mac)
        if isinstance(name, str) and name.strip() and name.strip() != MODEL:
            title = name.strip()
        self._discovered = {
            CONF_MAC: mac,
            CONF_NAME: title,
            CONF_HEARTBEAT_TOPIC: discovery_info.subscribed_topic,
        }
        self.context["title_placeholders"] = {"name": title, "mac": mac}
        return await self.async_step_discovery_confirm()

    async def async_step_discovery_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Confirm adding a discovered camera."""
        if user_input is not None:
            topics = {
                **DEFAULT_TOPICS,
                CONF_HEARTBEAT_TOPIC: self._discovered[CONF_HEARTBEAT_TOPIC],
            }
            return self.async_create_entry(
                title=self._discovered[CONF_NAME],
                data={CONF_MAC: self._discovered[CONF_MAC], **topics},
            )
        self._set_confirm_only()
        return self.async_show_form(
            step_id="discovery_confirm",
            description_placeholders={
                "name": self._discovered[CONF_NAME],
                "mac": self._discovered[CONF_MAC],
            },
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the name and topics of a camera."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            topics = _validate_topics(user_input)
            if topics is None:
                errors["base"] = "invalid_topic"
            else:
                name = (user_input.get(CONF_NAME) or "").strip()
                return self.async_update_reload_and_abort(
                    entry,
                    title=name or _default_title(entry.data[CONF_MAC]),
                    data_updates=topics,
                )
        current = {**entry.data, **(user_input or {})}
        schema = vol.Schema({vol.Optional(CONF_NAME, default=entry.title): str}).extend(
            _topics_schema(current).schema
        )
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=schema,
            errors=errors,
            description_placeholders={"mac": entry.data[CONF_MAC]},
        )
