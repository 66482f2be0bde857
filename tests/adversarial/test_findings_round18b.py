"""Round 18b: a promises-only attack on the data side (rows, conditions, side effects
in reads) and on the connectors' reads that print what an export would.

Open findings are strict xfails (`finding`): the mark comes off when the finding is
fixed. Attacks that held stay as ordinary tests.
"""

from __future__ import annotations

import base64
import contextlib
import json
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from psycopg import sql as pgsql

from phigate.ops.pgserver import EmbeddedPostgres
from tests.adversarial.harness import AGENT, Bench
from tests.adversarial.test_findings_round3 import (
    SECRETS,
    cluster,
    kube,
    needs_kubectl,
    run_kubectl,
)
from tests.conftest import Harness
from tests.connectors import kube_standin
from tests.connectors.support import harness_with

__all__ = ["cluster", "kube"]  # fixtures shared with round 3


# ── kubectl: a read that prints a Secret ───────────────────────────────────────
SECRET_MANIFEST = "apiVersion: v1\nkind: Secret\nmetadata: {name: db-pass, namespace: default}\n"


@needs_kubectl
@pytest.mark.parametrize(
    "argv",
    [
        ["wait", "--for=create", "secret/db-pass", "-o", "yaml", "--timeout=2s"],
        ["wait", "--for=jsonpath={.type}=Opaque", "secrets", "--all", "-o", "json"],
        ["wait", "--for=create", "-f", "secret.yaml", "-o", "yaml", "--timeout=2s"],
    ],
    ids=["type-name", "all-secrets", "manifest"],
)
async def test_waiting_on_a_secret_with_output_is_an_export(
    kube: Harness, cluster: kube_standin.KubeStandIn, tmp_path: Path, argv: list[str]
) -> None:
    """docs/exec.md: commands that print credentials are `export` (`get secrets` in any
    spelling, `--raw` too; a Secret in a `-f` manifest of `get`/`describe`/`edit`).
    `kubectl wait … -o yaml` prints every object it waited for, whole, as `get -o yaml`
    does: for a Secret, its base64 `data`. `wait` is a read with `-o` on its flag
    list, its resource slot is normalised (`secret/db-pass` → `secrets`), but no rule
    names `wait secrets`, and a Secret in its manifest raises nothing: it runs at once
    under the demo policy, and kubectl fetches the Secret with the gateway's
    credentials."""
    (tmp_path / "work" / "secret.yaml").write_text(SECRET_MANIFEST)
    response = await run_kubectl(kube, *argv)
    fetched = [p for p, _ in cluster.requests if p.startswith(SECRETS)]
    assert response.status_code != 200 and not fetched, (
        f"ran as a read; kubectl fetched {fetched}: {response.text[:300]}"
    )


# ── helm: a status that prints the release's values and manifests ─────────────
RECORDER = """#!/bin/sh
printf '%s\\n' "$@" >> "$RECORD"
"""


@pytest.fixture
async def helm(tmp_path: Path) -> AsyncIterator[Harness]:
    """The REST door over an exec connection whose `helm` only records its argv."""
    program = tmp_path / "bin" / "helm"
    program.parent.mkdir()
    program.write_text(RECORDER)
    program.chmod(0o755)
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    settings = {
        "type": "exec",
        "programs": [str(program)],
        "working_dir": str(work),
        "env": {"RECORD": str(tmp_path / "ran"), "HOME": str(tmp_path)},
        "timeout_seconds": 20,
        "rule_sets": ["helm"],
    }
    h = await harness_with(tmp_path, {"deploy": settings})
    try:
        yield h
    finally:
        await h.client.aclose()
        await h.gateway.close()


async def _run_helm(h: Harness, *argv: str) -> httpx.Response:
    body = {"connection": "deploy", "argv": ["helm", *argv]}
    return await h.client.post("/v1/actions", headers=h.auth("claims-bot"), json=body)


