"""Round 33a: a promises-only attack on the audit log (promise 4) by a dishonest insider.

The insider has SQL on the SQLite state file and the gateway's log files, not
`audit.signing_key`. Records are written through a real door (`phigate token create`,
whose `token.created` records the gateway MACs), and judged as an auditor judges them:
`phigate audit export` and `phigate audit verify` (live, `--file`, `--against`).
Round 31a closed forged tails with cleared MACs and placeholder checkpoint rows; this
round aims at the checkpoints the signer believes before it signs.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from phigate.audit.chain import chain_hash
from tests.adversarial.test_findings_round31a import FORGED, Store, _cli


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    yield Store(tmp_path)


def _rechain(store: Store, start: int, subject: str | None = None) -> None:
    """Rewrite record `start` (its token naming `subject`) and re-hash it and every
    record after it, as anyone can: the chain hash is SHA-256 over public data. The
    MAC column is left as it was."""
    with sqlite3.connect(store.db) as conn:
        prev = conn.execute("SELECT hash FROM audit_log WHERE seq = ?", (start - 1,)).fetchone()
        prev_hash = "0" * 64 if prev is None else prev[0]
        rows = conn.execute(
            "SELECT seq, record FROM audit_log WHERE seq >= ? ORDER BY seq", (start,)
        ).fetchall()
        for seq, body in rows:
            record = json.loads(body)
            if seq == start and subject is not None:
                record["token"]["subject"] = subject
            record["prev_hash"] = prev_hash
            new_body = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            digest = chain_hash(prev_hash, new_body)
            conn.execute(
                "UPDATE audit_log SET record = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                (new_body, prev_hash, digest, seq),
            )
            prev_hash = digest
        conn.execute("UPDATE audit_head SET hash = ? WHERE id = 1", (prev_hash,))


def _public_key(store: Store) -> str:
    code, out = store.cli("audit", "public-key")
    assert code == 0, out
    path = store.tmp / "gateway-audit.pub"
    path.write_text(out)
    return str(path)


def test_a_record_rewritten_under_a_stale_checkpoint_gets_the_next_one_signed(
    store: Store,
) -> None:
    """Before signing, the gateway checks MACs only after the latest stored checkpoint
    whose signature verifies (`AuditLog._believed_seq`), never whether that checkpoint
    still signs the record at its sequence. Right after a checkpoint, the insider
    rewrites mallory's `token.created` (now naming carol) and re-hashes the chain; the
    gateway's next record is MAC'd over the rewritten chain, the next checkpoint signs
    it, and the insider deletes the one stale checkpoint row. The live log, a new
    export (with the gateway's public key) and `--against` an older export all verify."""
    store.tokens("u1", "u2")
    first = store.export("first.jsonl")  # checkpoint at 2
    store.tokens("u3", "mallory")
    store.export("second.jsonl")  # checkpoint at 4: mallory's record, signed
    at, _ = store.head()
    _rechain(store, at, "carol")
    store.tokens("u5")  # the gateway's own record, MAC'd over the rewritten chain
    store.export("third.jsonl")  # signs record 5, believing the stale checkpoint at 4
    store.sql("DELETE FROM audit_checkpoints WHERE seq = ?", (at,))
    exported = store.export()
    assert '"subject":"mallory"' not in exported.read_text()
    live = store.cli("audit", "verify")
    offline = store.cli(
        "audit", "verify", "--file", str(exported), "--public-key", _public_key(store)
    )
    held = store.cli("audit", "verify", "--against", str(first))
    results = {"live": live, "offline": offline, "against": held}
    assert any(code != 0 for code, _ in results.values()), (
        f"mallory's token.created rewritten to carol, and every verification passes: {results}"
    )


def test_a_checkpoint_kept_from_rolled_back_history_gets_a_forgery_signed(
    store: Store,
) -> None:
    """The log reached 6 records and a checkpoint signed it; the insider rolls the store
    back to record 2 (as restoring a backup does) but keeps the checkpoint row at 6.
    The signer believes it (its signature verifies; that the log does not reach 6 is
    never asked), so it checks no MAC at or below 6: a forged approval appended at 3
    and the gateway's next record at 4 are signed together. The insider then deletes
    the row at 6, and the forged approval verifies live, offline and `--against` an
    export taken before the rollback's cut."""
    store.tokens("u1", "u2")
    first = store.export("first.jsonl")  # checkpoint at 2
    store.tokens("u3", "u4", "u5", "u6")
    store.export("second.jsonl")  # checkpoint at 6
    store.sql("DELETE FROM audit_log WHERE seq > 2")
    store.sql("UPDATE audit_head SET seq = 2, hash = (SELECT hash FROM audit_log WHERE seq = 2)")
    store.forge_tail(FORGED)  # record 3: no MAC
    store.tokens("u7")  # record 4: the gateway's, MAC'd
    store.export("third.jsonl")  # signs record 4, believing the checkpoint at 6
    store.sql("DELETE FROM audit_checkpoints WHERE seq > 4")
    exported = store.export()
    assert '"apr_forged31"' in exported.read_text()
    live = store.cli("audit", "verify")
    offline = store.cli(
        "audit", "verify", "--file", str(exported), "--public-key", _public_key(store)
    )
    held = store.cli("audit", "verify", "--against", str(first))
    results = {"live": live, "offline": offline, "against": held}
    assert any(code != 0 for code, _ in results.values()), (
        f"a forged approval, never MAC'd, verifies everywhere: {results}"
    )


def test_the_report_calls_a_chain_holding_a_forged_record_intact(store: Store) -> None:
    """docs/reports.md: the report's *Audit chain intact* control uses "the same verifier
    as `phigate audit verify`". But `phigate report --config` opens the store without
    the audit key and trusts no key (`AuditLog(_open_store(state))`): no record MAC is
    checked, and any key's checkpoint is believed. A record forged after the last
    checkpoint, which `phigate audit verify` names FORGED, passes `--check`."""
    store.tokens("u1", "u2")
    store.export("first.jsonl")
    forged = store.forge_tail(FORGED)
    code, out = store.cli("audit", "verify")
    assert code == 1 and f"FORGED: record {forged}" in out, out  # the auditor's verify sees it
    report = store.tmp / "report.json"
    code, out = _cli(
        "report", "--from", "2000-01-01", "--to", "2099-12-31", "--format", "json",
        "--out", str(report), "--config", str(store.config), "--check",
    )  # fmt: skip
    chain = json.loads(report.read_text())["chain"] if report.exists() else {}
    assert code == 1 or chain.get("ok") is False, (
        f"the report's chain control passes over a forged record: {chain}"
    )


def test_a_record_that_is_not_utf8_is_named_broken_not_a_crash(store: Store) -> None:
    """SQLite keeps whatever bytes the insider casts to TEXT. The export verifier reads a
    byte that is not UTF-8 as damage and names the record (docs/audit.md: `BROKEN at
    sequence S`, "never a traceback"); the live store's verifier, the export and the
    report die in the driver instead (`OperationalError: Could not decode to UTF-8`),
    naming no record, and the report writes nothing."""
    store.tokens("u1", "u2")
    store.export("first.jsonl")
    with sqlite3.connect(store.db) as conn:
        (body,) = conn.execute("SELECT record FROM audit_log WHERE seq = 1").fetchone()
        raw = body.encode().replace(b'"u1"', b'"u\xff1"')
        conn.execute("UPDATE audit_log SET record = CAST(? AS TEXT) WHERE seq = 1", (raw,))
    code, out = store.cli("audit", "verify")
    assert code == 1 and "EXCEPTION" not in out and "BROKEN at sequence 1" in out, out


def _undecodable(store: Store, seq: int) -> None:
    with sqlite3.connect(store.db) as conn:
        (body,) = conn.execute("SELECT record FROM audit_log WHERE seq = ?", (seq,)).fetchone()
        raw = body.encode().replace(b'"token"', b'"tok\xffen"')
        conn.execute("UPDATE audit_log SET record = CAST(? AS TEXT) WHERE seq = ?", (raw, seq))


def test_an_export_over_a_record_that_is_not_utf8_stops_naming_it(store: Store) -> None:
    store.tokens("u1", "u2")
    _undecodable(store, 2)
    code, out = store.cli("audit", "export")
    assert code != 0 and "EXCEPTION" not in out and "record 2 is not UTF-8" in out, out


def test_the_report_over_a_record_that_is_not_utf8_names_it(store: Store) -> None:
    store.tokens("u1", "u2")
    store.export("first.jsonl")
    _undecodable(store, 2)
    report = store.tmp / "report.json"
    code, out = _cli(
        "report", "--from", "2000-01-01", "--to", "2099-12-31", "--format", "json",
        "--out", str(report), "--config", str(store.config), "--check",
    )  # fmt: skip
    assert code == 1 and "EXCEPTION" not in out, out
    chain = json.loads(report.read_text())["chain"]
    assert chain["ok"] is False and chain["first_bad_seq"] == 2, chain


def test_a_checkpoint_beyond_the_head_is_named_a_rollback(store: Store) -> None:
    store.tokens("u1", "u2", "u3")
    store.export("first.jsonl")  # checkpoint at 3
    store.sql("DELETE FROM audit_log WHERE seq > 1")
    store.sql("UPDATE audit_head SET seq = 1, hash = (SELECT hash FROM audit_log WHERE seq = 1)")
    code, out = store.cli("audit", "checkpoint")
    assert code == 1 and "rolled back" in out, out
    code, out = store.cli("audit", "verify")
    assert code == 1 and "rolled back" in out, out


def test_a_signed_checkpoint_at_a_rewritten_head_is_kept_as_evidence(store: Store) -> None:
    """A signed row at the head's sequence that signs another hash is no placeholder to
    replace (round 31a): the gateway signed that sequence with other content."""
    store.tokens("u1", "u2")
    store.export("first.jsonl")  # checkpoint at 2
    _rechain(store, 2, "carol")
    code, out = store.cli("audit", "checkpoint")
    assert code == 1 and "FORGED: record 2 is not the one the checkpoint signed" in out, out
    with sqlite3.connect(store.db) as conn:
        kept = conn.execute("SELECT count(*) FROM audit_checkpoints WHERE seq = 2").fetchone()
    assert kept == (1,)


def test_a_record_body_altered_under_its_hash_is_never_signed(store: Store) -> None:
    """The MAC covers the stored hash, not the body: the chain from the believed
    checkpoint to the head is checked too before signing."""
    store.tokens("u1", "u2")
    store.export("first.jsonl")  # checkpoint at 2
    store.tokens("mallory")
    store.sql("UPDATE audit_log SET record = replace(record, 'mallory', 'carol') WHERE seq = 3")
    code, out = store.cli("audit", "checkpoint")
    assert code == 1 and "breaks at record 3" in out, out
