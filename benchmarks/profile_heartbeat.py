"""Where a heartbeat's CPU goes inside a real Home Assistant (cProfile of the loop).

Starts the ``ours`` case of heartbeat_cpu (a real ``hass`` + mosquitto, N cameras on
the shared topics), warms up until every camera showed a heartbeat and its settings
were read, then profiles the event-loop thread while heartbeats are published at a
steady rate and prints the top functions. cProfile slows every call down, so read
the shares, not the milliseconds; the CPU numbers come from heartbeat_cpu.

python benchmarks/profile_heartbeat.py [--cameras 1] [--count 500] [--sort tottime]
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
import sys

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness as h
import heartbeat_cpu


async def profile(cameras: int, count: int, sort: str, lines: int, filt: str) -> str:
    """The pstats text of ``count`` heartbeats over ``cameras`` cameras."""
    macs = h.camera_macs(cameras)
    entries = [h.CameraEntry(mac, f"Camera {i:03d}") for i, mac in enumerate(macs)]
    async with h.HassInstance("profile", entries) as hass:
        received = await heartbeat_cpu.heartbeats_seen(hass)

        def send(missing: list[str]) -> None:
            for mac in missing:
                hass.publisher.publish(h.HEARTBEAT_TOPIC, h.encode(h.heartbeat(mac, 0)))

        await heartbeat_cpu.wait_received(hass, send, received, macs)
        await hass.ws.call("bench_probe/latency_take", stop=True)
        await heartbeat_cpu.wait_settings_read(hass)
        messages, _ = heartbeat_cpu.round_robin(macs, h.HEARTBEAT_TOPIC, count, 1)
        await hass.ws.call("bench_probe/profile_start")
        for topic, payload in messages:
            hass.publisher.publish(topic, payload)
            await asyncio.sleep(0.04)
        await asyncio.sleep(1.5)
        answer = await hass.ws.call(
            "bench_probe/profile_stop", sort=sort, lines=lines, filter=filt
        )
        costs = [
            f"{entity}: {(await hass.ws.call('bench_probe/write_cost', entity_id=entity))['us']:.1f} µs per state write"
            for entity in (
                "sensor.camera_000_battery",
                "sensor.camera_000_noise",
                "sensor.camera_000_data_used_this_month",
                "sensor.camera_000_temperature",
            )
        ]
        later, _ = heartbeat_cpu.round_robin(macs, h.HEARTBEAT_TOPIC, 300, 5000)
        dispatch = await hass.ws.call(
            "bench_probe/dispatch_cost",
            topic=h.HEARTBEAT_TOPIC,
            payloads=[p.decode() for _, p in later],
        )
        costs.append(f"dispatcher, per heartbeat: {dispatch['us']:.1f} µs")
    return str(answer["text"]) + "\n".join(costs)


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cameras", type=int, default=1)
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--lines", type=int, default=80)
    parser.add_argument("--filter", default="", help="regex on file:function")
    args = parser.parse_args()
    print(
        asyncio.run(
            profile(args.cameras, args.count, args.sort, args.lines, args.filter)
        )
    )


if __name__ == "__main__":
    main()
