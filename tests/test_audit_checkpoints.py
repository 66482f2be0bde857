"""Signed checkpoints prove the audit log's tail: a truncated export or store fails
verification, and so does a forged or mis-signed checkpoint. Both state back ends,
through the real CLI."""

from __future__ import annotations

import asyncio
import json
import logging
import stat
import threading
from collections.abc import Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from click.testing import CliRunner

from phigate.audit.chain import AuditLog
from phigate.audit.checkpoint import CheckpointSigner, generate_private_key_pem
from phigate.audit.keys import record_key_for, signing_key_for
from phigate.audit.schedule import with_checkpoints
from phigate.cli import main
from phigate.config import parse_settings
from phigate.core.errors import ConfigError
from phigate.store import Database
from phigate.store.tables import audit_checkpoints, audit_head, audit_log

_OPEN: list[Database] = []


@pytest.fixture(autouse=True)
def _dispose_engines() -> Iterator[None]:
    yield
    while _OPEN:
        _OPEN.pop().dispose()


def _db(url: str) -> Database:
    db = Database(url)
    _OPEN.append(db)
    return db


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def _key_file(path: Path) -> Path:
    path.write_text(generate_private_key_pem())
    path.chmod(0o600)
    return path


@pytest.fixture
def store(state_url: str, tmp_path: Path) -> tuple[Database, Path]:
    """A migrated store with 60 records, and a config naming it and a signing key."""
    key = _key_file(tmp_path / "audit_key.pem")
    config = tmp_path / "phigate.yaml"
    config.write_text(
        yaml.safe_dump({"state": {"url": state_url}, "audit": {"signing_key": f"file:{key}"}})
    )
    db = _db(state_url)
    db.migrate()
    # Written as the gateway writes them: each record MAC'd with the configured key.
    db.record_key = record_key_for(parse_settings(config.read_text()))
    log = AuditLog(db)
    for n in range(60):
        log.append("test.event", {"n": n})
    return db, config


def _signer(config: Path) -> CheckpointSigner:
    return signing_key_for(parse_settings(config.read_text()))


def _export(config: Path) -> list[str]:
    code, output = run("audit", "export", "--config", str(config))
    assert code == 0, output
    return output.splitlines()


def _verify_file(tmp_path: Path, lines: list[str], *extra: str) -> tuple[int, str]:
    export = tmp_path / "audit.jsonl"
    export.write_text("\n".join(lines) + "\n")
    return run("audit", "verify", "--file", str(export), *extra)


def test_an_intact_export_is_proven_to_its_end(
    store: tuple[Database, Path], tmp_path: Path
) -> None:
    _db, config = store
    lines = _export(config)
    assert len(lines) == 61 and "checkpoint" in json.loads(lines[0])
    code, output = _verify_file(tmp_path, lines)
    assert code == 0, output
    assert "60 records" in output and "checkpoint at sequence 60" in output


def test_a_truncated_export_fails_naming_the_missing_records(
    store: tuple[Database, Path], tmp_path: Path
) -> None:
    _db, config = store
    lines = _export(config)
    code, output = _verify_file(tmp_path, lines[:-40])
    assert code == 1
    assert "TRUNCATED" in output and "40 records" in output and "sequence 20" in output


def test_an_export_without_its_checkpoint_is_unproven(
    store: tuple[Database, Path], tmp_path: Path
) -> None:
    _db, config = store
    lines = _export(config)
    code, output = _verify_file(tmp_path, lines[1:-40])
    assert code == 1
    assert "no signed checkpoint" in output and "20 records" in output and "unproven" in output


def test_records_after_the_checkpoint_are_counted_as_unproven(
    store: tuple[Database, Path], tmp_path: Path
) -> None:
    db, config = store
    first = _export(config)
    for n in range(5):
        AuditLog(db).append("test.event", {"late": n})
    later = _export(config)
    code, output = _verify_file(tmp_path, first[:1] + later[1:])
    assert code == 1
    assert "5 records after the checkpoint at sequence 60" in output and "unproven" in output


@pytest.mark.parametrize(
    "forge",
    [
        lambda cp: cp.update(seq=20),  # claims less, to hide a truncation
        lambda cp: cp.update(hash="0" * 64),
        lambda cp: cp.update(ts=cp["ts"] + 1),
        lambda cp: cp.update(signature=cp["signature"][:-4] + "AAA="),
    ],
    ids=["seq", "hash", "time", "signature"],
)
def test_a_forged_checkpoint_fails(
    store: tuple[Database, Path], tmp_path: Path, forge: Any
) -> None:
    _db, config = store
    lines = _export(config)
    header = json.loads(lines[0])
    forge(header["checkpoint"])
    code, output = _verify_file(tmp_path, [json.dumps(header), *lines[1:21]])
    assert code == 1
    assert "signature" in output


