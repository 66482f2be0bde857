"""The evidence as a PDF: summary and controls as text pages, then the charts (matplotlib).

matplotlib's PDF backend is pure Python with fonts from its own wheel, so a
PDF needs no system libraries. The text pages hold the same numbers as the
HTML; long tables continue on the next page.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import matplotlib
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from phigate.reports.charts import CHARTS, DRAWING, RC, style_axes
from phigate.reports.html import seconds, when
from phigate.reports.model import Evidence

A4 = (8.27, 11.69)
TOP, BOTTOM, LEFT = 0.95, 0.05, 0.07
WRAP = 100
STYLES: dict[str, tuple[float, str, str, float]] = {
    # kind: font size, weight, color, line height (fraction of the page)
    "h1": (18, "bold", "#1a202c", 0.040),
    "h2": (12.5, "bold", "#1a202c", 0.034),
    "text": (9, "normal", "#1a202c", 0.0175),
    "pass": (9, "bold", "#22543d", 0.0175),
    "fail": (9, "bold", "#c53030", 0.0175),
    "warn": (9, "bold", "#b7791f", 0.0175),
}


@dataclass(frozen=True)
class Line:
    kind: str
    text: str


def render_pdf(evidence: Evidence) -> bytes:
    """The whole report as PDF bytes."""
    buffer = io.BytesIO()
    with DRAWING, matplotlib.rc_context(RC), PdfPages(buffer, metadata=_metadata(evidence)) as pdf:
        for page in _text_pages(list(report_lines(evidence))):
            pdf.savefig(page)
        pdf.savefig(_chart_page(evidence))
    return buffer.getvalue()


def report_lines(e: Evidence) -> Iterator[Line]:
    """The report's text, top to bottom (also handy for a plain-text rendering)."""
    yield Line("h1", "phigate evidence report")
    yield Line("text", f"Period: {when(e.start.timestamp())} – {when(e.end.timestamp())}")
    yield Line("text", f"Generated {when(e.generated_at.timestamp())} from the audit log alone")
    yield from _controls(e)
    yield from _section("Actions", _actions(e))
    yield from _section("Decisions", _decisions(e))
    yield from _section("Approvals (votes by reviewer and channel)", _approvals(e))
    yield from _section("Reveals", _reveals(e))
    yield from _section("Break-glass uses and reviews", _break_glass(e))
    yield from _section("Masked values by entity type", _counts(e.masked, "values"))
    yield from _section("Audit chain", _chain(e))
    yield from _section("Policy", _policy(e))
    yield from _section("Refused requests", _counts(e.refusals, "records"))


def _controls(e: Evidence) -> Iterator[Line]:
    yield Line("h2", "Controls")
    control = e.self_approval
    yield _check(
        control.passed,
        f"No self-approvals: {control.approving_votes_checked} approving votes checked, "
        f"{control.refused_attempts} ineligible votes refused, "
        f"{len(control.violations)} violation(s)",
    )
    for v in control.violations:
        yield Line("fail", f"    #{v.seq} {when(v.ts)} {v.voter} on {v.action_id}: {v.reason}")
    chain = f"Audit chain intact: {e.chain.records} records verified"
    if not e.chain.ok:
        chain += f"; first bad record #{e.chain.first_bad_seq}: {e.chain.problem}"
    yield _check(e.chain.ok, chain)
    open_reviews = e.open_break_glass_reviews
    yield Line(
        "pass" if not open_reviews else "warn",
        f"{'PASS' if not open_reviews else 'OPEN'}  Break-glass reviewed: "
        f"{len(e.break_glass)} use(s), {open_reviews} awaiting review",
    )


def _check(ok: bool, text: str) -> Line:
    return Line("pass" if ok else "fail", f"{'PASS' if ok else 'FAIL'}  {text}")


def _section(title: str, lines: Iterable[str]) -> Iterator[Line]:
    yield Line("h2", title)
    for line in lines:
        yield Line("text", line)


def _counts(mapping: dict[str, int], unit: str) -> list[str]:
    return [f"{name}: {n} {unit}" for name, n in mapping.items()] or ["none in this period"]


