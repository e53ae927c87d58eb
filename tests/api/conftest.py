"""The protocol layer is plain Python: no Home Assistant instance for these tests."""

import pytest


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override the package-wide fixture: these tests need no hass."""
