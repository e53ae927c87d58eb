"""Start the demo: broker, Home Assistant (configured), three simulated cameras.

Run through scripts/demo, which installs what this needs. The config dir under
.demo/ is written at the first run (see demo_config.py) and kept between runs
(``--fresh`` starts over). Each camera wakes every --interval seconds and posts a
picture (noise, PIR, timed, temperature in turn): the media browser's history fills
as the demo runs. A restart from Home Assistant's UI restarts Home Assistant; the
broker and the cameras go on.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
from pathlib import Path
import shutil
import signal
import socket
import subprocess
import sys
import time

from demo_api import (
    PASSWORD,
    USERNAME,
    create_user,
    log_in,
    start_copy,
    wait_for_cameras,
)
from demo_config import (
    CAMERAS,
    FIELD_HABITS,
    keep_config,
    user_created,
    write_config,
)

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
RESTART_EXIT_CODE = 100  # Home Assistant's, when a restart is asked from its UI
MQTT_PORT = 1883


def free_port() -> int:
    """A free loopback TCP port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_broker(workdir: Path, port: int, kind: str) -> subprocess.Popen[bytes]:
    """mosquitto when installed (or asked for), else amqtt from .venv-broker."""
    mosquitto = shutil.which("mosquitto") or (
        "/usr/sbin/mosquitto" if Path("/usr/sbin/mosquitto").exists() else None
    )
    log = (workdir / "broker.log").open("ab")
    if mosquitto and kind != "amqtt":
        conf = workdir / "mosquitto.conf"
        conf.write_text(
            f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
        )
        print(f"broker: mosquitto on 127.0.0.1:{port}")
        return subprocess.Popen([mosquitto, "-c", str(conf)], stdout=log, stderr=log)
    amqtt = ROOT / ".venv-broker" / "bin" / "amqtt"
    if not amqtt.exists():
        raise SystemExit(
            "no MQTT broker: install mosquitto, or run scripts/demo (installs amqtt)"
        )
    conf = workdir / "amqtt.yaml"
    conf.write_text(
        f"listeners:\n  default:\n    type: tcp\n    bind: 127.0.0.1:{port}\n"
        "auth:\n  allow-anonymous: true\n"
    )
    print(f"broker: amqtt on 127.0.0.1:{port}")
    return subprocess.Popen([str(amqtt), "-c", str(conf)], stdout=log, stderr=log)


def wait_port(port: int, limit: float) -> None:
    """Wait until something listens on the loopback port."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        with (
            contextlib.suppress(OSError),
            socket.create_connection(("127.0.0.1", port), 0.5),
        ):
            return
        time.sleep(0.2)
    raise RuntimeError(f"nothing listens on port {port} after {limit:.0f} s")


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    """Stop the children, newest first."""
    for process in reversed(processes):
        if process.poll() is None:
            process.send_signal(
                signal.SIGINT
                if len(processes) > 1 and process is processes[1]
                else signal.SIGTERM
            )
    for process in reversed(processes):
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def _port_free(port: int) -> bool:
    """Whether a broker could listen on ``port`` (as mosquitto binds: a port whose
    last connections linger in TIME_WAIT is free)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def broker_port(workdir: Path, asked: int) -> int:
    """The broker's port: asked, else the last run's (the printed commands stay
    true), else MQTT's own 1883 when free, else any free one; remembered."""
    remembered = workdir / "demo.json"
    known = json.loads(remembered.read_text()) if remembered.exists() else {}
    port = asked or known.get("broker_port", 0)
    if not port or (not asked and not _port_free(port)):
        port = MQTT_PORT if _port_free(MQTT_PORT) else free_port()
    remembered.write_text(json.dumps({**known, "broker_port": port}))
    return int(port)


