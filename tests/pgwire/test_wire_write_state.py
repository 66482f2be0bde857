"""An approved write on a read-only session runs only when the upstream is known to be
outside a transaction block, and phigate's own messages do not depend on names a
client can hold (round 4, findings 1-3). Raw protocol client, real PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from phigate.doors.pgwire import _codec as codec
from phigate.doors.pgwire import _writer
from phigate.doors.pgwire._relay import Expect, ExpectKind, Relay
from tests.adversarial.test_findings_round4 import (
    SET_STATUS,
    approve_all,
    ask_then_approve,
    run,
    set_status,
    status_of,
    tags,
)
from tests.pgwire.conftest import Wire, serving
from tests.pgwire.rawclient import RawClient, error_fields


@pytest.fixture
async def wire(tmp_path: Path, ehr_dsn: str) -> AsyncIterator[Wire]:
    async with serving(tmp_path, ehr_dsn, approval_wait_seconds=0.3) as served:
        yield served


@pytest.fixture
async def client(wire: Wire) -> AsyncIterator[RawClient]:
    raw = await RawClient.connect(wire.port)
    await raw.login("claims-bot", wire.harness.tokens["claims-bot"])
    try:
        yield raw
    finally:
        raw.close()


@pytest.mark.parametrize(
    ("before", "claim"), [("SELECT 1", 41), ("SET application_name = 'batch'", 42)]
)
async def test_a_write_after_a_statement_that_keeps_the_transaction_runs(
    wire: Wire, client: RawClient, ehr_dsn: str, before: str, claim: int
) -> None:
    """A SELECT or SET earlier in the batch (no Sync yet) cannot have opened a
    transaction block: the approved write runs in the same batch."""
    set_status(ehr_dsn, claim, "new")
    await ask_then_approve(wire, client, claim)
    client.send(
        codec.build_parse("k", before) + run("k") + run("w", "paid", str(claim)) + codec.SYNC
    )
    answers = await client.until(b"Z")
    assert "UPDATE 1" in tags(answers), (tags(answers), error_fields(answers))
    assert status_of(ehr_dsn, claim) == "paid"


async def test_a_statement_not_known_to_keep_the_transaction_refuses_the_write(
    wire: Wire, client: RawClient, ehr_dsn: str
) -> None:
    """A COMMIT outside a block changes nothing, but phigate does not read statements
    for what they might do: since the last Sync the state is unreported, so the write is
    refused (25001, audited) before its approval is spent, and runs after a Sync."""
    set_status(ehr_dsn, 43, "new")
    await ask_then_approve(wire, client, 43)
    client.send(codec.build_parse("c", "COMMIT") + run("c") + run("w", "paid", "43") + codec.SYNC)
    answers = await client.until(b"Z")
    assert error_fields(answers)["C"] == "25001", tags(answers)
    assert "Sync" in error_fields(answers)["M"]
    assert status_of(ehr_dsn, 43) == "new"
    refused = [
        r for r in wire.harness.gateway.audit_records() if r["event"] == "pgwire.write_refused"
    ]
    assert len(refused) == 1 and "Sync" in str(refused[0])
    client.send(run("w", "paid", "43") + codec.SYNC)
    assert "UPDATE 1" in tags(await client.until(b"Z"))
    assert status_of(ehr_dsn, 43) == "paid"


async def test_a_simple_query_write_after_an_unsynced_select_runs(
    wire: Wire, client: RawClient, ehr_dsn: str
) -> None:
    set_status(ehr_dsn, 44, "new")
    text = "UPDATE claims SET status = 'paid' WHERE id = 44"
    client.send(codec.query(text))
    assert error_fields(await client.until(b"Z"))["C"] == "55000"
    assert await approve_all(wire) == [{"sql": text, "params": []}]
    client.send(codec.build_parse("", "SELECT 1") + run("") + codec.query(text) + codec.SYNC)
    answers = await client.until(b"Z")
    assert "UPDATE 1" in tags(answers), error_fields(answers)
    await client.until(b"Z")
    assert status_of(ehr_dsn, 44) == "paid"


# The names phigate used for messages of its own, held by the client in every way it
# can hold one: a protocol statement or portal (sent in the write's batch, so the
# portal is alive when the write runs), or a SQL prepared statement.
HOLD_NAME = {
    "parse": lambda name: codec.build_parse(name, "SELECT 1"),
    "bind": lambda name: (
        codec.build_parse("", "SELECT 1") + codec.build_bind(codec.Bind(name, "", (), (), ()))
    ),
}


@pytest.mark.parametrize("how", ["parse", "bind", "prepare"])
@pytest.mark.parametrize("name", ["phigate.noop", "phigate.refused"])
async def test_names_a_client_holds_do_not_change_phigate_answers(
    wire: Wire, client: RawClient, ehr_dsn: str, how: str, name: str
) -> None:
    """Whatever the client names its statements and portals, an approved write that ran
    is answered `UPDATE 1`, and a refused Execute (pending, unknown portal) its error."""
    claim = {"parse": 45, "bind": 46, "prepare": 47}[how] + (10 if "noop" in name else 0)
    set_status(ehr_dsn, claim, "new")
    held = b""
    if how == "prepare":
        client.send(codec.query(f'PREPARE "{name}" AS SELECT 1'))
        assert error_fields(await client.until(b"Z")) == {}
    else:
        held = HOLD_NAME[how](name)
    client.send(held + codec.build_parse("w", SET_STATUS) + run("w", "paid", str(claim)))
    client.send(codec.SYNC)
    assert error_fields(await client.until(b"Z")).get("C") == "55000"
    client.send(codec.execute("nonesuch") + codec.SYNC)
    assert error_fields(await client.until(b"Z")).get("C") == "34000"
    await approve_all(wire)
    if how == "parse":
        held = codec.close("S", name)
        held += HOLD_NAME[how](name)
    client.send(held + run("w", "paid", str(claim)) + codec.SYNC)
    answers = await client.until(b"Z")
    assert "UPDATE 1" in tags(answers), (tags(answers), error_fields(answers))
    assert status_of(ehr_dsn, claim) == "paid"


def test_the_proxy_names_differ_on_every_use() -> None:
    """Drawn at random each time, so no client can hold one ahead of its use."""
    assert len({_writer.own_name() for _ in range(100)}) == 100


def ready(status: bytes) -> codec.Message:
    return codec.Message(b"Z", status)


def completed(tag: str) -> codec.Message:
    return codec.Message(b"C", codec.cstr(tag))


@pytest.mark.parametrize(("keeps", "idle"), [(True, True), (False, False)])
async def test_the_relay_knows_the_state_only_from_a_later_ready_for_query(
    wire: Wire, keeps: bool, idle: bool
) -> None:
    """Sans-IO: an Execute answered by its CommandComplete leaves the relay idle only
    when what it ran is known to keep the transaction state; a ReadyForQuery for a Sync
    sent after it settles it either way, and one sent before it does not."""
    profiles = wire.harness.gateway.masking
    relay = Relay(profiles.masker("hipaa-safe-harbor", groups=frozenset()))
    relay.expect(Expect(ExpectKind.SYNC))
    relay.expect(Expect(ExpectKind.EXECUTE, keeps_transaction=keeps))
    relay.handle(ready(b"I"))  # answers the Sync sent before the Execute
    relay.handle(completed("BEGIN"))
    assert relay.idle is idle and relay.state_unreported is not idle
    relay.expect(Expect(ExpectKind.SYNC))
    relay.handle(ready(b"T"))
    assert not relay.idle and not relay.state_unreported
    relay.expect(Expect(ExpectKind.SYNC))
    relay.handle(ready(b"I"))
    assert relay.idle


async def test_a_write_the_server_would_skip_is_neither_refused_nor_audited(
    wire: Wire, client: RawClient
) -> None:
    """After an error in the batch the server skips the Execute of a write the writer
    could not run anyway (RETURNING): phigate skips it too, before judging it, so the
    client hears only the first error and no refusal goes on record."""
    returning = "UPDATE claims SET status = $1 WHERE id = $2 RETURNING id"
    client.send(codec.build_parse("r", returning) + codec.SYNC)
    assert error_fields(await client.until(b"Z")) == {}
    failing = codec.build_parse("", "SELECT 1/0") + run("")
    client.send(failing + run("r", "paid", "48") + codec.SYNC)
    answers = await client.until(b"Z")
    assert [m.type for m in answers if m.type == b"E"] == [b"E"]
    assert error_fields(answers)["C"] == "22012"
    events = [r["event"] for r in wire.harness.gateway.audit_records()]
    assert "pgwire.write_refused" not in events
