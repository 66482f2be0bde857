"""Run the demo: embedded PostgreSQL with the synthetic EHR, SQLite state, tokens, the gateway."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from phigate.audit.keys import create_key_file
from phigate.config import Settings, parse_settings
from phigate.identity.tokens import TokenStore
from phigate.ops.demo import ehr, roles
from phigate.ops.demo.deploy_tool import write_launcher
from phigate.ops.demo.identities import IDENTITIES
from phigate.ops.pgserver import EmbeddedPostgres
from phigate.store.private import private_dir, write_private

GATEWAY_ROLE = "phigate_gateway"  # the writer: runs what policy and approvals admit
READER_ROLE = "phigate_reader"  # runs every read; can only SELECT


@dataclass
class DemoEnvironment:
    state_dir: Path
    settings: Settings
    config_path: Path
    postgres: EmbeddedPostgres
    upstream_dsn: str
    tokens: dict[str, str]


def _secret_file(path: Path, make: Any) -> str:
    if not path.exists():
        write_private(path, make())
    return path.read_text().strip()


def start_upstream(state_dir: Path) -> tuple[EmbeddedPostgres, str]:
    """Start (or restart) the embedded PostgreSQL; create and load the EHR the first time.

    Returns the writer's DSN; the reader's (the second guard) is in secrets/ehr_read_dsn.
    """
    postgres = EmbeddedPostgres(state_dir / "postgres").start()
    secrets_dir = state_dir / "secrets"
    files = {GATEWAY_ROLE: "gateway_role_password", READER_ROLE: "reader_role_password"}
    passwords = {
        role: _secret_file(secrets_dir / name, lambda: secrets.token_urlsafe(18))
        for role, name in files.items()
    }
    with psycopg.connect(postgres.dsn(), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = 'ehr'").fetchone()
        if exists is None:
            conn.execute("CREATE DATABASE ehr")
            roles.create_login_role(conn, GATEWAY_ROLE, passwords[GATEWAY_ROLE])
            ehr.load(postgres.dsn("ehr"))
        _ensure_reader(postgres, conn, passwords[READER_ROLE])
    reader_dsn = postgres.dsn("ehr", user=READER_ROLE, password=passwords[READER_ROLE])
    (secrets_dir / "ehr_read_dsn").write_text(reader_dsn)
    (secrets_dir / "ehr_read_dsn").chmod(0o600)
    return postgres, postgres.dsn("ehr", user=GATEWAY_ROLE, password=passwords[GATEWAY_ROLE])


def _ensure_reader(
    postgres: EmbeddedPostgres, admin: psycopg.Connection[Any], password: str
) -> None:
    """Create the reader role and the grants, also in a state dir from before it existed."""
    found = admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (READER_ROLE,)).fetchone()
    if found is None:
        roles.create_login_role(admin, READER_ROLE, password)
    with psycopg.connect(postgres.dsn("ehr"), autocommit=True) as ehr_conn:
        roles.grant_roles(ehr_conn, "ehr", GATEWAY_ROLE, READER_ROLE)


def prepare(state_dir: Path, http_port: int) -> DemoEnvironment:
    state_dir = state_dir.resolve()
    secrets_dir = state_dir / "secrets"
    private_dir(secrets_dir)  # and the state directory above it, when it is new
    secrets_dir.chmod(0o700)
    _secret_file(secrets_dir / "token_hash_key", lambda: secrets.token_urlsafe(32))
    _secret_file(secrets_dir / "masking_key", lambda: secrets.token_urlsafe(32))
    # Signs the audit log's checkpoints; kept across runs so old exports still verify.
    create_key_file(secrets_dir / "audit_signing_key.pem")
    # The exec and http demo connections: a deploy tool and a patient API whose
    # credentials only the gateway holds.
    _secret_file(secrets_dir / "deploy_token", lambda: "dpl_" + secrets.token_urlsafe(18))
    _secret_file(secrets_dir / "patients_api_token", lambda: secrets.token_urlsafe(24))
    write_launcher(state_dir / "bin" / "deploy-tool")
    (state_dir / "deploy").mkdir(exist_ok=True)
    postgres, upstream_dsn = start_upstream(state_dir)
    write_private(secrets_dir / "ehr_dsn", upstream_dsn)
    template = (Path(__file__).parent / "policy.yaml").read_text()
    config_text = template.format(
        state_db=state_dir / "state.db", http_port=http_port, secrets_dir=secrets_dir
    )
    config_path = state_dir / "phigate.yaml"
    config_path.write_text(config_text)
    settings = parse_settings(config_text, source=str(config_path))
    return DemoEnvironment(state_dir, settings, config_path, postgres, upstream_dsn, {})


def ensure_tokens(env: DemoEnvironment, store: TokenStore, credentials_file: Path) -> None:
    """Reuse the tokens of a previous run when they still work; otherwise mint new ones."""
    previous: dict[str, str] = {}
    if credentials_file.exists():
        try:
            previous = json.loads(credentials_file.read_text()).get("tokens", {})
        except (json.JSONDecodeError, AttributeError):
            previous = {}
    for identity in IDENTITIES:
        token = previous.get(identity.subject)
        if token is not None and _still_valid(store, token):
            env.tokens[identity.subject] = token
            continue
        token, _info = store.create(
            subject=identity.subject,
            kind=identity.kind,
            groups=identity.groups,
            on_behalf_of=identity.on_behalf_of,
            description="phigate demo identity",
        )
        env.tokens[identity.subject] = token


def _still_valid(store: TokenStore, token: str) -> bool:
    try:
        store.authenticate(token)
    except Exception:
        return False
    return True


def write_credentials(env: DemoEnvironment, credentials_file: Path, extra: dict[str, Any]) -> None:
    body = {
        "api_url": env.settings.server.base_url(),
        "tokens": env.tokens,
        "upstream_dsn": env.upstream_dsn,
        "state_url": env.settings.state.url,
        "config": str(env.config_path),
        **extra,
    }
    write_private(credentials_file, json.dumps(body, indent=2))
