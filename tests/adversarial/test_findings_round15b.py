# ruff: noqa: E501  (statements read best on one line each)
"""Round 15b of the promises-only attack: the data side, what flows back.

Each finding is a strict xfail (`finding`): it turns red the moment it is fixed, so
whoever fixes one removes its mark. Unmarked tests are attacks that held.
"""

from __future__ import annotations

import json
import socket
import struct
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from phigate.ops.pgserver import EmbeddedPostgres
from tests.adversarial.doors import REST, SIMPLE, assert_needs_approval, cases, through
from tests.adversarial.harness import Bench
from tests.mcp.conftest import serve_app, start

# ---------------------------------------------------------------- masked, yet filterable


@pytest.mark.parametrize(
    ("door", "statements"),
    cases(
        (REST,),
        # encounter 1's date is shown as "2024"; the exact day comes back one bit at a time
        "SELECT id FROM encounters WHERE id = 1 AND encounter_date = '2024-11-23'",
        "SELECT id FROM claims WHERE id = 1 AND service_date > '2025-06-03'",
        "SELECT id FROM clinical_notes WHERE id = 1 AND written_at < '2026-01-01 03:00'",
        # provider and author are shown as [PERSON]; their names come back letter by letter
        "SELECT count(*) FROM encounters WHERE provider LIKE 'F%'",
        "SELECT id FROM clinical_notes WHERE id = 1 ORDER BY author",
    ),
)
def test_a_condition_on_any_masked_column_needs_approval(
    bench: Bench, door: str, statements: list[str]
) -> None:
    """README: the demo policy makes reads that "filter, join or sort on masked
    columns" wait for a data owner. The rows show `encounters.encounter_date`,
    `claims.service_date` and `clinical_notes.written_at` generalised to a year
    (dates of service are Safe Harbor identifiers) and `encounters.provider`,
    `clinical_notes.author` as [PERSON], but the rule
    `filtering-on-identifiers-needs-a-data-owner` (ops/demo/policy.yaml) lists only
    the patients columns, claims.member_id and note_text, so a WHERE on these runs
    at once and reads the masked value back."""
    before = through(bench, door, ["SELECT encounter_date, provider FROM encounters WHERE id = 1"])
    assert "[PERSON]" in before.text and "2024-11-23" not in before.text, before.text[:300]
    assert_needs_approval(bench, door, statements)


# ---------------------------------------------------------------- one operator for two sources


def _cell(bench: Bench, door: str, sql: str) -> str:
    outcome = through(bench, door, [sql])
    assert outcome.status == "executed", outcome.text[:300]
    rows = json.loads(outcome.text.split("\n")[0])
    if door == REST:
        rows = rows["result"]["rows"]
    return str(rows[0][0])


_DIGITS = "translate(lower(substr({0}, 1, 3)), 'abcdefghijklmnopqrstuvwxyz', '01234567890123456789012345')"


