"""The demo runs its own Home Assistant: no test instance here."""

import pytest


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override the package-wide fixture: these tests need no hass."""
