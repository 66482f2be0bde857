"""Hostile clients: smuggling through the extended protocol, bad framing, TLS tricks, slowloris."""

from __future__ import annotations

import asyncio
import datetime as dt
import struct
from collections.abc import AsyncIterator
from pathlib import Path

import psycopg
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from phigate.doors.pgwire import _codec as codec
from tests.pgwire.conftest import Wire, start_wire
from tests.pgwire.rawclient import RawClient, error_fields


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture
async def tls_wire(tmp_path: Path, ehr_dsn: str) -> AsyncIterator[tuple[Wire, Path]]:
    cert, key = _self_signed(tmp_path)
    harness, listener = await start_wire(
        tmp_path,
        ehr_dsn,
        tls_cert=str(cert),
        tls_key=str(key),
        allow_cleartext_on_loopback=False,
        startup_timeout_seconds=1.0,
    )
    try:
        yield Wire(harness, listener), cert
    finally:
        await listener.close()
        await harness.gateway.close()


async def test_tls_verify_full_works_and_cleartext_is_refused(tls_wire: tuple[Wire, Path]) -> None:
    wire, cert = tls_wire
    dsn = wire.dsn("dana").replace("sslmode=disable", f"sslmode=verify-full sslrootcert={cert}")
    dsn = dsn.replace("host=127.0.0.1", "host=localhost")
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        cur = await conn.execute("SELECT ssn FROM patients WHERE id = 1")
        assert await cur.fetchall() == [("[SSN]",)]
    with pytest.raises(psycopg.OperationalError, match="only over TLS"):
        await psycopg.AsyncConnection.connect(wire.dsn("dana"))


async def test_bytes_before_tls_handshake_are_refused(tls_wire: tuple[Wire, Path]) -> None:
    wire, _ = tls_wire
    client = await RawClient.connect(wire.port)
    injected = codec.query("SELECT 1")
    client.send(codec.request_code(codec.SSL_REQUEST) + injected)  # CVE-2021-23214 shape
    data = await asyncio.wait_for(client.reader.read(1000), 5)
    assert not data.startswith(b"S")
    assert b"08P01" in data
    assert await client.closed()
    client.close()


async def test_gssenc_request_is_answered_no(tls_wire: tuple[Wire, Path]) -> None:
    wire, _ = tls_wire
    client = await RawClient.connect(wire.port)
    client.send(codec.request_code(codec.GSSENC_REQUEST))
    assert await asyncio.wait_for(client.reader.readexactly(1), 5) == b"N"
    client.close()


async def test_slowloris_startup_times_out(tls_wire: tuple[Wire, Path]) -> None:
    wire, _ = tls_wire
    client = await RawClient.connect(wire.port)
    client.send(b"\x00\x00")  # half a length, then nothing
    started = asyncio.get_running_loop().time()
    assert await client.closed(limit_s=5)
    assert asyncio.get_running_loop().time() - started < 4
    client.close()


@pytest.mark.parametrize(
    "frame",
    [
        b"Q" + struct.pack("!i", 1 << 30),  # impossible length: refused before allocating
        b"Q" + struct.pack("!i", 2),  # shorter than its own length field
        b"\x01" + struct.pack("!i", 4),  # unknown message type
        codec.message(b"p", b"again\x00"),  # a password after login
        codec.message(b"B", b"\x00\x00\x00\x01\x00\x05"),  # truncated Bind
    ],
)
async def test_malformed_messages_end_the_session_with_08P01(wire: Wire, frame: bytes) -> None:
    client = await RawClient.connect(wire.port)
    await client.login("dana", wire.harness.tokens["dana"])
    client.send(frame)
    got = await client.until(b"Z")
    assert error_fields(got).get("C") == "08P01"
    assert await client.closed()
    client.close()


async def test_truncated_message_then_disconnect_leaves_the_server_healthy(wire: Wire) -> None:
    client = await RawClient.connect(wire.port)
    await client.login("dana", wire.harness.tokens["dana"])
    client.send(b"Q" + struct.pack("!i", 100) + b"SELECT")
    await asyncio.sleep(0.1)
    client.writer.transport.abort()
    async with await psycopg.AsyncConnection.connect(wire.dsn("dana"), autocommit=True) as conn:
        assert (await (await conn.execute("SELECT count(*) FROM claims")).fetchone()) != (0,)


async def _extended(client: RawClient, *messages: bytes) -> list[codec.Message]:
    client.send(b"".join(messages) + codec.SYNC)
    return await client.until(b"Z")


def _parse(name: str, text: str) -> bytes:
    return codec.message(b"P", codec.cstr(name) + codec.cstr(text) + b"\x00\x00")


def _bind(portal: str, statement: str) -> bytes:
    return codec.build_bind(codec.Bind(portal, statement, (), (), ()))


def _execute(portal: str) -> bytes:
    return codec.message(b"E", codec.cstr(portal) + b"\x00\x00\x00\x00")


async def test_redefining_a_named_statement_cannot_smuggle_another_text(wire: Wire) -> None:
    client = await RawClient.connect(wire.port)
    await client.login("dana", wire.harness.tokens["dana"])
    got = await _extended(client, _parse("s1", "SELECT count(*) FROM claims"))
    assert [m.type for m in got] == [b"1", b"Z"]
    # The upstream would keep the first s1 and reject the second Parse; the proxy
    # refuses it itself, and s1 goes on meaning (and being recorded as) the first text.
    got = await _extended(client, _parse("s1", "SELECT ssn FROM patients"))
    assert error_fields(got).get("C") == "42P05"
    got = await _extended(client, _bind("", "s1"), _execute(""))
    assert [m.type for m in got] == [b"2", b"D", b"C", b"Z"]
    assert got[2].body == b"SELECT 1\x00"  # one row: the count, not the SSNs
    client.close()


