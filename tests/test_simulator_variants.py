"""The simulated camera's switchable behaviours, on the pure model (no broker).

Each switch models one sentence of the vendor guide (or of docs/NOTES) that makes
the camera inconvenient; these tests pin what the simulator does with it on and off.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import copy
import os
import time
from typing import Any

import aiohttp
from aiohttp.test_utils import TestServer
import pytest

from custom_components.milesight_x5.api.http_client import basic_auth
from simulator import SimulatedCamera
from simulator.device import clock_1970_offset
from simulator.http import create_app
from simulator.mqtt import SimulatorHub
from simulator.settings import DEFAULT_SETTINGS

from .helpers import configure_request

MAC = "1CC3164126A2"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override the package-wide fixture: the model needs no Home Assistant."""


def request(api: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
    """A configure request for the test camera."""
    return configure_request(MAC, api, data)


def ask(
    camera: SimulatedCamera, api: str, data: dict[str, Any] | None = None
) -> dict[str, Any] | None:
    """The ``data`` of the camera's answer, or None when it does not answer."""
    response = camera.respond(request(api, data))
    return None if response is None else response["data"]


# --- answers carry devName -------------------------------------------------------------


@pytest.mark.parametrize(
    ("api", "data"),
    [
        ("get.image.info", None),
        ("set.image.info", {"brightness": 60}),
        ("cmd.snapshot", None),
        ("upgrade.check", None),
    ],
)
def test_answers_carry_dev_name_and_mac(api: str, data: dict[str, Any] | None) -> None:
    """As the guide's get and set examples: devName, devMac, api, data."""
    camera = SimulatedCamera(MAC, name="Barn")
    response = camera.respond(request(api, data))
    assert response is not None
    assert list(response) == ["devName", "devMac", "api", "data"]
    assert (response["devName"], response["devMac"], response["api"]) == (
        "Barn",
        MAC,
        api,
    )


def test_other_mac_gets_no_answer() -> None:
    """Cameras share topics: a request for another MAC is not for this one."""
    camera = SimulatedCamera(MAC)
    assert camera.respond({"api": "get.image.info", "devMac": "5CC5638AE729"}) is None


# --- upgrade.online installs what upgrade.check offers --------------------------------


def test_upgrade_online_installs_the_offered_firmware() -> None:
    """After upgrade.online the camera runs the new version and offers nothing more."""
    camera = SimulatedCamera(MAC, firmware="V_31.1.0.3", latest_firmware="V_31.1.0.4")
    assert ask(camera, "get.login.info")["software"] == "V_31.1.0.3"
    offer = ask(camera, "upgrade.check")
    assert (offer["updateState"], offer["softversion"]) == (1, "V_31.1.0.4")
    assert ask(camera, "upgrade.online", {"url": offer["url"]}) == {
        "code": 0,
        "result": "OK",
    }
    assert ask(camera, "get.login.info") == {
        "company": "Milesight",
        "software": "V_31.1.0.4",
        "oemTitle": "",
        "oem": 0,
    }
    check = ask(camera, "upgrade.check")
    assert (check["updateState"], check["softversion"], check["url"]) == (
        0,
        "V_31.1.0.4",
        "",
    )


def test_login_info_follows_the_firmware_field() -> None:
    """get.login.info is the camera's state, not a fixed copy."""
    answer = ask(SimulatedCamera(MAC, firmware="V_32.1.0.2"), "get.login.info")
    assert answer["software"] == "V_32.1.0.2"


def test_sensor_status_follows_the_sensors() -> None:
    """get.sensor.status reports the same LAF and temperature as the heartbeat."""
    camera = SimulatedCamera(MAC, laf=48, temperature=21.5)
    assert ask(camera, "get.sensor.status") == {"LAF": 48, "temperature": "21.5"}
    assert camera.heartbeat()["values"]["sensor"] == {
        "LAF": 48,
        "temperature": "21.5",
    }


# --- work mode and wake settings that cut the link -------------------------------------


def test_low_power_mode_answers_nothing_and_cannot_be_woken() -> None:
    """Guide: in "Low Power Timed Capture" no remote configuration and no wake-up."""
    camera = SimulatedCamera(MAC)
    assert ask(camera, "set.capture.info", {"workMode": 1}) is not None
    assert not camera.can_wake
    for api in ("get.image.info", "cmd.snapshot", "cmd.reboot", "set.image.info"):
        assert camera.respond(request(api, {"brightness": 1})) is None
    assert camera.take_uplinks() == []
    assert camera.reboots == 0
    camera.awake = False
    assert camera.wake() is None
    assert not camera.awake


def test_wakeup_by_mqtt_off_cannot_be_woken() -> None:
    """wakeupByMQTT 0: the wake topic does nothing; awake, it still answers."""
    camera = SimulatedCamera(MAC)
    assert ask(camera, "set.wakeup.info", {"wakeupByMQTT": 0}) is not None
    assert not camera.can_wake
    assert ask(camera, "get.image.info") is not None
    camera.awake = False
    assert camera.wake() is None
    assert ask(camera, "get.image.info") is None


def test_wake_reaches_a_sleeping_camera_only() -> None:
    """Guide: a heartbeat "each time the camera wakes up" - not for an awake camera."""
    camera = SimulatedCamera(MAC)
    assert camera.wake() is None  # already awake: nothing happens
    assert camera.sleep()
    assert ask(camera, "get.image.info") is None
    heartbeat = camera.wake()
    assert heartbeat is not None
    assert heartbeat["values"]["devMac"] == MAC
    assert camera.awake
    assert ask(camera, "get.image.info") == DEFAULT_SETTINGS["image.info"]


# --- external_power: USB-C on firmware 3x.1.0.2+ never sleeps ------------------------


def test_battery_camera_reports_internal_power() -> None:
    """Default: on battery, powerSupply 0 and powerGoodStat 0, as the guide's sample."""
    camera = SimulatedCamera(MAC)
    assert ask(camera, "get.device.status")["powerSupply"] == 0
    assert camera.heartbeat()["values"]["battery"]["powerGoodStat"] == 0


def test_external_power_never_sleeps_and_ignores_wakes() -> None:
    """Guide: "will not go to sleep mode if you power the device via Type-C port"."""
    camera = SimulatedCamera(MAC, external_power=True, awake=False)
    assert camera.awake
    assert not camera.sleep()
    assert camera.awake
    assert not camera.can_wake
    assert camera.wake() is None  # already awake: no heartbeat
    assert ask(camera, "get.image.info") == DEFAULT_SETTINGS["image.info"]


def test_external_power_reports_it() -> None:
    """powerSupply 1 ("1: external") and the heartbeat's powerGoodStat 1."""
    camera = SimulatedCamera(MAC, external_power=True)
    assert ask(camera, "get.device.status")["powerSupply"] == 1
    assert camera.heartbeat()["values"]["battery"]["powerGoodStat"] == 1


# --- snapshot_answer: the guide documents no return data for cmd.snapshot -------------


def test_snapshot_answered_and_picture_sent_by_default() -> None:
    """Default: an OK on the response topic and the picture as a snapshot uplink."""
    camera = SimulatedCamera(MAC)
    assert ask(camera, "cmd.snapshot") == {"code": 0, "result": "OK"}
    [(kind, uplink)] = camera.take_uplinks()
    assert kind == "snapshot"
    assert uplink["values"]["image"].startswith("data:image/")


def test_snapshot_picture_only() -> None:
    """snapshot_answer False: no answer at all, the picture alone tells it worked."""
    camera = SimulatedCamera(MAC, snapshot_answer=False)
    assert camera.respond(request("cmd.snapshot")) is None
    [(kind, uplink)] = camera.take_uplinks()
    assert kind == "snapshot"
    assert uplink["values"]["devMac"] == MAC
    assert uplink["values"]["snapType"] == "Manual"
    assert camera.snapshots_taken == 1
    # Other commands are still answered.
    assert ask(camera, "get.image.info") is not None


def test_snapshot_picture_only_asleep_sends_nothing() -> None:
    """Asleep, not even the picture comes."""
    camera = SimulatedCamera(MAC, snapshot_answer=False, awake=False)
    assert camera.respond(request("cmd.snapshot")) is None
    assert camera.take_uplinks() == []


# --- set_replaces_objects: merge or replace is undocumented --------------------------

FRAGMENT = {"triggerConfig": {"sensorConditions": {"lafDetect": 1}}}


def test_set_merges_a_nested_fragment_by_default() -> None:
    """Default (deep merge): the fragment changes one leaf, the rest stays."""
    camera = SimulatedCamera(MAC)
    assert ask(camera, "set.capture.info", FRAGMENT) == {"code": 0, "result": "OK"}
    trigger = ask(camera, "get.capture.info")["triggerConfig"]
    expected = DEFAULT_SETTINGS["capture.info"]["triggerConfig"]
    assert trigger["sensorConditions"] == {
        **expected["sensorConditions"],
        "lafDetect": 1,
    }
    assert trigger["sourceEnable"] == expected["sourceEnable"]


def test_set_replaces_a_lone_nested_fragment_wholesale() -> None:
    """set_replaces_objects: triggerConfig becomes exactly the fragment."""
    camera = SimulatedCamera(MAC, set_replaces_objects=True)
    assert ask(camera, "set.capture.info", FRAGMENT) == {"code": 0, "result": "OK"}
    capture = ask(camera, "get.capture.info")
    assert capture["triggerConfig"] == {"sensorConditions": {"lafDetect": 1}}
    # The other top-level fields are untouched.
    assert capture["workMode"] == 0
    assert capture["snapshotTopic"] == "X5SensingCam/Snapshot"


def test_set_replaces_whole_objects_and_scalars_as_sent() -> None:
    """Read-modify-write of the changed branch keeps everything (the safe reading)."""
    camera = SimulatedCamera(MAC, set_replaces_objects=True)
    capture = ask(camera, "get.capture.info")
    trigger = capture["triggerConfig"]
    trigger["sensorConditions"]["lafDetect"] = 1
    ask(camera, "set.capture.info", {"triggerConfig": trigger, "interval": 30})
    after = ask(camera, "get.capture.info")
    assert after["triggerConfig"] == trigger
    assert after["interval"] == 30
    assert after == {**capture, "triggerConfig": trigger, "interval": 30}


def test_set_replaces_a_top_level_scalar_alone() -> None:
    """The guide's own example (brightness alone) works either way."""
    camera = SimulatedCamera(MAC, set_replaces_objects=True)
    ask(camera, "set.image.info", {"brightness": 60})
    assert ask(camera, "get.image.info") == {
        **DEFAULT_SETTINGS["image.info"],
        "brightness": 60,
    }


# --- reboot_answer: a camera that goes down before it answers ------------------------


def test_reboot_answered_and_no_interruption_by_default() -> None:
    """Default: an OK, counted, and the camera goes on answering."""
    camera = SimulatedCamera(MAC)
    assert ask(camera, "cmd.reboot") == {"code": 0, "result": "OK"}
    assert camera.reboots == 1
    assert not camera.rebooting
    assert ask(camera, "get.image.info") is not None


def test_silent_reboot_is_recorded_and_not_answered() -> None:
    """reboot_answer False: no answer, counted, and silent until the reboot ends."""
    camera = SimulatedCamera(MAC, reboot_answer=False)
    assert camera.respond(request("cmd.reboot")) is None
    assert camera.reboots == 1
    assert camera.rebooting
    assert not camera.awake
    for api in ("get.image.info", "cmd.reboot", "cmd.snapshot"):
        assert camera.respond(request(api)) is None
    assert camera.reboots == 1  # a rebooting camera does not hear a second one
    assert camera.take_uplinks() == []
    assert not camera.can_wake
    assert camera.wake() is None
    assert not camera.sleep()


def test_end_of_reboot_wakes_with_a_heartbeat() -> None:
    """end_reboot: awake again, a heartbeat ("each time the camera wakes up")."""
    camera = SimulatedCamera(MAC, reboot_answer=False, reboot_seconds=0.5)
    assert camera.reboot_seconds == 0.5
    assert camera.end_reboot() is None  # not rebooting: nothing happens
    camera.respond(request("cmd.reboot"))
    heartbeat = camera.end_reboot()
    assert heartbeat is not None
    assert heartbeat["values"]["devMac"] == MAC
    assert camera.awake
    assert not camera.rebooting
    assert ask(camera, "get.image.info") is not None
    assert camera.end_reboot() is None


def test_external_power_camera_reboots_too() -> None:
    """Down while rebooting even on USB-C; up and awake afterwards."""
    camera = SimulatedCamera(MAC, reboot_answer=False, external_power=True)
    assert camera.respond(request("cmd.reboot")) is None
    assert ask(camera, "get.image.info") is None
    assert camera.end_reboot() is not None
    assert camera.awake
    assert not camera.sleep()


# --- the HTTP twin follows the same switches ----------------------------------------


@pytest.fixture
async def http_camera(
    aiohttp_server: Callable[..., Awaitable[TestServer]], socket_enabled: None
) -> Callable[..., Awaitable[tuple[SimulatedCamera, str, list[str]]]]:
    """Serve a camera with these switches; (camera, base URL, reboots reported)."""

    async def serve(**switches: Any) -> tuple[SimulatedCamera, str, list[str]]:
        camera = SimulatedCamera(MAC, **switches)
        reported: list[str] = []
        server = await aiohttp_server(create_app(camera, on_reboot=reported.append))
        return camera, f"http://{server.host}:{server.port}", reported

    return serve


AUTH = {"Authorization": basic_auth("admin", "ms123456")}  # BasicAuth: deprecated


async def test_http_silent_reboot_drops_the_connection(
    http_camera: Callable[..., Awaitable[tuple[SimulatedCamera, str, list[str]]]],
) -> None:
    """No answer over HTTP either: the connection closes without a byte."""
    camera, base, reported = await http_camera(reboot_answer=False)
    host, port = base.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(
        b"GET /api/cmd/reboot HTTP/1.1\r\nHost: camera\r\n"
        b"Authorization: " + AUTH["Authorization"].encode() + b"\r\n\r\n"
    )
    await writer.drain()
    assert await asyncio.wait_for(reader.read(), 5) == b""
    writer.close()
    await writer.wait_closed()
    assert (camera.reboots, camera.rebooting, reported) == (1, True, [MAC])


async def test_http_while_rebooting_is_unavailable(
    http_camera: Callable[..., Awaitable[tuple[SimulatedCamera, str, list[str]]]],
) -> None:
    """aiohttp re-sends a GET once when the connection drops (the guide makes
    cmd.reboot a GET): the rebooting camera refuses it, then answers once up."""
    camera, base, reported = await http_camera(reboot_answer=False)
    async with aiohttp.ClientSession(headers=AUTH) as session:
        async with session.get(f"{base}/api/cmd/reboot") as response:
            assert response.status == 503
            assert await response.text() == "rebooting"
        assert (camera.reboots, reported) == (1, [MAC])
        async with session.get(f"{base}/api/image") as response:
            assert response.status == 503
        camera.end_reboot()
        async with session.get(f"{base}/api/image") as response:
            assert response.status == 200


async def test_http_snapshot_is_the_picture_even_without_mqtt_answer(
    http_camera: Callable[..., Awaitable[tuple[SimulatedCamera, str, list[str]]]],
) -> None:
    """Over HTTP the picture is the answer, whatever snapshot_answer says."""
    camera, base, _ = await http_camera(snapshot_answer=False)
    async with (
        aiohttp.ClientSession(headers=AUTH) as session,
        session.get(f"{base}/live/snapshot") as response,
    ):
        assert response.status == 200
        assert response.content_type.startswith("image/")
        assert len(await response.read()) > 100
    assert camera.take_uplinks() == []


async def test_http_snapshot_in_low_power_mode_is_refused(
    http_camera: Callable[..., Awaitable[tuple[SimulatedCamera, str, list[str]]]],
) -> None:
    """No picture to give (work mode 1 answers nothing): 503, not a crash."""
    camera, base, _ = await http_camera()
    camera.settings["capture.info"]["workMode"] = 1
    async with (
        aiohttp.ClientSession(headers=AUTH) as session,
        session.get(f"{base}/live/snapshot") as response,
    ):
        assert response.status == 503


# --- clock_offset: the camera's clock is its own claim ------------------------------


def _times(camera: SimulatedCamera) -> dict[str, float]:
    snapshot = camera.snapshot()["values"]
    return {
        "heartbeat ts": camera.heartbeat()["ts"] / 1000,
        "alarm ts": camera.alarm()["ts"] / 1000,
        "snapshot time": snapshot["time"],
    }


def test_default_clock_is_this_machines() -> None:
    """Default: the times sent are now."""
    now = time.time()
    for what, sent in _times(SimulatedCamera(MAC)).items():
        assert abs(sent - now) < 5, what


def test_clock_offset_shifts_every_time_sent() -> None:
    """An offset moves ts, snapshot time and the SD file name's date alike."""
    camera = SimulatedCamera(MAC, clock_offset=-86_400 * 365)
    expected = time.time() - 86_400 * 365
    for what, sent in _times(camera).items():
        assert abs(sent - expected) < 5, what
    values = camera.snapshot()["values"]
    stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime(values["time"]))
    assert values["file"] == f"CV{stamp}T.jpg"


