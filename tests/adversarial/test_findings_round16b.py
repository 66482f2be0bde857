"""Round 16b: a promises-only attack on what round 15 changed: the credential scrubber's
new decodings and its cut, session settings on the wire, and columns kept by name
(CHECKED).

Open findings are strict xfails (`finding`): the mark comes off when the finding is
fixed. Attacks that held stay as ordinary tests.
"""

from __future__ import annotations

import asyncio
import base64
import html
import json
import quopri
import re
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import psycopg
import pytest

from phigate.doors.pgwire import _codec as codec
from tests.adversarial.harness import Bench, http_upstream
from tests.adversarial.test_findings_round4 import bind, client, wire
from tests.conftest import Harness
from tests.connectors.support import harness_with, http_api
from tests.pgwire.conftest import Wire
from tests.pgwire.rawclient import RawClient, error_fields
from tests.support.approvals import approve_all

__all__ = ["client", "wire"]  # fixtures shared with round 4

# ── the credential scrubber ────────────────────────────────────────────────────
# A generated password holding `%` before two hex digits (`%3A`) and a `"`: both are
# in the character set of every password generator's "symbols".
PERCENT = 'pX9%3Aq"Lm7/Rt2vB4'
# ... or `&` before the name of an HTML character reference HTML5 reads without its
# `;` (`&reg`, `&not`, `&deg`, `&para`, `&sect`, `&copy`...).
AMPERSAND = 'Hq7&reg"Zk29/Wd5c'
# A password-like credential (round 14b's), for the line-wrap forms.
CREDENTIAL = 'gw/S3cr3t&Token"7f3a<9c2e1b'
# A numeric credential with a leading zero (a PIN, an account key).
PIN = "0840271936551827"


def _mime_base64(value: str, pad: int) -> str:
    """`value` after `pad` bytes of a file, base64 as `base64`, MIME and PEM write it:
    lines of 76 characters."""
    return base64.encodebytes(b"#" * pad + value.encode()).decode()


def _quoted_printable(value: str, pad: int) -> str:
    """`value` after `pad` characters, quoted-printable as mail writes it: lines of at
    most 76 characters, a soft line break `=` + CRLF where a line is wrapped."""
    return quopri.encodestring(("x" * pad + value).encode()).decode()


# Text bodies an echo upstream (a debugging endpoint, an error page, a mail archive)
# can answer with: path -> (content type, body).
TEXTS: dict[str, tuple[str, str]] = {
    # a JSON log line carried as text: `"` becomes `\"`, `%3A` stays as written
    "/percent/json": ("text/plain", json.dumps({"authorization": f"Bearer {PERCENT}"})),
    # an HTML error page quoting the header: `"` becomes `&quot;`
    "/percent/html": ("text/html", f"<p>you sent {html.escape(PERCENT)}</p>"),
    # a redirect's link, percent-encoded as `quote` does by default (`/` kept): the
    # credential's own `%3A` is written `%253A`, which the view reads as a twice
    # encoded `:`
    "/percent/link": ("text/plain", f"Location: /login?next={quote(PERCENT)}"),
    "/ampersand/json": ("text/plain", json.dumps({"authorization": f"Bearer {AMPERSAND}"})),
    # base64 wrapped at 76 columns, the credential's core across the line end
    "/wrapped/base64": ("text/plain", _mime_base64(CREDENTIAL, 40)),
    # a quoted-printable mail whose soft line break falls inside the credential
    "/wrapped/quoted-printable": ("text/plain", _quoted_printable(CREDENTIAL, 60)),
    # held: the same credential echoed as written or base64 on one line
    "/held/plain": ("text/plain", f"auth=Bearer {CREDENTIAL}"),
    "/held/base64": ("text/plain", base64.b64encode(b"#" * 40 + CREDENTIAL.encode()).decode()),
    # a log file downloaded as `application/octet-stream`: a JSON line, a query string
    "/binary/json": ("application/octet-stream", json.dumps({"auth": f"Bearer {CREDENTIAL}"})),
    "/binary/html": ("application/octet-stream", f"<p>{html.escape(CREDENTIAL)}</p>"),
    "/binary/plain": ("application/octet-stream", f"auth=Bearer {CREDENTIAL}\n"),
}


