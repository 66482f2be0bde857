"""Round 19b: a promises-only attack on what round 17's fixes changed on the data
side: `min`/`max` proven total only over scalars, the credential scrubber's joins of
wrapped base64, and checked columns' digit counts and month names.

Open findings are strict xfails (`finding`): the mark comes off when the finding is
fixed. Attacks that held stay as ordinary tests.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.adversarial.harness import Bench, http_upstream
from tests.connectors.support import http_api


# ── SQL conditions: a result too long to build ─────────────────────────────────
def _patient_one_ssn(bench: Bench) -> str:
    with psycopg.connect(bench.copy_dsn) as direct:
        row = direct.execute("SELECT ssn FROM patients WHERE id = 1").fetchone()
    assert row is not None
    return str(row[0])


def _too_long_if_found(guess: str) -> str:
    """A read of patient 1 that builds a string of 60,000 × 20,000 characters when
    the SSN holds `guess` and of none otherwise: `strpos` (total) gives 1 or 0,
    `left('a', …)` (total) one character or none, `replace` (total) multiplies it
    twice. PostgreSQL refuses a string over 1 GB (SQLSTATE 54000), so the read fails
    exactly when the guess is in the SSN; `length` keeps the answer small."""
    return (
        "SELECT length(replace(repeat('x', 60000), 'x', replace(repeat('z', 20000), 'z',"
        f" left('a', strpos(ssn, '{guess}'))))) FROM patients WHERE id = 1"
    )


def test_a_result_too_long_to_build_is_a_condition(bench: Bench) -> None:
    """docs/security.md: an argument is total only when NO value can make the call
    fail; `replace` and `translate` are listed "any strings have a result", `left`
    "any count works", `strpos` "any two strings have a result". But every text
    result is capped at 1 GB: a replacement whose length a PHI value decides (here
    `left('a', strpos(ssn, guess))`, one character or none) makes the read fail
    ("string buffer exceeds maximum allowed length") exactly when the guess is in
    the SSN, and answer `[SSN]` otherwise. Both run at once, no approval: a test of
    any substring of any PHI column, one bit a statement (`substr(ssn, k, 1)` for
    each position: the SSN in ninety reads). The right guess costs the server a
    512 MB buffer before it fails; the wrong one nothing."""
    right = bench.rest(_too_long_if_found(_patient_one_ssn(bench)))
    wrong = bench.rest(_too_long_if_found("#"))
    assert right.status in ("approval", "denied"), right.detail
    assert wrong.status in ("approval", "denied"), wrong.detail


def test_a_result_too_long_to_build_is_a_condition_on_the_wire(bench: Bench) -> None:
    right = bench.wire([_too_long_if_found(_patient_one_ssn(bench))], simple=False)
    wrong = bench.wire([_too_long_if_found("#")], simple=False)
    assert right.status in ("approval", "denied"), right.text
    assert wrong.status in ("approval", "denied"), wrong.text


# The finding's family: a length a PHI value multiplies (a count, a width, a
# replacement, rows) waits for approval; it is never built before someone approves.
GROWS_SQL = {
    "repeat-count": "SELECT length(repeat('x', strpos(ssn, '7') * 600000000))"
    " FROM patients WHERE id = 1",
    "repeat-text": "SELECT length(repeat(ssn, 100000000)) FROM patients WHERE id = 1",
    "lpad-width": "SELECT length(lpad('', strpos(ssn, '7') * 1100000000))"
    " FROM patients WHERE id = 1",
    "rpad-fill": "SELECT length(rpad('', 1000000000, left(ssn, 1))) FROM patients WHERE id = 1",
    "replace-replacement": "SELECT length(replace(repeat('x', 600000), 'x',"
    " left(last_name, 2000))) FROM patients WHERE id = 1",
    "replace-search": "SELECT length(replace(repeat('7', 100000000), left(ssn, 1),"
    " 'xxxxxxxxxxxx')) FROM patients WHERE id = 1",
    "regexp-replace": "SELECT length(regexp_replace(repeat('x', 600000), 'x',"
    " left('a', strpos(ssn, '7')) || repeat('z', 2000), 'g')) FROM patients WHERE id = 1",
    "left-count": "SELECT length(left(repeat('x', 1000000), strpos(ssn, '7') * 1000000))"
    " FROM patients WHERE id = 1",
    "string-agg-rows": "SELECT length(string_agg(left(repeat('x', 1000000),"
    " strpos(ssn, '7') * 1000000), '')) FROM patients, generate_series(1, 1100) WHERE id = 1",
}


@pytest.mark.parametrize("sql", GROWS_SQL.values(), ids=GROWS_SQL.keys())
def test_a_length_a_phi_value_multiplies_waits_for_approval(bench: Bench, sql: str) -> None:
    assert bench.rest(sql).status == "approval", sql


# Ordinary reads whose output is at most a constant times the value's length.
BOUNDED_SQL = [
    "SELECT upper(last_name) FROM patients WHERE id = 1",
    "SELECT left(zip, 3) FROM patients WHERE id = 1",
    "SELECT replace(phone, '-', '') FROM patients WHERE id = 1",
]


@pytest.mark.parametrize("sql", BOUNDED_SQL)
def test_a_length_bounded_by_the_value_still_runs(bench: Bench, sql: str) -> None:
    out = bench.rest(sql)
    assert out.status == "executed", out.detail


# Places round 17's scalar proof and the condition walk already refuse (held).
_REC = "ARRAY[ROW(ssn, NULL::json)]"
HELD_SQL = {
    "named-window": "SELECT id, row_number() OVER w FROM patients WINDOW w AS (ORDER BY ssn)",
    "limit-from-phi": "SELECT id FROM patients LIMIT (SELECT strpos(ssn, '7') FROM patients"
    " WHERE id = 1)",
    "percentile-records": "SELECT percentile_disc(0.5) WITHIN GROUP"
    " (ORDER BY ROW(ssn, NULL::json)) FROM patients",
    "mode": "SELECT mode() WITHIN GROUP (ORDER BY ssn) FROM patients",
    "coalesce-record": "SELECT min(COALESCE(ROW(ssn, NULL::json))) FROM patients",
    "case-array": f"SELECT min(CASE WHEN true THEN {_REC} END) FROM patients",
    "nullif-array": f"SELECT min(NULLIF({_REC}, NULL)) FROM patients",
    "array-concat": "SELECT min(ARRAY[ssn] || ARRAY[ssn]) FROM patients",
    "lateral-alias": "SELECT min(x) FROM patients p,"
    " LATERAL (SELECT ARRAY[ROW(p.ssn, NULL::json)]) AS t(x)",
    "subquery-alias-list": f"SELECT max(y) FROM (SELECT {_REC} FROM patients) AS s(y)",
    "cte-alias-list": f"WITH c(y) AS (SELECT {_REC} FROM patients) SELECT max(y) FROM c",
    "recursive-cte": f"WITH RECURSIVE c(y) AS (SELECT {_REC} FROM patients WHERE id = 1"
    " UNION ALL SELECT y FROM c WHERE false) SELECT max(y) FROM c",
    "natural-join": f"SELECT max(y) FROM (SELECT id, {_REC} AS y FROM patients) a"
    " NATURAL JOIN (SELECT id FROM patients) b",
    "subscript": f"SELECT min(({_REC})[1]) FROM patients",
    "field": "SELECT min((ROW(ROW(ssn, NULL::json), 1)).f1) FROM patients",
    "array-sublink": "SELECT min(ARRAY(SELECT ROW(ssn, NULL::json))) FROM patients",
    "to-jsonb": "SELECT max(to_jsonb(ssn)) FROM patients",
    "having": f"SELECT 1 FROM (SELECT {_REC} AS y FROM patients) s HAVING max(y) IS NULL OR true",
}


@pytest.mark.parametrize("sql", list(HELD_SQL.values()), ids=list(HELD_SQL))
def test_held_comparisons_not_proven_scalar_wait(bench: Bench, sql: str) -> None:
    assert bench.rest(sql).status in ("approval", "denied"), sql


# ── checked columns: identifiers the digit count and the month list miss ──────
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
    """What the agent reads of claim 7's status set to `value`, on REST and the wire."""
    conn.execute("UPDATE claims SET status = %s WHERE id = 7", (value,))
    rest = bench.rest("SELECT id, status FROM claims WHERE id = 7")
    wire = bench.wire(["SELECT id, status FROM claims WHERE id = 7"], simple=False)
    assert rest.status == "executed" and wire.status == "executed", (rest.text, wire.text)
    return rest.text, wire.text


