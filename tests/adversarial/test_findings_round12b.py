"""Round 12b: a promises-only attack on phigate after round 12's fixes.

Through the PostgreSQL wire door with psycopg (session state that changes what a
later statement means, every masking path), and the audit export. Open findings are
`xfail(strict=True)` (`finding`): the mark comes off when the finding is fixed.
Attacks that held stay as ordinary tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from click.testing import CliRunner

from phigate.cli import main
from phigate.connectors.http import http_body
from phigate.doors.app import build_app
from phigate.doors.pgwire import _codec as codec
from phigate.ops.pgserver import EmbeddedPostgres
from phigate.reviewing._sent import http_sent
from tests.adversarial.harness import AGENT, Bench, http_upstream, run_direct
from tests.connectors.support import audit_text, harness_with
from tests.pgwire.rawclient import RawClient

# --------------------------------------------------------------------------- search_path


def test_a_search_path_that_shadows_the_catalog_in_any_case_is_not_a_read(bench: Bench) -> None:
    """docs/sql.md lists as `unknown` "a `search_path` that puts a schema or `pg_temp`
    before `pg_catalog`". `set_config` reads its value as a list of identifiers, folding
    unquoted ones to lower case, so `'public, PG_CATALOG'` is `public, pg_catalog` on
    the server; the gateway compares the words as written, finds no `pg_catalog`, and
    calls the setting a harmless client one. After it, any function of the same name and
    arguments in `public` (an extension's, or one created later) runs in place of the
    built-in the classifier allow-listed."""
    shadow = "SELECT set_config('search_path', 'public, PG_CATALOG', false)"
    probe = "SELECT current_schemas(true)"
    # The server puts public first.
    assert '["public", "pg_catalog"]' in run_direct(bench.copy_dsn, [shadow, probe])
    # The same setting in lower case is refused, as documented.
    lower = bench.wire([shadow.replace("PG_CATALOG", "pg_catalog")])
    assert lower.status == "denied", lower.text
    outcome = bench.wire([shadow, probe])
    assert "{public,pg_catalog}" not in outcome.text, (
        f"public was put before pg_catalog through the gateway: {outcome.text}"
    )


# --------------------------------------------------------------------------- http connector


def _recording(seen: list[list[tuple[str, str]]]) -> type[BaseHTTPRequestHandler]:
    """An upstream that records each request's header lines and answers `{}`."""

    class Recording(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_PATCH(self) -> None:
            self.rfile.read(int(self.headers.get("content-length") or 0))
            seen.append([(k.lower(), v) for k, v in self.headers.items()])
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

    return Recording


async def test_a_header_given_in_two_spellings_is_refused_at_admission(tmp_path: Path) -> None:
    """Finding 2 (fixed): docs/security.md: "HTTP actions show the request line ...,
    the headers and the body"; what a reviewer sees is exactly what runs. The caller's
    `headers` is a JSON object, so `Content-Type` and `content-type` were two keys: the
    reviewer was shown both, the connector sent only the last. HTTP names are
    case-insensitive, so the request is refused at admission (400 naming the header),
    audited, nothing is recorded as approvable and nothing reaches the upstream; the
    reviewer's view of such a body says it is never sent."""
    seen: list[list[tuple[str, str]]] = []
    headers = {"Content-Type": "text/plain", "content-type": "application/json"}
    request = {"method": "PATCH", "path": "/claims/7", "headers": headers, "body": "{}"}
    with http_upstream(_recording(seen), "recording") as address:
        h = await harness_with(tmp_path, {"api": {"type": "http", "base_url": f"http://{address}"}})
        try:
            body = {"connection": "api", "request": request}
            refused = await h.client.post("/v1/actions", headers=h.auth("claims-bot"), json=body)
            pending = await h.client.get("/v1/approvals", headers=h.auth("alice"))
            once = {**request, "headers": {"content-type": "application/json"}}
            single = await h.client.post(
                "/v1/actions", headers=h.auth("claims-bot"), json={**body, "request": once}
            )
            audit = audit_text(h)
        finally:
            await h.client.aclose()
            await h.gateway.close()
    assert refused.status_code == 400, refused.text
    assert "duplicate header 'content-type'" in refused.json()["error"]["message"], refused.text
    assert "duplicate header 'content-type'" in audit
    assert pending.status_code == 200 and pending.json() == {"approvals": []}, pending.text
    assert single.status_code == 202, single.text  # one spelling is an ordinary write
    assert seen == []
    sent = http_sent(http_body("PATCH", "/claims/7", headers=headers, body="{}")).text
    assert "refused, never sent: duplicate header 'content-type'" in sent, sent


# --------------------------------------------------------------------------- configuration

# A rule as a config review reads it: writes wait for a data owner. Its `decision` is
# given twice; YAML says the keys of a mapping are unique.
_TWICE = """\
connections:
  ehr:
    type: postgres
    dsn: "postgresql://gw:pw@127.0.0.1:5432/ehr"
policy:
  rules:
    - name: writes-need-a-data-owner
      match: {risk: [write]}
      decision: approve
      approvals: {count: 1, groups: [data-owners], expires_in: 3600}
      reason: every write waits for a data owner
      decision: allow
"""


def test_a_key_given_twice_in_the_config_is_a_clear_error(tmp_path: Path) -> None:
    """Bad input of every kind gets a clear error; DESIGN: "phigate.yaml → validated,
    frozen models; errors cite file and line". A YAML mapping's keys are unique (YAML
    1.2, 3.2.1.1); PyYAML keeps the last of two. A rule whose first line reads
    `decision: approve` (what a reviewer of the change sees, with its approvals block)
    and whose last reads `decision: allow` passes `phigate config check` and lets every
    write run without approval (`phigate policy check` says `allow`)."""
    config = tmp_path / "phigate.yaml"
    config.write_text(_TWICE)
    who = ["--as", "claims-bot", "--kind", "agent", "--connection", "ehr"]
    sql = ["--sql", "UPDATE claims SET status = 'paid' WHERE id = 3"]
    decided = CliRunner().invoke(main, ["policy", "check", "--config", str(config), *who, *sql])
    assert '"decision": "allow"' not in decided.output, decided.output
    assert decided.exit_code != 0 and "given twice" in decided.output, decided.output
    checked = CliRunner().invoke(main, ["config", "check", str(config)])
    assert checked.exit_code == 1 and "'decision' is given twice" in checked.output, (
        f"config check: {checked.output.strip()}; policy check: {decided.output.strip()}"
    )


# --------------------------------------------------------------------------- answers


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT repeat('[', 5000) AS brackets",
        "SELECT repeat('[', 5000) || note_text AS note FROM clinical_notes LIMIT 2",
        "SELECT (repeat('[', 3000) || repeat(']', 3000))::jsonb AS doc",
    ],
    ids=["constant", "before_a_note", "jsonb"],
)
def test_a_deeply_bracketed_text_value_is_answered_or_refused_clearly(
    bench: Bench, sql: str
) -> None:
    """Bad input of every kind gets a clear error in the caller's own protocol. The
    masker reads a text value that starts like JSON as JSON; `repeat('[', 5000)` (a
    constant, no PHI) makes the reader recurse past Python's limit. REST answers HTTP
    500 `masking failed: masking a row failed: RecursionError`; on the wire the gateway
    closes the session mid-answer (psycopg: "server closed the connection
    unexpectedly"), so a driver sees a dead connection, not an SQL error. The value is
    not JSON at all (it never closes). Fixed: a text value nested deeper than
    `max_json_depth` is not read as JSON; it is withheld whole (`[REDACTED:TOO_DEEP]`),
    with the note it may carry."""
    wire = bench.wire([sql])
    rest = bench.rest(sql)
    assert "closed the connection" not in wire.text, f"wire: {wire.text[:200]}"
    assert rest.status != "http500", f"REST: {rest.detail}"
    for outcome in (wire, rest):
        assert outcome.status == "executed" and "TOO_DEEP" in outcome.text, outcome.text[:200]


