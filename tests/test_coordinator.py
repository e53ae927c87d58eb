"""The heartbeat interval the watchdog expects (NOTES.md units)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from custom_components.milesight_x5.state import expected_heartbeat_interval


@pytest.mark.parametrize(
    ("capture_info", "expected"),
    [
        (None, timedelta(hours=24)),
        ({}, timedelta(hours=24)),
        ({"heartInterval": 6}, timedelta(hours=6)),
        ({"heartInterval": "12"}, timedelta(hours=12)),
        (
            {"heartTestMode": 1, "heartTestInterval": 15, "heartInterval": 6},
            timedelta(minutes=15),
        ),
        (
            {"heartTestMode": 1, "heartTestInterval": 0, "heartInterval": 6},
            timedelta(hours=6),
        ),
        (
            {"workMode": 1, "heartLpowerInterval": 48, "heartInterval": 6},
            timedelta(hours=48),
        ),
        ({"heartInterval": 0}, timedelta(hours=24)),
        ({"heartInterval": "soon"}, timedelta(hours=24)),
    ],
)
def test_expected_heartbeat_interval(
    capture_info: dict[str, object] | None, expected: timedelta
) -> None:
    """Minutes in test mode, hours otherwise, low-power hours in work mode 1."""
    assert expected_heartbeat_interval(capture_info) == expected
