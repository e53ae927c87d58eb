"""One coordinator per camera: its state, awake/asleep, reachability watchdog."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import partial
import logging
from pathlib import Path
from typing import Any

from homeassistant.components import mqtt
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_PORT, CONF_USERNAME
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.storage import STORAGE_DIR, Store
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from .api import (
    Alarm,
    AuthenticationError,
    Battery,
    CameraAsleepError,
    Cellular,
    Command,
    CommandTimeoutError,
    Heartbeat,
    InvalidPayloadError,
    SensorReadings,
    Snapshot,
    UnknownCommandError,
    X5ConnectionError,
    X5Error,
    get_command,
    parse_alarm,
    parse_configure_response,
    parse_heartbeat,
    parse_snapshot,
    sniff_mime,
)
from .api.coerce import as_int, as_str
from .api.http_client import FACTORY_USERNAME, X5HttpClient
from .api.mqtt_client import X5MqttClient
from .const import (
    CONF_ALARM_TOPIC,
    CONF_ANSWER_TIMEOUT,
    CONF_AWAKE_WINDOW,
    CONF_HEARTBEAT_TOPIC,
    CONF_MAC,
    CONF_REQUEST_TOPIC,
    CONF_RESPONSE_TOPIC,
    CONF_SNAPSHOT_TOPIC,
    CONF_WAKE_TIMEOUT,
    DEFAULT_ANSWER_TIMEOUT,
    DEFAULT_AWAKE_WINDOW,
    DEFAULT_HEARTBEAT_INTERVAL,
    DEFAULT_HTTP_PORT,
    DEFAULT_WAKE_TIMEOUT,
    DOMAIN,
    LARGE_PAYLOAD_BYTES,
    SETTINGS_COMMANDS,
    SETTINGS_REFRESH_INTERVAL,
    WAKE_TOPIC_PREFIX,
    WATCHDOG_GRACE,
)
from .dispatcher import MessageKind

_LOGGER = logging.getLogger(__name__)

STORAGE_VERSION = 1
SAVE_DELAY = 10  # seconds; a burst of messages is written once

type X5ConfigEntry = ConfigEntry[X5Coordinator]


@dataclass(slots=True)
class X5State:
    """Everything known about one camera."""

    heartbeat: Heartbeat | None = None
    snapshot: Snapshot | None = None  # last snapshot; ``image`` is the last good image
    alarm: Alarm | None = None
    last_seen: datetime | None = None  # when Home Assistant last heard from it
    reachable: bool | None = None  # watchdog; None before the first message
    settings: dict[str, dict[str, Any]] = field(default_factory=dict)  # get.* answers
    pending: dict[str, Any] = field(
        default_factory=dict
    )  # entity key -> requested value
    raw: dict[str, dict[str, Any]] = field(
        default_factory=dict
    )  # last payload per kind

    @property
    def battery(self) -> Battery | None:
        """The last heartbeat's battery section."""
        return self.heartbeat.battery if self.heartbeat is not None else None

    @property
    def cellular(self) -> Cellular | None:
        """The last heartbeat's cellular section."""
        return self.heartbeat.cellular if self.heartbeat is not None else None

    @property
    def sensor(self) -> SensorReadings | None:
        """The last heartbeat's sensor section."""
        return self.heartbeat.sensor if self.heartbeat is not None else None


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


def expected_heartbeat_interval(capture_info: Mapping[str, Any] | None) -> timedelta:
    """The camera's heartbeat interval from ``get.capture.info`` (NOTES.md units).

    ``heartTestInterval`` is minutes (in heartbeat test mode), ``heartLpowerInterval``
    hours (in Low Power mode, ``workMode`` 1), ``heartInterval`` hours otherwise.
    """
    if not capture_info:
        return DEFAULT_HEARTBEAT_INTERVAL
    if as_int(capture_info.get("heartTestMode")) == 1:
        minutes = as_int(capture_info.get("heartTestInterval"))
        if minutes and minutes > 0:
            return timedelta(minutes=minutes)
    key = (
        "heartLpowerInterval"
        if as_int(capture_info.get("workMode")) == 1
        else "heartInterval"
    )
    hours = as_int(capture_info.get(key))
    if hours and hours > 0:
        return timedelta(hours=hours)
    return DEFAULT_HEARTBEAT_INTERVAL


