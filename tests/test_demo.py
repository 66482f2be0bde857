"""`phigate demo` as a user runs it: a real process, real ports, Ctrl-C, a second run."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psycopg
import pytest

from phigate.ops.pgserver import free_port

PHIGATE = Path(sys.executable).parent / "phigate"


def start_demo(state_dir: Path, port: int, *options: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(PHIGATE), "demo", "--state-dir", str(state_dir), "--http-port", str(port), *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "COLUMNS": "200"},
    )


def wait_ready(process: subprocess.Popen[bytes], url: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode() if process.stdout else ""
            pytest.fail(f"demo exited early ({process.returncode}):\n{output}")
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    pytest.fail("demo did not become ready")


def stop(process: subprocess.Popen[bytes], how: signal.Signals = signal.SIGINT) -> str:
    process.send_signal(how)
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output.decode()
    return output.decode()


def test_demo_serves_masked_data_and_restarts_with_its_state(tmp_path: Path) -> None:
    state_dir, port = tmp_path / "demo", free_port()
    url = f"http://127.0.0.1:{port}"
    process = start_demo(state_dir, port)
    try:
        wait_ready(process, url)
        credentials_file = state_dir / "credentials.json"
        assert credentials_file.stat().st_mode & 0o777 == 0o600
        creds = json.loads(credentials_file.read_text())
        assert set(creds["tokens"]) == {"claims-bot", "dana", "alice", "bob", "admin"}
        assert creds["api_url"] == url and creds["upstream_dsn"].startswith("postgresql://")
        response = httpx.post(
            f"{url}/v1/actions",
            timeout=30,
            headers={"Authorization": f"Bearer {creds['tokens']['claims-bot']}"},
            json={"connection": "ehr", "sql": "SELECT count(*) AS n FROM patients"},
        )
        assert response.status_code == 200, response.text
        assert response.json()["result"]["rows"] == [[1000]], response.text
    finally:
        output = stop(process)
    assert "phigate demo stopped" in output
    assert not (state_dir / "postgres" / "postmaster.pid").exists(), output

    process = start_demo(state_dir, port)
    try:
        wait_ready(process, url)
        again = json.loads((state_dir / "credentials.json").read_text())
        assert again["tokens"] == creds["tokens"]  # state reused: the same tokens still work
        audit = httpx.get(
            f"{url}/v1/audit/verify",
            timeout=30,
            headers={"Authorization": f"Bearer {again['tokens']['admin']}"},
        )
        assert audit.json()["ok"] is True and audit.json()["records"] >= 3
        # Signed at the first run's shutdown and this run's start, by the demo's kept key.
        assert audit.json()["checkpoint"]["seq"] >= 3
    finally:
        stop(process)
    assert (state_dir / "secrets" / "audit_signing_key.pem").stat().st_mode & 0o777 == 0o600


def test_serve_refuses_an_old_schema_then_serves_after_migrate(tmp_path: Path) -> None:
    config = tmp_path / "phigate.yaml"
    port = free_port()
    config.write_text(
        f"state: {{url: 'sqlite:///{tmp_path / 'state.db'}', migrate_on_start: false}}\n"
        f"server: {{http_port: {port}}}\n"
        "secrets: {token_hash_key: 'a-test-key-of-32-characters-long', "
        "masking_key: 'another-test-key-32-characters!!'}\n"
    )
    refused = subprocess.run(
        [str(PHIGATE), "serve", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 2
    assert "phigate migrate" in refused.stderr
    migrated = subprocess.run(
        [str(PHIGATE), "migrate", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert migrated.returncode == 0, migrated.stderr
    process = subprocess.Popen(
        [str(PHIGATE), "serve", "--config", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_ready(process, f"http://127.0.0.1:{port}")
        assert httpx.get(f"http://127.0.0.1:{port}/healthz").json() == {"status": "ok"}
    finally:
        output = stop(process)
    # No audit.signing_key: a key is generated once, kept beside the state, and said so.
    key = tmp_path / "audit_signing_key.pem"
    assert key.stat().st_mode & 0o777 == 0o600
    assert f"generated audit checkpoint key {key}" in output
    verified = subprocess.run(
        [str(PHIGATE), "audit", "verify", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert verified.returncode == 0, verified.stderr
    assert "tail proven by the checkpoint" in verified.stdout  # signed at shutdown


def test_demo_restarts_after_being_killed(tmp_path: Path) -> None:
    """A killed demo leaves its PostgreSQL running; the next run takes over cleanly."""
    state_dir, port = tmp_path / "demo", free_port()
    url = f"http://127.0.0.1:{port}"
    process = start_demo(state_dir, port)
    try:
        wait_ready(process, url)
    finally:
        process.kill()
        process.communicate(timeout=30)
    assert (state_dir / "postgres" / "postmaster.pid").exists()  # left behind
    process = start_demo(state_dir, port)
    try:
        wait_ready(process, url)
        token = json.loads((state_dir / "credentials.json").read_text())["tokens"]["dana"]
        response = httpx.post(
            f"{url}/v1/actions",
            timeout=30,
            headers={"Authorization": f"Bearer {token}"},
            json={"connection": "ehr", "sql": "SELECT count(*) FROM claims"},
        )
        assert response.json()["result"]["rows"] == [[1000]], response.text
    finally:
        output = stop(process)
    assert not (state_dir / "postgres" / "postmaster.pid").exists(), output


def test_a_second_demo_on_the_same_state_refuses_and_the_first_keeps_serving(
    tmp_path: Path,
) -> None:
    state_dir, port = tmp_path / "demo", free_port()
    url = f"http://127.0.0.1:{port}"
    first = start_demo(state_dir, port)
    try:
        wait_ready(first, url)
        credentials = (state_dir / "credentials.json").read_text()
        second = subprocess.run(
            [str(PHIGATE), "demo", "--state-dir", str(state_dir), "--http-port", str(free_port())],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert second.returncode == 2, second.stdout + second.stderr
        assert f"pid {first.pid}" in second.stderr and "--state-dir" in second.stderr
        assert (state_dir / "credentials.json").read_text() == credentials
        token = json.loads(credentials)["tokens"]["dana"]
        response = httpx.post(
            f"{url}/v1/actions",
            timeout=30,
            headers={"Authorization": f"Bearer {token}"},
            json={"connection": "ehr", "sql": "SELECT count(*) FROM claims"},
        )
        assert response.status_code == 200, response.text
    finally:
        stop(first)


def _serve_config(
    tmp_path: Path, name: str, state_db: Path, port: int | None = None
) -> tuple[Path, int]:
    port = port or free_port()
    config = tmp_path / f"{name}.yaml"
    config.write_text(
        f"state: {{url: 'sqlite:///{state_db}'}}\n"
        f"server: {{http_port: {port}}}\n"
        "secrets: {token_hash_key: 'a-test-key-of-32-characters-long', "
        "masking_key: 'another-test-key-32-characters!!'}\n"
    )
    return config, port


def test_a_second_serve_on_one_sqlite_state_refuses(tmp_path: Path) -> None:
    first_config, port = _serve_config(tmp_path, "first", tmp_path / "state.db")
    second_config, _ = _serve_config(tmp_path, "second", tmp_path / "state.db")
    first = subprocess.Popen(
        [str(PHIGATE), "serve", "--config", str(first_config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_ready(first, f"http://127.0.0.1:{port}")
        second = subprocess.run(
            [str(PHIGATE), "serve", "--config", str(second_config)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode == 2, second.stderr
        assert f"pid {first.pid}" in second.stderr and "PostgreSQL state" in second.stderr
        assert httpx.get(f"http://127.0.0.1:{port}/readyz").status_code == 200
    finally:
        stop(first)


def test_sigterm_stops_the_demo_and_its_postgresql_on_the_pinned_wire_port(
    tmp_path: Path,
) -> None:
    state_dir, port, pg_port = tmp_path / "demo", free_port(), free_port()
    process = start_demo(state_dir, port, "--pg-port", str(pg_port))
    try:
        wait_ready(process, f"http://127.0.0.1:{port}")
        creds = json.loads((state_dir / "credentials.json").read_text())
        assert creds["pg_url"] == f"postgresql://127.0.0.1:{pg_port}/ehr"
        upstream = creds["upstream_dsn"]
        with psycopg.connect(upstream, connect_timeout=5):
            pass
    finally:
        output = stop(process, signal.SIGTERM)
    assert "Stopped the embedded PostgreSQL" in output and "phigate demo stopped" in output
    assert not (state_dir / "postgres" / "postmaster.pid").exists(), output
    with pytest.raises(psycopg.OperationalError):  # no orphaned server left listening
        psycopg.connect(upstream, connect_timeout=5)


@pytest.mark.parametrize("option", ["--http-port", "--pg-port"])
def test_a_port_clash_is_one_clear_line_and_writes_no_credentials(
    tmp_path: Path, option: str
) -> None:
    state_dir = tmp_path / "demo"
    with socket.create_server(("127.0.0.1", 0)) as taken:
        busy = taken.getsockname()[1]
        ports = {"--http-port": str(free_port()), option: str(busy)}
        done = subprocess.run(
            [str(PHIGATE), "demo", "--state-dir", str(state_dir)]
            + [word for pair in ports.items() for word in pair],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"cannot listen on 127.0.0.1:{busy}" in done.stderr and option in done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert not (state_dir / "credentials.json").exists()
    assert not (state_dir / "postgres").exists()  # refused before starting anything


def test_sigterm_stops_serve(tmp_path: Path) -> None:
    config, port = _serve_config(tmp_path, "only", tmp_path / "state.db")
    process = subprocess.Popen(
        [str(PHIGATE), "serve", "--config", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_ready(process, f"http://127.0.0.1:{port}")
    finally:
        output = stop(process, signal.SIGTERM)
    assert "Traceback" not in output


def lock_pid(pid_file: Path) -> int:
    """The pid in postmaster.pid (negative for a single-user backend), 0 without one."""
    try:
        first = pid_file.read_text().split("\n", 1)[0].strip()
    except FileNotFoundError:
        return 0
    return int(first) if first.lstrip("-").isdigit() else 0


def running(pid: int) -> bool:
    """A live process; a zombie (exited, not yet reaped by whoever adopted it) is not."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.parametrize("stage", ["initdb", "postmaster"])
