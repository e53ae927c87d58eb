"""The picture files of a camera's history: names, index, scan, writes, retention.

Each picture is one file in the camera's folder under Home Assistant's media
directory (``media/milesight_x5/<MAC>/``; the folder name is an option; 0.4 and
older kept them in ``.storage``, moved at start), named by when it was taken (when
Home Assistant received it; a late picture, one of a backlog, at its capture time)
and what triggered it (``20261125T140212123456Z-noise.jpg``); ``index.json`` beside
them adds the trigger value, the camera's own time and whether it came late. The folder is the truth:
:func:`scan` forgets a picture whose file is gone, takes a file of ours the index
does not know from its name alone, and leaves anything else (a file put there by
hand) alone. Everything here that touches the disk runs in the executor.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
import contextlib
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
import errno
import json
import logging
import os
from pathlib import Path
import re
import shutil
import threading
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import STORAGE_DIR
from homeassistant.util import dt as dt_util

from .api import TriggerType
from .const import DEFAULT_PICTURE_FOLDER, DOMAIN
from .state import iso

_LOGGER = logging.getLogger(__name__)

INDEX = "index.json"
INDEX_VERSION = 1
MEGABYTE = 1_000_000
TIME_FORMAT = "%Y%m%dT%H%M%S%fZ"
# What a picture of ours is called; nothing else in the folder is read or served.
PICTURE_NAME = re.compile(
    r"(?P<time>\d{8}T\d{12}Z)-(?P<trigger>[a-z_]{1,32})(?:-(?P<n>\d{1,4}))?"
    r"\.(?P<ext>jpg|png)"
)
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png"}
_MIME_TYPES = {ext: mime for mime, ext in EXTENSIONS.items()}
_TRIGGERS = {trigger.value: trigger for trigger in TriggerType}
# One lock over the history files of every camera: a removal never runs beside a
# half-done write, and a write that comes after its camera closed does nothing.
_IO_LOCK = threading.Lock()


# The last picture, for the image entity after a restart: in the camera's folder,
# hidden (no history entry, not listed by Home Assistant's own media browser).
LATEST = ".latest"


def media_root(hass: HomeAssistant) -> Path:
    """Home Assistant's media directory (the "local" one, else the first)."""
    dirs = hass.config.media_dirs
    root = dirs.get("local") or next(iter(dirs.values()), None)
    return Path(root or hass.config.path("media"))


def history_folder(
    hass: HomeAssistant, mac: str, folder: str = DEFAULT_PICTURE_FOLDER
) -> Path:
    """Where a camera's pictures are kept."""
    return media_root(hass) / folder / mac


def legacy_history(hass: HomeAssistant, mac: str) -> tuple[Path, Path]:
    """Where 0.4 and older kept a camera's pictures and its latest one."""
    return (
        Path(hass.config.path(STORAGE_DIR, f"{DOMAIN}.{mac}.history")),
        Path(hass.config.path(STORAGE_DIR, f"{DOMAIN}.{mac}.image")),
    )


def move_history(old: Path, new: Path, old_latest: Path | None = None) -> int:
    """Move a camera's pictures (index and latest picture with them) from ``old``
    to ``new``; returns how many files moved (in the executor, under the writes'
    lock). Only files move: a file ``new`` already has, or a folder someone put
    there, stays where it is (and so does ``old``, then). Raises OSError when the
    folders overlap or a move fails, after putting back what had moved."""
    with _IO_LOCK:
        if old.exists() and new.exists() and os.path.samefile(old, new):
            if old != new:  # the same folder by another name (case): rename it
                old.rename(new)
            return 0
        if new.is_relative_to(old) or old.is_relative_to(new):
            raise OSError(errno.EINVAL, "The folders overlap", str(new))
        sources = sorted(old.iterdir()) if old.is_dir() else []
        if old_latest is not None and old_latest.is_file():
            sources.append(old_latest)
        moved: list[tuple[Path, Path]] = []
        try:
            for source in sources:
                target = new / (LATEST if source == old_latest else source.name)
                if not source.is_file() or source.is_symlink() or target.exists():
                    continue
                new.mkdir(parents=True, exist_ok=True)
                shutil.move(source, target)
                moved.append((source, target))
        except OSError:
            for source, target in reversed(moved):
                with contextlib.suppress(OSError):
                    shutil.move(target, source)
            raise
        with contextlib.suppress(OSError):
            old.rmdir()  # only when nothing is left in it
        if old_latest is not None:
            # A copy of a kept picture; the new folder has its own when kept.
            with contextlib.suppress(OSError):
                old_latest.unlink(missing_ok=True)
    return len(moved)


