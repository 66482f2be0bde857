"""What a wire session remembers: a requested reveal, SQL-level PREPARE and cursors."""

from __future__ import annotations

import asyncio
import struct

import asyncpg
import psycopg
import pytest

from phigate.doors.pgwire import _codec as codec
from tests.pgwire.conftest import Wire
from tests.pgwire.rawclient import RawClient, error_fields
from tests.pgwire.test_hostile import _bind, _extended, _parse
from tests.pgwire.test_statements import _approve_when_asked, slow_wire  # noqa: F401

DOB = "SELECT id, dob FROM patients WHERE id = 7"


def stored_dob(dsn: str) -> object:
    with psycopg.connect(dsn) as conn:
        row = conn.execute("SELECT dob FROM patients WHERE id = 7").fetchone()
    assert row is not None
    return row[0]


async def test_reveal_setting_is_intercepted_and_needs_approval(
    slow_wire: Wire,  # noqa: F811
    ehr_dsn: str,
) -> None:
    dob = stored_dob(ehr_dsn)
    async with await psycopg.AsyncConnection.connect(
        slow_wire.dsn("claims-bot"), autocommit=True
    ) as conn:
        masked = await (await conn.execute(DOB)).fetchall()
        assert masked[0][1] != dob and str(dob) not in str(masked)
        cur = await conn.execute("SET phigate.reveal = 'date'")
        assert cur.statusmessage == "SET"
        voter = asyncio.create_task(_approve_when_asked(slow_wire), name="voter")
        revealed = await (await conn.execute(DOB)).fetchall()
        await voter
        assert str(revealed[0][1]) == str(dob)
        await conn.execute("RESET phigate.reveal")
        again = await (await conn.execute(DOB)).fetchall()
        assert str(dob) not in str(again)
    records = slow_wire.harness.gateway.audit_records()
    assert any(r["event"] == "pgwire.reveal_requested" and r["reveal"] == ["DATE"] for r in records)
    upstream_saw = [
        r["what"]["body"]["sql"]
        for r in records
        if r["event"] in ("action.requested", "action.admitted")
    ]
    assert not any("phigate.reveal" in sql for sql in upstream_saw)


async def test_agent_cannot_reveal_secrets_on_the_wire(wire: Wire) -> None:
    async with await psycopg.AsyncConnection.connect(
        wire.dsn("claims-bot"), autocommit=True
    ) as conn:
        await conn.execute("SET phigate.reveal = 'SECRET'")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="never shown secrets"):
            await conn.execute(DOB)
        await conn.execute("RESET phigate.reveal")
        assert len(await (await conn.execute(DOB)).fetchall()) == 1


async def test_sql_prepare_execute_and_cursors_get_the_class_of_what_they_run(wire: Wire) -> None:
    async with await psycopg.AsyncConnection.connect(wire.dsn("dana"), autocommit=True) as conn:
        await conn.execute("PREPARE p AS SELECT id, ssn FROM patients WHERE id < 4")
        rows = await (await conn.execute("EXECUTE p")).fetchall()
        assert [r[0] for r in rows] == [1, 2, 3] and all("-" not in str(r[1]) for r in rows)
        with pytest.raises(psycopg.errors.FeatureNotSupported, match="PREPARE"):
            # preparing a write is judged as the write itself; on a read-only session it
            # could only be prepared on the writer, for nobody: refused before approval
            await conn.execute("PREPARE w AS UPDATE claims SET status = 'paid' WHERE id = 9")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="unknown"):
            # it never ran, so the upstream holds no `w`: an unknown name, denied
            await conn.execute("EXECUTE w")
        async with conn.transaction():
            await conn.execute("DECLARE c CURSOR FOR SELECT id, last_name FROM patients")
            fetched = await (await conn.execute("FETCH 2 FROM c")).fetchall()
        assert [r[0] for r in fetched] == [1, 2]
        assert all(r[1] == "[PERSON]" for r in fetched)