def test_a_checkpoint_by_another_key_fails_when_the_key_is_pinned(
    store: tuple[Database, Path], tmp_path: Path
) -> None:
    _db, config = store
    # A forger re-signs a truncated export with a key of their own.
    forger = CheckpointSigner.from_pem(generate_private_key_pem())
    lines = _export(config)
    truncated = lines[1:21]
    forged = forger.sign(20, json.loads(truncated[-1])["hash"])
    header = {"phigate_audit_export": 1, "checkpoint": forged.to_json()}
    code, output = _verify_file(tmp_path, [json.dumps(header), *truncated])
    assert code == 0 and forger.key_id in output and "--public-key" in output
    pinned = tmp_path / "gateway.pub"
    code, key_out = run("audit", "public-key", "--config", str(config))
    assert code == 0 and _signer(config).key_id in key_out
    pinned.write_text(key_out)
    forged_file = [json.dumps(header), *truncated]
    code, output = _verify_file(tmp_path, forged_file, "--public-key", str(pinned))
    assert code == 1 and "not the trusted key" in output
    code, output = _verify_file(tmp_path, lines, "--public-key", str(pinned))
    assert code == 0, output


def test_live_verify_proves_the_tail_and_reports_unsigned_records(
    store: tuple[Database, Path],
) -> None:
    db, config = store
    log = AuditLog(db, signer=_signer(config))
    log.checkpoint()
    for n in range(5):
        log.append("test.event", {"late": n})
    code, output = run("audit", "verify", "--config", str(config))
    assert code == 0, output
    assert "checkpoint at sequence 60" in output and "5 records after it" in output


def test_a_truncated_store_fails_live_verify(store: tuple[Database, Path]) -> None:
    db, config = store
    AuditLog(db, signer=_signer(config)).checkpoint()
    with db.write() as conn:
        hash_20 = conn.execute(sa.select(audit_log.c.hash).where(audit_log.c.seq == 20)).scalar()
        conn.execute(audit_log.delete().where(audit_log.c.seq > 20))
        conn.execute(audit_head.update().values(seq=20, hash=hash_20))
    code, output = run("audit", "verify", "--config", str(config))
    assert code == 1
    assert "TRUNCATED" in output and "40 records" in output


def test_a_mis_signed_checkpoint_fails_live_verify(store: tuple[Database, Path]) -> None:
    db, config = store
    AuditLog(db, signer=_signer(config)).checkpoint()
    with db.write() as conn:
        conn.execute(audit_checkpoints.update().values(ts=1.0))
    code, output = run("audit", "verify", "--config", str(config))
    assert code == 1 and "signature" in output


