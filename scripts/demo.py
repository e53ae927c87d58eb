"""Start the demo: broker, Home Assistant (configured), two simulated cameras.

Run through scripts/demo, which installs what this needs. A throwaway config dir is
made under .demo/: onboarding done except the user (created through the onboarding
endpoint, so nothing is set up that calls the internet), HA's MQTT integration on
the demo broker, this integration with two cameras, an "X5 cameras" dashboard
(picture cards on the camera entities) and the automation editor (automations.yaml,
the repository's blueprints). Each camera wakes every --interval seconds and posts a
picture (noise, PIR, timed, temperature in turn): the media browser's history fills
as the demo runs.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from datetime import UTC, datetime
import json
import os
from pathlib import Path
import shutil
import signal
import socket
import subprocess
import sys
import time
from typing import Any
import uuid

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DOMAIN = "milesight_x5"
CAMERAS = {
    "1CC3164126A2": "Garden camera",
    "1CC3164126A3": "Barn camera",
    "1CC3164126A4": "Field camera",
}
# The field camera shows the X5 family's habits: three pictures it took while
# offline come late at its first wake (kept in the history, no notification), its
# snapTypes spelled the vendor's other ways, its battery a plain percentage.
FIELD_HABITS = ["--backlog", "3", "--vendor-spellings", "--plain-battery"]
DASHBOARD = {"id": "x5_cameras", "url_path": "x5-cameras", "title": "X5 cameras"}
USERNAME, PASSWORD = "demo", "x5-demo-pass"
TOPICS = {
    "heartbeat_topic": "X5SensingCam/Status",
    "snapshot_topic": "X5SensingCam/Snapshot",
    "alarm_topic": "X5SensingCam/Alarm",
    "request_topic": "X5SensingCam/ConfigureRequest",
    "response_topic": "X5SensingCam/ConfigureRespond",
}


def free_port() -> int:
    """A free loopback TCP port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _storage(key: str, data: Any, version: int = 1, minor: int = 1) -> str:
    return json.dumps(
        {"version": version, "minor_version": minor, "key": key, "data": data}
    )


def _entry(
    domain: str, title: str, data: dict[str, Any], unique_id: str | None, **extra: Any
) -> dict[str, Any]:
    now = datetime.now(UTC).isoformat()
    return {
        "created_at": now,
        "modified_at": now,
        "data": data,
        "discovery_keys": {},
        "disabled_by": None,
        "domain": domain,
        "entry_id": uuid.uuid4().hex,
        "minor_version": extra.get("minor_version", 1),
        "options": extra.get("options", {}),
        "pref_disable_new_entities": False,
        "pref_disable_polling": False,
        "source": "user",
        "subentries": [],
        "title": title,
        "unique_id": unique_id,
        "version": 1,
    }


def write_config(config: Path, ha_port: int, broker_port: int) -> None:
    """A fresh config dir with onboarding (but the user) done and the entries in place."""
    shutil.rmtree(config, ignore_errors=True)
    (config / ".storage").mkdir(parents=True)
    (config / "custom_components").mkdir()
    (config / "custom_components" / "milesight_x5").symlink_to(
        ROOT / "custom_components" / "milesight_x5"
    )
    (config / "configuration.yaml").write_text(
        "homeassistant:\n"
        "  name: X5 demo\n  latitude: 24.62493\n  longitude: 118.03077\n  elevation: 60\n"
        "  unit_system: metric\n  time_zone: UTC\n  country: US\n  currency: EUR\n"
        "  language: en\n"
        f"http:\n  server_port: {ha_port}\n"
        "frontend:\n"
        "media_source:\n"
        # The blueprints' default action, notify.persistent_notification, exists.
        "notify:\n"
        "automation: !include automations.yaml\n"
        "logger:\n  default: warning\n  logs:\n    custom_components.milesight_x5: info\n"
    )
    # The automation editor (Settings -> Automations & scenes) saves here; the
    # repository's blueprints are offered under Blueprints (linked file by file: HA
    # does not follow a linked folder).
    (config / "automations.yaml").write_text("[]\n")
    ours = Path("blueprints", "automation", DOMAIN)
    (config / ours).mkdir(parents=True)
    for blueprint in (ROOT / ours).glob("*.yaml"):
        (config / ours / blueprint.name).symlink_to(blueprint)
    storage = config / ".storage"
    (storage / "onboarding").write_text(
        _storage("onboarding", {"done": ["core_config", "analytics", "integration"]}, 4)
    )
    entries = [
        _entry(
            "mqtt",
            "Demo broker",
            {"broker": "127.0.0.1", "port": broker_port},
            None,
            minor_version=2,
            options={"discovery": True, "birth_message": {}, "will_message": {}},
        ),
        *(
            _entry("milesight_x5", title, {"mac": mac, **TOPICS}, mac)
            for mac, title in CAMERAS.items()
        ),
    ]
    (storage / "core.config_entries").write_text(
        _storage("core.config_entries", {"entries": entries}, 1, 5)
    )
    write_dashboard(storage)


