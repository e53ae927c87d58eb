"""One coordinator per camera: its state, awake/asleep, reachability watchdog."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import partial
import logging
from pathlib import Path
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.storage import STORAGE_DIR, Store
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from .api import (
    Alarm,
    Heartbeat,
    InvalidPayloadError,
    Snapshot,
    parse_alarm,
    parse_heartbeat,
    parse_snapshot,
    sniff_mime,
)
from .api.coerce import as_int
from .const import (
    CONF_ALARM_TOPIC,
    CONF_HEARTBEAT_TOPIC,
    CONF_MAC,
    CONF_RESPONSE_TOPIC,
    CONF_SNAPSHOT_TOPIC,
    DEFAULT_HEARTBEAT_INTERVAL,
    DOMAIN,
    LARGE_PAYLOAD_BYTES,
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
    raw: dict[str, dict[str, Any]] = field(
        default_factory=dict
    )  # last payload per kind


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
                return
        except InvalidPayloadError as err:
            self._warn_once(kind, "Ignoring %s from %s: %s", kind, self.mac, err)
            return
        self._mark_seen()
        self._store.async_delay_save(self._data_to_store, SAVE_DELAY)
        self.async_set_updated_data(self.data)

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

    async def _async_on_snapshot(self, message: dict[str, Any], size: int) -> None:
        if size > LARGE_PAYLOAD_BYTES:
            snapshot = await self.hass.async_add_executor_job(parse_snapshot, message)
        else:
            snapshot = parse_snapshot(message)
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
