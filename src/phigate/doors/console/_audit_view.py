"""The audit log viewer: recent records filtered by who, where, risk, decision and time,
with the hash chain's verification status. For auditors only, as in the REST API."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from phigate.doors.console._web import Console
from phigate.doors.console.sessions import Session

WINDOW = 2000  # most recent records searched; exports cover the whole log
SHOWN = 200
FILTERS = ("principal", "connection", "risk", "decision", "since", "until")


def _when(text: str) -> float | None:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.timestamp()


def _section(record: dict[str, Any], key: str) -> dict[str, Any]:
    value = record.get(key)
    return value if isinstance(value, dict) else {}


def matches(record: dict[str, Any], f: dict[str, str]) -> bool:
    who, where, what = (_section(record, k) for k in ("who", "where", "what"))
    ts = float(record.get("ts", 0))
    outcomes = (record.get("decision"), record.get("state"), record.get("vote"))
    checks: dict[str, Callable[[str], bool]] = {
        "principal": lambda v: v in (who.get("subject"), who.get("on_behalf_of")),
        "connection": lambda v: v == where.get("connection"),
        "risk": lambda v: v == what.get("risk"),
        "decision": lambda v: v in outcomes,
        "since": lambda v: (_when(v) or 0.0) <= ts,
        "until": lambda v: ts <= (_when(v) or float("inf")),
    }
    return all(check(f[name]) for name, check in checks.items() if f.get(name))


def _search(console: Console, f: dict[str, str]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    gateway = console.gateway
    head, _ = gateway.audit_head()
    records = gateway.audit_records(since=max(0, head - WINDOW))
    found = [r for r in reversed(records) if matches(r, f)][:SHOWN]
    for record in found:
        record["when"] = dt.datetime.fromtimestamp(float(record.get("ts", 0)), dt.UTC).strftime(
            "%Y-%m-%d %H:%M:%S UTC"
        )
    return found, gateway.verify_audit().to_json()


async def audit_page(console: Console, request: Request, session: Session) -> Response:
    if not console.gateway.is_auditor(session.principal):
        groups = ", ".join(console.gateway.settings.identity.auditor_groups)
        return console.render(
            request, "error.html", {"message": f"The audit log is for members of {groups}."}, 403
        )
    f = {name: request.query_params.get(name, "").strip()[:200] for name in FILTERS}
    records, verification = await asyncio.to_thread(_search, console, f)
    return console.render(
        request, "audit.html", {"records": records, "verification": verification, "f": f}
    )