async def test_sql_can_move_and_fetch_in_an_admitted_protocol_portal(wire: Wire) -> None:
    """asyncpg's Cursor.forward sends `MOVE FORWARD n <portal>` on a wire-protocol
    portal: it runs as the class of the portal's statement, and FETCH from it is masked."""
    conn = await asyncpg.connect(wire.url("claims-bot"), ssl=False)
    try:
        async with conn.transaction():
            cursor = await conn.cursor("SELECT id, ssn, last_name FROM patients ORDER BY id")
            first = await cursor.fetch(2)
            assert await cursor.forward(3) == 3
            later = await cursor.fetch(2)
        assert [r["id"] for r in first + later] == [1, 2, 6, 7]
        assert {(r["ssn"], r["last_name"]) for r in first + later} == {("[SSN]", "[PERSON]")}
    finally:
        await conn.close()


async def test_a_portal_never_executed_cannot_be_fetched_from_sql(wire: Wire) -> None:
    """Bound but not executed, a portal's parameters were never admitted or recorded:
    SQL cannot run it by name. Once executed (admitted), SQL may go on fetching."""
    client = await RawClient.connect(wire.port)
    await client.login("dana", wire.harness.tokens["dana"])
    client.send(codec.query("BEGIN"))
    await client.until(b"Z")
    got = await _extended(
        client, _parse("s", "SELECT id, ssn FROM patients ORDER BY id"), _bind("p", "s")
    )
    assert [m.type for m in got] == [b"1", b"2", b"Z"]
    client.send(codec.query("FETCH 2 FROM p"))
    got = await client.until(b"Z")
    assert error_fields(got).get("C") == "42501", got
    client.send(codec.query("ROLLBACK; BEGIN"))
    await client.until(b"Z")
    client.send(
        _parse("t", "SELECT id, ssn FROM patients ORDER BY id")
        + _bind("q", "t")
        + codec.message(b"E", codec.cstr("q") + struct.pack("!i", 1))
        + codec.SYNC
    )
    got = await client.until(b"Z")
    assert [m.type for m in got] == [b"1", b"2", b"D", b"s", b"Z"], got
    client.send(codec.query("FETCH 2 FROM q"))
    got = await client.until(b"Z")
    rows = [codec.parse_data_row(m.body) for m in got if m.type == b"D"]
    assert [r[0] for r in rows] == [b"2", b"3"] and all(r[1] == b"[SSN]" for r in rows), got
    client.close()


async def test_a_portal_lives_through_a_savepoint_and_ends_with_its_transaction(
    wire: Wire,
) -> None:
    """A protocol portal is a cursor to the server: SAVEPOINT and RELEASE keep it, and
    the proxy goes on running it; COMMIT ends it (here within one Query, never idle in
    between), and an Execute of its name fails (round 21b shows the proxy forgets it
    too, rather than masking what a cursor declared under the name runs)."""
    client = await RawClient.connect(wire.port)
    await client.login("claims-bot", wire.harness.tokens["claims-bot"])
    try:
        client.send(codec.query("BEGIN"))
        await client.until(b"Z")
        one_row = codec.message(b"E", codec.cstr("p") + struct.pack("!i", 1))
        client.send(
            _parse("s", "SELECT status FROM claims ORDER BY id")
            + _bind("p", "s")
            + one_row
            + codec.SYNC
        )
        assert [m.type for m in await client.until(b"Z")] == [b"1", b"2", b"D", b"s", b"Z"]
        client.send(codec.query("SAVEPOINT a; RELEASE a"))
        assert error_fields(await client.until(b"Z")) == {}
        client.send(one_row + codec.SYNC)
        assert [m.type for m in await client.until(b"Z")] == [b"D", b"s", b"Z"]
        client.send(codec.query("COMMIT; BEGIN"))
        assert error_fields(await client.until(b"Z")) == {}
        client.send(one_row + codec.SYNC)
        got = await client.until(b"Z")
    finally:
        client.close()
    assert error_fields(got).get("C") == "34000", got