HAN_SSNS = ["七〇六-五六-七七〇五", "七〇六五六七七〇五"]


@pytest.mark.parametrize("value", HAN_SSNS, ids=["dashed", "glued"])
def test_an_ssn_in_han_numerals_in_a_status_column_is_masked(
    bench: Bench, claim_status: psycopg.Connection[Any], value: str
) -> None:
    """docs/masking.md: a checked value with 7 or more digits in all is masked as
    `ID`, after NFKC (full-width digits become ASCII). Thai and Devanagari digits
    are digits to `str.isdigit` and are masked (held below); the Han numerals a
    Chinese or Japanese form writes a number in (〇一二…九) are numeric, not digits,
    and NFKC leaves them: `七〇六-五六-七七〇五` (706-56-7705) counts 0 digits and
    reaches the agent as stored on both doors."""
    rest, wire = _status_through(bench, claim_status, value)
    assert value not in rest and value not in wire, (rest, wire)


DATES = {
    "german-month": "14-März-1980",
    "french-month": "14-mars-1980",
    "german-month-dotted": "14.Oktober.1980",
    "spanish-month": "14-ene-1980",
    "roman-month": "14.III.1980",
    "japanese-era": "昭和55年3月14日",
    "year-first-short": "80/3/14",
    "spelled": "fourteenth-March-nineteen-eighty",
    "german-glued": "14Mär1980",
}


