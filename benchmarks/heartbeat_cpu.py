"""CPU of Home Assistant per heartbeat: this integration vs hand-written YAML vs the floor.

Each case runs in its own real Home Assistant (``hass -c <throwaway dir>``, the
project's .venv) on its own mosquitto; the benchmark publishes heartbeats over MQTT
and reads the CPU time of the hass process (all threads) from the kernel:

- **ours**: the integration with N camera config entries (as the demo configures
  them) on the guide's shared topics; heartbeats round-robin over the N cameras.
- **yaml**: what users would write without it: 14 ``mqtt: sensor:`` per camera on
  the shared heartbeat topic, each ``value_template`` reading its value only when
  ``value_json['values'].devMac`` is the camera's, else keeping its state with
  ``{{ this.state }}`` (the ``this`` variable HA gives MQTT templates). The
  integration is not installed there at all.
- **floor**: HA's MQTT receive + the integration's JSON decode + MAC dict lookup,
  no state write: heartbeats for a MAC no camera has, on a topic the integration's
  dispatcher subscribes to (a camera's second topic set, ``bench/alt/...``) but
  that no manifest names, so HA starts no MQTT discovery flow for them. Measured
  in the ours instance.
- **ours, off-manifest topic** (1 camera): one camera whose heartbeat topic is
  ``bench/alt/Status``: the integration's work without the MQTT discovery flow HA
  starts for every new payload on a topic in its manifest (``X5SensingCam/Status``).

Between ten consecutive heartbeats of a camera ten values change (battery soc,
voltage, capacity, charge current and voltage, LAF, temperature, signal strength,
monthly data, storage) and ``ts``; four of the YAML case's 14 stay.

One trial = an idle window, then each case's active window: heartbeats published at a
steady rate, plus a tail to finish the last ones. ms per heartbeat = (CPU of the
active window - idle CPU rate x its duration) / heartbeats. The table shows the
median of the trials. Writes per heartbeat and "the same heartbeat twice" come from
the probe (benchmarks/bench_probe) counting ``state_changed`` and
``state_reported`` events outside the CPU windows.

python benchmarks/heartbeat_cpu.py [--quick] [--trials 3] [--cameras 1,50]
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
import json
import math
from pathlib import Path
import sys
import time
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness as h

ALT_MAC = "1CC3A0000001"  # the camera on bench/alt/... topics
FLOOR_MAC = "1CC3A00000FF"  # no camera has it
ALT_HEARTBEAT_TOPIC = h.ALT_TOPICS["heartbeat_topic"]
HA_FLOOR_TOPIC = "bench/floor/Status"  # only the probe's floor subscriber


@dataclass
class Settings:
    """How long and how fast."""

    trials: int = 3
    window: float = 10.0  # s of publishing per active window (and of idle)
    rate: float = 25.0  # heartbeats/s for ours and yaml (all camera counts)
    # The floor at the same rate as the cases: the cost of a message depends on how
    # warm the caches still are from the last one (at 250/s it is a third).
    floor_rate: float = 25.0
    tail: float = 1.5  # s after the last publish, inside the window
    counts: tuple[int, ...] = (1, 50)
    keep: bool = False
    quiet_wait: float = 60.0  # s to wait, before a trial, for a busy machine to calm


Messages = list[tuple[str, bytes]]


def round_robin(
    macs: Sequence[str], topic: str, total: int, first_step: int
) -> tuple[Messages, int]:
    """``total`` heartbeats over ``macs`` in turn; and the next unused step."""
    now = int(time.time() * 1000)
    messages = [
        (
            topic,
            h.encode(
                h.heartbeat(macs[i % len(macs)], first_step + i // len(macs), now + i)
            ),
        )
        for i in range(total)
    ]
    return messages, first_step + math.ceil(total / len(macs))


async def wait_received(
    hass: h.HassInstance,
    send: Callable[[list[str]], object],
    received: Callable[[], Any],
    everyone: list[str],
    limit: float = 180,
) -> None:
    """Send to everyone, then again to whoever did not show it, until all did."""
    deadline = time.monotonic() + limit
    missing = list(everyone)
    while missing:
        if time.monotonic() > deadline or not hass.alive():
            raise RuntimeError(f"{hass.name}: {len(missing)} cameras never updated")
        send(missing)
        for _ in range(10):
            await asyncio.sleep(1)
            got = await received()
            missing = [mac for mac in everyone if mac not in got]
            if not missing:
                break


async def heartbeats_seen(hass: h.HassInstance) -> Callable[[], Any]:
    """Start the probe's watch of last-heartbeat updates; return what reads the
    cameras seen so far (for wait_received)."""
    await hass.ws.call(
        "bench_probe/latency_start", platform=h.DOMAIN, suffix="_last_heartbeat"
    )
    seen: set[str] = set()

    async def received() -> set[str]:
        answer = await hass.ws.call("bench_probe/latency_take")
        seen.update(record[0] for record in answer["records"])
        return seen

    return received


async def wait_settings_read(hass: h.HassInstance, limit: float = 300) -> None:
    """Until the integration's settings reads (after a first heartbeat) are over."""
    deadline = time.monotonic() + limit
    last, still = -1, 0
    while time.monotonic() < deadline and still < 3:
        await asyncio.sleep(1)
        now = hass.publisher.answered
        still = still + 1 if now == last else 0
        last = now


