"""Tolerant parsing of every uplink and the configure response (NOTES.md cases)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
import json
from typing import Any

import pytest

from custom_components.milesight_x5.api import (
    AlarmType,
    InvalidPayloadError,
    TriggerType,
    classify_alarm,
    classify_trigger,
    decode_json,
    parse_alarm,
    parse_configure_response,
    parse_heartbeat,
    parse_snapshot,
    peek_mac,
)
from tests.helpers import load_fixture_json, load_fixture_text


def _heartbeat(**values: Any) -> dict[str, Any]:
    return {"ts": 1689238041244, "values": {"devMac": "1CC3164126A2", **values}}


# --- the guide's samples ---------------------------------------------------------


def test_guide_heartbeat() -> None:
    """The guide's heartbeat (comma fixed): every field, typed, nothing invalid."""
    hb = parse_heartbeat(load_fixture_text("heartbeat.json"))
    assert hb.mac == "1CC3164126A2"
    assert hb.device_name == "X5 Sensing Camera"
    assert hb.timestamp == datetime(2023, 7, 13, 8, 47, 21, 244000, tzinfo=UTC)
    assert hb.battery is not None
    assert (hb.battery.soc, hb.battery.capacity, hb.battery.voltage) == (91, 5682, 4052)
    assert (hb.battery.healthy, hb.battery.charge_current) == (100, 0)
    assert (hb.battery.charge_voltage, hb.battery.power_good) == (10560, 0)
    assert hb.battery.charging is False
    assert hb.gps is not None
    assert (hb.gps.latitude, hb.gps.longitude, hb.gps.altitude) == (
        24.62493,
        118.03077,
        59.8,
    )
    assert hb.gps.has_fix
    assert hb.cellular is not None
    assert hb.cellular.connect_status == "4G Connected"
    assert hb.cellular.sim_status == "Valid"
    assert hb.cellular.signal_strength is None  # 0 means unknown
    assert hb.cellular.imei == "868444050582056"
    assert hb.cellular.imsi == "460115211076172"
    assert hb.cellular.iccid == "89860322245922526572"
    assert hb.cellular.ip_address == "10.33.177.77"
    assert hb.cellular.subnet_mask == "255.255.255.252"
    assert hb.cellular.gateway == "10.33.177.78"
    assert hb.cellular.dns == "114.114.114.114"
    assert hb.cellular.data_monthly == 6107722  # bytes
    assert hb.sensor is not None
    assert (hb.sensor.laf, hb.sensor.temperature) == (61, 32.0)
    assert hb.storage_used == 6.5  # top-level "6.5%"
    assert hb.invalid_fields == ()
    assert hb.extra == {}


def test_guide_heartbeat_verbatim_is_not_json() -> None:
    """The guide's sample misses a comma: a typo of the guide, rejected with a reason."""
    with pytest.raises(InvalidPayloadError, match="not JSON"):
        parse_heartbeat(load_fixture_text("heartbeat_guide_verbatim.txt"))


def test_guide_snapshot_truncated_image_keeps_the_message() -> None:
    """The guide's snapshot has a cut image ('/9j/4AA...'): metadata kept, image dropped."""
    snap = parse_snapshot(load_fixture_text("snapshot_guide.json"))
    assert snap.mac == "5CC5638AE729"
    assert snap.snap_type == "Noise"
    assert snap.trigger is TriggerType.NOISE
    assert snap.trigger_value == 51
    assert snap.file == "debug_202304240745431198T"
    assert snap.capture_time == datetime(2023, 4, 24, 11, 45, 43, tzinfo=UTC)
    assert snap.timestamp == datetime(2023, 4, 24, 11, 46, 58, 966000, tzinfo=UTC)
    assert snap.declared_size == 20941
    assert snap.image is None
    assert snap.image_error == "image is not valid base64"
    assert snap.invalid_fields == ("values.image",)


def test_real_snapshot_decodes_the_jpeg() -> None:
    """A complete data URI: bytes decoded, mime from the URI, size as declared."""
    snap = parse_snapshot(load_fixture_text("snapshot.json").encode())
    assert snap.image is not None
    assert snap.image.startswith(b"\xff\xd8\xff")
    assert snap.mime_type == "image/jpeg"
    assert snap.declared_size == len(snap.image)
    assert not snap.size_mismatch
    assert snap.image_error is None


def test_guide_alarm() -> None:
    """'Low power' maps to low_power, the raw text kept."""
    alarm = parse_alarm(load_fixture_json("alarm.json"))
    assert alarm.mac == "5CC5638AE729"
    assert alarm.text == "Low power"
    assert alarm.alarm_type is AlarmType.LOW_POWER
    assert alarm.timestamp == datetime(2023, 4, 24, 11, 46, 58, 966000, tzinfo=UTC)


