"""Round 14a of the promises-only attack: one person, one name, against spellings
the look-alike rule of round 13 does not know.

Each finding is a strict xfail (`finding`): it turns red the moment it is fixed.
Attacks that held are ordinary tests.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

import tests.support.cluster as cluster_module
from phigate.identity.principal import PrincipalKind
from tests.adversarial.harness import finding
from tests.adversarial.test_findings_round12a import _short_token, _until_state_clock_passes
from tests.adversarial.test_findings_round13a import _approves_for_dana
from tests.conftest import Harness
from tests.support.cluster import Cluster, Replica, until

# LATIN LETTER SMALL CAPITAL D, A, N, A: Latin script, so the mixed-script rule does
# not see them, and Unicode's confusables data lists no ASCII prototype for them;
# they read as `DANA`, which is dana under case folding.
SMALL_CAPITALS = "\u1d05\u1d00\u0274\u1d00"
# CHEROKEE LETTER A, GO, NAH, GO: one script (so not mixed) drawn as `DANA`; NFKC and
# case folding keep them upper case.
CHEROKEE = "\u13a0\u13aa\u13c1\u13aa"
# MUSICAL SYMBOL NULL NOTEHEAD (U+1D159): a Common-script symbol drawn blank, not a
# Default_Ignorable code point and not white space, so `dana` + it is not trimmed.
BLANK_SYMBOL = "dana\U0001d159"


@finding(1, "Latin small capitals ᴅᴀɴᴀ are a second dana")
async def test_small_capitals_do_not_make_dana_a_second_person(harness: Harness) -> None:
    """docs/oidc.md: no spelling of a name is a second person. `ᴅᴀɴᴀ` reads as DANA;
    identity/subjects.py `_passes_for_ascii` only refuses letters whose confusables
    prototype is ASCII, and small capitals have none."""
    assert not await _approves_for_dana(harness, SMALL_CAPITALS, 4)


@finding(2, "Cherokee ᎠᎪᏁᎪ (drawn as DANA) is a second dana")
async def test_cherokee_capitals_do_not_make_dana_a_second_person(harness: Harness) -> None:
    """A subject wholly in Cherokee whose letters are drawn as `DANA` passes
    `_reads_as_latin` (the greedy confusables check does not flag every letter)."""
    assert not await _approves_for_dana(harness, CHEROKEE, 5)


@finding(3, "dana + U+1D159 (a blank symbol) is a second dana")
async def test_a_blank_symbol_does_not_make_dana_a_second_person(harness: Harness) -> None:
    """`dana𝅙` shows as `dana` (the notehead draws nothing); it is neither white
    space (trimmed) nor default-ignorable (refused), so it is a person of its own."""
    assert not await _approves_for_dana(harness, BLANK_SYMBOL, 6)


@pytest.mark.parametrize(
    "subject",
    [
        "dana\u00a0",  # no-break space
        "dana\u1680",  # ogham space mark
        "dana\u3000",  # ideographic space
        "\U0001d41d\U0001d41a\U0001d427\U0001d41a",  # mathematical bold dana (NFKC)
        "\uff24\uff41\uff4e\uff41",  # full-width Dana
        "d\u0430na",  # Cyrillic a in a Latin name
    ],
)
async def test_held_other_spellings_are_dana_or_refused(harness: Harness, subject: str) -> None:
    """Held: white-space variants, NFKC compatibility letters and mixed scripts are
    dana herself or refused."""
    assert not await _approves_for_dana(harness, subject, 7)


# ── a host clock that steps back between two heartbeats ────────────────────
# NTP stepping a host's clock (or an admin running `date -s`) moves the wall clock at
# once; the replica measures its offset from the state database's clock only at each
# heartbeat (core/clock.py), so between two beats it adds the old offset to the new
# wall clock. The replica's whole clock (time-machine, at the C level) steps back
# 20 minutes when the test drops a file; it writes another file once it has.
STEP = -20 * 60.0
HEARTBEAT = 120.0  # docs/configuration.md `state.heartbeat_seconds` (default 10)
_STEPPING_SITE = """
import os, pathlib, threading, time

import time_machine

_traveller = time_machine.travel(time.time(), tick=True).start()
_ask = pathlib.Path(os.environ["PHIGATE_TEST_STEP_FILE"])


def _step():
    while not _ask.exists():
        time.sleep(0.05)
    _traveller.shift(float(os.environ["PHIGATE_TEST_STEP_SECONDS"]))
    _ask.with_suffix(".done").write_text("stepped")


threading.Thread(target=_step, daemon=True).start()
"""


class SteppingCluster(Cluster):
    """One replica whose host clock steps back STEP seconds on demand."""

    def __init__(self, base: Path) -> None:
        super().__init__(base, replicas=1)
        self.site = base / "stepping-host"
        self.site.mkdir()
        (self.site / "sitecustomize.py").write_text(_STEPPING_SITE)
        self.ask = base / "step"

    def launch(self, replica: Replica) -> None:
        patch = pytest.MonkeyPatch()
        patch.setenv("PHIGATE_TEST_STEP_FILE", str(self.ask))
        patch.setenv("PHIGATE_TEST_STEP_SECONDS", str(STEP))
        patch.setattr(cluster_module, "SRC", f"{self.site}{os.pathsep}{cluster_module.SRC}")
        try:
            super().launch(replica)
        finally:
            patch.undo()


@pytest.fixture(scope="module")
def stepping(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SteppingCluster]:
    patch = pytest.MonkeyPatch()
    patch.setattr(cluster_module, "HEARTBEAT", HEARTBEAT)
    cluster = SteppingCluster(tmp_path_factory.mktemp("stepping"))
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
        patch.undo()


@finding(4, "a host clock stepped back between heartbeats extends an expired token")
async def test_a_clock_stepped_back_between_heartbeats_does_not_extend_a_token(
    stepping: SteppingCluster,
) -> None:
    """docs/deploy-replicas.md: a replica with a skewed clock does not extend tokens.
    An API token expires by the shared clock; the replica's host clock then steps back
    20 minutes. Until its next heartbeat (up to `heartbeat_seconds`) the replica reads
    now as 20 minutes ago and lets the expired token in: core/clock.py `now()` is the
    wall clock plus an offset measured at the last beat, not a reading anchored to a
    clock that cannot step (time.monotonic)."""
    (replica,) = stepping.replicas
    token_text, expires_at = await _short_token(stepping, "rev1", PrincipalKind.HUMAN)
    await asyncio.to_thread(_until_state_clock_passes, stepping, expires_at + 1.0)
    headers = {"Authorization": f"Bearer {token_text}"}
    async with httpx.AsyncClient(base_url=replica.url, timeout=30) as client:
        before = (await client.get("/v1/approvals", headers=headers)).status_code
        stepping.ask.write_text("step")
        done = stepping.ask.with_suffix(".done")
        await until(done.exists, "the replica's clock to step back")
        after = (await client.get("/v1/approvals", headers=headers)).status_code
    assert (before, after) == (401, 401)
