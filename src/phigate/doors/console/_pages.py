"""Reviewer pages: inbox (live), approval detail with Approve/Deny, history, audit, config.

Reads are GETs and change nothing; votes are POSTs carrying the session's CSRF token
and go through `gateway.vote`, so eligibility is exactly the REST API's.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from phigate.approvals import Approval, ApprovalState
from phigate.approvals.model import ineligibility
from phigate.core.errors import NotFoundError, PhigateError
from phigate.doors.console._audit_view import audit_page
from phigate.doors.console._report_view import report_page, report_stylesheet
from phigate.doors.console._web import Console
from phigate.doors.console.present import approval_view
from phigate.doors.console.sessions import Session, same_token
from phigate.pipeline.gateway import Gateway
from phigate.reviewing.sight import visible_approvals


def visible(gateway: Gateway, session: Session, approvals: list[Approval]) -> list[Approval]:
    """Eligible reviewers, the requester, the human an agent acts for, and auditors:
    the one rule of `phigate.reviewing.sight`, as on every other front door."""
    return visible_approvals(gateway, session.principal, approvals)


def _inbox_items(gateway: Gateway, session: Session) -> list[dict[str, Any]]:
    gateway.expire_due()
    pending = visible(gateway, session, gateway.list_approvals(state="pending"))
    pending.sort(key=lambda a: a.expires_at)  # the most urgent first
    return [approval_view(gateway, session.principal, a) for a in pending]


def _history_items(gateway: Gateway, session: Session) -> list[dict[str, Any]]:
    decided = [a for a in gateway.list_approvals(limit=500) if a.state is not ApprovalState.PENDING]
    return [
        approval_view(gateway, session.principal, a) for a in visible(gateway, session, decided)
    ]


def install_pages(app: FastAPI, console: Console) -> None:
    gateway = console.gateway

    @app.get("/ui", include_in_schema=False)
    async def root() -> Response:
        return RedirectResponse("/ui/approvals", status_code=303)

    @app.get("/ui/approvals", response_class=HTMLResponse)
    async def inbox(request: Request) -> Response:
        session = console.reviewer(request)
        items = await asyncio.to_thread(_inbox_items, gateway, session)
        return console.render(request, "inbox.html", {"items": items})

    @app.get("/ui/approvals/rows", response_class=HTMLResponse)
    async def inbox_rows(request: Request) -> Response:
        # Polled by console.js so the inbox updates without a reload.
        session = console.reviewer(request)
        items = await asyncio.to_thread(_inbox_items, gateway, session)
        return console.render(request, "_rows.html", {"items": items})

    @app.get("/ui/history", response_class=HTMLResponse)
    async def history(request: Request) -> Response:
        session = console.reviewer(request)
        items = await asyncio.to_thread(_history_items, gateway, session)
        return console.render(request, "history.html", {"items": items})

    @app.get("/ui/approvals/{approval_id}", response_class=HTMLResponse)
    async def detail(request: Request, approval_id: str, done: str = "") -> Response:
        session = console.reviewer(request)
        return await _detail(console, request, session, approval_id, notice=done)

    @app.post("/ui/approvals/{approval_id}/{decision}")
    async def vote(
        request: Request,
        approval_id: str,
        decision: str,
        csrf: Annotated[str, Form()] = "",
        comment: Annotated[str, Form()] = "",
    ) -> Response:
        session = console.reviewer(request)
        if decision not in ("approve", "deny"):
            raise NotFoundError("no such page")
        if not same_token(session.csrf, csrf):
            return await _detail(
                console,
                request,
                session,
                approval_id,
                status=403,
                error="The form was not sent by this console (CSRF check failed).",
            )
        try:
            await gateway.vote(
                approval_id, session.principal, decision, comment=comment[:2000], channel="console"
            )
        except PhigateError as exc:
            return await _detail(
                console, request, session, approval_id, error=exc.message, status=exc.http_status
            )
        return RedirectResponse(f"/ui/approvals/{approval_id}?done={decision}", status_code=303)

    @app.get("/ui/audit", response_class=HTMLResponse)
    async def audit(request: Request) -> Response:
        session = console.reviewer(request)
        return await audit_page(console, request, session)

    @app.get("/ui/reports", response_class=HTMLResponse)
    async def reports(request: Request) -> Response:
        session = console.reviewer(request)
        return await report_page(console, request, session)

    @app.get("/ui/reports/report.css", include_in_schema=False)
    async def reports_css() -> Response:
        return report_stylesheet()

    @app.get("/ui/connections", response_class=HTMLResponse)
    async def connections(request: Request) -> Response:
        console.reviewer(request)
        settings = gateway.settings
        conns = [
            {"name": name, "type": c.type, "description": c.description}
            for name, c in settings.connections.items()
        ]  # never the DSN
        return console.render(
            request, "connections.html", {"connections": conns, "rules": settings.policy.rules}
        )


async def _detail(
    console: Console,
    request: Request,
    session: Session,
    approval_id: str,
    *,
    notice: str = "",
    error: str = "",
    status: int = 200,
) -> Response:
    gateway = console.gateway
    try:
        approval = await asyncio.to_thread(gateway.approval, approval_id)
    except NotFoundError:
        return console.render(request, "error.html", {"message": "No such approval."}, 404)
    if not await asyncio.to_thread(visible, gateway, session, [approval]):
        return console.render(
            request, "error.html", {"message": "You may not see this approval."}, 403
        )
    view = await asyncio.to_thread(approval_view, gateway, session.principal, approval)
    refusal = ineligibility(approval, gateway.people.canonical(session.principal))
    can_vote = approval.state is ApprovalState.PENDING and not approval.is_expired() and not refusal
    return console.render(
        request,
        "detail.html",
        {
            "a": view,
            "can_vote": can_vote,
            "refusal": refusal,
            "csrf": session.csrf,
            "notice": notice if notice in ("approve", "deny") else "",
            "error": error,
        },
        status_code=status,
    )
