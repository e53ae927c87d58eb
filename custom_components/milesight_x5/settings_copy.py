"""One camera's part in a settings copy: what it is to take, and its delivery.

The ``copy_settings`` action gives each target camera a copy: the source's fields
of the chosen groups (:mod:`.api.copy`). It is delivered through the command path,
as whole-branch writes built from this camera's own last report:

- at once when the action runs: a sleeping camera is woken for it, once;
- if it could not be woken (or the wake went unanswered): at its next wake,
  right after its heartbeat, never waking it again;
- a branch it has not reported yet is read first (a branch is never written from
  a guess).

The copy is kept with the camera's state, so one pending across a restart of Home
Assistant is delivered at its next wake. Its progress (pending, done, failed and
why) is the *Settings copy* sensor.
"""

from __future__ import annotations

import logging
from typing import Any

from .api import SettingUnknownError, X5Error
from .api.copy import copy_writes, read_of, write_of
from .commands import X5Commands
from .const import DOMAIN
from .copy_job import DONE, FAILED, PENDING, CopyJob
from .errors import error_key
from .link import CameraLink
from .state import Part

_LOGGER = logging.getLogger(__name__)


# Not now, at its next own wake: not woken (asleep, or wake by MQTT off), no
# answer (writes may go again), out of reach, or unloaded (a reload, a restart).
# Anything else fails the copy, saying why (Low Power mode takes no remote
# configuration; a refusal).
_LATER = frozenset(
    {"camera_asleep", "wake_disabled", "command_timeout", "broker_unavailable",
     "cannot_connect", "camera_unloaded"}
)  # fmt: skip


class SettingsCopy:
    """Delivers this camera's copy (see the module's description)."""

    def __init__(self, link: CameraLink, commands: X5Commands) -> None:
        """Deliver through ``commands``; the job lives in ``link.data``."""
        self._link = link
        self._commands = commands
        self._running = False

    @property
    def job(self) -> CopyJob | None:
        """The camera's last copy (pending, done or failed), if any."""
        return self._link.data.copy_job

    def start(
        self, source: str, groups: list[str], values: dict[str, Any]
    ) -> list[str]:
        """Take a new copy (replacing one pending) and deliver it now, waking the
        camera once; returns the writes it will take."""
        job = CopyJob(source=source, groups=groups, values=values)
        self._link.data.copy_job = job
        self._changed()
        self._deliver(wake=True)
        return [write_of(name) for name in values]

    def on_heartbeat(self) -> None:
        """The camera woke: deliver a pending copy, never waking it."""
        if (job := self.job) is not None and job.status == PENDING:
            self._deliver(wake=False)

    def _deliver(self, *, wake: bool) -> None:
        if self._running or self._commands.reach.closed or (job := self.job) is None:
            return
        self._running = True
        self._link.config_entry.async_create_background_task(
            self._link.hass,
            self._async_deliver(job, wake=wake),
            f"{DOMAIN} settings copy {self._link.mac}",
        )

    async def _async_deliver(self, job: CopyJob, *, wake: bool) -> None:
        """Deliver ``job``: a wake at most for the first command (then only while
        the camera is awake); a newer copy taken meanwhile is delivered next."""
        try:
            await self._async_send(job, wake=wake)
        except X5Error as err:
            if (reason := error_key(err)) not in _LATER:
                self._end(job, FAILED, reason)
            else:  # pending, and why it waits (shown)
                job.reason = reason
                _LOGGER.debug("%s: settings copy waits (%s)", self._link.mac, reason)
        finally:
            self._running = False
            self._changed()
        newer = self.job
        if newer is not job and newer is not None and newer.status == PENDING:
            self._deliver(wake=True)

    async def _async_send(self, job: CopyJob, *, wake: bool) -> None:
        first = True

        async def command(name: str, data: dict[str, Any] | None = None) -> None:
            nonlocal first
            # Woken for the first command at most: the rest only while awake.
            await self._commands.async_command(
                name, data, background=not (wake and first)
            )
            first = False

        read: set[str] = set()
        while True:
            if self.job is not job:
                return  # a newer copy replaced it
            try:
                writes = copy_writes(job.values, self._link.data.settings)
                break
            except SettingUnknownError as err:
                # An object it has not reported (its other leaves unknown): read
                # it, never write it from a guess; still unknown after: failed.
                if (name := read_of(err.command)) in read:
                    raise
                read.add(name)
                await command(name)
        for name, data in writes.items():
            if self.job is not job:
                return
            if name in job.written:
                continue
            await command(name, data)
            job.written.append(name)
            self._changed()
        self._end(job, DONE, None)

    def _end(self, job: CopyJob, status: str, reason: str | None) -> None:
        job.status, job.reason = status, reason
        _LOGGER.info(
            "%s: settings copy from %s %s%s",
            self._link.mac,
            job.source,
            status,
            f" ({reason})" if reason else "",
        )

    def _changed(self) -> None:
        self._link.async_update_parts(Part.COPY)
        self._link.async_save_later()
