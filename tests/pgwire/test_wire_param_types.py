"""A wire write's declared parameter types (round 18a, finding 2).

A Parse may declare its parameters' types (JDBC, Npgsql and asyncpg do): `$1 / 2`
with `$1` numeric and the text `5` is 2.5 in the client's session, integer division
with `$1` left open. The declared types are part of the action: shown to the
reviewer beside the values, bound into the approval's fingerprint, and sent to the
writer with the values. A Parse that declares none stays as it was.
"""

from __future__ import annotations

import asyncio
import struct
from typing import Any

import psycopg
import pytest

from phigate.connectors._pg_values import TypedValue, typed_params
from phigate.doors.pgwire import _codec as codec
from phigate.reviewing.essentials import must_read
from phigate.reviewing.view import review_json
from tests.adversarial.test_findings_round4 import client, run, wire
from tests.pgwire.conftest import Wire
from tests.pgwire.rawclient import RawClient, error_fields
from tests.support.approvals import approve_all

__all__ = ["client", "wire"]  # fixtures shared with round 4

NUMERIC, INT4 = 1700, 23
HALVE = "UPDATE claims SET amount = $1 / 2 WHERE id = {claim}"


def _parse(name: str, text: str, *oids: int) -> bytes:
    types = struct.pack("!h", len(oids)) + b"".join(struct.pack("!i", o) for o in oids)
    return codec.message(b"P", codec.cstr(name) + codec.cstr(text) + types)


def _amount(dsn: str, claim: int) -> str:
    with psycopg.connect(dsn) as direct:
        row = direct.execute("SELECT amount::text FROM claims WHERE id = %s", (claim,)).fetchone()
    assert row is not None
    return str(row[0])


async def _ask_approve_run(
    wire: Wire, client: RawClient, claim: int, *oids: int
) -> tuple[dict[str, Any], list[codec.Message]]:
    """Parse (declaring `oids`), bind `5`, execute: pending; approve; run again."""
    text = HALVE.format(claim=claim)
    client.send(_parse("h", text, *oids) + run("h", "5") + codec.SYNC)
    assert error_fields(await client.until(b"Z"))["C"] == "55000"
    [bound] = await approve_all(wire)
    client.send(run("h", "5") + codec.SYNC)
    return bound, await client.until(b"Z")


async def test_a_declared_numeric_runs_as_numeric_on_the_writer(
    wire: Wire, client: RawClient, ehr_dsn: str
) -> None:
    bound, answers = await _ask_approve_run(wire, client, 71, NUMERIC)
    assert bound["params"] == ["5"] and bound["param_types"] == [NUMERIC]
    assert not error_fields(answers), answers
    assert await asyncio.to_thread(_amount, ehr_dsn, 71) == "2.50"


async def test_a_parse_without_declared_types_stays_as_it_was(
    wire: Wire, client: RawClient, ehr_dsn: str
) -> None:
    """The control: with `$1` left open the server infers integer, as the client's own
    session would; the action holds no types."""
    bound, answers = await _ask_approve_run(wire, client, 72)
    assert "param_types" not in bound
    assert not error_fields(answers), answers
    assert await asyncio.to_thread(_amount, ehr_dsn, 72) == "2.00"


async def test_the_reviewer_sees_each_declared_type(wire: Wire, client: RawClient) -> None:
    client.send(_parse("h", HALVE.format(claim=73), NUMERIC) + run("h", "5") + codec.SYNC)
    assert error_fields(await client.until(b"Z"))["C"] == "55000"
    gateway = wire.harness.gateway
    [approval] = await asyncio.to_thread(gateway.list_approvals, state="pending")
    record = await asyncio.to_thread(gateway.action, approval.action_id)
    review = review_json(gateway, record, contents=True)
    assert review["param_types"] == '{"$1": "numeric"}'
    labels = [label for label, _ in must_read({"action": {"review": review}})]
    assert labels[:3] == ["Statement", "Bound values", "Parameter types"]


async def test_an_approval_for_one_declared_type_does_not_run_another(
    wire: Wire, client: RawClient, ehr_dsn: str
) -> None:
    """The types are in the fingerprint: approved with `$1` numeric, the same text and
    value parsed with `$1` int4 is a new request (55000), and nothing runs."""
    text = HALVE.format(claim=74)
    before = await asyncio.to_thread(_amount, ehr_dsn, 74)
    client.send(_parse("n", text, NUMERIC) + run("n", "5") + codec.SYNC)
    assert error_fields(await client.until(b"Z"))["C"] == "55000"
    await approve_all(wire)
    client.send(_parse("i", text, INT4) + run("i", "5") + codec.SYNC)
    assert error_fields(await client.until(b"Z"))["C"] == "55000"
    assert await asyncio.to_thread(_amount, ehr_dsn, 74) == before


def test_typed_params_writes_decoded_values_as_postgresql_reads_them() -> None:
    typed = typed_params(["5", 7, 0.1, True, None, "x"], [NUMERIC, 20, 701, 16, NUMERIC, 0])
    assert typed == [
        TypedValue("5", NUMERIC),
        TypedValue("7", 20),
        TypedValue("0.1", 701),
        TypedValue("true", 16),
        TypedValue(None, NUMERIC),
        "x",
    ]
    assert typed_params(["5"], None) == ["5"]


@pytest.mark.parametrize("types", ["1700", [True], [-1], [1.5]])
def test_types_that_are_not_type_oids_are_refused(types: object) -> None:
    with pytest.raises(ValueError, match="type OIDs"):
        typed_params(["5"], types)
