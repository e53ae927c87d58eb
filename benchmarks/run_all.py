"""Run the whole performance benchmark (issue #11) and print one markdown report.

1. heartbeat_cpu: CPU per heartbeat, this integration vs 14 YAML sensors per camera
   vs HA's MQTT floor, at 1 and 50 cameras, median of 3 trials;
2. soak: 500 cameras x 1 heartbeat/s for 5 minutes (RSS, tasks, subscriptions,
   message-to-state latency);
3. snapshot_1mb: a 1 MiB JPEG snapshot (event-loop block, CPU vs a bare decode).

Each runs its own real Home Assistant and mosquitto. scripts/bench installs what
this needs and runs it; ``--quick`` makes every part short (about 3 minutes).
"""

from __future__ import annotations

import argparse
import asyncio
import os
from pathlib import Path
import sys
import time
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness as h
import heartbeat_cpu
import snapshot_1mb
import soak


def report(
    machine: dict[str, str],
    results: dict[str, Any],
    quick: bool,
    minutes: float,
    load_after: float,
) -> str:
    """The markdown report: heading, the three tables, notes."""
    heartbeats, soaked, snapshot = (
        results["heartbeats"],
        results["soak"],
        results["snapshot"],
    )
    hb = heartbeats["settings"]
    trials = f"{hb['trials']} trial{'s' if hb['trials'] > 1 else ''}"
    lines = [
        "Milesight X5 benchmark"
        + (" (--quick: short runs, not reference numbers)" if quick else ""),
        "",
        f"- machine: {machine['cpu']}, {machine['cores']} cores, Linux "
        f"{machine['kernel']}; load average {machine['load']} before, "
        f"{load_after:.2f} after",
        f"- Home Assistant {machine['homeassistant']}, Python {machine['python']}, "
        f"mosquitto {machine['mosquitto']} (set_tcp_nodelay true)",
        f"- {machine['date']}; {minutes:.1f} min in all; reference workload "
        f"(harness.speed_index) {machine['speed_start_ms']} ms before, "
        f"{machine['speed_end_ms']} ms after",
        "",
        f"CPU of the hass process per heartbeat (median of {trials}; "
        f"{hb['rate']:g} heartbeats/s for {hb['window']:g} s per trial, the floor "
        f"{hb['floor_rate']:g}/s):",
        "",
        heartbeat_cpu.table(heartbeats),
        "",
        heartbeat_cpu.noise_text(heartbeats),
        "",
        "State writes per heartbeat (1 camera):",
        "",
        heartbeat_cpu.writes_text(heartbeats),
        "",
        soak.table(soaked),
        "",
        snapshot_1mb.table(snapshot),
    ]
    problems = heartbeat_cpu.problems(heartbeats)
    problems += [f"snapshot: logged {error}" for error in snapshot["errors"]]
    if not snapshot["image_entity_updated"]:
        problems.append("snapshot: the image entity did not change")
    if problems:
        lines += ["", *(f"WARNING: {problem}" for problem in problems)]
    return "\n".join(lines)


async def run(quick: bool, json_path: Path | None) -> tuple[str, dict[str, Any]]:
    """Everything, in order; the report and the raw results."""
    started = time.monotonic()
    machine = h.machine_info()
    if quick:
        hb_settings = heartbeat_cpu.Settings(trials=1, window=5.0, quiet_wait=0)
        soak_settings = soak.SoakSettings(
            cameras=500, seconds=30, warmup=10, quiet_wait=0
        )
        snap_settings = snapshot_1mb.SnapshotSettings(trials=1, count=3, quiet_wait=0)
    else:
        hb_settings = heartbeat_cpu.Settings()
        soak_settings = soak.SoakSettings()
        snap_settings = snapshot_1mb.SnapshotSettings()
    machine["speed_start_ms"] = f"{h.speed_index():.0f}"
    results: dict[str, Any] = {"machine": machine}
    print("1/3 CPU per heartbeat", flush=True)
    results["heartbeats"] = await heartbeat_cpu.run(hb_settings)
    print("2/3 soak", flush=True)
    results["soak"] = await soak.run(soak_settings)
    print("3/3 1 MB snapshot", flush=True)
    results["snapshot"] = await snapshot_1mb.run(snap_settings)
    machine["speed_end_ms"] = f"{h.speed_index():.0f}"
    h.write_json(json_path, results)  # before the report: kept if it fails
    minutes = (time.monotonic() - started) / 60
    text = report(machine, results, quick, minutes, os.getloadavg()[0])
    return text, results


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="short runs (~3 min)")
    parser.add_argument("--json", type=Path, help="write the raw results here")
    parser.add_argument("--markdown", type=Path, help="write the report here too")
    args = parser.parse_args()
    text, results = asyncio.run(run(args.quick, args.json))
    print()
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n")


if __name__ == "__main__":
    main()
