"""The X5 family's field habits in the simulator (docs NOTES, "What the X5 family
does in the field"): each off by default, each pinned here by what the camera
sends or answers with it on and off.
"""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
import itertools
import time
from typing import Any

import aiohttp
from aiohttp.test_utils import TestServer
import pytest

from custom_components.milesight_x5.api.http_client import basic_auth
from simulator import SimulatedCamera
from simulator.__main__ import field_habit_options, make_cameras, parse_args
from simulator.device import DIGITAL_INPUT, camera_time_text, parse_camera_time
from simulator.http import create_app
from simulator.runner import CameraRunner, Habits, Topics, VirtualClock

from .helpers import configure_request

MAC = "1CC3164126A2"
TOPICS = Topics()
AUTH = {"Authorization": basic_auth("admin", "ms123456")}


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override the package-wide fixture: no Home Assistant here."""


def ask(
    camera: SimulatedCamera, api: str, data: dict[str, Any] | None = None
) -> dict[str, Any] | None:
    """The ``data`` of the camera's answer, or None when it does not answer."""
    response = camera.respond(configure_request(MAC, api, data))
    return None if response is None else response["data"]


def picture(camera: SimulatedCamera, api: str = "cmd.snapshot") -> dict[str, Any]:
    """The one picture a command caused (device only, no runner)."""
    if api == "pushNow":
        ask(camera, "set.capture.info", {"pushNow": 1})
    else:
        ask(camera, api)
    uplinks = camera.take_uplinks()
    assert [kind for kind, _ in uplinks] == ["snapshot"]
    return uplinks[0][1]


class Rig:
    """One camera and its runner on a virtual clock; what it published."""

    def __init__(self, habits: Habits | None = None, **switches: Any) -> None:
        self.clock = VirtualClock()
        self.camera = SimulatedCamera(MAC, **switches)
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self.runner = CameraRunner(
            self.camera,
            habits or Habits(),
            TOPICS,
            self.clock.schedule,
            self.clock.cancel,
            lambda topic, message: self.sent.append((topic, message)),
            clock=self.clock.clock,
        )

    def ask(self, api: str, data: dict[str, Any] | None = None) -> None:
        self.runner.on_request(configure_request(MAC, api, data))

    def kinds(self) -> list[str]:
        names = {
            TOPICS.heartbeat: "heartbeat",
            TOPICS.snapshot: "snapshot",
            TOPICS.alarm: "alarm",
            TOPICS.response: "answer",
        }
        return [names[topic] for topic, _ in self.sent]

    def pictures(self) -> list[dict[str, Any]]:
        return [m for topic, m in self.sent if topic == TOPICS.snapshot]

    def answers(self) -> list[dict[str, Any]]:
        return [m["data"] for topic, m in self.sent if topic == TOPICS.response]

    def take(self) -> list[str]:
        """What was published since the last call."""
        kinds = self.kinds()
        self.sent.clear()
        return kinds


# --- 1. snapType spellings --------------------------------------------------------------


def test_default_spellings_are_the_simulators() -> None:
    """Off: "Manual", "Timed", "DI" as before."""
    camera = SimulatedCamera(MAC)
    assert picture(camera)["values"]["snapType"] == "Manual"
    assert picture(camera, "pushNow")["values"]["snapType"] == "Manual"
    assert camera.snapshot("Timed", "")["values"]["snapType"] == "Timed"
    assert camera.snapshot(DIGITAL_INPUT, "")["values"]["snapType"] == "DI"


def test_vendor_spellings() -> None:
    """On: "Button" for a manual capture (cmd.snapshot, pushNow), "Timer" and
    "Scheduled" in turn for a timed one, "Alarm in" for the digital input; the
    others as they are."""
    camera = SimulatedCamera(MAC, vendor_spellings=True)
    assert picture(camera)["values"]["snapType"] == "Button"
    assert picture(camera, "pushNow")["values"]["snapType"] == "Button"
    timed = [camera.snapshot("Timed", "")["values"]["snapType"] for _ in range(3)]
    assert timed == ["Timer", "Scheduled", "Timer"]
    assert camera.snapshot(DIGITAL_INPUT, "")["values"]["snapType"] == "Alarm in"
    assert camera.snapshot("PIR", "")["values"]["snapType"] == "PIR"


