"""The evidence as an HTML page: tables, checked controls and inline SVG charts.

`render_html` gives a standalone document (its stylesheet inlined, so the file
opens anywhere with no network) or, with `stylesheet_href`, one that links its
stylesheet so it can be served under a strict CSP (`style-src 'self'`).
`render_fragment` is the body alone, for the console's own layout; the
console serves `STYLESHEET` as a static file.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import jinja2

from phigate.reports.charts import COLORS, LABELS, chart_svgs
from phigate.reports.model import Evidence

HERE = Path(__file__).parent
STYLESHEET = HERE / "report.css"
_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(HERE / "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def when(ts: float | None) -> str:
    if ts is None:
        return "—"
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def seconds(value: float | None) -> str:
    if value is None:
        return "—"
    if value >= 3600:
        return f"{value / 3600:.1f} h"
    if value >= 120:
        return f"{value / 60:.1f} min"
    return f"{value:.1f} s"


_ENV.filters.update(when=when, seconds=seconds)


def render_fragment(evidence: Evidence) -> str:
    """The report's content (no <html>, no stylesheet) for embedding in the console."""
    template = _ENV.get_template("report_body.html")
    return template.render(
        e=evidence, charts=chart_svgs(evidence), labels=LABELS, colors=COLORS, period=_period
    )


def render_html(evidence: Evidence, *, stylesheet_href: str | None = None) -> str:
    """A complete HTML document; no scripts, no external requests."""
    template = _ENV.get_template("report.html")
    css = None if stylesheet_href else STYLESHEET.read_text()
    return template.render(
        e=evidence,
        body=render_fragment(evidence),
        css=css,
        stylesheet_href=stylesheet_href,
        title=f"phigate evidence report, {_period(evidence)}",
    )


def _period(evidence: Evidence) -> str:
    return f"{when(evidence.start.timestamp())} – {when(evidence.end.timestamp())}"
