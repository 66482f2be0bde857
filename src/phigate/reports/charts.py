"""The report's charts, drawn once with matplotlib and written as inline SVG or PDF pages.

The SVG is made CSP-friendly for the console (`style-src 'self'`): no <style>
element and no style attributes (matplotlib's are turned into SVG presentation
attributes), no scripts, no external references, ids prefixed per chart so
several charts can share one page.
"""

from __future__ import annotations

import html
import io
import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from matplotlib.typing import RcKeyType

from phigate.reports.model import TIMELINE_KINDS, Evidence

COLORS = {
    "allowed": "#2f855a",
    "denied": "#c53030",
    "break_glass": "#97266d",
    "approved": "#2b6cb0",
    "reviewer_denied": "#dd6b20",
    "expired": "#4a5568",  # 7.5:1 on white (the lighter #718096 was 4.0:1)
    "cancelled": "#b7791f",
}
LABELS = {
    "allowed": "allowed by policy",
    "denied": "denied by policy",
    "break_glass": "break-glass",
    "approved": "approved",
    "reviewer_denied": "denied by a reviewer",
    "expired": "expired",
    "cancelled": "cancelled",
}
MAX_TYPES = 15
# rc_context swaps matplotlib's global settings: one drawing at a time per process,
# since the console may render reports from worker threads.
DRAWING = threading.Lock()
INK, GRID, BAR = "#1a202c", "#e2e8f0", "#4a5568"
RC: dict[RcKeyType, Any] = {
    "svg.hashsalt": "phigate-report",  # stable ids: the same evidence draws the same bytes
    "svg.fonttype": "none",  # text stays text: searchable, small, selectable
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 9,
    "axes.edgecolor": BAR,
    "axes.labelcolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "pdf.fonttype": 42,
}
# CSS properties matplotlib writes that SVG also accepts as presentation attributes.
PRESENTATION = frozenset(
    [
        "fill",
        "fill-opacity",
        "fill-rule",
        "stroke",
        "stroke-width",
        "stroke-linecap",
        "stroke-linejoin",
        "stroke-miterlimit",
        "stroke-dasharray",
        "stroke-dashoffset",
        "stroke-opacity",
        "opacity",
        "font-size",
        "font-family",
        "font-weight",
        "font-style",
        "text-anchor",
        "dominant-baseline",
    ]
)


def draw_decisions(ax: Axes, evidence: Evidence) -> None:
    """Stacked bars: what was decided in each bucket of the period."""
    buckets = evidence.timeline
    bottoms = [0] * len(buckets)
    positions = list(range(len(buckets)))
    for kind in TIMELINE_KINDS:
        heights = [b.counts.get(kind, 0) for b in buckets]
        if any(heights):
            ax.bar(positions, heights, bottom=bottoms, color=COLORS[kind], label=LABELS[kind])
            bottoms = [b + h for b, h in zip(bottoms, heights, strict=True)]
    if not any(bottoms):
        _empty(ax, "no decisions in this period")
    else:
        ax.legend(loc="upper left", fontsize=8, frameon=False, ncols=3)
        ax.set_ylim(0, max(bottoms) * 1.35)
    step = max(1, len(buckets) // 8)
    ax.set_xticks(positions[::step], [_tick(b.start, evidence) for b in buckets][::step])
    ax.set_ylabel("decisions")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))


def draw_masked(ax: Axes, evidence: Evidence) -> None:
    """Horizontal bars: masked values by entity type, most frequent on top."""
    items = list(evidence.masked.items())[:MAX_TYPES]
    if not items:
        _empty(ax, "nothing was masked in this period")
        return
    names = [name for name, _ in reversed(items)]
    counts = [count for _, count in reversed(items)]
    ax.barh(names, counts, color="#553c9a")
    for y, count in enumerate(counts):
        ax.text(count, y, f" {count}", va="center", fontsize=8, color=INK)
    ax.set_xlim(0, max(counts) * 1.15)
    ax.set_xlabel("masked values")