def test_guide_configure_responses() -> None:
    """get answers carry settings (unknown fields like showTimestamp kept); set answers a code."""
    get = parse_configure_response(load_fixture_text("get_image_info_response.json"))
    assert (get.mac, get.api) == ("24E124417141", "get.image.info")
    assert get.data["showTimestamp"] == 1
    assert get.code is None
    assert get.ok
    set_ = parse_configure_response(load_fixture_text("set_image_info_response.json"))
    assert (set_.code, set_.result, set_.ok) == (0, "OK", True)


# --- NOTES.md "tolerate" cases ---------------------------------------------------


def test_numbers_as_strings_and_strings_as_numbers() -> None:
    """soc as text, temperature as number, GPS as numbers: all read."""
    hb = parse_heartbeat(
        _heartbeat(
            battery={"soc": "88", "voltage": "4000.5"},
            sensor={"LAF": "55", "temperature": 21.5},
            gps={"latitude": 1.5, "longitude": -2.25, "altitude": 3},
            cellular={"signalStrength": "-85", "dataMonthly": "1024"},
        )
    )
    assert (
        hb.battery is not None and hb.battery.soc == 88 and hb.battery.voltage == 4000.5
    )
    assert hb.sensor is not None and (hb.sensor.laf, hb.sensor.temperature) == (
        55,
        21.5,
    )
    assert hb.gps is not None and (hb.gps.latitude, hb.gps.longitude) == (1.5, -2.25)
    assert hb.cellular is not None and hb.cellular.signal_strength == -85
    assert hb.cellular.data_monthly == 1024


def test_missing_and_null_fields() -> None:
    """Missing sections stay None; null values are simply absent, never invalid."""
    hb = parse_heartbeat(_heartbeat(battery={"soc": None}, gps=None))
    assert hb.battery is not None and hb.battery.soc is None
    assert hb.gps is None and hb.cellular is None and hb.sensor is None
    assert hb.storage_used is None
    assert hb.invalid_fields == ()


def test_one_bad_field_never_drops_the_message() -> None:
    """A bad field is dropped alone and named; its neighbours survive."""
    hb = parse_heartbeat(
        _heartbeat(
            battery={"soc": "lots", "voltage": 4000},
            sensor="broken",
            cellular={"signalStrength": [1], "imei": {"x": 1}, "ipAddr": "10.0.0.2"},
        )
    )
    assert hb.battery is not None
    assert hb.battery.soc is None and hb.battery.voltage == 4000
    assert hb.sensor is None
    assert hb.cellular is not None and hb.cellular.ip_address == "10.0.0.2"
    assert set(hb.invalid_fields) == {
        "values.battery.soc",
        "values.sensor",
        "values.cellular.signalStrength",
        "values.cellular.imei",
    }


def test_unknown_fields_are_kept() -> None:
    """Fields the guide does not list are kept in ``extra`` at each level."""
    message = _heartbeat(battery={"soc": 1, "cellTemp": 30}, firmware="V_31.1.0.3")
    message["debug"] = True
    hb = parse_heartbeat(message)
    assert hb.battery is not None and hb.battery.extra == {"cellTemp": 30}
    assert hb.extra == {"firmware": "V_31.1.0.3", "^debug": True}


@pytest.mark.parametrize(
    ("where", "value", "expected"),
    [
        ("values", "6.5%", 6.5),
        ("top", "6.5%", 6.5),
        ("values", 12, 12.0),
        ("top", "7", 7.0),
    ],
)
def test_storage_inside_or_outside_values(
    where: str, value: Any, expected: float
) -> None:
    """storage.storageCapacity is read in both places, with or without '%'."""
    message = _heartbeat()
    target = message["values"] if where == "values" else message
    target["storage"] = {"storageCapacity": value}
    assert parse_heartbeat(message).storage_used == expected


def test_time_in_seconds_and_ts_in_ms_either_way() -> None:
    """ts is ms and time is s per the guide; each is read right when swapped."""
    snap = parse_snapshot(
        {"ts": 1682336818, "values": {"devMac": "5CC5638AE729", "time": 1682336743000}}
    )
    assert snap.timestamp == datetime(2023, 4, 24, 11, 46, 58, tzinfo=UTC)
    assert snap.capture_time == datetime(2023, 4, 24, 11, 45, 43, tzinfo=UTC)
    bad = parse_snapshot(
        {"ts": "soon", "values": {"devMac": "5CC5638AE729", "time": -1}}
    )
    assert bad.timestamp is None and bad.capture_time is None
    assert set(bad.invalid_fields) == {"ts", "values.time"}


