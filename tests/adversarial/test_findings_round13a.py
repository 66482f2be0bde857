"""Round 13a of the promises-only attack: replicas whose host clock is wrong as a
whole (every clock the process reads, not only `time.time`), and the doors that
judge time with it.

Each finding is a strict xfail (`finding`): it turns red the moment it is fixed.
Attacks that held are ordinary tests.
"""

from __future__ import annotations

import asyncio
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
from phigate.core.errors import InvalidRequestError
from phigate.identity.principal import PrincipalKind
from tests.channels.standins import Recorder
from tests.channels.test_teams import APP_ID, ISSUER, bot_api, invoke, token
from tests.conftest import Harness
from tests.support.cluster import Cluster, Replica
from tests.support.state import token_store

# ── a replica on a host whose clock is 20 minutes behind ───────────────────
# The fault knob of tests/support/cluster.py (PHIGATE_TEST_CLOCK_SKEW_SECONDS) moves
# `time.time` only. A host whose clock is wrong is wrong for every reading: the
# `datetime.now()` of the policy engine and of PyJWT too. time-machine moves them all
# (at the C level), started before phigate imports anything (sitecustomize).
HOST_SKEW = -20 * 60.0
_SITECUSTOMIZE = """
import os, time

import time_machine

_skew = float(os.environ["PHIGATE_TEST_HOST_CLOCK_SKEW"])
time_machine.travel(time.time() + _skew, tick=True).start()
"""


def _window() -> tuple[str, str]:
    """A daily window (UTC) that holds the true time for the next 9 minutes and does not
    hold the skewed replica's (20 minutes behind)."""
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
def bot() -> Iterator[Recorder]:
    """The Bot Framework stand-in (tests/channels/test_teams.py) every replica uses."""
    with bot_api() as recorder:
        yield recorder


def _teams(bot: Recorder) -> str:
    """The replicas' `channels.teams`, tokens judged with a 30 s leeway."""
    svc = f"{bot.url}/svc/"
    return (
        "  teams:\n"
        f"    app_id: {APP_ID}\n"
        "    app_password: secret\n"
        f"    issuer: {ISSUER}\n"
        f"    openid_metadata_url: {bot.url}/openid\n"
        f"    token_url: {bot.url}/token\n"
        f"    service_url_prefixes: [{svc}]\n"
        "    clock_skew_seconds: 30\n"
        "    users: {{aad-rev1: {{subject: rev1, groups: [reviewers]}}}}\n"
        f"    conversations: [{{{{service_url: {svc}, conversation_id: '19:rev'}}}}]\n"
    )


@pytest.fixture(scope="module")
def skewed_host(tmp_path_factory: pytest.TempPathFactory, bot: Recorder) -> Iterator[Cluster]:
    """Writes run outright, except in a change window (now, by the true time) where
    they need a reviewer: `rules[].match.time` (docs/configuration.md). Teams on
    every replica."""
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
    config = cluster_module.CONFIG.replace(writes, windowed)
    config = config.replace("channels:\n", "channels:\n" + _teams(bot), 1)
    patch.setattr(cluster_module, "CONFIG", config)
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


async def test_a_skewed_host_does_not_move_a_policy_time_window(skewed_host: Cluster) -> None:
    """docs/deploy-replicas.md: "Every other time a replica reads or writes is on the
    state database's clock too." The policy engine is asked at `datetime.now()`
    (pipeline/deciding.py `decide`), the host's clock, never corrected by the offset
    (core/clock.py). With a change window that requires a reviewer now, the replica
    whose host is 20 minutes behind believes the window has not opened and runs the write."""
    right, skewed = skewed_host.replicas
    assert abs(_offset(skewed) + HOST_SKEW) < 5, "the second replica's host is not skewed"
    assert abs(_offset(right)) < 5
    asked, key = await _write(skewed_host, right)
    assert asked.status_code == 202, asked.text  # in the window: a reviewer is needed
    assert not _in_ledger(skewed_host, key)
    asked, key = await _write(skewed_host, skewed)
    ran = _in_ledger(skewed_host, key)
    assert (asked.status_code, ran) == (202, False), f"{asked.status_code} {asked.text[:300]}"