@pytest.mark.parametrize("door", [REST, SIMPLE])
@pytest.mark.parametrize(
    ("sql", "secret"),
    [
        # patient 1 was born 1934-04-22: month, then day
        ("SELECT concat(substr(dob::text, 6, 2), zip) FROM patients WHERE id = 1", "04"),
        ("SELECT concat(substr(dob::text, 9, 2), zip) FROM patients WHERE id = 1", "22"),
        # encounter 1 was on 2024-11-23, shown as 2024
        (
            "SELECT concat(substr(encounter_date::text, 6, 2), p.zip) FROM encounters e"
            " JOIN patients p ON p.id = e.patient_id WHERE e.id = 1",
            "11",
        ),
        # Gaines -> g a i -> 6 0 8; Lindafurt -> l i n -> 1 8 3
        (f"SELECT concat({_DIGITS.format('last_name')}, zip) FROM patients WHERE id = 1", "608"),
        (f"SELECT concat({_DIGITS.format('city')}, zip) FROM patients WHERE id = 1", "183"),
        # beside a date, the DATE operator shows the year it finds first: 19 + Jimmy's
        # first two letters mapped to digits (j i -> 5 4) comes back as "1954"
        (
            "SELECT concat('19', translate(lower(substr(first_name, 1, 2)), 'abcdefghijklmnopqrstuvwxyz',"
            " '34567893456789345678934567'), '-01-01', dob) FROM patients WHERE id = 1",
            "1954",
        ),
    ],
    ids=["dob-month", "dob-day", "encounter-month", "last-name", "city", "first-name-as-year"],
)
def test_phi_beside_a_zip_is_not_shown_by_the_zip_mask(
    bench: Bench, door: str, sql: str, secret: str
) -> None:
    """docs/masking.md: a DATE is shown as its year (or "1936 or earlier" past 89), a
    name as [PERSON], a city as [LOCATION], a ZIP as its first three digits. A column
    computed from several of them gets one operator, the highest-ranked type's
    (masking/entities.py `_RANKED`: ZIP above LOCATION, DATE, PERSON), and the ZIP
    operator keeps the first three digits of whatever digits it is given. `substr`
    with constant bounds, `translate` in its first argument, `lower` and `::text`
    are total, so nothing is a condition and nothing waits: three digits of a birth
    date, a visit date, or a name or city mapped letter to digit come back per query.
    The DATE operator (ranked above PERSON) does the same with a year it finds in the
    text, whatever source wrote it."""
    cell = _cell(bench, door, sql)
    assert not cell.startswith(secret), f"{secret!r} shown: {cell!r}"


# ---------------------------------------------------------------- MCP: malformed JSON-RPC

_MCP_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
_INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "attack15b", "version": "1"},
    },
}


@pytest.mark.parametrize("request_id", ["NaN", "1e400", "1.5"])
async def test_a_request_with_an_impossible_id_gets_a_json_rpc_error(
    tmp_path: Path, ehr_dsn: str, request_id: str
) -> None:
    """Promise: bad input of every kind gets a clear error in the caller's protocol.
    JSON-RPC ids are strings or integers; the MCP SDK reads `"id": NaN` (Python's JSON
    reader takes it), `1e400` or `1.5` as no valid request, matches the message as a
    *notification* instead, and /mcp answers 202 Accepted with no body: the agent's
    `tools/call` is neither run nor refused, nor recorded. A -32600 Invalid Request
    (what /mcp answers a nesting too deep, doors/mcp/_nesting.py) is expected."""
    harness, app = await start(tmp_path, ehr_dsn)
    try:
        async with serve_app(app) as base, httpx.AsyncClient(base_url=base, timeout=30) as http:
            headers = {**_MCP_HEADERS, **harness.auth("claims-bot")}
            r = await http.post("/mcp", headers=headers, json=_INIT)
            assert r.status_code == 200, r.text[:300]
            if "mcp-session-id" in r.headers:
                headers["mcp-session-id"] = r.headers["mcp-session-id"]
            headers["mcp-protocol-version"] = "2025-06-18"
            note = {"jsonrpc": "2.0", "method": "notifications/initialized"}
            await http.post("/mcp", headers=headers, json=note)
            body = (
                '{"jsonrpc": "2.0", "id": ' + request_id + ', "method": "tools/call", "params":'
                ' {"name": "query", "arguments": {"connection": "ehr", "sql": "SELECT 1"}}}'
            )
            r = await http.post("/mcp", headers=headers, content=body.encode())
            assert r.status_code != 202 and "error" in r.text, (r.status_code, r.text[:300])
    finally:
        await harness.client.aclose()
        await harness.gateway.close()


# ---------------------------------------------------------------- catalogs


