"""Transaction control in an action's text (round 18a, finding 4).

REST and MCP run an action's text in a transaction the gateway begins and ends; a
COMMIT (or any statement of its family) in the text would end it early, commit what
came before, and leave an error after it answered `failed` for a change that stayed.
Such a text is refused before it is decided, and the connector refuses it again. A
procedure or DO block that commits cannot: the gateway's BEGIN makes a transaction
block, in which PostgreSQL refuses their COMMIT.
"""

from __future__ import annotations

import asyncio

import psycopg
import pytest

from phigate.connectors.postgres import PostgresConnector
from phigate.core.actions import Action, Description
from phigate.core.errors import UpstreamError
from phigate.core.risk import RiskClass
from phigate.doors.pgwire import _codec as codec
from phigate.ops.pgserver import EmbeddedPostgres
from phigate.sql.describe import describe_sql
from phigate.sql.transaction_control import transaction_control
from tests.adversarial.test_findings_round4 import client, wire
from tests.conftest import Harness
from tests.pgwire.conftest import Wire
from tests.pgwire.rawclient import RawClient, error_fields

__all__ = ["client", "wire"]  # fixtures shared with round 4

# Each member of the family, after a write it would commit, then an error.
FAMILY = {
    "COMMIT": "COMMIT",
    "END": "COMMIT",
    "COMMIT AND CHAIN": "COMMIT AND CHAIN",
    "ROLLBACK": "ROLLBACK",
    "ABORT": "ROLLBACK",
    "ROLLBACK AND CHAIN": "ROLLBACK AND CHAIN",
    "SAVEPOINT s": "SAVEPOINT",
    "RELEASE SAVEPOINT s": "RELEASE SAVEPOINT",
    "RELEASE s": "RELEASE SAVEPOINT",
    "ROLLBACK TO SAVEPOINT s": "ROLLBACK TO SAVEPOINT",
    "BEGIN": "BEGIN",
    "START TRANSACTION": "START TRANSACTION",
    "PREPARE TRANSACTION 'r18a'": "PREPARE TRANSACTION",
    "COMMIT PREPARED 'r18a'": "COMMIT PREPARED",
    "ROLLBACK PREPARED 'r18a'": "ROLLBACK PREPARED",
}
# Text no parser of this grammar reads (a newer server might): the statement's first word.
UNPARSED = {
    "frobnicate everything; COMMIT": "COMMIT",
    "frobnicate; end": "END",
    "frobnicate; abort": "ABORT",
    "frobnicate; PREPARE TRANSACTION 'x'": "PREPARE",
}
NOT_CONTROL = [
    "SELECT 'COMMIT'",
    "SELECT 1 AS commit",
    "UPDATE claims SET status = 'rollback' WHERE id = 1 -- COMMIT",
    "CALL some_procedure()",
    "DO $$ BEGIN COMMIT; END $$",  # refused by PostgreSQL inside the gateway's BEGIN
    "PREPARE p AS UPDATE claims SET status = 'x' WHERE id = 1",
    "SELECT 1; /* COMMIT; */ SELECT 2",
    # The scanner sees `; END` start a statement; the parse knows it ends the body.
    "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END",
    "SELECT 1 AS pending, 2 AS spend",
]


@pytest.mark.parametrize(("statement", "name"), FAMILY.items())
def test_every_member_of_the_family_is_found(statement: str, name: str) -> None:
    text = f"UPDATE claims SET status = 'x' WHERE id = 1; {statement}; SELECT 1/0"
    assert transaction_control(text) == name


@pytest.mark.parametrize(("text", "name"), UNPARSED.items())
def test_unparsed_text_is_read_word_by_word(text: str, name: str) -> None:
    assert transaction_control(text) == name


def test_text_even_the_scanner_cannot_read_is_not_proven_safe() -> None:
    """Unless none of the words such a statement starts with occurs in it at all."""
    assert transaction_control("SELECT 'unterminated; COMMIT") == "unreadable text"
    assert transaction_control("SELECT 'unterminated") is None


@pytest.mark.parametrize("text", NOT_CONTROL)
def test_what_does_not_control_the_transaction_is_not_found(text: str) -> None:
    assert transaction_control(text) is None


def _status(dsn: str, claim: int) -> str:
    with psycopg.connect(dsn) as direct:
        row = direct.execute("SELECT status FROM claims WHERE id = %s", (claim,)).fetchone()
    assert row is not None
    return str(row[0])


@pytest.mark.parametrize(("statement", "name"), FAMILY.items())
async def test_rest_refuses_the_family_before_it_is_decided(
    harness: Harness, ehr_dsn: str, statement: str, name: str
) -> None:
    """Refused at once (400, naming the statement): no approval is asked for, nothing runs."""
    before = await asyncio.to_thread(_status, ehr_dsn, 61)
    text = f"UPDATE claims SET status = 'r18a-txn' WHERE id = 61; {statement}; SELECT 1/0"
    asked = await harness.submit("claims-bot", text)
    assert asked.status_code == 400, asked.text
    assert name in asked.text
    pending = await harness.client.get("/v1/approvals?status=pending", headers=harness.auth("bob"))
    assert pending.json()["approvals"] == []
    assert await asyncio.to_thread(_status, ehr_dsn, 61) == before


