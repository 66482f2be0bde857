"""Small statistics for the report: nearest-rank percentiles and time buckets."""

from __future__ import annotations

import math
from collections.abc import Sequence

from phigate.reports.model import Timing

# Bucket widths people read easily; the first that gives at most MAX_BUCKETS is used.
NICE_WIDTHS = (60, 300, 900, 3600, 6 * 3600, 86400, 7 * 86400, 30 * 86400)
MAX_BUCKETS = 60


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile: an observed value, never an interpolation."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float | None:
    if not values:
        return None
    ordered, middle = sorted(values), len(values) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def timing(values: Sequence[float]) -> Timing:
    return Timing(len(values), median(values), percentile(values, 95))


def bucket_width(start: float, end: float) -> int:
    span = max(end - start, 1.0)
    for width in NICE_WIDTHS:
        if span / width <= MAX_BUCKETS:
            return width
    return math.ceil(span / MAX_BUCKETS)


def bucket_starts(start: float, end: float, width: int) -> list[float]:
    """Bucket edges aligned to the width (whole hours, days…) covering [start, end]."""
    first = math.floor(start / width) * width
    count = max(1, math.ceil((end - first) / width))
    return [float(first + i * width) for i in range(count)]