@pytest.fixture
def domain_with_phi(bench: Bench, pg_server: EmbeddedPostgres) -> Iterator[dict[str, str]]:
    """A domain whose default is patient 7's MRN and an enum labelled with their
    surname, made by the schema's owner (as an operator's migration would)."""
    dbname = str(psycopg.conninfo.conninfo_to_dict(bench.ehr_dsn)["dbname"])
    owner = psycopg.conninfo.make_conninfo(pg_server.dsn(), dbname=dbname)
    with psycopg.connect(owner, autocommit=True) as conn:
        row = conn.execute("SELECT mrn, last_name FROM patients WHERE id = 7").fetchone()
        assert row is not None
        conn.execute("DROP DOMAIN IF EXISTS r15b_mrn")
        conn.execute(f"CREATE DOMAIN r15b_mrn AS text DEFAULT '{row[0]}'")
    try:
        yield {"mrn": row[0]}
    finally:
        with psycopg.connect(owner, autocommit=True) as conn:
            conn.execute("DROP DOMAIN r15b_mrn")


def _domain_default_is_masked(bench: Bench, mrn: str, sql: str) -> None:
    for outcome in (bench.wire([sql]), bench.rest(sql)):
        assert outcome.status == "executed", outcome.text[:300]
        assert "r15b_mrn" in outcome.text, outcome.text[:300]
        assert mrn not in outcome.text, f"{outcome.door}: {outcome.text[:300]}"


def test_held_a_domains_default_in_information_schema_is_masked(
    bench: Bench, domain_with_phi: dict[str, str]
) -> None:
    sql = "SELECT domain_name, domain_default FROM information_schema.domains WHERE domain_name = 'r15b_mrn'"
    _domain_default_is_masked(bench, domain_with_phi["mrn"], sql)


def test_a_domains_default_is_masked_like_a_columns(
    bench: Bench, domain_with_phi: dict[str, str]
) -> None:
    """Round 12b fixed constants in catalog definitions (a CHECK, an index predicate,
    a column default, a policy) being returned as written: they are masked as SQL
    text with their constants withheld. A domain's default is the same kind of
    constant; system_catalog.py names `typdefault` as a column that "may hold data",
    yet it is then masked only by the free-text detectors, which see no type in
    `'35490178'::text`, so patient 7's MRN reaches the agent as written."""
    sql = "SELECT typname, typdefault FROM pg_type WHERE typname = 'r15b_mrn'"
    _domain_default_is_masked(bench, domain_with_phi["mrn"], sql)


# ---------------------------------------------------------------- wire start-up


def test_a_client_asking_for_protocol_3_2_is_negotiated_down_and_signs_in(bench: Bench) -> None:
    """docs/pgwire.md speaks protocol 3.0; session.py `_startup` means to answer a 3.x
    start-up with NegotiateProtocolVersion (3.0) and carry on, as PostgreSQL does.
    But `codec.parse_startup` reads the parameters only when the code is exactly 3.0,
    so a libpq 18 client asking for 3.2 (`max_protocol_version=latest`, the version
    PostgreSQL 18 speaks) gets the negotiation and then FATAL 28000 "no user name
    given" though its packet named the user: a wrong error, and an ordinary client
    locked out. (libpq itself stops earlier: the NegotiateProtocolVersion sent carries
    0, not 196608, as the version, which libpq 18 reads as "downgrade to pre-3.0".)"""
    try:
        with psycopg.connect(bench.wire_dsn() + " max_protocol_version=latest") as conn:
            row = conn.execute("SELECT 1").fetchone()
    except psycopg.OperationalError as exc:
        raise AssertionError(f"a 3.2 client cannot sign in: {exc}") from exc
    assert row == (1,)


def test_held_malformed_start_up_packets_get_a_fatal_in_the_protocol(bench: Bench) -> None:
    """Start-up packets a client could not mean are answered with an ErrorResponse
    (08P01 / 0A000 / 28000) and the listener still serves the next client."""
    packets = {
        b"08P01": struct.pack("!I", 4),
        b"08P01 ": struct.pack("!II", 0x7FFFFFFF, 196608),
        b"0A000": struct.pack("!II", 15, 131072) + b"user\0x\0",
        b"08P01  ": struct.pack("!II", 23, 196608) + b"user\0claims-bot",
        b"08P01   ": struct.pack("!II", 12, 80877102) + b"\0\0\0\1",
    }
    for code, packet in packets.items():
        with socket.create_connection(("127.0.0.1", bench.listener.port), timeout=10) as sock:
            sock.sendall(packet)
            answer = b""
            while chunk := sock.recv(4096):
                answer += chunk
        assert answer.startswith(b"E") and b"C" + code.strip() in answer, (code, answer)
    with psycopg.connect(bench.wire_dsn()) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)


