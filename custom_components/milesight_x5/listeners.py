"""Who hears of what changed in a camera's state, and of its live alarms and pictures.

The base of the coordinator: entities listen for the parts of the state they show
(:class:`~.state.Part`), so a heartbeat asks the heartbeat's ~20 entities and not
the camera's 60 others; event entities, device triggers and bus events listen for
each live alarm or snapshot.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from homeassistant.core import CALLBACK_TYPE, callback
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator

from .api import Alarm, Snapshot
from .dispatcher import MessageKind
from .state import EVERY_PART, Part, X5State

type EventListener = Callable[[Alarm | Snapshot], None]


class X5Listeners(DataUpdateCoordinator[X5State]):
    """A coordinator whose listeners hear only of the parts they show."""

    _part_listeners: dict[Part, list[CALLBACK_TYPE]]
    _event_listeners: dict[MessageKind, list[EventListener]]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """No listener yet."""
        super().__init__(*args, **kwargs)
        self._part_listeners = {}
        self._event_listeners = {}

    @callback
    def async_add_listener(
        self, update_callback: CALLBACK_TYPE, context: Any = None
    ) -> Callable[[], None]:
        """Listen for changes of the parts ``context`` names (a set of :class:`Part`;
        None: every part). Entities pass the parts they show."""
        remove = super().async_add_listener(update_callback, context)
        parts: frozenset[Part] = EVERY_PART if context is None else context
        for part in parts:
            self._part_listeners.setdefault(part, []).append(update_callback)

        @callback
        def _remove() -> None:
            remove()
            for part in parts:
                self._part_listeners[part].remove(update_callback)

        return _remove

    @callback
    def async_update_parts(self, *parts: Part) -> None:
        """Tell the listeners of ``parts`` (each listener once) that they changed."""
        if len(parts) == 1:
            listeners: Any = self._part_listeners.get(parts[0], ())
        else:
            listeners = dict.fromkeys(
                listener
                for part in parts
                for listener in self._part_listeners.get(part, ())
            )
        for update_callback in list(listeners):
            update_callback()

    @callback
    def async_add_event_listener(
        self, kind: MessageKind, listener: EventListener
    ) -> CALLBACK_TYPE:
        """Call ``listener`` for every live alarm or snapshot (never a replayed one)."""
        listeners = self._event_listeners.setdefault(kind, [])
        listeners.append(listener)

        @callback
        def _remove() -> None:
            listeners.remove(listener)

        return _remove

    def _fire(self, kind: MessageKind, occurrence: Alarm | Snapshot) -> None:
        for listener in list(self._event_listeners.get(kind, ())):
            listener(occurrence)
