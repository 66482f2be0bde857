"""Round 17b: a promises-only attack on what round 16 changed on the data side: SQL
conditions (total arguments, aggregate and window clauses), computed columns, the
wire's session settings, the credential scrubber's joins, and checked columns.

Open findings are strict xfails (`finding`): the mark comes off when the finding is
fixed. Attacks that held stay as ordinary tests.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import html
import json
import quopri
import re
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import psycopg
import pytest

from phigate.doors.pgwire import _codec as codec
from tests.adversarial.harness import Bench, finding, http_upstream
from tests.adversarial.test_findings_round4 import bind, client, wire
from tests.connectors.support import harness_with, http_api
from tests.pgwire.conftest import Wire
from tests.pgwire.rawclient import RawClient, error_fields
from tests.support.approvals import approve_all

__all__ = ["client", "wire"]  # fixtures shared with round 4

# ── the credential scrubber: wrapped base64 ────────────────────────────────────
CREDENTIAL = 'gw/S3cr3t&Token"7f3a<9c2e1b'
_BASE64 = base64.b64encode(b"#" * 40 + CREDENTIAL.encode()).decode()
_HEX = binascii.hexlify(b"#" * 20 + CREDENTIAL.encode()).decode()


def _lines(text: str, width: int, end: str = "\n", prefix: str = "") -> str:
    """`text` cut in lines of `width` characters, each after `prefix` and before `end`."""
    return "".join(prefix + text[i : i + width] + end for i in range(0, len(text), width))


# path -> (content type, body): an echo upstream's answers holding the credential
# (after 40 bytes of something else) base64-encoded and wrapped.
WRAPPED: dict[str, tuple[str, str]] = {
    # a mail archive or a ticket quoting a message: each line of the base64 part
    # after `> `
    "/quoted-reply": ("text/plain", _lines(_BASE64, 72, prefix="> ")),
    # an HTML page showing a log, line ends written `<br>`
    "/html-breaks": ("text/html", "<pre>" + _lines(_BASE64, 76, end="<br>\n") + "</pre>"),
    # the wrapped lines joined by a space (a log shipper folding a multi-line value)
    "/folded": ("text/plain", _lines(_BASE64, 76, end=" ")),
    # held: the same wrapped as `base64`, PEM and a YAML block write it
    "/held/mime": ("text/plain", _lines(_BASE64, 76)),
    "/held/pem": ("text/plain", _lines(_BASE64, 64, end="\r\n")),
    "/held/yaml": ("text/plain", "data: |\n" + _lines(_BASE64, 64, prefix="    ")),
    "/held/xxd": ("text/plain", _lines(_HEX, 60)),
    "/held/quoted-printable": (
        "text/plain",
        quopri.encodestring(("x" * 60 + CREDENTIAL).encode()).decode().replace("\n", "\r\n"),
    ),
}


class _Wrapped(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        kind, text = WRAPPED[self.path]
        body = text.encode()
        self.send_response(200)
        self.send_header("content-type", kind)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def wrapped() -> Iterator[str]:
    with http_upstream(_Wrapped, "round17b-wrapped") as address:
        yield address


async def _shown(tmp_path: Path, address: str, path: str) -> str:
    """The body the agent gets back for a GET of `path` through an HTTP connection
    whose bearer credential is CREDENTIAL."""
    async with http_api(tmp_path, address, CREDENTIAL) as api:
        answer = await api.client.post(
            "/v1/actions",
            headers={"Authorization": f"Bearer {api.tokens['claims-bot']}"},
            json={"connection": "api", "request": {"method": "GET", "path": path}},
        )
        assert answer.status_code == 200, answer.text
        body = answer.json()["result"]["body"]
        assert isinstance(body, str), body
        return body


def _decoded(shown: str) -> str:
    """What the agent reads back: the page's tags removed, then base64 decoded as
    Python's `b64decode` does by default, every character outside the alphabet
    skipped."""
    alphabet = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
    kept = "".join(c for c in re.sub(r"<[^>]*>", "", shown) if c in alphabet)
    return base64.b64decode(kept + "=" * (-len(kept) % 4)).decode("latin-1")


@finding(1, "wrapped base64 with a line prefix or another line end is not joined")
@pytest.mark.parametrize("path", ["/quoted-reply", "/html-breaks", "/folded"])
async def test_a_credential_in_base64_wrapped_any_way_is_redacted(
    tmp_path: Path, wrapped: str, path: str
) -> None:
    """docs/http.md: base64 "wrapped in lines" is joined before the scrubber looks.
    It joins lines that end in a line break and begin with nothing but spaces (the
    `base64`, PEM and YAML-block forms below hold). The same lines quoted in a reply
    (`> ` before each), written into an HTML page (`<br>` at each end) or folded onto
    one line (a space at each end) are not joined, and when a wrap falls inside the
    credential the agent gets it back whole: `b64decode` skips what is not base64."""
    shown = await _shown(tmp_path, wrapped, path)
    assert CREDENTIAL not in _decoded(shown), shown


@pytest.mark.parametrize("path", [p for p in WRAPPED if p.startswith("/held/")])
async def test_held_a_credential_wrapped_as_tools_write_it_is_redacted(
    tmp_path: Path, wrapped: str, path: str
) -> None:
    shown = await _shown(tmp_path, wrapped, path)
    assert "REDACTED" in shown, shown


# ── checked columns (codes pass only if short) ─────────────────────────────────
# Identifiers written as people type them into a status line: an SSN with spaces
# around its joiners (even after its label), a date with the month spelled between
# its digits. Each holds 6 digits or fewer per token, or whitespace.
RESHAPED = {
    "ssn-spaced-dashes": "SSN 706 - 56 - 7705",
    "ssn-spaced-slashes": "706 / 56 / 7705",
    "date-month-first-glued": "Mar14-1980",
    "date-iso-month-spelled": "1980-Mar-14",
}
# The neighbours of those forms that are masked (hold).
RESHAPED_HELD = ["ssn: 706 56 77 05", "14-Mar-1980", "3/14/80", "706\u221256\u22127705"]


@pytest.fixture
def claim_status(bench: Bench) -> Iterator[psycopg.Connection[Any]]:
    """A connection to the upstream the gateway fronts; claim 7's status is put back."""
    with psycopg.connect(bench.ehr_dsn, autocommit=True) as conn:
        row = conn.execute("SELECT status FROM claims WHERE id = 7").fetchone()
        assert row is not None
        try:
            yield conn
        finally:
            conn.execute("UPDATE claims SET status = %s WHERE id = 7", (row[0],))