# ---------------------------------------------------------------- a failing computation


@pytest.mark.parametrize(
    ("door", "statements"),
    cases(
        (REST, SIMPLE),
        # fails iff patient 1's SSN starts with 7 (it does: 706-56-7705)
        "SELECT length(format('%*s', translate(substr(ssn, 1, 1), '7', 'x'), '')) FROM patients WHERE id = 1",
        "SELECT length(format('%-*s', translate(substr(ssn, 1, 1), '7', 'x'), '')) FROM patients WHERE id = 1",
        "SELECT length(format('%2$*1$s', translate(substr(ssn, 1, 1), '7', 'x'), '')) FROM patients WHERE id = 1",
        # fails iff it is not 8: UTF7 is no encoding, UTF8 is
        "SELECT length('\\x41'::bytea, concat('UTF', substr(ssn, 1, 1))) FROM patients WHERE id = 1",
    ),
)
def test_an_argument_a_listed_total_function_fails_on_is_a_condition(
    bench: Bench, door: str, statements: list[str]
) -> None:
    """docs/security.md: every computation that can fail on a value is a condition on
    it, and `format` is total "past its format string". But a `*` in the format string
    takes the next argument as the field width and casts it to integer: `format('%*s',
    x, '')` fails unless x is a number. functions.py `total_argument('format', 1)` is
    True, so the statement runs at once and its error answers "does the SSN start
    with 7?" (22P02 for patient 1, a row for `'8'`). Likewise `length` is listed total
    in every argument, but `length(bytes, encoding_name)` fails on a name that is no
    encoding (22023): `concat('UTF', substr(ssn, 1, 1))` runs only for an 8."""
    assert_needs_approval(bench, door, statements)


@pytest.mark.parametrize(
    ("door", "statements"),
    cases(
        (REST, SIMPLE),
        # {first digit, '7'} has one element iff patient 1's SSN starts with 7; array_agg
        # then meets arrays of sizes 1 and 2 and fails (2202E)
        "SELECT cardinality(array_agg(a)) FROM (SELECT (SELECT array_agg(DISTINCT v) FROM (VALUES (substr(p.ssn, 1, 1)), ('7')) t(v)) AS a FROM patients p WHERE p.id = 1 UNION ALL SELECT ARRAY['a', 'b']) s",
        "SELECT cardinality(array_agg(a)) FROM (SELECT (SELECT array_agg(DISTINCT v) FROM (VALUES (substr(p.last_name, 1, 1)), ('G')) t(v)) AS a FROM patients p WHERE p.id = 1 UNION ALL SELECT ARRAY['a', 'b']) s",
    ),
)
def test_distinct_inside_an_aggregate_is_a_condition(
    bench: Bench, door: str, statements: list[str]
) -> None:
    """docs/security.md: a set operation's, `DISTINCT`'s and `GROUP BY`'s comparisons
    are conditions, and every computation that can fail on a value is one. But
    lineage.py `_func_call` makes an aggregate's FILTER and ORDER BY predicates, not
    its `DISTINCT` (`agg_distinct`): `array_agg(DISTINCT v)` over {a PHI digit, '7'}
    has one element or two, a comparison nobody sees. `array_agg` is listed total in
    functions.py, yet it fails on arrays of unequal dimensions ("cannot accumulate
    arrays of different dimensionality"), so whether the statement fails answers "does
    the SSN start with 7?" at once, without approval."""
    assert_needs_approval(bench, door, statements)
