"""Which pictures are new captures: the same picture twice is one capture, and a
picture the camera took long before it arrived is late.

The X5 family uploads pictures it took while offline later, oldest first, each
with its capture time, and deletes a file only once its upload completed: the
same picture can arrive twice, and a backlog arrives in a burst after a
reconnect (NOTES.md). A late picture is kept and shown in the history like any
other, but is not news: its capture event says ``late`` and no device trigger or
notification fires for it.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime, timedelta
import zlib

from .api import Snapshot
from .const import CLOCK_AGREES

# How many recent pictures are remembered to recognise one that comes again.
REMEMBERED = 64


class Captures:
    """The recent pictures of one camera, to tell repeats and late ones."""

    def __init__(self) -> None:
        """Nothing seen yet (a restart forgets: a repeat across it is kept twice)."""
        self._seen: OrderedDict[tuple[object, ...], None] = OrderedDict()

    def repeated(self, snapshot: Snapshot, *, fetched: bool = False) -> bool:
        """Whether this picture came before: the same bytes and trigger, with the
        same file name or the same capture time (a name alone could be another
        picture taken in the same second); remember it when not.

        ``fetched``: it comes from the SD card (``storage.export``), which knows
        neither its trigger nor, reliably, its uplink's file name: between such a
        picture and an uplink the same bytes are the same picture."""
        if snapshot.image is None:
            return False
        picture = (len(snapshot.image), zlib.crc32(snapshot.image))
        keys: list[tuple[object, ...]] = [
            ("time", snapshot.capture_time, snapshot.snap_type, *picture)
        ]
        if snapshot.file:
            keys.append(("file", snapshot.file, snapshot.snap_type, *picture))
        source, other = ("fetched", "uplink") if fetched else ("uplink", "fetched")
        matches = [*keys, (other, *picture)]
        if fetched:
            matches.append((source, *picture))  # fetched twice
        if any(key in self._seen for key in matches):
            return True
        for key in (*keys, (source, *picture)):
            self._seen[key] = None
        while len(self._seen) > REMEMBERED:
            self._seen.popitem(last=False)
        return False


def is_late(
    snapshot: Snapshot,
    received: datetime,
    clock_offset: float | None,
    late_after: timedelta,
) -> bool:
    """Whether the camera took the picture more than ``late_after`` before it
    arrived: by its capture time, and only when its clock is known to agree with
    Home Assistant's: the message's ``ts`` agrees (a send time), else the offset
    its heartbeats show (``clock_offset``; the family may stamp ``ts`` with the
    capture time too). A clock unknown or off tells nothing: the picture is news
    (a stale alert costs less than a missed one)."""
    agrees = CLOCK_AGREES.total_seconds()
    if snapshot.timestamp is not None:
        sent = (snapshot.timestamp - received).total_seconds()
        if abs(sent) <= agrees:
            clock_offset = sent
    if clock_offset is None or abs(clock_offset) > agrees:
        return False
    taken = snapshot.camera_time(received)
    return taken is not None and received - taken > late_after
