"""Run simulated X5 cameras: python -m simulator --broker HOST:PORT --mac MAC [...]."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import os
import signal
import sys
from typing import Any

from .device import SimulatedCamera, clock_1970_offset
from .mqtt import BrokerUnreachableError, SimulatorHub
from .runner import Habits

# Command-line flag (argparse dest) -> Habits field, for the flags that set one.
HABIT_FLAGS = {
    "wake_latency": "wake_latency",
    "rtt": "rtt",
    "awake": "awake_window",
    "requests_keep_awake": "requests_keep_awake",
    "picture_first": "picture_first",
    "wake_picture": "wake_picture",
    "woken_picture": "woken_picture",
    "act_seconds": "act_seconds",
    "late_every": "late_every",
    "late_by": "late_by",
    "repeat_answers": "repeat_answers",
    "wake_when_awake": "wake_when_awake",
    "reboot_restarts": "reboot_restarts",
    "reboot_seconds": "reboot_seconds",
    "install_seconds": "install_seconds",
}
# --alarm TYPE: the alarm types Home Assistant shows, as the camera's text.
ALARM_TEXTS = {
    "low_power": "Low power",
    "storage": "SD card full",
    "temperature": "Temperature alarm",
    "noise": "Noise alarm",
}
SECONDS = ("wake_latency", "rtt", "awake", "act_seconds", "late_by", "reboot_seconds",
           "install_seconds")  # fmt: skip


def _macs(first: str, count: int) -> list[str]:
    """``count`` MACs counting up from ``first`` (12 hex digits)."""
    base = int(first.replace(":", "").replace("-", ""), 16)
    return [f"{base + i:012X}" for i in range(count)]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m simulator", description=__doc__)
    parser.add_argument("--broker", required=True, help="MQTT broker as HOST:PORT")
    parser.add_argument("--mac", default="1CC3164126A2", help="MAC of the first camera")
    parser.add_argument("--count", type=int, default=1, help="how many cameras")
    parser.add_argument(
        "--interval", type=float, default=60, help="seconds between wake-ups"
    )
    parser.add_argument(
        "--awake",
        type=float,
        metavar="SECONDS",
        help="seconds awake after its own last activity (wake, uplink, act);"
        " default 20, 6 with --field",
    )
    parser.add_argument(
        "--http-port",
        type=int,
        default=0,
        help="serve the HTTP API from this port (one per camera)",
    )
    parser.add_argument("--password", default="ms123456", help="HTTP password")
    parser.add_argument(
        "--client-id",
        help="MQTT client id (default: x5-simulator-<pid>-<random>, unique per process)",
    )
    parser.add_argument(
        "--tls-ca",
        metavar="FILE",
        help="connect to the broker over TLS, trusting the CA certificate(s) in this"
        " PEM file (default: plain MQTT)",
    )
    parser.add_argument("--mqtt-user", help="MQTT user name (default: anonymous)")
    parser.add_argument("--mqtt-password", help="MQTT password (with --mqtt-user)")
    variants = parser.add_argument_group(
        "camera behaviour (every camera of this process; defaults: the convenient one)"
    )
    variants.add_argument(
        "--external-power",
        action="store_true",
        help="powered over USB-C: never sleeps, ignores wakes, heartbeat only every"
        " --interval seconds, powerSupply 1",
    )
    variants.add_argument(
        "--snapshot-picture-only",
        action="store_true",
        help="cmd.snapshot gets no answer on the response topic, only the picture",
    )
    variants.add_argument(
        "--set-replaces",
        action="store_true",
        help="a set.* replaces each top-level object it carries (no deep merge)",
    )
    variants.add_argument(
        "--reboot-silent",
        action="store_true",
        help="cmd.reboot gets no answer; silent --reboot-seconds, then a heartbeat",
    )
    variants.add_argument(
        "--reboot-seconds",
        type=float,
        metavar="SECONDS",
        help="how long a restart is silent before its heartbeat (default 3, 30 with"
        " --field)",
    )
    variants.add_argument(
        "--validate-sets",
        action=argparse.BooleanOptionalAction,
        help="refuse a set.* with an unknown or read-only field, a wrong type or a"
        " value out of range (on with --field)",
    )
    clock = variants.add_mutually_exclusive_group()
    clock.add_argument(
        "--clock-1970",
        action="store_true",
        help="the camera's clock starts at 1970-01-01 00:00:00 (no GPS, no manual time)",
    )
    clock.add_argument(
        "--clock-offset",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="seconds added to every time the camera sends (negative: behind)",
    )
    family = parser.add_argument_group(
        "field habits of the X5 family (docs NOTES; every camera of this process;"
        " default: off)"
    )
    family.add_argument(
        "--vendor-spellings",
        action="store_true",
        help='snapType as the family spells it: "Button" (manual), "Timer"/"Scheduled"'
        ' (timed), "Alarm in" (digital input, --capture DI)',
    )
    family.add_argument(
        "--plain-battery",
        action="store_true",
        help="the heartbeat's battery is a plain percentage, not the guide's object",
    )
    family.add_argument(
        "--snapshot-battery",
        action="store_true",
        help="each snapshot carries the heartbeat's battery too",
    )
    family.add_argument(
        "--image-size-text",
        action="store_true",
        help="imageSize counts the data-URI text, not the decoded bytes",
    )
    family.add_argument(
        "--takeover",
        action="store_true",
        help="mip.info at the guide's defaults (all 1): pictures go to the vendor's"
        " cloud, not the snapshot topic, until set.mip.info turns takeOverPlatform or"
        " dataReportTakeover off",
    )
    family.add_argument(
        "--no-mip",
        action="store_true",
        help="firmware before 3x.1.0.3-r1: get/set.mip.info get no answer",
    )
    family.add_argument(
        "--backlog",
        type=int,
        default=0,
        metavar="N",
        help="N pictures taken offline before the start (10 minutes apart, the last"
        " 5 minutes ago), uploaded at the first wake",
    )
    family.add_argument(
        "--upload-backlog-max",
        type=int,
        metavar="N",
        help="at most N backlog pictures uploaded per wake (default: all)",
    )
    family.add_argument(
        "--repeat-uploads",
        action="store_true",
        help="each backlog picture is posted twice, identical",
    )
    family.add_argument(
        "--no-wake-by-mqtt",
        action="store_true",
        help="wake by MQTT off (wakeupByMQTT 0): only its own wakes (timer, triggers)",
    )
    habits = parser.add_argument_group(
        "timing habits (every camera of this process; defaults: the convenient ones)"
    )
    habits.add_argument(
        "--field",
        action="store_true",
        help="the unkind field preset (Habits.field(), and --validate-sets);"
        " the flags below override it",
    )
    seconds: dict[str, str] = {
        "--wake-latency": "seconds from a wake to its heartbeat (modem up)",
        "--rtt": "seconds from a request to its answer",
        "--act-seconds": "cmd.snapshot's picture comes this long after the request",
        "--late-by": "a late answer's extra seconds",
        "--install-seconds": "upgrade.online downloads this long, then restarts"
        " (default: installed at once, no restart)",
    }
    for flag, text in seconds.items():
        habits.add_argument(flag, type=float, metavar="SECONDS", help=text)
    habits.add_argument(
        "--late-every",
        type=int,
        metavar="N",
        help="every Nth answer is late by --late-by seconds (in order)",
    )
    switches: dict[str, str] = {
        "--requests-keep-awake": "an answered request restarts the awake window"
        " (default on, off with --field)",
        "--picture-first": "a wake's picture before its heartbeat",
        "--wake-picture": "a wake by itself posts a picture (default on)",
        "--woken-picture": "a wake by the wake topic posts a picture (default on,"
        " off with --field)",
        "--repeat-answers": "each answer published twice (QoS 1 duplicate)",
        "--reboot-restarts": "an answered cmd.reboot restarts the camera",
    }
    for flag, text in switches.items():
        habits.add_argument(flag, action=argparse.BooleanOptionalAction, help=text)
    habits.add_argument(
        "--wake-when-awake",
        choices=("nothing", "heartbeat"),
        help="what a wake reaching an awake camera does (default nothing)",
    )
    by_hand = parser.add_argument_group("right after start, from every camera")
    by_hand.add_argument(
        "--alarm",
        action="append",
        default=[],
        metavar="TYPE",
        help=f"post one alarm: {', '.join(ALARM_TEXTS)}, or the camera's own text"
        ' (e.g. "Low power"); repeatable',
    )
    by_hand.add_argument(
        "--capture",
        action="append",
        default=[],
        metavar="TRIGGER[:VALUE]",
        help="post one picture of this trigger (e.g. PIR, Noise:78); repeatable",
    )
    by_hand.add_argument(
        "--once",
        action="store_true",
        help="post the --alarm and --capture messages, then exit: no wakes of its own,"
        " no answers (fires a trigger of a camera another simulator runs)",
    )
    args = parser.parse_args(argv)
    host, _, port = args.broker.rpartition(":")
    if not host or not port.isdigit():
        parser.error("--broker must be HOST:PORT, for example 127.0.0.1:1883")
    args.host, args.port = host, int(port)
    if args.mqtt_password is not None and args.mqtt_user is None:
        parser.error("--mqtt-password needs --mqtt-user")
    if args.tls_ca is not None and not os.path.isfile(args.tls_ca):
        parser.error(f"--tls-ca {args.tls_ca!r} is not a file")
    for dest in SECONDS:
        if (value := getattr(args, dest)) is not None and value < 0:
            parser.error(f"--{dest.replace('_', '-')} must not be negative")
    for dest in ("late_every", "backlog", "upload_backlog_max"):
        if (value := getattr(args, dest)) is not None and value < 0:
            parser.error(f"--{dest.replace('_', '-')} must not be negative")
    if args.once and not (args.alarm or args.capture):
        parser.error("--once needs an --alarm or a --capture")
    args.alarms = [ALARM_TEXTS.get(text.lower(), text) for text in args.alarm]
    args.captures = []
    for capture in args.capture:
        trigger, _, value = capture.partition(":")
        if not trigger:
            parser.error(f"--capture {capture!r} names no trigger")
        args.captures.append((trigger, value))
    try:
        args.macs = _macs(args.mac, args.count)
    except ValueError:
        parser.error(f"--mac {args.mac!r} is not a MAC address")
    return args


def habit_options(args: argparse.Namespace) -> Habits:
    """The timing habits the command line asks for: ``Habits()`` or, with
    ``--field``, ``Habits.field()``, each flag given overriding its field."""
    changes = {
        field: getattr(args, dest)
        for dest, field in HABIT_FLAGS.items()
        if getattr(args, dest) is not None
    }
    base = Habits.field() if args.field else Habits()
    return dataclasses.replace(base, **changes)


async def _serve_http(
    cameras: list[SimulatedCamera], first_port: int, password: str, hub: SimulatorHub
) -> list[Any]:
    from aiohttp import web

    from .http import create_app

    runners = []
    for offset, camera in enumerate(cameras):
        runner = web.AppRunner(
            create_app(
                camera,
                password=password,
                on_reboot=hub.reboot_started,
                on_install=hub.install_started,
            )
        )
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", first_port + offset).start()
        print(f"HTTP API of {camera.mac} on http://127.0.0.1:{first_port + offset}")
        runners.append(runner)
    return runners


def camera_options(args: argparse.Namespace) -> dict[str, Any]:
    """The SimulatedCamera switches the command line asks for."""
    return {
        "external_power": args.external_power,
        "snapshot_answer": not args.snapshot_picture_only,
        "set_replaces_objects": args.set_replaces,
        "reboot_answer": not args.reboot_silent,
        "reboot_seconds": 3.0 if args.reboot_seconds is None else args.reboot_seconds,
        "clock_offset": clock_1970_offset() if args.clock_1970 else args.clock_offset,
        "validate_sets": args.field
        if args.validate_sets is None
        else args.validate_sets,
    }


def field_habit_options(args: argparse.Namespace) -> dict[str, Any]:
    """The SimulatedCamera switches of the X5 family's field habits the command
    line asks for (``--backlog`` is applied to each camera after, by
    :meth:`~.device.SimulatedCamera.add_backlog`)."""
    return {
        "vendor_spellings": args.vendor_spellings,
        "plain_battery": args.plain_battery,
        "snapshot_battery": args.snapshot_battery,
        "image_size_text": args.image_size_text,
        "takeover": args.takeover,
        "mip_supported": not args.no_mip,
        "upload_backlog_max": args.upload_backlog_max,
        "repeat_uploads": args.repeat_uploads,
    }


def mqtt_options(args: argparse.Namespace) -> dict[str, Any]:
    """The SimulatorHub's connection options the command line asks for (TLS,
    login)."""
    return {
        "tls_ca": args.tls_ca,
        "username": args.mqtt_user,
        "password": args.mqtt_password,
    }


def make_cameras(args: argparse.Namespace) -> list[SimulatedCamera]:
    """The cameras the command line asks for, each with its ``--backlog``."""
    cameras = [
        SimulatedCamera(mac, **camera_options(args), **field_habit_options(args))
        for mac in args.macs
    ]
    for camera in cameras:
        camera.add_backlog(args.backlog)
        if args.no_wake_by_mqtt:
            camera.settings["wakeup.info"]["wakeupByMQTT"] = 0
    return cameras


async def _main(args: argparse.Namespace) -> int:
    cameras = make_cameras(args)
    hub = SimulatorHub(
        cameras,
        args.host,
        args.port,
        interval=args.interval,
        habits=habit_options(args),
        client_id=args.client_id,
        **mqtt_options(args),
    )
    try:
        hub.start(listen=not args.once)
    except BrokerUnreachableError as err:
        print(f"simulator: {err}", file=sys.stderr)
        return 2
    print(
        f"Simulating {len(cameras)} camera(s) {', '.join(args.macs)} on {args.broker}"
        f" as MQTT client {hub.client_id}"
    )
    print(f"Habits: {hub.habits}")
    for mac in args.macs:
        for text in args.alarms:
            hub.alarm(mac, text)
        for trigger, value in args.captures:
            hub.capture(mac, trigger, value)
    if args.once:
        hub.stop(flush=True)
        print(f"Posted {len(args.alarms)} alarm(s), {len(args.captures)} picture(s)")
        return 0
    runners = (
        await _serve_http(cameras, args.http_port, args.password, hub)
        if args.http_port
        else []
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    hub.stop()
    for runner in runners:
        await runner.cleanup()
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s"
    )
    return asyncio.run(_main(parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