class X5Coordinator(DataUpdateCoordinator[X5State]):
    """State of one camera, pushed by MQTT; never polls."""

    config_entry: X5ConfigEntry

    def __init__(self, hass: HomeAssistant, entry: X5ConfigEntry) -> None:
        """Set up the camera's state, empty until restored or heard."""
        self.mac: str = entry.data[CONF_MAC]
        super().__init__(
            hass,
            _LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} {self.mac}",
            update_interval=None,
        )
        self.data = X5State()
        self.topics: dict[MessageKind, str] = {
            MessageKind.HEARTBEAT: entry.data[CONF_HEARTBEAT_TOPIC],
            MessageKind.SNAPSHOT: entry.data[CONF_SNAPSHOT_TOPIC],
            MessageKind.ALARM: entry.data[CONF_ALARM_TOPIC],
            MessageKind.RESPONSE: entry.data[CONF_RESPONSE_TOPIC],
        }
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.{self.mac}", private=True
        )
        self._image_path = Path(
            hass.config.path(STORAGE_DIR, f"{DOMAIN}.{self.mac}.image")
        )
        self._unsub_watchdog: CALLBACK_TYPE | None = None
        self._warned: set[str] = set()
        # Commands.
        self.mqtt = X5MqttClient(self._async_publish, entry.data[CONF_REQUEST_TOPIC])
        self.http = http_client(hass, entry.data)
        self._heard = asyncio.Event()
        self._wake_task: asyncio.Task[None] | None = None
        self._send_lock = asyncio.Lock()
        self._last_refresh: datetime | None = None

    # --- lifecycle ---------------------------------------------------------------

    async def async_restore(self) -> None:
        """Bring back what was known before Home Assistant restarted."""
        stored = await self._store.async_load() or {}
        raw: dict[str, dict[str, Any]] = stored.get("raw") or {}
        state = self.data
        state.raw = raw
        state.settings = stored.get("settings") or {}
        for kind, parse in (
            (MessageKind.HEARTBEAT, parse_heartbeat),
            (MessageKind.ALARM, parse_alarm),
            (MessageKind.SNAPSHOT, parse_snapshot),
        ):
            if (message := raw.get(kind)) is None:
                continue
            try:
                model = parse(message)
            except InvalidPayloadError:
                continue
            setattr(state, kind, model)
        if state.snapshot is not None:
            image = await self.hass.async_add_executor_job(self._read_image)
            if image is not None:
                state.snapshot = replace(
                    state.snapshot,
                    image=image,
                    mime_type=sniff_mime(image),
                    image_error=None,
                )
        if last_seen := stored.get("last_seen"):
            state.last_seen = dt_util.parse_datetime(last_seen)
        self._schedule_watchdog()

    def _read_image(self) -> bytes | None:
        try:
            return self._image_path.read_bytes()
        except OSError:
            return None

    def _write_image(self, image: bytes) -> None:
        self._image_path.parent.mkdir(parents=True, exist_ok=True)
        self._image_path.write_bytes(image)

    async def async_remove_stored(self) -> None:
        """Delete what was stored for this camera (the entry is removed)."""
        await self._store.async_remove()
        await self.hass.async_add_executor_job(
            partial(self._image_path.unlink, missing_ok=True)
        )

    async def async_shutdown(self) -> None:
        """Stop the watchdog and write the state now."""
        await super().async_shutdown()
        if self._wake_task is not None:
            self._wake_task.cancel()
        if self._unsub_watchdog:
            self._unsub_watchdog()
            self._unsub_watchdog = None
        await self._store.async_save(self._data_to_store())

    def _data_to_store(self) -> dict[str, Any]:
        state = self.data
        return {
            "raw": state.raw,
            "settings": state.settings,
            "last_seen": state.last_seen.isoformat() if state.last_seen else None,
        }

    # --- uplinks -----------------------------------------------------------------

    async def async_handle_message(
        self, kind: MessageKind, message: dict[str, Any], size: int
    ) -> None:
        """Take one decoded message of this camera (called by the dispatcher)."""
        try:
            if kind is MessageKind.HEARTBEAT:
                self._on_heartbeat(parse_heartbeat(message), message)
            elif kind is MessageKind.ALARM:
                self._on_alarm(parse_alarm(message), message)
            elif kind is MessageKind.SNAPSHOT:
                await self._async_on_snapshot(message, size)
            else:
                response = parse_configure_response(message)
                self.mqtt.handle_response(response)
                if response.api.startswith("get.") and response.ok and response.data:
                    self._store_settings(response.api, response.data)
        except InvalidPayloadError as err:
            self._warn_once(kind, "Ignoring %s from %s: %s", kind, self.mac, err)
            return
        self._mark_seen()
        self._store.async_delay_save(self._data_to_store, SAVE_DELAY)
        self.async_set_updated_data(self.data)
        if kind is MessageKind.HEARTBEAT:
            self._maybe_refresh_settings()

    def _warn_once(self, key: str, msg: str, *args: Any) -> None:
        """Warn the first time a kind of problem shows, then only at debug level."""
        level = logging.DEBUG if key in self._warned else logging.WARNING
        self._warned.add(key)
        _LOGGER.log(level, msg, *args)

    def _log_invalid(self, kind: MessageKind, fields: tuple[str, ...]) -> None:
        if fields:
            self._warn_once(
                f"{kind}-fields",
                "%s from %s: ignored unusable fields %s",
                kind,
                self.mac,
                fields,
            )

    def _on_heartbeat(self, heartbeat: Heartbeat, message: dict[str, Any]) -> None:
        self._log_invalid(MessageKind.HEARTBEAT, heartbeat.invalid_fields)
        self.data.heartbeat = heartbeat
        self.data.raw[MessageKind.HEARTBEAT] = message

    def _on_alarm(self, alarm: Alarm, message: dict[str, Any]) -> None:
        self.data.alarm = alarm
        self.data.raw[MessageKind.ALARM] = message

    async def _async_on_snapshot(
        self, message: dict[str, Any], size: int, image: bytes | None = None
    ) -> None:
        if size > LARGE_PAYLOAD_BYTES:
            snapshot = await self.hass.async_add_executor_job(parse_snapshot, message)
        else:
            snapshot = parse_snapshot(message)
        if image is not None:
            snapshot = replace(
                snapshot,
                image=image,
                mime_type=sniff_mime(image),
                capture_time=snapshot.timestamp,
            )
        self._log_invalid(MessageKind.SNAPSHOT, snapshot.invalid_fields)
        previous = self.data.snapshot
        if (
            snapshot.image is None
            and previous is not None
            and previous.image is not None
        ):
            # A snapshot without a usable image keeps showing the last good one.
            snapshot = replace(
                snapshot, image=previous.image, mime_type=previous.mime_type
            )
        elif snapshot.image is not None:
            await self.hass.async_add_executor_job(self._write_image, snapshot.image)
        self.data.snapshot = snapshot
        self.data.raw[MessageKind.SNAPSHOT] = {
            **message,
            "values": {
                k: v for k, v in message.get("values", {}).items() if k != "image"
            }
            if isinstance(message.get("values"), dict)
            else {},
        }

    # --- reachability ------------------------------------------------------------

    @property
    def heartbeat_interval(self) -> timedelta:
        """How often the camera is expected to send a heartbeat."""
        return expected_heartbeat_interval(self.data.settings.get("get.capture.info"))

    @property
    def watchdog_timeout(self) -> timedelta:
        """Silence after which the camera counts as unreachable."""
        return self.heartbeat_interval * 2 + WATCHDOG_GRACE

    def _mark_seen(self) -> None:
        self.data.last_seen = dt_util.utcnow()
        self.data.reachable = True
        self._heard.set()
        self._schedule_watchdog()

    def _schedule_watchdog(self) -> None:
        if self._unsub_watchdog:
            self._unsub_watchdog()
            self._unsub_watchdog = None
        if self.data.last_seen is None:
            return
        remaining = self.data.last_seen + self.watchdog_timeout - dt_util.utcnow()
        if remaining <= timedelta(0):
            self.data.reachable = False
            return
        self.data.reachable = True
        self._unsub_watchdog = async_call_later(
            self.hass, remaining, self._watchdog_expired
        )

    @callback
    def _watchdog_expired(self, _now: datetime) -> None:
        self._unsub_watchdog = None
        self.data.reachable = False
        _LOGGER.info(
            "Camera %s silent for %s: marked unreachable",
            self.mac,
            self.watchdog_timeout,
        )
        self.async_update_listeners()

    # --- commands ------------------------------------------------------------------

    def _option(self, key: str, default: float) -> float:
        return float(self.config_entry.options.get(key, default))

    @property
    def is_awake(self) -> bool:
        """Whether the camera spoke recently enough to still be awake."""
        last_seen = self.data.last_seen
        return last_seen is not None and dt_util.utcnow() - last_seen < timedelta(
            seconds=self._option(CONF_AWAKE_WINDOW, DEFAULT_AWAKE_WINDOW)
        )

    @property
    def wake_topic(self) -> str:
        """The camera's wake topic (not customisable on the camera)."""
        return WAKE_TOPIC_PREFIX + self.mac

    async def _async_publish(self, topic: str, payload: str) -> None:
        try:
            await mqtt.async_publish(self.hass, topic, payload)
        except HomeAssistantError as err:
            # HA's broker connection is down: the camera cannot be reached now.
            raise X5ConnectionError(f"cannot publish to {topic}: {err}") from err

    async def async_wake(self) -> None:
        """Publish on the wake topic (any payload wakes the camera)."""
        await self._async_publish(self.wake_topic, "wake")

    def asleep_reason(self) -> str:
        """Why a wake may fail, from what the camera told us (a translation key)."""
        capture = self.data.settings.get("get.capture.info", {})
        if as_int(capture.get("workMode")) == 1:
            return "low_power_mode"
        if (
            as_int(self.data.settings.get("get.wakeup.info", {}).get("wakeupByMQTT"))
            == 0
        ):
            return "wake_disabled"
        return "camera_asleep"

    async def _async_wake_and_wait(self) -> None:
        self._heard.clear()
        await self.async_wake()
        timeout = self._option(CONF_WAKE_TIMEOUT, DEFAULT_WAKE_TIMEOUT)
        try:
            async with asyncio.timeout(timeout):
                await self._heard.wait()
        except TimeoutError:
            raise CameraAsleepError(self.asleep_reason()) from None

    async def _async_ensure_awake(self, *, force: bool = False) -> None:
        """Wake the camera once for every command waiting; all fail together."""
        if self.is_awake and not force:
            return
        if self._wake_task is None or self._wake_task.done():
            self._wake_task = self.config_entry.async_create_background_task(
                self.hass, self._async_wake_and_wait(), f"{DOMAIN} wake {self.mac}"
            )
        await asyncio.shield(self._wake_task)

    async def _async_send(
        self, command: Command, data: Mapping[str, Any] | None
    ) -> Any:
        if self.http is not None:
            try:
                return await self.http.async_request(command, data)
            except AuthenticationError:
                self.config_entry.async_start_reauth(self.hass)
                raise
            except X5ConnectionError:
                if not command.over_mqtt:
                    raise
                _LOGGER.debug("%s over HTTP failed; trying MQTT", command.name)
        if not command.over_mqtt:
            raise UnknownCommandError(f"{command.name} needs HTTP access to the camera")
        presumed_awake = self.is_awake
        await self._async_ensure_awake()
        try:
            return await self._async_mqtt_request(command, data)
        except CommandTimeoutError:
            if not presumed_awake:
                raise
        # It went to sleep sooner than the awake window says: wake it, try once more.
        _LOGGER.debug(
            "%s: no answer from %s; waking it and retrying", command.name, self.mac
        )
        await self._async_ensure_awake(force=True)
        return await self._async_mqtt_request(command, data)

    async def _async_mqtt_request(
        self, command: Command, data: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        async with self._send_lock:
            return await self.mqtt.async_request(
                self.mac,
                command,
                data,
                answer_timeout=self._option(
                    CONF_ANSWER_TIMEOUT, DEFAULT_ANSWER_TIMEOUT
                ),
            )

    async def async_command(
        self, name: str, data: Mapping[str, Any] | None = None
    ) -> dict[str, Any] | bytes:
        """Send a catalogue command (waking the camera if needed); return its answer."""
        command = get_command(name)
        result = await self._async_send(command, data)
        if command.name == "cmd.snapshot" and isinstance(result, bytes) and result:
            # Over HTTP the picture comes back in the answer: show it like an uplink.
            await self._async_on_snapshot(
                {
                    "ts": int(dt_util.utcnow().timestamp() * 1000),
                    "values": {"devMac": self.mac, "snapType": "Manual"},
                },
                0,
                image=result,
            )
            self._mark_seen()
        if isinstance(result, dict):
            if command.is_read or command.name == "upgrade.check":
                self._store_settings(command.name, result)
            elif command.name.startswith("set.") and data:
                get_name = "get." + command.name.removeprefix("set.")
                self._confirm_set(get_name, data)
                # The camera may adjust what it was given: read the setting back.
                self.config_entry.async_create_background_task(
                    self.hass, self._async_read_back(get_name), f"{DOMAIN} {get_name}"
                )
        self.async_update_listeners()
        return result  # type: ignore[no-any-return]

    async def async_set(
        self, key: str, name: str, data: Mapping[str, Any], shown: Any
    ) -> None:
        """A setting entity's change: shown as pending until the camera confirms it."""
        self.data.pending[key] = shown
        self.async_update_listeners()
        try:
            await self.async_command(name, data)
        finally:
            self.data.pending.pop(key, None)
            self.async_update_listeners()

    def _confirm_set(self, get_name: str, data: Mapping[str, Any]) -> None:
        if get_name in self.data.settings:
            _deep_merge(self.data.settings[get_name], data)
            self._store.async_delay_save(self._data_to_store, SAVE_DELAY)

    async def _async_read_back(self, get_name: str) -> None:
        try:
            await self.async_command(get_name)
        except X5Error as err:
            _LOGGER.debug("Reading back %s from %s failed: %s", get_name, self.mac, err)

    def _store_settings(self, name: str, data: dict[str, Any]) -> None:
        self.data.settings[name] = data
        self._store.async_delay_save(self._data_to_store, SAVE_DELAY)
        if name == "get.capture.info":
            self._check_topics(data)
            self._schedule_watchdog()
        elif name == "get.login.info":
            self._update_firmware_version()

    def _update_firmware_version(self) -> None:
        """Show the camera's firmware on its device (``get.login.info`` software)."""
        version = self.firmware_version
        registry = dr.async_get(self.hass)
        device = registry.async_get_device(identifiers={(DOMAIN, self.mac)})
        if device is not None and version and device.sw_version != version:
            registry.async_update_device(device.id, sw_version=version)

    @property
    def firmware_version(self) -> str | None:
        """The firmware the camera reported, if it did."""
        return as_str(self.data.settings.get("get.login.info", {}).get("software"))

    def _check_topics(self, capture: Mapping[str, Any]) -> None:
        """Raise a repair issue when the camera posts on other topics than configured."""
        entry = self.config_entry
        pairs = (
            (CONF_HEARTBEAT_TOPIC, "statusTopic"),
            (CONF_SNAPSHOT_TOPIC, "snapshotTopic"),
            (CONF_ALARM_TOPIC, "alarmTopic"),
            (CONF_REQUEST_TOPIC, "configTopic"),
            (CONF_RESPONSE_TOPIC, "configRespTopic"),
        )
        differ = {
            entry.data[ours]: theirs
            for ours, key in pairs
            if isinstance(theirs := capture.get(key), str)
            and theirs
            and theirs != entry.data[ours]
        }
        issue_id = f"topic_mismatch_{self.mac}"
        if not differ:
            ir.async_delete_issue(self.hass, DOMAIN, issue_id)
            return
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key="topic_mismatch",
            translation_placeholders={
                "name": entry.title,
                "topics": ", ".join(
                    f"{ours} -> {theirs}" for ours, theirs in differ.items()
                ),
            },
        )

    def _maybe_refresh_settings(self) -> None:
        now = dt_util.utcnow()
        if (
            self._last_refresh is not None
            and now - self._last_refresh < SETTINGS_REFRESH_INTERVAL
        ):
            return
        self._last_refresh = now
        self.config_entry.async_create_background_task(
            self.hass, self._async_refresh_settings(), f"{DOMAIN} settings {self.mac}"
        )

    async def _async_refresh_settings(self) -> None:
        """Read the settings the entities show while the camera is awake."""
        for name in SETTINGS_COMMANDS:
            try:
                await self.async_command(name)
            except X5Error as err:
                _LOGGER.debug(
                    "Settings refresh of %s stopped at %s: %s", self.mac, name, err
                )
                return


def _deep_merge(target: dict[str, Any], changes: Mapping[str, Any]) -> None:
    for key, value in changes.items():
        if isinstance(value, Mapping) and isinstance(target.get(key), dict):
            _deep_merge(target[key], value)
        else:
            target[key] = value
