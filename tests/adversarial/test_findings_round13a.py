"""Round 13a of the promises-only attack: replicas whose host clock is wrong as a
whole (every clock the process reads, not only `time.time`), and the doors that
judge time with it.

Each finding is a strict xfail (`finding`): it turns red the moment it is fixed.
Attacks that held are ordinary tests.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

import tests.support.cluster as cluster_module
from tests.adversarial.harness import finding
from tests.support.cluster import Cluster, Replica

# ── a replica on a host whose clock is 20 minutes ahead ────────────────────
# The fault knob of tests/support/cluster.py (PHIGATE_TEST_CLOCK_SKEW_SECONDS) moves
# `time.time` only. A host whose clock is wrong is wrong for every reading: the
# `datetime.now()` of the policy engine and of PyJWT too. time-machine moves them all
# (at the C level), started before phigate imports anything (sitecustomize).
HOST_SKEW = 20 * 60.0
_SITECUSTOMIZE = """
import os, time

import time_machine

_skew = float(os.environ["PHIGATE_TEST_HOST_CLOCK_SKEW"])
time_machine.travel(time.time() + _skew, tick=True).start()
"""


def _window() -> tuple[str, str]:
    """A daily window (UTC) that holds the true time for the next 9 minutes and does not
    hold the skewed replica's (20 minutes ahead)."""
    now = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
    start, end = now - dt.timedelta(minutes=5), now + dt.timedelta(minutes=10)
    return start.strftime("%H:%M"), end.strftime("%H:%M")


class HostSkewCluster(Cluster):
    """Two replicas; the second runs on a host whose whole clock is HOST_SKEW ahead."""

    def __init__(self, base: Path) -> None:
        super().__init__(base, replicas=2)
        self.site = base / "skewed-host"
        self.site.mkdir()
        (self.site / "sitecustomize.py").write_text(_SITECUSTOMIZE)

    def launch(self, replica: Replica) -> None:
        replica.skew = 0.0  # not the time.time-only knob: the whole host is off
        if replica.index == 1:
            patch = pytest.MonkeyPatch()
            pythonpath = f"{self.site}{os.pathsep}{cluster_module.SRC}"
            patch.setenv("PHIGATE_TEST_HOST_CLOCK_SKEW", str(HOST_SKEW))
            patch.setattr(cluster_module, "SRC", pythonpath)
            try:
                super().launch(replica)
            finally:
                patch.undo()
            return
        super().launch(replica)


@pytest.fixture(scope="module")
def skewed_host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """Writes run outright, except in a change window (now, by the true time) where
    they need a reviewer: `rules[].match.time` (docs/configuration.md)."""
    start, end = _window()
    writes = (
        "    - name: writes-need-a-reviewer\n"
        "      match: {{risk: [write]}}\n"
        "      decision: approve\n"
        "      approvals: {{count: 1, groups: [reviewers], expires_in: 3600}}\n"
    )
    assert writes in cluster_module.CONFIG
    windowed = (
        "    - {{name: writes, match: {{risk: [write]}}, decision: allow}}\n"
        "    - name: writes-in-the-change-window-need-a-reviewer\n"
        f'      match: {{{{risk: [write], time: {{{{start: "{start}", end: "{end}"}}}}}}}}\n'
        "      decision: approve\n"
        "      approvals: {{count: 1, groups: [reviewers], expires_in: 3600}}\n"
    )
    patch = pytest.MonkeyPatch()
    patch.setattr(cluster_module, "CONFIG", cluster_module.CONFIG.replace(writes, windowed))
    cluster = HostSkewCluster(tmp_path_factory.mktemp("hostskew"))
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
        patch.undo()


def _offset(replica: Replica) -> float:
    """The clock offset the replica measured against the state database."""
    text = httpx.get(f"{replica.url}/metrics", timeout=10).text
    found = re.search(r"^phigate_clock_offset_seconds (\S+)$", text, re.MULTILINE)
    assert found is not None, "no phigate_clock_offset_seconds metric"
    return float(found.group(1))


def _in_ledger(cluster: Cluster, key: str) -> bool:
    with psycopg.connect(cluster.upstream_pg.dsn()) as conn:
        row = conn.execute("SELECT count(*) FROM ledger WHERE key = %s", (key,)).fetchone()
    return row is not None and row[0] > 0


async def _write(cluster: Cluster, replica: Replica) -> tuple[httpx.Response, str]:
    key = f"w{secrets.token_hex(6)}"
    body = {"connection": "ehr", "sql": f"INSERT INTO ledger (key) VALUES ('{key}')"}
    return await cluster.post(replica, "/v1/actions", "bot", body, 30), key


@finding(
    1,
    "a replica on a skewed host judges a policy rule's time window by its own clock: "
    "a write the shared clock puts in a change window runs there without approval",
)
async def test_a_skewed_host_does_not_move_a_policy_time_window(skewed_host: Cluster) -> None:
    """docs/deploy-replicas.md: "Every other time a replica reads or writes is on the
    state database's clock too." The policy engine is asked at `datetime.now()`
    (pipeline/deciding.py `decide`), the host's clock, never corrected by the offset
    (core/clock.py). With a change window that requires a reviewer now, the replica
    whose host is 20 minutes ahead believes the window closed and runs the write."""
    right, skewed = skewed_host.replicas
    assert abs(_offset(skewed) + HOST_SKEW) < 5, "the second replica's host is not skewed"
    assert abs(_offset(right)) < 5
    asked, key = await _write(skewed_host, right)
    assert asked.status_code == 202, asked.text  # in the window: a reviewer is needed
    assert not _in_ledger(skewed_host, key)
    asked, key = await _write(skewed_host, skewed)
    ran = _in_ledger(skewed_host, key)
    assert (asked.status_code, ran) == (202, False), f"{asked.status_code} {asked.text[:300]}"
