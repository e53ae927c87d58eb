"""Battery outlook: how many days the battery lasts at its recent trend.

The state of charge is sampled at heartbeats (at most one sample an hour, the last
:data:`WINDOW_DAYS` days kept). The trend is the least-squares slope of those
samples, so whatever the sun put back is already netted out: a camera whose solar
panel keeps up shows a flat or rising trend, and then there is no outlook (not
"forever": the weather changes). Until the samples span :data:`MIN_SPAN_DAYS` days
there is no outlook either.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

DAY: Final = 86400.0
WINDOW_DAYS: Final = 7.0  # the samples the trend is taken from
MIN_SPAN_DAYS: Final = 2.0  # the trend needs this much history
MIN_SAMPLES: Final = 3
SAMPLE_EVERY: Final = 3600.0  # s: one sample per clock hour
FLAT: Final = -0.2  # %/day: a slower fall (or a rise) is no trend to count on


def add_sample(
    samples: list[tuple[float, float]], at: float, soc: float
) -> list[tuple[float, float]]:
    """``samples`` with the state of charge ``soc`` (%) at ``at`` (epoch s): one
    per clock hour (a newer one in the same hour replaces it, so a camera waking
    every few minutes still leaves one an hour), none older than the window; in
    time order."""
    kept = [(t, s) for t, s in samples if at - WINDOW_DAYS * DAY <= t < at]
    if kept and kept[-1][0] // SAMPLE_EVERY == at // SAMPLE_EVERY:
        kept.pop()
    kept.append((at, soc))
    return kept


def days_left(samples: Sequence[tuple[float, float]]) -> float | None:
    """Days until empty at the trend of ``samples`` (epoch s, %), from the last
    one; None without enough history or when the trend is flat or rising."""
    if len(samples) < MIN_SAMPLES:
        return None
    first, last = samples[0][0], samples[-1][0]
    if last - first < MIN_SPAN_DAYS * DAY:
        return None
    days = [(t - first) / DAY for t, _ in samples]
    socs = [s for _, s in samples]
    mean_d, mean_s = sum(days) / len(days), sum(socs) / len(socs)
    spread = sum((d - mean_d) ** 2 for d in days)
    slope = sum((d - mean_d) * (s - mean_s) for d, s in zip(days, socs, strict=True))
    slope /= spread  # %/day; spread > 0: the samples span two days
    if slope >= FLAT:
        return None
    return round(max(socs[-1], 0.0) / -slope, 1)