def write_dashboard(storage: Path) -> None:
    """A storage-mode dashboard with picture cards on the cameras' camera entities."""
    dashboard = {
        **DASHBOARD,
        "icon": "mdi:cctv",
        "mode": "storage",
        "require_admin": False,
        "show_in_sidebar": True,
    }
    (storage / "lovelace_dashboards").write_text(
        _storage("lovelace_dashboards", {"items": [dashboard]})
    )
    garden, barn, field = (
        f"camera.{title.lower().replace(' ', '_')}" for title in CAMERAS.values()
    )
    cards = [
        {"type": "picture-entity", "entity": garden, "camera_view": "auto"},
        {
            "type": "picture-glance",
            "title": "Barn camera",
            "camera_image": barn,
            "camera_view": "auto",
            "entities": [
                "sensor.barn_camera_battery",
                "binary_sensor.barn_camera_connectivity",
                "event.barn_camera_capture",
            ],
        },
        {
            "type": "picture-glance",
            "title": "Field camera (a backlog taken offline)",
            "camera_image": field,
            "camera_view": "auto",
            "entities": [
                "sensor.field_camera_battery",
                "event.field_camera_capture",
            ],
        },
    ]
    config = {"views": [{"title": "Cameras", "path": "cameras", "cards": cards}]}
    key = f"lovelace.{DASHBOARD['id']}"
    (storage / key).write_text(_storage(key, {"config": config}))


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


async def wait_for_cameras(base: str, token: str) -> None:
    """Wait until the cameras' entities exist (their MQTT subscriptions are made)."""
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(headers=headers) as session:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with contextlib.suppress(aiohttp.ClientError):
                async with session.get(f"{base}/api/states") as resp:
                    ids = {state["entity_id"] for state in await resp.json()}
                if {
                    "sensor.garden_camera_battery",
                    "sensor.barn_camera_battery",
                } <= ids:
                    # HA's MQTT client batches subscriptions (0.5 s), then the SUBACK.
                    await asyncio.sleep(2)
                    return
            await asyncio.sleep(0.5)
    raise RuntimeError("the cameras were not set up; see home-assistant.log")


async def create_user(base: str) -> dict[str, Any]:
    """Create the demo user through onboarding; return its tokens."""
    client_id = f"{base}/"
    async with aiohttp.ClientSession() as session:
        deadline = time.monotonic() + 300
        while True:
            with contextlib.suppress(aiohttp.ClientError):
                async with session.get(f"{base}/api/onboarding") as resp:
                    if resp.status == 200:
                        break
            if time.monotonic() > deadline:
                raise RuntimeError("Home Assistant did not start")
            await asyncio.sleep(0.5)
        async with session.post(
            f"{base}/api/onboarding/users",
            json={
                "client_id": client_id,
                "name": "Demo",
                "username": USERNAME,
                "password": PASSWORD,
                "language": "en",
            },
        ) as resp:
            resp.raise_for_status()
            code = (await resp.json())["auth_code"]
        async with session.post(
            f"{base}/auth/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "client_id": client_id,
            },
        ) as resp:
            resp.raise_for_status()
            tokens: dict[str, Any] = await resp.json()
    return tokens


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    """Stop the children, newest first."""
    for process in reversed(processes):
        if process.poll() is None:
            process.send_signal(
                signal.SIGINT if process is processes[1] else signal.SIGTERM
            )
    for process in reversed(processes):
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def main() -> int:
    """Run the demo until Ctrl-C (or --run-for seconds)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8123, help="Home Assistant's port")
    parser.add_argument(
        "--broker-port", type=int, default=0, help="broker port (0: free)"
    )
    parser.add_argument(
        "--dir", type=Path, default=ROOT / ".demo", help="throwaway directory"
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
    broker_port = args.broker_port or free_port()
    config = workdir / "config"
    write_config(config, args.port, broker_port)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        processes.append(start_broker(workdir, broker_port, args.broker))
        wait_port(broker_port, 15)
        ha_log = (workdir / "home-assistant.log").open("ab")
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        processes.append(
            subprocess.Popen(
                [PYTHON, "-m", "homeassistant", "-c", str(config)],
                stdout=ha_log,
                stderr=ha_log,
                env=env,
            )
        )
        base = f"http://127.0.0.1:{args.port}"
        tokens = asyncio.run(create_user(base))
        (workdir / "tokens.json").write_text(json.dumps({**tokens, "hassUrl": base}))
        asyncio.run(wait_for_cameras(base, tokens["access_token"]))
        (workdir / "token").write_text(tokens["access_token"])
        macs = list(CAMERAS)
        for first, count, habits in ((macs[0], 2, []), (macs[2], 1, FIELD_HABITS)):
            processes.append(
                subprocess.Popen(
                    [
                        PYTHON,
                        "-m",
                        "simulator",
                        "--broker",
                        f"127.0.0.1:{broker_port}",
                        "--mac",
                        first,
                        "--count",
                        str(count),
                        "--interval",
                        str(args.interval),
                        "--awake",
                        "20",
                        *habits,
                    ],  # fmt: skip
                    cwd=ROOT,
                    stdout=(workdir / "simulator.log").open("ab"),
                    stderr=subprocess.STDOUT,
                )
            )
        print(
            f"\nDemo ready in {time.monotonic() - started:.0f} s: {base}\n"
            f"  login: {USERNAME} / {PASSWORD}\n"
            f"  cameras: {', '.join(f'{t} ({m})' for m, t in CAMERAS.items())}\n"
            f"  logs: {workdir}\nCtrl-C stops everything.",
            flush=True,
        )
        deadline = time.monotonic() + args.run_for if args.run_for else None
        while deadline is None or time.monotonic() < deadline:
            if any(p.poll() is not None for p in processes):
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