def test_clock_1970_reads_the_guides_date() -> None:
    """clock_1970_offset: 1970-01-01, as the guide's sample file name shows."""
    camera = SimulatedCamera(MAC, clock_offset=clock_1970_offset())
    for what, sent in _times(camera).items():
        assert 0 <= sent < 60, what
    assert camera.snapshot()["values"]["file"].startswith("CV19700101")
    assert clock_1970_offset(1_700_000_000.0) == -1_700_000_000.0


# --- each hub its own MQTT client id -------------------------------------------------


def test_two_hubs_get_different_client_ids() -> None:
    """Two simulator processes on one broker must not knock each other off."""
    first = SimulatorHub([SimulatedCamera(MAC)], "127.0.0.1", 1883)
    second = SimulatorHub([SimulatedCamera("1CC3164126A3")], "127.0.0.1", 1883)
    assert first.client_id != second.client_id
    for hub in (first, second):
        assert hub.client_id.startswith(f"x5-simulator-{os.getpid()}-")
        assert hub._client._client_id == hub.client_id.encode()


def test_client_id_can_be_chosen() -> None:
    """client_id overrides the generated one."""
    hub = SimulatorHub([], "127.0.0.1", 1883, client_id="garden-sim")
    assert hub.client_id == "garden-sim"
    assert hub._client._client_id == b"garden-sim"