async def _answer(bench: Bench, sql: str) -> httpx.Response:
    """The REST answer as a client gets it (an exception in the app is a 500 here)."""
    transport = httpx.ASGITransport(app=build_app(bench.gateway), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://phigate.test") as client:
        return await client.post(
            "/v1/actions",
            headers={"Authorization": f"Bearer {bench.tokens[AGENT]}"},
            json={"connection": "ehr", "sql": sql},
        )


@pytest.mark.parametrize(
    ("sql", "value"),
    [
        ("SELECT 'NaN'::float8 AS ratio", "NaN"),
        ("SELECT '-Infinity'::numeric AS ratio", "-Infinity"),
        ("SELECT '\"\\ud800\"'::json AS doc", "\ud800"),
    ],
    ids=["nan", "numeric_infinity", "surrogate"],
)
def test_a_value_json_cannot_carry_is_answered_clearly(bench: Bench, sql: str, value: str) -> None:
    """Finding 5 (fixed). Bad input of every kind gets a clear error in the caller's
    own protocol; these are not even bad input (PostgreSQL holds both values, the wire
    door relays them). REST ran the statement, recorded it executed, then failed to
    render its answer (Starlette's `json.dumps(allow_nan=False)`, UTF-8 of a lone
    surrogate): HTTP 500 `internal_error`, no action id, no word that the statement
    ran. Now NaN and ±Infinity come as PostgreSQL's text, a lone surrogate as the JSON
    escape `\\ud800` (the answer then all ASCII), and the outcome is recorded."""
    answer = bench.call(_answer(bench, sql))
    assert answer.status_code == 200, f"{answer.status_code}: {answer.text[:200]}"
    body = answer.json()
    assert body["status"] == "executed" and body["result"]["rows"] == [[value]], body
    assert bench.gateway.action(body["id"]).status == "executed"


def test_an_approved_write_returning_nan_is_answered_after_it_committed(bench: Bench) -> None:
    """Finding 5 (fixed): a RETURNING clause of an approved write took the same path
    after the write committed; the run answers it, with the value as PostgreSQL's text."""
    sql = "UPDATE claims SET status = status WHERE id = 3 RETURNING id, 'NaN'::float8 AS ratio"

    async def approve_and_run() -> httpx.Response:
        transport = httpx.ASGITransport(app=build_app(bench.gateway), raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://x") as client:
            agent = {"Authorization": f"Bearer {bench.tokens[AGENT]}"}
            pending = await client.post(
                "/v1/actions", headers=agent, json={"connection": "ehr", "sql": sql}
            )
            assert pending.status_code == 202, pending.text
            voted = await client.post(
                f"/v1/approvals/{pending.json()['approval']['id']}/approve",
                headers={"Authorization": f"Bearer {bench.tokens['alice']}"},
                json={},
            )
            assert voted.status_code == 200, voted.text
            return await client.post(f"/v1/actions/{pending.json()['id']}/run", headers=agent)

    ran = bench.call(approve_and_run())
    assert ran.status_code == 200, ran.text[:300]
    assert ran.json()["result"]["rows"] == [[3, "NaN"]], ran.text


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 'infinity'::date AS until",
        "SELECT '0044-03-15 BC'::date AS ides",
        "SET TimeZone = 'UTC'",
    ],
    ids=["infinity", "bc", "set"],
)
def test_what_the_driver_refuses_is_answered_or_named(bench: Bench, sql: str) -> None:
    """PostgreSQL answers these (valid dates, `infinity` common as the open end of a
    validity period; a harmless client setting); the REST door fails them as HTTP 502
    `upstream error ?????: DataError` (or `ProgrammingError`), blaming the upstream with
    no SQLSTATE and no reason: the client's own driver (psycopg) raised it. The wire
    door answers all three. Finding 6 (fixed): a value Python's types cannot hold
    comes as PostgreSQL's text; a SET answers its command tag."""
    wire = bench.wire([sql])
    assert wire.status == "executed", wire.text
    rest = bench.rest(sql)
    assert "?????" not in rest.text and rest.status == "executed", rest.detail


