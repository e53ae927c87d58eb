"""Uplinks that never lose data: heartbeats merge, only whole pictures count,
and our own request is never taken for the camera's answer."""

from __future__ import annotations

import base64
import copy
import json
from typing import Any

import pytest

from custom_components.milesight_x5.api import (
    InvalidPayloadError,
    decode_image,
    merge_heartbeat,
    parse_configure_response,
    parse_snapshot,
    picture_error,
)
from simulator.device import make_image
from tests.helpers import load_fixture_json

MAC = "1CC3164126A2"
JPEG, _ = make_image(7, "test")


def _guide() -> dict[str, Any]:
    message: dict[str, Any] = load_fixture_json("heartbeat.json")
    return message


@pytest.mark.parametrize(
    "partial",
    [
        {"values": {"devMac": MAC}},
        {"devMac": MAC},
        {"values": {"devMac": MAC, "battery": None, "sensor": None, "cellular": None}},
        {
            "values": {
                "devMac": MAC,
                "battery": "dead",
                "sensor": {"LAF": "loud", "temperature": ""},
                "cellular": {"ipAddr": None, "dataMonthly": [1]},
                "gps": 7,
            },
            "storage": "full",
        },
    ],
    ids=["only_devMac", "flat_only_devMac", "null_sections", "garbage"],
)
def test_partial_heartbeat_keeps_known_values(partial: dict[str, Any]) -> None:
    """What a heartbeat lacks, or carries broken, keeps its last value."""
    merged, first, _ = merge_heartbeat(None, _guide())
    merged, heartbeat, dropped = merge_heartbeat(merged, partial)
    assert heartbeat.battery == first.battery
    assert heartbeat.sensor == first.sensor
    assert heartbeat.cellular == first.cellular
    assert heartbeat.gps == first.gps
    assert heartbeat.storage_used == 6.5
    if "garbage" in json.dumps(partial) or "dead" in json.dumps(partial):
        assert "values.battery" in dropped
        assert "values.sensor.LAF" in dropped


def test_heartbeat_updates_exactly_the_fields_it_carries() -> None:
    """New values replace old ones field by field; the rest stays."""
    merged, _, _ = merge_heartbeat(None, _guide())
    merged, heartbeat, _ = merge_heartbeat(
        merged,
        {"ts": 1689238100000, "values": {"devMac": MAC, "battery": {"soc": 55}}},
    )
    assert heartbeat.battery is not None
    assert heartbeat.battery.soc == 55
    assert heartbeat.battery.voltage == 4052  # kept
    assert heartbeat.sensor is not None and heartbeat.sensor.laf == 61
    assert heartbeat.timestamp is not None and heartbeat.timestamp.year == 2023
    # The merged message parses to the same state (what a restart restores).
    assert merge_heartbeat(None, merged)[1] == heartbeat


def test_heartbeat_without_mac_is_still_rejected() -> None:
    """No MAC, no camera: the one reason to refuse a whole message; what was
    merged before stays as it was."""
    with pytest.raises(InvalidPayloadError):
        merge_heartbeat(None, {"values": {"battery": {"soc": 5}}})
    merged, _, _ = merge_heartbeat(None, _guide())
    before = copy.deepcopy(merged)
    with pytest.raises(InvalidPayloadError):
        merge_heartbeat(merged, {"values": {"battery": {"soc": 5}}})
    assert merged == before


def test_a_merge_that_fails_leaves_the_merged_message_as_it_was() -> None:
    """Whatever raises while merging (here: the stored MAC is unusable and the new
    message names it only at the top level), nothing of the new message stays."""
    merged: dict[str, Any] = {"values": {"devMac": "not a mac", "battery": {"soc": 5}}}
    before = copy.deepcopy(merged)
    with pytest.raises(InvalidPayloadError):
        merge_heartbeat(merged, {"devMac": MAC, "values": {"battery": {"soc": 7}}})
    assert merged == before


def test_broken_fields_never_reach_the_merged_message() -> None:
    """A broken field leaves the stored (merged) message as it was at that place,
    while the usable fields of the same heartbeat land."""
    merged, _, _ = merge_heartbeat(None, _guide())
    battery = copy.deepcopy(merged["values"]["battery"])
    merged, heartbeat, dropped = merge_heartbeat(
        merged,
        {
            "values": {
                "devMac": MAC,
                "battery": {"soc": "empty", "voltage": 3999},
                "sensor": "broken",
            }
        },
    )
    assert sorted(dropped) == ["values.battery.soc", "values.sensor"]
    assert merged["values"]["battery"] == {**battery, "voltage": 3999}
    assert merged["values"]["sensor"] == _guide()["values"]["sensor"]
    assert heartbeat.battery is not None
    assert (heartbeat.battery.soc, heartbeat.battery.voltage) == (battery["soc"], 3999)
    assert heartbeat.invalid_fields == ()


def _snapshot(image: Any) -> dict[str, Any]:
    return {"values": {"devMac": MAC, "snapType": "Noise", "image": image}}


@pytest.mark.parametrize(
    ("image", "error"),
    [
        ("not a picture at all", "image is neither JPEG nor PNG"),
        (base64.b64encode(b"hello world, this is text").decode(), "neither JPEG"),
        (
            "data:image/jpeg;base64,"
            + base64.b64encode(JPEG[: len(JPEG) // 2]).decode(),
            "image is a truncated JPEG",
        ),
        (
            "data:image/jpeg;base64," + base64.b64encode(JPEG).decode()[:-40],
            "truncated JPEG",
        ),
    ],
    ids=["text", "base64_text", "half_jpeg", "cut_base64"],
)
def test_a_bad_picture_is_not_a_picture(image: str, error: str) -> None:
    """Not a data URI of a whole picture: no image, and the reason."""
    snapshot = parse_snapshot(_snapshot(image))
    assert snapshot.image is None
    assert snapshot.image_error is not None
    assert error in snapshot.image_error
    assert snapshot.trigger.value == "noise"  # the metadata stays


def test_whole_pictures_pass() -> None:
    """A whole JPEG (also padded with zero bytes) is a picture."""
    uri = "data:image/jpeg;base64," + base64.b64encode(JPEG + b"\x00\x00").decode()
    image, mime, error = decode_image(uri)
    assert (mime, error) == ("image/jpeg", None)
    assert image == JPEG + b"\x00\x00"
    assert picture_error(JPEG) is None
    assert picture_error(JPEG, max_image_bytes=10) == "image larger than 10 bytes"


@pytest.mark.parametrize(
    "message",
    [
        {"api": "get.image.info", "devMac": MAC},
        {"api": "set.image.info", "devMac": MAC, "data": {"brightness": 60}},
        {"api": "cmd.reboot", "devMac": MAC},
    ],
    ids=["get", "set", "cmd"],
)
def test_our_own_request_is_not_an_answer(message: dict[str, Any]) -> None:
    """With request topic = response topic, HA would hear its requests: refused."""
    with pytest.raises(InvalidPayloadError, match="request, not an answer"):
        parse_configure_response(message)


@pytest.mark.parametrize(
    "message",
    [
        {"devName": "X5", "api": "cmd.reboot", "devMac": MAC},
        {"api": "get.image.info", "devMac": MAC, "data": {"brightness": 60}},
        {"api": "set.image.info", "devMac": MAC, "data": {"code": 0, "result": "OK"}},
    ],
    ids=["devName", "get_data", "set_result"],
)
def test_answers_are_answers(message: dict[str, Any]) -> None:
    """An answer carries devName, or data a request never carries."""
    assert parse_configure_response(message).api == message["api"]
