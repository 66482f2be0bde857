"""Round 14b: a promises-only attack on the credential scrubber after round 13's fixes.

docs/http.md promises the gateway's credential never comes back "with any of its
characters escaped" and names "HTML character references" among the escapes it
decodes. Open findings are strict xfails (`finding`): the mark comes off when the
finding is fixed. Attacks that held stay as ordinary tests.
"""

from __future__ import annotations

import asyncio
import html
import json
import re
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus, urlencode

import psycopg
import pytest

from phigate.doors.pgwire import _codec as codec
from tests.adversarial.harness import http_upstream, json_documents
from tests.adversarial.test_findings_round4 import bind, client, wire
from tests.conftest import Harness
from tests.connectors.support import harness_with, http_api
from tests.pgwire.conftest import Wire
from tests.pgwire.rawclient import RawClient, error_fields
from tests.support.approvals import approve_all

__all__ = ["client", "wire"]  # fixtures shared with round 4

# The credential of the `api` connection: a password-like token with the punctuation
# password generators use (`&`, `/`, `"`, `<`).
CREDENTIAL = 'gw/S3cr3t&Token"7f3a<9c2e1b'
# A numeric credential (an account PIN or a numeric API key).
NUMERIC = "8402719365518273"
# A passphrase credential (words and spaces, as password managers generate them).
PASSPHRASE = "correct horse battery staple 42"

# What programs print when they escape the credential for HTML or XML.
MARKUP = {
    # Python html.escape, Jinja2 autoescape, Go html/template: named references
    "html.escape": html.escape(CREDENTIAL),
    # XML serialisers (and html.escape(quote=False) for the rest)
    "xml-apos": CREDENTIAL.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;"),
}
# JSON text written into a log line or a text field: the two-character escapes.
JSON_TEXT = {
    # Python json.dumps: `\"`
    "json.dumps": json.dumps({"header": f"Bearer {CREDENTIAL}"}),
    # PHP json_encode (default flags) also escapes `/` as `\/`
    "php-json_encode": json.dumps({"header": f"Bearer {CREDENTIAL}"}).replace("/", "\\/"),
}
HELD = {
    # numeric references, which the docs name
    "html-numeric": "".join(f"&#{ord(c)};" for c in CREDENTIAL),
    "as-sent": CREDENTIAL,
}

DOCUMENTS: dict[str, object] = {
    **{f"/markup/{k}": {"you_sent": v} for k, v in MARKUP.items()},
    **{f"/json/{k}": {"you_sent": v} for k, v in JSON_TEXT.items()},
    **{f"/held/{k}": {"you_sent": v} for k, v in HELD.items()},
    "/numeric": {"you_sent": int(NUMERIC)},
    # Python urlencode / any HTML form: a space is `+`
    "/form": {"you_sent": urlencode({"q": PASSPHRASE})},
}


@pytest.fixture(scope="module")
def documents() -> Iterator[str]:
    with http_upstream(json_documents(DOCUMENTS), "round14b-documents") as address:
        yield address


@pytest.fixture
async def api(tmp_path: Path, documents: str) -> AsyncIterator[Harness]:
    async with http_api(tmp_path, documents, CREDENTIAL) as harness:
        yield harness


@pytest.fixture
async def numeric_api(tmp_path: Path, documents: str) -> AsyncIterator[Harness]:
    async with http_api(tmp_path, documents, NUMERIC) as harness:
        yield harness


@pytest.fixture
async def passphrase_api(tmp_path: Path, documents: str) -> AsyncIterator[Harness]:
    async with http_api(tmp_path, documents, PASSPHRASE) as harness:
        yield harness