async def count_writes(
    hass: h.HassInstance, publish: Callable[[], object], settle: float = 1.5
) -> dict[str, Any]:
    """State writes (changed / reported unchanged) caused by ``publish``."""
    await hass.ws.call("bench_probe/count_start")
    publish()
    await asyncio.sleep(settle)
    counts = await hass.ws.call("bench_probe/count_stop")
    return {
        "changed": sum(counts["changed"].values()),
        "reported": sum(counts["reported"].values()),
        "changed_entities": sorted(counts["changed"]),
    }


async def writes_per_heartbeat(
    hass: h.HassInstance, mac: str, topic: str, step: int
) -> tuple[dict[str, Any], int]:
    """Writes for a heartbeat in which ten values changed, and for the same
    heartbeat published a second time."""
    pub = hass.publisher
    changing = await count_writes(
        hass, lambda: pub.publish(topic, h.encode(h.heartbeat(mac, step)))
    )
    payload = h.encode(h.heartbeat(mac, step + 1))
    pub.publish(topic, payload)
    await asyncio.sleep(1.5)
    repeat = await count_writes(hass, lambda: pub.publish(topic, payload))
    return {"changing": changing, "repeat": repeat}, step + 2


def log_errors(path: Path, start: int) -> list[str]:
    """ERROR lines Home Assistant logged after byte ``start``."""
    with path.open("rb") as log:
        log.seek(start)
        text = log.read().decode(errors="replace")
    return [line[:200] for line in text.splitlines() if " ERROR " in line]


async def run_trials(
    hass: h.HassInstance,
    settings: Settings,
    builders: Mapping[str, tuple[float, Callable[[int], Messages]]],
    log: Callable[[str], None],
) -> dict[str, list[dict[str, float]]]:
    """Idle, then each case's active window, ``trials`` times (case order rotates)."""
    results: dict[str, list[dict[str, float]]] = {name: [] for name in builders}
    names = list(builders)
    for trial in range(settings.trials):
        waited = await h.wait_for_quiet(hass.pid, settings.quiet_wait, log)
        idle_cpu, idle_s, others = await h.cpu_during(hass.pid, settings.window)
        order = names[trial % len(names) :] + names[: trial % len(names)]
        for name in order:
            rate, build = builders[name]
            messages = build(round(rate * settings.window))
            cpu, duration, busy = await h.cpu_publishing(
                hass.pid, hass.publisher, messages, rate, settings.tail, hass.broker_pid
            )
            ms = h.per_message_ms(cpu, duration, idle_cpu, idle_s, len(messages))
            results[name].append(
                {
                    "ms": ms,
                    "messages": len(messages),
                    "cpu_s": cpu,
                    "seconds": duration,
                    "idle_cpu_s": idle_cpu,
                    "idle_seconds": idle_s,
                    "load": cpu / duration,
                    "background_cores": max(others, busy),
                    "background_idle": others,
                    "background_active": busy,
                    "waited_s": waited,
                }
            )
            log(
                f"    trial {trial + 1} {name:>5}: {ms:.3f} ms/heartbeat "
                f"({len(messages)} in {duration:.1f} s, hass at {cpu / duration:.0%} "
                f"of a core, idle {idle_cpu / idle_s:.1%}; other processes "
                f"{others:.2f} / {busy:.2f} cores idle / active)"
            )
    return results


