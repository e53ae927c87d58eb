"""Whether a camera is reachable: the watchdog of its silence.

A camera that sleeps is fine; one silent for longer than its timeout (twice its
heartbeat interval plus a grace, see the coordinator) counts as unreachable. The
timer is armed once, not moved by every message: when it fires it looks at when
the camera last spoke and arms itself again for the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
import logging

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util

from .state import X5State

_LOGGER = logging.getLogger(__name__)


class Watchdog:
    """Keeps ``state.reachable`` true while the camera spoke within ``timeout()``."""

    def __init__(
        self,
        hass: HomeAssistant,
        mac: str,
        state: X5State,
        timeout: Callable[[], timedelta],
        lost: Callable[[], None],
    ) -> None:
        """``lost`` is called when the silence makes the camera unreachable."""
        self._hass = hass
        self._mac = mac
        self._state = state
        self._timeout = timeout
        self._lost = lost
        self._unsub: CALLBACK_TYPE | None = None
        self._stopped = False

    def heard(self, now: datetime) -> bool:
        """The camera spoke at ``now``; return whether its reachability changed."""
        state = self._state
        state.last_seen = now
        if state.reachable is True:
            if self._unsub is None:
                self.schedule()
            return False
        if state.reachable is False:
            _LOGGER.info("Camera %s is reachable again", self._mac)
        self.schedule()
        return True

    def schedule(self, *, restored: bool = False) -> None:
        """Arm the timer for when the silence ends; mark the camera unreachable
        now when it is already over (``restored``: after a restart, logged)."""
        self._cancel()
        # A message handled across the unload (a snapshot's image being written)
        # must not arm a timer on an unloaded camera.
        if self._stopped or self._state.last_seen is None:
            return
        remaining = self._state.last_seen + self._timeout() - dt_util.utcnow()
        if remaining <= timedelta(0):
            if restored:
                self._report()
            self._state.reachable = False
            return
        self._state.reachable = True
        self._unsub = async_call_later(self._hass, remaining, self._expired)

    def stop(self) -> None:
        """No timer any more (the camera is unloaded)."""
        self._stopped = True
        self._cancel()

    def _cancel(self) -> None:
        if self._unsub is not None:
            self._unsub()
            self._unsub = None

    def _report(self) -> None:
        _LOGGER.info(
            "Camera %s silent for more than %s: marked unreachable",
            self._mac,
            self._timeout(),
        )

    @callback
    def _expired(self, _now: datetime) -> None:
        self._unsub = None
        self.schedule()  # armed again if the camera spoke meanwhile
        if self._state.reachable is False:
            self._report()
            self._lost()