async def test_statements_prepared_in_sql_cannot_be_bound(wire: Wire) -> None:
    client = await RawClient.connect(wire.port)
    await client.login("dana", wire.harness.tokens["dana"])
    client.send(codec.query("PREPARE p AS SELECT ssn FROM patients"))
    await client.until(b"Z")
    got = await _extended(client, _bind("", "p"), _execute(""))
    assert error_fields(got).get("C") == "26000"
    got = await _extended(client, _execute("never_bound"))
    assert error_fields(got).get("C") == "34000"
    client.send(codec.query("SELECT count(*) FROM claims"))
    assert b"D" in [m.type for m in await client.until(b"Z")]
    client.close()


async def test_denied_execute_skips_to_sync_and_aborts_the_batch(wire: Wire) -> None:
    client = await RawClient.connect(wire.port)
    await client.login("dana", wire.harness.tokens["dana"])
    got = await _extended(
        client,
        _parse("", "SELECT count(*) FROM claims"),
        _bind("", ""),
        _execute(""),
        _parse("x", "DROP TABLE claims"),
        _bind("", "x"),
        _execute(""),
    )
    kinds = [m.type for m in got]
    assert kinds[:3] == [b"1", b"2", b"D"] and kinds[-2:] == [b"E", b"Z"]
    assert "denied" in error_fields(got)["M"]
    client.close()


async def test_function_call_is_refused(wire: Wire) -> None:
    client = await RawClient.connect(wire.port)
    await client.login("dana", wire.harness.tokens["dana"])
    client.send(codec.message(b"F", struct.pack("!i", 1259) + b"\x00\x00\x00\x00\x00\x00"))
    got = await client.until(b"Z")
    assert error_fields(got).get("C") == "42501"
    client.close()


def _status_of_claim_9(dsn: str) -> str:
    with psycopg.connect(dsn) as conn:
        row = conn.execute("SELECT status FROM claims WHERE id = 9").fetchone()
    assert row is not None
    return str(row[0])


async def test_a_refused_prepare_does_not_change_what_a_name_runs(wire: Wire, ehr_dsn: str) -> None:
    """Issue 14, item 1: a protocol Parse of a write, then `PREPARE w AS SELECT 1` (the
    server refuses it: 42P05), then `EXECUTE w` ran the UPDATE audited as a read."""
    before = _status_of_claim_9(ehr_dsn)
    client = await RawClient.connect(wire.port)
    await client.login("claims-bot", wire.harness.tokens["claims-bot"])
    update = "UPDATE claims SET status = 'smuggled' WHERE id = 9"
    got = await _extended(client, _parse("w", update))
    assert [m.type for m in got] == [b"1", b"Z"]  # parsed (it runs only once admitted)
    client.send(codec.query("PREPARE w AS SELECT 1"))
    assert error_fields(await client.until(b"Z")).get("C") == "42501"  # refused here
    client.send(codec.query("EXECUTE w"))
    got = await client.until(b"Z", limit_s=30)
    # The write waits for a human, or (read-only session) is refused before one is asked.
    assert error_fields(got).get("C") in ("55000", "42501", "0A000")
    client.close()
    assert _status_of_claim_9(ehr_dsn) == before
    records = [r for r in wire.harness.gateway.recent_actions() if r.action.sql == "EXECUTE w"]
    refused = [
        r
        for r in wire.harness.gateway.audit_records()
        if r["event"] == "pgwire.write_refused" and r["detail"]["sql"] == "EXECUTE w"
    ]
    assert refused or (records and all(r.description.risk == "write" for r in records))


def _startup(code: int, params: dict[str, str]) -> bytes:
    body = struct.pack("!i", code) + b"".join(
        codec.cstr(k) + codec.cstr(v) for k, v in params.items()
    )
    body += b"\x00"
    return struct.pack("!i", len(body) + 4) + body


@pytest.mark.parametrize(
    ("minor", "options", "negotiated"),
    [
        (2, {}, True),  # libpq 18's max_protocol_version=latest
        (7, {"_pq_.compression": "on"}, True),
        (0, {"_pq_.compression": "on"}, True),  # 3.0 with an option we do not know
        (0, {}, False),
    ],
    ids=["3.2", "3.7 with an option", "3.0 with an option", "3.0"],
)
async def test_a_newer_3x_start_up_is_negotiated_to_3_0_and_signs_in(
    wire: Wire, minor: int, options: dict[str, str], negotiated: bool
) -> None:
    """PostgreSQL docs, "Message Formats": NegotiateProtocolVersion carries the newest
    version the server supports for the major version asked (written whole: 196608
    for 3.0) and the `_pq_.` options it does not recognise; the parameters of any 3.x
    start-up are read (round 15b: a 3.2 start-up was told no user was given)."""
    client = await RawClient.connect(wire.port)
    params = {"user": "dana", "database": "ehr", **options}
    client.send(_startup((3 << 16) | minor, params))
    got = await client.until(b"R")
    expected = [b"v", b"R"] if negotiated else [b"R"]
    assert [m.type for m in got] == expected, got
    if negotiated:
        body = got[0].body
        assert struct.unpack("!ii", body[:8]) == (196608, len(options))
        assert body[8:] == b"".join(codec.cstr(k) for k in options)
    client.send(codec.message(b"p", codec.cstr(wire.harness.tokens["dana"])))
    assert [m.type for m in await client.until(b"Z")][-1:] == [b"Z"]
    client.close()


async def test_libpq_asking_for_the_latest_protocol_signs_in(wire: Wire) -> None:
    dsn = wire.dsn("dana", max_protocol_version="latest")
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        assert conn.info.pgconn.protocol_version == 3
        assert (await (await conn.execute("SELECT 1")).fetchone()) == (1,)
