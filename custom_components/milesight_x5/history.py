"""The picture history of a camera: every good picture kept on disk, with what it was.

Each picture is one file in the camera's folder
(``.storage/milesight_x5.<MAC>.history/``), named by when Home Assistant received it
and what triggered it (``20261125T140212123456Z-noise.jpg``); ``index.json`` beside
them adds the trigger value and the camera's own time. The folder is the truth: at
start it is scanned, a picture whose file is gone is forgotten, a file of ours the
index does not know is taken from its name alone, and anything else (a file put
there by hand) is left alone and never listed.

Files are written and deleted in the executor, one camera's changes in order.
Retention (Options): pictures older than the days, and the oldest beyond the size,
are deleted on every picture and daily; the newest picture always stays. A write
that fails (disk full, folder not writable) is a repair issue, not an exception, and
the issue goes when a write works again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
import json
import logging
import os
from pathlib import Path
import re
import shutil
import threading
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.storage import STORAGE_DIR
from homeassistant.util import dt as dt_util

from .api import Snapshot, TriggerType
from .const import (
    CONF_HISTORY_DAYS,
    CONF_HISTORY_SIZE,
    CONF_MAC,
    DEFAULT_HISTORY_DAYS,
    DEFAULT_HISTORY_SIZE,
    DOMAIN,
    HISTORY_PRUNE_INTERVAL,
)
from .repairs import async_check_history_writable
from .state import iso

_LOGGER = logging.getLogger(__name__)

INDEX = "index.json"
INDEX_VERSION = 1
MEGABYTE = 1_000_000
_TIME_FORMAT = "%Y%m%dT%H%M%S%fZ"
# What a picture of ours is called; nothing else in the folder is read or served.
PICTURE_NAME = re.compile(
    r"(?P<time>\d{8}T\d{12}Z)-(?P<trigger>[a-z_]{1,32})(?:-(?P<n>\d{1,4}))?"
    r"\.(?P<ext>jpg|png)"
)
_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png"}
_MIME_TYPES = {ext: mime for mime, ext in _EXTENSIONS.items()}
_TRIGGERS = {trigger.value: trigger for trigger in TriggerType}
# One lock over the history files of every camera: a removal never runs beside a
# half-done write, and a write that comes after its camera closed does nothing.
_IO_LOCK = threading.Lock()


def history_folder(hass: HomeAssistant, mac: str) -> Path:
    """Where a camera's pictures are kept."""
    return Path(hass.config.path(STORAGE_DIR, f"{DOMAIN}.{mac}.history"))


def remove_history(folder: Path) -> None:
    """Delete a camera's pictures, folder and all (in the executor)."""
    with _IO_LOCK:
        shutil.rmtree(folder, ignore_errors=True)


@dataclass(frozen=True, slots=True, kw_only=True)
class Picture:
    """One kept picture. ``received`` is when Home Assistant received it (UTC);
    ``camera_time`` what the camera's own clock said (often wrong)."""

    name: str
    received: datetime
    trigger: TriggerType
    trigger_value: float | str | None = None
    camera_time: datetime | None = None
    size: int = 0

    @property
    def mime_type(self) -> str:
        """JPEG or PNG, as its name says."""
        return _MIME_TYPES[self.name.rsplit(".", 1)[1]]


def picture_from_name(name: str, size: int = 0) -> Picture | None:
    """A picture from its file name alone, or None when the name is not one of ours."""
    if (match := PICTURE_NAME.fullmatch(name)) is None:
        return None
    try:
        received = datetime.strptime(match["time"], _TIME_FORMAT).replace(tzinfo=UTC)
    except ValueError:  # 13th month and the like: not written by us
        return None
    trigger = _TRIGGERS.get(match["trigger"], TriggerType.OTHER)
    return Picture(name=name, received=received, trigger=trigger, size=size)


def _in_order(picture: Picture) -> tuple[datetime, int, str]:
    """Oldest first; pictures of the same instant in the order they were written."""
    match = PICTURE_NAME.fullmatch(picture.name)
    number = int(match["n"]) if match and match["n"] else 0
    return picture.received, number, picture.name


def _with_details(picture: Picture, details: Any) -> Picture:
    """Add what the index knows of a picture (its name says when and why)."""
    if not isinstance(details, Mapping):
        return picture
    value = details.get("trigger_value")
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        value = None
    camera_time = details.get("camera_time")
    moment = (
        dt_util.parse_datetime(camera_time) if isinstance(camera_time, str) else None
    )
    return replace(picture, trigger_value=value, camera_time=moment)


def _details(picture: Picture) -> dict[str, Any]:
    return {
        "trigger_value": picture.trigger_value,
        "camera_time": iso(picture.camera_time),
    }


def expired(
    pictures: list[Picture], now: datetime, max_age: timedelta, max_bytes: int
) -> list[Picture]:
    """The pictures retention removes (``pictures`` oldest first): those older than
    ``max_age``, then the oldest while all of them take more than ``max_bytes``.
    The newest picture is never removed for size."""
    cutoff = now - max_age
    total = sum(picture.size for picture in pictures)
    doomed: list[Picture] = []
    for position, picture in enumerate(pictures):
        newest = position == len(pictures) - 1
        if picture.received >= cutoff and (total <= max_bytes or newest):
            break  # the rest are newer, and the total only shrinks
        doomed.append(picture)
        total -= picture.size
    return doomed


# --- disk (executor) ----------------------------------------------------------------


