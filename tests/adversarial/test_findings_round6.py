"""Round 6: a fresh attack on what phigate promises, before its fail-closed issue closes.

Each test goes through a real front door (REST, the PostgreSQL wire with a raw client,
Slack's interaction endpoint against the Slack Web API stand-in) and asserts a
promise. Open findings are `xfail(strict=True)`: the mark comes off when the finding
is fixed. Attacks that held stay as ordinary tests.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from mcp.shared.exceptions import MCPError

from phigate.cli import main
from phigate.doors.app import build_app
from phigate.doors.pgwire import _codec as codec
from tests.adversarial.test_findings_round4 import approve_all, set_status, status_of
from tests.channels.standins import Recorder, slack_api
from tests.channels.test_slack import click, harness_with, signed, slack_settings
from tests.channels.test_slack import close as slack_close
from tests.channels.test_teams import bot_api, teams_settings
from tests.conftest import Harness, demo_config, make_harness
from tests.connectors.support import harness_with as connection_harness
from tests.connectors.support import serve_in_thread
from tests.connectors.test_http import Upstream, http_connection, upstream
from tests.mcp.conftest import mcp_client, serve_app
from tests.mcp.conftest import start as start_mcp
from tests.pgwire.conftest import Wire, start_wire
from tests.pgwire.rawclient import RawClient, error_fields
from tests.support.state import token_store

__all__ = ["upstream"]  # the local HTTP service of tests/connectors/test_http.py


# ── what a reviewer sees in chat ────────────────────────────────────────────
@pytest.fixture
def slack() -> Iterator[Recorder]:
    with slack_api() as recorder:
        yield recorder


@pytest.fixture
async def chat(tmp_path: Path, ehr_dsn: str, slack: Recorder) -> AsyncIterator[Harness]:
    harness = await harness_with(tmp_path, ehr_dsn, slack_settings(slack))
    yield harness
    await slack_close(harness)


def vote_buttons(message: dict[str, Any]) -> list[str]:
    """The action ids of the message's buttons (approve, deny, open)."""
    return [
        element["action_id"]
        for block in message["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    ]


async def test_slack_never_offers_approve_for_a_statement_it_does_not_show(
    chat: Harness, slack: Recorder, ehr_dsn: str
) -> None:
    """A write whose first 2500 characters read `… WHERE id = 51 AND status <> '…'`, and
    whose tail widens it to claim 52: Slack shows the head and an Approve button (the
    "(truncated …)" note is added only before a later segment, so a statement that is
    one segment is cut with no note at all). A reviewer who approves from Slack approves
    what they did not see; the whole table is written. Either the message shows the
    statement whole, or it offers no vote (only a link to the console)."""
    set_status(ehr_dsn, 51, "new")
    set_status(ehr_dsn, 52, "new")
    padding = "paid by phone, reference " + "0123456789" * 260
    sql = f"UPDATE claims SET status = 'paid' WHERE id = 51 AND status <> '{padding}' OR id = 52"
    answer = await chat.submit("claims-bot", sql, reason="paid by phone")
    assert answer.status_code == 202, answer.text
    approval_id = str(answer.json()["approval"]["id"])
    message = slack.wait_for("chat.postMessage")[0]
    shown = json.dumps(message["blocks"], ensure_ascii=False)
    assert "phigate_approve" not in vote_buttons(message) or "OR id = 52" in shown, (
        vote_buttons(message),
        shown[shown.find("rich_text_preformatted") + 2500 : shown.find("rich_text_section")],
    )
    # A click on the button it did not offer (forged, or from an older message) is
    # not recorded either: Slack tells the clicker to use the console.
    body = click(approval_id, "U_ALICE")
    voted = await chat.client.post("/slack/interactions", content=body, headers=signed(body))
    assert voted.status_code == 200, voted.text
    told = slack.wait_for("chat.postEphemeral")[0]
    assert "console" in told["text"], told
    assert chat.gateway.approval(approval_id).state == "pending"
    assert status_of(ehr_dsn, 52) == "new"


async def test_slack_shows_the_values_a_write_is_bound_to(chat: Harness, slack: Recorder) -> None:
    """Approvals bind the text and its bound values, and the Slack message is the whole
    of what a Slack reviewer sees before Approve: `UPDATE claims SET status = $1 WHERE
    id >= $2` with ["void", "1"] voids every claim, yet the message holds only the
    placeholders (the console and `review.params` have the values; the Slack blocks,
    and the Teams card alike, draw only the statement and the reason)."""
    sql = "UPDATE claims SET status = $1 WHERE id >= $2"
    answer = await chat.submit("claims-bot", sql, params=["void-every-claim", "1"])
    assert answer.status_code == 202, answer.text
    message = slack.wait_for("chat.postMessage")[0]
    shown = json.dumps(message["blocks"], ensure_ascii=False)
    assert "$2" in shown
    assert "phigate_approve" not in vote_buttons(message) or "void-every-claim" in shown, shown


async def test_slack_says_what_a_request_asks_to_see_unmasked(
    chat: Harness, slack: Recorder
) -> None:
    """A read that asks for a reveal (`"reveal": ["PERSON"]`) waits for a data owner
    only because of the reveal: it is what the reviewer decides. The Slack message says
    "Masking: hipaa-safe-harbor" and never that names come back unmasked (the CLI's
    `approvals show` prints "unmasked requested: PERSON")."""
    sql = "SELECT first_name, last_name FROM patients WHERE id = 1"
    answer = await chat.submit("claims-bot", sql, reveal=["PERSON"])
    assert answer.status_code == 202, answer.text
    message = slack.wait_for("chat.postMessage")[0]
    shown = json.dumps(message["blocks"], ensure_ascii=False)
    assert "phigate_approve" not in vote_buttons(message) or "PERSON" in shown, shown


async def test_approvals_show_prints_the_values_a_write_is_bound_to(harness: Harness) -> None:
    """The terminal reviewer's whole view: `phigate approvals show ID` prints the
    statement with `$1`, `$2` and no values (its `--json` has them, its text does not)."""
    sql = "UPDATE claims SET status = $1 WHERE id >= $2"
    answer = await harness.submit("claims-bot", sql, params=["void-every-claim", "1"])
    assert answer.status_code == 202, answer.text
    approval_id = answer.json()["approval"]["id"]
    served = serve_in_thread(build_app(harness.gateway))
    try:
        args = ["approvals", "--url", served.url, "--token", harness.tokens["alice"]]
        runner = CliRunner(env={"COLUMNS": "200"})
        result = await asyncio.to_thread(runner.invoke, main, [*args, "show", approval_id])
    finally:
        served.stop()
    assert result.exit_code == 0, f"{result.exit_code}: {result.exception!r} {result.output}"
    assert "$2" in result.output, result.output
    assert "void-every-claim" in result.output, result.output


async def review_of(harness: Harness, sql: str) -> dict[str, Any]:
    """What every reviewer surface draws for `sql` (the REST view alice reads)."""
    answer = await harness.submit("claims-bot", sql)
    assert answer.status_code == 202, answer.text
    approval_id = answer.json()["approval"]["id"]
    view = await harness.client.get(f"/v1/approvals/{approval_id}", headers=harness.auth("alice"))
    assert view.status_code == 200, view.text
    review: dict[str, Any] = view.json()["action"]["review"]
    return review


async def test_a_masked_constant_does_not_hide_what_a_write_reaches(harness: Harness) -> None:
    """Constants are masked for reviewers, whole: `id = ANY('{1,2,4155550199}')` is
    shown as `id = ANY('[PHONE]')`, one phone-shaped value, though the write reaches
    claims 1 and 2, which are no PHI at all."""
    review = await review_of(
        harness, "UPDATE claims SET status = 'void' WHERE id = ANY('{1,2,4155550199}')"
    )
    assert "1,2" in review["statement"], review["statement"]


async def test_a_masked_number_is_not_called_the_text_as_sent(harness: Harness) -> None:
    """`WHERE id < 4155550199` (every claim) is shown as `WHERE id < [PHONE]`, which no
    longer parses, so the view warns "the statement could not be parsed; it is shown
    exactly as sent": a reviewer is told the agent sent `[PHONE]` and that nothing
    here parses, about a statement that parses and runs."""
    review = await review_of(harness, "UPDATE claims SET status = 'void' WHERE id < 4155550199")
    assert review["parsed"], (review["statement"], review["warnings"])
    assert not any("exactly as sent" in w for w in review["warnings"]), review["warnings"]


async def test_a_masked_argument_is_flagged_for_the_reviewer(harness: Harness) -> None:
    """`deploy-tool rollback api 4155550199` (a build number) is shown to reviewers as
    `deploy-tool rollback api '[PHONE]'`, quoted as if the agent had typed `[PHONE]`, with
    no warning: the reviewer cannot tell which build the approval rolls back to, nor
    that the text shown is not the text that runs."""
    answer = await harness.client.post(
        "/v1/actions",
        headers=harness.auth("claims-bot"),
        json={"connection": "deploy", "argv": ["deploy-tool", "rollback", "api", "4155550199"]},
    )
    assert answer.status_code == 202, answer.text
    approval_id = answer.json()["approval"]["id"]
    view = await harness.client.get(f"/v1/approvals/{approval_id}", headers=harness.auth("alice"))
    review = view.json()["action"]["review"]
    shown = "4155550199" in review["statement"]
    assert shown or any("mask" in w for w in review["warnings"]), review


@pytest.fixture
def bot() -> Iterator[Recorder]:
    with bot_api() as recorder:
        yield recorder


@pytest.fixture
async def teams(tmp_path: Path, ehr_dsn: str, bot: Recorder) -> AsyncIterator[Harness]:
    overrides = {"channels": teams_settings(bot)}
    harness = await make_harness(demo_config(tmp_path, ehr_dsn, overrides=overrides))
    yield harness
    harness.client._transport.app.state.channels.stop()  # type: ignore[attr-defined]
    await harness.client.aclose()
    await harness.gateway.close()


LONG_TAIL = "paid by phone, reference " + "0123456789" * 260


@pytest.mark.parametrize(
    ("sql", "extra", "tail"),
    [
        (
            "UPDATE claims SET status = $1 WHERE id >= $2",
            {"params": ["void-every-claim", "1"]},
            "void-every",
        ),
        pytest.param(
            f"UPDATE claims SET status = 'paid' WHERE id = 6 AND status <> '{LONG_TAIL}' OR id > 0",
            {},
            "OR id > 0",
        ),
        pytest.param(
            "SELECT first_name, last_name FROM patients WHERE id = 1",
            {"reveal": ["PERSON"]},
            "PERSON",
        ),
    ],
    ids=["bound-values", "cut-statement", "reveal"],
)
async def test_a_teams_card_shows_what_it_offers_to_approve(
    teams: Harness, bot: Recorder, sql: str, extra: dict[str, Any], tail: str
) -> None:
    """Findings 1, 4 and 6 on Teams: the card draws the statement (cut at 2500
    characters, with a note), the reason and the masking profile, never the bound
    values or the reveal asked for, and keeps its Approve action."""
    answer = await teams.submit("claims-bot", sql, **extra)
    assert answer.status_code == 202, answer.text
    posted = bot.wait_for("/svc/v3/conversations/19:rev/activities")[0]
    card = posted["attachments"][0]["content"]
    verbs = [a.get("verb") for a in card["actions"] if a["type"] == "Action.Execute"]
    shown = json.dumps(card, ensure_ascii=False)
    assert "approve" not in verbs or tail in shown, (verbs, shown[-700:])


# ── http: paths the way servers read them ──────────────────────────────────
@pytest.fixture
async def api(tmp_path: Path, upstream: Upstream) -> AsyncIterator[Harness]:
    connection = http_connection(upstream)
    connection["rules"] += [
        {"name": "bulk export", "methods": ["GET"], "path": "/patients/export", "risk": "export"},
        {
            "name": "search is a read",
            "methods": ["POST"],
            "path": "/patients/search",
            "risk": "read",
        },
    ]
    connection["headers_allowed"] = ["accept", "content-type"]
    harness = await connection_harness(tmp_path, {"api": connection})
    upstream.seen.clear()
    try:
        yield harness
    finally:
        await harness.client.aclose()
        await harness.gateway.close()


@pytest.mark.parametrize(
    ("path", "status"),
    [("/admin.json", 403), ("/patients/export.csv", 202)],
)
async def test_a_format_suffix_is_the_same_path(
    api: Harness, upstream: Upstream, path: str, status: int
) -> None:
    """Rails routes every path with an optional `(.:format)` (`/admin.json` is the admin
    action answering JSON) and Spring MVC's suffix pattern matching does the same
    (`/patients/export.csv` is `/patients/export`). The docs promise rules match the
    path the way servers read it, as they already do for `;` matrix parameters: the
    admin area is denied and the bulk export waits for approval, with the suffix too."""
    answer = await api.client.post(
        "/v1/actions",
        headers=api.auth("claims-bot"),
        json={"connection": "api", "request": {"method": "GET", "path": path}},
    )
    assert answer.status_code == status, (answer.status_code, answer.text[:300])
    assert upstream.seen == []


async def test_a_method_override_in_the_body_is_the_method(
    api: Harness, upstream: Upstream
) -> None:
    """Rails (Rack::MethodOverride), Symfony (http_method_override) and Laravel route a
    form POST carrying `_method=DELETE` as DELETE. A rule that calls `POST
    /patients/search` a read then lets a DELETE of /patients/search (Rails: `DELETE
    /patients/:id` with id `search`) run at once, unseen by any reviewer. The method as
    the server reads it is DELETE: a write, which waits for approval."""
    request = {
        "method": "POST",
        "path": "/patients/search",
        "headers": {"content-type": "application/x-www-form-urlencoded"},
        "body": "_method=DELETE&name=x",
    }
    answer = await api.client.post(
        "/v1/actions",
        headers=api.auth("claims-bot"),
        json={"connection": "api", "request": request},
    )
    assert answer.status_code in (202, 403), (answer.status_code, answer.text[:300])
    assert upstream.seen == []


# ── bad input: a clear, audited 400 ─────────────────────────────────────────


@pytest.mark.parametrize(
    "body",
    [
        {"sql": "SELECT $1::text", "params": ["a\u0000b"]},
        {"sql": "UPDATE claims SET status = $1 WHERE id = 3", "params": ["paid\u0000"]},
        {"sql": "SELECT $1::int", "params": [{"a": 1}]},
        {"sql": " ; ; "},
    ],
    ids=["nul-in-a-read-value", "nul-in-a-write-value", "object-value", "no-statement"],
)
async def test_sql_input_no_upstream_can_carry_is_a_clear_400(
    harness: Harness, body: dict[str, Any]
) -> None:
    """A NUL in a text value (PostgreSQL text cannot hold one, as it cannot hold a lone
    surrogate), a JSON object as a value (no SQL type), or a text of empty statements:
    the caller's own bad input. docs/security.md promises a 400 `invalid_request`
    before policy; instead the read is recorded as executing and answered 502
    "upstream error ?????: DataError" (ProgrammingError, InternalError), and the
    write is sent to reviewers, who can only approve something that cannot run."""
    answer = await harness.client.post(
        "/v1/actions", headers=harness.auth("claims-bot"), json={"connection": "ehr", **body}
    )
    assert answer.status_code == 400, (answer.status_code, answer.text[:300])
    assert answer.json()["error"]["code"] == "invalid_request", answer.text


@pytest.mark.parametrize("state_url", ["postgresql"], indirect=True)
@pytest.mark.parametrize("where", ["request-reason", "vote-comment"])
async def test_a_nul_in_free_text_is_a_clear_400(
    tmp_path: Path, ehr_dsn: str, state_url: str, where: str
) -> None:
    """On a PostgreSQL state store (the replicated deployment) a reason or a vote
    comment holding U+0000 (legal JSON, text PostgreSQL cannot hold) answers 503
    `audit_unavailable`, "the audit log cannot be written": the caller's bad input is
    reported as an outage of the audit log, to the caller and to operators, and no
    refusal is audited; the vote's comment fails the vote with a bare 500. Each should
    be a 400 `invalid_request`, as a lone surrogate is."""
    overrides = {"state": {"url": state_url}}
    h = await make_harness(demo_config(tmp_path, ehr_dsn, overrides=overrides))
    try:
        sql = "UPDATE claims SET status = 'paid' WHERE id = 9"
        if where == "request-reason":
            answer = await h.submit("claims-bot", sql, reason="paid by phone\u0000")
        else:
            pending = await h.submit("claims-bot", sql)
            assert pending.status_code == 202, pending.text
            approval_id = pending.json()["approval"]["id"]
            app = h.client._transport.app  # type: ignore[attr-defined]
            served = httpx.ASGITransport(app=app, raise_app_exceptions=False)
            async with httpx.AsyncClient(transport=served, base_url="http://phigate.test") as c:
                answer = await c.post(
                    f"/v1/approvals/{approval_id}/approve",
                    headers=h.auth("alice"),
                    json={"comment": "ok\u0000"},
                )
        assert answer.status_code == 400, (answer.status_code, answer.text[:300])
    finally:
        await h.client.aclose()
        await h.gateway.close()


# ── revocation ──────────────────────────────────────────────────────────────
async def pending_approval(harness: Harness) -> str:
    """The id of the one pending approval, once the request waiting for it made it."""
    for _ in range(400):
        pending = await asyncio.to_thread(harness.gateway.list_approvals, state="pending")
        if pending:
            return str(pending[0].id)
        await asyncio.sleep(0.025)
    raise AssertionError("no approval was requested")


async def test_a_revoked_token_does_not_run_what_it_waits_for(
    harness: Harness, ehr_dsn: str
) -> None:
    """`POST /v1/actions` with `wait` (up to 300 s) holds the request open until the
    approval comes. The agent's token is revoked while it waits ("revocation is
    immediate"; "revoked tokens end sessions"), then a data owner approves: the write
    must not run for a caller that no longer exists. It runs, answered 200."""
    set_status(ehr_dsn, 53, "new")
    sql = "UPDATE claims SET status = 'paid' WHERE id = 53"
    waiting = asyncio.create_task(
        harness.client.post(
            "/v1/actions",
            headers=harness.auth("claims-bot"),
            json={"connection": "ehr", "sql": sql, "wait": 30},
        )
    )
    approval_id = await pending_approval(harness)
    store = token_store(harness.gateway)
    for info in store.list(subject="claims-bot"):
        store.revoke(info.id)
    refused = await harness.client.get("/v1/approvals", headers=harness.auth("claims-bot"))
    assert refused.status_code == 401, refused.text  # the revocation is in force
    alice = await harness.gateway.authenticate(harness.tokens["alice"])
    await harness.gateway.vote(approval_id, alice, "approve")
    answer = await asyncio.wait_for(waiting, 30)
    assert status_of(ehr_dsn, 53) == "new", (answer.status_code, answer.text[:200])
    assert answer.status_code == 401, answer.text  # said, and on the audit log
    reasons = [
        r["why"]["reason"]
        for r in harness.gateway.audit_records()
        if r["event"] == "action.refused"
    ]
    assert any("revoked" in reason for reason in reasons), reasons


async def test_a_revoked_token_does_not_run_what_its_mcp_query_waits_for(
    tmp_path: Path, ehr_dsn: str
) -> None:
    """The MCP `query` tool holds the call up to `mcp.query_wait_seconds` for the
    approval; the token is revoked during the wait, then a data owner approves. The
    write runs, and the agent is answered a JSON-RPC internal error (-32603), so it
    cannot even tell that it ran."""
    set_status(ehr_dsn, 55, "new")
    sql = "UPDATE claims SET status = 'paid' WHERE id = 55"
    harness, app = await start_mcp(tmp_path, ehr_dsn, mcp={"query_wait_seconds": 30})
    try:
        async with (
            serve_app(app) as base,
            mcp_client(f"{base}/mcp", harness.tokens["claims-bot"]) as client,
        ):
            call = asyncio.create_task(client.call_tool("query", {"connection": "ehr", "sql": sql}))
            approval_id = await pending_approval(harness)
            store = token_store(harness.gateway)
            for info in store.list(subject="claims-bot"):
                store.revoke(info.id)
            alice = await harness.gateway.authenticate(harness.tokens["alice"])
            await harness.gateway.vote(approval_id, alice, "approve")
            try:
                result = await asyncio.wait_for(call, 30)
                text = json.dumps(result.model_dump(mode="json"))[:300]
            except MCPError as exc:  # the answer is refused; what matters is the table
                text = repr(exc)
        assert status_of(ehr_dsn, 55) == "new", text
        assert "revoked" in text, text  # the agent is told why
    finally:
        await harness.client.aclose()
        await harness.gateway.close()


async def test_held_a_wire_session_waiting_for_approval_ends_when_its_token_is_revoked(
    tmp_path: Path, ehr_dsn: str
) -> None:
    """Held: a wire write waiting in the session for its approval (up to
    `approval_wait_seconds`) when the caller's token is revoked: the revocation sweep
    ends the session (57P01), and the approval that comes after runs nothing."""
    harness, listener = await start_wire(
        tmp_path, ehr_dsn, approval_wait_seconds=20, revocation_check_seconds=0.2
    )
    wire = Wire(harness, listener)
    client = await RawClient.connect(wire.port)
    try:
        await client.login("claims-bot", harness.tokens["claims-bot"])
        set_status(ehr_dsn, 54, "new")
        client.send(codec.query("UPDATE claims SET status = 'paid' WHERE id = 54"))
        notice = await client.until(b"N")
        assert notice[-1].type == b"N", notice
        store = token_store(harness.gateway)
        for info in store.list(subject="claims-bot"):
            store.revoke(info.id)
        ended = await client.until(b"E", limit_s=5)
        assert error_fields(ended).get("C") == "57P01", ended
        assert await approve_all(wire) == [
            {"sql": "UPDATE claims SET status = 'paid' WHERE id = 54", "params": []}
        ]
        assert await client.closed()
        assert status_of(ehr_dsn, 54) == "new"
    finally:
        client.close()
        await listener.close()
        await harness.gateway.close()


# ── from the SQL port's review: windows and ordering of the JSON aggregates ──
@pytest.mark.parametrize(
    "sql",
    [
        # the control: an ordinary aggregate as a window over ssn is held
        "SELECT array_agg(id) OVER (ORDER BY ssn) FROM patients LIMIT 5",
        # each row's running array lists the ids in ssn order: ssn's order, read back
        "SELECT JSON_ARRAYAGG(id) OVER (ORDER BY ssn) FROM patients LIMIT 5",
        # the ids that share a date of birth, grouped by it
        "SELECT JSON_OBJECTAGG(id : 1) OVER (PARTITION BY dob) FROM patients LIMIT 5",
        "SELECT JSON_ARRAYAGG(id ORDER BY ssn) FROM patients",
    ],
)
async def test_a_json_aggregate_window_over_phi_is_a_condition(harness: Harness, sql: str) -> None:
    """`OVER (PARTITION BY … ORDER BY …)` and an aggregate's own ORDER BY decide what
    comes back from PHI an agent may not filter, sort or group on unseen: as for
    array_agg, they are conditions, and the statement waits for approval."""
    answer = await harness.submit("claims-bot", sql)
    assert answer.status_code in (202, 403), (answer.status_code, answer.text[:300])