# --- wake-up snapshots: each kind of capture in turn ---------------------------------


def test_wake_snapshots_cycle_through_the_triggers() -> None:
    """A camera waking by itself sends noise, PIR, timed and temperature captures in
    turn (the demo's history shows each), each camera from its own place."""
    from custom_components.milesight_x5.api import TriggerType, parse_snapshot
    from simulator.device import WAKE_TRIGGERS

    camera = SimulatedCamera(MAC)
    sent = [camera.wake_snapshot() for _ in range(2 * len(WAKE_TRIGGERS))]
    kinds = [parse_snapshot(message).trigger for message in sent]
    assert set(kinds) == {
        TriggerType.NOISE,
        TriggerType.PIR,
        TriggerType.TIMED,
        TriggerType.TEMPERATURE,
    }
    assert kinds[: len(WAKE_TRIGGERS)] == kinds[len(WAKE_TRIGGERS) :]
    values = {
        parse_snapshot(message).trigger: parse_snapshot(message).trigger_value
        for message in sent
    }
    assert values[TriggerType.NOISE] == 78
    assert values[TriggerType.TEMPERATURE] == 35.5
    assert all(parse_snapshot(message).image for message in sent)
    other = SimulatedCamera("1CC3164126A3")
    assert parse_snapshot(other.wake_snapshot()).trigger != kinds[0]


