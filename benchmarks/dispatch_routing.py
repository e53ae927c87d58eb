"""Routing one heartbeat to its camera: shared subscription + MAC dict vs one per camera.

The integration subscribes once per topic and routes by MAC with a dict lookup. The
alternative, each camera's coordinator subscribing to the shared topic and checking
the MAC itself, hands every message to every camera. This measures both, side by side,
for 1..N cameras, in one process: python benchmarks/dispatch_routing.py
"""

from __future__ import annotations

import json
from pathlib import Path
import statistics
import sys
import timeit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from custom_components.milesight_x5.api import decode_json, peek_mac

HEARTBEAT = (
    Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "heartbeat.json"
).read_bytes()


def macs(count: int) -> list[str]:
    """``count`` distinct MACs."""
    return [f"{0x1CC316000000 + i:012X}" for i in range(count)]


def payload_for(mac: str) -> bytes:
    """The guide's heartbeat for ``mac``."""
    message = json.loads(HEARTBEAT)
    message["values"]["devMac"] = mac
    return json.dumps(message).encode()


def shared_subscription(routes: dict[str, object], payload: bytes) -> object | None:
    """What the dispatcher does: decode once, peek the MAC, one dict lookup."""
    message = decode_json(payload)
    mac = peek_mac(message)
    return routes.get(mac) if mac else None


def per_camera_subscriptions(cameras: list[str], payload: bytes) -> object | None:
    """The alternative: every camera's callback decodes and checks the MAC."""
    found = None
    for mac in cameras:
        message = decode_json(payload)
        if peek_mac(message) == mac:
            found = mac
    return found


def measure(count: int, repeat: int = 5, number: int = 200) -> tuple[float, float]:
    """Microseconds per message for both ways with ``count`` cameras (median of runs)."""
    cameras = macs(count)
    routes = {mac: mac for mac in cameras}
    payload = payload_for(cameras[-1])
    assert shared_subscription(routes, payload) == per_camera_subscriptions(
        cameras, payload
    )
    shared = timeit.repeat(
        lambda: shared_subscription(routes, payload), repeat=repeat, number=number
    )
    each = timeit.repeat(
        lambda: per_camera_subscriptions(cameras, payload), repeat=repeat, number=number
    )
    return (
        statistics.median(shared) / number * 1e6,
        statistics.median(each) / number * 1e6,
    )


def main() -> None:
    """Print a table."""
    print(
        f"Python {sys.version.split()[0]}; µs per heartbeat routed (median of 5 x 200)"
    )
    print(f"{'cameras':>8} {'shared+dict':>12} {'per-camera':>12} {'ratio':>7}")
    for count in (1, 2, 10, 50, 200):
        shared, each = measure(count)
        print(f"{count:>8} {shared:>12.1f} {each:>12.1f} {each / shared:>6.1f}x")


if __name__ == "__main__":
    main()
