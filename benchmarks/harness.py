"""What the benchmarks share: a throwaway Home Assistant on its own mosquitto, and
the arithmetic of the results.

The pure helpers (payloads, YAML, statistics, tables) come first: tests/test_bench.py
runs them without any Home Assistant. Below them, the machinery: the hass process's
CPU and memory from the kernel, a websocket client, a paced MQTT publisher that also
answers the integration's configure requests as the simulator's cameras do, and
:class:`HassInstance`, which writes a config dir the way scripts/demo.py does (its
functions are imported from it, not copied), starts mosquitto and ``hass -c <dir>``
from the project's .venv and waits until it is ready.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable, Iterable, Sequence
import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
import importlib.util
import json
import math
import os
from pathlib import Path
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from types import ModuleType
from typing import Any, Self

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from simulator import SimulatedCamera  # noqa: E402
from simulator.image import make_image  # noqa: E402

PROBE_DIR = Path(__file__).resolve().parent / "bench_probe"
DOMAIN = "milesight_x5"


def load_script(name: str) -> ModuleType:
    """scripts/<name>.py as a module (the demo's config-dir and process helpers;
    scripts/ goes on the path, as when the script runs)."""
    scripts = str(ROOT / "scripts")
    if scripts not in sys.path:
        sys.path.append(scripts)
    spec = importlib.util.spec_from_file_location(
        f"x5_{name}", ROOT / "scripts" / f"{name}.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


demo, demo_config = load_script("demo"), load_script("demo_config")

# The guide's default topics (the demo's), and a second set no manifest names.
TOPICS: dict[str, str] = dict(demo_config.TOPICS)
ALT_TOPICS: dict[str, str] = {
    key: topic.replace("X5SensingCam/", "bench/alt/") for key, topic in TOPICS.items()
}
HEARTBEAT_TOPIC = TOPICS["heartbeat_topic"]


# --- pure helpers ------------------------------------------------------------------


def camera_macs(count: int, base: int = 0x1CC3B0000000) -> list[str]:
    """``count`` distinct MACs (upper-case hex, as the camera sends them)."""
    return [f"{base + i:012X}" for i in range(count)]


# What changes from one heartbeat to the next (10 values), as paths in the message.
CHANGING = (
    ("values", "battery", "soc"),
    ("values", "battery", "voltage"),
    ("values", "battery", "capacity"),
    ("values", "battery", "chargeCurrent"),
    ("values", "battery", "chargeVoltage"),
    ("values", "sensor", "LAF"),
    ("values", "sensor", "temperature"),
    ("values", "cellular", "signalStrength"),
    ("values", "cellular", "dataMonthly"),
    ("storage", "storageCapacity"),
)


def heartbeat(mac: str, step: int, ts_ms: int | None = None) -> dict[str, Any]:
    """The simulator's (guide-shaped) heartbeat of ``mac`` with ten values set by
    ``step``: consecutive steps differ in all ten (and in ``ts``)."""
    message = SimulatedCamera(mac=mac, name=f"X5 {mac[-4:]}").heartbeat()
    values = message["values"]
    battery, sensor, cellular = values["battery"], values["sensor"], values["cellular"]
    battery["soc"] = 60 + step % 30
    battery["voltage"] = 3900 + step % 50 * 4
    battery["capacity"] = 5600 + step % 40
    battery["chargeCurrent"] = 100 + step % 20
    battery["chargeVoltage"] = 10500 + step % 30
    sensor["LAF"] = 40 + step % 25
    sensor["temperature"] = f"{20 + step % 50 / 10:g}"
    cellular["signalStrength"] = -90 + step % 30
    cellular["dataMonthly"] = 6_000_000 + 4096 * step
    message["storage"]["storageCapacity"] = f"{5 + step % 40 / 10:.1f}%"
    if ts_ms is not None:
        message["ts"] = ts_ms
    return message


def encode(message: dict[str, Any]) -> bytes:
    """A message as the camera sends it (compact JSON)."""
    return json.dumps(message, separators=(",", ":")).encode()


def lookup(message: dict[str, Any], path: Sequence[str]) -> Any:
    """The value at ``path`` in a nested message."""
    value: Any = message
    for key in path:
        value = value[key]
    return value


# The 14 sensors a user writes by hand: (object id, name, value path, extra YAML).
YAML_SENSORS: tuple[tuple[str, str, str, dict[str, str]], ...] = (
    ("battery", "Battery", "battery.soc",
     {"device_class": "battery", "unit_of_measurement": "%", "state_class": "measurement"}),
    ("battery_voltage", "Battery voltage", "battery.voltage",
     {"device_class": "voltage", "unit_of_measurement": "mV", "state_class": "measurement"}),
    ("battery_capacity", "Battery capacity", "battery.capacity",
     {"unit_of_measurement": "mAh", "state_class": "measurement"}),
    ("battery_health", "Battery health", "battery.healthy",
     {"unit_of_measurement": "%", "state_class": "measurement"}),
    ("charge_current", "Charge current", "battery.chargeCurrent",
     {"device_class": "current", "unit_of_measurement": "mA", "state_class": "measurement"}),
    ("charge_voltage", "Charge voltage", "battery.chargeVoltage",
     {"device_class": "voltage", "unit_of_measurement": "mV", "state_class": "measurement"}),
    ("noise", "Noise", "sensor.LAF",
     {"device_class": "sound_pressure", "unit_of_measurement": "dBA", "state_class": "measurement"}),
    ("temperature", "Temperature", "sensor.temperature",
     {"device_class": "temperature", "unit_of_measurement": "°C", "state_class": "measurement"}),
    ("signal_strength", "Signal strength", "cellular.signalStrength",
     {"device_class": "signal_strength", "unit_of_measurement": "dBm", "state_class": "measurement"}),
    ("cellular_status", "Cellular status", "cellular.connectStatus", {}),
    ("sim_status", "SIM status", "cellular.simStatus", {}),
    ("ip_address", "IP address", "cellular.ipAddr", {}),
    ("data_monthly", "Data this month", "cellular.dataMonthly",
     {"device_class": "data_size", "unit_of_measurement": "B", "state_class": "total_increasing"}),
    ("storage_used", "Storage used", "storage.storageCapacity | replace('%', '')",
     {"unit_of_measurement": "%", "state_class": "measurement"}),
)  # fmt: skip


def yaml_value_template(mac: str, path: str) -> str:
    """What a user writes for one sensor on a topic every camera shares: the value
    when the message is this camera's, else the sensor keeps its state (``this``).

    ``value_json['values']``, not ``value_json.values``: Jinja finds the dict's
    ``values`` method first.
    """
    where = "value_json" if path.startswith("storage.") else "value_json['values']"
    return (
        f"{{% if value_json['values'].devMac == '{mac}' %}}{{{{ {where}.{path} }}}}"
        "{% else %}{{ this.state }}{% endif %}"
    )


def yaml_sensors(cameras: Iterable[tuple[str, str]], topic: str) -> str:
    """``mqtt: sensor:`` YAML: the 14 sensors of every (mac, slug) camera."""
    lines = ["mqtt:", "  sensor:"]
    for mac, slug in cameras:
        for key, name, path, extra in YAML_SENSORS:
            lines += [
                f'    - name: "{slug} {name}"',
                f"      unique_id: {slug}_{key}",
                f"      state_topic: {topic}",
                f'      value_template: "{yaml_value_template(mac, path)}"',
                *(f'      {option}: "{value}"' for option, value in extra.items()),
            ]
    return "\n".join(lines) + "\n"


def median(values: Sequence[float]) -> float:
    """The median (NaN for no values)."""
    return statistics.median(values) if values else float("nan")


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q`` quantile (0..1), nearest rank; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1))
    return ordered[rank]


def per_message_ms(
    active_cpu: float,
    active_seconds: float,
    idle_cpu: float,
    idle_seconds: float,
    messages: int,
) -> float:
    """CPU ms per message: the active window's CPU less the idle rate over as long."""
    idle_rate = idle_cpu / idle_seconds if idle_seconds > 0 else 0.0
    return (active_cpu - idle_rate * active_seconds) / messages * 1000