# --- validate_sets: the camera refuses what it cannot take ---------------------------


@pytest.mark.parametrize(
    ("api", "data", "reason"),
    [
        ("set.image.info", {"brightness": 101}, "brightness must be from 0 to 100"),
        ("set.image.info", {"brightness": "60"}, "brightness must be a number"),
        ("set.image.info", {"brightness": True}, "brightness must be a number"),
        ("set.image.info", {"dnMode": 4}, "dnMode must be one of"),
        ("set.image.info", {"glow": 1}, "unknown field glow"),
        ("set.capture.info", {"caExist": True}, "caExist is read-only"),
        ("set.capture.info", {"certExist": False}, "certExist is read-only"),
        ("set.capture.info", {"keyExist": False}, "keyExist is read-only"),
        (
            "set.capture.info",
            {"heartInterval": 0},
            "heartInterval must be from 1 to 72",
        ),
        ("set.capture.info", {"heartInterval": 73}, "heartInterval must be from 1"),
        ("set.capture.info", {"heartTestInterval": 4321}, "must be from 1 to 4320"),
        ("set.capture.info", {"heartLpowerInterval": 23}, "must be from 24 to 72"),
        ("set.capture.info", {"workMode": 2}, "workMode must be one of 0, 1"),
        ("set.capture.info", {"postEnable": "1"}, "postEnable must be one of 0, 1"),
        ("set.capture.info", {"statusEnable": "yes"}, "statusEnable must be one of"),
        ("set.capture.info", {"snapshotTopic": 5}, "snapshotTopic must be text"),
        ("set.capture.info", {"triggerConfig": 1}, "triggerConfig must be an object"),
        (
            "set.capture.info",
            {"triggerConfig": {"sensorConditions": {"lafThre": 30}}},
            "triggerConfig.sensorConditions.lafThre must be from 31 to 120",
        ),
        (
            "set.capture.info",
            {"triggerConfig": {"sensorConditions": {"tempThre": 35}}},
            "tempThre must be a number written as text",
        ),
        (
            "set.capture.info",
            {"triggerConfig": {"sensorConditions": {"tempThre": "101"}}},
            "tempThre must be from -100 to 100",
        ),
        ("set.wakeup.info", {"wakeupByMQTT": 2}, "wakeupByMQTT must be one of 0, 1"),
        ("set.cellular.info", {"mtu": 1100}, "mtu must be from 1200 to 1500"),
        ("set.day.section", {"daySection": {}}, "daySection must be a list"),
    ],
)
def test_validate_sets_refuses_and_changes_nothing(
    api: str, data: dict[str, Any], reason: str
) -> None:
    """validate_sets: a non-zero code, the reason, and the settings as they were."""
    camera = SimulatedCamera(MAC, validate_sets=True)
    before = copy.deepcopy(camera.settings)
    answer = ask(camera, api, {**data, "interval": 30} if "capture" in api else data)
    assert answer is not None
    assert answer["code"] != 0
    assert reason in answer["result"]
    assert camera.settings == before