class _Texts(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        if self.path == "/pin":  # a form field coerced to a number (`"0840…"` -> 840…)
            kind, text = "application/json", json.dumps({"you_sent": int(PIN)})
        else:
            kind, text = TEXTS[self.path]
        body = text.encode()
        self.send_response(200)
        self.send_header("content-type", kind)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def texts() -> Iterator[str]:
    with http_upstream(_Texts, "round16b-texts") as address:
        yield address


@pytest.fixture
async def percent_api(tmp_path: Path, texts: str) -> AsyncIterator[Harness]:
    async with http_api(tmp_path, texts, PERCENT) as harness:
        yield harness


@pytest.fixture
async def ampersand_api(tmp_path: Path, texts: str) -> AsyncIterator[Harness]:
    async with http_api(tmp_path, texts, AMPERSAND) as harness:
        yield harness


@pytest.fixture
async def api(tmp_path: Path, texts: str) -> AsyncIterator[Harness]:
    async with http_api(tmp_path, texts, CREDENTIAL) as harness:
        yield harness


@pytest.fixture
async def pin_api(tmp_path: Path, texts: str) -> AsyncIterator[Harness]:
    async with http_api(tmp_path, texts, PIN) as harness:
        yield harness


@pytest.fixture
async def binary_api(tmp_path: Path, texts: str) -> AsyncIterator[Harness]:
    """The `api` connection with `allow_binary: true`."""
    auth = {"scheme": "bearer", "value": CREDENTIAL}
    connection = {"type": "http", "base_url": f"http://{texts}", "auth": auth}
    harness = await harness_with(tmp_path, {"api": {**connection, "allow_binary": True}})
    try:
        yield harness
    finally:
        await harness.client.aclose()
        await harness.gateway.close()


async def _body(api: Harness, path: str) -> Any:
    """The body the agent gets back for a GET of `path` through the `api` connection."""
    answer = await api.client.post(
        "/v1/actions",
        headers={"Authorization": f"Bearer {api.tokens['claims-bot']}"},
        json={"connection": "api", "request": {"method": "GET", "path": path}},
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["result"]["body"]


def _unescaped(text: str, path: str) -> str:
    """What the agent makes of `text`: JSON's escapes, percent-escapes or HTML's
    references undone."""
    if path.endswith("json"):
        return re.sub(r"\\(.)", r"\1", text)
    return unquote(text) if path.endswith("link") else html.unescape(text)


@pytest.mark.parametrize("path", ["/percent/json", "/percent/html", "/percent/link"])
async def test_a_credential_holding_a_percent_escape_is_redacted_when_escaped(
    percent_api: Harness, path: str
) -> None:
    """docs/http.md: the credential is scrubbed "with any of its characters escaped"
    (JSON's `\\"`, HTML's `&quot;`). The scrubber looks in two views: every escape
    decoded, or none. A credential that itself holds a run the view decodes (`%3A`,
    a percent sign before two hex digits) and is written out with another of its
    characters escaped (`\\"` in a JSON log line, `&quot;` in an HTML page) is in
    neither: the first view turns its `%3A` into `:`, the second keeps the `\\"`.
    Percent-encoded into a link (`quote`, `/` kept), its `%3A` becomes `%253A`, which
    the view reads as `:` encoded twice. The agent gets the credential back whole,
    one `json.loads`, `html.unescape` or `unquote` away."""
    shown = await _body(percent_api, path)
    assert PERCENT not in _unescaped(shown, path), shown


async def test_a_credential_holding_an_html_name_is_redacted_when_json_escaped(
    ampersand_api: Harness,
) -> None:
    """The same with `&reg` (read as `®` by the decoded view) in the credential."""
    shown = await _body(ampersand_api, "/ampersand/json")
    assert AMPERSAND not in _unescaped(shown, "json"), shown


@pytest.mark.parametrize("path", ["/wrapped/base64", "/wrapped/quoted-printable"])
async def test_a_credential_in_line_wrapped_base64_or_quoted_printable_is_redacted(
    api: Harness, path: str
) -> None:
    """docs/http.md lists base64 "at every alignment" and quoted-printable (`=67` "in
    quoted-printable mail") among the forms scrubbed. Both are written in lines of at
    most 76 characters: `base64` (coreutils, default), MIME bodies, PEM; and
    quoted-printable's soft line break (`=` at the end of a line). When the wrap falls
    inside the credential, neither half is a form the scrubber knows, and the agent
    reads the credential back by joining the lines (`base64 -d` ignores line ends;
    the quoted-printable halves are the credential's own characters as written)."""
    shown = await _body(api, path)
    joined = "".join(shown.split())
    if path.endswith("base64"):
        decoded = base64.b64decode(joined + "=" * (-len(joined) % 4)).decode("latin-1")
    else:
        decoded = quopri.decodestring(shown.encode()).decode("latin-1")
    assert CREDENTIAL not in decoded, shown


@pytest.mark.parametrize("path", ["/binary/json", "/binary/html"])
async def test_a_credential_escaped_in_a_binary_body_is_redacted(
    binary_api: Harness, path: str
) -> None:
    """docs/http.md: a binary body (with `allow_binary`) is returned as base64, and
    the credential is scrubbed "with any of its characters escaped". The binary path
    scrubs the base64 text for the base64 of the credential's forms (as written, and
    UTF-16), so none of the escapes the text path decodes is read there: a log file
    served as `application/octet-stream` (how most servers label a download) holding
    the credential in a JSON line (`\\"`) or an HTML page (`&amp;`, `&quot;`) comes
    back whole, one base64 decode and one `json.loads` or `html.unescape` away."""
    shown = base64.b64decode(await _body(binary_api, path)).decode("latin-1")
    assert CREDENTIAL not in _unescaped(shown, path), shown


async def test_held_the_credential_as_written_in_a_binary_body_is_redacted(
    binary_api: Harness,
) -> None:
    shown = base64.b64decode(await _body(binary_api, "/binary/plain")).decode("latin-1")
    assert CREDENTIAL not in shown, shown


@pytest.mark.parametrize("path", ["/held/plain", "/held/base64"])
async def test_held_a_credential_on_one_line_is_redacted(api: Harness, path: str) -> None:
    shown = await _body(api, path)
    assert "REDACTED" in shown, shown


async def test_a_pin_with_a_leading_zero_echoed_as_a_number_is_redacted(pin_api: Harness) -> None:
    """Round 14b's fix scrubs a numeric credential echoed as a JSON number (an echo
    that coerces a value of digits: a query-string parser, YAML, a form field stored
    as an integer). The same coercion drops a leading zero (`"0840…"` -> `840…`): the
    number then holds every digit of the credential but its first, which is no form,
    and it comes back as it is."""
    shown = (await _body(pin_api, "/pin"))["you_sent"]
    assert PIN.lstrip("0") not in json.dumps(shown), shown


# ── columns kept by their name (CHECKED) ───────────────────────────────────────
# A claim status holding an identifier spelled with the joiners an import or a
# spreadsheet uses: `_` or `.` between groups (docs/masking.md: "a formatted SSN, an
# e-mail, a phone number, `MRN12345678`, a credit card, a date" are masked whole).
SMUGGLED = {
    "ssn-dots": "706.56.7705",
    "ssn-underscores": "706_56_7705",
    "ssn-labelled": "SSN706567705",
    "phone-underscores": "555_867_5309",
    "card-underscores": "4111_1111_1111_1111",
    "dob-underscores": "1980_03_14",
    "email-spelled": "jimmy.gaines_at_example.com",
    "mrn-lower": "mrn12345678",
    # a formatted SSN with a character no one sees after it (a zero-width space from a
    # copy out of a web page), with no-break spaces between its groups, in full width
    "ssn-zero-width-after": "706-56-7705\u200b",
    "ssn-no-break-spaces": "706\u00a056\u00a07705",
    "ssn-full-width": "\uff17\uff10\uff16\uff15\uff16\uff17\uff17\uff10\uff15",
}
# Codes and keys that must still pass as they are (the CHECKED promise).
CODES = ["Denied", "CLM-000123", "E11.9", "99213", "PENDING_REVIEW"]


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


@pytest.mark.parametrize("value", list(SMUGGLED.values()), ids=list(SMUGGLED))
def test_an_identifier_in_a_status_column_is_masked(
    bench: Bench, claim_status: psycopg.Connection[Any], value: str
) -> None:
    """docs/masking.md: a value of a column kept by its name that the detectors read
    as an identifier (a formatted SSN, a phone, a card, a date, an e-mail) is masked
    whole. `706-56-7705` and `555.867.5309` are; the same digits joined by `_`, an SSN
    joined by `.`, an SSN after its label, or a date joined by `_` are read as no
    identifier; so is `706-56-7705` followed by a zero-width space, or with no-break
    spaces or full-width digits. A status (`claims.status`) hands them to the agent
    as stored, on both doors."""
    rest, wire = _status_through(bench, claim_status, value)
    assert value not in rest and value not in wire, (rest, wire)


@pytest.mark.parametrize("value", CODES)
def test_held_codes_in_a_status_column_pass_as_they_are(
    bench: Bench, claim_status: psycopg.Connection[Any], value: str
) -> None:
    rest, wire = _status_through(bench, claim_status, value)
    assert value in rest and value in wire, (rest, wire)


@pytest.mark.parametrize("value", ["706-56-7705", "555.867.5309", "7065677050", "1980-03-14"])
def test_held_identifiers_the_docs_name_are_masked_in_a_status_column(
    bench: Bench, claim_status: psycopg.Connection[Any], value: str
) -> None:
    rest, wire = _status_through(bench, claim_status, value)
    assert value not in rest and value not in wire, (rest, wire)


# ── the wire door: what a write means in the session ───────────────────────────
DATE_WRITE = "UPDATE encounters SET encounter_date = '03/04/2024' WHERE id = 7"
DMY = "SET DateStyle = 'ISO, DMY'"


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


async def test_a_write_prepared_before_a_set_means_what_it_meant_when_prepared(
    wire: Wire, client: RawClient, ehr_dsn: str
) -> None:
    """docs/pgwire.md: "A write means on the writer what it means in the client's
    session". PostgreSQL reads a prepared statement's constants when it is parsed: a
    write prepared (named `Parse`, what drivers' statement caches send) under the
    server's `MDY` stores 4 March for `'03/04/2024'` in the session even after `SET
    DateStyle = 'ISO, DMY'` (checked on the server itself). Executed after the SET,
    the gateway binds the approval to `DateStyle: ISO, DMY`, the reviewer is told
    it is read day first, and the writer stores 3 April: neither what the session's
    statement meant nor refused."""
    before = await asyncio.to_thread(_encounter_date, ehr_dsn)
    client.send(codec.build_parse("w16b", DATE_WRITE) + codec.SYNC)
    assert not error_fields(await client.until(b"Z"))
    assert not await _query(client, DMY)
    execute = bind("", "w16b") + codec.execute("") + codec.SYNC
    try:
        client.send(execute)
        first = error_fields(await client.until(b"Z"))
        if first.get("C") in ("0A000", "42501"):
            return  # refused: the promise holds
        assert first.get("C") == "55000", first
        await approve_all(wire)
        client.send(execute)
        ran = await client.until(b"Z")
        assert not error_fields(ran), error_fields(ran)
        stored = await asyncio.to_thread(_encounter_date, ehr_dsn)
    finally:
        await asyncio.to_thread(_set_encounter_date, ehr_dsn, before)
    assert stored == "2024-03-04", f"the session's statement meant 2024-03-04; stored {stored}"


async def _login_with(wire: Wire, params: dict[str, str]) -> RawClient:
    """A wire session whose start-up packet carries `params` (what libpq sends for
    `PGDATESTYLE` and `PGTZ` in the environment: `datestyle`, `timezone`)."""
    raw = await RawClient.connect(wire.port)
    raw.send(codec.startup_message({"user": "claims-bot", "database": "ehr", **params}))
    await raw.until(b"R")
    raw.send(codec.message(b"p", codec.cstr(wire.harness.tokens["claims-bot"])))
    assert not error_fields(await raw.until(b"Z"))
    return raw


async def _shown(client: RawClient, sql: str) -> str:
    client.send(codec.query(sql))
    answers = await client.until(b"Z")
    rows = [m for m in answers if m.type == b"D"]
    assert rows, answers
    return rows[0].body[6:].decode()  # one column: count, length, value


@pytest.mark.parametrize("name", ["DateStyle", "datestyle"])
async def test_held_a_start_up_datestyle_is_the_one_the_write_runs_with(
    wire: Wire, ehr_dsn: str, name: str
) -> None:
    """docs/pgwire.md: `DateStyle` among the client's start-up parameters is passed on,
    and settings "that differ from what the upstream reported at login" travel with
    the write. A DateStyle given at start-up (libpq sends `PGDATESTYLE` from the
    environment that way) is what the upstream reported at login: the writer must
    still store what `'03/04/2024'` means in the session."""
    client = await _login_with(wire, {name: "ISO, DMY"})
    before = await asyncio.to_thread(_encounter_date, ehr_dsn)
    try:
        day_first = await _shown(client, "SELECT extract(month FROM '03/04/2024'::date)")
        meant = "2024-04-03" if day_first == "4" else "2024-03-04"
        client.send(codec.query(DATE_WRITE))
        first = error_fields(await client.until(b"Z"))
        if first.get("C") in ("0A000", "42501"):
            return  # refused: the promise holds
        assert first.get("C") == "55000", first
        await approve_all(wire)
        client.send(codec.query(DATE_WRITE))
        ran = await client.until(b"Z")
        assert not error_fields(ran), error_fields(ran)
        stored = await asyncio.to_thread(_encounter_date, ehr_dsn)
    finally:
        client.close()
        await asyncio.to_thread(_set_encounter_date, ehr_dsn, before)
    assert stored == meant, f"the session meant {meant}; the writer stored {stored}"


def _extended(sql: str) -> bytes:
    return codec.build_parse("", sql) + bind("", "") + codec.execute("")


# Spellings of `SET DateStyle` in a pipeline before a write (GUC names are
# case-insensitive; a quoted name keeps its case in the parse tree; `U&"…"` spells
# `set_config` without writing it).
DMY_SPELLINGS = {
    "quoted-upper": "SET \"DATESTYLE\" = 'ISO, DMY'",
    "quoted-mixed": "SET \"DateStyle\" TO 'ISO, DMY'",
    "session-quoted": "SET SESSION \"datestyle\" = 'ISO, DMY'",
    "lower": "SET datestyle = 'ISO, DMY'",
    "uescape-fn": "SELECT U&\"set\\005fconfig\"('DateStyle', 'ISO, DMY', false)",
    "uescape-fn2": "SELECT U&\"set!005fconfig\" UESCAPE '!' ('DateStyle', 'ISO, DMY', false)",
    "quoted-fn": "SELECT \"set_config\"('DateStyle', 'ISO, DMY', false)",
    "from-fn": "SELECT * FROM pg_catalog.set_config('DateStyle', 'ISO, DMY', false)",
}


@pytest.mark.parametrize("spelling", list(DMY_SPELLINGS.values()), ids=list(DMY_SPELLINGS))
async def test_held_a_pipelined_set_in_any_spelling_is_followed_or_refused(
    wire: Wire, client: RawClient, ehr_dsn: str, spelling: str
) -> None:
    before = await asyncio.to_thread(_encounter_date, ehr_dsn)
    message = _extended(spelling) + _extended(DATE_WRITE) + codec.SYNC
    try:
        client.send(message)
        first = error_fields(await client.until(b"Z"))
        if first.get("C") in ("0A000", "42501"):
            return  # refused: the promise holds
        assert first.get("C") == "55000", first
        await approve_all(wire)
        client.send(message)
        ran = error_fields(await client.until(b"Z"))
        stored = await asyncio.to_thread(_encounter_date, ehr_dsn)
    finally:
        await asyncio.to_thread(_set_encounter_date, ehr_dsn, before)
    assert stored == "2024-04-03", (stored, ran)


# A setting the writer cannot follow, changed by a read in a way that names no `SET`.
UNFOLLOWED = {
    "explain-analyze": ["EXPLAIN ANALYZE SELECT set_config('extra_float_digits', '0', false)"],
    "unicode-escaped": ["SELECT U&\"set\\005fconfig\"('extra_float_digits', '0', false)"],
    "held-cursor": [
        "BEGIN",
        "DECLARE c16b CURSOR WITH HOLD FOR SELECT set_config('extra_float_digits', '0', false)",
        "FETCH c16b",
        "COMMIT",
    ],
}


@pytest.mark.parametrize("steps", list(UNFOLLOWED.values()), ids=list(UNFOLLOWED))
async def test_held_a_read_changing_an_unreported_setting_refuses_later_writes(
    client: RawClient, steps: list[str]
) -> None:
    """`extra_float_digits` changes what `(0.1::float8 * 3)::text` stores; the server
    does not report it, so once a read changes it the session's writes are refused."""
    for sql in steps:
        assert not await _query(client, sql), sql
    write = "UPDATE claims SET status = (0.1::float8 * 3)::text WHERE id = 7"
    assert (await _query(client, write)).get("C") == "0A000"