def test_vendor_spellings_through_the_runner() -> None:
    """A timed wake and a digital-input capture as the family spells them."""
    rig = Rig(vendor_spellings=True)
    rig.runner.wake_by_itself(("Timed", ""))
    rig.runner.post_capture(DIGITAL_INPUT)
    rig.ask("cmd.snapshot")
    assert [p["values"]["snapType"] for p in rig.pictures()] == [
        "Timer",
        "Alarm in",
        "Button",
    ]


# --- 2. and 3. battery ------------------------------------------------------------------


def test_battery_is_the_guides_object_by_default() -> None:
    """Off: the guide's object in the heartbeat; no battery in a snapshot."""
    camera = SimulatedCamera(MAC, battery=84)
    battery = camera.heartbeat()["values"]["battery"]
    assert isinstance(battery, dict)
    assert battery["soc"] == 84
    assert "battery" not in camera.snapshot()["values"]


def test_plain_battery() -> None:
    """On: ``values.battery`` is the plain percentage."""
    camera = SimulatedCamera(MAC, battery=84, plain_battery=True)
    battery = camera.heartbeat()["values"]["battery"]
    assert battery == 84
    assert type(battery) is int


def test_snapshot_battery() -> None:
    """On: a snapshot carries the heartbeat's battery (plain with plain_battery)."""
    camera = SimulatedCamera(MAC, battery=84, snapshot_battery=True)
    values = camera.snapshot()["values"]
    assert values["battery"] == camera.heartbeat()["values"]["battery"]
    assert values["battery"]["soc"] == 84
    plain = SimulatedCamera(MAC, battery=84, snapshot_battery=True, plain_battery=True)
    assert plain.snapshot()["values"]["battery"] == 84


# --- 4. imageSize -----------------------------------------------------------------------


def test_image_size_counts_decoded_bytes_by_default() -> None:
    values = SimulatedCamera(MAC).snapshot()["values"]
    data = base64.b64decode(values["image"].split(",", 1)[1])
    assert values["imageSize"] == len(data)
    assert values["imageSize"] < len(values["image"])


def test_image_size_text() -> None:
    """On: ``imageSize`` is the length of the data-URI text."""
    values = SimulatedCamera(MAC, image_size_text=True).snapshot()["values"]
    assert values["imageSize"] == len(values["image"])


# --- 5. cloud takeover ------------------------------------------------------------------


def test_no_takeover_by_default() -> None:
    """Off: mip.info all 0, pictures on the snapshot topic, nothing to the cloud."""
    rig = Rig()
    assert ask(rig.camera, "get.mip.info") == {
        "autoProvision": 0,
        "takeOverPlatform": 0,
        "dataReportTakeover": 0,
    }
    rig.runner.wake_by_itself()
    assert rig.kinds() == ["heartbeat", "snapshot"]
    assert rig.camera.cloud_uploads == []


def test_takeover_sends_pictures_to_the_cloud() -> None:
    """On: the guide's defaults (all 1); pictures go to the cloud (kept on the card
    as uploaded), heartbeats, answers and alarms still come."""
    rig = Rig(takeover=True)
    assert ask(rig.camera, "get.mip.info") == {
        "autoProvision": 1,
        "takeOverPlatform": 1,
        "dataReportTakeover": 1,
    }
    rig.runner.wake_by_itself()
    rig.ask("cmd.snapshot")
    rig.runner.post_alarm("Low power")
    assert rig.kinds() == ["heartbeat", "answer", "alarm"]
    assert len(rig.camera.cloud_uploads) == 2
    assert [f.upload for f in rig.camera.sd_files] == [1, 1]


@pytest.mark.parametrize("switch", ["takeOverPlatform", "dataReportTakeover"])
def test_set_mip_info_off_restores_mqtt_pictures(switch: str) -> None:
    """Either switch 0: pictures come on the snapshot topic again."""
    rig = Rig(takeover=True)
    rig.ask("cmd.snapshot")
    assert rig.take() == ["answer"]
    rig.ask("set.mip.info", {switch: 0})
    rig.ask("cmd.snapshot")
    assert rig.take() == ["answer", "answer", "snapshot"]
    assert len(rig.camera.cloud_uploads) == 1