def start_hass(config: Path, workdir: Path) -> subprocess.Popen[bytes]:
    """Home Assistant on ``config``, its output in home-assistant.log."""
    return subprocess.Popen(
        [PYTHON, "-m", "homeassistant", "-c", str(config)],
        stdout=(workdir / "home-assistant.log").open("ab"),
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def start_cameras(
    workdir: Path, port: int, interval: float
) -> list[subprocess.Popen[bytes]]:
    """The simulated cameras: garden and barn, and the field camera with its habits."""
    macs = list(CAMERAS)
    return [
        subprocess.Popen(
            [
                PYTHON,
                "-m",
                "simulator",
                "--broker",
                f"127.0.0.1:{port}",
                "--mac",
                first,
                "--count",
                str(count),
                "--interval",
                str(interval),
                "--awake",
                "20",
                *habits,
            ],  # fmt: skip
            cwd=ROOT,
            stdout=(workdir / "simulator.log").open("ab"),
            stderr=subprocess.STDOUT,
        )
        for first, count, habits in ((macs[0], 2, []), (macs[2], 1, FIELD_HABITS))
    ]


def ready_text(base: str, port: int, workdir: Path, seconds: float) -> str:
    """What the demo prints once ready: where, the login, and commands to try."""
    broker = f"127.0.0.1:{port}"
    camera = "scripts/camera --broker " + broker
    garden = next(iter(CAMERAS))
    return (
        f"\nDemo ready in {seconds:.0f} s: {base}\n"
        f"  login: {USERNAME} / {PASSWORD}\n"
        f"  cameras: {', '.join(f'{t} ({m})' for m, t in CAMERAS.items())}\n"
        f"  MQTT broker: {broker} (anonymous)\n"
        f"  logs and config: {workdir} (kept; scripts/demo --fresh starts over)\n"
        "Try, in another terminal:\n"
        f"  another camera:  {camera} --mac 1CC3164126B0\n"
        "                   then add it: Settings > Devices & services > Add"
        " integration > Milesight X5, MAC 1CC3164126B0\n"
        f"  an alarm:        {camera} --mac {garden} --once --alarm low_power\n"
        f"  a capture:       {camera} --mac {garden} --once --capture PIR\n"
        "Restarting Home Assistant from its UI keeps the demo going. Ctrl-C stops"
        " everything."
    )


def main() -> int:
    """Run the demo until Ctrl-C (or --run-for seconds)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8123, help="Home Assistant's port")
    parser.add_argument(
        "--broker-port",
        type=int,
        default=0,
        help="broker port (0: the last run's, else 1883 when free, else any free)",
    )
    parser.add_argument(
        "--dir", type=Path, default=ROOT / ".demo", help="the demo's directory"
    )
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="start over: a new config (what was made in the UI is lost)",
    )
    parser.add_argument("--run-for", type=float, default=0, help="stop after N seconds")
    parser.add_argument(
        "--interval", type=float, default=60, help="camera wake-up interval"
    )
    parser.add_argument(
        "--broker",
        choices=["auto", "amqtt"],
        default="auto",
        help="amqtt: skip mosquitto",
    )
    args = parser.parse_args()

    started = time.monotonic()
    workdir: Path = args.dir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    port = broker_port(workdir, args.broker_port)
    config = workdir / "config"
    kept = not args.fresh and keep_config(config, args.port, port)
    if not kept:
        write_config(config, args.port, port)
    print("config: kept from the last run" if kept else "config: fresh")
    processes: list[subprocess.Popen[bytes]] = []
    try:
        processes.append(start_broker(workdir, port, args.broker))
        wait_port(port, 15)
        processes.append(start_hass(config, workdir))
        base = f"http://127.0.0.1:{args.port}"
        tokens = asyncio.run(
            log_in(base) if user_created(config) else create_user(base)
        )
        (workdir / "tokens.json").write_text(json.dumps({**tokens, "hassUrl": base}))
        asyncio.run(wait_for_cameras(base, tokens["access_token"], required=not kept))
        (workdir / "token").write_text(tokens["access_token"])
        processes += start_cameras(workdir, port, args.interval)
        copy = "" if kept else asyncio.run(start_copy(base, tokens["access_token"]))
        print(ready_text(base, port, workdir, time.monotonic() - started), flush=True)
        if copy:
            print(copy, flush=True)
        deadline = time.monotonic() + args.run_for if args.run_for else None
        while deadline is None or time.monotonic() < deadline:
            if (code := processes[1].poll()) == RESTART_EXIT_CODE:
                print("demo: Home Assistant restarts (asked from its UI)", flush=True)
                processes[1] = start_hass(config, workdir)
            elif code is not None:
                print(f"demo: Home Assistant stopped (exit code {code})")
                return 0 if code == 0 else 1
            elif any(p.poll() is not None for p in processes):
                print(
                    "demo: a process ended early; see the logs in",
                    workdir,
                    file=sys.stderr,
                )
                return 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nstopping...")
    finally:
        stop(processes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