@pytest.mark.parametrize(
    ("api", "data"),
    [
        ("set.image.info", {"brightness": 0, "contrast": 100, "dnMode": 3}),
        ("set.capture.info", {"heartInterval": 72, "heartLpowerInterval": 24}),
        ("set.capture.info", {"statusEnable": "0"}),
        ("set.capture.info", {"statusEnable": 1}),
        ("set.capture.info", {"port": "8883", "pushNow": 1}),
        ("set.capture.info", FRAGMENT),
        ("set.cellular.info", {"redialInterval": 60}),
        ("set.wakeup.info", {"wakeupByMQTT": 0}),
    ],
)
def test_validate_sets_takes_good_values(api: str, data: dict[str, Any]) -> None:
    """In range, of the right type, writable: OK as before."""
    camera = SimulatedCamera(MAC, validate_sets=True)
    assert ask(camera, api, data) == {"code": 0, "result": "OK"}


def test_whole_capture_info_read_modify_write_of_a_branch() -> None:
    """The integration's write of a nested leaf (the whole triggerConfig as read)."""
    camera = SimulatedCamera(MAC, validate_sets=True)
    trigger = ask(camera, "get.capture.info")["triggerConfig"]
    trigger["sensorConditions"]["lafThre"] = 75
    assert ask(camera, "set.capture.info", {"triggerConfig": trigger})["code"] == 0
    sensor = camera.settings["capture.info"]["triggerConfig"]["sensorConditions"]
    assert sensor["lafThre"] == 75


