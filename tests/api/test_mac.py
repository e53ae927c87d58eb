"""MAC normalisation: what users type becomes what the camera sends."""

import pytest

from custom_components.milesight_x5.api import (
    InvalidMacError,
    format_mac,
    normalize_mac,
)


@pytest.mark.parametrize(
    "raw",
    [
        "1CC3164126A2",
        "1cc3164126a2",
        "1C:C3:16:41:26:A2",
        "1c-c3-16-41-26-a2",
        " 1C:C3:16:41:26:A2 ",
        "1cc3.1641.26a2",
    ],
)
def test_normalize_accepts_common_forms(raw: str) -> None:
    """Colons, dashes, dots and lower case all give 12 upper-case hex digits."""
    assert normalize_mac(raw) == "1CC3164126A2"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "1CC3164126A",
        "1CC3164126A2F",
        "1C:C3-16:41:26:A2",
        "GGC3164126A2",
        "1C:C3:16:41:26",
    ],
)
def test_normalize_rejects_with_clear_error(raw: str) -> None:
    """Anything that is not a MAC is refused, and the message says what is expected."""
    with pytest.raises(InvalidMacError, match="expected 12 hex digits"):
        normalize_mac(raw)


def test_normalize_rejects_non_text() -> None:
    """A number (a JSON payload may carry one) is not a MAC."""
    with pytest.raises(InvalidMacError, match="must be text"):
        normalize_mac(123456789012)


def test_invalid_mac_is_a_value_error() -> None:
    """Callers that only know ValueError still catch it."""
    assert issubclass(InvalidMacError, ValueError)


def test_format_mac() -> None:
    """HA's connection format: lower case with colons."""
    assert format_mac("1CC3164126A2") == "1c:c3:16:41:26:a2"