def remove_history(*folders: Path) -> None:
    """Delete a camera's pictures, folder and all (in the executor; under the lock
    a write in flight holds, so nothing comes back). Files are also removed."""
    with _IO_LOCK:
        for folder in folders:
            if folder.is_dir():
                shutil.rmtree(folder, ignore_errors=True)
                with contextlib.suppress(OSError):
                    folder.parent.rmdir()  # the last camera's: only when empty
            else:
                folder.unlink(missing_ok=True)


@dataclass(frozen=True, slots=True, kw_only=True)
class Picture:
    """One kept picture. ``taken`` is when it was taken by Home Assistant's clock
    (UTC): when it arrived, or for a ``late`` one (a backlog uploaded after a
    reconnect) the camera's capture time, its clock known to agree;
    ``camera_time`` what the camera's own clock said (often wrong)."""

    name: str
    taken: datetime
    trigger: TriggerType
    trigger_value: float | str | None = None
    camera_time: datetime | None = None
    late: bool = False
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
        taken = datetime.strptime(match["time"], TIME_FORMAT).replace(tzinfo=UTC)
    except ValueError:  # 13th month and the like: not written by us
        return None
    trigger = _TRIGGERS.get(match["trigger"], TriggerType.OTHER)
    return Picture(name=name, taken=taken, trigger=trigger, size=size)


def in_order(picture: Picture) -> tuple[datetime, int, str]:
    """Oldest first; pictures of the same instant in the order they were written."""
    match = PICTURE_NAME.fullmatch(picture.name)
    number = int(match["n"]) if match and match["n"] else 0
    return picture.taken, number, picture.name


def _with_details(picture: Picture, details: Any) -> Picture:
    """Add what the index knows of a picture (its name says when and why)."""
    if not isinstance(details, Mapping):
        return picture
    value = details.get("trigger_value")
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        value = None
    camera_time = details.get("camera_time")
    try:
        moment = (
            dt_util.parse_datetime(camera_time)
            if isinstance(camera_time, str)
            else None
        )
    except ValueError:  # the shape of a date, an impossible one (a hand edit)
        moment = None
    late = details.get("late") is True
    return replace(picture, trigger_value=value, camera_time=moment, late=late)


def _details(picture: Picture) -> dict[str, Any]:
    details: dict[str, Any] = {
        "trigger_value": picture.trigger_value,
        "camera_time": iso(picture.camera_time),
    }
    if picture.late:
        details["late"] = True
    return details


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
        if picture.taken >= cutoff and (total <= max_bytes or newest):
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
    """The pictures in ``folder``, oldest first, and whether its index is stale.

    Under the lock writes take (a camera reloading while its last write finishes);
    a file that goes while it is read is left out on its own."""
    sizes: dict[str, int] = {}
    with _IO_LOCK:
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    try:
                        if entry.is_file(follow_symlinks=False):
                            sizes[entry.name] = entry.stat(
                                follow_symlinks=False
                            ).st_size
                    except FileNotFoundError:
                        continue
        except FileNotFoundError:
            return [], False
        except OSError as err:  # not a folder, not readable: the next write says so
            _LOGGER.debug("Cannot read the picture history in %s: %s", folder, err)
            return [], False
        known = _read_index(folder / INDEX)
    pictures = [
        _with_details(picture, known.get(name))
        for name, size in sizes.items()
        if (picture := picture_from_name(name, size)) is not None
    ]
    pictures.sort(key=in_order)
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
class Change:
    """What one write does to a camera's files."""

    keep: list[Picture]  # the pictures kept afterwards, the new one included
    delete: list[Picture]  # what retention removes
    new: Picture | None = None
    image: bytes | None = None
    latest: bool = True  # the new picture is also the one shown after a restart


def apply_change(
    folder: Path, latest: Path, change: Change, closed: Callable[[], bool]
) -> tuple[bool, str | None, set[str]]:
    """Delete what retention removes (first: on a full disk that makes room), write
    the new picture (and the latest picture), write the index: whether the new
    picture was written, the first error, and the names deleted."""
    with _IO_LOCK:
        if closed():
            return False, None, set()
        error: str | None = None
        written = False
        deleted: set[str] = set()
        for doomed in change.delete:
            try:
                (folder / doomed.name).unlink(missing_ok=True)
            except OSError as err:
                error = error or _describe(err)
            else:
                deleted.add(doomed.name)
        if change.image is not None and change.latest:
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
            remaining = [p for p in change.delete if p.name not in deleted]
            index = {
                picture.name: _details(picture)
                for picture in [*change.keep, *remaining]
                if written or picture is not change.new
            }
            _write_atomic(
                folder / INDEX,
                json.dumps({"version": INDEX_VERSION, "pictures": index}).encode(),
            )
        except OSError as err:
            error = error or _describe(err)
        return written, error, deleted