@pytest.mark.parametrize("value", list(DATES.values()), ids=list(DATES))
def test_a_date_of_birth_in_another_form_in_a_status_column_is_masked(
    bench: Bench, claim_status: psycopg.Connection[Any], value: str
) -> None:
    """docs/masking.md: "a month next to digits is a date", masked as `DATE`; a value
    of 6 digits or fewer passes as a code. The month names are English ones only, so
    14 March 1980 written as a German, French or Spanish form writes it
    (`14-März-1980`, `14-mars-1980`, `14-ene-1980`), with a Roman-numeral month
    (`14.III.1980`, usual in Poland and Romania), in a Japanese era (`昭和55年3月14日`,
    Shōwa 55) or year first with a two-digit year (`80/3/14`) holds 6 digits or fewer
    and reaches the agent as stored on both doors (`1980年3月14日`, with 8 digits, is
    masked: held below). docs/masking.md says the month names read are English ones;
    the Roman-numeral, era, year-first and spelled forms name no month at all."""
    rest, wire = _status_through(bench, claim_status, value)
    assert value not in rest and value not in wire, (rest, wire)


HELD_STATUS = [
    "๗๐๖-๕๖-๗๗๐๕",  # Thai digits
    "७०६५६७७०५",  # Devanagari digits
    "seven zero six five six seven seven zero five",
    "1980年3月14日",
    "14.03.80",
    "1980-W11-5",
]


@pytest.mark.parametrize("value", HELD_STATUS)
def test_held_other_digits_and_dates_in_a_status_column_are_masked(
    bench: Bench, claim_status: psycopg.Connection[Any], value: str
) -> None:
    rest, wire = _status_through(bench, claim_status, value)
    assert value not in rest and value not in wire, (rest, wire)


EMAILS = {
    # a link the import kept whole
    "mailto": "mailto:jimmy.gaines@example.com",
    # the address as a URL or an HTML page writes it
    "percent-encoded": "jimmy.gaines%40example.com",
    "html-reference": "jimmy.gaines&#64;example.com",
    # the address written so that nothing links it (spam-safe, "defanged")
    "dot-spelled": "jimmy.gaines(at)example(dot)com",
    "defanged": "jimmy.gaines@example[.]com",
    "dash-at": "jimmy.gaines-at-example.com",
}


@pytest.mark.parametrize("value", list(EMAILS.values()), ids=list(EMAILS))
def test_an_email_address_in_a_status_column_is_masked(
    bench: Bench, claim_status: psycopg.Connection[Any], value: str
) -> None:
    """docs/masking.md: a single token the detectors read as an e-mail is masked
    whole, and a spelled `_at_` is read as `@` first (`jimmy.gaines_at_example.com`,
    and `(at)`). A patient's address stored as a `mailto:` link, with its `@`
    percent-encoded (`%40`) or an HTML reference (`&#64;`), or written as people
    write an address to keep it from being linked (`(at)` with `(dot)`, `[.]`,
    `-at-`), reaches the agent as stored on both doors; the full-width `＠` and the
    bare address are masked (held below)."""
    rest, wire = _status_through(bench, claim_status, value)
    assert value not in rest and value not in wire, (rest, wire)


