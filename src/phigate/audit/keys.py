"""Which key signs audit checkpoints: `audit.signing_key`, or one kept in the state dir.

Without a configured key the gateway still proves its log's tail: it generates an
Ed25519 key once, keeps it (mode 0600) beside the SQLite state file, and says so
in a log line naming the file and the key id. Replicas sharing PostgreSQL state
should be given one configured key: each would otherwise keep its own, and an
auditor pinning one key would reject the others' checkpoints.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import sqlalchemy as sa

from phigate.audit.chain import AuditLog
from phigate.audit.checkpoint import (
    CheckpointSigner,
    generate_private_key_pem,
    trusted_key_id,
)
from phigate.audit.mac import RecordMac
from phigate.config import Settings
from phigate.core.errors import ConfigError
from phigate.store.database import Database, normalise_url
from phigate.store.private import private_dir

log = logging.getLogger(__name__)

KEPT_KEY_NAME = "audit_signing_key.pem"


def signing_key_for(settings: Settings, *, state_url: str | None = None) -> CheckpointSigner:
    """The configured key, or the one kept in the state dir (generated the first time)."""
    ref = settings.audit.signing_key
    if ref is not None:
        return CheckpointSigner.from_pem(ref.reveal(), where="audit.signing_key")
    url = state_url or settings.state.url
    path = state_dir(url) / KEPT_KEY_NAME
    return _kept_key(path, shared=not normalise_url(url).startswith("sqlite"))


def record_key_for(settings: Settings) -> bytes | None:
    """The key audit records are MAC'd with: derived from a configured audit.signing_key
    (kept outside the store). None for the key kept in the state dir: whoever can
    read that can read the store, so a MAC under it would prove nothing."""
    ref = settings.audit.signing_key
    if ref is None:
        return None
    private = CheckpointSigner.from_pem(ref.reveal(), where="audit.signing_key").private_key
    return RecordMac.from_signing_key(private).key


def open_state(
    settings: Settings, *, url: str | None = None, migrations: Path | None = None
) -> Database:
    """The state store as the configuration says: its lock timeout, and the key every
    process that appends audit records (gateway, CLI) MACs them with."""
    db = Database(
        url or settings.state.url,
        migrations=migrations,
        lock_timeout=settings.state.lock_timeout_seconds,
    )
    db.record_key = record_key_for(settings)
    return db


def verifying_log(
    settings: Settings, db: Database, *, signer: CheckpointSigner | None = None
) -> AuditLog:
    """The audit log as every verifier reads it (`phigate audit`, `phigate report`,
    the gateway's): records' MACs checked with the key from audit.signing_key, and
    checkpoints believed only with the configured keys. One rule: a door that opened
    the log without them would call a forged record intact."""
    db.record_key = record_key_for(settings)
    return AuditLog(db, signer=signer, trusted=trusted_key_ids(settings))


def trusted_key_ids(settings: Settings) -> frozenset[str] | None:
    """The key ids verification insists on: a configured key and the earlier keys
    listed beside it. None (any key that verifies) when no key is configured."""
    ref = settings.audit.signing_key
    if ref is None:
        return None
    current = CheckpointSigner.from_pem(ref.reveal(), where="audit.signing_key").key_id
    earlier = (
        trusted_key_id(key, where=f"audit.previous_public_keys.{index}")
        for index, key in enumerate(settings.audit.previous_public_keys)
    )
    return frozenset({current, *earlier})


def state_dir(url: str) -> Path:
    """The SQLite file's directory; `.phigate` (in the working directory) otherwise."""
    parsed = sa.engine.make_url(normalise_url(url))
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return Path(str(parsed.database)).expanduser().resolve().parent
    return Path(".phigate").resolve()


def _kept_key(path: Path, *, shared: bool) -> CheckpointSigner:
    created = create_key_file(path)
    try:
        signer = CheckpointSigner.from_pem(path.read_text(), where=str(path))
    except OSError as exc:
        raise ConfigError(f"audit signing key {path}: cannot read: {exc.strerror}") from exc
    if created:
        log.warning(
            "no audit.signing_key configured: generated audit checkpoint key %s (key id %s); "
            "keep it, or set audit.signing_key%s",
            path,
            signer.key_id,
            " (replicas sharing PostgreSQL state need one shared key)" if shared else "",
        )
    return signer


def create_key_file(path: Path) -> bool:
    """Write a new key (mode 0600) unless the file exists; True if this call wrote it. The key is
    written aside and linked into place, so two processes starting at once keep one
    key, and neither ever reads a half-written file."""
    if path.exists():
        return False
    aside = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        private_dir(path.parent)  # 0700 like the state directory: it holds a private key
        fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(generate_private_key_pem())
        os.link(aside, path)
    except FileExistsError:
        return False
    except OSError as exc:
        raise ConfigError(f"audit signing key {path}: cannot create: {exc.strerror}") from exc
    finally:
        aside.unlink(missing_ok=True)
    return True