def test_slow_act_picture_goes_to_the_cloud_too() -> None:
    """The decision falls when the picture is ready (act_seconds)."""
    rig = Rig(Habits(act_seconds=5), takeover=True)
    rig.ask("cmd.snapshot")
    rig.clock.advance(6)
    assert rig.kinds() == ["answer"]
    assert len(rig.camera.cloud_uploads) == 1


def test_platform_enable_diverts_pictures() -> None:
    """capture.info platformEnable 1 (settable) diverts; 0 restores."""
    rig = Rig()
    rig.ask("set.capture.info", {"platformEnable": 1})
    rig.ask("cmd.snapshot")
    assert rig.take() == ["answer", "answer"]
    assert len(rig.camera.cloud_uploads) == 1
    rig.ask("set.capture.info", {"platformEnable": 0})
    rig.ask("cmd.snapshot")
    assert rig.take() == ["answer", "answer", "snapshot"]


def test_firmware_without_mip_does_not_answer_mip_info() -> None:
    """mip_supported False: no answer to get/set.mip.info (as to any command it
    does not know); mip.info then diverts nothing."""
    rig = Rig(takeover=True, mip_supported=False)
    rig.ask("get.mip.info")
    rig.ask("set.mip.info", {"takeOverPlatform": 0})
    assert rig.kinds() == []
    assert rig.runner.log[-2:] == [
        f"get.mip.info {MAC} no answer",
        f"set.mip.info {MAC} no answer",
    ]
    rig.ask("cmd.snapshot")
    assert rig.kinds() == ["answer", "snapshot"]


async def test_firmware_without_mip_over_http_is_not_found(
    aiohttp_server: Callable[..., Awaitable[TestServer]], socket_enabled: None
) -> None:
    server = await aiohttp_server(create_app(SimulatedCamera(MAC, mip_supported=False)))
    async with (
        aiohttp.ClientSession(headers=AUTH) as session,
        session.get(f"http://{server.host}:{server.port}/api/mip") as response,
    ):
        assert response.status == 404


# --- 6. the SD card, storage.search/export, the offline backlog -------------------------


def test_pictures_are_kept_on_the_card_and_searched() -> None:
    """storage.search lists each picture: file, startTime, type 2, size, upload."""
    camera = SimulatedCamera(MAC)
    values = picture(camera)["values"]
    answer = ask(camera, "storage.search", {"type": 3})
    assert answer == {
        "list": [
            {
                "file": values["file"],
                "startTime": camera_time_text(values["time"]),
                "type": 2,
                "size": values["imageSize"],
                "upload": 1,
            }
        ],
        "total": 1,
    }


def _card(count: int, **switches: Any) -> SimulatedCamera:
    """A camera with ``count`` pictures one hour apart, the last at 2024-10-12
    12:00:00 on its clock."""
    camera = SimulatedCamera(MAC, **switches)
    end = 1_728_734_400.0  # 2024-10-12 12:00:00 UTC
    for index in range(count):
        camera.snapshot("PIR", "", at=end - 3600 * (count - 1 - index))
    return camera


def test_search_filters_by_time_and_type_and_pages() -> None:
    camera = _card(5)
    every = ask(camera, "storage.search", {})
    assert every is not None
    assert [e["startTime"] for e in every["list"]] == [
        "2024-10-12 08:00:00",
        "2024-10-12 09:00:00",
        "2024-10-12 10:00:00",
        "2024-10-12 11:00:00",
        "2024-10-12 12:00:00",
    ]
    query = {
        "startTime": "2024-10-12+09:00:00",
        "endTime": "2024-10-12 11:00:00",
        "start": "1",
        "length": "1",
        "type": "2",
    }
    answer = ask(camera, "storage.search", query)
    assert answer is not None
    assert answer["total"] == 3
    assert [e["startTime"] for e in answer["list"]] == ["2024-10-12 10:00:00"]
    assert ask(camera, "storage.search", {**query, "type": 1}) == {
        "list": [],
        "total": 0,
    }
    late = ask(camera, "storage.search", {"start": 3, "length": 30})
    assert late is not None
    assert (len(late["list"]), late["total"]) == (2, 5)


