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

from .api import X5Error
from .api.copy import copy_writes
from .commands import X5Commands
from .const import DOMAIN
from .copy_job import DONE, FAILED, PENDING, CopyJob
from .errors import error_key
from .link import CameraLink
from .state import Part

_LOGGER = logging.getLogger(__name__)


# Not now, at its next own wake: not woken (asleep, or wake by MQTT off), no
# answer (writes may go again), or out of reach. Anything else fails the copy,
# saying why (Low Power mode takes no remote configuration; a refusal).
_LATER = frozenset(
    {"camera_asleep", "wake_disabled", "command_timeout", "broker_unavailable",
     "cannot_connect"}
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
        return [name.replace("get.", "set.", 1) for name in values]

    def on_heartbeat(self) -> None:
        """The camera woke: deliver a pending copy, never waking it."""
        if (job := self.job) is not None and job.status == PENDING:
            self._deliver(wake=False)

    def _deliver(self, *, wake: bool) -> None:
        if self._running or self._commands.reach.closed:
            return
        self._running = True
        self._link.config_entry.async_create_background_task(
            self._link.hass,
            self._async_deliver(wake=wake),
            f"{DOMAIN} settings copy {self._link.mac}",
        )

    async def _async_deliver(self, *, wake: bool) -> None:
        job = self.job
        assert job is not None
        try:
            # The target's own branches first, where a copied object needs them.
            for name in job.values:
                if self._link.data.settings.get(name) is None:
                    await self._commands.async_command(name, background=not wake)
            writes = copy_writes(job.values, self._link.data.settings)
            for name, data in writes.items():
                if name in job.written:
                    continue
                await self._commands.async_command(name, data, background=not wake)
                job.written.append(name)
                self._changed()
        except X5Error as err:
            if (reason := error_key(err)) not in _LATER:
                self._end(job, FAILED, reason)
            else:
                _LOGGER.debug("%s: settings copy waits for its wake", self._link.mac)
        else:
            self._end(job, DONE, None)
        finally:
            self._running = False
            self._changed()

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