def _documents(documents: dict[str, bytes]) -> type[BaseHTTPRequestHandler]:
    """An upstream answering each GET with the raw JSON bytes of its path."""

    class Documents(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_GET(self) -> None:
            body = documents[self.path]
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Documents


@pytest.mark.parametrize("path", ["/nan", "/huge"])
async def test_an_upstream_json_number_json_cannot_carry_is_answered_clearly(
    tmp_path: Path, path: str
) -> None:
    """Bad input of every kind (here, an upstream's) gets a clear error in the caller's
    own protocol. `{"ratio": NaN}` and `{"n": 1e400}` are what many JSON writers emit
    (Python's own json.dumps writes NaN); the connector reads them as floats, the
    answer cannot be written as JSON, and the agent gets `internal_error: see the
    gateway log` for a GET that ran, where a deeply nested document gets a clear
    `upstream_error`. Fixed: such a number is kept as its text."""
    documents = {"/nan": b'{"ratio": NaN, "x": Infinity}', "/huge": b'{"n": 1e400}'}
    with http_upstream(_documents(documents), "documents") as address:
        h = await harness_with(tmp_path, {"api": {"type": "http", "base_url": f"http://{address}"}})
        transport = httpx.ASGITransport(app=build_app(h.gateway), raise_app_exceptions=False)
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://x") as client:
                answer = await client.post(
                    "/v1/actions",
                    headers=h.auth("claims-bot"),
                    json={"connection": "api", "request": {"method": "GET", "path": path}},
                )
        finally:
            await h.client.aclose()
            await h.gateway.close()
    assert answer.status_code != 500 and "id" in answer.json(), answer.text[:300]
    # Finding 7 (fixed): each number no float holds comes back as its own text.
    expected = {"/nan": {"ratio": "NaN", "x": "Infinity"}, "/huge": {"n": "1e400"}}[path]
    assert answer.json()["result"]["body"] == expected, answer.text[:300]


# --------------------------------------------------------------------------- catalog text


@pytest.fixture
def phi_in_ddl(bench: Bench, pg_server: EmbeddedPostgres) -> Iterator[dict[str, str]]:
    """The schema as a DBA left it: a CHECK constraint that blocks one member id, a
    partial index for one MRN, a row-level security policy and a column default that
    name one patient (made by the owner, as DDL is; dropped afterwards)."""
    admin = pg_server.dsn(str(psycopg.conninfo.conninfo_to_dict(bench.ehr_dsn)["dbname"]))
    with psycopg.connect(admin, autocommit=True) as conn:
        row = conn.execute("SELECT ssn, last_name, mrn FROM patients WHERE id = 7").fetchone()
        assert row is not None
        values = {"ssn": row[0], "last_name": row[1], "mrn": row[2]}
        conn.execute(
            f"ALTER TABLE claims ADD CONSTRAINT r12b_blocked CHECK (member_id <> '{row[0]}')"
        )
        conn.execute(f"ALTER TABLE encounters ALTER COLUMN provider SET DEFAULT '{row[1]}'")
        conn.execute(f"CREATE INDEX r12b_one ON patients (id) WHERE mrn = '{row[2]}'")
        conn.execute(f"CREATE POLICY r12b_policy ON patients USING (mrn <> '{row[2]}')")
    try:
        yield values
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute("ALTER TABLE claims DROP CONSTRAINT r12b_blocked")
            conn.execute("ALTER TABLE encounters ALTER COLUMN provider DROP DEFAULT")
            conn.execute("DROP INDEX r12b_one")
            conn.execute("DROP POLICY r12b_policy ON patients")


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'r12b_blocked'",
        "SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = 'patients'::regclass",
        "SELECT column_default FROM information_schema.columns WHERE column_name = 'provider'",
        "SELECT qual FROM pg_policies WHERE policyname = 'r12b_policy'",
    ],
    ids=["constraintdef", "indexdef", "column_default", "policy_qual"],
)
def test_a_constant_in_a_catalog_definition_is_masked(
    bench: Bench, phi_in_ddl: dict[str, str], sql: str
) -> None:
    """docs/pgwire.md: "Catalog columns that can hold data — stored values
    (`attmissingval`), comments, function bodies — are masked as usual beside them".
    A constraint, an index predicate, a default and a policy hold constants too: an
    SSN in its canonical form (`CHECK ((member_id <> '409-18-7858'::text))`) reaches
    the agent as written, while `pg_indexes.indexdef` masks the same MRN (`[MRN]`)
    and `pg_get_expr(adbin, adrelid)` withholds the same default."""
    for outcome in (bench.wire([sql]), bench.wire([sql], simple=False), bench.rest(sql)):
        assert outcome.status == "executed", outcome.text
        leaked = [k for k, v in phi_in_ddl.items() if v in outcome.text]
        assert not leaked, f"{outcome.door}: {leaked} unmasked: {outcome.text[:200]}"


