"""Property tests: parsing is total; the only error is our own InvalidPayloadError."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings, strategies as st

from custom_components.milesight_x5.api import (
    InvalidPayloadError,
    parse_alarm,
    parse_configure_response,
    parse_heartbeat,
    parse_snapshot,
)

PARSERS = (parse_heartbeat, parse_snapshot, parse_alarm, parse_configure_response)

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)
# The guide's field names, each given a value of a random type.
GUIDE_FIELDS = [
    "devName", "devMac", "snapType", "triggerValue", "file", "time", "imageSize", "image",
    "alarm", "battery", "gps", "cellular", "sensor", "storage", "api", "data", "code",
    "soc", "capacity", "voltage", "healthy", "chargeCurrent", "chargeStat", "chargeVoltage",
    "powerGoodStat", "latitude", "longitude", "altitude", "connectStatus", "simStatus",
    "signalStrength", "imei", "imsi", "iccid", "ipAddr", "subMask", "gateway", "dns",
    "dataMonthly", "LAF", "temperature", "storageCapacity",
]  # fmt: skip
macs = st.sampled_from(["5CC5638AE729", "5c:c5:63:8a:e7:29", "bad", ""]) | json_values
guide_objects = st.fixed_dictionaries(
    {"devMac": macs},
    optional={name: json_values for name in GUIDE_FIELDS if name != "devMac"}
    | {
        "battery": st.dictionaries(st.sampled_from(GUIDE_FIELDS), json_values),
        "cellular": st.dictionaries(st.sampled_from(GUIDE_FIELDS), json_values),
        "sensor": st.dictionaries(st.sampled_from(GUIDE_FIELDS), json_values),
        "storage": st.dictionaries(st.sampled_from(GUIDE_FIELDS), json_values),
    },
)
messages = (
    st.fixed_dictionaries(
        {}, optional={"ts": json_values, "values": guide_objects | json_values}
    )
    | guide_objects
)


def _parse_all(payload: Any) -> None:
    for parse in PARSERS:
        try:
            parse(payload)
        except InvalidPayloadError:
            pass


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values)
def test_arbitrary_json_only_raises_our_error(value: Any) -> None:
    """Any JSON document, as text or bytes: a model or InvalidPayloadError, nothing else."""
    text = json.dumps(value)
    _parse_all(text)
    _parse_all(text.encode())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messages)
def test_guide_fields_with_random_types(message: dict[str, Any]) -> None:
    """The guide's field names with random types: total, and a valid MAC always parses."""
    _parse_all(message)
    values = message.get("values")
    mac_holder = values if isinstance(values, dict) else message
    if mac_holder.get("devMac") == "5CC5638AE729" and (
        isinstance(values, dict) or "values" not in message
    ):
        assert parse_heartbeat(message).mac == "5CC5638AE729"
        assert parse_alarm(message).mac == "5CC5638AE729"


@settings(deadline=None)
@given(st.binary(max_size=200))
def test_arbitrary_bytes(payload: bytes) -> None:
    """Random bytes: never anything but our error."""
    _parse_all(payload)
