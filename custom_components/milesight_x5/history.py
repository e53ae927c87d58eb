"""The picture history of a camera: every good picture kept, with what it was.

The pictures live in files (:mod:`.history_files`); this keeps the list of them,
adds the pictures the coordinator takes, and applies retention (Options): pictures
older than the days, and the oldest beyond the size, are deleted with every picture
and daily; the newest picture always stays. One camera's changes run in order, in
the executor. A write that fails (disk full, folder not writable) is a repair
issue, not an exception, and the issue goes when a write works again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
import logging
from pathlib import Path
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.util import dt as dt_util

from .api import Snapshot, TriggerType
from .const import (
    CONF_HISTORY_DAYS,
    CONF_HISTORY_SIZE,
    CONF_MAC,
    CONF_PICTURE_FOLDER,
    DEFAULT_HISTORY_DAYS,
    DEFAULT_HISTORY_SIZE,
    DEFAULT_PICTURE_FOLDER,
    HISTORY_PRUNE_INTERVAL,
)
from .history_files import (
    EXTENSIONS,
    LATEST,
    MEGABYTE,
    TIME_FORMAT,
    Change,
    Picture,
    apply_change,
    expired,
    history_folder,
    in_order,
    legacy_history,
    move_history,
    scan,
)
from .repairs import async_check_history_writable
from .state import iso

_LOGGER = logging.getLogger(__name__)


class X5History:
    """The kept pictures of one camera, oldest first."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry) -> None:
        """The history of ``entry``'s camera, in the folder its options name."""
        self.hass = hass
        self._entry = entry
        self.folder = history_folder(
            hass,
            entry.data[CONF_MAC],
            entry.options.get(CONF_PICTURE_FOLDER, DEFAULT_PICTURE_FOLDER),
        )
        self._pictures: list[Picture] = []
        self._by_name: dict[str, Picture] = {}
        self._lock = asyncio.Lock()
        self._closed = False
        self._unsub_prune: CALLBACK_TYPE | None = None
        self.error: str | None = None  # why the last write failed, None when it worked

    # --- lifecycle -------------------------------------------------------------------

    @property
    def latest(self) -> Path:
        """Where the last picture is kept for the image entity's restore."""
        return self.folder / LATEST

    async def async_migrate(self) -> None:
        """Bring the pictures 0.4 and older kept in ``.storage`` (out of every
        backup's way) to the camera's folder; nothing when there are none."""
        old, old_latest = legacy_history(self.hass, self._entry.data[CONF_MAC])
        try:
            moved = await self.hass.async_add_executor_job(
                move_history, old, self.folder, old_latest
            )
        except OSError as err:  # tried again at the next start; nothing is lost
            _LOGGER.warning(
                "Cannot move %s's pictures from %s to %s: %s",
                self._entry.title,
                old,
                self.folder,
                err,
            )
            return
        if moved:
            _LOGGER.info(
                "Moved %s files of %s's pictures to %s",
                moved,
                self._entry.title,
                self.folder,
            )

    async def async_move(self, folder: str) -> None:
        """Keep the pictures in ``folder`` (Options) from now on, those kept so far
        moved there. Raises OSError when they cannot be moved (nothing changes)."""
        new = history_folder(self.hass, self._entry.data[CONF_MAC], folder)
        async with self._lock:
            if new == self.folder:
                return
            await self.hass.async_add_executor_job(move_history, self.folder, new)
            self.folder = new

    async def async_load(self) -> None:
        """Read the folder, apply retention, and prune daily from now on."""
        pictures, stale = await self.hass.async_add_executor_job(scan, self.folder)
        self._set(pictures)
        self._unsub_prune = async_track_time_interval(
            self.hass, self._async_prune_daily, HISTORY_PRUNE_INTERVAL
        )
        await self.async_prune(rewrite_index=stale)

    @callback
    def async_stop(self) -> None:
        """Write nothing more (the camera unloads, maybe to be removed)."""
        self._closed = True
        if self._unsub_prune is not None:
            self._unsub_prune()
            self._unsub_prune = None

    # --- what is kept ----------------------------------------------------------------

    @property
    def count(self) -> int:
        """How many pictures are kept."""
        return len(self._pictures)

    @property
    def total_bytes(self) -> int:
        """How much they take on disk."""
        return sum(picture.size for picture in self._pictures)

    def newest_first(self) -> list[Picture]:
        """The kept pictures, newest first."""
        return self._pictures[::-1]

    def get(self, name: str) -> Picture | None:
        """A kept picture by its name."""
        return self._by_name.get(name)

    async def async_read(self, picture: Picture) -> bytes | None:
        """A kept picture's bytes (None when its file went away)."""
        path = self.folder / picture.name
        try:
            return await self.hass.async_add_executor_job(path.read_bytes)
        except OSError:
            return None

    @property
    def max_age(self) -> timedelta:
        """How long pictures are kept (Options)."""
        return timedelta(
            days=self._entry.options.get(CONF_HISTORY_DAYS, DEFAULT_HISTORY_DAYS)
        )

    @property
    def max_bytes(self) -> int:
        """How much the pictures may take (Options, MB)."""
        return int(
            self._entry.options.get(CONF_HISTORY_SIZE, DEFAULT_HISTORY_SIZE) * MEGABYTE
        )

    def diagnostics(self) -> dict[str, Any]:
        """Size and span of the history (no picture content, no paths)."""
        return {
            "pictures": self.count,
            "bytes": self.total_bytes,
            "oldest": iso(self._pictures[0].taken) if self._pictures else None,
            "newest": iso(self._pictures[-1].taken) if self._pictures else None,
            "max_days": self.max_age.days,
            "max_bytes": self.max_bytes,
            "write_error": self.error,
        }

    # --- changes ---------------------------------------------------------------------

    async def async_add(
        self, snapshot: Snapshot, taken: datetime, *, latest: bool = True
    ) -> Picture | None:
        """Keep a good picture taken at ``taken`` (Home Assistant's clock: its
        arrival, or a late picture's capture time) in its place among the others
        (``latest``: also as the one shown after a restart); return it, or None
        when it could not be written."""
        image = snapshot.image
        assert image is not None
        async with self._lock:
            if self._closed:
                return None
            picture = Picture(
                name=self._new_name(taken, snapshot.trigger, snapshot.mime_type),
                taken=taken,
                trigger=snapshot.trigger,
                trigger_value=snapshot.trigger_value,
                camera_time=snapshot.capture_time or snapshot.timestamp,
                late=snapshot.late,
                size=len(image),
            )
            pictures = [*self._pictures, picture]
            if len(pictures) > 1 and in_order(pictures[-2]) > in_order(picture):
                pictures.sort(key=in_order)  # a late picture, or the clock went back
            written = await self._async_apply(
                pictures, new=picture, image=image, latest=latest
            )
            return picture if written else None

    async def async_prune(self, *, rewrite_index: bool = False) -> None:
        """Apply retention now (and write the index when it is stale)."""
        async with self._lock:
            if self._closed:
                return
            if rewrite_index or expired(
                self._pictures, dt_util.utcnow(), self.max_age, self.max_bytes
            ):
                await self._async_apply(list(self._pictures))

    async def _async_prune_daily(self, _now: datetime) -> None:
        await self.async_prune()

    async def _async_apply(
        self,
        pictures: list[Picture],
        new: Picture | None = None,
        image: bytes | None = None,
        latest: bool = True,
    ) -> bool:
        doomed = expired(pictures, dt_util.utcnow(), self.max_age, self.max_bytes)
        names = {picture.name for picture in doomed}
        keep = [picture for picture in pictures if picture.name not in names]
        change = Change(keep=keep, delete=doomed, new=new, image=image, latest=latest)
        written, error, deleted = await self.hass.async_add_executor_job(
            apply_change, self.folder, self.latest, change, lambda: self._closed
        )
        # What could not be deleted is still there: it stays listed (and counted).
        self._set(
            picture
            for picture in pictures
            if picture.name not in deleted and (written or picture is not new)
        )
        if not self._closed:  # a removal may have deleted the camera's issues
            self._report(error)
        return written

    def _set(self, pictures: Iterable[Picture]) -> None:
        self._pictures = list(pictures)
        self._by_name = {picture.name: picture for picture in self._pictures}

    def _new_name(
        self, received: datetime, trigger: TriggerType, mime_type: str | None
    ) -> str:
        stem = f"{received.astimezone(UTC).strftime(TIME_FORMAT)}-{trigger.value}"
        extension = EXTENSIONS.get(mime_type or "", "jpg")
        name, number = f"{stem}.{extension}", 0
        while name in self._by_name:  # two pictures within a microsecond
            number += 1
            name = f"{stem}-{number}.{extension}"
        return name

    def _report(self, error: str | None) -> None:
        """A repair issue while writing fails; gone with the first write that works."""
        if error == self.error:
            return
        if error is not None and self.error is None:
            _LOGGER.warning(
                "Cannot keep the pictures of %s in %s: %s",
                self._entry.title,
                self.folder,
                error,
            )
        elif error is None:
            _LOGGER.info("The pictures of %s are kept again", self._entry.title)
        self.error = error
        async_check_history_writable(self.hass, self._entry, error, self.folder)