def _status_through(bench: Bench, conn: psycopg.Connection[Any], value: str) -> tuple[str, str]:
    conn.execute("UPDATE claims SET status = %s WHERE id = 7", (value,))
    rest = bench.rest("SELECT id, status FROM claims WHERE id = 7")
    wire = bench.wire(["SELECT id, status FROM claims WHERE id = 7"], simple=False)
    assert rest.status == "executed" and wire.status == "executed", (rest.text, wire.text)
    return rest.text, wire.text


@finding(2, "an SSN with spaced joiners, or a date with its month spelled inside, passes")
@pytest.mark.parametrize("value", list(RESHAPED.values()), ids=list(RESHAPED))
def test_a_reshaped_identifier_in_a_status_column_is_masked(
    bench: Bench, claim_status: psycopg.Connection[Any], value: str
) -> None:
    """docs/masking.md: a checked column's value with whitespace is free text and
    scanned like a note, then masked as `ID` if a number of 7 or more digits is left;
    a single token passes when it holds 6 digits or fewer and the detectors read no
    identifier in it. `SSN 706 - 56 - 7705` (the label and the digits, with spaces
    around each dash) is read as no SSN and its digit groups are not "joined by
    single separators"; `Mar14-1980` and `1980-Mar-14` are dates the detectors do not
    read, with 6 digits. All three (and the slashed SSN) reach the agent as stored on
    both doors, while `ssn: 706 56 77 05` and `14-Mar-1980` are masked."""
    rest, wire = _status_through(bench, claim_status, value)
    assert value not in rest and value not in wire, (rest, wire)


@pytest.mark.parametrize("value", RESHAPED_HELD)
def test_held_reshaped_identifiers_the_detectors_know_are_masked(
    bench: Bench, claim_status: psycopg.Connection[Any], value: str
) -> None:
    rest, wire = _status_through(bench, claim_status, value)
    assert value not in rest and value not in wire, (rest, wire)


