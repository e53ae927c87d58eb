"""A pytest plugin for trying the suite on a Home Assistant newer than the newest
test harness (``-p tests.ha_compat``, loaded before the harness).

pytest-homeassistant-custom-component 0.13.375 (built for 2026.10.4) imports
``_clear_logger_overwrites`` from ``homeassistant.components.logger``; Home
Assistant 2026.11 keeps it in ``logger.helpers`` only. Put back where the harness
looks, the suite runs on 2026.11 (a best effort: CI stays on the version a harness
was built for). On a Home Assistant that has it, nothing changes.
"""

from __future__ import annotations

from homeassistant.components import logger

if not hasattr(logger, "_clear_logger_overwrites"):
    from homeassistant.components.logger import helpers

    logger._clear_logger_overwrites = helpers._clear_logger_overwrites  # type: ignore[attr-defined]

# Home Assistant 2026.11 keeps restored states by entity id or registry id
# (``last_states_by_entity_id``); the harness's restore-cache mocks still fill
# ``last_states``. Copied over (before the tests import the mocks), restored
# entities see what the test stored.
from collections.abc import Callable, Sequence
from typing import Any

import pytest


def pytest_configure(config: pytest.Config) -> None:
    """Wrap the harness's restore-cache mocks (the harness is loaded by now)."""
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers import restore_state
    from pytest_homeassistant_custom_component import common

    def by_entity_id(
        mock: Callable[[HomeAssistant, Sequence[Any]], None],
    ) -> Callable[[HomeAssistant, Sequence[Any]], None]:
        def wrapper(hass: HomeAssistant, states: Sequence[Any]) -> None:
            mock(hass, states)
            data = hass.data[restore_state.DATA_RESTORE_STATE]
            if not hasattr(data, "last_states_by_entity_id"):
                return
            stored = dict(getattr(data, "last_states", {}))
            by_registry = data.async_get_stored_state
            # An entity with a registry entry is looked up by its registry id,
            # which the mock cannot know: by entity id then.
            data.async_get_stored_state = lambda entity_id: (
                by_registry(entity_id) or stored.get(entity_id)
            )

        return wrapper

    for name in ("mock_restore_cache", "mock_restore_cache_with_extra_data"):
        setattr(common, name, by_entity_id(getattr(common, name)))
