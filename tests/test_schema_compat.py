"""Rolling upgrades: a build one migration behind its store serves when the newer
migrations are expand-only, refuses when one is breaking, and never migrates (so
never downgrades) the newer store. "Another build" is another script directory."""

from __future__ import annotations

import ast
import itertools
import logging
import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from click.testing import CliRunner
from psycopg import sql as pgsql

from phigate.cli import main
from phigate.doors.app import build_app
from phigate.ops.bootstrap import build_gateway
from phigate.ops.pgserver import EmbeddedPostgres, free_port
from phigate.store import Database, SchemaTooNewError
from phigate.store.compat import (
    BREAKING,
    EXPAND_ONLY,
    KINDS,
    MigrationDeclarationError,
    kind_of,
    read_window,
    window,
)
from tests.conftest import demo_config
from tests.test_demo import PHIGATE, stop, wait_ready

MIGRATIONS = Path(__file__).parents[1] / "src" / "phigate" / "store" / "migrations"
VERSIONS = sorted(p for p in (MIGRATIONS / "versions").glob("0*.py"))

_OPEN: list[Database] = []


@pytest.fixture(autouse=True)
def _dispose_engines() -> Iterator[None]:
    yield
    while _OPEN:
        _OPEN.pop().dispose()


def database(url: str, migrations: Path | None = None) -> Database:
    db = Database(url, migrations=migrations)
    _OPEN.append(db)
    return db


def copy_migrations(into: Path, *, drop_newest: bool = False) -> Path:
    """This build's migrations in another directory (without the newest: an older build)."""
    target = into / "migrations"
    shutil.copytree(MIGRATIONS, target, ignore=shutil.ignore_patterns("__pycache__"))
    if drop_newest:
        (target / "versions" / VERSIONS[-1].name).unlink()
    return target


def newer_build(into: Path, kinds: tuple[str, ...]) -> Path:
    """This build plus one migration per kind (a newer build), each adding a table."""
    target = copy_migrations(into)
    parent = repr(head_of(MIGRATIONS))
    for n, kind in enumerate(kinds, start=1):
        (target / "versions" / f"future{n}.py").write_text(
            f'"""A migration from the future."""\n\n'
            "import sqlalchemy as sa\nfrom alembic import op\n\n"
            f"revision = 'future{n}'\ndown_revision = {parent}\n"
            f"branch_labels = None\ndepends_on = None\ncompatibility = {kind!r}\n\n\n"
            f"def upgrade() -> None:\n"
            f"    op.create_table('future{n}', sa.Column('id', sa.Integer, primary_key=True))\n\n\n"
            f"def downgrade() -> None:\n    op.drop_table('future{n}')\n"
        )
        parent = repr(f"future{n}")
    return target


def head_of(migrations: Path) -> str:
    head = ScriptDirectory(str(migrations)).get_current_head()
    assert head is not None
    return head


def fresh_database(server: EmbeddedPostgres) -> str:
    name = f"state_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        conn.execute(pgsql.SQL("CREATE DATABASE {}").format(pgsql.Identifier(name)))
    return name


def revision_of(url: str) -> str | None:
    return database(url).current_revision()


# ── every migration says what it is ─────────────────────────────────────────
@pytest.mark.parametrize("path", VERSIONS, ids=lambda p: p.stem)
def test_every_migration_declares_its_kind(path: Path) -> None:
    """A module-level `compatibility = "expand-only" | "breaking"`, literally, in each file."""
    tree = ast.parse(path.read_text())
    declared = [
        node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and [getattr(t, "id", None) for t in node.targets] == ["compatibility"]
        and isinstance(node.value, ast.Constant)
    ]
    assert declared in ([EXPAND_ONLY], [BREAKING]), f"{path.name}: declare compatibility"


def test_alembic_sees_every_file_and_every_kind() -> None:
    scripts = ScriptDirectory(str(MIGRATIONS))
    found = {Path(s.path).name: kind_of(s) for s in scripts.walk_revisions()}
    assert sorted(found) == [p.name for p in VERSIONS]
    assert set(found.values()) <= set(KINDS)