def _read_index(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    pictures = data.get("pictures") if isinstance(data, dict) else None
    return pictures if isinstance(pictures, dict) else {}


def scan(folder: Path) -> tuple[list[Picture], bool]:
    """The pictures in ``folder``, oldest first, and whether its index is stale."""
    try:
        with os.scandir(folder) as entries:
            sizes = {
                entry.name: entry.stat(follow_symlinks=False).st_size
                for entry in entries
                if entry.is_file(follow_symlinks=False)
            }
    except FileNotFoundError:
        return [], False
    except OSError as err:  # not a folder, not readable: the next write reports it
        _LOGGER.debug("Cannot read the picture history in %s: %s", folder, err)
        return [], False
    known = _read_index(folder / INDEX)
    pictures = [
        _with_details(picture, known.get(name))
        for name, size in sizes.items()
        if (picture := picture_from_name(name, size)) is not None
    ]
    pictures.sort(key=_in_order)
    return pictures, set(known) != {picture.name for picture in pictures}


def _write_atomic(path: Path, data: bytes) -> None:
    """Write a file whole or not at all (a full disk leaves no half picture)."""
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except OSError:
        temporary.unlink(missing_ok=True)
        raise


def _describe(err: OSError) -> str:
    return err.strerror or type(err).__name__


@dataclass(frozen=True, slots=True)
class _Change:
    """What one write does to a camera's files."""

    keep: list[Picture]  # the pictures kept afterwards, the new one included
    delete: list[str]
    new: Picture | None = None
    image: bytes | None = None


def _apply(
    folder: Path, latest: Path, change: _Change, closed: Callable[[], bool]
) -> tuple[bool, str | None]:
    """Write the new picture (and the latest picture), delete what retention
    removes, write the index: whether the new picture was written, and the first
    error."""
    with _IO_LOCK:
        if closed():
            return False, None
        error: str | None = None
        written = False
        if change.image is not None:
            try:
                latest.parent.mkdir(parents=True, exist_ok=True)
                _write_atomic(latest, change.image)
            except OSError as err:
                error = _describe(err)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if change.new is not None and change.image is not None:
                _write_atomic(folder / change.new.name, change.image)
                written = True
            for name in change.delete:
                (folder / name).unlink(missing_ok=True)
            index = {
                picture.name: _details(picture)
                for picture in change.keep
                if written or picture is not change.new
            }
            _write_atomic(
                folder / INDEX,
                json.dumps({"version": INDEX_VERSION, "pictures": index}).encode(),
            )
        except OSError as err:
            error = error or _describe(err)
        return written, error


# --- the history of one camera ------------------------------------------------------


class X5History:
    """The kept pictures of one camera, oldest first."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry, latest: Path) -> None:
        """The history of ``entry``'s camera; ``latest`` is where the last picture
        is kept for the image entity's restore."""
        self.hass = hass
        self._entry = entry
        self.folder = history_folder(hass, entry.data[CONF_MAC])
        self._latest = latest
        self._pictures: list[Picture] = []
        self._by_name: dict[str, Picture] = {}
        self._lock = asyncio.Lock()
        self._closed = False
        self._unsub_prune: CALLBACK_TYPE | None = None
        self.error: str | None = None  # why the last write failed, None when it worked

    # --- lifecycle -------------------------------------------------------------------

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
            "oldest": iso(self._pictures[0].received) if self._pictures else None,
            "newest": iso(self._pictures[-1].received) if self._pictures else None,
            "max_days": self.max_age.days,
            "max_bytes": self.max_bytes,
            "write_error": self.error,
        }

    # --- changes ---------------------------------------------------------------------

    async def async_add(self, snapshot: Snapshot, received: datetime) -> Picture | None:
        """Keep a good picture; return it, or None when it could not be written."""
        image = snapshot.image
        assert image is not None
        async with self._lock:
            if self._closed:
                return None
            picture = Picture(
                name=self._new_name(received, snapshot.trigger, snapshot.mime_type),
                received=received,
                trigger=snapshot.trigger,
                trigger_value=snapshot.trigger_value,
                camera_time=snapshot.capture_time or snapshot.timestamp,
                size=len(image),
            )
            pictures = [*self._pictures, picture]
            if len(pictures) > 1 and _in_order(pictures[-2]) > _in_order(picture):
                pictures.sort(key=_in_order)  # Home Assistant's clock went back
            written = await self._async_apply(pictures, new=picture, image=image)
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
    ) -> bool:
        doomed = {
            picture.name
            for picture in expired(
                pictures, dt_util.utcnow(), self.max_age, self.max_bytes
            )
        }
        keep = [picture for picture in pictures if picture.name not in doomed]
        change = _Change(keep=keep, delete=sorted(doomed), new=new, image=image)
        written, error = await self.hass.async_add_executor_job(
            _apply, self.folder, self._latest, change, lambda: self._closed
        )
        self._set(picture for picture in keep if written or picture is not new)
        if not self._closed:  # a removal may have deleted the camera's issues
            self._report(error)
        return written

    def _set(self, pictures: Iterable[Picture]) -> None:
        self._pictures = list(pictures)
        self._by_name = {picture.name: picture for picture in self._pictures}

    def _new_name(
        self, received: datetime, trigger: TriggerType, mime_type: str | None
    ) -> str:
        stem = f"{received.astimezone(UTC).strftime(_TIME_FORMAT)}-{trigger.value}"
        extension = _EXTENSIONS.get(mime_type or "", "jpg")
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