def test_sigterm_while_starting_leaves_no_postgresql_running(tmp_path: Path, stage: str) -> None:
    """SIGTERM while initdb's single-user backend runs (it writes postmaster.pid too, with
    a negative pid), or between PostgreSQL's start and the gateway's, stops it too."""
    state_dir, port = tmp_path / "demo", free_port()
    process = start_demo(state_dir, port)
    pid_file = state_dir / "postgres" / "postmaster.pid"
    deadline, pid = time.monotonic() + 120, 0
    while process.poll() is None and time.monotonic() < deadline:
        pid = lock_pid(pid_file)
        if (pid < 0) if stage == "initdb" else (pid > 0):
            break
        time.sleep(0.01)
    assert pid != 0 and process.poll() is None, f"never saw the {stage} stage"
    output = stop(process, signal.SIGTERM)  # exit status 0, as when serving
    assert "Stopped the embedded PostgreSQL" in output
    assert not running(abs(pid)), output
    assert not pid_file.exists()
    if stage == "initdb":  # no half-made cluster for the next start to trust
        assert not (state_dir / "postgres" / "PG_VERSION").exists()


def test_serve_on_a_taken_port_is_one_clear_line(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        busy = taken.getsockname()[1]
        config, _ = _serve_config(tmp_path, "clash", tmp_path / "state.db", busy)
        done = subprocess.run(
            [str(PHIGATE), "serve", "--config", str(config)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.strip().splitlines() == [
        f"error: cannot listen on 127.0.0.1:{busy}: Address already in use. "
        "Is another phigate running there? Choose another server.http_port."
    ]
