"""Repairs for the X5 family's field habits: reports the vendor's cloud takes away
(fixable: turn it off), a clock off by more than a day (fixable: set it from Home
Assistant's), and a camera that wakes for triggers but posts no picture (a hint).

Each issue is there exactly while its condition holds. The fixes write through the
command path, like any setting: the camera is reached (woken if it sleeps) and
each write is confirmed by its answer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from homeassistant.components.repairs import RepairsFlow
from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.core import HomeAssistant, callback
from homeassistant.data_entry_flow import FlowResult
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from .api import X5Error
from .api.coerce import as_int
from .api.field import (
    MIP_READ,
    PLATFORM,
    TAKEOVER,
    TIME_READ,
    diverted,
    manual_time,
    takeover_off,
    time_zone,
    wall_clock_error,
)
from .const import CLOCK_AGREES, CLOCK_TOLERANCE, CONF_MAC, DOMAIN
from .issues import async_issue_while

if TYPE_CHECKING:
    from .commands import X5Commands
    from .state import X5State

DIVERTED = "reports_diverted"
CLOCK = "clock_off"
NO_PICTURES = "no_pictures"
FIELD_ISSUES = (DIVERTED, CLOCK, NO_PICTURES)
# Wakes of its own (a trigger's, sooner than its heartbeat interval) without any
# picture after which the camera is pointed out.
WAKES_WITHOUT_PICTURE = 3
# A wake sooner than this share of the heartbeat interval is a trigger's.
TRIGGER_WAKE_SHARE = 0.5
# Wakes without a picture count within a day of the first.
COUNT_WITHIN = timedelta(days=1)


def _issue_id(kind: str, entry: ConfigEntry) -> str:
    return f"{kind}_{entry.data[CONF_MAC]}"


@callback
def async_check_clock(
    hass: HomeAssistant, entry: ConfigEntry, offset: float | None
) -> None:
    """A fixable issue while the camera's clock is off by more than a day."""
    off = offset is not None and abs(offset) > CLOCK_TOLERANCE.total_seconds()
    async_issue_while(
        hass,
        _issue_id(CLOCK, entry),
        off,
        translation_key=CLOCK,
        is_fixable=True,
        translation_placeholders={
            "name": entry.title,
            "days": f"{(offset or 0) / 86400:+.1f}",
        },
        data={"entry_id": entry.entry_id, "fix": CLOCK},
    )


class PictureWatch:
    """Counts the camera's own wakes for a trigger with no picture after them
    (within a day). At :data:`WAKES_WITHOUT_PICTURE` it raises an issue: fixable
    when the camera's settings show where the pictures may go (Milesight's device
    management, on by default, or its AIoT platform mode), a hint otherwise. The
    settings alone raise nothing: pictures may arrive all the same."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry) -> None:
        """Watch ``entry``'s camera (nothing counted after a restart)."""
        self._hass = hass
        self._entry = entry
        self.wakes = 0
        self._since: datetime | None = None  # the first wake counted

    @callback
    def on_heartbeat(
        self,
        state: X5State,
        previous: datetime | None,
        now: datetime,
        interval: timedelta,
        ours: bool,
    ) -> None:
        """A live heartbeat; ``previous`` the one before, ``ours`` whether Home
        Assistant woke or restarted it (no trigger, no picture expected)."""
        if ours or previous is None or now - previous >= interval * TRIGGER_WAKE_SHARE:
            return
        capture = state.settings.get("get.capture.info", {})
        if any(
            as_int(capture.get(key)) == 0 for key in ("postEnable", "snapshotEnable")
        ):
            return  # the user turned pictures off
        if self._since is None or now - self._since > COUNT_WITHIN:
            self.wakes, self._since = 0, now  # an old count says nothing now
        self.wakes += 1
        self.check(state)

    @callback
    def on_picture(self, state: X5State) -> None:
        """A picture came: the camera posts them."""
        self.wakes, self._since = 0, None
        self.check(state)

    @callback
    def check(self, state: X5State) -> None:
        """Raise or clear the issues (also when the settings were read)."""
        missing = self.wakes >= WAKES_WITHOUT_PICTURE
        reasons = diverted(state.settings)
        entry = self._entry
        async_issue_while(
            self._hass,
            _issue_id(DIVERTED, entry),
            missing and bool(reasons),
            translation_key=f"{DIVERTED}_{'_'.join(reasons)}",
            is_fixable=True,
            translation_placeholders={"name": entry.title, "wakes": str(self.wakes)},
            data={"entry_id": entry.entry_id, "fix": DIVERTED},
        )
        async_issue_while(
            self._hass,
            _issue_id(NO_PICTURES, entry),
            missing and not reasons,
            translation_key=NO_PICTURES,
            is_fixable=False,
            translation_placeholders={"name": entry.title, "wakes": str(self.wakes)},
        )