@pytest.mark.parametrize("output", ["-o=yaml", "--output=json"])
async def test_helm_status_in_yaml_or_json_is_an_export(
    helm: Harness, tmp_path: Path, output: str
) -> None:
    """docs/exec.md: `helm get` (values and manifests) is `export` — "values and
    rendered manifests carry the release's passwords and Secrets" — and `helm status`
    a read. But helm's `status -o json|yaml` encodes the whole release object (only
    the chart is stripped): `config` (the user-supplied values) and `manifest` (every
    rendered Secret), exactly what `helm get all` prints. `-o` is on `status`'s flag
    list, so `helm status api -o yaml` runs at once under the demo policy."""
    response = await _run_helm(helm, "status", "api", output)
    ran = tmp_path / "ran"
    assert response.status_code != 200 and not ran.exists(), (
        f"ran as a read ({ran.read_text() if ran.exists() else ''!r}): {response.text[:300]}"
    )


async def test_held_helm_get_values_and_a_table_status(helm: Harness, tmp_path: Path) -> None:
    exported = await _run_helm(helm, "get", "values", "api", "-o", "yaml")
    assert exported.status_code == 202, exported.text
    table = await _run_helm(helm, "status", "api")
    assert table.status_code == 200, table.text


# ── a large object's text, encoded ─────────────────────────────────────────────
LARGE_OBJECT_TEXT = "Patient Jimmy Gaines SSN 706-56-7705 DOB 1934-04-22"


@pytest.fixture
def large_object(bench: Bench, pg_server: EmbeddedPostgres) -> Iterator[int]:
    """A large object holding a patient's details, as an application stores a scanned
    form's text, readable by every role (the gateway's reads included)."""
    dbname = str(psycopg.conninfo.conninfo_to_dict(bench.ehr_dsn)["dbname"])
    with psycopg.connect(pg_server.dsn(dbname), autocommit=True) as app:
        row = app.execute(
            "SELECT lo_from_bytea(0, convert_to(%s, 'UTF8'))", (LARGE_OBJECT_TEXT,)
        ).fetchone()
        assert row is not None
        oid = int(row[0])
        app.execute(pgsql.SQL("GRANT SELECT ON LARGE OBJECT {} TO PUBLIC").format(oid))
    try:
        yield oid
    finally:
        with psycopg.connect(pg_server.dsn(dbname), autocommit=True) as app:
            app.execute("SELECT lo_unlink(%s)", (oid,))


async def _approved_rows(bench: Bench, sql: str) -> Any:
    """Ask for `sql` as the agent, approve it as alice (a data owner), run it: its rows."""
    agent = {"Authorization": f"Bearer {bench.tokens[AGENT]}"}
    asked = await bench.client.post(
        "/v1/actions", headers=agent, json={"connection": "ehr", "sql": sql}
    )
    assert asked.status_code == 202, asked.text
    body = asked.json()
    voted = await bench.client.post(
        f"/v1/approvals/{body['approval']['id']}/approve",
        headers={"Authorization": f"Bearer {bench.tokens['alice']}"},
        json={"comment": "ok"},
    )
    assert voted.status_code == 200, voted.text
    ran = await bench.client.post(f"/v1/actions/{body['id']}/run", headers=agent)
    assert ran.status_code == 200, ran.text
    return ran.json()["result"]["rows"]


# How each computation of the object's bytes is read back: (SQL around `lo_get(oid)`,
# the inverse of what it did to the text).
COMPUTED: dict[str, tuple[str, Callable[[str], str]]] = {
    "hex": ("encode({}, 'hex')", lambda v: bytes.fromhex(v).decode("utf-8", "replace")),
    "base64": ("encode({}, 'base64')", lambda v: base64.b64decode(v + "==").decode()),
    "reverse": ("reverse(convert_from({}, 'UTF8'))", lambda v: v[::-1]),
    "digits-as-letters": (
        "translate(convert_from({}, 'UTF8'), '0123456789', 'abcdefghij')",
        lambda v: v.translate(str.maketrans("abcdefghij", "0123456789")),
    ),
}


