"""Round 22a: a promises-only attack on what changed this hour (a REST read's allow
reused for the caller's next identical read) and the MCP door.

Each finding is a strict xfail through a real door (`@finding`); attacks that held are
ordinary tests.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from phigate.core.errors import InvalidRequestError
from phigate.identity.principal import PrincipalKind
from phigate.ops.pgserver import EmbeddedPostgres
from tests.adversarial.harness import Bench
from tests.conftest import Harness, demo_config, make_harness
from tests.mcp.conftest import Served, mcp_client, served
from tests.mcp.test_http import structured
from tests.support.state import token_store

__all__ = ["served"]  # the MCP door served by uvicorn (tests/mcp/conftest.py)


@pytest.fixture
def dba(pg_server: EmbeddedPostgres, ehr_dsn: str) -> str:
    """The EHR database's owner DSN: a DBA's changes, made outside the gateway."""
    return pg_server.dsn(str(conninfo_to_dict(ehr_dsn)["dbname"]))


def _upstream(dsn: str, sql: str) -> None:
    """A DBA's change made directly on the upstream, outside the gateway."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(sql)


_DROP = (
    "DO $$ BEGIN EXECUTE (SELECT CASE relkind WHEN 'v' THEN 'DROP VIEW ' ELSE 'DROP TABLE ' END "
    "|| 'r22a_codes' FROM pg_class WHERE relname = 'r22a_codes'); "
    "EXCEPTION WHEN OTHERS THEN NULL; END $$"
)


def _last_names(dsn: str) -> set[str]:
    with psycopg.connect(dsn) as conn:
        return {str(r[0]) for r in conn.execute("SELECT last_name FROM patients").fetchall()}


async def test_a_reused_rest_allow_follows_a_table_remade_as_a_view(
    harness: Harness, ehr_dsn: str, dba: str
) -> None:
    """docs/rest.md: the allow is reused only while it "provably still holds, as on the
    wire"; docs/security.md bounds a table re-created as a view to the catalog's 60
    seconds. Here the catalog has reloaded (a new relation named) and knows the view, yet
    the caller's next identical read runs under the old lineage: a plain table's
    `status`, shown whole, which is now `patients.last_name`."""
    _upstream(dba, _DROP)
    _upstream(dba, "DROP TABLE IF EXISTS r22a_fresh")
    _upstream(dba, "CREATE TABLE r22a_codes (id int, status text)")
    _upstream(dba, "INSERT INTO r22a_codes VALUES (1, 'open')")
    _upstream(dba, "GRANT SELECT ON r22a_codes TO PUBLIC")
    try:
        text = "SELECT id, status FROM r22a_codes"
        first = await harness.submit("claims-bot", text)
        assert first.status_code == 200, first.text
        assert "open" in first.text, first.text
        _upstream(
            dba,
            "DROP TABLE r22a_codes; CREATE VIEW r22a_codes AS "
            "SELECT id, last_name AS status FROM patients; "
            "GRANT SELECT ON r22a_codes TO PUBLIC",
        )
        # Any statement naming a relation the catalog does not know reloads it at once.
        _upstream(dba, "CREATE TABLE r22a_fresh (id int); GRANT SELECT ON r22a_fresh TO PUBLIC")
        fresh = await harness.submit("claims-bot", "SELECT id FROM r22a_fresh")
        assert fresh.status_code == 200, fresh.text
        # Another caller, decided afresh, sees the view's column masked.
        other = await harness.submit("dana", text)
        again = await harness.submit("claims-bot", text)
        assert other.status_code == again.status_code == 200, (other.text, again.text)
        names = _last_names(ehr_dsn)
        masked = {str(row[1]) for row in other.json()["result"]["rows"]}
        assert masked and not masked & names, other.text[:300]  # the view is followed
        shown = {str(row[1]) for row in again.json()["result"]["rows"]}
        assert not shown & names, again.text[:300]
    finally:
        _upstream(dba, _DROP)
        _upstream(dba, "DROP TABLE IF EXISTS r22a_fresh")


