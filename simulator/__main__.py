"""Run simulated X5 cameras: python -m simulator --broker HOST:PORT --mac MAC [...]."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from typing import Any

from .device import SimulatedCamera, clock_1970_offset
from .mqtt import BrokerUnreachableError, SimulatorHub


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
        "--awake", type=float, default=20, help="seconds awake after a wake-up"
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
        default=3.0,
        help="how long a silent reboot lasts (default 3)",
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
    args = parser.parse_args(argv)
    host, _, port = args.broker.rpartition(":")
    if not host or not port.isdigit():
        parser.error("--broker must be HOST:PORT, for example 127.0.0.1:1883")
    args.host, args.port = host, int(port)
    if args.reboot_seconds < 0:
        parser.error("--reboot-seconds must not be negative")
    try:
        args.macs = _macs(args.mac, args.count)
    except ValueError:
        parser.error(f"--mac {args.mac!r} is not a MAC address")
    return args


async def _serve_http(
    cameras: list[SimulatedCamera], first_port: int, password: str, hub: SimulatorHub
) -> list:
    from aiohttp import web

    from .http import create_app

    runners = []
    for offset, camera in enumerate(cameras):
        runner = web.AppRunner(
            create_app(camera, password=password, on_reboot=hub.reboot_started)
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
        "reboot_seconds": args.reboot_seconds,
        "clock_offset": clock_1970_offset() if args.clock_1970 else args.clock_offset,
    }


async def _main(args: argparse.Namespace) -> int:
    cameras = [SimulatedCamera(mac, **camera_options(args)) for mac in args.macs]
    hub = SimulatorHub(
        cameras,
        args.host,
        args.port,
        interval=args.interval,
        awake_window=args.awake,
        client_id=args.client_id,
    )
    try:
        hub.start()
    except BrokerUnreachableError as err:
        print(f"simulator: {err}", file=sys.stderr)
        return 2
    print(
        f"Simulating {len(cameras)} camera(s) {', '.join(args.macs)} on {args.broker}"
        f" as MQTT client {hub.client_id}"
    )
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