# ── SQL conditions: a comparison that fails on equal values ────────────────────
def _equal_fails(expression: str, guess: str) -> str:
    """A read that compares `expression` of patient 1 with `guess` inside `min` over
    arrays of records whose second field is `json`. PostgreSQL compares records field
    by field and looks up a field's comparison only when it reaches it: `json` has
    none, so the statement fails exactly when the first fields are equal."""
    return (
        f"SELECT min(a) FROM (SELECT ARRAY[ROW({expression}, NULL::json)] AS a"
        " FROM patients WHERE id = 1"
        f" UNION ALL SELECT ARRAY[ROW('{guess}'::text, NULL::json)]) s"
    )


def _patient_one_ssn(bench: Bench) -> str:
    with psycopg.connect(bench.copy_dsn) as direct:
        row = direct.execute("SELECT ssn FROM patients WHERE id = 1").fetchone()
    assert row is not None
    return str(row[0])


@finding(3, "min/max over records compare field by field and fail on a field without order")
@pytest.mark.parametrize("expression", ["ssn", "substr(ssn, 1, 1)"])
def test_a_min_that_fails_on_equal_values_is_a_condition(bench: Bench, expression: str) -> None:
    """docs/security.md: an argument of a function is a condition unless NO value can
    make the call fail there; `min`/`max` are listed as total ("every value of any
    type has an order"). A record's order is its fields' in turn, and PostgreSQL
    looks up a field's comparison only when the fields before it are equal: a record
    `(ssn, NULL::json)` compared with `('706-56-7705', NULL::json)` fails ("could not
    identify a comparison function for type json") exactly when the SSN is
    `706-56-7705`, and answers `[SSN]` otherwise. The read runs at once; with
    `substr(ssn, 1, 1)` (total in its first argument) ten reads give each character,
    so the whole SSN takes ninety, none approved."""
    ssn = _patient_one_ssn(bench)
    guess = ssn if expression == "ssn" else ssn[0]
    right = bench.rest(_equal_fails(expression, guess))
    wrong = bench.rest(_equal_fails(expression, "#"))
    assert right.status in ("approval", "denied"), right.detail
    assert wrong.status in ("approval", "denied"), wrong.detail


def test_held_a_record_compared_as_a_whole_in_a_where_waits(bench: Bench) -> None:
    sql = "SELECT count(*) FROM patients WHERE ROW(ssn, 1) = ROW('706-56-7705', 1)"
    assert bench.rest(sql).status in ("approval", "denied")


# ── the wire door: the settings a write is read under ──────────────────────────
DATE_WRITE = "UPDATE encounters SET encounter_date = '03/04/2024' WHERE id = 7"


def _encounter_date(dsn: str) -> str:
    with psycopg.connect(dsn) as direct:
        row = direct.execute("SELECT encounter_date::text FROM encounters WHERE id = 7").fetchone()
    assert row is not None
    return str(row[0])