async def test_a_skewed_host_does_not_extend_a_teams_token(
    skewed_host: Cluster, bot: Recorder
) -> None:
    """docs/deploy-replicas.md lists "Slack and Teams freshness windows" among the times
    a replica reads on the state database's clock. The Teams door hands `exp` to
    `jwt.decode` (doors/channels/teams.py `authenticate`), which reads the host's
    `datetime.now()`: OIDC is judged by `check_times` on the shared clock, Teams is
    not. A token that expired two minutes ago (leeway 30 s) is refused by the replica
    whose clock is right and records a vote on the one 20 minutes behind."""
    right, skewed = skewed_host.replicas
    assert abs(_offset(skewed) + HOST_SKEW) < 5, "the second replica's host is not skewed"
    asked, _ = await _write(skewed_host, right)
    assert asked.status_code == 202, asked.text
    approval_id = str(asked.json()["approval"]["id"])
    stale = token(bot, exp=int(dt.datetime.now(dt.UTC).timestamp()) - 120)
    answers = []
    for replica, activity_id in ((right, "stale-1"), (skewed, "stale-2")):
        async with httpx.AsyncClient(base_url=replica.url, timeout=30) as client:
            answer = await client.post(
                "/teams/messages",
                json=invoke(bot, approval_id, "approve", "aad-rev1", activity_id),
                headers={"Authorization": f"Bearer {stale}"},
            )
        answers.append(answer.status_code)
    with psycopg.connect(skewed_host.state_pg.dsn()) as conn:
        row = conn.execute("SELECT state FROM approvals WHERE id = %s", (approval_id,)).fetchone()
    assert row is not None
    assert (answers, row[0]) == ([401, 401], "pending")


async def test_held_a_skewed_host_does_not_extend_an_api_token(skewed_host: Cluster) -> None:
    """Held: an API token that expired by the shared clock is refused by the replica
    whose whole host clock is 20 minutes behind (token expiry reads `core.clock`)."""
    from tests.adversarial.test_findings_round12a import (
        _short_token,
        _until_state_clock_passes,
    )

    _right, skewed = skewed_host.replicas
    token_text, expires_at = await _short_token(skewed_host, "rev1", PrincipalKind.HUMAN)
    await asyncio.to_thread(_until_state_clock_passes, skewed_host, expires_at + 1.0)
    async with httpx.AsyncClient(base_url=skewed.url, timeout=30) as client:
        answer = await client.get(
            "/v1/approvals", headers={"Authorization": f"Bearer {token_text}"}
        )
    assert answer.status_code == 401, answer.text


# ── one person under another spelling ──────────────────────────────────────
# Marks that draw nothing: COMBINING GRAPHEME JOINER, VARIATION SELECTOR-16 and
# VARIATION SELECTOR-17 (all category Mn, script Inherited; NFKC keeps them).
INVISIBLE_MARKS = ("\u034f", "\ufe0f", "\U000e0100")
# LATIN SMALL LETTER ALPHA (U+0251): a Latin letter Unicode lists as confusable with `a`.
LATIN_LOOK_ALIKES = ("d\u0251n\u0251", "dan\u0251")


async def _approves_for_dana(harness: Harness, subject: str, claim: int) -> bool:
    """Whether a data-owner identity made out to `subject` approves a write of the agent
    that acts for dana (a refusal to make the identity counts as the promise holding)."""
    write = f"UPDATE claims SET status = 'paid' WHERE id = {claim}"
    asked = await harness.submit("claims-bot", write)
    assert asked.status_code == 202, asked.text
    assert asked.json()["approval"]["eligible_groups"] == ["data-owners"]
    approval_id = asked.json()["approval"]["id"]
    try:
        token_text, _ = token_store(harness.gateway).create(
            subject=subject, kind=PrincipalKind.HUMAN, groups=("data-owners",)
        )
    except (ValueError, InvalidRequestError):
        return False  # refused as not one person's name: the promise holds
    voted = await harness.client.post(
        f"/v1/approvals/{approval_id}/approve",
        headers={"Authorization": f"Bearer {token_text}"},
        json={"comment": "ok"},
    )
    return voted.status_code == 200 or harness.gateway.approval(approval_id).state != "pending"


async def test_an_invisible_mark_does_not_make_dana_a_second_person(harness: Harness) -> None:
    """docs/oidc.md: "no spelling of a name is a second person"; the look-alike
    check refuses Cyrillic letters and format characters (Cf) but not combining marks
    that render as nothing (identity/subjects.py `_refuse_invisible` lists no Mn). A
    data-owner identity made out to `dana` + U+034F (an IdP username the user chose,
    or a token an admin issued to what reads `dana` on the terminal) must be refused
    or count as dana, who may not approve her agent's write."""
    approved = [
        f"U+{ord(mark):04X}"
        for claim, mark in enumerate(INVISIBLE_MARKS, start=4)
        if await _approves_for_dana(harness, "dana" + mark, claim)
    ]
    assert approved == [], f"dana + {approved} approved the write her agent asked for"


async def test_a_latin_look_alike_does_not_make_dana_a_second_person(harness: Harness) -> None:
    """identity/subjects.py `_refuse_look_alike` consults Unicode's confusables only
    when a subject is not wholly Latin, so `dɑnɑ` (U+0251 LATIN SMALL LETTER ALPHA,
    which Unicode's confusables map to `a`) is a person of its own and approves the
    write of the agent acting for dana."""
    approved = [
        subject
        for claim, subject in enumerate(LATIN_LOOK_ALIKES, start=7)
        if await _approves_for_dana(harness, subject, claim)
    ]
    assert approved == [], f"{approved} approved the write dana's agent asked for"