async def ours_case(
    count: int, settings: Settings, log: Callable[[str], None]
) -> dict[str, Any]:
    """The integration with ``count`` cameras (+ the alt camera): ours, floor, alt."""
    macs = h.camera_macs(count)
    cameras = [h.CameraEntry(mac, f"Camera {i:03d}") for i, mac in enumerate(macs)]
    cameras.append(h.CameraEntry(ALT_MAC, "Alt camera", dict(h.ALT_TOPICS)))
    log(f"  ours, {count} camera(s): starting Home Assistant")
    async with h.HassInstance(f"ours{count}", cameras, keep=settings.keep) as hass:
        log(f"    up in {hass.startup_seconds:.0f} s; warming up")
        received = await heartbeats_seen(hass)

        def send(missing: list[str]) -> None:
            for mac in missing:
                topic = ALT_HEARTBEAT_TOPIC if mac == ALT_MAC else h.HEARTBEAT_TOPIC
                hass.publisher.publish(topic, h.encode(h.heartbeat(mac, 0)))

        await wait_received(hass, send, received, [*macs, ALT_MAC])
        await hass.ws.call("bench_probe/latency_take", stop=True)
        await wait_settings_read(hass)
        if count == 1:
            await subscribe_ha_floor(hass)
        stats = await hass.stats()
        writes, step = await writes_per_heartbeat(hass, macs[0], h.HEARTBEAT_TOPIC, 1)
        log_start = (hass.workdir / "home-assistant.log").stat().st_size
        steps = {"ours": step, "floor": 0, "alt": step, "ha_floor": 0}

        def ours(total: int) -> Messages:
            messages, steps["ours"] = round_robin(
                macs, h.HEARTBEAT_TOPIC, total, steps["ours"]
            )
            return messages

        def floor(total: int) -> Messages:
            messages, steps["floor"] = round_robin(
                [FLOOR_MAC], ALT_HEARTBEAT_TOPIC, total, steps["floor"]
            )
            return messages

        def ha_floor(total: int) -> Messages:
            messages, steps["ha_floor"] = round_robin(
                [FLOOR_MAC], HA_FLOOR_TOPIC, total, steps["ha_floor"]
            )
            return messages

        def alt(total: int) -> Messages:
            messages, steps["alt"] = round_robin(
                [ALT_MAC], ALT_HEARTBEAT_TOPIC, total, steps["alt"]
            )
            return messages

        builders = {
            "floor": (settings.floor_rate, floor),
            "ours": (settings.rate, ours),
        }
        if count == 1:
            builders["ha_floor"] = (settings.floor_rate, ha_floor)
            builders["alt"] = (settings.rate, alt)
        results = await run_trials(hass, settings, builders, log)
        errors = log_errors(hass.workdir / "home-assistant.log", log_start)
        check = await check_last_value(hass, "sensor.camera_000_battery", macs, steps)
    return {
        "cameras": count,
        "startup_s": hass.startup_seconds,
        "entities_per_camera": stats["entities"] // (count + 1),
        "enabled_per_camera": stats["entities_enabled"] // (count + 1),
        "writes": writes,
        "trials": results,
        "errors": errors,
        "check": check,
    }


async def subscribe_ha_floor(hass: h.HassInstance) -> None:
    """The probe's plain subscriber on its own topic; wait until it hears."""
    await hass.ws.call("bench_probe/floor_subscribe", topic=HA_FLOOR_TOPIC)
    deadline = time.monotonic() + 30
    while (await hass.stats())["floor_messages"] == 0:
        if time.monotonic() > deadline:
            raise RuntimeError("the probe's floor subscription hears nothing")
        hass.publisher.publish(HA_FLOOR_TOPIC, h.encode(h.heartbeat(FLOOR_MAC, 0)))
        await asyncio.sleep(1)


async def check_last_value(
    hass: h.HassInstance, entity_id: str, macs: list[str], steps: dict[str, int]
) -> str:
    """Whether camera 0's battery shows the soc of the last heartbeat it was sent."""
    await asyncio.sleep(1)
    states = {s["entity_id"]: s["state"] for s in await hass.ws.call("get_states")}
    last_step = steps["ours"] - 1  # round_robin's last round starts at camera 0
    expected = str(h.heartbeat(macs[0], last_step)["values"]["battery"]["soc"])
    shown = states.get(entity_id)
    return "ok" if shown == expected else f"{entity_id} is {shown}, expected {expected}"