def test_sets_not_validated_by_default() -> None:
    """Default: anything is taken (the original behaviour)."""
    camera = SimulatedCamera(MAC)
    assert ask(camera, "set.image.info", {"brightness": "loud", "glow": 1})["code"] == 0
    assert camera.settings["image.info"]["glow"] == 1


def test_every_rule_names_a_field_the_camera_has() -> None:
    """The ranges table and the read-only list only name real fields."""
    from simulator.settings import (
        READ_ONLY_FIELDS,
        SET_ONLY_FIELDS,
        SET_RULES,
    )

    for group, rules in SET_RULES.items():
        schema = {**DEFAULT_SETTINGS[group], **SET_ONLY_FIELDS.get(group, {})}
        for path in rules:
            node: Any = schema
            for part in path.split("."):
                assert part in node, f"{group} {path}"
                node = node[part]
    for group, fields in READ_ONLY_FIELDS.items():
        assert fields <= DEFAULT_SETTINGS[group].keys()


# --- capture.info switches: what it may post ---------------------------------------------


def test_post_switches_mute_uplinks() -> None:
    """postEnable mutes every uplink; each kind has its own switch too."""
    camera = SimulatedCamera(MAC)
    assert all(camera.posts(kind) for kind in ("heartbeat", "snapshot", "alarm"))
    capture = camera.settings["capture.info"]
    for key, kind in (
        ("statusEnable", "heartbeat"),
        ("snapshotEnable", "snapshot"),
        ("alarmEnable", "alarm"),
    ):
        capture[key] = 0
        assert not camera.posts(kind)
        capture[key] = "1" if key == "statusEnable" else 1
    capture["statusEnable"] = "0"
    assert not camera.posts("heartbeat")
    capture["statusEnable"] = "1"
    capture["postEnable"] = 0
    assert not any(camera.posts(kind) for kind in ("heartbeat", "snapshot", "alarm"))


