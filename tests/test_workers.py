"""`phigate serve --workers N`: N replicas on one host sharing its ports; a worker
killed is started again; the workers stop when their supervisor is killed; a second
supervisor on the same ports is refused; SQLite state refuses more than one worker."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import psycopg
import pytest
from click.testing import CliRunner
from psycopg import sql as pgsql

from phigate.audit.keys import create_key_file
from phigate.cli import main
from phigate.config import load_settings
from phigate.ops.pgserver import EmbeddedPostgres, free_port
from phigate.ops.port_claims import LockDirectoryError, claim_ports
from tests.support.cluster import SRC

CONFIG = """
state: {{url: "{state}", heartbeat_seconds: 0.5}}
server: {{http_host: 127.0.0.1, http_port: {http}}}
secrets: {{token_hash_key: "k1-{suffix}", masking_key: "k2-{suffix}"}}
audit: {{signing_key: "file:{key}"}}
connections:
  ehr: {{type: postgres, dsn: "{state}", listen: "127.0.0.1:{wire}"}}
policy:
  rules:
    - {{name: reads, match: {{risk: [read]}}, decision: allow}}
"""


def test_sqlite_state_refuses_more_than_one_worker(tmp_path: Path) -> None:
    config = tmp_path / "phigate.yaml"
    config.write_text(
        'state: {url: "sqlite:///' + str(tmp_path / "state.db") + '"}\n'
        'secrets: {token_hash_key: "a", masking_key: "b"}\n'
    )
    result = CliRunner().invoke(main, ["serve", "--config", str(config), "--workers", "2"])
    assert result.exit_code == 2
    assert "--workers 2 needs a PostgreSQL state store" in result.output
    assert not (tmp_path / "state.db").exists()  # refused before touching anything


def children(pid: int) -> set[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return {int(child) for child in text.split()}


def replica_ids(dsn: str) -> set[str]:
    with psycopg.connect(dsn) as conn:
        try:
            return {row[0] for row in conn.execute("SELECT id FROM replicas")}
        except psycopg.errors.UndefinedTable:  # not migrated yet
            return set()


def wait_for(condition: object, what: str, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def answers(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def workers_config(tmp_path: Path, pg_server: EmbeddedPostgres, http: int) -> tuple[Path, str, int]:
    """A configuration on a fresh PostgreSQL state database: (file, state DSN, wire port)."""
    name = f"state_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_server.dsn(), autocommit=True) as conn:
        conn.execute(pgsql.SQL("CREATE DATABASE {}").format(pgsql.Identifier(name)))
    state, wire = pg_server.dsn(name), free_port()
    create_key_file(tmp_path / "key.pem")
    config = tmp_path / "phigate.yaml"
    config.write_text(
        CONFIG.format(state=state, http=http, wire=wire, suffix=name, key=tmp_path / "key.pem")
    )
    return config, state, wire


def supervise(tmp_path: Path, config: Path) -> subprocess.Popen[bytes]:
    with (tmp_path / "serve.log").open("wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "phigate", "serve", "--config", str(config), "--workers", "2"],
            env={**os.environ, "PYTHONPATH": str(SRC)},
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def test_a_port_held_by_another_program_stops_all_workers_with_exit_2(
    tmp_path: Path, pg_server: EmbeddedPostgres
) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:  # no SO_REUSEPORT: not shared
        config, _state, _wire = workers_config(tmp_path, pg_server, taken.getsockname()[1])
        supervisor = supervise(tmp_path, config)
        try:
            assert supervisor.wait(120) == 2
        finally:
            if supervisor.poll() is None:
                supervisor.kill()
    assert "cannot listen on" in (tmp_path / "serve.log").read_text()


def test_workers_share_the_ports_and_a_killed_worker_comes_back(
    tmp_path: Path, pg_server: EmbeddedPostgres
) -> None:
    http = free_port()
    config, state, wire = workers_config(tmp_path, pg_server, http)
    supervisor = supervise(tmp_path, config)
    try:
        wait_for(lambda: len(replica_ids(state)) == 2 and answers(http), "two workers")
        workers = children(supervisor.pid)
        assert len(workers) == 2
        assert all(wire_answers(wire) for _ in range(4))  # the wire port is served too
        victim = min(workers)
        subprocess.run(["kill", "-9", str(victim)], check=True)
        wait_for(lambda: len(replica_ids(state)) == 3, "the killed worker to come back")
        survivors = children(supervisor.pid)
        assert len(survivors) == 2 and victim not in survivors
        assert answers(http)
    finally:
        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(60) == 0
    assert not any(Path(f"/proc/{pid}").exists() for pid in survivors)


def wire_answers(port: int) -> bool:
    """A PostgreSQL wire listener answers on `port` (refusing a bad password)."""
    try:
        psycopg.connect(
            f"host=127.0.0.1 port={port} dbname=x user=nobody password=x", connect_timeout=5
        ).close()
    except psycopg.OperationalError as exc:
        return "password" in str(exc) or "authentication" in str(exc) or "token" in str(exc)
    return False


def gone(pid: int) -> bool:
    """Ended: no process, or a zombie waiting for whoever adopted it to reap it."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def test_workers_stop_when_the_supervisor_is_killed(
    tmp_path: Path, pg_server: EmbeddedPostgres
) -> None:
    http = free_port()
    config, state, _wire = workers_config(tmp_path, pg_server, http)
    supervisor = supervise(tmp_path, config)
    try:
        wait_for(lambda: len(replica_ids(state)) == 2 and answers(http), "two workers")
        workers = children(supervisor.pid)
    finally:
        supervisor.kill()  # kill -9: no chance to stop its workers itself
        supervisor.wait(10)
    killed = time.monotonic()
    wait_for(lambda: all(gone(pid) for pid in workers), "the workers to stop", seconds=15)
    took = time.monotonic() - killed
    log = (tmp_path / "serve.log").read_text()
    assert log.count("the supervisor has ended; stopping worker") == 2, log
    assert "Traceback" not in log
    assert not answers(http)
    print(f"workers stopped {took:.2f}s after kill -9 of their supervisor")


def test_a_second_supervisor_on_the_same_ports_is_refused(
    tmp_path: Path, pg_server: EmbeddedPostgres
) -> None:
    http = free_port()
    config, state, _wire = workers_config(tmp_path, pg_server, http)
    first = supervise(tmp_path, config)
    try:
        wait_for(lambda: len(replica_ids(state)) == 2 and answers(http), "two workers")
        second_dir = tmp_path / "second"
        second_dir.mkdir()
        second = supervise(second_dir, config)
        assert second.wait(60) == 2
        log = (second_dir / "serve.log").read_text()
        assert (
            f"port {http} (server.http_port) is in use by another phigate (pid {first.pid})" in log
        )
        assert len(replica_ids(state)) == 2  # the second started no worker
        assert answers(http) and first.poll() is None
    finally:
        first.send_signal(signal.SIGTERM)
        assert first.wait(60) == 0


def test_a_lock_directory_someone_else_could_write_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    shared = tmp_path / f"phigate-{os.getuid()}"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)
    config = tmp_path / "phigate.yaml"
    config.write_text(
        'state: {url: "sqlite:///' + str(tmp_path / "state.db") + '"}\n'
        f"server: {{http_host: 127.0.0.1, http_port: {free_port()}}}\n"
        'secrets: {token_hash_key: "a", masking_key: "b"}\n'
    )
    settings = load_settings(config)
    with pytest.raises(LockDirectoryError, match="not a private directory"):
        claim_ports(settings)
    assert list(shared.iterdir()) == []