@pytest.mark.parametrize("form", list(COMPUTED))
def test_a_large_objects_text_computed_on_is_masked_or_withheld(
    bench: Bench, large_object: int, form: str
) -> None:
    """The promise lists large objects among what is never returned unmasked, and
    docs/masking.md: a column computed from free text by anything but a join or a
    whitespace trim (`reverse`, `encode`, …) is withheld whole, since a detector
    cannot read reversed or encoded text. `lo_get(oid)` is an export (a data owner
    approves it) and its answer is masked as free text (`Patient [PERSON] SSN [SSN]
    …`), and `encode(convert_to(note_text, 'UTF8'), 'hex')` is `[WITHHELD]`. But the
    object's bytes come from no table, so a computation over them is treated like
    one over a constant: approved as the same export, `encode(lo_get(oid), 'hex')`
    returns the whole text in hex (or base64, reversed, digits spelled as letters),
    name, SSN and date of birth readable by anyone who undoes it."""
    template, undo = COMPUTED[form]
    sql = "SELECT " + template.format(f"lo_get({large_object})")
    rows = bench.call(_approved_rows(bench, sql))
    value = rows[0][0]
    shown = "" if value == "[WITHHELD]" else undo(value)
    for secret in ("Gaines", "706-56-7705", "1934-04-22"):
        assert secret not in shown, f"{secret!r} in the answer: {value} = {shown!r}"


def test_held_a_large_objects_text_and_computed_free_text_are_masked(
    bench: Bench, large_object: int
) -> None:
    as_text = bench.call(
        _approved_rows(bench, f"SELECT convert_from(lo_get({large_object}), 'UTF8')")
    )
    assert "Gaines" not in str(as_text) and "706-56-7705" not in str(as_text), as_text
    # convert_to(text, 'UTF8') cannot fail on a UTF8 server: no condition, run at once.
    notes = "SELECT encode(convert_to(note_text, 'UTF8'), 'hex') FROM clinical_notes WHERE id = 1"
    out = bench.rest(notes)
    assert out.status == "executed", out.detail
    assert json.loads(out.text.split("\n", 1)[0])["result"]["rows"] == [["[WITHHELD]"]]


# ── a publication's row filter: a definition the catalog masking does not list ──
@pytest.fixture
def publication(bench: Bench, pg_server: EmbeddedPostgres) -> Iterator[str]:
    """A publication that leaves one patient out of replication, by name, MRN and SSN
    (as an operator keeps a test record, or a patient who opted out, off a replica)."""
    dbname = str(psycopg.conninfo.conninfo_to_dict(bench.ehr_dsn)["dbname"])
    with psycopg.connect(pg_server.dsn(dbname), autocommit=True) as owner:
        owner.execute(
            "CREATE PUBLICATION opted_out FOR TABLE patients WHERE (last_name <> 'Gaines'"
            " AND mrn <> '25372872' AND ssn <> '706-56-7705')"
        )
    try:
        yield "opted_out"
    finally:
        with psycopg.connect(pg_server.dsn(dbname), autocommit=True) as owner:
            owner.execute("DROP PUBLICATION opted_out")


def _as_bytes(text: str) -> str:
    """How a parse tree (`pg_node_tree`) writes a text constant's bytes."""
    return " ".join(str(b) for b in text.encode())


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT rowfilter FROM pg_publication_tables",
        "SELECT prqual FROM pg_publication_rel",
        "SELECT qual FROM pg_get_publication_tables('opted_out')",
    ],
    ids=["rowfilter", "prqual", "pg_get_publication_tables"],
)
def test_a_publications_row_filter_is_masked_as_a_definition(
    bench: Bench, publication: str, sql: str
) -> None:
    """docs/masking.md: SQL definitions from the catalogs hold whatever constants their
    owners wrote, so the catalog's definition columns are masked as SQL text wherever
    they are read (every string literal `'[WITHHELD]'`), and parse trees
    (`pg_node_tree`: `adbin`, `conbin`, `polqual`, …) are withheld whole. A
    publication's row filter is both: `pg_publication_tables.rowfilter` (SQL text) and
    `pg_publication_rel.prqual` (its parse tree) are on neither list. Read at once
    under the demo policy, the first shows `last_name <> 'Gaines'` and `mrn <>
    '25372872'` (only the formatted SSN is caught by a detector); the second spells
    name, MRN and SSN as byte lists (`[ 71 97 105 110 101 115 ]`), and so does the
    `qual` of `pg_get_publication_tables(name)`, the function the view reads."""
    out = bench.rest(sql)
    assert out.status == "executed", out.detail
    for value in ("Gaines", "25372872", "706-56-7705"):
        for form in (value, _as_bytes(value)):
            assert form not in out.text, f"{form!r} in {out.text[:600]}"