def test_an_undeclared_migration_is_not_run(tmp_path: Path) -> None:
    migrations = newer_build(tmp_path, (EXPAND_ONLY,))
    future = migrations / "versions" / "future1.py"
    future.write_text(future.read_text().replace("compatibility = 'expand-only'\n", ""))
    db = database(f"sqlite:///{tmp_path / 'state.db'}", migrations)
    with pytest.raises(MigrationDeclarationError, match=r"future1 .* must declare compatibility"):
        db.migrate()


# ── the window the migrating build records ──────────────────────────────────
@pytest.mark.parametrize(
    ("kinds", "expected"),
    [
        ((EXPAND_ONLY,), ["future1", "HEAD", "…"]),
        ((BREAKING,), ["future1"]),
        ((EXPAND_ONLY, EXPAND_ONLY), ["future2", "future1", "HEAD", "…"]),
        ((BREAKING, EXPAND_ONLY), ["future2", "future1"]),
        ((EXPAND_ONLY, BREAKING), ["future2"]),
    ],
)
def test_window_walks_back_to_the_newest_breaking_migration(
    tmp_path: Path, kinds: tuple[str, ...], expected: list[str]
) -> None:
    scripts = ScriptDirectory(str(newer_build(tmp_path, kinds)))
    head = scripts.get_current_head()
    assert head is not None
    got = window(scripts, head)
    if expected[-1] == "…":  # continues into this build's own window
        mine = window(ScriptDirectory(str(MIGRATIONS)), head_of(MIGRATIONS))
        expected = expected[:-2] + mine
    assert got == expected


def test_the_recorded_window_follows_the_declarations(state_url: str) -> None:
    db = database(state_url)
    db.migrate()
    with db.read() as conn:
        recorded = read_window(conn)
    assert recorded is not None and recorded[0] == db.head_revision()
    scripts = {s.revision: s for s in ScriptDirectory(str(MIGRATIONS)).walk_revisions()}
    for newer, older in itertools.pairwise(recorded):
        assert scripts[newer].down_revision == older  # a chain, newest first
        assert kind_of(scripts[newer]) == EXPAND_ONLY  # each step lets the older one run
    oldest = scripts[recorded[-1]]
    assert kind_of(oldest) == BREAKING or oldest.down_revision is None


def test_a_migration_at_head_rewrites_only_a_wrong_window(pg_server: EmbeddedPostgres) -> None:
    """Every replica starting with migrate_on_start records the window: at head, over the
    right one, it writes nothing (the rows keep their xmin); a damaged one is restored."""
    db = database(pg_server.dsn(fresh_database(pg_server)))
    db.migrate()

    def rows() -> list[tuple[str, int, str]]:
        with db.read() as conn:
            query = sa.text("SELECT revision, age, xmin::text FROM schema_compatibility")
            return sorted((r, a, x) for r, a, x in conn.execute(query))

    before = rows()
    db.migrate()
    assert rows() == before
    with db.write() as conn:
        conn.execute(sa.text("DELETE FROM schema_compatibility WHERE age = 0"))
    db.migrate()
    restored = rows()
    assert [(r, a) for r, a, _ in restored] == [(r, a) for r, a, _ in before]
    assert {x for _, _, x in restored}.isdisjoint(x for _, _, x in before)


# ── an older build on a newer store ─────────────────────────────────────────
@pytest.mark.parametrize(
    "kinds",
    [(EXPAND_ONLY,), (BREAKING,), (EXPAND_ONLY, EXPAND_ONLY), (BREAKING, EXPAND_ONLY)],
    ids="+".join,
)
def test_an_older_build_serves_only_inside_the_window(
    state_url: str, tmp_path: Path, kinds: tuple[str, ...]
) -> None:
    database(state_url, newer_build(tmp_path, kinds)).migrate()
    newest = f"future{len(kinds)}"
    old = database(state_url)
    if BREAKING not in kinds:
        schema = old.ensure_current(migrate=False)
        assert (schema.newer, schema.database, schema.build) == (True, newest, old.head_revision())
        assert old.ensure_current(migrate=True).newer  # migrate_on_start: no downgrade
        assert revision_of(state_url) == newest
        return
    with pytest.raises(SchemaTooNewError) as refused:
        old.ensure_current(migrate=False)
    message = refused.value.message
    assert f"revision {newest}, newer than this phigate ({old.head_revision()})" in message
    assert "breaking" in message and "Deploy a phigate at revision future1 or newer" in message
    with pytest.raises(SchemaTooNewError):
        old.ensure_current(migrate=True)
    assert revision_of(state_url) == newest


