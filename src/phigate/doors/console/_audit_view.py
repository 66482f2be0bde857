"""The audit log viewer: records filtered by who, where, risk, decision and time, newest
first, with the hash chain's verification status. For auditors only, as in the REST API.

Filtering reads the store a stretch at a time (a record is JSON; its fields are not
columns), so a page searches a bounded stretch and says so, with a link to the next,
older one: a flood of newer records can slow the auditor down but not hide a record."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from phigate.core.digits import ascii_int
from phigate.core.errors import InvalidRequestError
from phigate.doors.console._web import Console
from phigate.doors.console.sessions import Session
from phigate.identity.people import People
from phigate.pipeline.gateway import Gateway

# One page searches at most SCAN records, newest first, in batches of BATCH; when it
# stops before the first record it says so and links to the next, older stretch (the
# `before` parameter), so no number of newer records hides an older one.
SCAN = 10_000
BATCH = 1000
SHOWN = 200
FILTERS = ("principal", "connection", "risk", "decision", "since", "until")


@dataclass(frozen=True)
class Search:
    """What one page found, and how far it looked: records `low`..`high` (inclusive)
    were searched; `older` is where to continue (None: nothing older is left)."""

    records: list[dict[str, Any]]
    low: int
    high: int
    older: int | None
    full: bool  # stopped because the page is full, not because the scan ran out


def _when(text: str) -> float | None:
    try:
        moment = dt.datetime.fromisoformat(text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        return moment.timestamp()
    except (ValueError, OverflowError):  # not a time, or one no clock can hold
        return None


def _section(record: dict[str, Any], key: str) -> dict[str, Any]:
    value = record.get(key)
    return value if isinstance(value, dict) else {}


def _person_of(people: People, who: dict[str, Any]) -> set[str]:
    """The persons a record's `who` names, in normal form and under their own subject,
    so `Claims-Bot`, `claims-bot` and an alias of dana all find the same records."""
    named = (who.get(k) for k in ("subject", "on_behalf_of", "signed_in_as"))
    return {people.of(v) for v in named if isinstance(v, str)}


def matches(record: dict[str, Any], f: dict[str, str], people: People | None = None) -> bool:
    who, where, what = (_section(record, k) for k in ("who", "where", "what"))
    ts = float(record.get("ts", 0))
    outcomes = (record.get("decision"), record.get("state"), record.get("vote"))
    people = people or People()
    checks: dict[str, Callable[[str], bool]] = {
        "principal": lambda v: people.of(v) in _person_of(people, who),
        "connection": lambda v: v == where.get("connection"),
        "risk": lambda v: v == what.get("risk"),
        "decision": lambda v: v in outcomes,
        "since": lambda v: (_when(v) or 0.0) <= ts,
        "until": lambda v: ts <= (_when(v) or float("inf")),
    }
    return all(check(f[name]) for name, check in checks.items() if f.get(name))


def search(
    gateway: Gateway, f: dict[str, str], before: int | None = None, *, scan: int = SCAN
) -> Search:
    """Records matching `f`, newest first, among those older than `before` (default:
    all), reading at most `scan` records from the store."""
    head, _ = gateway.audit_head()
    cursor = head + 1 if before is None else max(1, min(before, head + 1))
    high, found = cursor - 1, list[dict[str, Any]]()
    while cursor > 1 and high - cursor + 1 < scan and len(found) < SHOWN:
        low = max(1, cursor - BATCH, high - scan + 1)
        batch = gateway.audit_records(since=low - 1, limit=cursor - low)
        for record in reversed(batch):
            cursor = int(record.get("seq", cursor - 1))
            if matches(record, f, gateway.people):
                found.append(record)
                if len(found) == SHOWN:
                    break
        else:
            cursor = low
    older = cursor if cursor > 1 else None
    return Search(found, cursor, high, older, len(found) == SHOWN)


def _search(
    console: Console, f: dict[str, str], before: int | None
) -> tuple[Search, dict[str, Any]]:
    gateway = console.gateway
    result = search(gateway, f, before)
    for record in result.records:
        record["when"] = dt.datetime.fromtimestamp(float(record.get("ts", 0)), dt.UTC).strftime(
            "%Y-%m-%d %H:%M:%S UTC"
        )
    return result, gateway.verify_audit().to_json()


def _before(text: str | None) -> int | None:
    """The `before` of a "continue searching older records" link: a record number in
    ASCII digits, or none given; anything else is refused, not read as "everything"."""
    if text is None or not text.strip():
        return None
    before = ascii_int(text.strip())
    if before is None:
        raise InvalidRequestError("`before` is a record number")
    return before


async def audit_page(console: Console, request: Request, session: Session) -> Response:
    if not console.gateway.is_auditor(session.principal):
        groups = ", ".join(console.gateway.settings.identity.auditor_groups)
        return console.render(
            request, "error.html", {"message": f"The audit log is for members of {groups}."}, 403
        )
    f = {name: request.query_params.get(name, "").strip()[:200] for name in FILTERS}
    try:
        before = _before(request.query_params.get("before"))
    except InvalidRequestError as exc:
        return console.render(request, "error.html", {"message": exc.message}, 400)
    found, verification = await asyncio.to_thread(_search, console, f, before)
    context = {
        "records": found.records,
        "found": found,
        "before": before,
        "verification": verification,
        "f": f,
    }
    return console.render(request, "audit.html", context)