@pytest.mark.parametrize(
    "query",
    [{"startTime": "12.10.2024"}, {"type": 4}, {"start": "x"}, {"length": -5}],
)
def test_search_refuses_what_it_cannot_read(query: dict[str, Any]) -> None:
    answer = ask(_card(1), "storage.search", query)
    assert answer is not None
    assert answer["code"] == 1
    assert answer["result"]


def test_storage_export_over_mqtt_answers_nothing_useful() -> None:
    camera = _card(1)
    name = camera.sd_files[0].name
    assert ask(camera, "storage.export", {"path": "/mnt/mmc", "name": name}) == {}


async def test_search_and_export_over_http(
    aiohttp_server: Callable[..., Awaitable[TestServer]], socket_enabled: None
) -> None:
    """Query parameters as the guide writes them; the export is the JPEG; an
    unknown file is a 404."""
    camera = _card(3)
    server = await aiohttp_server(create_app(camera))
    base = f"http://{server.host}:{server.port}"
    query = (
        "startTime=2024-10-12+10:30:00&endTime=2024-10-12+12:00:00"
        "&start=0&length=30&type=3"
    )
    async with aiohttp.ClientSession(headers=AUTH) as session:
        async with session.post(f"{base}/storage/search?{query}") as response:
            assert response.status == 200
            answer = await response.json()
        assert answer["total"] == 2
        entry = answer["list"][-1]
        assert entry["file"] == camera.sd_files[-1].name
        params = {"path": "/mnt/mmc", "name": entry["file"], "size": entry["size"]}
        async with session.post(f"{base}/storage/export", params=params) as response:
            assert response.status == 200
            assert response.content_type == "image/jpeg"
            body = await response.read()
        assert body == camera.sd_files[-1].image()[0]
        assert len(body) == entry["size"]
        assert body.startswith(b"\xff\xd8")
        for bad in (
            {**params, "name": "CV19700101000000T.jpg"},
            {**params, "path": "/tmp"},
        ):
            async with session.post(f"{base}/storage/export", params=bad) as response:
                assert response.status == 404


def test_offline_keeps_pictures_and_posts_nothing() -> None:
    """Offline: pictures taken and kept (upload 0), no wake heard, no answer."""
    rig = Rig()
    rig.runner.sleep()
    rig.camera.go_offline()
    rig.runner.wake_by_itself()
    rig.runner.post_capture("PIR")
    rig.runner.post_alarm()
    rig.runner.on_wake_message()
    rig.ask("get.image.info")
    assert rig.kinds() == []
    assert [f.upload for f in rig.camera.sd_files] == [0, 0]
    answer = rig.camera.search({})
    assert [e["upload"] for e in answer["list"]] == [0, 0]
    # Back online: nothing until its next wake.
    rig.camera.go_online()
    assert rig.kinds() == []


def _offline_pictures(rig: Rig, count: int) -> list[dict[str, Any]]:
    """``count`` pictures taken offline by wakes, 2 s apart on the camera's clock."""
    rig.runner.sleep()
    rig.camera.go_offline()
    taken = []
    for index in range(count):
        rig.camera.clock_offset = -100.0 + 2 * index
        rig.runner.wake_by_itself()
        taken.append(rig.camera.sd_files[-1].message)
    rig.camera.clock_offset = 0.0
    rig.camera.go_online()
    return taken


def test_backlog_uploaded_at_the_next_wake_oldest_first() -> None:
    """Its next wake: the heartbeat, the backlog oldest first (each its capture
    ts and time), then the wake's own picture; the files marked upload 1."""
    rig = Rig()
    taken = _offline_pictures(rig, 2)
    rig.runner.wake_by_itself()
    assert rig.kinds() == ["heartbeat", "snapshot", "snapshot", "snapshot"]
    first, second, new = rig.pictures()
    assert [first, second] == taken
    assert first["values"]["time"] < second["values"]["time"] < new["values"]["time"]
    assert first["ts"] // 1000 == first["values"]["time"]
    assert abs(first["values"]["time"] - (time.time() - 100)) < 5
    assert [f.upload for f in rig.camera.sd_files] == [1, 1, 1]