# ── 2. an agent acting for an agent whose tokens are made out to its alias ─────
async def test_an_agent_acting_for_an_aliased_agent_is_not_approved_by_its_human(
    tmp_path: Path, ehr_dsn: str
) -> None:
    """docs/security.md: "An agent acts for a human": token creation and sign-in refuse
    an agent acting for a subject that holds agent tokens, and a chain that slips
    through bars every person in it. docs/oidc.md: with `identity.aliases`, every
    principal is mapped to its person when it authenticates. The agent `ops-bot`'s
    token was made out to its CI name `ops-bot-ci` (an alias, declared later), acting
    for dana. `sub-bot` is made to act for `ops-bot`: token creation, sign-in
    (identity/tokens.py `kinds_of`) and the approval's chain (approvals/service.py
    `_behind_in`, `TokenStore.acts_for_in`) all look the subject up in the token table
    by its exact name, never by its person, so none sees that ops-bot holds agent
    tokens and acts for dana. dana approves sub-bot's write."""
    identity = {"auditor_groups": ["auditors"], "aliases": {"ops-bot": ["ops-bot-ci"]}}
    h = await make_harness(demo_config(tmp_path, ehr_dsn, overrides={"identity": identity}))
    try:
        store = token_store(h.gateway)
        h.tokens["ops-bot"] = store.create(
            subject="ops-bot-ci", kind=PrincipalKind.AGENT, groups=("agents",), on_behalf_of="dana"
        )[0]
        ops = await h.gateway.authenticate(h.tokens["ops-bot"])
        assert (ops.subject, ops.kind, ops.on_behalf_of) == ("ops-bot", "agent", "dana")
        try:
            h.tokens["sub-bot"] = store.create(
                subject="sub-bot",
                kind=PrincipalKind.AGENT,
                groups=("agents",),
                on_behalf_of="ops-bot",
            )[0]
        except InvalidRequestError:
            return  # refused at creation: the promise held
        h.tokens["dana-reviewer"] = store.create(
            subject="dana", kind=PrincipalKind.HUMAN, groups=("data-owners",)
        )[0]
        asked = await h.submit("sub-bot", "UPDATE claims SET status = 'paid' WHERE id = 71")
        if asked.status_code == 401:
            return  # refused at sign-in: the promise held
        assert asked.status_code == 202, asked.text
        approval_id = asked.json()["approval"]["id"]
        voted = await h.client.post(
            f"/v1/approvals/{approval_id}/approve", headers=h.auth("dana-reviewer"), json={}
        )
        state = h.gateway.approval(approval_id).state
    finally:
        await h.client.aclose()
        await h.gateway.close()
    assert voted.status_code == 403 and state == "pending", (
        f"dana, for whom ops-bot (signed in as ops-bot-ci) acts, approved the write of "
        f"the agent acting for ops-bot: vote {voted.status_code}, approval {state}"
    )


# ── 3. an agent made to act for an agent's alias signs in ──────────────────────
async def test_an_agent_acting_for_an_agents_alias_is_refused(tmp_path: Path, ehr_dsn: str) -> None:
    """docs/security.md: `token create --kind agent --on-behalf-of S` is refused when S
    holds agent tokens, and such a credential is refused at sign-in (401). With
    `identity.aliases` giving claims-bot a second name, an agent token acting for
    `claims-bot-ci` is created (identity/tokens.py `_check_acts_for_a_human` asks the
    token table for the alias, which holds nothing) and signs in
    (`refuse_acting_for_non_human` runs before `People.canonical` maps the alias), as
    an agent acting for claims-bot, an agent. (The approval's chain still bars dana
    here: it reads the mapped name.)"""
    identity = {"auditor_groups": ["auditors"], "aliases": {"claims-bot": ["claims-bot-ci"]}}
    h = await make_harness(demo_config(tmp_path, ehr_dsn, overrides={"identity": identity}))
    try:
        try:
            token = token_store(h.gateway).create(
                subject="sub-bot",
                kind=PrincipalKind.AGENT,
                groups=("agents",),
                on_behalf_of="claims-bot-ci",
            )[0]
        except InvalidRequestError:
            return  # refused at creation: the promise held
        h.tokens["sub-bot"] = token
        asked = await h.submit("sub-bot", "SELECT id FROM claims WHERE id = 71")
    finally:
        await h.client.aclose()
        await h.gateway.close()
    assert asked.status_code == 401, f"signed in acting for claims-bot: {asked.text[:200]}"