def test_held_an_index_definition_is_masked(bench: Bench, pg_server: EmbeddedPostgres) -> None:
    """The same constants in a listed definition (a partial index) are masked."""
    dbname = str(psycopg.conninfo.conninfo_to_dict(bench.ehr_dsn)["dbname"])
    with psycopg.connect(pg_server.dsn(dbname), autocommit=True) as owner:
        owner.execute(
            "CREATE INDEX opted_out_idx ON patients (id) WHERE last_name <> 'Gaines'"
            " AND mrn <> '25372872'"
        )
    try:
        out = bench.rest("SELECT indexdef FROM pg_indexes WHERE indexname = 'opted_out_idx'")
    finally:
        with psycopg.connect(pg_server.dsn(dbname), autocommit=True) as owner:
            owner.execute("DROP INDEX opted_out_idx")
    assert out.status == "executed", out.detail
    assert "Gaines" not in out.text and "25372872" not in out.text, out.text[:400]


@needs_kubectl
async def test_a_raw_watch_of_every_secret_is_an_export(
    kube: Harness, cluster: kube_standin.KubeStandIn
) -> None:
    """docs/exec.md: `get --raw PATH` is classified by what the path reads
    (`/api/v1/namespaces/x/secrets` is `get secrets`: export), and any other form is
    `unknown`. The API server still serves the legacy watch prefix: `GET
    /api/v1/watch/secrets` streams every Secret of every namespace, data included, as
    watch events. The namespaced form (`/api/v1/watch/namespaces/default/secrets`) is
    `unknown` and denied, but the cluster-wide one runs at once as a read."""
    response = await run_kubectl(kube, "get", "--raw", "/api/v1/watch/secrets")
    fetched = [p for p, _ in cluster.requests if "secrets" in p]
    assert response.status_code != 200 and not fetched, (
        f"ran as a read; kubectl fetched {fetched}: {response.text[:300]}"
    )


@needs_kubectl
@pytest.mark.parametrize(
    "argv",
    [
        ["get", "--raw", "/api/v1/secrets"],
        ["get", "--raw", "/api/v1/watch/namespaces/default/secrets"],
        ["get", "SECRETS.v1.", "-o", "yaml"],
        ["describe", "-f", "secret.yaml"],
    ],
)
async def test_held_other_reads_of_secrets_wait_or_are_refused(
    kube: Harness, cluster: kube_standin.KubeStandIn, tmp_path: Path, argv: list[str]
) -> None:
    (tmp_path / "work" / "secret.yaml").write_text(SECRET_MANIFEST)
    response = await run_kubectl(kube, *argv)
    assert response.status_code in (202, 403), response.text[:300]
    assert not [p for p, _ in cluster.requests if "secrets" in p]


# ── held: statement smuggling through how the server reads quotes ──────────────
# With standard_conforming_strings off the server reads `'\', '` as one string and
# runs the UPDATE after it; the gateway's parser (standard strings) sees one SELECT.
SMUGGLED = "SELECT '\\', '; UPDATE claims SET status = $$smuggled$$ WHERE id = 1; -- '"


def _claim_status(dsn: str) -> str:
    with psycopg.connect(dsn) as direct:
        row = direct.execute("SELECT status FROM claims WHERE id = 1").fetchone()
    assert row is not None
    return str(row[0])