def test_backlog_before_the_heartbeat_with_picture_first() -> None:
    rig = Rig(Habits(picture_first=True))
    _offline_pictures(rig, 2)
    rig.runner.wake_by_itself(picture=False)
    assert rig.kinds() == ["snapshot", "snapshot", "heartbeat"]


def test_backlog_uploaded_after_a_wake_message_too() -> None:
    rig = Rig(Habits(woken_picture=False, wake_latency=8))
    _offline_pictures(rig, 1)
    rig.runner.on_wake_message()
    assert rig.kinds() == []
    rig.clock.advance(8)
    assert rig.kinds() == ["heartbeat", "snapshot"]


def test_upload_backlog_max_per_wake() -> None:
    rig = Rig(upload_backlog_max=2)
    taken = _offline_pictures(rig, 3)
    rig.runner.wake_by_itself(picture=False)
    assert rig.pictures() == taken[:2]
    assert [f.upload for f in rig.camera.sd_files] == [1, 1, 0]
    rig.runner.sleep()
    rig.sent.clear()
    rig.runner.wake_by_itself(picture=False)
    assert rig.pictures() == taken[2:]


def test_repeat_uploads_posts_each_backlog_picture_twice() -> None:
    """Identical bytes, time and file, back to back; the wake's own picture once."""
    rig = Rig(repeat_uploads=True)
    taken = _offline_pictures(rig, 2)
    rig.runner.wake_by_itself()
    pictures = rig.pictures()
    assert pictures[:4] == [taken[0], taken[0], taken[1], taken[1]]
    assert len(pictures) == 5


def test_backlog_goes_to_the_cloud_under_takeover() -> None:
    rig = Rig(takeover=True)
    _offline_pictures(rig, 2)
    rig.runner.wake_by_itself(picture=False)
    assert rig.kinds() == ["heartbeat"]
    assert len(rig.camera.cloud_uploads) == 2
    assert [f.upload for f in rig.camera.sd_files] == [1, 1]


def test_add_backlog_spaced_and_ending_before_now() -> None:
    """add_backlog (--backlog): pictures 10 minutes apart, the last 5 minutes ago,
    posted at the first wake."""
    rig = Rig()
    rig.camera.add_backlog(3)
    times = [f.message["values"]["time"] for f in rig.camera.backlog]
    assert [b - a for a, b in itertools.pairwise(times)] == [600, 600]
    assert abs(times[-1] - (time.time() - 300)) < 5
    rig.runner.wake_by_itself(picture=False)
    assert rig.kinds() == ["heartbeat", "snapshot", "snapshot", "snapshot"]
    assert [p["values"]["time"] for p in rig.pictures()] == times


def test_going_offline_while_a_picture_waits_keeps_it_for_later() -> None:
    """A slow act's picture ready when the link is down goes to the backlog."""
    rig = Rig(Habits(act_seconds=5))
    rig.ask("cmd.snapshot")
    rig.camera.go_offline()
    rig.clock.advance(6)
    assert rig.take() == ["answer"]
    assert [f.upload for f in rig.camera.sd_files] == [0]
    rig.camera.go_online()
    rig.runner.wake_by_itself(picture=False)
    assert rig.take() == ["heartbeat", "snapshot"]


# --- 7. the clock -----------------------------------------------------------------------


def _read_clock(camera: SimulatedCamera) -> float:
    """The camera's clock as ``get.time.info`` tells it (seconds)."""
    answer = ask(camera, "get.time.info")
    assert answer is not None
    seconds = parse_camera_time(f"{answer['date']} {answer['time']}")
    assert seconds is not None
    return seconds


def test_time_info_reads_the_cameras_clock() -> None:
    """date and time are its clock now (offset included), not a fixed sample."""
    camera = SimulatedCamera(MAC, clock_offset=-86_400 * 400)
    assert abs(_read_clock(camera) - (time.time() - 86_400 * 400)) < 5


