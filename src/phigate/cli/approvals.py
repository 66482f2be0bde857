"""`phigate approvals list|show|approve|deny`: review from a terminal against a gateway URL.

A thin client of the REST API (`/v1/approvals…`) with a bearer token, so it obeys
exactly the same eligibility rules as every other channel.
"""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

import click
import httpx
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from phigate.reviewing.essentials import must_read
from phigate.reviewing.view import time_left

# markup=False: every string printed is data (statements, reasons, paths, names an
# upstream chose), never rich markup; styles are applied with `Text` only.
out = Console(markup=False)
err = Console(stderr=True, markup=False)
EXIT = {401: 3, 403: 4, 404: 5, 409: 6, 410: 6}


def _fail(message: str, code: int = 2) -> NoReturn:
    err.print(Text("error: ", style="bold red") + Text(message), highlight=False)
    sys.exit(code)


class Client:
    def __init__(self, url: str, token: str | None) -> None:
        if not token:
            _fail("give a token with --token or PHIGATE_TOKEN")
        self._url = url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {token}"}

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        try:
            with httpx.Client(base_url=self._url, timeout=30, headers=self._headers) as http:
                answer = http.request(method, path, json=body)
        except httpx.HTTPError as exc:
            _fail(f"cannot reach the gateway: {type(exc).__name__}")
        if answer.status_code >= 400:
            try:
                message = answer.json()["error"]["message"]
            except (ValueError, KeyError, TypeError):
                message = answer.text[:200]
            _fail(f"{message} (HTTP {answer.status_code})", EXIT.get(answer.status_code, 1))
        return answer.json()


@click.group("approvals")
@click.option(
    "--url",
    envvar="PHIGATE_URL",
    default="http://127.0.0.1:8080",
    show_default=True,
    help="Gateway base URL (or PHIGATE_URL).",
)
@click.option("--token", envvar="PHIGATE_TOKEN", help="API or OIDC token (or PHIGATE_TOKEN).")
@click.pass_context
def approvals(ctx: click.Context, url: str, token: str | None) -> None:
    """Review approval requests: list, show, approve, deny."""
    ctx.obj = (url, token)


def _client(ctx: click.Context) -> Client:
    url, token = ctx.obj
    return Client(url, token)