@pytest.mark.parametrize(
    "how", ["startup-option", "set", "client-encoding-sjis"], ids=lambda h: str(h)
)
def test_held_quoting_cannot_be_changed_under_the_parser(bench: Bench, how: str) -> None:
    before = _claim_status(bench.ehr_dsn)
    extra = {
        "startup-option": " options='-c standard_conforming_strings=off'",
        "set": "",
        "client-encoding-sjis": " client_encoding=SJIS",
    }[how]
    with psycopg.connect(bench.wire_dsn() + extra, autocommit=True) as conn:
        if how == "set":
            with pytest.raises(psycopg.Error):
                conn.execute("SET standard_conforming_strings = off")
        cur = psycopg.ClientCursor(conn)
        cur.execute("SHOW standard_conforming_strings")
        assert cur.fetchall() == [("on",)]
        cur.execute("SHOW client_encoding")
        assert cur.fetchall() == [("UTF8",)]
        # In SJIS, 表 is 0x95 0x5C: its second byte a backslash that would escape the quote.
        for sql in (SMUGGLED, "SELECT E'表'; UPDATE claims SET status = $$x$$ WHERE id = 1; -- '"):
            with contextlib.suppress(psycopg.Error):
                cur.execute(sql)
    assert _claim_status(bench.ehr_dsn) == before


# ── held: conditions that need approval, computations that stay masked ─────────
HELD_CONDITIONS = [
    "SELECT ssn FROM patients WHERE id = 1 UNION SELECT '706-56-7705'",
    "SELECT ssn FROM patients INTERSECT SELECT '706-56-7705'",
    "SELECT count(*) FROM patients p NATURAL JOIN (SELECT '706-56-7705'::text AS ssn) x",
    "SELECT count(*) FROM patients p JOIN (SELECT '706-56-7705'::text AS ssn) x USING (ssn)",
    "SELECT NULLIF(ssn, '706-56-7705') FROM patients WHERE id = 1",
    "WITH RECURSIVE r(s, n) AS (SELECT ssn, 0 FROM patients WHERE id = 1"
    " UNION SELECT '706-56-7705', 0 FROM r) SELECT count(*) FROM r",
    "SELECT id, (string_to_array(ssn, '706'))[2] FROM patients WHERE id IN (1, 2)",
    "SELECT id, array_position(ARRAY['706-56-7705'], ssn) FROM patients WHERE id IN (1, 2)",
    "SELECT id, regexp_substr(ssn, '^706') FROM patients WHERE id IN (1, 2)",
    "SELECT count(*) FROM (SELECT ssn FROM patients WHERE id = 1"
    " UNION ALL SELECT '706-56-7705') s(x) GROUP BY x",
    "SELECT pg_notify('ehr_events', ssn) FROM patients WHERE id = 1",
    "SELECT set_config('application_name', ssn, false) FROM patients WHERE id = 1",
]


@pytest.mark.parametrize("sql", HELD_CONDITIONS)
def test_held_conditions_and_side_effects_wait(bench: Bench, sql: str) -> None:
    assert bench.rest(sql).status in ("approval", "denied"), sql


# Outputs whose emptiness or NULL could answer a question about the value: each is
# redacted whole, empty strings included.
HELD_COMPUTED = [
    "SELECT id, split_part(ssn, '706-', 2) FROM patients WHERE id IN (1, 2)",
    "SELECT id, replace(ssn, '706-56-7705', '') FROM patients WHERE id IN (1, 2)",
    "SELECT id, substr(last_name, 7, 1) FROM patients WHERE id IN (1, 2)",
    "SELECT id, btrim(last_name, 'Gaines') FROM patients WHERE id IN (1, 2)",
    "SELECT id, date_part('year', dob), to_char(dob, 'YYYY') FROM patients WHERE id IN (1, 2)",
]


@pytest.mark.parametrize("sql", HELD_COMPUTED)
def test_held_computed_values_are_redacted_whole(bench: Bench, sql: str) -> None:
    out = bench.rest(sql)
    assert out.status == "executed", out.detail
    rows = json.loads(out.text.split("\n", 1)[0])["result"]["rows"]
    assert all(isinstance(v, str) and v.startswith("[") for row in rows for v in row[1:]), rows


# Approved reads that fail on the value, whose error message prints it unquoted.
HELD_ERRORS = [
    "SELECT get_byte('\\x00'::bytea, replace(ssn, '-', '')::int) FROM patients WHERE id = 1",
    "SELECT chr(replace(ssn, '-', '')::int) FROM patients WHERE id = 1",
    "SELECT get_byte('\\x00'::bytea, mrn::int) FROM patients WHERE id = 1",
]


