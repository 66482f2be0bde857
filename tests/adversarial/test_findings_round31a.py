"""Round 31a: a promises-only attack on the audit log (promise 4) by a dishonest insider.

The insider has what a DBA of the state database has, and the gateway's log files:
SQL on the SQLite state file, nothing else (no `audit.signing_key`). Records are
written through a real door (`phigate token create`, which appends `token.created`
records MAC'd with the audit key), and judged the way an auditor judges them:
`phigate audit export` and `phigate audit verify` (live, `--file`, `--against`).
"""

from __future__ import annotations

import base64
import json
import os
import pwd
import secrets
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from phigate.audit._canonical import canonical_json
from phigate.audit.chain import AuditLog, chain_hash
from phigate.audit.keys import create_key_file
from phigate.cli import main
from phigate.core.errors import AuditUnavailableError
from phigate.store import Database
from tests.conftest import DEMO_POLICY

# The insider's forged record: an approval nobody gave.
FORGED: dict[str, object] = {
    "event": "approval.decided",
    "approval_id": "apr_forged31",
    "action_id": "act_forged31",
    "state": "approved",
    "votes": ["alice"],
}


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output + (
        ""
        if result.exception is None or isinstance(result.exception, SystemExit)
        else f"\nEXCEPTION {type(result.exception).__name__}: {result.exception}"
    )


class Store:
    """A migrated SQLite state with a configured audit key, and the insider's SQL on it."""

    def __init__(self, tmp: Path) -> None:
        secrets_dir = tmp / "secrets"
        secrets_dir.mkdir()
        for name in ("token_hash_key", "masking_key"):
            (secrets_dir / name).write_text(secrets.token_urlsafe(32))
        for name in ("ehr_dsn", "ehr_read_dsn"):  # never connected to here
            (secrets_dir / name).write_text("postgresql://nobody@127.0.0.1:1/none")
        create_key_file(secrets_dir / "audit_signing_key.pem")
        self.secrets = secrets_dir
        self.tmp = tmp
        self.db = tmp / "state.db"
        self.config = tmp / "phigate.yaml"
        self.config.write_text(
            DEMO_POLICY.read_text().format(state_db=self.db, http_port=0, secrets_dir=secrets_dir)
        )
        code, out = _cli("migrate", "--config", str(self.config))
        assert code == 0, out

    def tokens(self, *subjects: str) -> None:
        for subject in subjects:
            code, out = self.cli("token", "create", "--subject", subject, "--kind", "human")
            assert code == 0, out

    def cli(self, *args: str) -> tuple[int, str]:
        return _cli(*args[:2], "--config", str(self.config), *args[2:])

    def export(self, name: str = "audit.jsonl") -> Path:
        code, out = self.cli("audit", "export")
        assert code == 0, out
        path = self.tmp / name
        path.write_text(out)
        return path

    def sql(self, statement: str, params: tuple[object, ...] = ()) -> None:
        with sqlite3.connect(self.db) as conn:
            conn.execute(statement, params)

    def head(self) -> tuple[int, str]:
        with sqlite3.connect(self.db) as conn:
            seq, digest = conn.execute("SELECT seq, hash FROM audit_head WHERE id = 1").fetchone()
        return int(seq), str(digest)

    def forge_tail(self, fields: dict[str, object]) -> int:
        """Append a record with its SHA-256 chain hash (public data) and move the head."""
        seq, prev = self.head()
        with sqlite3.connect(self.db) as conn:
            (last,) = conn.execute("SELECT record FROM audit_log WHERE seq = ?", (seq,)).fetchone()
            record = {"seq": seq + 1, "ts": json.loads(last)["ts"] + 0.001, **fields}
            record["prev_hash"] = prev
            body = canonical_json(record)
            digest = chain_hash(prev, body)
            conn.execute(
                "INSERT INTO audit_log (seq, record, prev_hash, hash) VALUES (?, ?, ?, ?)",
                (seq + 1, body, prev, digest),
            )
            conn.execute("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", (seq + 1, digest))
        return seq + 1


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    yield Store(tmp_path)


def test_a_forged_tail_record_is_refused_a_checkpoint(store: Store) -> None:
    """The baseline (round 28): a forged record after the checkpoint is never signed."""
    store.tokens("u1", "u2")
    store.export("first.jsonl")
    store.forge_tail(FORGED)
    exported = store.export()
    code, out = store.cli("audit", "verify", "--file", str(exported))
    assert code == 1, out


