"""The simulator's command line: clear errors before anything runs."""

from __future__ import annotations

from pathlib import Path
import subprocess
import sys

import pytest

from simulator import SimulatedCamera
from simulator.__main__ import (
    camera_options,
    habit_options,
    mqtt_options,
    parse_args,
)
from simulator.runner import Habits

from .helpers import subprocess_env

ROOT = Path(__file__).resolve().parent.parent


def test_cameras_count_up_from_the_first_mac() -> None:
    """--count N simulates N cameras with consecutive MACs."""
    args = parse_args(
        ["--broker", "127.0.0.1:1883", "--mac", "1c:c3:16:41:26:a2", "--count", "3"]
    )
    assert args.macs == ["1CC3164126A2", "1CC3164126A3", "1CC3164126A4"]
    assert (args.host, args.port) == ("127.0.0.1", 1883)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--broker", "localhost"], "--broker must be HOST:PORT"),
        (["--broker", "127.0.0.1:1883", "--mac", "zz"], "is not a MAC address"),
        (
            ["--broker", "127.0.0.1:1883", "--reboot-seconds", "-1"],
            "--reboot-seconds must not be negative",
        ),
        (
            ["--broker", "127.0.0.1:1883", "--clock-1970", "--clock-offset", "5"],
            "not allowed with argument",
        ),
        (["--broker", "h:1", "--rtt", "-0.5"], "--rtt must not be negative"),
        (["--broker", "h:1", "--awake", "-1"], "--awake must not be negative"),
        (
            ["--broker", "h:1", "--wake-latency", "-1"],
            "--wake-latency must not be negative",
        ),
        (
            ["--broker", "h:1", "--late-every", "-2"],
            "--late-every must not be negative",
        ),
        (["--broker", "h:1", "--wake-when-awake", "loud"], "invalid choice"),
        (["--broker", "h:1", "--capture", ":5"], "names no trigger"),
        (["--broker", "h:1", "--once"], "--once needs an --alarm or a --capture"),
        (["--broker", "h:1", "--mqtt-password", "pw"], "--mqtt-password needs"),
        (["--broker", "h:1", "--tls-ca", "/nonexistent/ca.crt"], "is not a file"),
    ],
)
def test_bad_arguments(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Bad arguments stop with a usage error that says what is wrong."""
    with pytest.raises(SystemExit) as err:
        parse_args(argv)
    assert err.value.code == 2
    assert message in capsys.readouterr().err


@pytest.mark.usefixtures("socket_enabled")
def test_unreachable_broker(unused_tcp_port: int) -> None:
    """Nothing listening: exit code 2 and a one-line reason, no traceback."""
    result = subprocess.run(
        [sys.executable, "-m", "simulator", "--broker", f"127.0.0.1:{unused_tcp_port}"],
        cwd=ROOT,
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert (
        f"cannot connect to the MQTT broker at 127.0.0.1:{unused_tcp_port}"
        in result.stderr
    )
    assert "Traceback" not in result.stderr


def test_defaults_are_the_convenient_camera() -> None:
    """No behaviour flag: cameras as before (battery, answers everything)."""
    args = parse_args(["--broker", "127.0.0.1:1883"])
    assert camera_options(args) == {
        "external_power": False,
        "snapshot_answer": True,
        "set_replaces_objects": False,
        "reboot_answer": True,
        "reboot_seconds": 3.0,
        "clock_offset": 0.0,
        "validate_sets": False,
    }
    assert habit_options(args) == Habits()
    assert (args.alarm, args.captures) == ([], [])


def test_external_power_flag() -> None:
    """--external-power: a camera that never sleeps."""
    args = parse_args(["--broker", "127.0.0.1:1883", "--external-power"])
    assert camera_options(args)["external_power"] is True


def test_snapshot_picture_only_flag() -> None:
    """--snapshot-picture-only: cmd.snapshot gets no answer."""
    args = parse_args(["--broker", "127.0.0.1:1883", "--snapshot-picture-only"])
    assert camera_options(args)["snapshot_answer"] is False


def test_set_replaces_flag() -> None:
    """--set-replaces: a set.* replaces the objects it carries."""
    args = parse_args(["--broker", "127.0.0.1:1883", "--set-replaces"])
    assert camera_options(args)["set_replaces_objects"] is True


def test_reboot_silent_flags() -> None:
    """--reboot-silent and --reboot-seconds: an unanswered reboot of that length."""
    args = parse_args(
        ["--broker", "127.0.0.1:1883", "--reboot-silent", "--reboot-seconds", "7.5"]
    )
    options = camera_options(args)
    assert (options["reboot_answer"], options["reboot_seconds"]) == (False, 7.5)


def test_clock_flags() -> None:
    """--clock-offset shifts the camera's clock; --clock-1970 sets it to 1970."""
    args = parse_args(["--broker", "127.0.0.1:1883", "--clock-offset", "-3600"])
    assert camera_options(args)["clock_offset"] == -3600.0
    args = parse_args(["--broker", "127.0.0.1:1883", "--clock-1970"])
    camera = SimulatedCamera("1CC3164126A2", **camera_options(args))
    assert 0 <= camera.clock() < 60


def test_client_id_flag() -> None:
    """--client-id names the MQTT client; by default each process picks its own."""
    assert parse_args(["--broker", "127.0.0.1:1883"]).client_id is None
    args = parse_args(["--broker", "127.0.0.1:1883", "--client-id", "barn-sim"])
    assert args.client_id == "barn-sim"


def test_mqtt_connection_flags(tmp_path: Path) -> None:
    """--tls-ca, --mqtt-user and --mqtt-password reach the hub; by default plain
    and anonymous (--password stays the HTTP one)."""
    assert mqtt_options(parse_args(["--broker", "h:1"])) == {
        "tls_ca": None,
        "username": None,
        "password": None,
    }
    ca = tmp_path / "ca.crt"
    ca.write_text("")
    args = parse_args(
        [
            *("--broker", "cloud.example:8883", "--tls-ca", str(ca)),
            *("--mqtt-user", "cam", "--mqtt-password", "secret", "--password", "http"),
        ]
    )
    assert mqtt_options(args) == {
        "tls_ca": str(ca),
        "username": "cam",
        "password": "secret",
    }
    assert args.password == "http"
    assert mqtt_options(parse_args(["--broker", "h:1", "--mqtt-user", "cam"])) == {
        "tls_ca": None,
        "username": "cam",
        "password": None,
    }


def test_field_flag_is_the_preset_and_validates_sets() -> None:
    """--field: Habits.field() and a camera that refuses bad set.* values."""
    args = parse_args(["--broker", "127.0.0.1:1883", "--field"])
    assert habit_options(args) == Habits.field()
    assert camera_options(args)["validate_sets"] is True
    args = parse_args(["--broker", "h:1", "--field", "--no-validate-sets"])
    assert camera_options(args)["validate_sets"] is False
    args = parse_args(["--broker", "h:1", "--validate-sets"])
    assert camera_options(args)["validate_sets"] is True
    assert habit_options(args) == Habits()


def test_each_habit_flag_sets_its_habit() -> None:
    """Every timing flag reaches its Habits field."""
    argv = [
        *("--broker", "127.0.0.1:1883"),
        *("--wake-latency", "8", "--rtt", "0.8", "--awake", "6"),
        *("--no-requests-keep-awake", "--picture-first", "--no-wake-picture"),
        *("--no-woken-picture", "--act-seconds", "5", "--late-every", "3"),
        *("--late-by", "4", "--repeat-answers", "--wake-when-awake", "heartbeat"),
        *("--reboot-restarts", "--reboot-seconds", "7", "--install-seconds", "9"),
    ]
    args = parse_args(argv)
    assert habit_options(args) == Habits(
        wake_latency=8,
        rtt=0.8,
        awake_window=6,
        requests_keep_awake=False,
        picture_first=True,
        wake_picture=False,
        woken_picture=False,
        act_seconds=5,
        late_every=3,
        late_by=4,
        repeat_answers=True,
        wake_when_awake="heartbeat",
        reboot_restarts=True,
        reboot_seconds=7,
        install_seconds=9,
    )
    assert camera_options(args)["reboot_seconds"] == 7


def test_flags_override_the_field_preset() -> None:
    """--field with a flag: the preset, that one field changed (either way)."""
    args = parse_args(
        [
            *("--broker", "h:1", "--field", "--awake", "12"),
            *("--requests-keep-awake", "--late-every", "2", "--late-by", "3"),
        ]
    )
    assert habit_options(args) == Habits.field(
        awake_window=12, requests_keep_awake=True, late_every=2, late_by=3
    )


def test_existing_awake_flag_is_the_awake_window() -> None:
    """--awake (the demo passes it) still sets how long a camera stays awake."""
    args = parse_args(["--broker", "h:1", "--awake", "20"])
    assert habit_options(args).awake_window == 20


def test_alarm_and_capture_flags() -> None:
    """--alarm TYPE or TEXT and --capture TRIGGER[:VALUE], each repeatable."""
    args = parse_args(
        [
            *("--broker", "h:1", "--alarm", "Low power", "--alarm", "SD card full"),
            *("--alarm", "low_power", "--alarm", "Noise"),
            *("--capture", "PIR", "--capture", "Noise:78"),
        ]
    )
    assert args.alarms == ["Low power", "SD card full", "Low power", "Noise alarm"]
    assert not args.once
    assert args.captures == [("PIR", ""), ("Noise", "78")]


def test_no_wake_by_mqtt_flag() -> None:
    """--no-wake-by-mqtt: the camera reports wake by MQTT off and a wake does not
    wake it (the demo's field camera: a settings copy waits for its own wake)."""
    from simulator.__main__ import make_cameras

    (camera,) = make_cameras(parse_args(["--broker", "h:1", "--no-wake-by-mqtt"]))
    assert camera.settings["wakeup.info"]["wakeupByMQTT"] == 0
    camera.sleep()
    assert camera.wake() is None
    (default,) = make_cameras(parse_args(["--broker", "h:1"]))
    assert default.settings["wakeup.info"]["wakeupByMQTT"] == 1
