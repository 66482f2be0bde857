"""Streamed exec output: real programs behind a real HTTP server, read line by line by a
real client while they run; masking of split writes; timeout and disconnect recorded."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from phigate.cli import main
from phigate.connectors.exec import exec_body
from phigate.core.actions import Action
from phigate.doors.app import build_app
from phigate.pipeline import execution
from tests.conftest import Harness
from tests.connectors.support import Served, audit_text, harness_with, serve_in_thread
from tests.test_outcome_unrecorded import refuse_outcome_records

SSN, EMAIL = "123-45-6789", "john.smith@example.com"
TOKEN = "st-secret-0f1e2d3c4b5a6978"

WAITER = """#!/bin/sh
# Prints a line, then waits for the test to create "$1" before printing the next.
echo "first line"
while [ ! -e "$1" ]; do sleep 0.02; done
echo "second line"
"""

SPLITTER = """#!/bin/sh
# An SSN, an email and the gateway's secret each written in two halves, apart in time;
# an SSN on the line after its label.
printf 'patient SSN 123-45-'
sleep 0.3
printf '6789 mail john.smith@'
sleep 0.3
printf 'example.com\\nSSN:\\n'
sleep 0.3
printf '123456789\\n'
printf 'key %s' "$(echo "$STREAM_TOKEN" | cut -c1-10)" >&2
sleep 0.3
printf '%s done\\n' "$(echo "$STREAM_TOKEN" | cut -c11-)" >&2
exit 3
"""

HANGER = """#!/bin/sh
# Records its pid, prints a line, then hangs (a child sleep in its process group).
# The pid first: once "working" is read, the file is there, however soon the
# gateway kills the program after it.
echo $$ > "$1"
echo "working"
sleep 300
"""


def _script(path: Path, text: str) -> str:
    path.write_text(text)
    path.chmod(0o755)
    return str(path)


def stream_connection(tmp_path: Path, timeout: float) -> dict[str, Any]:
    bin_dir, work = tmp_path / "bin", tmp_path / "work"
    bin_dir.mkdir(exist_ok=True)
    work.mkdir(exist_ok=True)
    scripts = {"waiter": WAITER, "splitter": SPLITTER, "hanger": HANGER}
    return {
        "type": "exec",
        "programs": [_script(bin_dir / n, t) for n, t in scripts.items()] + ["/bin/cat"],
        "working_dir": str(work),
        "env": {"STREAM_TOKEN": TOKEN},
        "timeout_seconds": timeout,
        "rules": [
            {"name": f"{p} reads", "program": p, "risk": "read"}
            for p in ("waiter", "splitter", "hanger")
        ]
        + [{"name": "cat writes", "program": "cat", "risk": "write"}],
    }


@pytest.fixture
async def h(tmp_path: Path) -> AsyncIterator[Harness]:
    connections = {
        "box": stream_connection(tmp_path, timeout=30),
        "quick": stream_connection(tmp_path, timeout=1.0),
    }
    harness = await harness_with(tmp_path, connections)
    try:
        yield harness
    finally:
        await harness.client.aclose()
        await harness.gateway.close()


@pytest.fixture
def served(h: Harness) -> Iterator[Served]:
    running = serve_in_thread(build_app(h.gateway))
    try:
        yield running
    finally:
        running.stop()


def _body(argv: list[str], connection: str = "box", **extra: Any) -> dict[str, Any]:
    return {"connection": connection, "argv": argv, **extra}


async def _lines(response: httpx.Response) -> AsyncIterator[dict[str, Any]]:
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-ndjson")
    async for line in response.aiter_lines():
        if line:
            yield json.loads(line)


async def _collect(
    client: httpx.AsyncClient, url: str, body: dict[str, Any] | None, auth: dict[str, str]
) -> list[dict[str, Any]]:
    async with client.stream("POST", url, json=body, headers=auth) as response:
        return [event async for event in _lines(response)]


def _text(events: list[dict[str, Any]], stream: str) -> str:
    return "".join(e["text"] for e in events if e.get("stream") == stream)


async def _wait_for_status(h: Harness, action_id: str, status: str) -> None:
    deadline = time.monotonic() + 10
    while h.gateway.action(action_id).status != status:
        assert time.monotonic() < deadline, h.gateway.action(action_id).status
        await asyncio.sleep(0.05)


async def _wait_dead(pid: int) -> None:
    """SIGKILL is delivered asynchronously: allow the kernel a moment."""
    deadline = time.monotonic() + 5
    while _alive(pid) and time.monotonic() < deadline:  # noqa: ASYNC110 - a foreign pid
        await asyncio.sleep(0.05)
    assert not _alive(pid)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state not in {"Z", "X"}


async def test_first_line_arrives_while_the_program_still_runs(
    h: Harness, served: Served, tmp_path: Path
) -> None:
    go = tmp_path / "work" / "go"
    url = f"{served.url}/v1/actions?stream=1"
    async with (
        httpx.AsyncClient(timeout=30) as client,
        client.stream("POST", url, json=_body(["waiter", str(go)]), headers=h.auth("dana")) as r,
    ):
        events = _lines(r)
        head = await anext(events)
        assert head["status"] == "running"
        first = await anext(events)
        # The program cannot end before this file exists, and it is created only now.
        assert first == {"stream": "stdout", "text": "first line\n"}
        assert h.gateway.action(head["id"]).status == "executing"
        go.touch()
        rest = [event async for event in events]
    assert _text(rest, "stdout") == "second line\n"
    end = rest[-1]
    assert end["status"] == "executed"
    assert end["exit_code"] == 0
    assert end["duration_ms"] > 0
    summary = h.gateway.action(head["id"]).result_summary
    assert summary is not None
    assert summary["exit_code"] == 0
    assert summary["duration_ms"] == end["duration_ms"]


async def test_split_writes_are_masked_whole(h: Harness, served: Served) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        events = await _collect(
            client, f"{served.url}/v1/actions?stream=1", _body(["splitter"]), h.auth("dana")
        )
    outputs = [e for e in events if "stream" in e]
    stdout, stderr = _text(events, "stdout"), _text(events, "stderr")
    assert stdout.startswith("patient SSN ") and stdout.endswith("SSN:\n[SSN]\n")
    assert stderr.startswith("key [REDACTED:STREAM_TOKEN] done")
    for chunk in [e["text"] for e in outputs] + [stdout + stderr]:
        for leak in ("123-45", "6789", "john.smith", "example.com", TOKEN[:10], TOKEN[10:]):
            assert leak not in chunk
    end = events[-1]
    assert end["status"] == "executed"
    assert end["exit_code"] == 3
    assert end["masked"]["GATEWAY_SECRET"] == 1
    assert end["masked"]["SSN"] == 2  # one split mid-number, one on the line after its label
    text = audit_text(h)
    assert SSN not in text and TOKEN not in text
    assert '"exit_code": 3' in text


async def test_timeout_while_streaming_kills_and_is_recorded_failed(
    h: Harness, served: Served, tmp_path: Path
) -> None:
    pid_file = tmp_path / "work" / "hanger.pid"
    async with httpx.AsyncClient(timeout=30) as client:
        events = await _collect(
            client,
            f"{served.url}/v1/actions?stream=1",
            _body(["hanger", str(pid_file)], "quick"),
            h.auth("dana"),
        )
    assert _text(events, "stdout") == "working\n"
    end = events[-1]
    assert end["status"] == "failed"
    assert end["error"]["code"] == "upstream_error"
    assert "timeout" in end["error"]["message"]
    await _wait_dead(int(pid_file.read_text()))
    record = h.gateway.action(events[0]["id"])
    assert record.status == "failed"
    assert record.result_summary is not None
    assert record.result_summary["error_class"] == "upstream_error"


async def test_client_disconnect_kills_the_program_and_is_audited(
    h: Harness, served: Served, tmp_path: Path
) -> None:
    pid_file = tmp_path / "work" / "hanger.pid"
    url = f"{served.url}/v1/actions?stream=1"
    body = _body(["hanger", str(pid_file)])
    async with (
        httpx.AsyncClient(timeout=30) as client,
        client.stream("POST", url, json=body, headers=h.auth("dana")) as r,
    ):
        events = _lines(r)
        action_id = (await anext(events))["id"]
        assert (await anext(events))["text"] == "working\n"
    # The client is gone; the connection's 30 s timeout is far away.
    await _wait_for_status(h, action_id, "failed")
    await _wait_dead(int(pid_file.read_text()))
    summary = h.gateway.action(action_id).result_summary
    assert summary is not None
    assert summary["error_class"] == "client_disconnected"
    failed = [
        r
        for r in h.gateway.audit_records(since=0, limit=10_000)
        if r["event"] == "action.failed" and r["action_id"] == action_id
    ]
    assert len(failed) == 1
    assert failed[0]["result"]["error_class"] == "client_disconnected"


async def test_pending_and_denied_stay_json_then_run_streams_after_approval(
    h: Harness, served: Served
) -> None:
    async with httpx.AsyncClient(base_url=served.url, timeout=30) as client:
        denied = await client.post(
            "/v1/actions?stream=1", json=_body(["sh", "-c", "id"]), headers=h.auth("dana")
        )
        assert denied.status_code == 403
        assert denied.json()["status"] == "denied"
        pending = await client.post(
            "/v1/actions?stream=1",
            json=_body(["cat"], stdin=f"owner {EMAIL}\nok\n"),
            headers=h.auth("claims-bot"),
        )
        assert pending.status_code == 202, pending.text
        body = pending.json()
        voted = await client.post(
            f"/v1/approvals/{body['approval']['id']}/approve", headers=h.auth("alice"), json={}
        )
        assert voted.status_code == 200
        url = f"/v1/actions/{body['id']}/run?stream=1"
        events = await _collect(client, url, None, h.auth("claims-bot"))
        again = await client.post(url, headers=h.auth("claims-bot"))
    assert events[0] == {"id": body["id"], "status": "running"}
    assert _text(events, "stdout").endswith("\nok\n")
    assert EMAIL not in _text(events, "stdout")
    assert events[-1]["status"] == "executed"
    assert again.status_code == 409
    assert h.gateway.action(body["id"]).status == "executed"


def test_cli_prints_output_as_it_arrives(h: Harness, served: Served, tmp_path: Path) -> None:
    go = tmp_path / "work" / "go-cli"
    env = {"PATH": "/usr/bin:/bin", "PHIGATE_URL": served.url, "PHIGATE_TOKEN": h.tokens["dana"]}
    argv = [str(Path(sys.executable).parent / "phigate"), "exec", "box", "--", "waiter", str(go)]
    with subprocess.Popen(
        argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as cli:
        assert cli.stdout is not None
        # The command waits for `go`, created only once the CLI has printed its first line.
        assert cli.stdout.readline() == "first line\n"
        go.touch()
        rest, errors = cli.communicate(timeout=30)
    assert rest == "second line\n", errors
    assert cli.returncode == 0


def test_cli_exits_with_the_streamed_exit_code(h: Harness, served: Served) -> None:
    args = ["exec", "--url", served.url, "--token", h.tokens["dana"], "box", "--", "splitter"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 3, result.output
    assert result.stdout.startswith("patient SSN ")
    assert SSN not in result.stdout and EMAIL not in result.stdout
    assert "[REDACTED:STREAM_TOKEN]" in result.stderr


def test_cli_reports_a_timeout_while_streaming(h: Harness, served: Served, tmp_path: Path) -> None:
    pid_file = str(tmp_path / "work" / "cli.pid")
    args = ["exec", "--url", served.url, "--token", h.tokens["dana"], "quick", "--"]
    result = CliRunner().invoke(main, [*args, "hanger", pid_file])
    assert result.exit_code == 5, result.output
    assert result.stdout == "working\n"
    assert "upstream_error" in result.stderr and "timeout" in result.stderr


async def test_a_stream_dropped_unread_still_stops_and_records_the_run(
    h: Harness, tmp_path: Path
) -> None:
    principal = await h.gateway.authenticate(h.tokens["dana"])
    pid_file = tmp_path / "work" / "dropped.pid"
    action = Action(
        connection="box",
        kind="exec",
        body=exec_body(["hanger", str(pid_file)]),
        principal=principal,
        front_door="rest",
    )
    admitted = await h.gateway.admit(action)
    assert admitted.status == "admitted"
    events = h.gateway.stream(admitted.record)
    assert await anext(events) == {"id": admitted.record.id, "status": "running"}
    deadline = time.monotonic() + 10
    while not pid_file.exists():  # the program runs although nobody reads its output
        assert time.monotonic() < deadline
        await asyncio.sleep(0.02)
    del events  # what a response never sent leaves behind: collected, never closed
    await _wait_for_status(h, admitted.record.id, "failed")
    summary = h.gateway.action(admitted.record.id).result_summary
    assert summary is not None
    assert summary["error_class"] == "client_disconnected"
    await _wait_dead(int(pid_file.read_text()))


async def test_a_streamed_run_whose_end_cannot_be_recorded_ends_interrupted(
    h: Harness, served: Served, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The program ran; the store then refuses its end record: the stream's last line
    says `interrupted` with `outcome_unrecorded`, never `failed` ("did not run")."""
    monkeypatch.setattr(execution, "OUTCOME_RETRY_SECONDS", 0.5)
    refuse_outcome_records(tmp_path / "state.db")
    async with httpx.AsyncClient(timeout=60) as client:
        events = await _collect(
            client, f"{served.url}/v1/actions?stream=1", _body(["splitter"]), h.auth("dana")
        )
    end = events[-1]
    assert end["status"] == "interrupted", end
    assert end["error"]["code"] == "outcome_unrecorded", end
    assert "not run" not in end["error"]["message"], end
    assert h.gateway.action(events[0]["id"]).status == "interrupted"