def _set_encounter_date(dsn: str, value: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as direct:
        direct.execute("UPDATE encounters SET encounter_date = %s WHERE id = 7", (value,))


async def _query(client: RawClient, sql: str) -> dict[str, str]:
    client.send(codec.query(sql))
    return error_fields(await client.until(b"Z"))


async def _approved_run(wire: Wire, client: RawClient, ehr_dsn: str, message: bytes) -> str:
    """Send `message` (a write), approve it, send it again; the date stored, or
    "refused" when the gateway refuses the write."""
    client.send(message)
    first = error_fields(await client.until(b"Z"))
    if first.get("C") in ("0A000", "42501"):
        return "refused"
    assert first.get("C") == "55000", first
    await approve_all(wire)
    client.send(message)
    ran = error_fields(await client.until(b"Z"))
    assert not ran, ran
    return await asyncio.to_thread(_encounter_date, ehr_dsn)


async def test_held_a_write_prepared_under_a_local_setting_means_what_it_meant(
    wire: Wire, client: RawClient, ehr_dsn: str
) -> None:
    """A write parsed (named `Parse`) inside a transaction under `SET LOCAL DateStyle
    = 'ISO, DMY'` keeps the day-first reading after COMMIT puts the setting back: it
    is refused or it stores 3 April."""
    before = await asyncio.to_thread(_encounter_date, ehr_dsn)
    try:
        assert not await _query(client, "BEGIN")
        assert not await _query(client, "SET LOCAL DateStyle = 'ISO, DMY'")
        client.send(codec.build_parse("w17b", DATE_WRITE) + codec.SYNC)
        assert not error_fields(await client.until(b"Z"))
        assert not await _query(client, "COMMIT")
        execute = bind("", "w17b") + codec.execute("") + codec.SYNC
        stored = await _approved_run(wire, client, ehr_dsn, execute)
    finally:
        await asyncio.to_thread(_set_encounter_date, ehr_dsn, before)
    assert stored in ("refused", "2024-04-03"), stored


ROLLED_BACK = {
    "rollback": ["BEGIN", "SET DateStyle = 'ISO, DMY'", "ROLLBACK"],
    "rollback-to-savepoint": [
        "BEGIN",
        "SAVEPOINT s",
        "SET DateStyle = 'ISO, DMY'",
        "ROLLBACK TO SAVEPOINT s",
        "COMMIT",
    ],
    "failed-transaction": ["BEGIN", "SET DateStyle = 'ISO, DMY'", "SELECT 1/0", "COMMIT"],
}


@pytest.mark.parametrize("steps", list(ROLLED_BACK.values()), ids=list(ROLLED_BACK))
async def test_held_a_rolled_back_set_does_not_change_what_a_write_means(
    wire: Wire, client: RawClient, ehr_dsn: str, steps: list[str]
) -> None:
    before = await asyncio.to_thread(_encounter_date, ehr_dsn)
    try:
        for sql in steps:
            await _query(client, sql)
        stored = await _approved_run(wire, client, ehr_dsn, codec.query(DATE_WRITE))
    finally:
        await asyncio.to_thread(_set_encounter_date, ehr_dsn, before)
    assert stored in ("refused", "2024-03-04"), stored


# Conditions that held: a window inherited through another, a FILTER on a window
# aggregate, substring's pattern forms spelled with string constants, format's `%I`
# on an argument another specifier prints, a set operation that compares.
HELD_CONDITIONS = [
    "SELECT id, count(*) OVER w2 FROM patients WHERE id < 4"
    " WINDOW w1 AS (ORDER BY ssn), w2 AS (w1 ROWS UNBOUNDED PRECEDING)",
    "SELECT id, count(*) OVER (w1 ROWS UNBOUNDED PRECEDING) FROM patients WHERE id < 4"
    " WINDOW w1 AS (PARTITION BY ssn)",
    "SELECT id, count(*) FILTER (WHERE ssn > '5') OVER () FROM patients WHERE id < 4",
    "SELECT id, substring(ssn, '7') FROM patients WHERE id = 1",
    "SELECT id, substring(ssn, '1', '#') FROM patients WHERE id = 1",
    "SELECT id, format('%1$s%1$I', ssn) FROM patients WHERE id = 1",
    "SELECT id, format('%%s %I', ssn) FROM patients WHERE id = 1",
    "SELECT count(*) FROM (SELECT ssn FROM patients INTERSECT SELECT '706-56-7705') s",
    "SELECT count(*) FROM patients NATURAL JOIN (SELECT '706-56-7705'::text AS ssn) x",
    "SELECT count(*) FROM (SELECT ssn AS claim_code FROM patients) x WHERE claim_code = 'x'",
]


@pytest.mark.parametrize("sql", HELD_CONDITIONS)
def test_held_conditions_on_phi_wait_for_approval(bench: Bench, sql: str) -> None:
    assert bench.rest(sql).status in ("approval", "denied"), sql


# Computed columns that held: a ZIP reversed, through a subquery, a CTE, a set
# operation with the ZIP itself, a LATERAL VALUES, an array element: redacted whole.
HELD_COMPUTED = [
    "SELECT zip FROM patients WHERE id = 1"
    " UNION ALL SELECT reverse(zip) FROM patients WHERE id = 1",
    "WITH r AS MATERIALIZED (SELECT reverse(zip) AS z FROM patients WHERE id = 1) SELECT z FROM r",
    "SELECT max(z) FROM (SELECT reverse(zip) z FROM patients WHERE id = 1) s",
    "SELECT z FROM patients p CROSS JOIN LATERAL (VALUES (reverse(p.zip))) v(z) WHERE p.id = 1",
    "SELECT (ARRAY[reverse(zip)])[1] FROM patients WHERE id = 1",
    "SELECT COALESCE(reverse(zip), zip) FROM patients WHERE id = 1",
]


@pytest.mark.parametrize("sql", HELD_COMPUTED)
def test_held_a_reversed_zip_is_redacted_whole(bench: Bench, sql: str) -> None:
    out = bench.rest(sql)
    assert out.status == "executed", out.detail
    assert "[ZIP]" in out.text and "**" not in out.text, out.detail


# ── the credential scrubber: binary bodies in UTF-16 ───────────────────────────
# A log file as Windows PowerShell 5.1 writes it (`>` and `Out-File` default to
# UTF-16LE), served as a download: a JSON line, an HTML fragment, or the credential
# as written (held).
UTF16: dict[str, bytes] = {
    "/utf16/json": json.dumps({"authorization": f"Bearer {CREDENTIAL}"}).encode("utf-16-le"),
    "/utf16/html": f"<p>{html.escape(CREDENTIAL)}</p>".encode("utf-16-le"),
    "/utf16/json-big-endian": json.dumps({"auth": CREDENTIAL}).encode("utf-16-be"),
    "/held/utf16/plain": f"auth=Bearer {CREDENTIAL}\n".encode("utf-16-le"),
}


class _Utf16(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        body = UTF16[self.path]
        self.send_response(200)
        self.send_header("content-type", "application/octet-stream")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def utf16_files() -> Iterator[str]:
    with http_upstream(_Utf16, "round17b-utf16") as address:
        yield address


async def _binary_shown(tmp_path: Path, address: str, path: str) -> str:
    """The body the agent gets for `path` through a connection with `allow_binary`,
    base64-decoded and read as UTF-16 (little-endian, or big-endian if the path says
    so), JSON's `\\"` and HTML's references undone."""
    auth = {"scheme": "bearer", "value": CREDENTIAL}
    connection = {"type": "http", "base_url": f"http://{address}", "auth": auth}
    harness = await harness_with(tmp_path, {"api": {**connection, "allow_binary": True}})
    try:
        answer = await harness.client.post(
            "/v1/actions",
            headers={"Authorization": f"Bearer {harness.tokens['claims-bot']}"},
            json={"connection": "api", "request": {"method": "GET", "path": path}},
        )
        assert answer.status_code == 200, answer.text
        raw = base64.b64decode(answer.json()["result"]["body"])
    finally:
        await harness.client.aclose()
        await harness.gateway.close()
    text = raw.decode("utf-16-be" if path.endswith("big-endian") else "utf-16-le", "replace")
    return html.unescape(text.replace('\\"', '"'))


@finding(4, "a UTF-16 binary body is scrubbed for the credential as written, not escaped")
@pytest.mark.parametrize("path", [p for p in UTF16 if not p.startswith("/held/")])
async def test_a_credential_escaped_in_a_utf16_binary_body_is_redacted(
    tmp_path: Path, utf16_files: str, path: str
) -> None:
    """docs/http.md: the credential is scrubbed in UTF-16 and "with any of its
    characters escaped", and round 16b's fix reads a binary body as text for the
    escaped forms. A binary body in UTF-16 (what Windows PowerShell 5.1 writes a log
    in) is scrubbed for the credential as written (held below), but a JSON line
    (`\\"`) or an HTML page (`&amp;`, `&quot;`, `&lt;`) in it comes back whole: one
    base64 decode, `.decode("utf-16")` and `json.loads` or `html.unescape` away."""
    shown = await _binary_shown(tmp_path, utf16_files, path)
    assert CREDENTIAL not in shown, shown


async def test_held_the_credential_as_written_in_a_utf16_binary_body_is_redacted(
    tmp_path: Path, utf16_files: str
) -> None:
    shown = await _binary_shown(tmp_path, utf16_files, "/held/utf16/plain")
    assert CREDENTIAL not in shown, shown