@pytest.mark.parametrize("value", ["jimmy.gaines@example.com", "jimmy.gaines＠example.com"])
def test_held_an_email_address_in_a_status_column_is_masked(
    bench: Bench, claim_status: psycopg.Connection[Any], value: str
) -> None:
    rest, wire = _status_through(bench, claim_status, value)
    assert value not in rest and value not in wire, (rest, wire)


# The same forms in a clinical note (free text, scanned by the detectors).
NOTE_MISSES = {
    "email-percent-encoded": "Pt email jimmy.gaines%40example.com per portal.",
    "email-html-reference": "Pt email jimmy.gaines&#64;example.com per portal.",
    "ssn-han-numerals": "Pt SSN 七〇六-五六-七七〇五 on file.",
    "dob-roman-month": "Pt DOB 14.III.1980, seen today.",
    "dob-japanese-era": "Pt DOB 昭和55年3月14日.",
}


@pytest.mark.parametrize("note", list(NOTE_MISSES.values()), ids=list(NOTE_MISSES))
def test_identifiers_in_other_forms_in_a_note_are_masked(bench: Bench, note: str) -> None:
    """A free-text miss (tracked family): each form of findings 2, 3 and 6 in a
    clinical note reaches the agent whole (`mailto:` there is masked)."""
    with psycopg.connect(bench.ehr_dsn, autocommit=True) as conn:
        row = conn.execute("SELECT note_text FROM clinical_notes WHERE id = 1").fetchone()
        assert row is not None
        try:
            conn.execute("UPDATE clinical_notes SET note_text = %s WHERE id = 1", (note,))
            shown = bench.rest("SELECT note_text FROM clinical_notes WHERE id = 1")
        finally:
            conn.execute("UPDATE clinical_notes SET note_text = %s WHERE id = 1", (row[0],))
    assert shown.status == "executed", shown.detail
    assert note not in shown.text, shown.detail


# ── the credential scrubber: base64 wrapped as code and configs write it ──────
CREDENTIAL = 'gw/S3cr3t&Token"7f3a<9c2e1b'
_BASE64 = base64.b64encode(b"#" * 40 + CREDENTIAL.encode()).decode()


def _lines(text: str, width: int, end: str = "\n", prefix: str = "", suffix: str = "") -> str:
    return "".join(prefix + text[i : i + width] + suffix + end for i in range(0, len(text), width))


# name -> (content type, body, how the agent reads the base64 back out of it): each
# body holds the credential (after 40 bytes of something else) base64-encoded and
# cut in lines of 60 or 64, the cut falling inside the credential.
_QUOTED = re.compile(r'"([0-9A-Za-z+/=]+)"')
_AFTER = re.compile(r"^[ \t]*(?:# |// |\d{4}: )?([0-9A-Za-z+/=]+)", re.M)
_TAGGED = re.compile(r"<p>([0-9A-Za-z+/=]*)</p>")
WRAPS: dict[str, tuple[str, str, re.Pattern[str]]] = {
    # source code: a string literal per line, joined with `+` (Java, JS, C#) or
    # side by side (Python, C)
    "string-plus": ("text/plain", _lines(_BASE64, 60, prefix='    "', suffix='" +'), _QUOTED),
    "string-adjacent": (
        "text/plain",
        "KEY = (\n" + _lines(_BASE64, 60, prefix='    "', suffix='"') + ")",
        _QUOTED,
    ),
    # a JSON array of the lines (a PEM stored as lines)
    "json-lines": (
        "application/json",
        "[" + ", ".join(f'"{_BASE64[i : i + 64]}"' for i in range(0, len(_BASE64), 64)) + "]",
        _QUOTED,
    ),
    # a comment block, a listing with line numbers
    "hash-comment": ("text/plain", _lines(_BASE64, 64, prefix="# "), _AFTER),
    "slash-comment": ("text/plain", _lines(_BASE64, 64, prefix="// "), _AFTER),
    "numbered": (
        "text/plain",
        "".join(f"{n:04d}: {_BASE64[i : i + 64]}\n" for n, i in enumerate(range(0, 99, 64))),
        _AFTER,
    ),
    # a YAML block scalar nested six levels deep (a Kubernetes manifest's values)
    "deep-yaml": ("text/plain", _lines(_BASE64, 64, prefix=" " * 24), _AFTER),
    # a line end written twice over (`\r\r\n`: a CRLF file saved again on Windows)
    "cr-cr-lf": ("text/plain", _lines(_BASE64, 64, end="\r\r\n"), _AFTER),
    # an HTML page with a paragraph a line
    "paragraphs": (
        "text/html",
        "".join(f"<p>{_BASE64[i : i + 64]}</p>\n" for i in (0, 64)),
        _TAGGED,
    ),
}