async def yaml_case(
    count: int, settings: Settings, log: Callable[[str], None]
) -> dict[str, Any]:
    """14 hand-written ``mqtt: sensor:`` per camera (the integration not installed)."""
    macs = h.camera_macs(count)
    slugs = [f"camera_{i:03d}" for i in range(count)]
    yaml = h.yaml_sensors(zip(macs, slugs, strict=True), h.HEARTBEAT_TOPIC)
    log(f"  yaml, {count} camera(s): starting Home Assistant")
    async with h.HassInstance(
        f"yaml{count}", extra_yaml=yaml, integration=False, keep=settings.keep
    ) as hass:
        log(f"    up in {hass.startup_seconds:.0f} s; warming up")
        expected = str(h.heartbeat(macs[0], 0)["values"]["battery"]["soc"])

        async def received() -> set[str]:
            states = {
                s["entity_id"]: s["state"] for s in await hass.ws.call("get_states")
            }
            return {
                mac
                for mac, slug in zip(macs, slugs, strict=True)
                if states.get(f"sensor.{slug}_battery") == expected
            }

        def send(missing: list[str]) -> None:
            for mac in missing:
                hass.publisher.publish(h.HEARTBEAT_TOPIC, h.encode(h.heartbeat(mac, 0)))

        await wait_received(hass, send, received, macs)
        stats = await hass.stats()
        writes, step = await writes_per_heartbeat(hass, macs[0], h.HEARTBEAT_TOPIC, 1)
        log_start = (hass.workdir / "home-assistant.log").stat().st_size
        steps = {"ours": step}

        def yaml_messages(total: int) -> Messages:
            messages, steps["ours"] = round_robin(
                macs, h.HEARTBEAT_TOPIC, total, steps["ours"]
            )
            return messages

        results = await run_trials(
            hass, settings, {"yaml": (settings.rate, yaml_messages)}, log
        )
        errors = log_errors(hass.workdir / "home-assistant.log", log_start)
        check = await check_last_value(hass, "sensor.camera_000_battery", macs, steps)
    return {
        "cameras": count,
        "startup_s": hass.startup_seconds,
        "states": stats["states"],
        "writes": writes,
        "trials": results,
        "errors": errors,
        "check": check,
    }