def test_signal_strength_zero_is_unknown_not_invalid() -> None:
    """0 dBm is the camera's 'unknown': no value, and not reported as invalid."""
    hb = parse_heartbeat(_heartbeat(cellular={"signalStrength": "0"}))
    assert hb.cellular is not None and hb.cellular.signal_strength is None
    assert hb.invalid_fields == ()


def test_gps_without_fix() -> None:
    """0,0 or missing coordinates are no fix."""
    for gps in (
        {"latitude": "0", "longitude": "0"},
        {"latitude": "12.5"},
        {"latitude": "95", "longitude": "1"},
    ):
        hb = parse_heartbeat(_heartbeat(gps=gps))
        assert hb.gps is not None and not hb.gps.has_fix


def test_charging_from_charge_status() -> None:
    """A non-zero chargeStat is charging; missing is unknown."""
    assert (
        parse_heartbeat(_heartbeat(battery={"chargeStat": 1})).battery.charging is True
    )  # type: ignore[union-attr]
    assert parse_heartbeat(_heartbeat(battery={})).battery.charging is None  # type: ignore[union-attr]


def test_flat_message_without_values() -> None:
    """A camera that sends the fields at the top level is still understood."""
    alarm = parse_alarm(
        {"devMac": "5c:c5:63:8a:e7:29", "alarm": "SD card full", "ts": 1}
    )
    assert alarm.mac == "5CC5638AE729"
    assert alarm.alarm_type is AlarmType.STORAGE


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        ({"values": {"alarm": "Low power"}}, "no devMac"),
        ({"values": {"devMac": "nope"}}, "'nope' is not a MAC address"),
        ({"values": {"devMac": 42}}, "42 is not a MAC address"),
    ],
)
def test_message_without_usable_mac_is_rejected(
    message: dict[str, Any], reason: str
) -> None:
    """No MAC, no camera to give it to: rejected with the reason."""
    with pytest.raises(InvalidPayloadError, match=reason):
        parse_alarm(message)


@pytest.mark.parametrize("payload", [b"\xff\xfe", "[1, 2]", "null", "", "{"])
def test_not_a_json_object(payload: Any) -> None:
    """Bytes that are not a JSON object are rejected with a reason."""
    with pytest.raises(InvalidPayloadError):
        decode_json(payload)


def test_oversized_snapshot_is_rejected() -> None:
    """Over the cap: the raw payload is refused before it is decoded."""
    image = base64.b64encode(b"\xff\xd8\xff" + bytes(100_000) + b"\xff\xd9").decode()
    payload = json.dumps(
        {
            "values": {
                "devMac": "5CC5638AE729",
                "image": f"data:image/jpeg;base64,{image}",
            }
        }
    )
    with pytest.raises(InvalidPayloadError, match="exceeds"):
        parse_snapshot(payload, max_image_bytes=1000)
    # Already decoded (a dict): the image size itself is checked.
    with pytest.raises(InvalidPayloadError, match="larger than 1000"):
        parse_snapshot(json.loads(payload), max_image_bytes=1000)
    assert parse_snapshot(payload, max_image_bytes=200_000).image is not None


@pytest.mark.parametrize(
    ("image", "error"),
    [
        ("data:image/jpeg;base64,@@@@", "image is not valid base64"),
        ("data:image/jpeg,abcd", "image is not a base64 data URI"),
        ("data:image/jpeg;base64", "image is not a base64 data URI"),
        ("data:image/jpeg;base64,", "image is empty"),
        (12, "image is not text"),
    ],
)
def test_bad_images_keep_the_metadata(image: Any, error: str) -> None:
    """A bad image is dropped with the reason; the rest of the snapshot stays."""
    snap = parse_snapshot(
        {"values": {"devMac": "5CC5638AE729", "snapType": "PIR", "image": image}}
    )
    assert snap.image is None
    assert snap.image_error == error
    assert snap.trigger is TriggerType.PIR


def test_bare_base64_and_missing_padding() -> None:
    """No data-URI prefix and no padding: decoded, mime sniffed from the bytes."""
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 7 + b"\x00\x00\x00\x00IEND\xaeB`\x82"
    text = base64.b64encode(png).decode().rstrip("=")
    snap = parse_snapshot(
        {"values": {"devMac": "5CC5638AE729", "image": text, "imageSize": 1}}
    )
    assert snap.image == png
    assert snap.mime_type == "image/png"
    assert snap.size_mismatch