# ── held: a reused allow does not outlive a revoked token ──────────────────────
async def test_held_a_reused_rest_allow_ends_with_its_token(harness: Harness) -> None:
    """docs/rest.md: the token is re-read inside the record's transaction, so a
    revocation refuses the next identical read even though its allow is reused."""
    token, info = token_store(harness.gateway).create(
        subject="reuse-bot", kind=PrincipalKind.AGENT, groups=("agents",), on_behalf_of="dana"
    )
    headers = {"Authorization": f"Bearer {token}"}
    body = {"connection": "ehr", "sql": "SELECT id, status FROM claims WHERE id = 71"}
    first = await harness.client.post("/v1/actions", headers=headers, json=body)
    again = await harness.client.post("/v1/actions", headers=headers, json=body)
    assert first.status_code == again.status_code == 200, (first.text, again.text)
    token_store(harness.gateway).revoke(info.id)
    revoked = await harness.client.post("/v1/actions", headers=headers, json=body)
    assert revoked.status_code == 401, revoked.text


async def test_a_reused_mcp_allow_follows_a_table_remade_as_a_view(
    served: Served, ehr_dsn: str, dba: str
) -> None:
    """Finding 1 through MCP: the `query` tool keeps the same per-caller allow."""
    _upstream(dba, _DROP)
    _upstream(dba, "DROP TABLE IF EXISTS r22a_fresh")
    _upstream(dba, "CREATE TABLE r22a_codes (id int, status text)")
    _upstream(
        dba, "INSERT INTO r22a_codes VALUES (1, 'open'); GRANT SELECT ON r22a_codes TO PUBLIC"
    )
    text = "SELECT id, status FROM r22a_codes"
    try:
        async with mcp_client(served.mcp_url, served.token("claims-bot")) as client:
            first = await client.call_tool("query", {"connection": "ehr", "sql": text})
            assert structured(first)["rows"] == [[1, "open"]], first
            _upstream(
                dba,
                "DROP TABLE r22a_codes; CREATE VIEW r22a_codes AS "
                "SELECT id, last_name AS status FROM patients; "
                "GRANT SELECT ON r22a_codes TO PUBLIC; "
                "CREATE TABLE r22a_fresh (id int); GRANT SELECT ON r22a_fresh TO PUBLIC",
            )
            fresh = await client.call_tool(
                "query", {"connection": "ehr", "sql": "SELECT id FROM r22a_fresh"}
            )
            assert structured(fresh)["status"] == "executed", fresh  # the catalog reloaded
            again = await client.call_tool("query", {"connection": "ehr", "sql": text})
        shown = {str(row[1]) for row in structured(again)["rows"]}
        assert shown and not shown & _last_names(ehr_dsn), structured(again)["rows"][:5]
    finally:
        _upstream(dba, _DROP)
        _upstream(dba, "DROP TABLE IF EXISTS r22a_fresh")


def test_a_prepared_wire_read_follows_a_table_remade_as_a_view(
    bench: Bench, ehr_dsn: str, dba: str
) -> None:
    """Finding 1 on the wire door: psycopg prepares the read once (`prepare=True`) and
    runs it again later in the same session; PostgreSQL re-plans it against the view,
    while the gateway's decision for the prepared statement keeps the table's lineage."""
    _upstream(dba, _DROP)
    _upstream(dba, "DROP TABLE IF EXISTS r22a_fresh")
    _upstream(dba, "CREATE TABLE r22a_codes (id int, status text)")
    _upstream(dba, "INSERT INTO r22a_codes VALUES (1, 'open')")
    _upstream(dba, "GRANT SELECT ON r22a_codes TO PUBLIC")
    text = "SELECT id, status FROM r22a_codes"
    try:
        with psycopg.connect(bench.wire_dsn(), autocommit=True) as conn:
            first = conn.execute(text, prepare=True).fetchall()
            assert first == [(1, "open")], first
            _upstream(
                dba,
                "DROP TABLE r22a_codes; CREATE VIEW r22a_codes AS "
                "SELECT id, last_name AS status FROM patients; "
                "GRANT SELECT ON r22a_codes TO PUBLIC; "
                "CREATE TABLE r22a_fresh (id int); GRANT SELECT ON r22a_fresh TO PUBLIC",
            )
            conn.execute("SELECT id FROM r22a_fresh").fetchall()  # the catalog reloads
            try:
                again = conn.execute(text, prepare=True).fetchall()
            except psycopg.Error:
                again = []  # refused or re-planned away: nothing shown
        shown = {str(row[1]) for row in again}
        assert not shown & _last_names(ehr_dsn), sorted(shown)[:5]
    finally:
        _upstream(dba, _DROP)
        _upstream(dba, "DROP TABLE IF EXISTS r22a_fresh")
