"""One coordinator per camera: its state and the uplinks that change it.

Commands out go through :class:`~.commands.X5Commands` (``coordinator.commands``;
it sees this coordinator only as a :class:`~.link.CameraLink`), settings reads
through :class:`~.settings_reader.SettingsReader`, reachability through
:class:`~.reachability.Watchdog`, who hears of a change
through :class:`~.listeners.X5Listeners` (its base); this module keeps what the
camera said and when Home Assistant heard it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
import logging
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util

from .api import (
    Alarm,
    InvalidPayloadError,
    Snapshot,
    X5Error,
    battery_part,
    heartbeat_time,
    merge_heartbeat,
    parse_alarm,
    parse_configure_response,
    parse_snapshot,
    picture_error,
    sniff_mime,
)
from .api.coerce import as_str
from .api.field import MIP_READ
from .api.mqtt_client import Answer
from .api.outlook import add_sample
from .backlog import BacklogFetcher
from .captures import Captures, is_late
from .commands import X5Commands
from .const import (
    CLOCK_AGREES,
    CLOCK_TOLERANCE,
    CONF_ALARM_TOPIC,
    CONF_DATA_PLAN,
    CONF_HEARTBEAT_TOPIC,
    CONF_LATE_AFTER,
    CONF_MAC,
    CONF_RESPONSE_TOPIC,
    CONF_SNAPSHOT_TOPIC,
    DATA_PLAN_WARN,
    DEFAULT_LATE_AFTER,
    DOMAIN,
    LARGE_PAYLOAD_BYTES,
    WATCHDOG_GRACE,
)
from .dispatcher import MessageKind
from .field_repairs import PictureWatch, async_check_clock
from .history import X5History
from .history_files import Picture
from .issues import async_issue_while
from .listeners import X5Listeners
from .reachability import Watchdog
from .repairs import async_check_topics
from .settings_copy import SettingsCopy
from .settings_reader import SettingsReader
from .state import (
    Part,
    X5State,
    camera_store,
    expected_heartbeat_interval,
)

_LOGGER = logging.getLogger(__name__)

SAVE_DELAY = 60  # seconds; a burst of messages is written once (HA: 15 min)

type X5ConfigEntry = ConfigEntry[X5Coordinator]

# What each kind of message can change (answers: the cached settings).
MESSAGE_PARTS: dict[MessageKind, Part] = {
    MessageKind.HEARTBEAT: Part.HEARTBEAT,
    MessageKind.SNAPSHOT: Part.SNAPSHOT,
    MessageKind.ALARM: Part.ALARM,
    MessageKind.RESPONSE: Part.SETTINGS,
}


class X5Coordinator(X5Listeners):
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
        self._store = camera_store(hass, self.mac)
        self.history = X5History(hass, entry)
        self.picture_watch = PictureWatch(hass, entry)
        # The kept picture of the capture being reported (None: not kept).
        self.last_picture: Picture | None = None
        self.watchdog = Watchdog(
            hass,
            self.mac,
            self.data,
            lambda: self.watchdog_timeout,
            lambda: self.async_update_parts(Part.REACHABILITY),
        )
        self._shut_down = False
        self._save_scheduled = False
        self._warned: set[str] = set()
        self.commands = X5Commands(self)
        self.settings_reader = SettingsReader(self, self.commands)
        self.settings_copy = SettingsCopy(self, self.commands)
        self._captures = Captures()
        self.backlog = BacklogFetcher(
            self,
            self.commands,
            self.async_take_backlog,
            lambda: self.settings_reader.interval,
        )

    async def _async_update_data(self) -> X5State:
        """What is known now: the camera is never polled (it sleeps)."""
        return self.data

    # --- lifecycle ---------------------------------------------------------------

    async def async_restore(self) -> None:
        """Bring back what was known before Home Assistant restarted."""
        state = self.data
        await self.history.async_migrate()  # the latest picture comes along
        state.restore(await self._store.async_load() or {})
        if state.snapshot is not None:
            image = await self.hass.async_add_executor_job(self._read_image)
            if image is not None and picture_error(image) is None:
                state.snapshot = replace(
                    state.snapshot, image=image, mime_type=sniff_mime(image)
                )
        self.watchdog.schedule(restored=True)
        self.async_check_data_plan()

    def async_check_data_plan(self) -> None:
        """Take the data plan from Options (at setup, and when they are saved) and
        show its share at once."""
        self.data.data_plan = int(self.config_entry.options.get(CONF_DATA_PLAN, 0))
        self._check_data_plan()
        self.async_update_parts(Part.HEARTBEAT)

    def _check_data_plan(self) -> None:
        """The data plan against this month's data: a repair from
        :data:`DATA_PLAN_WARN` % on (gone with the new month)."""
        used = self.data.data_plan_used
        async_issue_while(
            self.hass,
            f"data_plan_{self.mac}",
            used is not None and used >= DATA_PLAN_WARN,
            is_fixable=False,
            translation_key="data_plan",
            translation_placeholders={
                "name": self.config_entry.title,
                "used": f"{used or 0:.0f}",
                "plan": str(self.data.data_plan),
            },
        )

    async def async_wake_new(self) -> None:
        """Wake a camera just added and not heard yet, once: its heartbeat brings
        its values and the first-contact read (one message; nothing if it cannot
        be woken now: it is read when it wakes by itself)."""
        if self.data.last_seen is not None:
            return
        try:
            await self.commands.async_wake()
        except (HomeAssistantError, X5Error) as err:
            _LOGGER.debug("%s not woken after it was added: %s", self.mac, err)

    def _read_image(self) -> bytes | None:
        try:
            return self.history.latest.read_bytes()
        except OSError:
            return None

    async def async_shutdown(self) -> None:
        """Stop the watchdog and commands, and write the state now."""
        self._shut_down = True
        await super().async_shutdown()
        self.commands.async_shutdown()
        self.watchdog.stop()
        await self._store.async_save(self._data_to_store())

    def _data_to_store(self) -> dict[str, Any]:
        self._save_scheduled = False
        return self.data.stored()

    def async_heard(self) -> None:
        """The camera answered over HTTP: it is awake now."""
        if self._mark_seen(dt_util.utcnow()):
            self.async_update_parts(Part.REACHABILITY)
        self.commands.reach.note_heard()

    def async_save_later(self) -> None:
        """Write the state soon: a burst of messages is written once, and the
        timer is set once per burst, not moved by every message. Nothing after
        unload (a late answer must not bring back what removal deleted)."""
        if not self._save_scheduled and not self._shut_down:
            self._save_scheduled = True
            self._store.async_delay_save(self._data_to_store, SAVE_DELAY)

    # --- uplinks -----------------------------------------------------------------

    async def async_handle_message(
        self,
        kind: MessageKind,
        message: dict[str, Any],
        size: int,
        retained: bool = False,
    ) -> None:
        """Take one decoded message of this camera (called by the dispatcher).

        A retained message is a broker's replay, not the camera speaking now: it
        proves nothing about the camera being awake and is never an event. Nor
        does an answer that is late, repeated or nobody's (it left the camera
        earlier): only the answer of the request in flight is evidence.
        """
        now = dt_util.utcnow()
        if not retained:
            self.data.today.add_received(size, now)
        occurrence: Alarm | Snapshot | None = None
        evidence = not retained
        try:
            if kind is MessageKind.HEARTBEAT:
                self._on_heartbeat(message, now, retained)
            elif kind is MessageKind.ALARM:
                occurrence = None if retained else self._on_alarm(message, now)
            elif kind is MessageKind.SNAPSHOT:
                occurrence = await self._async_on_snapshot(message, size, now, retained)
            elif not retained:
                evidence = self._on_response(message)
        except InvalidPayloadError as err:
            self._warn_once(kind, "Ignoring %s from %s: %s", kind, self.mac, err)
            if not retained:  # its bytes came all the same
                self.async_update_parts(Part.TODAY)
                self.async_save_later()
            return
        if occurrence is not None:
            self.data.today.count(occurrence, now)
        if not evidence:
            self.async_update_parts(
                MESSAGE_PARTS[kind], *(() if retained else (Part.TODAY,))
            )
        elif self._mark_seen(now):
            self.async_update_parts(MESSAGE_PARTS[kind], Part.TODAY, Part.REACHABILITY)
        else:
            self.async_update_parts(MESSAGE_PARTS[kind], Part.TODAY)
        self.async_save_later()
        if occurrence is not None:
            self._fire(kind, occurrence)
        if evidence and not self._shut_down:
            # After the state: an action waiting for this picture sees it in place.
            # A late picture (a backlog) answers no snapshot asked for now.
            snapshot = (
                occurrence
                if isinstance(occurrence, Snapshot) and not occurrence.late
                else None
            )
            await self.commands.async_on_message(kind, snapshot)
            if kind is MessageKind.HEARTBEAT:
                self.settings_reader.on_heartbeat()  # after the user's commands
                self.settings_copy.on_heartbeat()  # after the settings read
                self.backlog.on_heartbeat()

    def _warn_once(self, key: str, msg: str, *args: Any) -> None:
        """Warn the first time a kind of problem shows, then only at debug level."""
        level = logging.DEBUG if key in self._warned else logging.WARNING
        self._warned.add(key)
        _LOGGER.log(level, msg, *args)

    def _note_dropped(self, kind: MessageKind, fields: tuple[str, ...]) -> None:
        self.data.dropped[kind] = fields
        if fields:
            self._warn_once(
                f"{kind}-fields",
                "%s from %s: ignored unusable fields %s (kept their last values)",
                kind,
                self.mac,
                fields,
            )

    def _check_clock(self, camera_time: datetime | None, now: datetime) -> None:
        """Note how far the camera's clock is off; report once when over a day."""
        if camera_time is None:
            return
        offset = (camera_time - now).total_seconds()
        self.data.clock_offset = offset
        async_check_clock(self.hass, self.config_entry, offset)
        if abs(offset) > CLOCK_TOLERANCE.total_seconds():
            self._warn_once(
                "clock",
                "The clock of camera %s is off by %.1f days (it says %s); Home "
                "Assistant dates its messages by when they arrive",
                self.mac,
                offset / 86400,
                camera_time.isoformat(),
            )

    def _on_heartbeat(
        self, message: dict[str, Any], now: datetime, retained: bool
    ) -> None:
        state = self.data
        camera_time = heartbeat_time(message)
        if retained and state.heartbeat is not None:
            known = state.heartbeat.timestamp
            if known is None or camera_time is None or camera_time <= known:
                return  # an old replay: what is known is newer
        self._merge_heartbeat(message, MessageKind.HEARTBEAT)
        if not retained:
            # Sampled only from a heartbeat that carried it (the merged one keeps
            # an old value when a heartbeat lacks it).
            battery = state.battery
            if battery_part(message, self.mac) and battery and battery.soc is not None:
                state.battery_log = add_sample(
                    state.battery_log, now.timestamp(), battery.soc
                )
            previous, state.heartbeat_at = state.heartbeat_at, now
            self._check_data_plan()  # the heartbeat's parts are updated after
            self._check_clock(camera_time, now)
            self.picture_watch.on_heartbeat(
                state,
                previous,
                now,
                self.heartbeat_interval,
                ours=self.commands.reach.woken_by_us,
            )

    def _on_alarm(self, message: dict[str, Any], now: datetime) -> Alarm:
        alarm = parse_alarm(message)
        self.data.alarm = alarm
        self.data.alarm_at = now
        self.data.raw[MessageKind.ALARM] = message
        return alarm

    def _on_response(self, message: dict[str, Any]) -> bool:
        """Take an answer; whether it shows the camera awake now (it answered the
        request in flight)."""
        answer = self.commands.handle_response(parse_configure_response(message))
        return answer is Answer.TAKEN

    async def _async_on_snapshot(
        self, message: dict[str, Any], size: int, now: datetime, retained: bool
    ) -> Snapshot | None:
        """Take a snapshot uplink; return it when it is a live event."""
        if size > LARGE_PAYLOAD_BYTES:
            snapshot = await self.hass.async_add_executor_job(parse_snapshot, message)
        else:
            snapshot = parse_snapshot(message)
        previous = self.data.snapshot
        if retained and not _newer(snapshot, previous):
            return None
        self._note_dropped(MessageKind.SNAPSHOT, snapshot.invalid_fields)
        if not retained and self._captures.repeated(snapshot):
            _LOGGER.debug("Picture %s of %s came again", snapshot.file, self.mac)
            return None
        late_after = timedelta(
            minutes=self.config_entry.options.get(CONF_LATE_AFTER, DEFAULT_LATE_AFTER)
        )
        if is_late(snapshot, now, self.data.clock_offset, late_after):
            snapshot = replace(snapshot, late=True)
        if snapshot.image_error:
            self._warn_once(
                "picture",
                "Snapshot from %s: %s; the last good picture stays",
                self.mac,
                snapshot.image_error,
            )
        await self._async_keep_snapshot(snapshot, message, now, retained)
        if not retained:
            # The clock is judged by heartbeats only: a picture's times may be
            # its capture's (a backlog), which says nothing about the clock.
            self.picture_watch.on_picture(self.data)
            if not snapshot.late:  # a backlog's battery is history
                self._take_battery(message)
            return snapshot
        return None

    def _take_battery(self, message: dict[str, Any]) -> None:
        """Battery fields a snapshot carries (where firmware adds them) update the
        battery like a heartbeat's; unusable ones are dropped, the rest kept."""
        if (part := battery_part(message, self.mac)) is None:
            return
        self._merge_heartbeat(part, MessageKind.SNAPSHOT)
        self.async_update_parts(Part.HEARTBEAT)

    def _merge_heartbeat(self, message: dict[str, Any], kind: MessageKind) -> None:
        """Merge heartbeat fields (a heartbeat, or a ``kind`` message's part) into
        the merged heartbeat; unusable ones are noted for ``kind`` and dropped."""
        state = self.data
        merged, heartbeat, dropped = merge_heartbeat(
            state.raw.get(MessageKind.HEARTBEAT), message
        )
        self._note_dropped(kind, dropped)
        state.heartbeat = heartbeat
        state.raw[MessageKind.HEARTBEAT] = merged

    async def _async_keep_snapshot(
        self, snapshot: Snapshot, message: dict[str, Any], now: datetime, retained: bool
    ) -> None:
        kept = None
        if snapshot.image is not None:
            # Kept in the history before it is shown; the latest picture (for the
            # image after a restart) only when it is the newest taken.
            newest = not self._older_than_shown(snapshot, now)
            # A late picture goes where it was taken (its clock agrees with ours).
            taken = (snapshot.late and snapshot.camera_time(now)) or now
            kept = await self.history.async_add(snapshot, taken, latest=newest)
        # This capture's picture, for its event (shown or not): nothing awaits
        # between here and the event, so another capture cannot come between.
        self.last_picture = kept
        if self._older_than_shown(snapshot, now):
            return
        previous = self.data.snapshot
        if snapshot.image is None:
            if previous is not None and previous.image is not None:
                # A snapshot without a whole picture keeps showing the last good one.
                snapshot = replace(
                    snapshot, image=previous.image, mime_type=previous.mime_type
                )
        elif not retained or self.data.snapshot_at is None:
            self.data.snapshot_at = now
        self.data.snapshot = snapshot
        values = message.get("values")
        self.data.raw[MessageKind.SNAPSHOT] = {
            **message,
            "values": {k: v for k, v in values.items() if k != "image"}
            if isinstance(values, dict)
            else {},
        }

    def _older_than_shown(self, snapshot: Snapshot, received: datetime) -> bool:
        """Whether the picture shown was taken after this one: two large pictures
        decoded side by side can finish the other way round. By the camera's
        times while its clock agrees with Home Assistant's (a clock an hour off
        would hide the next pictures behind one Home Assistant dated), else by
        arrival."""
        shown, shown_at = self.data.snapshot, self.data.snapshot_at
        if shown is None or shown_at is None:
            return False
        if snapshot.late:
            # A backlog picture: by its capture time (Home Assistant's clock: it
            # is late only with a clock known to agree); none known, never newer.
            taken = snapshot.camera_time(received)
            return taken is None or taken < shown_at
        offset = self.data.clock_offset
        if offset is None or abs(offset) <= CLOCK_AGREES.total_seconds():
            ours, theirs = snapshot.camera_time(received), shown.camera_time(shown_at)
            if ours is not None and theirs is not None:
                return ours < theirs
        return received < shown_at

    async def async_take_picture(self, image: bytes) -> None:
        """A picture from an HTTP ``cmd.snapshot`` answer: shown like an uplink."""
        # No camera time: Home Assistant's clock and the camera's may differ, and
        # pictures are ordered by the camera's times only among its own.
        await self._async_take_http_picture(image, {"snapType": "Manual"})

    async def async_take_backlog(
        self, image: bytes, file: str, taken: datetime | None
    ) -> None:
        """A picture fetched from the SD card (its upload failed): late, at its
        capture time (``taken``, Home Assistant's clock) where known."""
        values: dict[str, Any] = {"snapType": "Unknown", "file": file}
        if taken is not None:
            values["time"] = int(taken.timestamp())
        await self._async_take_http_picture(image, values, late=True)

    async def _async_take_http_picture(
        self, image: bytes, values: dict[str, Any], *, late: bool = False
    ) -> None:
        """A picture Home Assistant fetched over HTTP: kept and shown like an
        uplink's (a late one in its place, no news)."""
        now = dt_util.utcnow()
        if (error := picture_error(image)) is not None:
            self._warn_once("picture", "Snapshot from %s: %s", self.mac, error)
            return
        message = {"values": {"devMac": self.mac, **values}}
        snapshot = replace(
            parse_snapshot(message), image=image, mime_type=sniff_mime(image), late=late
        )
        if self._captures.repeated(snapshot, fetched=late):
            return
        await self._async_keep_snapshot(snapshot, message, now, retained=False)
        self.data.today.count(snapshot, now)
        if self._mark_seen(now):
            self.async_update_parts(Part.SNAPSHOT, Part.TODAY, Part.REACHABILITY)
        else:
            self.async_update_parts(Part.SNAPSHOT, Part.TODAY)
        self.async_save_later()
        self._fire(MessageKind.SNAPSHOT, snapshot)

    # --- reachability ------------------------------------------------------------

    @property
    def heartbeat_interval(self) -> timedelta:
        """How often the camera is expected to send a heartbeat."""
        return expected_heartbeat_interval(self.data.settings.get("get.capture.info"))

    @property
    def watchdog_timeout(self) -> timedelta:
        """Silence after which the camera counts as unreachable."""
        return self.heartbeat_interval * 2 + WATCHDOG_GRACE

    def _mark_seen(self, now: datetime) -> bool:
        """The camera spoke; return whether that changed its reachability."""
        return self.watchdog.heard(now)

    # --- settings ------------------------------------------------------------------

    def store_settings(self, name: str, data: dict[str, Any]) -> None:
        """Keep a ``get.*`` (or ``upgrade.check``) answer as the camera gave it."""
        if self._shut_down:
            return  # a late answer after unload: nothing may come back to life
        self.data.settings[name] = data
        self.data.settings_at[name] = dt_util.utcnow()
        self.async_save_later()
        if name == "get.capture.info":
            self.watchdog.schedule()
            async_check_topics(self.hass, self.config_entry, data)
        if name in ("get.capture.info", MIP_READ):
            self.picture_watch.check(self.data)
        elif name == "get.login.info":
            self._update_firmware_version()

    def _update_firmware_version(self) -> None:
        """Show the camera's firmware on its device (``get.login.info`` software)."""
        version = self.firmware_version
        registry = dr.async_get(self.hass)
        for device in dr.async_entries_for_config_entry(
            registry, self.config_entry.entry_id
        ):
            if (DOMAIN, self.mac) in device.identifiers and (
                version and device.sw_version != version
            ):
                registry.async_update_device(device.id, sw_version=version)

    @property
    def firmware_version(self) -> str | None:
        """The firmware the camera reported, if it did."""
        return as_str(self.data.setting("get.login.info", "software"))


def _newer(snapshot: Snapshot, known: Snapshot | None) -> bool:
    """Whether a replayed snapshot is newer than the one known (camera times)."""
    if known is None or known.image is None:
        return snapshot.image is not None
    new_time = snapshot.capture_time or snapshot.timestamp
    old_time = known.capture_time or known.timestamp
    return (
        snapshot.image is not None
        and new_time is not None
        and (old_time is None or new_time > old_time)
    )