def test_a_build_without_the_newest_migration(state_url: str, tmp_path: Path) -> None:
    """The real newest migration, whatever it is, against the build just before it."""
    database(state_url).migrate()
    old = database(state_url, copy_migrations(tmp_path, drop_newest=True))
    newest = ScriptDirectory(str(MIGRATIONS)).get_revision(head_of(MIGRATIONS))
    assert newest is not None
    if kind_of(newest) == EXPAND_ONLY:
        assert old.ensure_current(migrate=False).newer
    else:
        with pytest.raises(SchemaTooNewError, match="is breaking"):
            old.ensure_current(migrate=False)


def test_an_unknown_revision_without_a_window_is_refused(state_url: str) -> None:
    db = database(state_url)
    db.migrate()
    with db.write() as conn:
        conn.execute(sa.text("DROP TABLE schema_compatibility"))
        conn.execute(sa.text("UPDATE alembic_version SET version_num = 'elsewhere'"))
    with pytest.raises(SchemaTooNewError, match="records no compatibility window"):
        database(state_url).ensure_current(migrate=False)


async def test_the_older_gateway_says_so_in_its_log_and_readyz(
    state_url: str, tmp_path: Path, ehr_dsn: str, caplog: pytest.LogCaptureFixture
) -> None:
    database(state_url, newer_build(tmp_path, (EXPAND_ONLY,))).migrate()
    settings = demo_config(
        tmp_path, ehr_dsn, overrides={"state": {"url": state_url, "migrate_on_start": False}}
    )
    with caplog.at_level(logging.WARNING, logger="phigate.store.database"):
        gateway = build_gateway(settings)
    try:
        assert "newer than this phigate" in caplog.text and "future1" in caplog.text
        transport = httpx.ASGITransport(app=build_app(gateway))
        async with httpx.AsyncClient(transport=transport, base_url="http://phigate") as client:
            ready = await client.get("/readyz")
        assert ready.status_code == 200
        body = ready.json()
        assert body["status"] == "ready"
        assert body["schema"]["database"] == "future1" and body["schema"]["newer"] is True
        assert body["schema"]["build"] == head_of(MIGRATIONS)
        assert "serves on it" in body["schema"]["detail"]
    finally:
        await gateway.close()


async def test_the_older_gateway_refuses_a_breaking_schema(
    state_url: str, tmp_path: Path, ehr_dsn: str
) -> None:
    database(state_url, newer_build(tmp_path, (BREAKING,))).migrate()
    settings = demo_config(
        tmp_path, ehr_dsn, overrides={"state": {"url": state_url, "migrate_on_start": True}}
    )
    with pytest.raises(SchemaTooNewError, match="future1"):
        build_gateway(settings)


async def test_a_current_gateway_says_nothing_about_schema(
    state_url: str, tmp_path: Path, ehr_dsn: str
) -> None:
    settings = demo_config(tmp_path, ehr_dsn, overrides={"state": {"url": state_url}})
    gateway = build_gateway(settings, migrate=True)
    try:
        transport = httpx.ASGITransport(app=build_app(gateway))
        async with httpx.AsyncClient(transport=transport, base_url="http://phigate") as client:
            assert (await client.get("/readyz")).json() == {"status": "ready"}
    finally:
        await gateway.close()