def _actions(e: Evidence) -> Iterator[str]:
    yield f"{e.actions_total} actions requested"
    for label, mapping in (
        ("by front door", e.actions_by_front_door),
        ("by principal kind", e.actions_by_principal_kind),
        ("by risk class", e.actions_by_risk),
        ("by connection", e.actions_by_connection),
        ("results", e.results),
    ):
        parts = ", ".join(f"{k} {v}" for k, v in mapping.items()) or "none"
        yield f"{label}: {parts}"


def _decisions(e: Evidence) -> Iterator[str]:
    for kind, n in e.decisions.items():
        timing = e.time_to_decision.get(kind)
        extra = (
            f" (median {seconds(timing.median_s)}, p95 {seconds(timing.p95_s)})" if timing else ""
        )
        yield f"{kind.replace('_', ' ')}: {n}{extra}"
    total = e.time_to_decision.get("all")
    if total is not None:
        yield (
            f"time to decision over {total.count} approval requests: median "
            f"{seconds(total.median_s)}, p95 {seconds(total.p95_s)}"
        )


def _approvals(e: Evidence) -> Iterator[str]:
    for reviewer, votes in e.votes_by_reviewer.items():
        yield f"{reviewer}: {votes.get('approve', 0)} approve, {votes.get('deny', 0)} deny"
    for channel, n in e.votes_by_channel.items():
        yield f"channel {channel}: {n} votes"
    if not e.votes_by_reviewer:
        yield "no votes in this period"


def _reveals(e: Evidence) -> Iterator[str]:
    for r in e.reveals:
        approvers = ", ".join(r.approvers) or "nobody"
        yield (
            f"{when(r.ts)} {r.action_id} {r.subject} ({r.kind}) revealed "
            f"{', '.join(r.reveal)}; reason: {r.reason or '—'}; outcome: {r.outcome or '—'}; "
            f"approved by {approvers}"
        )
    if not e.reveals:
        yield "no reveal requests in this period"


def _break_glass(e: Evidence) -> Iterator[str]:
    for b in e.break_glass:
        review = (
            f"{b.review.verdict} by {b.review.reviewer} at {when(b.review.ts)}"
            if b.review
            else f"NOT REVIEWED ({b.review_state})"
        )
        yield (
            f"{when(b.ts)} {b.action_id} {b.subject} revealed {', '.join(b.reveal)}; "
            f"reason: {b.reason or '—'}; review: {review}"
        )
    if not e.break_glass:
        yield "no break-glass uses in this period"


def _chain(e: Evidence) -> Iterator[str]:
    yield f"{'intact' if e.chain.ok else 'BROKEN'}: {e.chain.records} records verified"
    yield f"head at the period's end: record #{e.chain.head_seq_at_end}"
    yield f"hash {e.chain.head_hash_at_end or '— (no records)'}"


def _policy(e: Evidence) -> Iterator[str]:
    start = e.policy.in_force_at_start
    yield f"in force at the start: {start.policy_hash if start else 'none recorded'}"
    for change in e.policy.changes:
        yield (
            f"{when(change.ts)} loaded {change.policy_hash} from {change.source or '—'}; "
            f"added {', '.join(change.added) or '—'}; removed {', '.join(change.removed) or '—'}"
        )
    if e.policy.current_hash:
        yield f"in force now (caller): {e.policy.current_hash}"


def _text_pages(lines: list[Line]) -> Iterator[Figure]:
    fig, y = Figure(figsize=A4), TOP
    for line in lines:
        for piece in textwrap.wrap(line.text, WRAP, subsequent_indent="    ") or [""]:
            size, weight, color, height = STYLES[line.kind]
            if line.kind == "h2":
                y -= 0.008  # breathing room before a heading
            if y - height < BOTTOM:
                yield fig
                fig, y = Figure(figsize=A4), TOP
            fig.text(LEFT, y, piece, fontsize=size, weight=weight, color=color, va="top")
            y -= height
    yield fig


def _chart_page(evidence: Evidence) -> Figure:
    fig = Figure(figsize=A4, layout="constrained")
    axes = fig.subplots(len(CHARTS), 1)
    for ax, (_name, title, draw) in zip(axes, CHARTS, strict=True):
        style_axes(ax)
        draw(ax, evidence)
        ax.set_title(title, loc="left", fontsize=11, weight="bold")
    return fig


def _metadata(e: Evidence) -> dict[str, str]:
    return {
        "Title": f"phigate evidence report {e.start.date()} – {e.end.date()}",
        "Creator": "phigate",
    }
