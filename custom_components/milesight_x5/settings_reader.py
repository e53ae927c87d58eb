"""Reading the settings the entities show, within the camera's traffic budget.

Settings change only through Home Assistant, the camera's web page or its app, so
reading them on every wake is waste (a camera wakes on every PIR or noise trigger).
They are read:

- at first contact (nothing read yet), right after a heartbeat;
- then once per settings interval (Options, hours; 24 by default), right after a
  heartbeat, only what is older than that: never a wake for it, and what a read
  stopped at (the camera slept) is read after the next heartbeat;
- on demand (the *Refresh settings* button, which wakes the camera);
- ``upgrade.check`` (the camera calls the vendor's server over cellular) at most
  daily, counted when asked, answered or not;
- ``get.mip.info`` (whether the vendor's cloud may take the reports away) with the
  settings, last (firmware before 3x.1.0.3-r1 lacks it: not asked; one that does
  not answer is asked again only after the settings interval);
- during a firmware install, ``get.login.info`` after each heartbeat until the new
  version shows (or the install is given up);
- in Low Power mode only ``get.capture.info``, daily (to notice Full Function).

Background reads queue behind every user command.
"""

from __future__ import annotations

from datetime import datetime, timedelta
import logging

from homeassistant.util import dt as dt_util

from .api import X5Error
from .api.coerce import as_str
from .api.field import MIP_READ, has_mip
from .commands import X5Commands
from .const import (
    CONF_SETTINGS_INTERVAL,
    DEFAULT_SETTINGS_INTERVAL,
    DOMAIN,
    INSTALL_TIMEOUT,
    LOW_POWER_RECHECK_INTERVAL,
    SETTINGS_COMMANDS,
    UPGRADE_CHECK_INTERVAL,
)
from .link import CameraLink
from .state import Part

_LOGGER = logging.getLogger(__name__)


class SettingsReader:
    """When one camera's settings are read."""

    def __init__(self, link: CameraLink, commands: X5Commands) -> None:
        """Read ``link``'s settings through ``commands``."""
        self._link = link
        self._commands = commands
        self._upgrade_asked: datetime | None = None
        self._mip_asked: datetime | None = None
        self._reading = False

    @property
    def interval(self) -> timedelta:
        """How old the settings may get before they are read again."""
        hours = self._link.config_entry.options.get(
            CONF_SETTINGS_INTERVAL, DEFAULT_SETTINGS_INTERVAL
        )
        return timedelta(hours=float(hours))

    def due(self) -> list[str]:
        """What to read after this heartbeat (often nothing)."""
        state = self._link.data
        now = dt_util.utcnow()
        if state.low_power:
            stale = state.fresh("get.capture.info", LOW_POWER_RECHECK_INTERVAL) is None
            return ["get.capture.info"] if stale else []
        names = [
            name
            for name in SETTINGS_COMMANDS
            if state.fresh(name, self.interval) is None
        ]
        if state.install_version is not None:
            if state.install_since and now - state.install_since > INSTALL_TIMEOUT:
                _LOGGER.warning(
                    "%s did not report firmware %s within %s; the install is given up",
                    self._link.mac,
                    state.install_version,
                    INSTALL_TIMEOUT,
                )
                state.install_version = state.install_since = None
                self._link.async_update_parts(Part.SETTINGS)
            elif "get.login.info" not in names:
                names.append("get.login.info")
        if (
            state.install_version is None
            and state.fresh("upgrade.check", UPGRADE_CHECK_INTERVAL) is None
            and (
                self._upgrade_asked is None
                or now - self._upgrade_asked >= UPGRADE_CHECK_INTERVAL
            )
        ):
            names.append("upgrade.check")
        if (
            self._mip_wanted()
            and state.fresh(MIP_READ, self.interval) is None
            and (self._mip_asked is None or now - self._mip_asked >= self.interval)
        ):
            names.append(MIP_READ)
        return names

    def _mip_wanted(self) -> bool:
        return has_mip(as_str(self._link.data.setting("get.login.info", "software")))

    def on_heartbeat(self) -> None:
        """The camera woke (or posted its interval's heartbeat): read what is due."""
        if self._reading or self._commands.reach.closed:
            return
        if not (names := self.due()):
            return
        self._reading = True
        self._link.config_entry.async_create_background_task(
            self._link.hass,
            self._async_read(names),
            f"{DOMAIN} settings {self._link.mac}",
        )

    async def async_refresh(self) -> None:
        """Read every setting now (the Refresh settings button; wakes the camera)."""
        self._upgrade_asked = dt_util.utcnow()
        for name in (*SETTINGS_COMMANDS, "upgrade.check"):
            await self._commands.async_command(name)
        if self._mip_wanted():
            self._mip_asked = dt_util.utcnow()
            try:
                await self._commands.async_command(MIP_READ)
            except X5Error as err:  # firmware without it: the rest was read
                _LOGGER.debug("%s: %s not read: %s", self._link.mac, MIP_READ, err)

    async def _async_read(self, names: list[str]) -> None:
        """Read in order; stop at the first failure (the camera slept). What a
        user's command brought meanwhile (the firmware check pressed for this
        wake) is not asked again."""
        started = dt_util.utcnow()
        try:
            for name in names:
                answered_at = self._link.data.settings_at.get(name)
                if answered_at is not None and answered_at >= started:
                    continue
                if name == MIP_READ and not self._mip_wanted():
                    continue  # the firmware just read lacks it
                if name == "upgrade.check":  # counted when asked, answered or not
                    self._upgrade_asked = dt_util.utcnow()
                elif name == MIP_READ:
                    self._mip_asked = dt_util.utcnow()
                try:
                    await self._commands.async_command(name, background=True)
                except X5Error as err:
                    _LOGGER.debug(
                        "Reading the settings of %s stopped at %s: %s",
                        self._link.mac,
                        name,
                        err,
                    )
                    return
        finally:
            self._reading = False