def test_checkpoints_from_several_replicas_agree_with_the_chain(state_url: str) -> None:
    first = _db(state_url)
    first.migrate()
    signer = CheckpointSigner.from_pem(generate_private_key_pem())
    replicas = [first, _db(state_url), _db(state_url)]

    def work(db: Database, who: str) -> None:
        log = AuditLog(db, signer=signer)
        for n in range(10):
            log.append("test.event", {"who": who, "n": n})
            log.checkpoint()

    threads = [threading.Thread(target=work, args=(db, f"r{i}")) for i, db in enumerate(replicas)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    log = AuditLog(first, signer=signer)
    result = log.verify(trusted=frozenset({signer.key_id}))
    assert result.ok, result.problem
    assert result.checkpoint is not None and result.checkpoint.seq == 30
    assert result.unproven == 0


async def test_checkpoints_are_written_periodically_and_on_shutdown(tmp_path: Path) -> None:
    db = _db(f"sqlite:///{tmp_path / 'state.db'}")
    db.migrate()
    log = AuditLog(db, signer=CheckpointSigner.from_pem(generate_private_key_pem()))
    log.append("test.event", {})

    @asynccontextmanager
    async def inner(_app: object) -> Any:
        yield None

    async with with_checkpoints(inner, log.checkpoint, every=0.05)(None):
        await asyncio.sleep(0.2)
        assert log.latest_checkpoint() is not None
        log.append("test.event", {})
    latest = log.latest_checkpoint()
    assert latest is not None and latest.seq == 2


def test_without_a_configured_key_one_is_kept_in_the_state_dir(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = parse_settings(yaml.safe_dump({"state": {"url": f"sqlite:///{tmp_path / 's.db'}"}}))
    with caplog.at_level(logging.WARNING, logger="phigate.audit.keys"):
        signer = signing_key_for(settings)
    path = tmp_path / "audit_signing_key.pem"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert str(path) in caplog.text and signer.key_id in caplog.text
    assert signing_key_for(settings).key_id == signer.key_id  # kept, not regenerated


@pytest.mark.parametrize(
    ("audit", "message"),
    [
        ({"checkpoint_seconds": 0}, "audit.checkpoint_seconds"),
        ({"signing_key": "file:/nonexistent/key.pem"}, "cannot read"),
        ({"signing_key": "not a key"}, "audit.signing_key: not an Ed25519 private key"),
        ({"previous_public_keys": ["nope"]}, "audit.previous_public_keys: .*not an Ed25519"),
    ],
)
def test_bad_audit_settings_are_clear_errors(audit: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        signing_key_for(parse_settings(yaml.safe_dump({"audit": audit})))


def test_a_checkpoint_by_another_key_in_the_store_fails_against_the_configured_key(
    store: tuple[Database, Path],
) -> None:
    db, config = store
    # Someone with write access to the store signs a claim with a key of their own.
    forger = CheckpointSigner.from_pem(generate_private_key_pem())
    AuditLog(db, signer=forger).checkpoint()
    code, output = run("audit", "verify", "--config", str(config))
    assert code == 1 and "not the trusted key" in output
    code, output = run("audit", "verify", "--state", _url(config))  # no key to insist on
    assert code == 0 and forger.key_id in output and "--public-key" in output


def test_checkpoints_of_a_replaced_key_stay_trusted_when_listed(
    store: tuple[Database, Path], tmp_path: Path
) -> None:
    db, config = store
    AuditLog(db, signer=_signer(config)).checkpoint()
    old = _signer(config)
    _key_file(tmp_path / "audit_key.pem")  # the key is replaced
    AuditLog(db).append("test.event", {"after": "rotation"})
    AuditLog(db, signer=_signer(config)).checkpoint()
    code, output = run("audit", "verify", "--config", str(config))
    assert code == 1 and old.key_id in output
    settings = yaml.safe_load(config.read_text())
    settings["audit"]["previous_public_keys"] = [old.public_key]
    config.write_text(yaml.safe_dump(settings))
    code, output = run("audit", "verify", "--config", str(config))
    assert code == 0 and "checkpoint at sequence 61" in output


def test_offline_verify_insists_on_the_key_of_a_named_config(
    store: tuple[Database, Path], tmp_path: Path
) -> None:
    _db, config = store
    lines = _export(config)
    settings = yaml.safe_load(config.read_text())
    settings["audit"]["signing_key"] = f"file:{_key_file(tmp_path / 'other.pem')}"
    other = tmp_path / "other.yaml"
    other.write_text(yaml.safe_dump(settings))
    assert _verify_file(tmp_path, lines, "--config", str(config))[0] == 0
    code, output = _verify_file(tmp_path, lines, "--config", str(other))
    assert code == 1 and "not the trusted key" in output


def _url(config: Path) -> str:
    return str(yaml.safe_load(config.read_text())["state"]["url"])


def test_an_earlier_export_catches_a_truncation_that_took_the_checkpoints_too(
    store: tuple[Database, Path], tmp_path: Path
) -> None:
    db, config = store
    earlier = tmp_path / "earlier.jsonl"
    earlier.write_text("\n".join(_export(config)) + "\n")
    AuditLog(db).append("test.event", {"later": True})
    later = _export(config)
    assert _verify_file(tmp_path, later, "--against", str(earlier))[0] == 0
    code, output = run("audit", "verify", "--config", str(config), "--against", str(earlier))
    assert code == 0, output
    # Cut the log back to 20 records and delete every checkpoint that signed more.
    with db.write() as conn:
        hash_20 = conn.execute(sa.select(audit_log.c.hash).where(audit_log.c.seq == 20)).scalar()
        conn.execute(audit_log.delete().where(audit_log.c.seq > 20))
        conn.execute(audit_checkpoints.delete())
        conn.execute(audit_head.update().values(seq=20, hash=hash_20))
    # With the gateway's key configured, a log with records and no checkpoint fails.
    code, output = run("audit", "verify", "--config", str(config))
    assert code == 1 and "no signed checkpoint" in output, output
    code, output = run("audit", "verify", "--config", str(config), "--against", str(earlier))
    assert code == 1 and "earlier export" in output and "40 records are missing" in output
    code, output = _verify_file(tmp_path, _export(config), "--against", str(earlier))
    assert code == 1 and "TRUNCATED" in output
    code, output = run("audit", "verify", "--config", str(config), "--against", str(config))
    assert code == 2 and "not a phigate audit export" in output