async def test_a_prepared_fetch_whose_cursor_changed_since_its_bind_is_refused(
    wire: Wire,
) -> None:
    """A prepared `FETCH 2 FROM c` is understood at its Bind as what `c` means then (its
    result formats are chosen by it). `c` closed and declared again over other columns
    before the portal's Execute: the Execute is refused (55000), not run as either."""
    client = await RawClient.connect(wire.port)
    await client.login("claims-bot", wire.harness.tokens["claims-bot"])
    try:
        client.send(
            codec.query("BEGIN; DECLARE c CURSOR FOR SELECT status FROM claims ORDER BY id")
        )
        assert error_fields(await client.until(b"Z")) == {}
        client.send(_parse("f", "FETCH 2 FROM c") + _bind("p", "f") + codec.SYNC)
        assert error_fields(await client.until(b"Z")) == {}
        client.send(
            codec.query("CLOSE c; DECLARE c CURSOR FOR SELECT last_name AS status FROM patients")
        )
        assert error_fields(await client.until(b"Z")) == {}
        client.send(codec.message(b"E", codec.cstr("p") + struct.pack("!i", 0)) + codec.SYNC)
        got = await client.until(b"Z")
    finally:
        client.close()
    assert error_fields(got).get("C") == "55000", got
    assert not [m for m in got if m.type == b"D"], got


async def test_a_long_name_the_proxy_cannot_cut_as_the_server_is_refused(wire: Wire) -> None:
    """A statement name longer than the 63 bytes PostgreSQL keeps, and not ASCII (where
    the server cuts it depends on its encoding), is refused; an ASCII one is cut."""
    client = await RawClient.connect(wire.port)
    await client.login("claims-bot", wire.harness.tokens["claims-bot"])
    try:
        client.send(_parse("é" * 40, "SELECT 1") + codec.SYNC)
        refused = await client.until(b"Z")
        client.send(_parse("a" * 63 + "X", "SELECT 1") + codec.SYNC)
        assert error_fields(await client.until(b"Z")) == {}
        client.send(_parse("a" * 63 + "Y", "SELECT 2") + codec.SYNC)
        taken = await client.until(b"Z")
    finally:
        client.close()
    assert error_fields(refused).get("C") == "42602", refused
    assert error_fields(taken).get("C") == "42P05", taken


async def test_an_execute_sent_behind_a_close_and_declare_waits_for_their_answers(
    wire: Wire, ehr_dsn: str
) -> None:
    """`CLOSE c; DECLARE c …` and an Execute of `c` sent back to back, in one write: the
    proxy learns that the portal ended only from the Query's answers, so the Execute
    waits for them, and then runs the cursor declared under the name, masked as it."""
    with psycopg.connect(ehr_dsn) as direct:
        rows = direct.execute("SELECT last_name FROM patients ORDER BY id LIMIT 3").fetchall()
    surnames = {str(r[0]).encode() for r in rows}
    client = await RawClient.connect(wire.port)
    await client.login("claims-bot", wire.harness.tokens["claims-bot"])
    try:
        client.send(codec.query("BEGIN"))
        await client.until(b"Z")
        client.send(
            _parse("s", "SELECT status FROM claims ORDER BY id")
            + _bind("c", "s")
            + codec.message(b"E", codec.cstr("c") + struct.pack("!i", 1))
            + codec.SYNC
        )
        assert error_fields(await client.until(b"Z")) == {}
        client.send(
            codec.query(
                "CLOSE c; DECLARE c CURSOR FOR SELECT last_name AS status FROM patients ORDER BY id"
            )
            + codec.message(b"E", codec.cstr("c") + struct.pack("!i", 3))
            + codec.SYNC
        )
        await client.until(b"Z")
        got = await client.until(b"Z")
    finally:
        client.close()
    shown = [codec.parse_data_row(m.body)[0] for m in got if m.type == b"D"]
    assert len(shown) == 3 and not set(shown) & surnames, (shown, got)


async def test_reported_settings_of_free_text_are_withheld(wire: Wire) -> None:
    """ParameterStatus: settings whose value is the server's own word reach the client
    as reported; one that holds any text the session set (application_name) does not,
    at login or later, while the session still runs with it."""
    async with await psycopg.AsyncConnection.connect(
        wire.dsn("claims-bot", application_name="JaneDoe"), autocommit=True
    ) as conn:
        info = conn.info
        assert info.parameter_status("application_name") == "[WITHHELD]"
        assert info.parameter_status("server_encoding") == "UTF8"
        assert info.parameter_status("TimeZone")
        await conn.execute("SET application_name = 'Doe 123-45-6789'")
        assert info.parameter_status("application_name") == "[WITHHELD]"
        await conn.execute("SET TimeZone = 'UTC'")
        assert info.parameter_status("TimeZone") == "UTC"
