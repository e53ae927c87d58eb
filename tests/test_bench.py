"""The benchmark harness's pure helpers (benchmarks/): no Home Assistant runs here.

scripts/bench runs the benchmarks themselves against a real hass; these tests keep
what they compute honest: the heartbeats they send, the YAML they compare against,
the JPEG they pad, the arithmetic of the results and the config dir they write.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jinja2
import pytest
import yaml

from benchmarks import harness as h
from custom_components.milesight_x5.api import decode_image, parse_heartbeat


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override the package-wide fixture: these tests need no hass."""


def _paths(message: Any, prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    if not isinstance(message, dict):
        return {prefix: message}
    out: dict[tuple[str, ...], Any] = {}
    for key, value in message.items():
        out.update(_paths(value, (*prefix, key)))
    return out


def test_camera_macs_distinct() -> None:
    """MACs are distinct, 12 upper-case hex digits."""
    macs = h.camera_macs(500)
    assert len(set(macs)) == 500
    assert all(len(mac) == 12 and mac == mac.upper() for mac in macs)
    int(macs[-1], 16)


@pytest.mark.parametrize("step", [0, 1, 29, 49, 1000])
def test_consecutive_heartbeats_change_ten_values(step: int) -> None:
    """Between two steps exactly the ten CHANGING values (and ts) differ."""
    before = _paths(h.heartbeat("1CC3B0000000", step, 1000))
    after = _paths(h.heartbeat("1CC3B0000000", step + 1, 2000))
    changed = {path for path in before if before[path] != after[path]}
    assert changed == {*h.CHANGING, ("ts",)}


def test_heartbeat_is_valid_for_the_integration() -> None:
    """The integration's parser takes every field of the benchmark's heartbeats."""
    for step in range(60):
        parsed = parse_heartbeat(h.encode(h.heartbeat("1CC3B0000000", step)))
        assert parsed.invalid_fields == ()
        assert parsed.mac == "1CC3B0000000"


def test_yaml_has_fourteen_sensors_per_camera() -> None:
    """14 sensors per camera on the shared topic, unique ids, valid YAML."""
    cameras = [(mac, f"camera_{i:03d}") for i, mac in enumerate(h.camera_macs(3))]
    config = yaml.safe_load(h.yaml_sensors(cameras, h.HEARTBEAT_TOPIC))
    sensors = config["mqtt"]["sensor"]
    assert len(sensors) == 14 * 3
    assert len({s["unique_id"] for s in sensors}) == len(sensors)
    assert {s["state_topic"] for s in sensors} == {h.HEARTBEAT_TOPIC}


def test_yaml_templates_read_own_camera_and_keep_state_otherwise() -> None:
    """Each template gives its value for its camera's heartbeat, else this.state."""
    mac, other = h.camera_macs(2)
    config = yaml.safe_load(h.yaml_sensors([(mac, "cam")], h.HEARTBEAT_TOPIC))
    env = jinja2.Environment(autoescape=False)
    own = h.heartbeat(mac, 3)
    foreign = h.heartbeat(other, 4)
    this = SimpleNamespace(state="kept")
    expected = {
        "cam Battery": own["values"]["battery"]["soc"],
        "cam Temperature": own["values"]["sensor"]["temperature"],
        "cam IP address": own["values"]["cellular"]["ipAddr"],
        "cam Storage used": own["storage"]["storageCapacity"].rstrip("%"),
    }
    for sensor in config["mqtt"]["sensor"]:
        template = env.from_string(sensor["value_template"])
        value = template.render(value_json=own, this=this)
        assert value not in ("", "kept"), sensor["name"]
        if sensor["name"] in expected:
            assert value == str(expected[sensor["name"]])
        assert template.render(value_json=foreign, this=this) == "kept"


def test_per_message_ms_subtracts_idle_rate() -> None:
    """(active CPU - idle rate x active duration) / messages, in ms."""
    # 2 s CPU over 10 s active, idle 0.1 s per 10 s: 1.9 s over 1000 messages.
    assert h.per_message_ms(2.0, 10.0, 0.1, 10.0, 1000) == pytest.approx(1.9)
    assert h.per_message_ms(1.0, 5.0, 0.0, 0.0, 100) == pytest.approx(10.0)


def test_statistics() -> None:
    """Median, nearest-rank percentiles, slope per minute."""
    values = [float(v) for v in range(1, 101)]
    assert h.median(values) == 50.5
    assert h.percentile(values, 0.99) == 99
    assert h.percentile(values, 0.5) == 50
    assert h.percentile([], 0.5) != h.percentile([], 0.5)  # NaN
    assert h.slope_per_minute([0, 60, 120], [100, 101, 102]) == pytest.approx(1.0)


def test_jpeg_of_size_is_a_whole_jpeg_of_that_size() -> None:
    """Padded to the byte; still a JPEG the integration and Pillow accept."""
    from PIL import Image

    size = 1024 * 1024
    image = h.jpeg_of_size(size)
    assert len(image) == size
    assert image.startswith(b"\xff\xd8") and image.endswith(b"\xff\xd9")
    Image.open(__import__("io").BytesIO(image)).load()
    message = h.snapshot_message("1CC3B0000000", image, 1_700_000_000_000)
    decoded, mime, error = decode_image(message["values"]["image"])
    assert (decoded, mime, error) == (image, "image/jpeg", None)
    assert h.bare_decode(h.encode(message)) == image


@pytest.mark.parametrize("size", [70_000, 65_537 + 4, 200_003])
def test_jpeg_of_other_sizes(size: int) -> None:
    """Segment boundaries never leave an unpaddable remainder."""
    assert len(h.jpeg_of_size(size)) == size


def test_latencies_match_camera_time_to_publish_time() -> None:
    """A record's camera_time (ISO) finds its publish time by camera and ts."""
    sent = {("AA", 1_700_000_000_123): 1_700_000_000.125}
    records = [
        ["AA", "2023-11-14T22:13:20.123000+00:00", 1_700_000_000.135],
        ["AA", "2023-11-14T22:13:21.000000+00:00", 1_700_000_001.0],
        ["BB", None, 1.0],
    ]
    latencies, unmatched = h.latencies_ms(records, sent)
    assert latencies == [pytest.approx(10.0, abs=0.01)]
    assert unmatched == 2


def test_proc_parsers() -> None:
    """utime + stime from /proc/<pid>/stat, even with spaces in the name; VmRSS."""
    stat = "1234 (python -m x) S 1 2 3 4 5 6 7 8 9 10 250 50 0 0 20 0 9"
    assert h.parse_proc_cpu(stat, 100) == pytest.approx(3.0)
    assert h.parse_vmrss_kib("Name:\tx\nVmRSS:\t  2048 kB\n") == 2048
    proc_stat = "cpu  100 20 30 5000 40 5 6 7 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\n"
    assert h.parse_proc_stat_busy(proc_stat, 100) == pytest.approx(1.68)


@pytest.mark.skipif(
    not Path("/proc/stat").exists(), reason="no /proc here (a chroot without it)"
)
def test_proc_readers_on_this_machine() -> None:
    """The readers work on this machine's own /proc."""
    assert h.machine_busy_seconds() > 0
    real = h.proc_cpu_seconds(__import__("os").getpid())
    assert real >= 0
    assert h.cpu_seconds(__import__("os").getpid()) >= real - 0.02


def test_markdown_table() -> None:
    """Header, separator and one line per row."""
    text = h.markdown_table(["a", "b"], [[1, "x"], [2, "y"]])
    assert text.splitlines() == ["| a | b |", "|---|---|", "| 1 | x |", "| 2 | y |"]
    assert h.fmt_ms(float("nan")) == "-"
    assert h.fmt_ms(1.23456) == "1.235 ms"


def _entries(config: Path) -> list[dict[str, Any]]:
    storage = json.loads((config / ".storage" / "core.config_entries").read_text())
    entries: list[dict[str, Any]] = storage["data"]["entries"]
    return entries


def test_write_config_with_cameras(tmp_path: Path) -> None:
    """The demo's config dir with the benchmark's cameras and the probe."""
    cameras = [h.CameraEntry(mac, f"Camera {mac}") for mac in h.camera_macs(3)]
    cameras.append(h.CameraEntry("1CC3A0000001", "Alt", dict(h.ALT_TOPICS)))
    h.write_config(tmp_path / "c", 8123, 1883, cameras)
    entries = _entries(tmp_path / "c")
    assert [e["domain"] for e in entries] == ["mqtt"] + ["milesight_x5"] * 4
    assert entries[-1]["data"]["heartbeat_topic"] == "bench/alt/Status"
    assert entries[1]["data"]["heartbeat_topic"] == h.HEARTBEAT_TOPIC
    text = (tmp_path / "c" / "configuration.yaml").read_text()
    config = yaml.safe_load(text)
    assert "bench_probe" in config
    assert config["logger"] == {"default": "warning"}
    custom = tmp_path / "c" / "custom_components"
    assert (custom / "milesight_x5" / "manifest.json").exists()
    manifest = json.loads((custom / "bench_probe" / "manifest.json").read_text())
    assert manifest["domain"] == "bench_probe"


def test_write_config_yaml_case(tmp_path: Path) -> None:
    """The YAML case: no integration installed, no entries but MQTT's, the YAML."""
    sensors = h.yaml_sensors([("1CC3B0000000", "cam")], h.HEARTBEAT_TOPIC)
    h.write_config(tmp_path / "c", 8123, 1883, [], sensors, integration=False)
    assert [e["domain"] for e in _entries(tmp_path / "c")] == ["mqtt"]
    assert not (tmp_path / "c" / "custom_components" / "milesight_x5").exists()
    config = yaml.safe_load((tmp_path / "c" / "configuration.yaml").read_text())
    assert len(config["mqtt"]["sensor"]) == 14


def test_heartbeat_round_robin_and_table() -> None:
    """Round robin over cameras with steps per camera; the table's ratios."""
    from benchmarks import heartbeat_cpu

    macs = h.camera_macs(3)
    messages, next_step = heartbeat_cpu.round_robin(macs, "t", 7, 10)
    assert next_step == 13
    sent = [json.loads(payload) for _, payload in messages]
    assert [m["values"]["devMac"] for m in sent] == [*macs, *macs, macs[0]]
    assert sent[0]["values"]["battery"]["soc"] != sent[3]["values"]["battery"]["soc"]

    def result(kind: str, ms: float, **extra: Any) -> dict[str, Any]:
        trials = {kind: [{"ms": ms}, {"ms": ms * 3}, {"ms": ms * 0.9}]}
        return {"trials": trials, **extra}

    ours_1 = result("ours", 1.0, entities_per_camera=62, enabled_per_camera=46)
    ours_1["trials"]["floor"] = [{"ms": 0.1}]
    ours_50 = result("ours", 1.1, entities_per_camera=62, enabled_per_camera=46)
    cases = {
        "ours": {1: ours_1, 50: ours_50},
        "yaml": {1: result("yaml", 2.0), 50: result("yaml", 44.0)},
    }
    text = heartbeat_cpu.table(cases)
    assert "| yaml / ours (goal ≥ 2.0 at 1 camera, ≥ 40 at 50) | 2.00 | 40.00 |" in text
    assert "| ours at 50 / ours at 1 (goal ≤ 1.1) | 1.10 |" in text
    assert "| 0.100 ms | - |" in text