def test_set_time_info_manual_sets_the_clock() -> None:
    """syncMode 1 and timeManual in its own format: the clock reads that time
    (and so do its pictures); timezone and zonename kept."""
    camera = SimulatedCamera(MAC)
    answer = ask(
        camera,
        "set.time.info",
        {"syncMode": 1, "timeManual": "2030-05-06 07:08:09"},
    )
    assert answer == {"code": 0, "result": "OK"}
    wanted = 1_904_281_689.0  # 2030-05-06 07:08:09 UTC
    assert abs(camera.clock() - wanted) < 5
    info = ask(camera, "get.time.info")
    assert info is not None
    assert info["date"] == "2030-05-06"
    assert (info["timezone"], info["zonename"], info["syncMode"]) == ("UTC+0", "UTC", 1)
    assert camera.snapshot()["values"]["file"].startswith("CV2030050607")
    ask(camera, "set.time.info", {"timezone": "UTC+8", "zonename": "Asia/Shanghai"})
    info = ask(camera, "get.time.info")
    assert info is not None
    assert (info["timezone"], info["zonename"]) == ("UTC+8", "Asia/Shanghai")


def test_time_manual_without_manual_mode_leaves_the_clock() -> None:
    camera = SimulatedCamera(MAC)
    ask(camera, "set.time.info", {"syncMode": 0, "timeManual": "2030-05-06 07:08:09"})
    assert abs(camera.clock() - time.time()) < 5


@pytest.mark.parametrize(
    "manual",
    [
        "2030-05-06T07:08:09",
        "2030-05-06+07:08:09",
        "06.05.2030 07:08",
        "2030-13-01 00:00:00",
    ],
)
def test_validate_sets_refuses_time_manual_in_another_format(manual: str) -> None:
    camera = SimulatedCamera(MAC, validate_sets=True)
    answer = ask(camera, "set.time.info", {"syncMode": 1, "timeManual": manual})
    assert answer is not None
    assert answer["code"] == 1
    assert "timeManual" in answer["result"]
    assert abs(camera.clock() - time.time()) < 5
    info = ask(camera, "get.time.info")
    assert info is not None
    assert (info["syncMode"], info["timeManual"]) == (0, "")


def test_time_manual_in_another_format_taken_without_validation() -> None:
    """validate_sets off: taken as text; the clock cannot read it and stays."""
    camera = SimulatedCamera(MAC)
    answer = ask(camera, "set.time.info", {"syncMode": 1, "timeManual": "tomorrow"})
    assert answer == {"code": 0, "result": "OK"}
    assert abs(camera.clock() - time.time()) < 5


# --- the command line ---------------------------------------------------------------------


def test_field_habit_flags_default_off() -> None:
    args = parse_args(["--broker", "127.0.0.1:1883"])
    assert field_habit_options(args) == {
        "vendor_spellings": False,
        "plain_battery": False,
        "snapshot_battery": False,
        "image_size_text": False,
        "takeover": False,
        "mip_supported": True,
        "upload_backlog_max": None,
        "repeat_uploads": False,
    }
    assert all(camera.sd_files == [] for camera in make_cameras(args))


def test_field_habit_flags() -> None:
    args = parse_args(
        [
            "--broker", "127.0.0.1:1883", "--count", "2", "--vendor-spellings",
            "--plain-battery", "--snapshot-battery", "--image-size-text", "--takeover",
            "--no-mip", "--backlog", "3", "--upload-backlog-max", "2",
            "--repeat-uploads", "--clock-offset", "-60",
        ]
    )  # fmt: skip
    assert field_habit_options(args) == {
        "vendor_spellings": True,
        "plain_battery": True,
        "snapshot_battery": True,
        "image_size_text": True,
        "takeover": True,
        "mip_supported": False,
        "upload_backlog_max": 2,
        "repeat_uploads": True,
    }
    cameras = make_cameras(args)
    assert [len(camera.backlog) for camera in cameras] == [3, 3]
    assert cameras[0].clock_offset == -60.0
    assert cameras[0].settings["mip.info"]["takeOverPlatform"] == 1


@pytest.mark.parametrize("flag", ["--backlog", "--upload-backlog-max"])
def test_negative_counts_are_refused(
    flag: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        parse_args(["--broker", "127.0.0.1:1883", flag, "-1"])
    assert "must not be negative" in capsys.readouterr().err
