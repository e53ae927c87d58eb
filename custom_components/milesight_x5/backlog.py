"""Nothing lost with HTTP access: pictures the camera could not upload, fetched
from its SD card, a few per wake.

The X5 keeps its pictures on its SD card and ``storage.search`` says of each
whether its upload succeeded (``upload`` 1) or failed (0). Where Home Assistant
reaches the camera over HTTP, after a heartbeat (while it is presumed awake, after
the settings read, never waking it; over HTTP only) one search lists the pictures
since the last good upload; the failed ones are fetched with ``storage.export``,
oldest first, at most :data:`PER_WAKE` per wake, and kept in the history as late
pictures at their capture time (the same file is never fetched twice). The search
runs once per settings interval, and at every wake while a backlog remains: a
long backlog costs a few pictures per wake, not one long drain of the battery.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
import logging
from typing import Any

from homeassistant.util import dt as dt_util

from .api import CommandCancelledError, CommandFailedError, X5Error
from .api.coerce import as_int, as_str
from .api.field import TIME_READ, time_zone, wall_time
from .commands import X5Commands
from .const import DOMAIN
from .link import CameraLink

_LOGGER = logging.getLogger(__name__)

PER_WAKE = 3  # pictures fetched per wake at most
PAGE = 30  # files listed per search
SD_PATH = "/mnt/mmc"  # the guide's storage.export example path
ALL_FILES = 3  # storage.search type: 1 continuous, 2 trigger, 3 all
_EPOCH = "1970-01-01 00:00:00"
_END = "2099-12-31 23:59:59"
FETCHED_KEPT = 200  # file names remembered as fetched
EXPORT_ATTEMPTS = 3  # wakes a file that does not export as a picture is tried
Keep = Callable[[bytes, str, datetime | None], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class SdPicture:
    """One picture on the camera's SD card, as ``storage.search`` lists it."""

    file: str
    start_time: str  # the camera's wall time, as it wrote it
    size: int
    uploaded: bool


def listed(answer: Any) -> list[SdPicture]:
    """The usable files of a ``storage.search`` answer, oldest first."""
    items = answer.get("list") if isinstance(answer, Mapping) else None
    pictures = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, Mapping):
            continue
        file, start = as_str(item.get("file")), as_str(item.get("startTime"))
        size, upload = as_int(item.get("size")), as_int(item.get("upload"))
        if file and start and size is not None and upload in (0, 1):
            pictures.append(SdPicture(file, start, size, upload == 1))
    return sorted(pictures, key=lambda picture: picture.start_time)


class BacklogFetcher:
    """Fetches one camera's pictures whose upload failed (HTTP access only)."""

    def __init__(
        self,
        link: CameraLink,
        commands: X5Commands,
        keep: Keep,
        interval: Callable[[], timedelta],
    ) -> None:
        """Fetch through ``commands``; ``keep`` takes a picture (bytes, file name,
        capture time); searched once per ``interval()`` unless a backlog remains."""
        self._link = link
        self._commands = commands
        self._keep = keep
        self._interval = interval
        self._running = False
        self._searched_at: datetime | None = None
        self._attempts: dict[str, int] = {}
        self.remaining = 0  # failed uploads listed and not fetched yet

    def on_heartbeat(self) -> None:
        """After a heartbeat: search (and fetch) when due, in the background."""
        if self._commands.http is None or self._running or not self._due():
            return
        self._running = True
        self._link.config_entry.async_create_background_task(
            self._link.hass, self._async_run(), f"{DOMAIN} backlog {self._link.mac}"
        )

    def _due(self) -> bool:
        if self.remaining:
            return True
        searched = self._searched_at
        return searched is None or dt_util.utcnow() - searched >= self._interval()

    async def _async_run(self) -> None:
        try:
            await self._async_fetch()
        except X5Error as err:
            # Unreachable over HTTP (or refused, or asleep halfway): what was
            # listed and not fetched is tried at the next wake; no list at all,
            # after the interval.
            _LOGGER.debug("Backlog of %s not fetched: %s", self._link.mac, err)
        finally:
            self._running = False
            self._link.async_save_later()

    async def _async_request(
        self, name: str, data: Mapping[str, Any] | None = None
    ) -> dict[str, Any] | bytes:
        http = self._commands.http
        if http is None or self._commands.reach.closed:
            raise CommandCancelledError("no HTTP access to the camera now")
        return await http.async_request(name, data)

    async def _async_fetch(self) -> None:
        state = self._link.data
        self._searched_at = dt_util.utcnow()
        self.remaining = 0
        answer = await self._async_request(
            "storage.search",
            {
                "startTime": state.backlog_since or _EPOCH,
                "endTime": _END,
                "start": 0,
                "length": PAGE,
                "type": ALL_FILES,
            },
        )
        files = listed(answer)
        fetched = set(state.backlog_fetched)
        failed = [f for f in files if not f.uploaded and f.file not in fetched]
        self._advance(files, fetched)
        # A full page may hide more: searched again at the next wake.
        self.remaining = len(failed) + (len(files) >= PAGE)
        if not failed:
            return
        zone = await self._async_zone()
        for picture in failed[:PER_WAKE]:
            try:
                image: dict[str, Any] | bytes = await self._async_request(
                    "storage.export",
                    {"path": SD_PATH, "name": picture.file, "size": picture.size},
                )
            except CommandFailedError as err:  # it answered: not this file
                _LOGGER.debug("%s: %s not exported: %s", self._link.mac, picture, err)
                image = b""
            if isinstance(image, bytes) and image:
                taken = wall_time(picture.start_time, zone, state.clock_offset)
                await self._keep(image, picture.file, taken)
            else:
                attempts = self._attempts[picture.file] = (
                    self._attempts.get(picture.file, 0) + 1
                )
                if attempts < EXPORT_ATTEMPTS:
                    continue  # not a picture this time: again at a later wake

            state.backlog_fetched = [*state.backlog_fetched, picture.file][
                -FETCHED_KEPT:
            ]
            self.remaining -= 1
        self._advance(files, set(state.backlog_fetched))

    def _advance(self, files: list[SdPicture], done: set[str]) -> None:
        """Search from the last file of the leading run of files that need
        nothing (uploaded, or fetched) on: the next search lists newer ones."""
        since = None
        for picture in files:
            if not (picture.uploaded or picture.file in done):
                break
            since = picture.start_time
        if since is not None:
            self._link.data.backlog_since = since

    async def _async_zone(self) -> timedelta | None:
        """The camera's time zone (its file times are wall times), from its
        ``get.time.info`` and the clock offset its heartbeats show."""
        answer = await self._async_request(TIME_READ)
        if not isinstance(answer, dict):
            return None
        offset = timedelta(seconds=self._link.data.clock_offset or 0.0)
        return time_zone(answer, dt_util.utcnow() + offset)
