"""Soak: 500 simulated cameras x 1 heartbeat/s on mosquitto, for minutes.

A real Home Assistant with this integration and N camera entries (as the demo
configures them, the guide's shared topics). After every camera's first heartbeat
(and the settings reads the integration makes after it, answered as the simulator's
cameras answer), the benchmark publishes one heartbeat per camera per second, spread
evenly over the second, each with ten changed values and ``ts`` = its publish time.
Every 5 s it samples:

- the hass process's RSS (``VmRSS`` of /proc/<pid>/status) and CPU time;
- asyncio tasks and MQTT subscriptions (HA's callbacks, and topics at the broker)
  from the probe (benchmarks/bench_probe), and mosquitto's own subscription count;
- message-to-state latency: the ``last_updated`` of each camera's last-heartbeat
  sensor (recorded in hass by the probe) minus the time the benchmark handed that
  heartbeat to its MQTT client (matched by camera and ``ts``): broker, HA's MQTT
  client, the integration and the state write.

The first ``--warmup`` seconds are excluded; drift and growth compare the first
sample after them with the rest.

python benchmarks/soak.py [--cameras 500] [--seconds 300] [--warmup 60]
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from dataclasses import dataclass
import json
from pathlib import Path
import sys
import threading
import time
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness as h
from heartbeat_cpu import heartbeats_seen, wait_received, wait_settings_read


@dataclass
class SoakSettings:
    """How many cameras, for how long."""

    cameras: int = 500
    seconds: float = 300.0
    warmup: float = 60.0
    sample_every: float = 5.0
    keep: bool = False
    nagle: bool = False
    quiet_wait: float = 60.0


class Heartbeats:
    """Publishes one heartbeat per camera per second, evenly spread, in a thread."""

    def __init__(self, publisher: h.Publisher, macs: list[str]) -> None:
        """Nothing runs before :meth:`start`."""
        self.publisher, self.macs = publisher, macs
        self.sent: dict[tuple[str, int], float] = {}
        self.late = 0  # heartbeats the publisher sent more than 100 ms after due
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        """Start publishing."""
        self._thread.start()

    def stop(self) -> None:
        """Stop publishing."""
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        start = time.perf_counter()
        count = len(self.macs)
        second = 0
        while not self._stop.is_set():
            second += 1
            for index, mac in enumerate(self.macs):
                due = start + second - 1 + index / count
                delay = due - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                elif delay < -0.1:
                    self.late += 1
                ts = int(time.time() * 1000)
                payload = h.encode(h.heartbeat(mac, second, ts))
                self.sent[(mac, ts)] = self.publisher.publish(
                    h.HEARTBEAT_TOPIC, payload
                )
                if self._stop.is_set():
                    return


async def run(
    settings: SoakSettings, log: Callable[[str], None] = print
) -> dict[str, Any]:
    """Run the soak; the samples and the summary."""
    macs = h.camera_macs(settings.cameras)
    cameras = [h.CameraEntry(mac, f"Camera {i:03d}") for i, mac in enumerate(macs)]
    log(f"  soak: {settings.cameras} cameras, starting Home Assistant")
    async with h.HassInstance(
        "soak", cameras, keep=settings.keep, nagle=settings.nagle
    ) as hass:
        log(f"    up in {hass.startup_seconds:.0f} s; first heartbeats")
        received = await heartbeats_seen(hass)

        def send(missing: list[str]) -> None:
            for mac in missing:
                hass.publisher.publish(h.HEARTBEAT_TOPIC, h.encode(h.heartbeat(mac, 0)))

        await wait_received(hass, send, received, macs)
        await wait_settings_read(hass)
        await hass.ws.call("bench_probe/latency_take")
        await h.wait_for_quiet(hass.pid, settings.quiet_wait, log)
        log(
            f"    {settings.cameras} heartbeats/s for {settings.seconds:.0f} s "
            f"(first {settings.warmup:.0f} s warm-up)"
        )
        watch = h.DeliveryWatch(hass.broker_port, h.HEARTBEAT_TOPIC)
        beats = Heartbeats(hass.publisher, macs)
        samples: list[dict[str, Any]] = []
        records: list[tuple[float, list[Any]]] = []
        started = time.monotonic()
        beats.start()
        try:
            while (elapsed := time.monotonic() - started) < settings.seconds:
                await asyncio.sleep(
                    min(settings.sample_every, settings.seconds - elapsed)
                )
                if not hass.alive():
                    raise RuntimeError(f"hass ended; see {hass.workdir}")
                stats = await hass.stats()
                taken = await hass.ws.call("bench_probe/latency_take")
                now = time.monotonic() - started
                records.append((now, taken["records"]))
                samples.append(
                    {
                        "t": now,
                        "rss_mib": h.rss_mib(hass.pid),
                        "cpu_s": h.cpu_seconds(hass.pid),
                        "machine_busy_s": h.machine_busy_seconds(),
                        "tasks": stats["tasks"],
                        "mqtt_subscriptions": stats["mqtt_subscriptions"],
                        "mqtt_topics": stats["mqtt_topics"],
                        "broker_subscriptions": hass.publisher.sys.get(
                            "$SYS/broker/subscriptions/count"
                        ),
                        "states": stats["states"],
                        "gc": stats["gc"],
                    }
                )
                last = samples[-1]
                log(
                    f"    {now:5.0f} s: RSS {last['rss_mib']:.0f} MiB, "
                    f"{last['tasks']} tasks, {last['mqtt_subscriptions']} "
                    f"subscriptions, {len(taken['records'])} updates, "
                    f"{last['gc']['2']['count']} full GCs "
                    f"(longest {last['gc']['2']['max_ms']:.0f} ms)"
                )
        finally:
            beats.stop()
        await asyncio.sleep(2)
        watch.close()
        taken = await hass.ws.call("bench_probe/latency_take", stop=True)
        records.append((time.monotonic() - started, taken["records"]))
    return summarize(settings, samples, records, beats, watch.received)


def summarize(
    settings: SoakSettings,
    samples: list[dict[str, Any]],
    records: list[tuple[float, list[Any]]],
    beats: Heartbeats,
    delivered: dict[tuple[str, int], float],
) -> dict[str, Any]:
    """Drift, growth and latency after the warm-up."""
    after = [s for s in samples if s["t"] >= settings.warmup] or samples[-1:]
    first, last = after[0], after[-1]
    rss = [s["rss_mib"] for s in after]
    # Latency of heartbeats sent after the warm-up (the publisher's clock).
    start_wall = min(beats.sent.values()) if beats.sent else 0.0
    warm_start = start_wall + settings.warmup
    sent_after = {k: v for k, v in beats.sent.items() if v >= warm_start}
    all_records = [r for _, batch in records for r in batch]
    latencies, _ = h.latencies_ms(all_records, sent_after)
    broker = [
        (delivered[key] - sent) * 1000
        for key, sent in sent_after.items()
        if key in delivered
    ]
    cpu_seconds = last["cpu_s"] - first["cpu_s"]
    span = last["t"] - first["t"]
    return {
        "settings": settings.__dict__,
        "samples": samples,
        "rss_first_mib": first["rss_mib"],
        "rss_last_mib": last["rss_mib"],
        "rss_drift_pct": (last["rss_mib"] / first["rss_mib"] - 1) * 100,
        "rss_range_pct": (max(rss) - min(rss)) / first["rss_mib"] * 100,
        "rss_slope_mib_per_min": h.slope_per_minute([s["t"] for s in after], rss),
        "tasks": (first["tasks"], last["tasks"], max(s["tasks"] for s in after)),
        "subscriptions": (
            first["mqtt_subscriptions"],
            last["mqtt_subscriptions"],
            max(s["mqtt_subscriptions"] for s in after),
        ),
        "topics": (first["mqtt_topics"], last["mqtt_topics"]),
        "broker_subscriptions": (
            first["broker_subscriptions"],
            last["broker_subscriptions"],
        ),
        "published_after_warmup": len(sent_after),
        "updates_matched": len(latencies),
        "latency_p50_ms": h.percentile(latencies, 0.5),
        "latency_p99_ms": h.percentile(latencies, 0.99),
        "latency_max_ms": max(latencies) if latencies else float("nan"),
        "broker_p50_ms": h.percentile(broker, 0.5),
        "broker_p99_ms": h.percentile(broker, 0.99),
        "broker_max_ms": max(broker) if broker else float("nan"),
        "broker_delivered": len(broker),
        "cpu_pct": cpu_seconds / span * 100 if span > 0 else float("nan"),
        "others_pct": (
            (last["machine_busy_s"] - first["machine_busy_s"] - cpu_seconds)
            / span
            * 100
            if span > 0
            else float("nan")
        ),
        "publisher_late": beats.late,
    }


def table(result: dict[str, Any]) -> str:
    """The soak's markdown table."""
    s = result["settings"]
    tasks, subs, topics = result["tasks"], result["subscriptions"], result["topics"]
    broker = result["broker_subscriptions"]
    rows = [
        [
            "hass RSS after warm-up → end (max - min)",
            f"{result['rss_first_mib']:.0f} → {result['rss_last_mib']:.0f} MiB "
            f"({result['rss_drift_pct']:+.1f} %; range {result['rss_range_pct']:.1f} %; "
            f"{result['rss_slope_mib_per_min']:+.2f} MiB/min)",
            "flat, ±5 %",
        ],
        [
            "asyncio tasks after warm-up → end (max)",
            f"{tasks[0]} → {tasks[1]} ({tasks[2]})",
            "no growth",
        ],
        [
            "MQTT subscriptions in HA: callbacks (topics) after warm-up → end",
            f"{subs[0]} ({topics[0]}) → {subs[1]} ({topics[1]})",
            "no growth",
        ],
        ["mosquitto's subscription count", f"{broker[0]} → {broker[1]}", ""],
        [
            "message-to-state latency p50 / p99 / max",
            f"{result['latency_p50_ms']:.1f} / {result['latency_p99_ms']:.1f} / "
            f"{result['latency_max_ms']:.1f} ms",
            "p99 < 20 ms",
        ],
        [
            "of which the broker hop (publish → another subscriber) p50 / p99 / max",
            f"{result['broker_p50_ms']:.1f} / {result['broker_p99_ms']:.1f} / "
            f"{result['broker_max_ms']:.1f} ms",
            "",
        ],
        [
            "heartbeats after warm-up / last-heartbeat updates matched",
            f"{result['published_after_warmup']} / {result['updates_matched']}",
            "equal",
        ],
        ["hass CPU after warm-up", f"{result['cpu_pct']:.0f} % of a core", ""],
        [
            "the rest of the machine meanwhile (mosquitto, the publisher, others)",
            f"{result['others_pct']:.0f} % of a core",
            "",
        ],
    ]
    heading = (
        f"soak: {s['cameras']} cameras x 1 heartbeat/s, {s['seconds']:.0f} s "
        f"(first {s['warmup']:.0f} s excluded)"
    )
    return h.markdown_table([heading, "result", "goal"], rows)


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cameras", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--warmup", type=float)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument(
        "--nagle", action="store_true", help="mosquitto's default: no TCP_NODELAY"
    )
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    warmup = args.warmup if args.warmup is not None else min(60, args.seconds / 3)
    settings = SoakSettings(
        args.cameras,
        args.seconds,
        warmup,
        keep=args.keep,
        nagle=args.nagle,
        quiet_wait=0 if args.seconds < 120 else 60,
    )
    result = asyncio.run(run(settings))
    h.write_json(args.json, result)
    print()
    print(table(result))
    if args.json is None:
        print(json.dumps({k: v for k, v in result.items() if k != "samples"}))


if __name__ == "__main__":
    main()
