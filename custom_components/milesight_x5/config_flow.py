"""Config flow: add a camera by MAC or from a heartbeat; HTTP access; provisioning."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from ipaddress import ip_address
from typing import Any

from homeassistant.components import mqtt
from homeassistant.components.network import async_get_source_ip
from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
)
from homeassistant.const import (
    CONF_HOST,
    CONF_NAME,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_USERNAME,
)
from homeassistant.core import callback
from homeassistant.data_entry_flow import section
from homeassistant.helpers.selector import (
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
from homeassistant.helpers.service_info.mqtt import MqttServiceInfo
import voluptuous as vol

from .api import (
    AuthenticationError,
    InvalidMacError,
    InvalidPayloadError,
    X5Error,
    decode_json,
    normalize_mac,
    peek_mac,
    scan_mac,
)
from .api.http_client import FACTORY_USERNAME
from .camera_http import http_client
from .const import (
    CONF_ALARM_TOPIC,
    CONF_HEARTBEAT_TOPIC,
    CONF_HTTP,
    CONF_MAC,
    CONF_PROVISION,
    CONF_REQUEST_TOPIC,
    CONF_RESPONSE_TOPIC,
    CONF_SNAPSHOT_TOPIC,
    CONF_TOPICS,
    DEFAULT_HTTP_PORT,
    DEFAULT_TOPICS,
    DOMAIN,
    JUST_ADDED,
    MODEL,
    TOPIC_KEYS,
)
from .options_flow import X5OptionsFlow
from .topic_config import topic_clash

HTTP_KEYS = (CONF_HOST, CONF_PORT, CONF_USERNAME, CONF_PASSWORD)
CONF_BROKER_HOST = "broker_host"
CONF_BROKER_PORT = "broker_port"
CONF_BROKER_USERNAME = "broker_username"
CONF_BROKER_PASSWORD = "broker_password"  # noqa: S105 (a field name)
CONF_BROKER_TLS = "broker_tls"
# The camera's TLS to the broker (set.capture.info tlsEnable, tlsType): off, a
# certificate of a public CA, or one of the user's own CA (its file uploaded on the
# camera's web page: the guide has no command for it, only caExist to read).
TLS_CHOICES = {"off": None, "ca_signed": 0, "self_signed": 1}
TLS = SelectSelector(
    SelectSelectorConfig(
        options=list(TLS_CHOICES),
        translation_key=CONF_BROKER_TLS,
        mode=SelectSelectorMode.DROPDOWN,
    )
)
PROVISION_HEARTBEAT_TIMEOUT = 120  # s

PASSWORD = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
PORT = vol.All(vol.Coerce(int), vol.Range(min=1, max=65535))


def _has_ca(capture: Mapping[str, Any] | bytes) -> bool:
    """Whether ``get.capture.info`` says the camera holds a CA file (``caExist``,
    a boolean the guide types; "true"/1 taken too, as a camera may send them)."""
    value = capture.get("caExist") if isinstance(capture, Mapping) else None
    return value is True or str(value).strip().lower() in ("true", "1")


def _reachable_from_lan(host: str) -> bool:
    """Whether a broker address Home Assistant uses is one a camera can use too."""
    if not host:
        return False
    try:
        address = ip_address(host)
    except ValueError:
        # A name: internal ones (localhost, the add-on's core-mosquitto) are not.
        return "." in host and not host.startswith(("core-", "localhost"))
    return not (address.is_loopback or address.is_link_local or address.is_unspecified)


def _default_title(mac: str) -> str:
    return f"{MODEL} {mac[-6:]}"


def _topics_schema(current: Mapping[str, Any]) -> vol.Schema:
    return vol.Schema(
        {
            vol.Required(key, default=current.get(key, DEFAULT_TOPICS[key])): str
            for key in TOPIC_KEYS
        }
    )


def _http_schema(current: Mapping[str, Any]) -> vol.Schema:
    return vol.Schema(
        {
            vol.Optional(
                CONF_HOST, description={"suggested_value": current.get(CONF_HOST)}
            ): str,
            vol.Optional(
                CONF_PORT, default=current.get(CONF_PORT, DEFAULT_HTTP_PORT)
            ): PORT,
            vol.Optional(
                CONF_USERNAME, default=current.get(CONF_USERNAME, FACTORY_USERNAME)
            ): str,
            # Never sent to the browser: empty keeps the stored password.
            vol.Optional(CONF_PASSWORD): PASSWORD,
        }
    )


def _validate_topics(topics: Mapping[str, Any]) -> tuple[dict[str, str], str | None]:
    """The topics stripped, and an error key when one is unusable or two would be
    taken for each other (request and response on one topic: NOTES.md)."""
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
            return validated, "invalid_topic"
    return validated, topic_clash(validated)


class X5ConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add a Milesight X5 camera."""

    VERSION = 1

    def __init__(self) -> None:
        """Start a flow."""
        self._discovered: dict[str, str] = {}
        self._title = ""
        self._data: dict[str, Any] = {}
        self._wait_task: asyncio.Task[bool] | None = None

    @callback
    def async_remove(self) -> None:
        """The flow went away: stop waiting for the heartbeat."""
        if self._wait_task is not None:
            self._wait_task.cancel()

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> X5OptionsFlow:
        """Timing and picture history options."""
        return X5OptionsFlow()

    def _mqtt_ready(self) -> bool:
        return bool(self.hass.config_entries.async_loaded_entries(mqtt.DOMAIN))

    async def _async_check_http(
        self, http: Mapping[str, Any]
    ) -> tuple[dict[str, Any], str | None]:
        """Validate HTTP access with ``get.sys.info``: (settings to store, error key)."""
        host = str(http.get(CONF_HOST) or "").strip()
        if not host:
            return {}, None
        settings = {
            CONF_HOST: host,
            CONF_PORT: int(http.get(CONF_PORT, DEFAULT_HTTP_PORT)),
            CONF_USERNAME: str(http.get(CONF_USERNAME) or FACTORY_USERNAME),
            CONF_PASSWORD: str(http.get(CONF_PASSWORD) or ""),
        }
        client = http_client(self.hass, settings)
        assert client is not None
        try:
            await client.async_request("get.sys.info")
        except AuthenticationError:
            return settings, "invalid_auth"
        except X5Error:
            return settings, "cannot_connect"
        return settings, None

    # --- user ----------------------------------------------------------------------

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the MAC, a name, and (folded away) the topics and HTTP access."""
        if not self._mqtt_ready():
            return self.async_abort(reason="mqtt_not_configured")
        errors: dict[str, str] = {}
        if user_input is not None:
            mac: str | None = None
            try:
                mac = normalize_mac(user_input[CONF_MAC])
            except InvalidMacError:
                errors[CONF_MAC] = "invalid_mac"
            topics, topic_error = _validate_topics(user_input.get(CONF_TOPICS, {}))
            if topic_error:
                errors[CONF_TOPICS] = topic_error
            if mac is not None:
                # Added by hand, the camera takes over a pending discovery flow.
                await self.async_set_unique_id(mac, raise_on_progress=False)
                self._abort_if_unique_id_configured()
            http, http_error = await self._async_check_http(
                user_input.get(CONF_HTTP, {})
            )
            if http_error:
                errors[CONF_HTTP] = http_error
            if mac is not None and not errors:
                name = (user_input.get(CONF_NAME) or "").strip()
                self._title = name or _default_title(mac)
                self._data = {CONF_MAC: mac, **topics, **http}
                if http:
                    return await self.async_step_provision()
                return self._async_create_unheard()
        schema = vol.Schema(
            {
                vol.Required(CONF_MAC): str,
                vol.Optional(CONF_NAME): str,
                vol.Required(CONF_TOPICS): section(
                    _topics_schema(DEFAULT_TOPICS), {"collapsed": True}
                ),
                vol.Required(CONF_HTTP): section(_http_schema({}), {"collapsed": True}),
            }
        )
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(schema, user_input),
            errors=errors,
        )

    # --- provisioning over HTTP ------------------------------------------------------

    async def _async_broker_defaults(self) -> dict[str, Any]:
        """Where the camera should post: Home Assistant's broker, as a camera reaches it.

        The MQTT integration's own login (or the broker add-on's internal service
        login) is never offered: the user types the login the camera should use.
        A broker Home Assistant reaches under a loopback or internal name
        (``127.0.0.1``, ``core-mosquitto``) is offered at Home Assistant's LAN address.
        """
        entries = self.hass.config_entries.async_entries(mqtt.DOMAIN)
        data: Mapping[str, Any] = entries[0].data if entries else {}
        host = str(data.get(mqtt.CONF_BROKER) or "")
        if not _reachable_from_lan(host):
            host = await async_get_source_ip(self.hass) or ""
        # Home Assistant's own TLS to the broker, as a guess at the camera's: "auto"
        # is the public CAs, a file a CA of the user's own.
        certificate = data.get(mqtt.CONF_CERTIFICATE)
        return {
            CONF_BROKER_HOST: host,
            CONF_BROKER_PORT: data.get(CONF_PORT, 1883),
            CONF_BROKER_TLS: "off"
            if not certificate
            else "ca_signed"
            if certificate == "auto"
            else "self_signed",
        }

    async def async_step_provision(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Offer to point the camera at Home Assistant's broker (set.capture.info)."""
        defaults = await self._async_broker_defaults()
        errors: dict[str, str] = {}
        if user_input is not None:
            if not user_input.get(CONF_PROVISION):
                return self._async_create_unheard()
            tls_type = TLS_CHOICES[user_input.get(CONF_BROKER_TLS, "off")]
            request = {
                "postEnable": 1,
                "postType": 0,
                "host": user_input[CONF_BROKER_HOST],
                "port": str(user_input[CONF_BROKER_PORT]),
                "userName": user_input.get(CONF_BROKER_USERNAME, ""),
                "password": user_input.get(CONF_BROKER_PASSWORD, ""),
                "tlsEnable": 0 if tls_type is None else 1,
                **({} if tls_type is None else {"tlsType": tls_type}),
                "snapshotEnable": 1,
                "alarmEnable": 1,
                "statusEnable": "1",
                "statusTopic": self._data[CONF_HEARTBEAT_TOPIC],
                "snapshotTopic": self._data[CONF_SNAPSHOT_TOPIC],
                "alarmTopic": self._data[CONF_ALARM_TOPIC],
                "configTopic": self._data[CONF_REQUEST_TOPIC],
                "configRespTopic": self._data[CONF_RESPONSE_TOPIC],
            }
            client = http_client(self.hass, self._data)
            assert client is not None
            try:
                # A CA of the user's own: without its file (uploaded on the
                # camera's web page) the camera could not reach the broker at
                # all, so nothing is written before it is there.
                if tls_type == TLS_CHOICES["self_signed"] and not _has_ca(
                    await client.async_request("get.capture.info")
                ):
                    errors["base"] = "ca_missing"
                else:
                    await client.async_request("set.capture.info", request)
                    return await self.async_step_wait_heartbeat()
            except X5Error:
                errors["base"] = "provision_failed"
        schema = vol.Schema(
            {
                vol.Required(CONF_PROVISION, default=True): bool,
                vol.Required(CONF_BROKER_HOST, default=defaults[CONF_BROKER_HOST]): str,
                vol.Required(
                    CONF_BROKER_PORT, default=defaults[CONF_BROKER_PORT]
                ): PORT,
                vol.Required(CONF_BROKER_TLS, default=defaults[CONF_BROKER_TLS]): TLS,
                vol.Optional(CONF_BROKER_USERNAME): str,
                vol.Optional(CONF_BROKER_PASSWORD): PASSWORD,
            }
        )
        return self.async_show_form(
            step_id="provision",
            data_schema=schema,
            errors=errors,
            description_placeholders={"mac": self._data[CONF_MAC]},
        )

    async def _async_wait_for_heartbeat(self) -> bool:
        heard: asyncio.Future[bool] = self.hass.loop.create_future()
        mac = self._data[CONF_MAC]

        @callback
        def _message(msg: mqtt.ReceiveMessage) -> None:
            try:
                seen = peek_mac(decode_json(msg.payload))
            except InvalidPayloadError:
                return
            if seen == mac and not heard.done():
                heard.set_result(True)

        unsubscribe = await mqtt.async_subscribe(
            self.hass, self._data[CONF_HEARTBEAT_TOPIC], _message, encoding=None
        )
        try:
            async with asyncio.timeout(PROVISION_HEARTBEAT_TIMEOUT):
                return await heard
        except TimeoutError:
            return False
        finally:
            unsubscribe()

    async def async_step_wait_heartbeat(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Wait for the camera's first heartbeat on Home Assistant's broker."""
        if self._wait_task is None:
            self._wait_task = self.hass.async_create_task(
                self._async_wait_for_heartbeat()
            )
        if not self._wait_task.done():
            return self.async_show_progress(
                step_id="wait_heartbeat",
                progress_action="wait_heartbeat",
                progress_task=self._wait_task,
                description_placeholders={"mac": self._data[CONF_MAC]},
            )
        heard = self._wait_task.result()
        return self.async_show_progress_done(
            next_step_id="finish" if heard else "no_heartbeat"
        )

    def _async_create_unheard(self) -> ConfigFlowResult:
        """Add the camera before it was heard: its setup wakes it once (its values
        come then, if it can be woken); the success step says they come with its
        next heartbeat."""
        self.hass.data.setdefault(JUST_ADDED, set()).add(self._data[CONF_MAC])
        return self.async_create_entry(
            title=self._title,
            data=self._data,
            description="until_it_wakes",
            description_placeholders={"name": self._title},
        )

    async def async_step_finish(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The camera posts to Home Assistant's broker."""
        return self.async_create_entry(title=self._title, data=self._data)

    async def async_step_no_heartbeat(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """No heartbeat in time: say why it may be, and add the camera anyway if asked."""
        if user_input is not None:
            return self._async_create_unheard()
        return self.async_show_form(
            step_id="no_heartbeat",
            description_placeholders={"mac": self._data[CONF_MAC]},
        )

    # --- discovery -------------------------------------------------------------------

    async def async_step_mqtt(
        self, discovery_info: MqttServiceInfo
    ) -> ConfigFlowResult:
        """A heartbeat on the manifest's topic. Home Assistant's MQTT starts this
        for every heartbeat of every camera, configured ones included (no public
        way to stop it): a known camera is turned away by its MAC, found in the
        raw payload, before anything else is done."""
        if (mac := scan_mac(discovery_info.payload)) is None:
            return self.async_abort(reason="invalid_discovery_info")
        await self.async_set_unique_id(mac)
        self._abort_if_unique_id_configured()
        try:
            message = decode_json(discovery_info.payload)
        except InvalidPayloadError:
            return self.async_abort(reason="invalid_discovery_info")
        if peek_mac(message) != mac:
            return self.async_abort(reason="invalid_discovery_info")
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
        return self.async_show_form(
            step_id="discovery_confirm",
            description_placeholders={
                "name": self._discovered[CONF_NAME],
                "mac": self._discovered[CONF_MAC],
            },
        )

    # --- reconfigure -----------------------------------------------------------------

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the name, topics and HTTP access of a camera."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            topics, topic_error = _validate_topics(user_input)
            if topic_error:
                errors["base"] = topic_error
            given = dict(user_input)
            if not given.get(CONF_PASSWORD) and entry.data.get(CONF_PASSWORD):
                given[CONF_PASSWORD] = entry.data[CONF_PASSWORD]  # empty keeps it
            http, http_error = await self._async_check_http(given)
            if http_error:
                errors["base"] = http_error
            if not errors:
                name = (user_input.get(CONF_NAME) or "").strip()
                data = {k: v for k, v in entry.data.items() if k not in HTTP_KEYS}
                return self.async_update_reload_and_abort(
                    entry,
                    title=name or _default_title(entry.data[CONF_MAC]),
                    data={**data, **topics, **http},
                )
        current = {
            key: value
            for key, value in {**entry.data, **(user_input or {})}.items()
            if key != CONF_PASSWORD
        }
        schema = (
            vol.Schema({vol.Optional(CONF_NAME, default=entry.title): str})
            .extend(_topics_schema(current).schema)
            .extend(_http_schema(current).schema)
        )
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=schema,
            errors=errors,
            description_placeholders={"mac": entry.data[CONF_MAC]},
        )

    # --- reauth ----------------------------------------------------------------------

    async def async_step_reauth(
        self, entry_data: Mapping[str, Any]
    ) -> ConfigFlowResult:
        """The camera refused the HTTP login."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the camera's current HTTP login."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            http, error = await self._async_check_http({**entry.data, **user_input})
            if error:
                errors["base"] = error
            else:
                return self.async_update_reload_and_abort(entry, data_updates=http)
        schema = vol.Schema(
            {
                vol.Required(
                    CONF_USERNAME,
                    default=entry.data.get(CONF_USERNAME, FACTORY_USERNAME),
                ): str,
                vol.Required(CONF_PASSWORD): PASSWORD,
            }
        )
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=schema,
            errors=errors,
            description_placeholders={
                "name": entry.title,
                "host": entry.data[CONF_HOST],
            },
        )