async def test_rest_refuses_a_lone_commit_read_too(harness: Harness) -> None:
    """A COMMIT alone is classified a read; on REST it would still end the reader's
    transaction, so it is refused as well, with the statement named."""
    asked = await harness.submit("dana", "SELECT 1; COMMIT")
    assert asked.status_code == 400, asked.text
    assert "COMMIT" in asked.json()["error"]["message"]


# ── the connector: the second guard, and what PostgreSQL refuses on its own ────────
async def _run(harness: Harness, sql: str, risk: RiskClass, *, described: bool = True) -> None:
    connector = harness.gateway.connector("ehr")
    assert isinstance(connector, PostgresConnector)
    principal = await harness.gateway.authenticate(harness.tokens["claims-bot"])
    action = Action("ehr", "sql", {"sql": sql, "params": []}, principal, "rest")
    masker = harness.gateway.masking.masker("hipaa-safe-harbor", groups=principal.groups)
    description = describe_sql(sql) if described else Description(risk)
    await connector.run(action, Description(risk, detail=description.detail), masker)


@pytest.mark.parametrize("described", [True, False])
async def test_the_connector_refuses_a_commit_admission_let_through(
    harness: Harness, ehr_dsn: str, described: bool
) -> None:
    """Had admission missed it (or an action approved before this check runs), the
    connector sends nothing: the claim is unchanged and the error says why."""
    before = await asyncio.to_thread(_status, ehr_dsn, 62)
    text = "UPDATE claims SET status = 'r18a-conn' WHERE id = 62; COMMIT; SELECT 1/0"
    with pytest.raises(UpstreamError, match="holds COMMIT"):
        await _run(harness, text, RiskClass.WRITE, described=described)
    assert await asyncio.to_thread(_status, ehr_dsn, 62) == before


def _create_committing_procedure(pg_server: EmbeddedPostgres, ehr_dsn: str) -> None:
    database = str(psycopg.conninfo.conninfo_to_dict(ehr_dsn)["dbname"])
    with psycopg.connect(pg_server.dsn(database), autocommit=True) as conn:
        conn.execute(
            "CREATE OR REPLACE PROCEDURE public.phigate_test_commit(claim int, status text) "
            "LANGUAGE plpgsql AS $$ BEGIN "
            "UPDATE claims SET status = phigate_test_commit.status WHERE id = claim; "
            "COMMIT; PERFORM 1/0; END $$"
        )


async def test_a_procedure_that_commits_cannot_inside_the_gateways_transaction(
    harness: Harness, pg_server: EmbeddedPostgres, ehr_dsn: str
) -> None:
    """The control first: called on its own (autocommit), the procedure commits its
    UPDATE and then fails. Called through the connector (an approved CALL, were policy
    to allow one), its COMMIT is refused (2D000) and the UPDATE rolls back."""
    await asyncio.to_thread(_create_committing_procedure, pg_server, ehr_dsn)

    def call_alone() -> None:
        with (
            psycopg.connect(ehr_dsn, autocommit=True) as conn,
            pytest.raises(psycopg.errors.DivisionByZero),
        ):
            conn.execute("CALL phigate_test_commit(63, 'r18a-alone')")

    await asyncio.to_thread(call_alone)
    assert await asyncio.to_thread(_status, ehr_dsn, 63) == "r18a-alone"

    before = await asyncio.to_thread(_status, ehr_dsn, 64)
    for risk in (RiskClass.UNKNOWN, RiskClass.WRITE):
        with pytest.raises(UpstreamError, match="2D000"):
            await _run(harness, "CALL phigate_test_commit(64, 'r18a-called')", risk)
    assert await asyncio.to_thread(_status, ehr_dsn, 64) == before


async def test_a_do_block_that_commits_cannot_inside_the_gateways_transaction(
    harness: Harness, ehr_dsn: str
) -> None:
    before = await asyncio.to_thread(_status, ehr_dsn, 65)
    block = (
        "DO $$ BEGIN UPDATE claims SET status = 'r18a-do' WHERE id = 65; COMMIT; "
        "PERFORM 1/0; END $$"
    )
    with pytest.raises(UpstreamError, match="2D000"):
        await _run(harness, block, RiskClass.UNKNOWN)
    assert await asyncio.to_thread(_status, ehr_dsn, 65) == before


# ── the wire door: transaction control is the client's own, never the writer's ────
async def test_a_wire_begin_read_write_is_refused_before_approval(
    wire: Wire, client: RawClient
) -> None:
    """On a read-only wire session `BEGIN READ WRITE` is classified a write; on the
    writer it would open nothing of the client's. Refused at once (0A000), no approval
    asked; a plain BEGIN/COMMIT stays the client's own, on the reader."""
    client.send(codec.query("BEGIN READ WRITE"))
    assert error_fields(await client.until(b"Z"))["C"] == "0A000"
    assert await asyncio.to_thread(wire.harness.gateway.list_approvals, state="pending") == []
    for statement in ("BEGIN", "COMMIT"):
        client.send(codec.query(statement))
        assert not error_fields(await client.until(b"Z"))