# ── the CLI of the older build ──────────────────────────────────────────────
@pytest.mark.parametrize("kind", [EXPAND_ONLY, BREAKING])
def test_migrate_from_an_older_build_is_refused(state_url: str, tmp_path: Path, kind: str) -> None:
    database(state_url, newer_build(tmp_path, (kind,))).migrate()
    config = tmp_path / "phigate.yaml"
    config.write_text(f"state:\n  url: {state_url!r}\n")
    result = CliRunner().invoke(main, ["migrate", "--config", str(config)])
    assert result.exit_code == 2, result.output
    assert "never downgrades" in result.output and "future1" in result.output
    assert revision_of(state_url) == "future1"
    with database(state_url).read() as conn:  # the newer build's table is still there
        assert sa.inspect(conn).has_table("future1")


@pytest.mark.parametrize(("kind", "code"), [(EXPAND_ONLY, 0), (BREAKING, 2)])
def test_the_older_cli_reads_a_newer_store_only_inside_the_window(
    state_url: str, tmp_path: Path, kind: str, code: int
) -> None:
    database(state_url, newer_build(tmp_path, (kind,))).migrate()
    result = CliRunner().invoke(main, ["audit", "verify", "--state", state_url])
    assert result.exit_code == code, result.output
    if code:
        assert "Deploy a phigate at revision future1 or newer" in result.output


# ── `phigate serve` of the older build, as a process ────────────────────────
def serve_config(
    tmp_path: Path, state_url: str, port: int, *, migrate_on_start: bool = False
) -> Path:
    config = tmp_path / "phigate.yaml"
    config.write_text(
        f"state: {{url: {state_url!r}, migrate_on_start: {str(migrate_on_start).lower()}}}\n"
        f"server: {{http_port: {port}}}\n"
        "secrets: {token_hash_key: 'a-test-key-of-32-characters-long', "
        "masking_key: 'another-test-key-32-characters!!'}\n"
    )
    return config


def test_serve_refuses_a_breaking_newer_schema(state_url: str, tmp_path: Path) -> None:
    database(state_url, newer_build(tmp_path, (BREAKING,))).migrate()
    config = serve_config(tmp_path, state_url, free_port())
    refused = subprocess.run(
        [str(PHIGATE), "serve", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "COLUMNS": "400"},
    )
    assert refused.returncode == 2, refused.stderr
    assert f"newer than this phigate ({head_of(MIGRATIONS)})" in refused.stderr
    assert "Deploy a phigate at revision future1 or newer" in refused.stderr


def test_serve_on_an_expand_only_newer_schema_says_so(state_url: str, tmp_path: Path) -> None:
    database(state_url, newer_build(tmp_path, (EXPAND_ONLY,))).migrate()
    port = free_port()
    config = serve_config(tmp_path, state_url, port)
    process = subprocess.Popen(
        [str(PHIGATE), "serve", "--config", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "COLUMNS": "400"},
    )
    try:
        wait_ready(process, f"http://127.0.0.1:{port}")
        ready = httpx.get(f"http://127.0.0.1:{port}/readyz").json()
        assert ready["schema"]["newer"] is True and ready["schema"]["database"] == "future1"
    finally:
        output = stop(process)
    assert f"state store at revision future1, newer than this phigate ({head_of(MIGRATIONS)})" in (
        output
    )
    assert "serves on it" in output and "note: serving on a newer schema (future1)" in output


def test_serve_with_workers_checks_the_window_once(
    tmp_path: Path, pg_server: EmbeddedPostgres
) -> None:
    """`--workers N` with migrate_on_start migrates once up front: on a breaking newer
    schema that is the refusal, before any worker starts; it never downgrades."""
    url = pg_server.dsn(fresh_database(pg_server))
    database(url, newer_build(tmp_path, (BREAKING,))).migrate()
    config = serve_config(tmp_path, url, free_port(), migrate_on_start=True)
    result = CliRunner().invoke(main, ["serve", "--config", str(config), "--workers", "2"])
    assert result.exit_code == 2, result.output
    assert "Deploy a phigate at revision future1 or newer" in result.output
    assert revision_of(url) == "future1"