def test_a_cleared_mac_on_the_checkpointed_record_gets_a_forged_tail_signed(
    store: Store,
) -> None:
    """Before signing, the gateway checks MACs only after the latest believed checkpoint,
    and only demands them there if the checkpointed record itself carries one. One
    UPDATE clearing that record's MAC makes the forged record look 'before 0015': the
    next checkpoint (export, timer, start, shutdown, all alike) signs it with the
    gateway's key, so the export verifies offline with the gateway's public key and its
    witness line proves the forgery to every later `--against`."""
    store.tokens("u1", "u2")
    store.export("first.jsonl")  # checkpoint at the head
    at, _ = store.head()
    store.sql("UPDATE audit_log SET mac = NULL WHERE seq = ?", (at,))
    forged = store.forge_tail(FORGED)
    exported = store.export()
    assert f'"seq":{forged},' in exported.read_text()
    code, out = store.cli("audit", "verify", "--file", str(exported))
    assert code == 1, f"an export holding a forged record verifies with the gateway's key: {out}"


@pytest.mark.parametrize("mac", ["é" * 64, b"\x00" * 64], ids=["non-ascii", "blob"])
def test_a_garbled_mac_is_named_forged_not_a_crash(store: Store, mac: object) -> None:
    """SQLite keeps whatever the insider writes in `mac`; verify must name the record
    FORGED (exit 1 with a message), never die in hmac.compare_digest."""
    store.tokens("u1", "u2")
    store.export()
    store.sql("UPDATE audit_log SET mac = ? WHERE seq = 1", (mac,))
    code, out = store.cli("audit", "verify")
    assert code == 1 and "FORGED" in out and "EXCEPTION" not in out, out


def _rotate(store: Store) -> None:
    """Replace audit.signing_key as docs/configuration.md says: a new key, and the old
    public key listed in audit.previous_public_keys."""
    old = store.secrets / "audit_signing_key.pem"
    private = serialization.load_pem_private_key(old.read_bytes(), password=None)
    assert isinstance(private, Ed25519PrivateKey)
    old_public = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    new = store.secrets / "audit_signing_key_2.pem"
    create_key_file(new)
    text = store.config.read_text().replace(str(old), str(new))
    listed = f'  previous_public_keys: ["{base64.b64encode(old_public).decode()}"]\n'
    text = text.replace("  checkpoint_seconds:", listed + "  checkpoint_seconds:", 1)
    store.config.write_text(text)


def test_a_rotated_signing_key_keeps_the_log_verifiable(store: Store) -> None:
    """Records MAC'd under the old key are the gateway's own; after rotation (old public
    key listed) the live log must still verify, and the next export must be signed.
    Otherwise every rotation leaves a log that always fails, in which a real forgery
    cannot be told from the rotation, and no checkpoint proves the tail again."""
    store.tokens("u1", "u2")
    store.export("before.jsonl")
    _rotate(store)
    store.tokens("u3")
    live = store.cli("audit", "verify")
    code, out = store.cli("audit", "verify", "--file", str(store.export()))
    assert (live[0], code) == (0, 0), f"{live[1]}\n{out}"


def test_the_documented_key_replacement_keeps_the_log_verifiable(store: Store) -> None:
    """docs/configuration.md's steps: a checkpoint with the old key, then the new key
    with the old one listed; the live log, a new export and the old export all verify."""
    store.tokens("u1", "u2")
    code, out = store.cli("audit", "checkpoint")
    assert code == 0 and '"phigate_audit_checkpoint":1' in out, out
    before = store.export("before.jsonl")
    _rotate(store)
    store.tokens("u3")
    assert store.cli("audit", "verify")[0] == 0
    code, out = store.cli("audit", "verify", "--file", str(store.export()))
    assert code == 0 and "checkpoint at sequence 3" in out and "MACs not checked" in out, out
    code, out = store.cli("audit", "verify", "--against", str(before))
    assert code == 0, out