@approvals.command("list")
@click.option(
    "--status",
    default="pending",
    show_default=True,
    help="pending, approved, denied, expired, cancelled, executed, or 'all'.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def list_(ctx: click.Context, status: str, as_json: bool) -> None:
    """Requests you may review (or made yourself)."""
    path = "/v1/approvals" + ("" if status == "all" else f"?status={status}")
    items = _client(ctx).call("GET", path)["approvals"]
    if as_json:
        out.print_json(json.dumps(items))
        return
    # A console made now takes the terminal's width now (COLUMNS); the module's was
    # sized at import, and a narrower table wraps each statement over more lines.
    Console(markup=False).print(_list_table(items, status))


def _list_table(items: list[dict[str, Any]], status: str) -> Table:
    """Fits 80 columns: ids and numbers never wrap; the statement takes the rest and
    wraps (folds), whole. The state is in the title when only one state is listed."""
    table = Table(
        title=f"Approvals ({status})",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        padding=(0, 1, 0, 0),
        title_justify="left",
    )
    one_state = status != "all"
    table.add_column("id", no_wrap=True, min_width=20)
    if not one_state:
        table.add_column("state", no_wrap=True)
    table.add_column("risk", no_wrap=True)
    table.add_column("requested by", overflow="fold", min_width=10, max_width=16)
    table.add_column("votes", no_wrap=True)
    table.add_column("left", no_wrap=True)
    table.add_column("action", overflow="fold", ratio=1, min_width=16)
    for a in items:
        who = a["action"]["requested_by"]["subject"]
        cells = [
            a["id"],
            *([] if one_state else [a["state"]]),
            a["action"]["risk"],
            f"{who} for {a['on_behalf_of']}" if a["on_behalf_of"] else who,
            _votes_cell(a),
            time_left(a["seconds_left"]) if a["state"] == "pending" else "",
            _flagged(a),
        ]
        table.add_row(*cells)
    return table


def _votes_cell(a: dict[str, Any]) -> str:
    """Approvals so far of those needed, per matching approval rule (`1/1, 0/1`)."""
    needs = a.get("requirements")
    if not needs:  # a gateway before 0012
        return f"{sum(v['vote'] == 'approve' for v in a['votes'])}/{a['required']}"
    return ", ".join(f"{need['approvals']}/{need['count']}" for need in needs)


@approvals.command("show")
@click.argument("approval_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def show(ctx: click.Context, approval_id: str, as_json: bool) -> None:
    """Everything a reviewer needs to decide one request."""
    a = _client(ctx).call("GET", f"/v1/approvals/{approval_id}")
    if as_json:
        out.print_json(json.dumps(a))
        return
    action = a["action"]
    facts = Table.grid(padding=(0, 2))
    for label, value in (
        ("request", f"{a['id']} ({a['state']})"),
        ("requested by", f"{action['requested_by']['subject']} ({action['requested_by']['kind']})"),
        ("on behalf of", a["on_behalf_of"] or "—"),
        ("connection", action["connection"]),
        ("risk", f"{action['risk']}: {'; '.join(action['reasons'])}"),
        ("tables", ", ".join(action["tables"]) or "—"),
        ("masking", _masking(action)),
        ("reason", _marked(action["review"]["marked"]["reason"])),
        ("rule", action["rule"] or ""),
        (
            "votes",
            a.get("votes_text")
            or f"{sum(v['vote'] == 'approve' for v in a['votes'])} of {a['required']} "
            f"from {', '.join(a['eligible_groups'])}",
        ),
        ("time left", time_left(a["seconds_left"])),
        ("console", a["url"]),
    ):
        facts.add_row(
            Text(label, style="bold"), value if isinstance(value, Text) else Text(str(value))
        )
    out.print(facts)
    for warning in action["review"]["warnings"]:
        out.print(Text(f"warning: {warning}", style="bold yellow"))
    (_label, statement), *rest = must_read(a)
    out.print(_marked(statement), soft_wrap=False)
    for label, segments in rest:
        if label != "Reason":  # among the facts above
            out.print(Text(f"{label.lower()}: ", style="bold") + _marked(segments), soft_wrap=False)


def _masking(action: dict[str, Any]) -> str:
    """The profile, what the request asks to see unmasked, and the masked columns it
    filters on when that is why it is held."""
    text = action["masking"]
    if action["reveal"]:
        text += f"; unmasked requested: {', '.join(action['reveal'])}"
    if action.get("held_on"):
        text += f"; held: filters on masked {', '.join(action['held_on'])}"
    return str(text)


def _marked(segments: list[list[Any]]) -> Text:
    """Escapes in reverse video, so `\\u02bc` stands out from text that merely reads so."""
    text = Text()
    for part, escape in segments:
        text.append(str(part), style="reverse bold" if escape else "")
    return text


def _flagged(a: dict[str, Any]) -> Text:
    """The list's form of the statement, led by its warning count: the reviewer's view
    of it (`must_read`, escapes marked) on one line, whole and wrapped, never cut. The list offers
    no vote, but `approvals approve <id>` may be typed from it: a cut that reads as a
    complete statement (`... IN (71, 72, 73)` of `... IN (71, 72, 73) OR id > 0`)
    would have the reviewer approve what they did not read."""
    (_label, statement), *_rest = must_read(a)
    # One line per request (its lines joined by a space, as before); escapes stay marked.
    joined = [
        [part if escape else str(part).replace("\n", " "), escape] for part, escape in statement
    ]
    warnings = a["action"]["review"]["warnings"]
    lead = Text(f"⚠{len(warnings)} ") if warnings else Text()
    return lead + _marked(joined)


@approvals.command("approve")
@click.argument("approval_id")
@click.option("--comment", default="", help="Recorded in the audit log.")
@click.pass_context
def approve(ctx: click.Context, approval_id: str, comment: str) -> None:
    """Approve a request."""
    a = _client(ctx).call("POST", f"/v1/approvals/{approval_id}/approve", {"comment": comment})
    out.print(f"recorded: {approval_id} is now {a['state']}", highlight=False)


@approvals.command("deny")
@click.argument("approval_id")
@click.option("--comment", "--reason", "comment", required=True, help="Why (audit log).")
@click.pass_context
def deny(ctx: click.Context, approval_id: str, comment: str) -> None:
    """Deny a request (a reason is required)."""
    a = _client(ctx).call("POST", f"/v1/approvals/{approval_id}/deny", {"comment": comment})
    out.print(f"recorded: {approval_id} is now {a['state']}", highlight=False)