def draw_time_to_approval(ax: Axes, evidence: Evidence) -> None:
    """Histogram of request → decision times, with the median and p95 marked."""
    durations = evidence.approval_durations
    if not durations:
        _empty(ax, "no approval requests were decided in this period")
        return
    unit, scale = _unit(max(durations))
    ax.hist([d / scale for d in durations], bins=min(20, max(5, len(durations))), color=BAR)
    timing = evidence.time_to_decision.get("all")
    for value, name, color in (
        (timing.median_s if timing else None, "median", "#2b6cb0"),
        (timing.p95_s if timing else None, "p95", "#c53030"),
    ):
        if value is not None:
            ax.axvline(value / scale, color=color, linestyle="--", label=f"{name} {value:.1f} s")
    ax.legend(loc="upper right", fontsize=8, frameon=False)
    ax.set_xlabel(f"time from request to decision ({unit})")
    ax.set_ylabel("requests")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))


Draw = Callable[[Axes, Evidence], None]
# name, title, drawer: the order the charts appear in the HTML and the PDF.
CHARTS: tuple[tuple[str, str, Draw], ...] = (
    ("decisions", "Decisions over time", draw_decisions),
    ("time-to-approval", "Time to decision on approval requests", draw_time_to_approval),
    ("masked", "Masked values by entity type", draw_masked),
)


def chart_svgs(evidence: Evidence) -> dict[str, str]:
    """Every chart as inline, CSP-friendly SVG markup, by name."""
    with DRAWING, matplotlib.rc_context(RC):
        svgs = {}
        for name, title, draw in CHARTS:
            fig, ax = _figure(7.5, _height(name, evidence))
            draw(ax, evidence)
            svgs[name] = to_svg(fig, name, title)
        return svgs


def _height(name: str, evidence: Evidence) -> float:
    if name == "masked":
        return max(2.0, 0.32 * min(len(evidence.masked), MAX_TYPES) + 1.0)
    return 3.0


def to_svg(fig: Figure, prefix: str, title: str) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return inline_svg(buffer.getvalue(), prefix, title)


def inline_svg(document: str, prefix: str, title: str) -> str:
    """Strip the XML prolog, metadata and styles; prefix ids; label the image."""
    svg = document[document.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    svg = re.sub(r"<style[^>]*>.*?</style>", "", svg, flags=re.S)
    svg = re.sub(r'style="([^"]*)"', lambda m: _attributes(html.unescape(m.group(1))), svg)
    for ident in set(re.findall(r'\bid="([^"]+)"', svg)):
        svg = svg.replace(f'id="{ident}"', f'id="{prefix}-{ident}"')
        svg = svg.replace(f"#{ident})", f"#{prefix}-{ident})")
        svg = svg.replace(f'href="#{ident}"', f'href="#{prefix}-{ident}"')
    label = html.escape(title, quote=True)
    head = (
        f'<svg class="chart" role="img" aria-label="{label}" '
        'stroke-linejoin="round" stroke-linecap="butt" '
    )
    return head + svg.removeprefix("<svg ").strip()


def _attributes(style: str) -> str:
    pairs = []
    for declaration in style.split(";"):
        name, _, value = declaration.partition(":")
        name, value = name.strip(), value.strip()
        if name in PRESENTATION and value:
            pairs.append(f'{name}="{html.escape(value, quote=True)}"')
    return " ".join(pairs)


def _figure(width: float, height: float) -> tuple[Figure, Axes]:
    fig = Figure(figsize=(width, height), layout="constrained")
    ax = fig.add_subplot()
    style_axes(ax)
    return fig, ax


def style_axes(ax: Axes) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color=GRID, linewidth=0.6)
    ax.set_axisbelow(True)


def _empty(ax: Axes, message: str) -> None:
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color=BAR)
    ax.set_yticks([])


def _tick(ts: float, evidence: Evidence) -> str:
    moment = datetime.fromtimestamp(ts, UTC)
    return moment.strftime("%H:%M" if evidence.bucket_seconds < 86400 else "%Y-%m-%d")


def _unit(longest: float) -> tuple[str, float]:
    if longest >= 2 * 3600:
        return "hours", 3600.0
    if longest >= 120:
        return "minutes", 60.0
    return "seconds", 1.0