def test_a_key_replaced_without_a_checkpoint_fails_closed_and_says_how_to_recover(
    store: Store,
) -> None:
    """Records the old key MAC'd after its last checkpoint cannot be told from forgeries
    with the new key: verify and every checkpoint refuse, naming the way out, which the
    operator holding the old key takes (`phigate audit checkpoint --at N`)."""
    store.tokens("u1")
    assert store.cli("audit", "checkpoint")[0] == 0
    store.tokens("u2")  # record 2: the old key's, no checkpoint after it
    old_config = store.tmp / "old.yaml"
    old_config.write_text(store.config.read_text())
    _rotate(store)
    store.tokens("u3")
    code, out = store.cli("audit", "verify")
    assert code == 1 and "FORGED: record 2" in out and "audit checkpoint --at N" in out, out
    code, out = store.cli("audit", "checkpoint")
    assert code == 1 and "FORGED: record 2" in out, out
    code, out = _cli("audit", "checkpoint", "--config", str(old_config))
    assert code == 1 and "FORGED: record 3" in out, out  # the new key's record
    code, out = _cli("audit", "checkpoint", "--config", str(old_config), "--at", "2")
    assert code == 0, out
    assert store.cli("audit", "verify")[0] == 0
    code, out = store.cli("audit", "verify", "--file", str(store.export()))
    assert code == 0, out


def test_a_checkpoint_at_a_sequence_the_log_does_not_hold_is_a_clear_error(
    store: Store,
) -> None:
    store.tokens("u1")
    code, out = store.cli("audit", "checkpoint", "--at", "9")
    assert code != 0 and "no audit record at sequence 9" in out and "EXCEPTION" not in out, out


# SQLite's RAISE(IGNORE) (PostgreSQL: a BEFORE trigger returning NULL) skips a row
# silently: the statement "succeeds" and nothing is written.
_SILENT_DROP = """
CREATE TRIGGER drop_mallory BEFORE INSERT ON audit_log
WHEN NEW.record LIKE '%"subject":"mallory"%'
BEGIN SELECT RAISE(IGNORE); END;
CREATE TRIGGER keep_head BEFORE UPDATE ON audit_head
WHEN NEW.seq > (SELECT coalesce(max(seq), 0) FROM audit_log)
BEGIN SELECT RAISE(IGNORE); END;
"""


def test_an_append_that_writes_nothing_is_not_taken_for_a_record(store: Store) -> None:
    """Round 31a finding 4: the gateway counted an append as written when its INSERT and
    head UPDATE raised nothing; two triggers dropping one person's records and keeping
    the head still let mallory's token exist unrecorded, in a log that verified. Now
    the writer checks each statement wrote its rows: the append fails, and with it the
    transaction holding the token (refused, a clean error), while others go on."""
    store.tokens("u1")
    store.export("before.jsonl")
    with sqlite3.connect(store.db) as conn:
        conn.executescript(_SILENT_DROP)
    code, out = store.cli("token", "create", "--subject", "mallory", "--kind", "human")
    assert code != 0 and "audit log did not take the write" in out, out
    assert "Traceback" not in out and "EXCEPTION" not in out, out
    store.tokens("u2")
    code, listed = store.cli("token", "list", "--json")
    assert code == 0 and '"mallory"' not in listed and '"u2"' in listed, listed
    with sqlite3.connect(store.db) as conn:
        conn.executescript("DROP TRIGGER drop_mallory; DROP TRIGGER keep_head;")
    assert store.cli("audit", "verify")[0] == 0


_KEEP_HEAD_ONLY = """
CREATE TRIGGER keep_head BEFORE UPDATE ON audit_head
BEGIN SELECT RAISE(IGNORE); END;
"""


def test_a_head_that_does_not_move_refuses_the_action(store: Store) -> None:
    """The records inserted but the head kept still: refused as well."""
    store.tokens("u1")
    with sqlite3.connect(store.db) as conn:
        conn.executescript(_KEEP_HEAD_ONLY)
    code, out = store.cli("token", "create", "--subject", "mallory", "--kind", "human")
    assert code != 0 and "head rows moved: 0 of 1" in out, out
    with sqlite3.connect(store.db) as conn:
        assert conn.execute("SELECT max(seq) FROM audit_log").fetchone() == (1,)


