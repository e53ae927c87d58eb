"""The command catalogue against the guide's own list."""

import json

import pytest

from custom_components.milesight_x5.api import (
    BY_MQTT_API,
    COMMANDS,
    HttpMethod,
    RequestKind,
    UnknownCommandError,
    build_mqtt_request,
    encode_mqtt_request,
    get_command,
)
from simulator.http import guide_commands
from tests.helpers import load_fixture_json

# The guide's commands as transcribed from its "Basic Information" blocks.
GUIDE = guide_commands()


def test_guide_lists_fifty_commands() -> None:
    """The transcription is complete: 50 HTTP calls, 48 of them with an MQTT twin."""
    assert len(GUIDE) == 50
    assert sum(1 for _, _, api in GUIDE if api) == 48


@pytest.mark.parametrize(("path", "method", "api"), [row for row in GUIDE if row[2]])
def test_every_mqtt_command_of_the_guide(path: str, method: str, api: str) -> None:
    """Each MQTT command of the guide is in the catalogue with its HTTP twin."""
    command = BY_MQTT_API[api]
    assert command.http_path == path
    assert command.http_method == HttpMethod(method)


@pytest.mark.parametrize(("path", "method"), [row[:2] for row in GUIDE if not row[2]])
def test_http_only_commands(path: str, method: str) -> None:
    """The two HTTP-only calls are there too, without an MQTT api."""
    matches = [c for c in COMMANDS if c.http_path == path and c.http_method == method]
    assert len(matches) == 1
    assert matches[0].mqtt_api is None
    assert not matches[0].over_mqtt


def test_catalogue_has_nothing_the_guide_lacks() -> None:
    """No invented command: the catalogue and the guide have the same size, names unique."""
    assert len(COMMANDS) == len(GUIDE)
    assert len({c.name for c in COMMANDS}) == len(COMMANDS)
    assert {(c.http_path, c.http_method.value) for c in COMMANDS} == {
        (p, m) for p, m, _ in GUIDE
    }


def test_request_kinds_follow_notes() -> None:
    """set.* POST JSON; get.* take nothing; storage.* use the query string; sdformat GET."""
    for command in COMMANDS:
        if command.name.startswith("set."):
            assert command.request is RequestKind.JSON
            assert command.http_method is HttpMethod.POST
        if command.is_read:
            assert not command.takes_data
    assert get_command("set.alarm.roi").request is RequestKind.JSON
    assert get_command("storage.search").request is RequestKind.QUERY
    assert get_command("storage.export").request is RequestKind.QUERY
    assert get_command("upload.image").request is RequestKind.FILE
    assert get_command("cmd.sd.format").http_method is HttpMethod.GET
    assert get_command("cmd.sd.format").destructive
    assert get_command("cmd.reset").destructive
    assert not get_command("cmd.reboot").destructive


def test_unknown_command() -> None:
    """A typo is refused with the name in the message."""
    with pytest.raises(UnknownCommandError, match="get.imag.info"):
        get_command("get.imag.info")


def test_build_requests_match_the_guide_examples() -> None:
    """The guide's get and set examples, byte for byte as objects."""
    assert build_mqtt_request(
        "get.image.info", "24:e1:24:41:71:41"
    ) == load_fixture_json("get_image_info_request.json")
    assert build_mqtt_request(
        get_command("set.image.info"), "24E124417141", {"brightness": 60}
    ) == load_fixture_json("set_image_info_request.json")
    assert json.loads(encode_mqtt_request("cmd.reboot", "24E124417141")) == {
        "api": "cmd.reboot",
        "devMac": "24E124417141",
    }


def test_http_only_command_has_no_mqtt_request() -> None:
    """upgrade.reset cannot go over MQTT."""
    with pytest.raises(UnknownCommandError, match="HTTP only"):
        build_mqtt_request("upgrade.reset", "24E124417141")
