"""A 1 MB snapshot: how long it blocks Home Assistant's event loop, and its CPU.

A real Home Assistant with this integration and one camera (the demo's way) on
mosquitto. The snapshot is a valid JPEG (the simulator's picture, padded to 1 MiB
with JPEG comment segments, which decoders skip) sent as the camera sends it: a
base64 data URI inside the JSON uplink on the snapshot topic (~1.4 MB message).

- **event-loop block**: the probe (benchmarks/bench_probe) schedules a callback every
  1 ms in hass's event loop and records how late each one runs; the worst lateness
  while snapshots arrive is the longest the loop was blocked (or busy) then. The
  same measured over as long without snapshots is the machine's own noise.
- **CPU per snapshot**: CPU of the hass process (all threads) over windows in which
  snapshots are published one per second, less the idle rate (the heartbeat
  benchmark's method), median of the trials, without the lag probe running.
- **floor**: the same message for a MAC no camera has, on a topic the integration
  subscribes to (the heartbeat benchmark's floor): HA's MQTT receive and the
  integration's JSON decode, then dropped.
- **bare decode**: the same payload's ``json.loads`` + ``base64.b64decode`` of the
  image in this process (same Python), median of 20: the least any consumer does.

python benchmarks/snapshot_1mb.py [--quick] [--trials 3] [--count 5]
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from dataclasses import dataclass
import json
from pathlib import Path
import sys
import time
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness as h
from heartbeat_cpu import (
    ALT_MAC,
    FLOOR_MAC,
    count_writes,
    log_errors,
    wait_received,
    wait_settings_read,
)

SNAPSHOT_TOPIC = h.TOPICS["snapshot_topic"]
ALT_SNAPSHOT_TOPIC = h.ALT_TOPICS["snapshot_topic"]
IMAGE_BYTES = 1024 * 1024


@dataclass
class SnapshotSettings:
    """How many snapshots, how often."""

    trials: int = 3
    count: int = 5  # snapshots per window
    interval: float = 1.0  # s between snapshots
    tail: float = 2.0
    keep: bool = False
    quiet_wait: float = 60.0


def payloads(
    mac: str, image: bytes, count: int, topic: str = SNAPSHOT_TOPIC
) -> list[tuple[str, bytes]]:
    """``count`` snapshot messages with the image, each with its own ``ts``."""
    now = int(time.time() * 1000)
    return [
        (topic, h.encode(h.snapshot_message(mac, image, now + i))) for i in range(count)
    ]


def bare_decode_ms(payload: bytes, repeat: int = 20) -> float:
    """Median CPU ms of ``json.loads`` + ``base64.b64decode`` of the image."""
    times = []
    for _ in range(repeat):
        start = time.process_time()
        h.bare_decode(payload)
        times.append(time.process_time() - start)
    return h.median(times) * 1000


async def run(
    settings: SnapshotSettings, log: Callable[[str], None] = print
) -> dict[str, Any]:
    """Warm up, CPU windows, then the lag windows."""
    mac = h.camera_macs(1)[0]
    image = h.jpeg_of_size(IMAGE_BYTES)
    log("  snapshot: starting Home Assistant")
    cameras = [
        h.CameraEntry(mac, "Camera 000"),
        h.CameraEntry(ALT_MAC, "Alt camera", dict(h.ALT_TOPICS)),
    ]
    async with h.HassInstance("snapshot", cameras, keep=settings.keep) as hass:
        log(f"    up in {hass.startup_seconds:.0f} s; warming up")
        await hass.ws.call(
            "bench_probe/latency_start", platform=h.DOMAIN, suffix="_last_heartbeat"
        )

        async def received() -> set[str]:
            answer = await hass.ws.call("bench_probe/latency_take")
            return {record[0] for record in answer["records"]}

        await wait_received(
            hass,
            lambda _: hass.publisher.publish(
                h.HEARTBEAT_TOPIC, h.encode(h.heartbeat(mac, 0))
            ),
            received,
            [mac],
        )
        await hass.ws.call("bench_probe/latency_take", stop=True)
        await wait_settings_read(hass)
        # The first picture creates the directory and the image entity's state.
        first = payloads(mac, image, 1)[0]
        writes = await count_writes(
            hass, lambda: hass.publisher.publish(*first), settle=3
        )
        shown = [e for e in writes["changed_entities"] if e.startswith("image.")]
        log_start = (hass.workdir / "home-assistant.log").stat().st_size
        payload_size = len(first[1])
        bare = bare_decode_ms(first[1])

        # The floor costs hass little: three times as many in the same window.
        builders: dict[str, tuple[int, Callable[[int], list[tuple[str, bytes]]]]] = {
            "ours": (1, lambda n: payloads(mac, image, n)),
            "floor": (3, lambda n: payloads(FLOOR_MAC, image, n, ALT_SNAPSHOT_TOPIC)),
        }
        cpu_trials: dict[str, list[float]] = {name: [] for name in builders}
        window = settings.count * settings.interval
        background = []
        for trial in range(settings.trials):
            await h.wait_for_quiet(hass.pid, settings.quiet_wait, log)
            idle_cpu, idle_s, others = await h.cpu_during(hass.pid, window)
            background.append(others)
            for name, (times, build) in builders.items():
                messages = build(settings.count * times)
                cpu, duration, busy = await h.cpu_publishing(
                    hass.pid,
                    hass.publisher,
                    messages,
                    times / settings.interval,
                    settings.tail,
                    hass.broker_pid,
                )
                background.append(busy)
                ms = h.per_message_ms(cpu, duration, idle_cpu, idle_s, len(messages))
                cpu_trials[name].append(ms)
                log(f"    trial {trial + 1} {name:>5}: {ms:.1f} ms CPU per snapshot")

        lags = {}
        await h.wait_for_quiet(hass.pid, settings.quiet_wait, log)
        await hass.ws.call("bench_probe/lag_start", interval_ms=1.0)
        await asyncio.sleep(window + settings.tail)
        lags["none"] = await hass.ws.call("bench_probe/lag_stop")
        for name, (_, build) in builders.items():
            await hass.ws.call("bench_probe/lag_start", interval_ms=1.0)
            await asyncio.to_thread(
                hass.publisher.publish_paced,
                build(settings.count),
                1 / settings.interval,
            )
            await asyncio.sleep(settings.tail)
            lags[name] = await hass.ws.call("bench_probe/lag_stop")
        log(
            "    loop lag, max: "
            + ", ".join(f"{k} {v['max_ms']:.1f} ms" for k, v in lags.items())
        )
        errors = log_errors(hass.workdir / "home-assistant.log", log_start)
    cpu = h.median(cpu_trials["ours"])
    return {
        "settings": settings.__dict__,
        "image_bytes": IMAGE_BYTES,
        "payload_bytes": payload_size,
        "image_entity_updated": shown,
        "cpu_trials_ms": cpu_trials,
        "cpu_ms": cpu,
        "floor_cpu_ms": h.median(cpu_trials["floor"]),
        "bare_decode_ms": bare,
        "cpu_ratio": cpu / bare,
        "background_cores": background,
        "lag": lags["ours"],
        "lag_floor": lags["floor"],
        "lag_baseline": lags["none"],
        "errors": errors,
    }


def table(result: dict[str, Any]) -> str:
    """The snapshot's markdown table."""
    lag, base, floor = result["lag"], result["lag_baseline"], result["lag_floor"]
    s = result["settings"]
    rows = [
        [
            "longest event-loop block while snapshots arrive (1 ms probe: max; p99.9)",
            f"{lag['max_ms']:.1f} ms; {lag['p999_ms']:.1f} ms "
            f"({lag['over_10ms']} of {lag['count']} ticks over 10 ms)",
            "never > 10 ms",
        ],
        [
            "the same for a camera not configured (HA's MQTT + JSON decode only)",
            f"{floor['max_ms']:.1f} ms; {floor['p999_ms']:.1f} ms "
            f"({floor['over_10ms']} of {floor['count']} over 10 ms)",
            "",
        ],
        [
            "the same without snapshots (the machine's noise)",
            f"{base['max_ms']:.1f} ms; {base['p999_ms']:.1f} ms "
            f"({base['over_10ms']} of {base['count']} over 10 ms)",
            "",
        ],
        [
            f"hass CPU per snapshot (median of {s['trials']} x {s['count']})",
            f"{result['cpu_ms']:.1f} ms",
            "",
        ],
        [
            "hass CPU per snapshot for a camera not configured",
            f"{result['floor_cpu_ms']:.1f} ms",
            "",
        ],
        [
            "bare json.loads + base64.b64decode of the same payload",
            f"{result['bare_decode_ms']:.1f} ms",
            "",
        ],
        ["CPU / bare decode", f"{result['cpu_ratio']:.2f}", "≤ 2.0"],
        [
            "other processes during the CPU windows",
            f"{max(result['background_cores']):.2f} cores (max)",
            "",
        ],
    ]
    heading = (
        f"1 MiB JPEG snapshot ({result['payload_bytes'] / 1e6:.2f} MB message), "
        f"1 camera"
    )
    return h.markdown_table([heading, "result", "goal"], rows)


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--trials", type=int)
    parser.add_argument("--count", type=int)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    settings = SnapshotSettings(trials=1, count=3) if args.quick else SnapshotSettings()
    if args.trials:
        settings.trials = args.trials
    if args.count:
        settings.count = args.count
    settings.keep = args.keep
    result = asyncio.run(run(settings))
    h.write_json(args.json, result)
    print()
    print(table(result))
    if not result["image_entity_updated"]:
        print("WARNING: the image entity did not change on the first snapshot")
    for error in result["errors"]:
        print("WARNING: logged:", error)
    if args.json is None:
        print(json.dumps({k: v for k, v in result.items() if k != "settings"}))


if __name__ == "__main__":
    main()
