"""Round 13b: a promises-only attack on phigate after round 12's fixes.

The HTTP connector's promise that the gateway's own credential never comes back "in
any form (any encoding)", and the wire door with psycopg. Open findings are strict
xfails (`finding`): the mark comes off when the finding is fixed. Attacks that held
stay as ordinary tests.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql as pgsql

from phigate.doors.pgwire import _codec as codec
from phigate.ops.pgserver import EmbeddedPostgres
from tests.adversarial.harness import http_upstream, json_documents
from tests.adversarial.test_findings_round4 import client, tags, wire
from tests.conftest import Harness, demo_config, reader_dsn_for
from tests.connectors.support import http_api
from tests.pgwire.conftest import Wire, start_wire
from tests.pgwire.rawclient import RawClient, error_fields
from tests.support.approvals import approve_all

__all__ = ["client", "wire"]  # fixtures shared with round 4

# The credential of the `api` connection (a bearer token).
CREDENTIAL = "gw-S3cr3t-Token-7f3a9c2e1b"
RAW = CREDENTIAL.encode()

# Forms the scrubber reads (docs/http.md): held.
HELD = {
    "as-sent": CREDENTIAL,
    "percent": "".join(f"%{b:02X}" for b in RAW),
    "json-unicode": "".join(f"\\u{b:04x}" for b in RAW),
    "c-hex": "".join(f"\\x{b:02x}" for b in RAW),
    "html-decimal": "".join(f"&#{b};" for b in RAW),
    "hex": RAW.hex(),
    "base64": base64.b64encode(RAW).decode(),
}

# Byte and escape encodings other tools print, which the scrubber does not decode.
ESCAPES = {
    # C, Python, bash $'…', PostgreSQL E'…' and `od -b`: one octal escape per byte
    "octal": "".join(f"\\{b:03o}" for b in RAW),
    # ES2015, Rust, Swift, PHP: `\u{67}`
    "unicode-braces": "".join(f"\\u{{{b:x}}}" for b in RAW),
    # HTML5 reads a numeric reference without its `;` (browsers decode it)
    "html-no-semicolon": "".join(f"&#x{b:x} " for b in RAW).replace(" ", ""),
    # quoted-printable (MIME), every byte encoded
    "quoted-printable": "".join(f"={b:02X}" for b in RAW),
    # Go's %#v of a []byte
    "go-bytes": "[]byte{" + ", ".join(f"0x{b:02x}" for b in RAW) + "}",
}

# The credential's bytes as JSON numbers or in another text encoding.
ENCODINGS: dict[str, Any] = {
    # Node.js: JSON.stringify(Buffer.from(token)) — an echo server's default dump
    "node-buffer": {"type": "Buffer", "data": list(RAW)},
    # Windows and .NET: base64 of UTF-16LE (PowerShell -EncodedCommand, Convert.ToBase64String)
    "base64-utf16": base64.b64encode(CREDENTIAL.encode("utf-16-le")).decode(),
}

DOCUMENTS: dict[str, object] = {
    **{f"/held/{k}": {"you_sent": v} for k, v in HELD.items()},
    **{f"/escape/{k}": {"you_sent": v} for k, v in ESCAPES.items()},
    **{f"/encoding/{k}": {"you_sent": v} for k, v in ENCODINGS.items()},
}


@pytest.fixture(scope="module")
def documents() -> Iterator[str]:
    with http_upstream(json_documents(DOCUMENTS), "round13b-documents") as address:
        yield address


@pytest.fixture
async def api(tmp_path: Path, documents: str) -> AsyncIterator[Harness]:
    async with http_api(tmp_path, documents, CREDENTIAL) as harness:
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


# ── the HTTP connector: the gateway's credential in other encodings ─────────────
@pytest.mark.parametrize("form", sorted(HELD))
async def test_held_the_credential_in_the_forms_the_docs_name_is_redacted(
    api: Harness, form: str
) -> None:
    shown = json.dumps(await _echoed(api, f"/held/{form}"))
    assert "REDACTED" in shown, shown


@pytest.mark.parametrize("form", sorted(ESCAPES))
async def test_the_credential_escaped_in_other_syntaxes_is_redacted(
    api: Harness, form: str
) -> None:
    """docs/http.md: every credential is scrubbed "in every form an upstream could echo
    it ... with any of its characters escaped", and lists the escapes it decodes
    (percent, `\\uXXXX`, `\\xXX`, HTML references). The escapes the languages and
    tools around it print are not all among them: `\\147\\167…` (C, Python, bash
    `$'…'`, PostgreSQL `E''`), `\\u{67}` (JavaScript, Rust, Swift, PHP), `&#x67&#x77`
    (HTML5 ends a numeric reference without its `;`), `=67=77` (quoted-printable) and
    `[]byte{0x67, …}` (Go's `%#v`) all hand the bearer token back to the agent,
    one mechanical decode away."""
    echo = ESCAPES[form]
    shown = await _echoed(api, f"/escape/{form}")
    assert echo not in json.dumps(shown) and shown != echo, shown


@pytest.mark.parametrize("form", sorted(ENCODINGS))
async def test_the_credentials_bytes_in_another_encoding_are_redacted(
    api: Harness, form: str
) -> None:
    """An echo endpoint written in Node that returns the request's header as a
    `Buffer` answers `{"type": "Buffer", "data": [103, 119, …]}` (what
    `JSON.stringify` makes of one); a .NET service that logs a value base64-encodes
    its UTF-16 (`Convert.ToBase64String(Encoding.Unicode.GetBytes(…))`). The scrubber
    looks for the credential's UTF-8 bytes only, in text only: neither is redacted."""
    echo = ENCODINGS[form]
    shown = await _echoed(api, f"/encoding/{form}")
    assert shown != echo, shown


# ── the wire door: session settings and an approved write ───────────────────────
# A client setting, a write whose meaning it changes, and how to read back what the
# write stored: (SET, write, read-back query).
SETTINGS = {
    "DateStyle": (
        "SET DateStyle = 'ISO, DMY'",
        "UPDATE encounters SET encounter_date = '03/04/2024' WHERE id = 7",
        "SELECT encounter_date::text FROM encounters WHERE id = 7",
    ),
    "TimeZone": (
        "SET TimeZone = 'Asia/Tokyo'",
        "UPDATE clinical_notes SET written_at = timestamptz '2024-06-01 12:00+00' WHERE id = 7",
        "SELECT written_at::text FROM clinical_notes WHERE id = 7",
    ),
    # pg_catalog first, as docs/sql.md asks: a read; `staging` is the operator's
    # schema beside `public` (see _staging)
    "search_path": (
        "SET search_path = pg_catalog, staging",
        "UPDATE claims SET status = 'r13b-staged' WHERE id = 7",
        "SELECT status FROM staging.claims WHERE id = 7",
    ),
}


def _staging(pg_server: EmbeddedPostgres, ehr_dsn: str) -> None:
    """A second schema with a `claims` of its own, as databases that stage data beside
    production hold, readable by the reader role and writable by the writer."""
    info = psycopg.conninfo.conninfo_to_dict(ehr_dsn)
    reader = psycopg.conninfo.conninfo_to_dict(reader_dsn_for(ehr_dsn))["user"]
    writer = info["user"]
    with psycopg.connect(pg_server.dsn(str(info["dbname"])), autocommit=True) as admin:
        admin.execute("CREATE SCHEMA IF NOT EXISTS staging")
        admin.execute("CREATE TABLE IF NOT EXISTS staging.claims AS SELECT * FROM public.claims")
        for role, rights in ((reader, "SELECT"), (writer, "SELECT, UPDATE")):
            name = pgsql.Identifier(str(role))
            admin.execute(pgsql.SQL("GRANT USAGE ON SCHEMA staging TO {}").format(name))
            admin.execute(
                pgsql.SQL("GRANT {} ON staging.claims TO {}").format(pgsql.SQL(rights), name)
            )


def _stored(dsn: str, setting: str) -> tuple[str, str]:
    """What the write stores when run directly in a session with the setting (the
    meaning the client asked for, rolled back), and what the table holds now."""
    set_sql, write, read = SETTINGS[setting]
    with psycopg.connect(dsn) as direct:
        now = direct.execute(read).fetchone()
        direct.execute(set_sql)
        direct.execute(write)
        meant = direct.execute(read).fetchone()
        direct.rollback()
    assert now is not None and meant is not None
    return str(meant[0]), str(now[0])


async def _query(client: RawClient, sql: str) -> list[codec.Message]:
    client.send(codec.query(sql))
    return await client.until(b"Z")


@pytest.mark.parametrize("setting", sorted(SETTINGS))
async def test_an_approved_write_means_what_it_means_in_the_clients_session(
    wire: Wire, client: RawClient, ehr_dsn: str, pg_server: EmbeddedPostgres, setting: str
) -> None:
    """docs/sql.md lists `SET` of a client setting as a read, and the wire door lets a
    session set `DateStyle` and `TimeZone` (drivers and tools do: libpq's `PGDATESTYLE`
    and `PGTZ`, an application's `SET TimeZone = 'Asia/Tokyo'`). A write on a read-only
    session runs on the writer, a connection with the server's defaults, so the same
    text means another value there: the reviewer approves `encounter_date =
    '03/04/2024'` in a session where it is 3 April, and 4 March is written; a
    `timestamp` set from `timestamptz '… 12:00+00'` in a Tokyo session is 21:00, on
    the writer 12:00.
    The write must mean on the writer what it means in the session it came from (or
    be refused when it cannot); the reviewer is shown the settings it runs with.
    With `search_path = pg_catalog, staging` (allowed: pg_catalog comes first) an
    `UPDATE claims` the session means for `staging.claims` is run on `public.claims`,
    the production table."""
    set_sql, write, _ = SETTINGS[setting]
    await asyncio.to_thread(_staging, pg_server, ehr_dsn)
    answers = await _query(client, set_sql)
    if setting == "search_path":
        # Refused since finding 4 was fixed: a session never holds a path that would
        # resolve names where the gateway does not, so no write can mean another table.
        assert error_fields(answers)["C"] == "42501", answers
        return
    assert not error_fields(answers), answers
    meant, before = await asyncio.to_thread(_stored, ehr_dsn, setting)
    assert meant != before  # the write changes the row in the client's session
    assert error_fields(await _query(client, write))["C"] == "55000"
    [bound] = await approve_all(wire)  # the reviewer sees the setting the write runs with
    assert (bound["sql"], bound["params"], list(bound["settings"])) == (write, [], [setting])
    answers = await _query(client, write)
    assert tags(answers) == ["UPDATE 1"], answers
    after = await asyncio.to_thread(_stored, ehr_dsn, setting)
    assert after[1] == meant, f"the session meant {meant}; the writer stored {after[1]}"


# ── the wire door: a search_path the gateway does not resolve names with ───────────
STAGING_DENIED = {
    "name": "staging-is-off-limits",
    "match": {"tables": ["staging.*"]},
    "decision": "deny",
    "reason": "the staging schema holds raw imports; agents never read it",
}


def _intake(pg_server: EmbeddedPostgres, ehr_dsn: str) -> None:
    """`staging.intake`, a table of raw imports (an SSN per row) only in `staging`,
    readable by the reader role as the database allows; the policy denies it."""
    info = psycopg.conninfo.conninfo_to_dict(ehr_dsn)
    reader_info = psycopg.conninfo.conninfo_to_dict(reader_dsn_for(ehr_dsn))
    reader = pgsql.Identifier(str(reader_info["user"]))
    with psycopg.connect(pg_server.dsn(str(info["dbname"])), autocommit=True) as admin:
        admin.execute("CREATE SCHEMA IF NOT EXISTS staging")
        admin.execute(
            "CREATE TABLE IF NOT EXISTS staging.intake AS "
            "SELECT id, ssn, last_name FROM public.patients ORDER BY id LIMIT 20"
        )
        admin.execute(pgsql.SQL("GRANT USAGE ON SCHEMA staging TO {}").format(reader))
        admin.execute(pgsql.SQL("GRANT SELECT ON staging.intake TO {}").format(reader))


def _through_wire(dsn: str, statements: list[str]) -> tuple[str, str]:
    """(outcome of the last statement: executed | SQLSTATE, what came back)."""
    out: list[str] = []
    status = "executed"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.add_notice_handler(lambda d: None)
        for sql in statements:
            status = "executed"
            try:
                cur = conn.execute(sql)
                if cur.description is not None:
                    out.append(json.dumps(cur.fetchall(), default=str))
            except psycopg.Error as e:
                status = e.sqlstate or "error"
                out.append(str(e))
    return status, "\n".join(out)


@pytest.fixture
async def staged(tmp_path: Path, ehr_dsn: str, pg_server: EmbeddedPostgres) -> AsyncIterator[Wire]:
    """A wire door whose policy is the demo's plus a rule denying `staging.*`."""
    await asyncio.to_thread(_intake, pg_server, ehr_dsn)
    (tmp_path / "demo").mkdir()
    policy = demo_config(tmp_path / "demo", ehr_dsn).policy.model_dump(mode="json")
    policy["rules"] = [STAGING_DENIED, *policy["rules"]]
    harness, listener = await start_wire(
        tmp_path, ehr_dsn, overrides={"policy": policy}, approval_wait_seconds=0.3
    )
    try:
        yield Wire(harness, listener)
    finally:
        await listener.close()
        await harness.gateway.close()


async def test_a_table_the_policy_denies_stays_denied_whatever_the_search_path(
    staged: Wire,
) -> None:
    """docs/sql.md classifies `SET` of `search_path` as a read unless it puts a schema
    before `pg_catalog`. The server then resolves unqualified names in that path; the
    gateway resolves them in the default one (`public`). With a rule denying
    `staging.*` (a schema of raw imports, or another tenant's schema beside the
    agent's), `SELECT … FROM staging.intake` is denied, but after `SET search_path =
    pg_catalog, staging` the same rows come back for `SELECT … FROM intake`, which the
    gateway takes for `public.intake` — and so does a condition on their SSNs
    (`WHERE ssn LIKE '1%'`), which no predicate rule naming `staging.intake.ssn` would
    catch either."""
    dsn = staged.dsn("claims-bot")
    qualified = await asyncio.to_thread(
        _through_wire, dsn, ["SELECT count(*) FROM staging.intake WHERE ssn LIKE '1%'"]
    )
    assert qualified[0] == "42501", qualified  # the rule holds for the qualified name
    unqualified = await asyncio.to_thread(
        _through_wire,
        dsn,
        [
            "SET search_path = pg_catalog, staging",
            "SELECT count(*) FROM intake WHERE ssn LIKE '1%'",
        ],
    )
    # The SET is refused (`unknown`), so `intake` is looked up in the default path,
    # where there is none: no count of staging's rows comes back.
    assert unqualified[0] != "executed", f"staging.intake was read: {unqualified}"
    assert "phigate denied" in unqualified[1], unqualified


# ── the wire door: a write in a failed transaction ──────────────────────────────
def _status(dsn: str, claim: int) -> str:
    with psycopg.connect(dsn) as direct:
        row = direct.execute("SELECT status FROM claims WHERE id = %s", (claim,)).fetchone()
    assert row is not None
    return str(row[0])


async def test_held_an_approved_write_in_a_failed_transaction_does_not_run(
    wire: Wire, client: RawClient, ehr_dsn: str
) -> None:
    """The server skips every statement of a failed transaction block until its end;
    an approved write sent there must not run on the writer."""
    write = "UPDATE claims SET status = 'r13b-failed' WHERE id = 11"
    assert error_fields(await _query(client, write))["C"] == "55000"
    assert await approve_all(wire) == [{"sql": write, "params": []}]
    await _query(client, "BEGIN")
    assert error_fields(await _query(client, "SELECT 1/0"))["C"] == "22012"
    answers = await _query(client, write)
    assert error_fields(answers)["C"] in ("25P02", "25001"), answers
    assert await asyncio.to_thread(_status, ehr_dsn, 11) != "r13b-failed"
    await _query(client, "ROLLBACK")


# ── masking: a column kept by its name ──────────────────────────────────────────
def _imports(pg_server: EmbeddedPostgres, ehr_dsn: str) -> list[str]:
    """`staging.claim_imports`, raw claim lines as a clearinghouse sends them: the
    status line quotes the patient, `external_id` is the sender's key (the MRN), and a
    misaligned import put the SSN under `cpt_code`. The PHI values, for the check."""
    info = psycopg.conninfo.conninfo_to_dict(ehr_dsn)
    reader_info = psycopg.conninfo.conninfo_to_dict(reader_dsn_for(ehr_dsn))
    reader = pgsql.Identifier(str(reader_info["user"]))
    with psycopg.connect(pg_server.dsn(str(info["dbname"])), autocommit=True) as admin:
        admin.execute("CREATE SCHEMA IF NOT EXISTS staging")
        admin.execute(
            "CREATE TABLE IF NOT EXISTS staging.claim_imports AS "
            "SELECT id, 'denied for ' || first_name || ' ' || last_name || ', SSN ' || ssn "
            "AS status, mrn AS external_id, ssn AS cpt_code "
            "FROM public.patients ORDER BY id LIMIT 3"
        )
        admin.execute(pgsql.SQL("GRANT USAGE ON SCHEMA staging TO {}").format(reader))
        admin.execute(pgsql.SQL("GRANT SELECT ON staging.claim_imports TO {}").format(reader))
        rows = admin.execute(
            "SELECT ssn, mrn, last_name FROM public.patients ORDER BY id LIMIT 3"
        ).fetchall()
    return [str(v) for row in rows for v in row]


async def test_a_column_kept_by_its_name_is_still_scanned_for_identifiers(
    wire: Wire, pg_server: EmbeddedPostgres, ehr_dsn: str
) -> None:
    """docs/masking.md: a column is classified by its name before its values are
    sampled, and `id`, `*_id`, codes, amounts, `sex`, `state` (and `status`, `payer`)
    are kept — passed through byte for byte, never scanned. Names are chosen by
    whoever designed the table, not by what lands in it: a status line quoting the
    patient (`denied for Jimmy Gaines, SSN 706-56-7705`), a sender's `external_id`
    that is the MRN, an SSN in `cpt_code` after a misaligned import. Each comes back
    as stored, although the same values in a column named `note` would be masked.
    A kept column could still be scanned for the identifiers the detectors find with
    certainty (a formatted SSN), or sampled like an unnamed one."""
    phi = await asyncio.to_thread(_imports, pg_server, ehr_dsn)
    status, shown = await asyncio.to_thread(
        _through_wire,
        wire.dsn("claims-bot"),
        ["SELECT id, status, external_id, cpt_code FROM staging.claim_imports ORDER BY id"],
    )
    assert status == "executed", shown
    leaked = [value for value in phi if value in shown]
    assert not leaked, f"unmasked: {leaked}\n{shown}"