async def _echoed(api: Harness, path: str) -> Any:
    """What the agent gets back under `you_sent` for a GET of `path`."""
    answer = await api.client.post(
        "/v1/actions",
        headers={"Authorization": f"Bearer {api.tokens['claims-bot']}"},
        json={"connection": "api", "request": {"method": "GET", "path": path}},
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["result"]["body"]["you_sent"]


@pytest.mark.parametrize("form", sorted(HELD))
async def test_held_the_credential_as_sent_or_numerically_referenced_is_redacted(
    api: Harness, form: str
) -> None:
    shown = await _echoed(api, f"/held/{form}")
    assert "REDACTED" in shown and CREDENTIAL not in html.unescape(shown), shown


@pytest.mark.parametrize("form", sorted(MARKUP))
async def test_the_credential_html_escaped_with_named_references_is_redacted(
    api: Harness, form: str
) -> None:
    """docs/http.md: the scrubber decodes "HTML character references (with or without
    their `;`)". `&amp;`, `&quot;`, `&lt;` are HTML character references too — the
    only ones `html.escape`, Jinja2's autoescape or Go's html/template print — and
    the scrubber decodes only the numeric ones: an upstream's HTML error page that
    quotes the request's header hands the credential back, one `html.unescape` away."""
    shown = await _echoed(api, f"/markup/{form}")
    assert CREDENTIAL not in html.unescape(shown), shown


@pytest.mark.parametrize("form", sorted(JSON_TEXT))
async def test_the_credential_in_json_text_is_redacted(api: Harness, form: str) -> None:
    """docs/http.md names `\\uXXXX` among the escapes it reads, but not JSON's
    short escapes: a credential holding `"` (or `/`, which PHP's `json_encode`
    escapes by default, or `\\`) comes back whole inside a JSON log line carried as
    text (a log field, an error message, exec output), one `json.loads` away."""
    shown = await _echoed(api, f"/json/{form}")
    unescaped = re.sub(r"\\(.)", r"\1", shown)
    assert CREDENTIAL not in unescaped and "REDACTED" in shown, shown


async def test_a_numeric_credential_echoed_as_a_json_number_is_redacted(
    numeric_api: Harness,
) -> None:
    """`scrub_json` scrubs strings and byte arrays; a number passes as it is. An echo
    that coerces a value of digits (YAML, query-string parsers with type coercion,
    a form field stored as an integer) answers the numeric credential as a JSON
    number, and the agent gets it back unredacted."""
    shown = await _echoed(numeric_api, "/numeric")
    assert NUMERIC not in json.dumps(shown), shown


async def test_a_passphrase_credential_form_encoded_is_redacted(passphrase_api: Harness) -> None:
    """docs/http.md: percent-escapes are decoded, so a credential copied into a link
    is redacted. A form or query string written by `urlencode` (every HTML form, most
    HTTP clients' `params=`) spells a space `+`, not `%20`: a passphrase credential
    echoed in a redirect's query comes back, one `unquote_plus` away."""
    shown = await _echoed(passphrase_api, "/form")
    assert PASSPHRASE not in unquote_plus(shown), shown


# An echo upstream (httpbin's /anything, a debugging endpoint): what the caller sent,
# the request's path, then its Authorization header, as text on one line.
class _Echo(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        body = self.path.encode() + b" auth=" + self.headers["authorization"].encode()
        self.send_response(200)
        self.send_header("content-type", "text/plain")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


CAP = 200


@pytest.fixture
async def capped_echo(tmp_path: Path) -> AsyncIterator[Harness]:
    with http_upstream(_Echo, "round14b-echo") as address:
        auth = {"scheme": "bearer", "value": CREDENTIAL}
        connection = {"type": "http", "base_url": f"http://{address}", "auth": auth}
        harness = await harness_with(tmp_path, {"api": {**connection, "max_response_bytes": CAP}})
        try:
            yield harness
        finally:
            await harness.client.aclose()
            await harness.gateway.close()


async def test_a_response_cut_at_its_cap_does_not_show_part_of_the_credential(
    capped_echo: Harness,
) -> None:
    """A text answer longer than `max_response_bytes` is cut at the cap (at its last
    line end, or at the cap itself when there is none), then scrubbed: the scrubber
    needs a whole form, and the cut leaves only a head of one. An agent that pads the
    path of a GET to an echo upstream chooses where the cut falls, and reads the credential
    minus its last character (the same cut in exec's `MAX_LINE_BYTES` line cut)."""
    pad = "x" * (CAP - len("/?p= auth=Bearer ") - len(CREDENTIAL) + 1)
    answer = await capped_echo.client.post(
        "/v1/actions",
        headers={"Authorization": f"Bearer {capped_echo.tokens['claims-bot']}"},
        json={"connection": "api", "request": {"method": "GET", "path": "/", "query": {"p": pad}}},
    )
    assert answer.status_code == 200, answer.text
    shown = answer.json()["result"]["body"]
    # no run of 8 of the credential's characters (its masked head aside)
    pieces = [CREDENTIAL[i : i + 8] for i in range(len(CREDENTIAL) - 7)]
    assert not [p for p in pieces if p in shown], shown


# ── the wire door: settings that change what a write means ──────────────────────
# (SET, write, read-back query): each setting changes what the write stores in the
# client's session.
WIRE_SETTINGS = {
    # reported by the server (ParameterStatus) but not among the names carried
    "standard_conforming_strings": (
        "SET standard_conforming_strings = off",
        "UPDATE claims SET status = 'r14b\\tx' WHERE id = 7",
        "SELECT status FROM claims WHERE id = 7",
    ),
    # not reported, and not among the names docs/pgwire.md refuses
    "transform_null_equals": (
        "SET transform_null_equals = on",
        "UPDATE claims SET status = 'r14b-null' WHERE id = 7 AND NULLIF(1, 1) = NULL",
        "SELECT status FROM claims WHERE id = 7",
    ),
}


async def _query(client: RawClient, sql: str) -> list[codec.Message]:
    client.send(codec.query(sql))
    return await client.until(b"Z")


@pytest.mark.parametrize("setting", sorted(WIRE_SETTINGS))
async def test_held_a_setting_the_writer_cannot_follow_is_refused(
    client: RawClient, setting: str
) -> None:
    """`standard_conforming_strings = off` makes `'r14b\\tx'` hold a tab in the
    session and a backslash on the writer; `transform_null_equals = on` makes `… = NULL`
    match in the session and nothing on the writer. Setting either (also through
    `set_config`) is denied before it reaches the reader."""
    set_sql = WIRE_SETTINGS[setting][0]
    name, value = set_sql.removeprefix("SET ").split(" = ")
    for sql in (set_sql, f"SELECT set_config('{name}', '{value}', false)"):
        assert error_fields(await _query(client, sql))["C"] == "42501", sql


COPY_IN = (
    "COPY claims (id, patient_id, payer, member_id, amount, cpt_code, icd10_code, status, "
    "service_date) FROM STDIN"
)
COPY_ROW = (914_001, 1, "Aetna", "M14B", 10, "99213", "I10", "new", "03/04/2024")


async def _copy(conn: psycopg.AsyncConnection[Any]) -> None:
    async with conn.cursor().copy(COPY_IN) as copy:
        await copy.write_row(COPY_ROW)


def _service_date(dsn: str) -> str | None:
    with psycopg.connect(dsn) as direct:
        row = direct.execute("SELECT service_date::text FROM claims WHERE id = 914001").fetchone()
        direct.execute("DELETE FROM claims WHERE id = 914001")
    return None if row is None else str(row[0])


async def test_held_an_approved_copy_from_stdin_reads_dates_in_the_sessions_datestyle(
    wire: Wire, ehr_dsn: str
) -> None:
    """COPY's text rows are parsed with the session's DateStyle: `03/04/2024` after
    `SET DateStyle = 'ISO, DMY'` is 3 April, and the writer must load 3 April."""
    dsn = wire.dsn("claims-bot")
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        await conn.execute("SET DateStyle = 'ISO, DMY'")
        with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState):
            await _copy(conn)
        [bound] = await approve_all(wire)
        assert bound.get("settings") == {"DateStyle": "ISO, DMY"}, bound
        await _copy(conn)
    assert await asyncio.to_thread(_service_date, ehr_dsn) == "2024-04-03"


async def test_held_a_setting_changed_after_approval_needs_a_new_approval(
    wire: Wire, client: RawClient, ehr_dsn: str
) -> None:
    """The approval is bound to the settings: approved under the server's DateStyle,
    the same text after `SET DateStyle = 'ISO, DMY'` is another action."""
    write = "UPDATE encounters SET encounter_date = '03/04/2024' WHERE id = 7"
    assert error_fields(await _query(client, write))["C"] == "55000"
    await approve_all(wire)
    assert not error_fields(await _query(client, "SET DateStyle = 'ISO, DMY'"))
    assert error_fields(await _query(client, write))["C"] == "55000"


DATE_WRITE = "UPDATE encounters SET encounter_date = '03/04/2024' WHERE id = 7"
DMY = "SET DateStyle = 'ISO, DMY'"
DMY_FN = "SELECT set_config('DateStyle', 'ISO, DMY', false)"


def _encounter_date(dsn: str) -> str:
    with psycopg.connect(dsn) as direct:
        row = direct.execute("SELECT encounter_date::text FROM encounters WHERE id = 7").fetchone()
    assert row is not None
    return str(row[0])


def _set_encounter_date(dsn: str, value: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as direct:
        direct.execute("UPDATE encounters SET encounter_date = %s WHERE id = 7", (value,))


def _extended(sql: str) -> bytes:
    return codec.build_parse("", sql) + bind("", "") + codec.execute("")


PIPELINES = {
    # one simple Query holding the SET and the write
    "simple-multi": lambda: codec.query(f"{DMY}; {DATE_WRITE}"),
    # the same through set_config, the function form of SET
    "simple-set_config": lambda: codec.query(f"{DMY_FN}; {DATE_WRITE}"),
    # the extended protocol, pipelined: the SET's ParameterStatus comes after the
    # write was already read
    "extended-pipeline": lambda: _extended(DMY) + _extended(DATE_WRITE) + codec.SYNC,
}


@pytest.mark.parametrize("shape", ["simple-multi", "simple-set_config", "extended-pipeline"])
async def test_a_setting_sent_with_the_write_is_the_one_it_runs_with(
    wire: Wire, client: RawClient, ehr_dsn: str, shape: str
) -> None:
    """docs/pgwire.md: the settings travel with the write and the writer applies
    them. A SET sent in the same message or pipeline as the write has not been
    reported (ParameterStatus) when the write is admitted: the write must still mean
    3 April, as it does in the session, or be refused. In one simple Query it holds.
    Pipelined on the extended protocol (Parse/Bind/Execute `SET DateStyle`, then
    Parse/Bind/Execute the UPDATE, one Sync: what psycopg's pipeline mode and JDBC
    batches send), the approval is asked with no settings, the reviewer sees none, and
    the writer stores 4 March for the session's 3 April."""
    message = PIPELINES[shape]()
    before = await asyncio.to_thread(_encounter_date, ehr_dsn)
    try:
        await _ask_approve_run(wire, client, message)
        stored = await asyncio.to_thread(_encounter_date, ehr_dsn)
    finally:
        await asyncio.to_thread(_set_encounter_date, ehr_dsn, before)
    assert stored != "2024-03-04", f"the session meant 2024-04-03; the writer stored {stored}"


async def _ask_approve_run(wire: Wire, client: RawClient, message: bytes) -> None:
    client.send(message)
    first = error_fields(await client.until(b"Z"))
    if first.get("C") in ("0A000", "42501"):
        return  # refused: the promise holds
    assert first.get("C") == "55000", first
    await approve_all(wire)
    client.send(message)
    await client.until(b"Z")