def test_trigger_value_text_is_kept() -> None:
    """A trigger value that is not a number stays as text."""
    snap = parse_snapshot(
        {"values": {"devMac": "5CC5638AE729", "triggerValue": "high"}}
    )
    assert snap.trigger_value == "high"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Noise", TriggerType.NOISE),
        ("Temperature", TriggerType.TEMPERATURE),
        ("PIR", TriggerType.PIR),
        ("Radar", TriggerType.RADAR),
        ("Timed Capture", TriggerType.TIMED),
        ("DI", TriggerType.DIGITAL_INPUT),
        ("Digital Input", TriggerType.DIGITAL_INPUT),
        ("Manual", TriggerType.MANUAL),
        ("Debug", TriggerType.DEBUG),
        # The X5 family's other spellings, case and spacing as they come.
        ("Alarm in", TriggerType.DIGITAL_INPUT),
        ("ALARM_IN", TriggerType.DIGITAL_INPUT),
        ("alarm  in", TriggerType.DIGITAL_INPUT),
        ("AlarmIn", TriggerType.DIGITAL_INPUT),
        ("Button", TriggerType.MANUAL),
        ("Timer", TriggerType.TIMED),
        ("Scheduled", TriggerType.TIMED),
        ("Unknown", TriggerType.OTHER),
        ("Cosmic ray", TriggerType.OTHER),
        (None, TriggerType.OTHER),
    ],
)
def test_classify_trigger(text: str | None, expected: TriggerType) -> None:
    """snapType texts map to stable trigger types; unknown ones to other."""
    assert classify_trigger(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Low power", AlarmType.LOW_POWER),
        ("LOW_BATTERY", AlarmType.LOW_POWER),
        ("SD card error", AlarmType.STORAGE),
        ("High temperature", AlarmType.TEMPERATURE),
        ("Noise over threshold", AlarmType.NOISE),
        ("Lens covered", AlarmType.OTHER),
        ("", AlarmType.OTHER),
    ],
)
def test_classify_alarm(text: str, expected: AlarmType) -> None:
    """Alarm free text maps to stable types; unknown text is other."""
    assert classify_alarm(text) is expected


def test_unknown_alarm_keeps_raw_text() -> None:
    """An unknown alarm is 'other' with the camera's words kept."""
    alarm = parse_alarm({"values": {"devMac": "5CC5638AE729", "alarm": "Lens covered"}})
    assert (alarm.alarm_type, alarm.text) == (AlarmType.OTHER, "Lens covered")


def test_configure_response_failure_and_rejects() -> None:
    """code != 0 is not ok; a response without api or MAC is rejected."""
    failed = parse_configure_response(
        {
            "devMac": "24E124417141",
            "api": "set.image.info",
            "data": {"code": "3", "result": "Bad"},
        }
    )
    assert (failed.ok, failed.code, failed.result) == (False, 3, "Bad")
    odd = parse_configure_response(
        {"devName": "X5", "devMac": "24E124417141", "api": " cmd.reboot ", "data": 7}
    )
    assert (odd.api, odd.data, odd.ok) == ("cmd.reboot", {}, True)
    with pytest.raises(InvalidPayloadError, match="no api"):
        parse_configure_response({"devMac": "24E124417141"})
    with pytest.raises(InvalidPayloadError, match="no devMac"):
        parse_configure_response({"api": "get.sys.info"})


def test_peek_mac() -> None:
    """Routing reads the MAC from values or the top level, or gives None."""
    assert peek_mac({"values": {"devMac": "5cc5638ae729"}}) == "5CC5638AE729"
    assert peek_mac({"devMac": "5C-C5-63-8A-E7-29"}) == "5CC5638AE729"
    assert peek_mac({"values": {"devMac": "x"}}) is None
    assert peek_mac({}) is None


@pytest.mark.parametrize("battery", [84, "84", 84.0])
def test_plain_number_battery_is_the_state_of_charge(battery: object) -> None:
    """``"battery": 84`` (what the vendor's platform reads) is the state of charge,
    nested or flat; nothing is dropped as invalid."""
    for message in (
        {"values": {"devMac": "5CC5638AE729", "battery": battery}},
        {"devMac": "5CC5638AE729", "battery": battery},
    ):
        heartbeat = parse_heartbeat(message)
        assert heartbeat.battery is not None
        assert heartbeat.battery.soc == 84
        assert heartbeat.invalid_fields == ()


def test_plain_number_battery_merges_into_the_known_section() -> None:
    """A plain percentage updates the charge and keeps the rest of the battery."""
    from custom_components.milesight_x5.api import merge_heartbeat

    first = {
        "values": {"devMac": "5CC5638AE729", "battery": {"soc": 90, "voltage": 4100}}
    }
    merged, heartbeat, dropped = merge_heartbeat(None, first)
    merged, heartbeat, dropped = merge_heartbeat(
        merged, {"values": {"devMac": "5CC5638AE729", "battery": 80}}
    )
    assert (heartbeat.battery.soc, heartbeat.battery.voltage) == (80, 4100)
    assert dropped == ()