async def _approved_answer(bench: Bench, sql: str) -> str:
    agent = {"Authorization": f"Bearer {bench.tokens[AGENT]}"}
    body = {"connection": "ehr", "sql": sql}
    asked = (await bench.client.post("/v1/actions", headers=agent, json=body)).json()
    await bench.client.post(
        f"/v1/approvals/{asked['approval']['id']}/approve",
        headers={"Authorization": f"Bearer {bench.tokens['alice']}"},
        json={"comment": "ok"},
    )
    return (await bench.client.post(f"/v1/actions/{asked['id']}/run", headers=agent)).text


@pytest.mark.parametrize("sql", HELD_ERRORS)
def test_held_an_approved_reads_error_does_not_print_the_value(bench: Bench, sql: str) -> None:
    answer = bench.call(_approved_answer(bench, sql))
    assert "upstream error" in answer, answer
    for value in ("706567705", "25372872"):
        assert value not in answer, answer


def test_held_a_notification_is_not_relayed_unmasked(bench: Bench) -> None:
    """An application's trigger notifies listeners with a patient's details; an agent
    listening on the wire never receives them unmasked."""
    payloads: list[str] = []
    with psycopg.connect(bench.wire_dsn(), autocommit=True) as conn:
        conn.add_notify_handler(lambda n: payloads.append(n.payload))
        conn.execute("LISTEN ehr_events")
        with psycopg.connect(bench.ehr_dsn, autocommit=True) as app:
            app.execute(
                "SELECT pg_notify('ehr_events', last_name || ' ' || ssn || ' ' || mrn)"
                " FROM patients WHERE id = 1"
            )
        conn.execute("SELECT 1")
    for payload in payloads:
        assert "Gaines" not in payload and "706-56-7705" not in payload, payload


# ── an upstream view that renames PHI columns ──────────────────────────────────
@pytest.fixture
def renaming_views(bench: Bench, pg_server: EmbeddedPostgres) -> Iterator[None]:
    """A view and a materialized view the application keeps for a billing screen, whose
    columns carry the patient's name and city under the names of the screen's fields."""
    dbname = str(psycopg.conninfo.conninfo_to_dict(bench.ehr_dsn)["dbname"])
    with psycopg.connect(pg_server.dsn(dbname), autocommit=True) as owner:
        owner.execute(
            "CREATE VIEW billing_screen AS SELECT id, last_name AS status,"
            " first_name AS payer, city AS state FROM patients"
        )
        owner.execute(
            "CREATE MATERIALIZED VIEW billing_cache AS SELECT id, last_name AS status,"
            " first_name AS payer, city AS state FROM patients"
        )
        owner.execute("GRANT SELECT ON billing_screen, billing_cache TO PUBLIC")
    try:
        yield
    finally:
        with psycopg.connect(pg_server.dsn(dbname), autocommit=True) as owner:
            owner.execute("DROP VIEW billing_screen")
            owner.execute("DROP MATERIALIZED VIEW billing_cache")


@pytest.mark.parametrize("relation", ["billing_screen", "billing_cache"])
@pytest.mark.parametrize("door", ["rest", "wire"])
def test_phi_columns_read_through_an_upstream_view_are_masked(
    bench: Bench, renaming_views: None, relation: str, door: str
) -> None:
    """docs/masking.md: each column is classified from its lineage
    (`schema.table.column` from the SQL classifier; the most sensitive source wins)
    before its name. `patients.last_name`, `first_name` and `city` are PHI. Read
    through a view (or a materialized view) the application defined over them, the
    classifier stops at the view: its columns are judged by their names alone, and
    `status`, `payer`, `state` are names that keep a column, where a bare name is
    "left as it is". `SELECT * FROM billing_screen WHERE id = 1` runs at once and
    answers `[1, "Gaines", "Jimmy", "Lindafurt"]`."""
    sql = f"SELECT * FROM {relation} WHERE id = 1"
    out = bench.rest(sql) if door == "rest" else bench.wire([sql])
    assert out.status == "executed", out.text[:300]
    for value in ("Gaines", "Jimmy", "Lindafurt"):
        assert value not in out.text, f"{value!r} in {out.text[:300]}"


