"""The suite fails when Home Assistant reports a deprecation about the integration."""

from __future__ import annotations

import logging

from homeassistant.core import HomeAssistant
from homeassistant.helpers import frame
from homeassistant.loader import async_get_integration
import pytest

from custom_components.milesight_x5.const import DOMAIN


async def test_a_reported_usage_is_caught(
    hass: HomeAssistant, deprecation_reports: list[str]
) -> None:
    """The frame helper's report about this integration lands in the list the
    autouse fixture asserts empty after every test."""
    await async_get_integration(hass, DOMAIN)  # what the frame helper looks up
    frame.report_usage(
        "does something old",
        breaks_in_ha_version="2099.1.0",
        integration_domain=DOMAIN,
    )
    assert len(deprecation_reports) == 1
    assert "will stop working in Home Assistant 2099.1.0" in deprecation_reports[0]
    deprecation_reports.clear()


@pytest.mark.parametrize(
    ("logger", "message", "caught"),
    [
        (
            "homeassistant.helpers.deprecation",
            f"TrackerEntity was used from {DOMAIN}, this is a deprecated alias",
            True,
        ),
        ("homeassistant.config_entries", "Error unloading entry Camera for x", True),
        ("homeassistant.helpers.deprecation", "other_domain is deprecated", False),
        (f"custom_components.{DOMAIN}", "Camera went silent", False),
    ],
)
def test_what_counts_as_a_report(
    deprecation_reports: list[str], logger: str, message: str, caught: bool
) -> None:
    """Deprecated aliases and constants, and unload errors, are caught; another
    integration's deprecation and the integration's own warnings are not."""
    logging.getLogger(logger).warning(message)
    assert deprecation_reports == ([message] if caught else [])
    deprecation_reports.clear()
