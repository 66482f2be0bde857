"""The evidence report as a console page, for auditors: the same report as `phigate report`."""

from __future__ import annotations

import asyncio
import datetime as dt

from fastapi import Request
from fastapi.responses import FileResponse, Response
from markupsafe import Markup

from phigate.core.errors import InvalidRequestError
from phigate.doors.console._web import Console
from phigate.doors.console.sessions import Session
from phigate.ops.bootstrap import policy_hash
from phigate.reports import STYLESHEET, render_fragment
from phigate.reports.evidence import EARLIEST, LATEST

DEFAULT_DAYS = 30


# The days a report may span (reports/evidence.py EARLIEST and LATEST): the period
# ends at 24:00 of the `to` day.
FIRST_DAY = EARLIEST.date()
FINAL_DAY = LATEST.date() - dt.timedelta(days=1)


def _day(text: str, default: dt.date) -> dt.date:
    """An ISO day (the default when none is given); a day that is not one, or is out
    of the range a report can span, is refused rather than guessed at."""
    if not text:
        return default
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidRequestError(f"{text[:40]!r} is not a day (YYYY-MM-DD)") from None
    if not FIRST_DAY <= day <= FINAL_DAY:
        raise InvalidRequestError(f"a report covers days from {FIRST_DAY} to {FINAL_DAY}")
    return day


def period(request: Request) -> tuple[dt.datetime, dt.datetime, dt.date, dt.date]:
    """[from 00:00, to 24:00) in UTC; the `to` day is included, like the CLI."""
    today = dt.datetime.now(dt.UTC).date()
    first = _day(request.query_params.get("from", ""), today - dt.timedelta(days=DEFAULT_DAYS))
    last = _day(request.query_params.get("to", ""), today)
    start = dt.datetime.combine(first, dt.time.min, dt.UTC)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, dt.UTC)
    return start, end, first, last


async def report_page(console: Console, request: Request, session: Session) -> Response:
    gateway = console.gateway
    if not gateway.is_auditor(session.principal):
        groups = ", ".join(gateway.settings.identity.auditor_groups)
        return console.render(
            request,
            "error.html",
            {"message": f"Evidence reports are for members of {groups}."},
            403,
        )
    try:
        start, end, first, last = period(request)
    except InvalidRequestError as exc:
        return console.render(request, "error.html", {"message": exc.message}, 400)
    evidence = await asyncio.to_thread(
        gateway.evidence, start, end, policy_hash=policy_hash(gateway.settings)
    )
    body = Markup(render_fragment(evidence))  # noqa: S704 - rendered by our own report code
    return console.render(
        request,
        "report.html",
        {"report": body, "first": first.isoformat(), "last": last.isoformat()},
    )


def report_stylesheet() -> Response:
    return FileResponse(STYLESHEET, media_type="text/css")