# --------------------------------------------------------------------------- exec connector

_RECORDER = """#!/bin/sh
printf '%s\\n' "$@" >> "$RECORD"
"""
KUBE_TOKEN = "kube-Tok3n-7f3a9c1d2e4b"


async def test_a_file_the_gateway_snapshots_never_returns_its_credential(tmp_path: Path) -> None:
    """docs/security.md: "No connector returns the gateway's own secrets"; docs/exec.md:
    the credentials inside the `KUBECONFIG` file are scrubbed from everything that comes
    back. The `-f NAME` snapshot (docs/exec.md, "read once, when the request is made,
    into the action body") makes the gateway read any UTF-8 file of the working
    directory for the caller; `kubectl get -f kubeconfig` is a read that runs at once,
    and the requester's own view of the action (`GET /v1/actions/{id}`) carries
    `action.files.kubeconfig` with the token as written. The same request reads any
    other file there (an `.env`, `terraform.tfstate`)."""
    program = tmp_path / "bin" / "kubectl"
    program.parent.mkdir()
    program.write_text(_RECORDER)
    program.chmod(0o755)
    work = tmp_path / "work"
    work.mkdir()
    kubeconfig = work / "kubeconfig"
    kubeconfig.write_text(
        f"apiVersion: v1\nkind: Config\nusers:\n- name: gw\n  user:\n    token: {KUBE_TOKEN}\n"
    )
    settings = {
        "type": "exec",
        "programs": [str(program)],
        "working_dir": str(work),
        "env": {"KUBECONFIG": str(kubeconfig), "RECORD": str(tmp_path / "ran")},
        "rule_sets": ["kubectl"],
    }
    h = await harness_with(tmp_path, {"k8s": settings})
    try:
        body = {"connection": "k8s", "argv": ["kubectl", "get", "-f", "kubeconfig"]}
        answer = await h.client.post("/v1/actions", headers=h.auth("claims-bot"), json=body)
        assert "id" in answer.json(), answer.text  # recorded, whatever was decided
        view = await h.client.get(
            f"/v1/actions/{answer.json()['id']}", headers=h.auth("claims-bot")
        )
    finally:
        await h.client.aclose()
        await h.gateway.close()
    assert view.status_code == 200, view.text
    assert KUBE_TOKEN not in answer.text + view.text, view.text[:400]
    # The file is not read, so the command is unknown (refused or held), never run.
    assert view.json()["status"] != "executed", view.text[:400]
    assert not (tmp_path / "ran").exists()