def test_who_created_a_token_is_the_login_not_an_environment_variable(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`phigate token create` records who ran it (docs/audit.md: "the host's login
    name"); getpass.getuser() reads it from environment variables first, so whoever
    runs the command names anybody: `LOGNAME=alice phigate token create ...`."""
    monkeypatch.setenv("LOGNAME", "alice")
    monkeypatch.setenv("USER", "alice")
    store.tokens("mallory")
    with sqlite3.connect(store.db) as conn:
        (record,) = conn.execute("SELECT record FROM audit_log ORDER BY seq DESC").fetchone()
    recorded = json.loads(record)["by"]["os_user"]
    assert recorded == pwd.getpwuid(os.getuid()).pw_name, f"recorded as {recorded!r}"


# Placeholder rows for the next sequence numbers: a copy of a genuine checkpoint with
# its sequence changed (so its signature no longer verifies).
_PLACEHOLDERS = """
WITH RECURSIVE n(seq) AS (SELECT ? UNION ALL SELECT seq + 1 FROM n WHERE seq < ?)
INSERT INTO audit_checkpoints (seq, hash, ts, public_key, signature)
SELECT n.seq, c.hash, c.ts, c.public_key, c.signature FROM n, audit_checkpoints c
WHERE c.seq = ?
"""


def _witnessed(caplog: pytest.LogCaptureFixture, store: Store) -> None:
    """Export (a checkpoint request, the path the gateway's timer, start and shutdown
    take too) and keep the `phigate.audit` witness lines, as log shipping would."""
    caplog.clear()
    with caplog.at_level("INFO", logger="phigate.audit"):
        store.cli("audit", "export")
    with (store.tmp / "shipped.log").open("a") as shipped:
        shipped.writelines(f"{r.getMessage()}\n" for r in caplog.records)


def test_placeholder_checkpoints_cannot_suppress_the_witness_of_a_later_cut(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    """A checkpoint request finding a row at the head's sequence returns it as signed,
    without checking its signature, without a witness line, without an error. An insider
    who fills the next sequence numbers with such rows silences every checkpoint while
    mallory's access is recorded, then cuts those records and the rows together: no
    witness ever saw them, so even the shipped log's checkpoints verify the cut log."""
    store.tokens("u1", "u2")
    _witnessed(caplog, store)
    at, _ = store.head()
    store.sql(_PLACEHOLDERS, (at + 1, at + 100, at))
    store.tokens("mallory", "u3")
    _witnessed(caplog, store)  # the gateway's periodic checkpoints in the meantime
    store.sql("DELETE FROM audit_checkpoints WHERE seq > ?", (at,))
    store.sql("DELETE FROM audit_log WHERE seq > ?", (at,))
    store.sql(
        "UPDATE audit_head SET seq = ?, hash = (SELECT hash FROM audit_log WHERE seq = ?)",
        (at, at),
    )
    store.tokens("u4")
    _witnessed(caplog, store)
    code, listed = store.cli("token", "list", "--json")
    assert code == 0 and '"mallory"' in listed, listed
    code, out = store.cli("audit", "verify", "--against", str(store.tmp / "shipped.log"))
    assert code == 1, f"mallory's token.created was cut and the shipped witnesses agree: {out}"
    assert "ALARM: the store held an invalid checkpoint" in (store.tmp / "shipped.log").read_text()


def test_a_login_name_claimed_by_the_environment_is_recorded_beside_the_real_one(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The environment's claim is kept, under its own name, never as `os_user`."""
    monkeypatch.setenv("LOGNAME", "alice")
    store.tokens("mallory")
    with sqlite3.connect(store.db) as conn:
        (record,) = conn.execute("SELECT record FROM audit_log ORDER BY seq DESC").fetchone()
    by = json.loads(record)["by"]
    assert by["env_user"] == "alice" != by["os_user"], by


_DROP_INSERTS = {
    "sqlite": [
        "CREATE TRIGGER drop_all BEFORE INSERT ON audit_log BEGIN SELECT RAISE(IGNORE); END",
    ],
    "postgresql": [
        "CREATE FUNCTION drop_row() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NULL; END$$",
        "CREATE TRIGGER drop_all BEFORE INSERT ON audit_log"
        " FOR EACH ROW EXECUTE FUNCTION drop_row()",
    ],
}


def test_an_insert_a_trigger_drops_fails_the_append_on_each_store(state_url: str) -> None:
    """Finding 4 on both back ends, through the writer itself: SQLite's RAISE(IGNORE)
    and PostgreSQL's BEFORE trigger returning NULL both make the append fail."""
    db = Database(state_url)
    try:
        db.migrate()
        log = AuditLog(db)
        log.append("test.event", {"n": 1})
        with db.write() as conn:
            for statement in _DROP_INSERTS[db.engine.dialect.name]:
                conn.execute(sa.text(statement))
        with pytest.raises(AuditUnavailableError, match="records written: 0 of 1"):
            log.append("test.event", {"n": 2})
        assert log.head()[0] == 1
    finally:
        db.dispose()