@pytest.mark.parametrize("relation", ["billing_screen", "billing_cache"])
def test_a_condition_through_an_upstream_view_waits(
    bench: Bench, renaming_views: None, relation: str
) -> None:
    """`payer` is `patients.first_name`: a condition on it is one on a name."""
    out = bench.rest(f"SELECT count(*) FROM {relation} WHERE payer = 'Jimmy'")
    assert out.status in ("approval", "denied"), out.text[:300]


# ── REST: an export the door cannot run is still sent for approval ─────────────
async def _ask_approve_run(bench: Bench, sql: str) -> tuple[int, int, str]:
    """(status of the ask, status of the run after alice approved, the run's body)."""
    agent = {"Authorization": f"Bearer {bench.tokens[AGENT]}"}
    asked = await bench.client.post(
        "/v1/actions", headers=agent, json={"connection": "ehr", "sql": sql}
    )
    if asked.status_code != 202:
        return asked.status_code, 0, asked.text
    body = asked.json()
    await bench.client.post(
        f"/v1/approvals/{body['approval']['id']}/approve",
        headers={"Authorization": f"Bearer {bench.tokens['alice']}"},
        json={"comment": "ok"},
    )
    ran = await bench.client.post(f"/v1/actions/{body['id']}/run", headers=agent)
    return asked.status_code, ran.status_code, ran.text


def test_a_copy_to_stdout_over_rest_is_refused_up_front_or_runs(bench: Bench) -> None:
    """docs/sql.md: `COPY … TO STDOUT` is an export, so REST asks a data owner to
    approve it. Once approved, the run answers 502 `upstream_error` "the gateway's
    database driver refused the statement: COPY cannot be used with this method; use
    copy() instead": the reviewer's approval is spent on a statement this door can
    never run, and the agent gets a driver's internals as the upstream's error.
    Either the door refuses it before anyone is asked (a clear 4xx), or it runs."""
    asked, ran, text = bench.call(
        _ask_approve_run(bench, "COPY (SELECT id, status FROM claims WHERE id = 1) TO STDOUT")
    )
    assert (400 <= asked < 500 and asked != 403) or ran == 200, (asked, ran, text[:300])


# ── finding 3 without an approval: a comment read by a function ────────────────
@pytest.fixture
def commented_table(bench: Bench, pg_server: EmbeddedPostgres) -> Iterator[str]:
    """A table comment naming the test account a DBA keeps in it."""
    dbname = str(psycopg.conninfo.conninfo_to_dict(bench.ehr_dsn)["dbname"])
    with psycopg.connect(pg_server.dsn(dbname), autocommit=True) as owner:
        owner.execute(
            "COMMENT ON TABLE claims IS 'Test account: Jimmy Gaines, MRN 25372872, SSN 706-56-7705'"
        )
    try:
        yield "claims"
    finally:
        with psycopg.connect(pg_server.dsn(dbname), autocommit=True) as owner:
            owner.execute("COMMENT ON TABLE claims IS NULL")


@pytest.mark.parametrize("form", ["hex", "reverse"])
def test_a_comment_computed_on_is_withheld(bench: Bench, commented_table: str, form: str) -> None:
    """The same cause as the large object, with no approval at all: `obj_description`
    (a read) answers the comment masked as free text, and `reverse(description) FROM
    pg_description` is `[WITHHELD]`, but `reverse(obj_description('claims'::regclass))`
    or its hex runs at once and shows `seniaG ymmiJ`, `27827352` (the MRN reversed) or
    the whole comment in hex."""
    template, undo = COMPUTED[form]
    read = f"convert_to(obj_description('{commented_table}'::regclass), 'UTF8')"
    sql = "SELECT " + template.format(read)
    out = bench.rest(sql)
    assert out.status == "executed", out.detail
    value = json.loads(out.text.split("\n", 1)[0])["result"]["rows"][0][0]
    shown = "" if value == "[WITHHELD]" else undo(value)
    for secret in ("Gaines", "25372872", "706-56-7705"):
        assert secret not in shown, f"{secret!r} in the answer: {value} = {shown!r}"