async def run(settings: Settings, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Every case at every camera count."""
    cases: dict[str, Any] = {"settings": settings.__dict__, "ours": {}, "yaml": {}}
    for count in settings.counts:
        cases["yaml"][count] = await yaml_case(count, settings, log)
        cases["ours"][count] = await ours_case(count, settings, log)
    return cases


def medians(result: dict[str, Any], kind: str) -> float:
    """The median ms per heartbeat of one case's trials."""
    return h.median([trial["ms"] for trial in result["trials"].get(kind, [])])


def summary(cases: dict[str, Any]) -> dict[str, Any]:
    """Medians and ratios by case and camera count."""
    counts = sorted(cases["ours"], key=int)
    out: dict[str, Any] = {"counts": counts}
    for count in counts:
        ours, yaml = cases["ours"][count], cases["yaml"][count]
        out[count] = {
            "floor": medians(ours, "floor"),
            "yaml": medians(yaml, "yaml"),
            "ours": medians(ours, "ours"),
            "alt": medians(ours, "alt"),
            "ha_floor": medians(ours, "ha_floor"),
        }
    return out


def table(cases: dict[str, Any]) -> str:
    """The markdown table of the issue's side-by-side benchmark."""
    s = summary(cases)
    counts = s["counts"]
    first = counts[0]
    floor = s[first]["ha_floor"]
    ours_first = cases["ours"][first]
    header = ["case", *(f"{c} camera{'s' if int(c) > 1 else ''}" for c in counts)]

    def cell(count: Any, key: str) -> str:
        kind = "yaml" if key == "yaml" else "ours"
        values = [t["ms"] for t in cases[kind][count]["trials"].get(key, [])]
        text = h.fmt_ms(s[count][key])
        if len(values) > 1:
            text += f" ({min(values):.2f}..{max(values):.2f})"
        return text

    def row(label: str, key: str) -> list[str]:
        return [label, *(cell(c, key) for c in counts)]

    rows = [
        row(
            "HA's MQTT floor: a plain @callback subscriber, JSON + dict lookup, "
            "no state write",
            "ha_floor",
        ),
        row(
            "the integration's dispatcher, unknown MAC (receive + JSON + dict "
            "lookup, no state write)",
            "floor",
        ),
        row("14 hand-written YAML sensors per camera", "yaml"),
        row(
            f"this integration ({ours_first['entities_per_camera']} entities per "
            f"camera, {ours_first['enabled_per_camera']} enabled by default)",
            "ours",
        ),
        row(
            "this integration, heartbeat topic not in its manifest (no HA discovery flow)",
            "alt",
        ),
        [
            "yaml / ours (goal ≥ 2.0 at 1 camera, ≥ 40 at 50)",
            *(f"{s[c]['yaml'] / s[c]['ours']:.2f}" for c in counts),
        ],
        [
            "the same for the work above HA's MQTT floor, which both pay (floor "
            f"of {first} camera)",
            *(f"{(s[c]['yaml'] - floor) / (s[c]['ours'] - floor):.2f}" for c in counts),
        ],
    ]
    if len(counts) > 1:
        last = counts[-1]
        rows.append(
            [
                f"ours at {last} / ours at {first} (goal ≤ 1.1)",
                f"{s[last]['ours'] / s[first]['ours']:.2f}",
                *([""] * (len(counts) - 1)),
            ]
        )
    return h.markdown_table(header, rows)


def writes_text(cases: dict[str, Any]) -> str:
    """Writes per heartbeat, and for the same heartbeat twice, at 1 camera."""
    lines = []
    for kind, label in (("ours", "this integration"), ("yaml", "YAML sensors")):
        first = cases[kind][sorted(cases[kind], key=int)[0]]["writes"]
        changing, repeat = first["changing"], first["repeat"]
        lines.append(
            f"- {label}: a heartbeat with ten changed values wrote "
            f"{changing['changed']} changed + {changing['reported']} unchanged states; "
            f"the same heartbeat again wrote {repeat['changed']} changed "
            f"({', '.join(repeat['changed_entities']) or 'none'}) + "
            f"{repeat['reported']} unchanged"
        )
    return "\n".join(lines)


def noise_text(cases: dict[str, Any]) -> str:
    """How busy the rest of the machine was while hass idled between windows."""
    values = [
        trial["background_cores"]
        for kind in ("ours", "yaml")
        for result in cases[kind].values()
        for trials in result["trials"].values()
        for trial in trials
    ]
    if not values:
        return ""
    waited = sum(
        trial.get("waited_s", 0.0)
        for kind in ("ours", "yaml")
        for result in cases[kind].values()
        for trial in next(iter(result["trials"].values()), [])
    )
    return (
        f"Other processes kept {h.median(values):.2f} cores busy (median; max "
        f"{max(values):.2f}) during the idle windows"
        + (f"; {waited:.0f} s spent waiting for them to calm." if waited else ".")
    )


def problems(cases: dict[str, Any]) -> list[str]:
    """Errors logged during the trials, failed checks, saturated windows."""
    found = []
    background = [
        trial["background_cores"]
        for kind in ("ours", "yaml")
        for result in cases[kind].values()
        for trials in result["trials"].values()
        for trial in trials
    ]
    if background and h.median(background) > 0.25:
        found.append(
            f"other processes kept {h.median(background):.2f} cores busy: on a "
            "shared machine the CPU per heartbeat comes out higher; rerun when quiet"
        )
    for kind in ("ours", "yaml"):
        for count, result in cases[kind].items():
            if result["check"] != "ok":
                found.append(f"{kind} {count}: {result['check']}")
            if result["errors"]:
                found.append(
                    f"{kind} {count}: {len(result['errors'])} errors logged, first: "
                    f"{result['errors'][0]}"
                )
            for name, trials in result["trials"].items():
                if any(t["load"] > 0.9 for t in trials):
                    found.append(f"{kind} {count} {name}: hass near 100% of a core")
    return found


def parse_args(argv: list[str] | None = None) -> tuple[Settings, Path | None]:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 trial, short windows")
    parser.add_argument("--trials", type=int)
    parser.add_argument("--window", type=float, help="seconds per window")
    parser.add_argument("--rate", type=float, help="heartbeats/s (ours, yaml)")
    parser.add_argument("--floor-rate", type=float, help="heartbeats/s (floor)")
    parser.add_argument("--cameras", help="camera counts, e.g. 1,50")
    parser.add_argument("--keep", action="store_true", help="keep the config dirs")
    parser.add_argument("--json", type=Path, help="write the raw results here")
    args = parser.parse_args(argv)
    settings = (
        Settings(trials=1, window=5.0, quiet_wait=0) if args.quick else Settings()
    )
    if args.trials:
        settings.trials = args.trials
    if args.window:
        settings.window = args.window
    if args.rate:
        settings.rate = args.rate
    if args.floor_rate:
        settings.floor_rate = args.floor_rate
    if args.cameras:
        settings.counts = tuple(int(c) for c in args.cameras.split(","))
    settings.keep = args.keep
    return settings, args.json


def main() -> None:
    """Run and print the table."""
    settings, json_path = parse_args()
    cases = asyncio.run(run(settings))
    h.write_json(json_path, cases)
    print()
    print(table(cases))
    print()
    print(writes_text(cases))
    print(noise_text(cases))
    for problem in problems(cases):
        print("WARNING:", problem)
    if json_path is None:
        print(json.dumps(summary(cases), default=str))


if __name__ == "__main__":
    main()