# --------------------------------------------------------------------------- attacks that held


async def _portal_of_a_replaced_statement(bench: Bench, first: str) -> list[codec.Message]:
    """Parse `first` as the unnamed statement, bind portal p1 from it, Parse the
    unnamed statement again as a harmless constant, then Execute p1 and Sync: the
    portal runs `first`, whatever the unnamed statement means now."""
    client = await RawClient.connect(bench.listener.port)
    try:
        await client.login(AGENT, bench.tokens[AGENT])
        client.send(codec.build_parse("", first))
        client.send(codec.build_bind(codec.Bind("p1", "", (), (), ())))
        client.send(codec.build_parse("", "SELECT 'x'::text AS ssn"))
        client.send(codec.execute("p1"))
        client.send(codec.SYNC)
        return await client.until(b"Z")
    finally:
        client.close()


def test_held_a_portal_is_decided_as_the_statement_it_was_bound_from(bench: Bench) -> None:
    """Held: a portal bound before its unnamed statement was replaced is masked and
    decided as what it runs, not as the statement the name now holds."""
    rows = bench.call(_portal_of_a_replaced_statement(bench, "SELECT ssn FROM patients LIMIT 2"))
    values = [codec.parse_data_row(m.body) for m in rows if m.type == b"D"]
    assert values == [[b"[SSN]"], [b"[SSN]"]], values
    probe = "SELECT id FROM patients WHERE ssn LIKE '1%' LIMIT 2"
    answer = bench.call(_portal_of_a_replaced_statement(bench, probe))
    assert not [m for m in answer if m.type == b"D"], answer
    assert any(m.type == b"E" for m in answer), answer


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT ((array_sort(array_agg(ROW(ssn, id))))[1]).f2 FROM patients",
        "SELECT (min(ARRAY[ssn, id::text]))[2] FROM patients",
        "SELECT array_position(array_agg(ssn ORDER BY id), '409-18-7858') FROM patients",
    ],
    ids=["array_sort", "min_array", "array_position"],
)
def test_held_a_field_taken_from_an_ordered_aggregate_of_phi_is_a_condition(
    bench: Bench, sql: str
) -> None:
    """Held: the id of the patient with the smallest SSN, taken as an element of `min`
    over an array or of PostgreSQL 18's `array_sort` over records, and the position of
    a value in an aggregated array, wait for approval like `ORDER BY ssn`. (`min` over
    a record returns an anonymous record, whose fields PostgreSQL will not name.)"""
    outcome = bench.wire([sql])
    assert outcome.status == "approval", outcome.text