class _Wraps(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        kind, text, _ = WRAPS[self.path.strip("/")]
        body = text.encode()
        self.send_response(200)
        self.send_header("content-type", kind)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def wraps() -> Iterator[str]:
    with http_upstream(_Wraps, "round19b-wraps") as address:
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
        return body if isinstance(body, str) else json.dumps(body)


@pytest.mark.parametrize("name", list(WRAPS))
async def test_a_credential_in_base64_wrapped_as_code_and_configs_is_redacted(
    tmp_path: Path, wraps: str, name: str
) -> None:
    """docs/http.md: base64 is looked for "with its lines joined however a text
    carries them" (a line end with spaces, `<br>`, quote markers; up to 16 spaces of
    indentation). Lines carried as source code does (a string literal a line, with
    `+` or side by side), as a JSON array, behind `# `, `// ` or a line number,
    indented more than 16 spaces (a YAML block six levels deep), ended `\\r\\r\\n`,
    or one `<p>` a line, are not joined: the agent gets the credential back by
    picking the base64 out of each line and decoding it."""
    _, _, picker = WRAPS[name]
    shown = await _shown(tmp_path, wraps, "/" + name)
    kept = "".join(picker.findall(shown))
    decoded = base64.b64decode(kept + "=" * (-len(kept) % 4)).decode("latin-1")
    assert CREDENTIAL not in decoded, shown


HELD_WRAPS = {
    "json-escaped-newlines": '{"pem": "' + _lines(_BASE64, 64, end="\\n") + '"}',
    "xml-newline-references": '<cert v="' + _lines(_BASE64, 64, end="&#10;") + '"/>',
    "tab-indented": _lines(_BASE64, 64, prefix="\t\t"),
}


class _HeldWraps(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        body = HELD_WRAPS[self.path.strip("/")].encode()
        self.send_response(200)
        self.send_header("content-type", "text/plain")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def held_wraps() -> Iterator[str]:
    with http_upstream(_HeldWraps, "round19b-held-wraps") as address:
        yield address


@pytest.mark.parametrize("name", list(HELD_WRAPS))
async def test_held_base64_wrapped_with_escaped_line_ends_is_redacted(
    tmp_path: Path, held_wraps: str, name: str
) -> None:
    shown = await _shown(tmp_path, held_wraps, "/" + name)
    assert "REDACTED" in shown, shown


# ── the credential scrubber: base64 of a document holding the credential's base64 ──
_DOCKER_CONFIG = base64.b64encode(
    json.dumps(
        {"auths": {"registry.internal": {"auth": base64.b64encode(CREDENTIAL.encode()).decode()}}}
    ).encode()
).decode()
_SECRET = json.dumps(
    {
        "kind": "Secret",
        "type": "kubernetes.io/dockerconfigjson",
        "data": {".dockerconfigjson": _DOCKER_CONFIG},
    }
)


class _Secret(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        body = _SECRET.encode()
        self.send_response(200)
        self.send_header("content-type", "text/plain")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def secret_api() -> Iterator[str]:
    with http_upstream(_Secret, "round19b-secret") as address:
        yield address


async def test_a_credential_in_a_docker_config_secret_is_redacted(
    tmp_path: Path, secret_api: str
) -> None:
    """docs/http.md: the credential is found as its base64 at any alignment, and
    percent-escapes "also double". A Kubernetes Secret of type dockerconfigjson holds
    a base64 JSON document whose `auth` is the base64 of the credential: the
    scrubber reads neither level, and two `b64decode` calls give it back."""
    shown = json.loads(await _shown(tmp_path, secret_api, "/"))
    value = shown["data"][".dockerconfigjson"]
    # the fix redacts the whole outer run: what is left is no base64 to decode
    assert value.startswith("[REDACTED:") or CREDENTIAL not in _auth(value), shown


def _auth(value: str) -> str:
    """The registry credential of a base64 docker config, decoded twice."""
    config = json.loads(base64.b64decode(value))
    return base64.b64decode(config["auths"]["registry.internal"]["auth"]).decode("latin-1")
