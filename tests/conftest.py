"""Shared fixtures: one real PostgreSQL per test session, a fresh database per module,
a gateway with SQLite state per test, and the REST app driven over HTTP."""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
import yaml
from psycopg import sql as pgsql

from phigate.audit.keys import create_key_file
from phigate.config import Settings, parse_settings
from phigate.core import clock
from phigate.doors.app import build_app
from phigate.ops.bootstrap import build_gateway
from phigate.ops.demo import ehr, roles
from phigate.ops.demo.identities import IDENTITIES
from phigate.ops.pgserver import EmbeddedPostgres
from phigate.pipeline.gateway import Gateway
from tests.support.browser import screenshot_dir as _screenshot_dir
from tests.support.clean_tree import changed_by_the_run, tree_status
from tests.support.hypothesis_profiles import load_profiles
from tests.support.state import token_store

load_profiles()  # before any test module builds its property tests

_TREE_AT_START = pytest.StashKey[set[str] | None]()


def pytest_sessionstart(session: pytest.Session) -> None:
    session.config.stash[_TREE_AT_START] = tree_status()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    changed = changed_by_the_run(session.config.stash.get(_TREE_AT_START, None))
    if changed:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write("\n")
            reporter.write_sep("=", "the test run changed the work tree", red=True)
            reporter.write_line("write to tmp_path instead; changed:\n  " + "\n  ".join(changed))


DEMO_POLICY = Path(__file__).parents[1] / "src/phigate/ops/demo/policy.yaml"


@pytest.fixture(autouse=True)
def _no_shared_clock_reading_after_a_test() -> Iterator[None]:
    """The shared clock's reading is one per process (one state per process in
    production): a test whose gateway read a PostgreSQL state's clock must not leave
    that reading to the next test, which may move the wall clock (time_machine) and
    expect expiry to follow it."""
    yield
    clock.adopt(None)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[EmbeddedPostgres]:
    base = Path(tempfile.mkdtemp(prefix="phigate-pg-"))
    base.chmod(0o755)
    server = EmbeddedPostgres(base / "data").start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)  # a data directory is hundreds of MB


@pytest.fixture(params=["sqlite", "postgresql"])
def state_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh state store on each back end: a SQLite file, and a PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'state.db'}"
        return
    server: EmbeddedPostgres = request.getfixturevalue("pg_server")
    name = f"state_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        conn.execute(pgsql.SQL("CREATE DATABASE {}").format(pgsql.Identifier(name)))
    yield server.dsn(name)


# The reader role created beside each writer DSN the `ehr_dsn` fixture hands out.
READER_DSNS: dict[str, str] = {}


@pytest.fixture(scope="module")
def ehr_dsn(pg_server: EmbeddedPostgres) -> str:
    """A fresh EHR database for this module, reached through a non-superuser role (the
    writer); `reader_dsn_for` gives its read-only twin (the second guard)."""
    name = f"ehr_{uuid.uuid4().hex[:10]}"
    suffix = uuid.uuid4().hex[:8]
    writer, reader = f"gw_{suffix}", f"gr_{suffix}"
    passwords = {writer: secrets.token_urlsafe(12), reader: secrets.token_urlsafe(12)}
    with psycopg.connect(pg_server.dsn(), autocommit=True) as conn:
        conn.execute(pgsql.SQL("CREATE DATABASE {}").format(pgsql.Identifier(name)))
        for role, password in passwords.items():
            roles.create_login_role(conn, role, password)
    ehr.load(pg_server.dsn(name), patients=200)
    with psycopg.connect(pg_server.dsn(name), autocommit=True) as conn:
        roles.grant_roles(conn, name, writer, reader)
    dsn = pg_server.dsn(name, user=writer, password=passwords[writer])
    READER_DSNS[dsn] = pg_server.dsn(name, user=reader, password=passwords[reader])
    return dsn


def reader_dsn_for(dsn: str) -> str:
    """The reader role's DSN for a writer DSN from `ehr_dsn` (itself for any other)."""
    return READER_DSNS.get(dsn, dsn)


def demo_config(tmp_path: Path, dsn: str, *, overrides: dict[str, Any] | None = None) -> Settings:
    """The demo policy with test paths; `overrides` replaces top-level sections."""
    secrets_dir = tmp_path / "secrets"
    secrets_dir.mkdir(exist_ok=True)
    (secrets_dir / "token_hash_key").write_text(secrets.token_urlsafe(32))
    (secrets_dir / "masking_key").write_text(secrets.token_urlsafe(32))
    (secrets_dir / "ehr_dsn").write_text(dsn)
    create_key_file(secrets_dir / "audit_signing_key.pem")
    (secrets_dir / "ehr_read_dsn").write_text(reader_dsn_for(dsn))
    text = DEMO_POLICY.read_text().format(
        state_db=tmp_path / "state.db", http_port=0, secrets_dir=secrets_dir
    )
    data = yaml.safe_load(text)
    data.update(overrides or {})
    return parse_settings(yaml.safe_dump(data), source="test-config")


@dataclass
class Harness:
    gateway: Gateway
    client: httpx.AsyncClient
    tokens: dict[str, str]

    def auth(self, subject: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[subject]}"}

    async def submit(self, subject: str, sql: str, **extra: Any) -> httpx.Response:
        return await self.client.post(
            "/v1/actions",
            headers=self.auth(subject),
            json={"connection": "ehr", "sql": sql, **extra},
        )


def demo_tokens(gateway: Gateway) -> dict[str, str]:
    """An API token for each demo identity, by subject."""
    tokens = {}
    for identity in IDENTITIES:
        token, _ = token_store(gateway).create(
            subject=identity.subject,
            kind=identity.kind,
            groups=identity.groups,
            on_behalf_of=identity.on_behalf_of,
        )
        tokens[identity.subject] = token
    return tokens


async def make_harness(settings: Settings) -> Harness:
    gateway = build_gateway(settings, migrate=True)
    tokens = demo_tokens(gateway)
    transport = httpx.ASGITransport(app=build_app(gateway))
    client = httpx.AsyncClient(transport=transport, base_url="http://phigate.test")
    return Harness(gateway, client, tokens)


@pytest.fixture
async def harness(tmp_path: Path, ehr_dsn: str) -> AsyncIterator[Harness]:
    h = await make_harness(demo_config(tmp_path, ehr_dsn))
    try:
        yield h
    finally:
        await h.client.aclose()
        await h.gateway.close()


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where browser tests save pictures: a temporary folder, or docs/screenshots under
    `make screenshots`."""
    return _screenshot_dir(tmp_path_factory)


def in_ci() -> bool:
    return bool(os.environ.get("CI"))
