"""What the camera pays: messages and bytes Home Assistant sends it, per action and
per day, against the guide's minimum (issue #20).

Each case sets a camera in a state (asleep on battery, settings read due, never
heard, presumed awake but asleep, awake, on USB-C power), performs one user action
through Home Assistant's services, and counts every message published to the
camera (the wake, probes, reads, the command) until the action returned, and the
background reads the same wake caused after it. The camera is the simulator's
field camera (:meth:`simulator.runner.Habits.field`: 8 s 4G wake, 0.8 s round
trip, awake 6 s after its own activity, 5 s to take a picture), run at 1/20 speed
inside Home Assistant's test harness (tests/field.py) with the integration's
timing scaled alike; times below are field seconds (measured x 20).

The guide's minimum: a sleeping camera needs the wake and the command (2); an
awake one, or one on external power, the command (1); a write inside an object
needs its branch when nothing recent is cached (+1); the Wake button is the wake
(1). A simulated day: 100 trigger wakes and 3 user actions on a known camera, its
settings read due once.

Run: ``.venv/bin/python benchmarks/camera_traffic.py`` (part of scripts/bench);
the cases are tests/test_traffic.py, which also pins every case at the minimum
plus one.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
import subprocess
import sys
import tempfile
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REPORT_ENV = "X5_TRAFFIC_REPORT"

STATES: dict[str, str] = {
    "asleep": "asleep on battery, read not due",
    "asleep_due": "asleep on battery, settings read due",
    "never_heard": "never heard since setup",
    "presumed": "presumed awake (heard < 10 s) but asleep",
    "awake": "awake (heard this moment)",
    "usb_power": "on USB-C power (never sleeps)",
}
ACTIONS = (
    "snapshot",
    "reboot",
    "wake",
    "switch",
    "number",
    "select",
    "install",
    "send_command",
)
NESTED = {"switch", "number"}  # a write inside triggerConfig


def minimum(state: str, action: str) -> int:
    """The guide's minimum number of messages for ``action`` in ``state``."""
    if action == "wake":
        return 1
    asleep = state in {"asleep", "asleep_due", "never_heard", "presumed"}
    branch_unknown = state == "never_heard" and action in NESTED
    return (2 if asleep else 1) + int(branch_unknown)


def record(result: dict[str, Any]) -> None:
    """Append one case's result to the report file, when a report is asked for."""
    if path := os.environ.get(REPORT_ENV):
        with Path(path).open("a", encoding="utf-8") as file:
            file.write(json.dumps(result) + "\n")


def table(results: list[dict[str, Any]]) -> str:
    """The markdown tables: per state x action, and the simulated day."""
    cases = {(r["state"], r["action"]): r for r in results if "action" in r}
    lines = [
        "| camera state | " + " | ".join(ACTIONS) + " |",
        "|---|" + "---|" * len(ACTIONS),
    ]
    for state, label in STATES.items():
        cells = []
        for action in ACTIONS:
            case = cases.get((state, action))
            if case is None:
                cells.append("-")
                continue
            cells.append(
                f"{case['messages']} / {case['minimum']}"
                + (f" (+{case['background']})" if case["background"] else "")
            )
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Messages sent for the action / the guide's minimum; (+N): background reads"
        " the same wake made after the action (the daily settings read when due,"
        " first contact).",
        "",
        "| camera state | action | messages | bytes | field seconds to done |"
        " above the camera's own time |",
        "|---|---|---|---|---|---|",
    ]
    for (state, action), case in sorted(cases.items()):
        lines.append(
            f"| {state} | {action} | {case['messages']} ({case['whats']}) |"
            f" {case['bytes']} | {case['seconds']:.1f} | {case['added']:.1f} |"
        )
    for day in (r for r in results if r.get("kind") == "day"):
        lines += [
            "",
            "| a simulated day | messages | guide minimum | wakes sent |",
            "|---|---|---|---|",
            f"| {day['wakes']} trigger wakes, {day['actions']} user actions |"
            f" {day['messages']} | {day['minimum']} | {day['wake_messages']} |",
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the cases (tests/test_traffic.py) and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "traffic.jsonl"
        env = {**os.environ, REPORT_ENV: str(report)}
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:sugar",
                "--no-cov",
                "tests/test_traffic.py",
            ],
            cwd=ROOT,
            env=env,
            check=False,
        )
        results = [json.loads(line) for line in report.read_text().splitlines()]
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    print(table(results))
    return run.returncode


if __name__ == "__main__":
    sys.exit(main())