async def _async_turn_takeover_off(entry: ConfigEntry) -> str | None:
    """Turn the vendor's device management (and AIoT platform mode) off."""
    commands: X5Commands = entry.runtime_data.commands
    state: X5State = entry.runtime_data.data
    reasons = diverted(state.settings)
    if TAKEOVER in reasons:
        # The whole branch as last read, the two reports switched off.
        await commands.async_command(
            "set.mip.info", takeover_off(state.settings[MIP_READ])
        )
    if PLATFORM in reasons:
        await commands.async_command("set.capture.info", {"platformEnable": 0})
    entry.runtime_data.picture_watch.on_picture(state)  # count anew
    return None


async def _async_set_clock(entry: ConfigEntry) -> str | None:
    """Set the camera's clock from Home Assistant's (manual sync, zone kept),
    read back; an abort reason when it did not take."""
    commands: X5Commands = entry.runtime_data.commands
    state: X5State = entry.runtime_data.data
    offset = state.clock_offset or 0.0
    info = _answer(await commands.async_command(TIME_READ))
    now = dt_util.utcnow()
    zone = time_zone(info, now + timedelta(seconds=offset))
    value = None if zone is None else manual_time(info, zone, now)
    if zone is None or value is None:
        return "clock_unreadable"
    kept = {k: v for k, v in info.items() if k not in ("date", "time")}
    await commands.async_command(
        "set.time.info", {**kept, "syncMode": 1, "timeManual": value}
    )
    after = _answer(await commands.async_command(TIME_READ))
    error = wall_clock_error(after, zone, dt_util.utcnow())
    if error is None or abs(error) > CLOCK_AGREES:
        return "clock_not_set"
    state.clock_offset = error.total_seconds()
    return None


def _answer(answer: dict[str, Any] | bytes) -> dict[str, Any]:
    return answer if isinstance(answer, dict) else {}


_FIXES: dict[str, Callable[[ConfigEntry], Awaitable[str | None]]] = {
    DIVERTED: _async_turn_takeover_off,
    CLOCK: _async_set_clock,
}


class FieldFlow(RepairsFlow):
    """A confirm step, then the fix through the camera's command path."""

    def __init__(self, entry: ConfigEntry, kind: str) -> None:
        """Fix ``kind`` (a key of the fixes) of ``entry``'s camera."""
        self._entry = entry
        self._kind = kind

    async def async_step_init(
        self, user_input: dict[str, str] | None = None
    ) -> FlowResult:
        """A loaded camera only: its command path does the work."""
        if self._entry.state is not ConfigEntryState.LOADED:
            return self.async_abort(reason="camera_not_loaded")
        return await self.async_step_confirm()

    async def async_step_confirm(
        self, user_input: dict[str, str] | None = None
    ) -> FlowResult:
        """Say what will be written; write it when confirmed."""
        if user_input is None:
            issue = ir.async_get(self.hass).async_get_issue(
                DOMAIN, _issue_id(self._kind, self._entry)
            )
            placeholders = dict((issue and issue.translation_placeholders) or {})
            return self.async_show_form(
                step_id="confirm",
                description_placeholders={**placeholders, "name": self._entry.title},
            )
        try:
            reason = await _FIXES[self._kind](self._entry)
        except X5Error as err:
            return self.async_abort(
                reason="not_written", description_placeholders={"error": str(err)}
            )
        if reason is not None:
            return self.async_abort(reason=reason)
        ir.async_delete_issue(self.hass, DOMAIN, _issue_id(self._kind, self._entry))
        return self.async_create_entry(data={})


def field_fix_flow(entry: ConfigEntry, kind: str) -> RepairsFlow | None:
    """The fix flow of a field issue, or None for another issue."""
    return FieldFlow(entry, kind) if kind in _FIXES else None
