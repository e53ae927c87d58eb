"""What the discovery flow's own step costs for a camera already configured.

Home Assistant's MQTT starts a config flow for every heartbeat on the manifest's
topic (no public call stops it). The step turns a known camera away by its MAC:
found in the raw payload (``scan_mac``) rather than by decoding the message
(``decode_json`` + ``peek_mac``, what 0.4's step did first). This times both on the
guide's heartbeat, in one process; the flow machinery around the step is Home
Assistant's and is measured end to end by heartbeat_cpu.py (its off-manifest case).

python benchmarks/discovery_step.py
"""

from __future__ import annotations

from pathlib import Path
import statistics
import sys
import timeit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from custom_components.milesight_x5.api import decode_json, peek_mac, scan_mac

HEARTBEAT = (
    Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "heartbeat.json"
).read_bytes()


def measure(repeat: int = 7, number: int = 5000) -> tuple[float, float]:
    """Microseconds per heartbeat: (scan the raw payload, decode and peek)."""
    assert scan_mac(HEARTBEAT) == peek_mac(decode_json(HEARTBEAT))
    scan = timeit.repeat(lambda: scan_mac(HEARTBEAT), repeat=repeat, number=number)
    decode = timeit.repeat(
        lambda: peek_mac(decode_json(HEARTBEAT)), repeat=repeat, number=number
    )
    return (
        statistics.median(scan) / number * 1e6,
        statistics.median(decode) / number * 1e6,
    )


def main() -> None:
    """Print a markdown table."""
    scan, decode = measure()
    print(f"heartbeat of {len(HEARTBEAT)} bytes")
    print("| MAC of a configured camera's heartbeat | µs |")
    print("| --- | ---: |")
    print(f"| found in the raw payload (scan_mac, 0.5) | {scan:.1f} |")
    print(f"| decoded, then peeked (decode_json + peek_mac, 0.4) | {decode:.1f} |")


if __name__ == "__main__":
    main()
