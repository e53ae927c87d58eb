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