def slope_per_minute(times: Sequence[float], values: Sequence[float]) -> float:
    """Least-squares slope of ``values`` over ``times`` (s), per minute."""
    if len(times) < 2:
        return 0.0
    return float(statistics.linear_regression(times, values).slope) * 60


def markdown_table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A GitHub markdown table."""
    lines = [
        "| " + " | ".join(headers) + " |",
        "|" + "|".join("---" for _ in headers) + "|",
    ]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def fmt_ms(value: float, digits: int = 3) -> str:
    """Milliseconds for a table ("-" when not measured)."""
    return "-" if math.isnan(value) else f"{value:.{digits}f} ms"


def jpeg_of_size(size: int, shade: int = 0) -> bytes:
    """A valid JPEG (the simulator's picture) padded to exactly ``size`` bytes with
    comment (COM) segments right after its start marker: decoders skip them."""
    image, mime = make_image(shade, "1 MB")
    if mime != "image/jpeg":
        raise RuntimeError("Pillow is needed for a JPEG (it comes with Home Assistant)")
    segments = []
    missing = size - len(image)
    filler = b"x5-bench " * 8000
    while missing > 0:
        if missing < 4:  # no segment is that short: grow an earlier one instead
            raise RuntimeError("cannot pad to within 3 bytes; pick another size")
        body = min(missing - 4, 65533)
        if 0 < missing - 4 - body < 4:
            body -= 4
        segments.append(
            b"\xff\xfe"
            + (body + 2).to_bytes(2, "big")
            + filler[:body].ljust(body, b".")
        )
        missing -= body + 4
    padded = image[:2] + b"".join(segments) + image[2:]
    assert len(padded) == size
    return padded


def snapshot_message(mac: str, image: bytes, ts_ms: int) -> dict[str, Any]:
    """A snapshot uplink (the simulator's shape) carrying ``image``."""
    seconds = ts_ms // 1000
    stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime(seconds))
    return {
        "ts": ts_ms,
        "values": {
            "devName": f"X5 {mac[-4:]}",
            "devMac": mac,
            "snapType": "Noise",
            "triggerValue": "51",
            "file": f"CV{stamp}T.jpg",
            "time": seconds,
            "imageSize": len(image),
            "image": "data:image/jpeg;base64," + base64.b64encode(image).decode(),
        },
    }


def bare_decode(payload: bytes) -> bytes:
    """The least any consumer does with a snapshot: JSON, then base64 of the image."""
    message = json.loads(payload)
    uri: str = message["values"]["image"]
    return base64.b64decode(uri.partition(",")[2])


def camera_time_ms(text: str | None) -> int | None:
    """The ms timestamp back from the ``camera_time`` attribute (ISO 8601)."""
    if not text:
        return None
    return round(datetime.fromisoformat(text).timestamp() * 1000)


def latencies_ms(
    records: Iterable[Sequence[Any]], sent: dict[tuple[str, int], float]
) -> tuple[list[float], int]:
    """Message-to-state latencies (ms) of the records matched to their publish time,
    and how many records matched nothing."""
    found, unmatched = [], 0
    for mac, camera_time, last_updated in records:
        key = (mac, camera_time_ms(camera_time) or -1)
        if key in sent:
            found.append((last_updated - sent[key]) * 1000)
        else:
            unmatched += 1
    return found, unmatched


def parse_proc_cpu(stat: str, ticks_per_second: int) -> float:
    """utime + stime (s) from the text of /proc/<pid>/stat."""
    fields = stat.rpartition(")")[2].split()
    # after the command: state is field 3; utime and stime are fields 14 and 15
    return (int(fields[11]) + int(fields[12])) / ticks_per_second


def parse_vmrss_kib(status: str) -> int:
    """VmRSS (KiB) from the text of /proc/<pid>/status."""
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise ValueError("no VmRSS")


# --- the hass process from the outside ---------------------------------------------------


def proc_cpu_seconds(pid: int) -> float:
    """utime + stime of the process, all threads (10 ms ticks): /proc/<pid>/stat."""
    return parse_proc_cpu(
        Path(f"/proc/{pid}/stat").read_text(), os.sysconf("SC_CLK_TCK")
    )


def cpu_seconds(pid: int) -> float:
    """CPU time of the whole process (all threads, also ended ones), in ns resolution:
    the kernel's process CPU clock (what /proc/<pid>/stat rounds to 10 ms ticks).
    Falls back to /proc/<pid>/stat where that clock cannot be read."""
    clock = ((~pid) << 3) | 2  # MAKE_PROCESS_CPUCLOCK(pid, CPUCLOCK_SCHED)
    try:
        return time.clock_gettime_ns(clock) / 1e9
    except OSError:
        return proc_cpu_seconds(pid)


def parse_proc_stat_busy(stat: str, ticks_per_second: int) -> float:
    """CPU seconds all cores spent busy (not idle or iowait), from /proc/stat."""
    fields = [int(v) for v in stat.splitlines()[0].split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return (user + nice + system + irq + softirq + steal) / ticks_per_second


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has been busy (every process, all cores)."""
    return parse_proc_stat_busy(
        Path("/proc/stat").read_text(), os.sysconf("SC_CLK_TCK")
    )


def rss_mib(pid: int) -> float:
    """Resident memory of the process (MiB)."""
    return parse_vmrss_kib(Path(f"/proc/{pid}/status").read_text()) / 1024


def machine_info() -> dict[str, str]:
    """CPU model, cores, versions and date, for the table's heading."""
    model = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mosquitto = mosquitto_binary()
    version = "not installed"
    if mosquitto:
        out = subprocess.run(
            [mosquitto, "-h"], capture_output=True, text=True, check=False
        ).stdout
        version = out.splitlines()[0].removeprefix("mosquitto version ").strip()
    from homeassistant.const import __version__ as ha_version

    load = os.getloadavg()
    return {
        "cpu": model,
        "cores": str(os.cpu_count()),
        "python": platform.python_version(),
        "homeassistant": ha_version,
        "mosquitto": version,
        "kernel": platform.release(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load": f"{load[0]:.2f}",
    }


def mosquitto_binary() -> str | None:
    """mosquitto, installed by scripts/setup."""
    for candidate in (shutil.which("mosquitto"), "/usr/sbin/mosquitto"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def start_mosquitto(
    workdir: Path, port: int, nodelay: bool = True
) -> subprocess.Popen[bytes]:
    """mosquitto on a loopback port (scripts/demo.py's config, plus TCP_NODELAY).

    ``set_tcp_nodelay``: without it (mosquitto's default) each small message may wait
    for the previous one's delayed ACK, up to ~40 ms on Linux, both from the publisher
    to the broker and from the broker to Home Assistant: measured here, a plain
    paho-to-paho hop had p99 34 ms without it and 1 ms with it. That is the broker's
    and TCP's latency, not Home Assistant's; ``nodelay`` False measures it anyway.
    """
    binary = mosquitto_binary()
    if binary is None:
        raise SystemExit("mosquitto is not installed: run scripts/bench")
    conf = workdir / "mosquitto.conf"
    conf.write_text(
        f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
        + ("set_tcp_nodelay true\n" if nodelay else "")
    )
    log = (workdir / "broker.log").open("ab")
    return subprocess.Popen([binary, "-c", str(conf)], stdout=log, stderr=log)


# --- websocket ---------------------------------------------------------------------


class HassWs:
    """A minimal websocket API client. A reader task takes every frame, so the
    server's pings are answered even while the benchmark is busy elsewhere (Home
    Assistant closes a connection that leaves its ping unanswered for a minute)."""

    def __init__(self, base: str, token: str) -> None:
        """Not connected yet."""
        self.base, self.token = base, token
        self._id = 0
        self._session: Any = None
        self._ws: Any = None
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._reader: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        """Connect and authenticate."""
        import aiohttp

        self._session = aiohttp.ClientSession()
        self._ws = await self._session.ws_connect(
            f"{self.base}/api/websocket", max_msg_size=0
        )
        await self._ws.receive_json()  # auth_required
        await self._ws.send_json({"type": "auth", "access_token": self.token})
        answer = await self._ws.receive_json()
        if answer.get("type") != "auth_ok":
            raise RuntimeError(f"websocket auth failed: {answer}")
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        import aiohttp

        try:
            async for frame in self._ws:  # answers pings itself
                if frame.type != aiohttp.WSMsgType.TEXT:
                    continue
                data = json.loads(frame.data)
                for message in data if isinstance(data, list) else [data]:
                    future = self._pending.pop(message.get("id"), None)
                    if future is not None and not future.done():
                        future.set_result(message)
        finally:
            for future in self._pending.values():
                if not future.done():
                    future.set_exception(RuntimeError("websocket closed"))
            self._pending.clear()

    async def call(self, kind: str, **data: Any) -> Any:
        """Send a command; its result (raise on error)."""
        self._id += 1
        future = asyncio.get_running_loop().create_future()
        self._pending[self._id] = future
        await self._ws.send_json({"id": self._id, "type": kind, **data})
        answer = await asyncio.wait_for(future, 300)
        if not answer.get("success"):
            raise RuntimeError(f"{kind}: {answer.get('error')}")
        return answer.get("result")

    async def close(self) -> None:
        """Disconnect."""
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            with contextlib.suppress(Exception):
                await self._reader
        if self._session is not None:
            await self._session.close()


# --- MQTT --------------------------------------------------------------------------


class Publisher:
    """A paho client of the benchmark: paced publishing, and the simulator's answers
    to the integration's configure requests (it reads settings after a heartbeat)."""

    def __init__(
        self, port: int, answer_macs: Iterable[str] = (), nodelay: bool = True
    ) -> None:
        """Connect to the broker on ``port``; answer for ``answer_macs``.

        ``nodelay``: send each message at once (TCP_NODELAY), as :func:`start_mosquitto`
        makes the broker do: see there.
        """
        import paho.mqtt.client as paho
        from paho.mqtt.enums import CallbackAPIVersion

        self.cameras = {mac: SimulatedCamera(mac=mac) for mac in answer_macs}
        self.answered = 0
        self.sys: dict[str, str] = {}  # mosquitto's $SYS topics, latest values
        self._client = paho.Client(
            CallbackAPIVersion.VERSION2, client_id=f"x5-bench-{os.getpid()}"
        )
        self._client.max_queued_messages_set(0)
        self._client.on_message = self._on_message
        self._connected = threading.Event()
        self._client.on_connect = lambda *_: self._connected.set()
        self._client.connect("127.0.0.1", port, keepalive=60)
        self._client.loop_start()
        if not self._connected.wait(10):
            raise RuntimeError("the benchmark's MQTT client could not connect")
        if nodelay and isinstance(sock := self._client.socket(), socket.socket):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for topics in (TOPICS, ALT_TOPICS):
            self._client.subscribe(topics["request_topic"])
        self._client.subscribe("$SYS/broker/subscriptions/count")
        self._client.subscribe("$SYS/broker/clients/connected")

    def _on_message(self, client: Any, userdata: Any, msg: Any) -> None:
        if msg.topic.startswith("$SYS/"):
            self.sys[msg.topic] = msg.payload.decode(errors="replace")
            return
        try:
            request = json.loads(msg.payload)
        except ValueError:
            return
        camera = self.cameras.get(request.get("devMac"))
        if camera is None or (response := camera.respond(request)) is None:
            return
        camera.take_uplinks()
        self.answered += 1
        topic = msg.topic.replace("ConfigureRequest", "ConfigureRespond")
        client.publish(topic, encode(response))

    def publish(self, topic: str, payload: bytes) -> float:
        """Publish now (QoS 0); the wall-clock time it was handed to paho."""
        sent = time.time()
        self._client.publish(topic, payload)
        return sent

    def publish_paced(
        self, messages: Sequence[tuple[str, bytes]], rate: float
    ) -> list[float]:
        """Publish at ``rate`` per second (a steady schedule, no catching up in
        bursts beyond it); the send times. Blocking: run it in a thread."""
        sent = []
        start = time.perf_counter()
        for index, (topic, payload) in enumerate(messages):
            delay = start + index / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            sent.append(self.publish(topic, payload))
        return sent

    def close(self) -> None:
        """Disconnect."""
        self._client.disconnect()
        self._client.loop_stop()


class DeliveryWatch:
    """Another MQTT client on the heartbeat topic: when the broker delivered each
    heartbeat (by camera and ``ts``), to tell the broker's share of the latency."""

    def __init__(self, port: int, topic: str) -> None:
        """Subscribe."""
        import paho.mqtt.client as paho
        from paho.mqtt.enums import CallbackAPIVersion

        self.received: dict[tuple[str, int], float] = {}
        self._client = paho.Client(
            CallbackAPIVersion.VERSION2, client_id=f"x5-bench-watch-{os.getpid()}"
        )
        self._client.on_message = self._on_message
        subscribed = threading.Event()
        self._client.on_subscribe = lambda *_: subscribed.set()
        self._client.on_connect = lambda client, *_: client.subscribe(topic)
        self._client.connect("127.0.0.1", port, keepalive=60)
        self._client.loop_start()
        if not subscribed.wait(10):
            raise RuntimeError("the delivery watch could not subscribe")

    def _on_message(self, client: Any, userdata: Any, msg: Any) -> None:
        now = time.time()
        with contextlib.suppress(ValueError, KeyError, TypeError):
            message = json.loads(msg.payload)
            self.received[(message["values"]["devMac"], message["ts"])] = now

    def close(self) -> None:
        """Disconnect."""
        self._client.disconnect()
        self._client.loop_stop()


# --- Home Assistant ------------------------------------------------------------------


@dataclass
class CameraEntry:
    """One config entry of the integration: a camera and its topics."""

    mac: str
    title: str
    topics: dict[str, str] = field(default_factory=lambda: dict(TOPICS))


def write_config(
    config: Path,
    ha_port: int,
    broker_port: int,
    cameras: Sequence[CameraEntry],
    extra_yaml: str = "",
    integration: bool = True,
) -> None:
    """The demo's config dir (onboarding but the user done, the MQTT entry), with
    ``cameras`` as the integration's entries, the probe, and ``extra_yaml``.

    ``integration`` False: the integration is not installed at all (the YAML case:
    no entries, and no MQTT discovery subscription from its manifest).
    """
    demo_config.write_config(config, ha_port, broker_port, recorder=False)
    storage = config / ".storage" / "core.config_entries"
    entries = [
        entry
        for entry in json.loads(storage.read_text())["data"]["entries"]
        if entry["domain"] == "mqtt"
    ]
    make_entry = demo_config._entry  # noqa: SLF001
    entries += [
        make_entry(DOMAIN, c.title, {"mac": c.mac, **c.topics}, c.mac) for c in cameras
    ]
    storage.write_text(
        demo_config._storage("core.config_entries", {"entries": entries}, 1, 5)  # noqa: SLF001
    )
    custom = config / "custom_components"
    if not integration:
        (custom / DOMAIN).unlink()
    shutil.copytree(
        PROBE_DIR, custom / "bench_probe", ignore=shutil.ignore_patterns("__pycache__")
    )
    text = (config / "configuration.yaml").read_text()
    # Every case logs alike: warnings only (the demo asks info of the integration).
    text = text.replace("    custom_components.milesight_x5: info\n", "")
    # No automation engine: the demo's is for its screenshots, not measured here.
    text = text.replace("automation: !include automations.yaml\n", "")
    text = text.replace("  logs:\n", "") if "  logs:\n    " not in text else text
    (config / "configuration.yaml").write_text(text + "bench_probe:\n" + extra_yaml)


def start_hass(config: Path, workdir: Path) -> subprocess.Popen[bytes]:
    """``hass -c <config>`` with this Python (the project's .venv), as the demo does;
    its output goes to ``workdir``/home-assistant.log."""
    log = (workdir / "home-assistant.log").open("ab")
    return subprocess.Popen(
        [sys.executable, "-m", "homeassistant", "-c", str(config)],
        # Not the repository: ``python -m`` puts the working directory first on
        # sys.path, and its custom_components/ would hide the config dir's.
        cwd=workdir,
        stdout=log,
        stderr=log,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


class HassInstance:
    """mosquitto + a real ``hass -c <dir>`` (the project's .venv) for one case.

    Use ``async with``; :attr:`pid` is the hass process, :attr:`ws` a websocket
    client, :attr:`publisher` the benchmark's MQTT client. The throwaway directory
    is deleted afterwards unless ``keep`` (or something failed: then it is printed).
    """

    def __init__(
        self,
        name: str,
        cameras: Sequence[CameraEntry] = (),
        extra_yaml: str = "",
        integration: bool = True,
        keep: bool = False,
        log: Any = print,
        nagle: bool = False,
    ) -> None:
        """Nothing starts before ``async with``."""
        self.name = name
        self.nagle = nagle
        self.cameras = list(cameras)
        self.extra_yaml = extra_yaml
        self.integration = integration
        self.keep = keep
        self.log = log
        self.workdir = Path(tempfile.mkdtemp(prefix=f"x5-bench-{name}-"))
        self.processes: list[subprocess.Popen[bytes]] = []
        self.pid = 0
        self.broker_port = 0
        self.base = ""
        self.ws: HassWs = None  # type: ignore[assignment]
        self.publisher: Publisher = None  # type: ignore[assignment]
        self.startup_seconds = 0.0

    async def __aenter__(self) -> Self:
        """Start the broker and hass; return once every camera entry is loaded."""
        started = time.monotonic()
        try:
            await self._start()
        except BaseException:
            await self.__aexit__(*sys.exc_info())
            raise
        self.startup_seconds = time.monotonic() - started
        return self

    async def _start(self) -> None:
        broker_port, ha_port = demo.free_port(), demo.free_port()
        self.broker_port = broker_port
        config = self.workdir / "config"
        write_config(
            config,
            ha_port,
            broker_port,
            self.cameras,
            self.extra_yaml,
            self.integration,
        )
        self.processes.append(
            start_mosquitto(self.workdir, broker_port, nodelay=not self.nagle)
        )
        demo.wait_port(broker_port, 15)
        self.processes.append(start_hass(config, self.workdir))
        self.pid = self.processes[1].pid
        self.base = f"http://127.0.0.1:{ha_port}"
        tokens = await demo.create_user(self.base)
        self.ws = HassWs(self.base, tokens["access_token"])
        await self.ws.connect()
        self.publisher = Publisher(
            broker_port, (c.mac for c in self.cameras), nodelay=not self.nagle
        )
        await self.wait_loaded()

    async def stats(self) -> dict[str, Any]:
        """The probe's counts (tasks, subscriptions, states, entries, entities)."""
        result: dict[str, Any] = await self.ws.call(
            "bench_probe/stats", platform=DOMAIN
        )
        return result

    async def wait_loaded(self, limit: float = 1800) -> None:
        """Until every camera entry is loaded and no MQTT subscription is pending."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if self.processes[1].poll() is not None:
                raise RuntimeError(f"hass ended early; see {self.workdir}")
            try:
                stats = await self.stats()
            except RuntimeError as err:  # the probe is not set up yet
                if "unknown_command" not in str(err):
                    raise
                await asyncio.sleep(1)
                continue
            if (
                stats.get("entries_loaded", 0) == len(self.cameras)
                and stats.get("mqtt_connected")
                and not stats.get("mqtt_pending")
            ):
                await asyncio.sleep(1)  # the last SUBACKs
                return
            await asyncio.sleep(1)
        raise RuntimeError(f"{self.name}: cameras not loaded; see {self.workdir}")

    @property
    def broker_pid(self) -> int:
        """mosquitto's process id."""
        return self.processes[0].pid

    def alive(self) -> bool:
        """Whether hass still runs."""
        return self.processes[1].poll() is None

    async def __aexit__(self, *exc: object) -> None:
        """Stop everything (hass first); delete the directory unless kept or failed."""
        if self.publisher is not None:
            self.publisher.close()
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await self.ws.close()
        await asyncio.to_thread(demo.stop, self.processes)
        if self.keep or exc[0] is not None:
            self.log(f"  ({self.name}: logs kept in {self.workdir})")
        else:
            shutil.rmtree(self.workdir, ignore_errors=True)


async def cpu_during(pid: int, seconds: float) -> tuple[float, float, float]:
    """CPU (s) of ``pid`` over ``seconds`` of doing nothing, the exact duration, and
    the cores the rest of the machine kept busy meanwhile (other processes: noise)."""
    busy0, cpu0, t0 = machine_busy_seconds(), cpu_seconds(pid), time.monotonic()
    await asyncio.sleep(seconds)
    cpu, duration = cpu_seconds(pid) - cpu0, time.monotonic() - t0
    others = (machine_busy_seconds() - busy0 - cpu) / duration
    return cpu, duration, max(0.0, others)


async def wait_for_quiet(
    pid: int,
    limit: float,
    log: Callable[[str], object] = print,
    threshold: float = 0.2,
) -> float:
    """On a shared machine: wait up to ``limit`` s until the other processes keep
    fewer than ``threshold`` cores busy (over 2 s); return the seconds waited."""
    waited = 0.0
    while waited < limit:
        _, duration, others = await cpu_during(pid, 2.0)
        if others < threshold:
            break
        if waited == 0:
            log(
                f"    other processes keep {others:.2f} cores busy: waiting (≤ {limit:.0f} s)"
            )
        waited += duration
    return waited


async def cpu_publishing(
    pid: int,
    publisher: Publisher,
    messages: Sequence[tuple[str, bytes]],
    rate: float,
    tail: float,
    broker_pid: int | None = None,
) -> tuple[float, float, float]:
    """CPU (s) of ``pid`` while ``messages`` are published at ``rate`` and for
    ``tail`` seconds after (to process the last ones); the window's duration; and
    the cores other processes kept busy meanwhile (neither hass, nor the broker,
    nor this process: noise)."""
    busy0, own0 = machine_busy_seconds(), time.process_time()
    broker0 = cpu_seconds(broker_pid) if broker_pid else 0.0
    cpu0, t0 = cpu_seconds(pid), time.monotonic()
    await asyncio.to_thread(publisher.publish_paced, messages, rate)
    await asyncio.sleep(tail)
    cpu, duration = cpu_seconds(pid) - cpu0, time.monotonic() - t0
    broker = cpu_seconds(broker_pid) - broker0 if broker_pid else 0.0
    own = time.process_time() - own0
    others = (machine_busy_seconds() - busy0 - cpu - broker - own) / duration
    return cpu, duration, max(0.0, others)


def speed_index(repeat: int = 5) -> float:
    """ms this Python takes for a fixed workload (JSON and dict work on heartbeats),
    median of ``repeat``: a host that is slower, or slows down during the run, shows
    here, whatever Home Assistant does."""
    payload = encode(heartbeat("1CC3B0000000", 1))
    times = []
    for _ in range(repeat):
        start = time.process_time()
        for _ in range(2000):
            message = json.loads(payload)
            json.dumps({key: str(value) for key, value in message["values"].items()})
        times.append(time.process_time() - start)
    return median(times) * 1000


def write_json(path: Path | None, data: Any) -> None:
    """The raw results, for scripts/bench's table."""
    if path is not None:
        path.write_text(json.dumps(data, indent=2, default=str))