def test_heartbeat_off_a_wake_wakes_but_posts_nothing() -> None:
    """statusEnable "0": woken, it is awake and answers, but sends no heartbeat."""
    camera = SimulatedCamera(MAC)
    ask(camera, "set.capture.info", {"statusEnable": "0"})
    camera.sleep()
    assert camera.wake() is None
    assert camera.awake
    assert ask(camera, "get.image.info") is not None


# --- install_at_once False: a download, then a restart --------------------------------


def test_staged_install_changes_firmware_only_when_finished() -> None:
    """install_at_once False: OK, still the old version while downloading;
    finish_install runs the new one after a restart."""
    camera = SimulatedCamera(MAC, install_at_once=False)
    assert ask(camera, "upgrade.online") == {"code": 0, "result": "OK"}
    assert camera.installing
    assert ask(camera, "get.login.info")["software"] == "V_31.1.0.3"
    assert camera.finish_install()
    assert (camera.rebooting, camera.awake, camera.installing) == (True, False, False)
    assert ask(camera, "get.login.info") is None
    assert camera.end_reboot() is not None
    assert ask(camera, "get.login.info")["software"] == "V_31.1.0.4"
    assert not camera.finish_install()


def test_staged_install_of_the_running_version_downloads_nothing() -> None:
    """Nothing newer offered: OK, no download."""
    camera = SimulatedCamera(MAC, install_at_once=False, latest_firmware="V_31.1.0.3")
    assert ask(camera, "upgrade.online") == {"code": 0, "result": "OK"}
    assert not camera.installing
