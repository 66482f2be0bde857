"""Round 14a of the promises-only attack: one person, one name, against spellings
the look-alike rule of round 13 does not know.

Each finding is a strict xfail (`finding`): it turns red the moment it is fixed.
Attacks that held are ordinary tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

import tests.support.cluster as cluster_module
from phigate.identity.principal import PrincipalKind
from tests.adversarial.test_findings_round12a import _short_token, _until_state_clock_passes
from tests.adversarial.test_findings_round13a import _SITECUSTOMIZE, _approves_for_dana
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


async def test_small_capitals_do_not_make_dana_a_second_person(harness: Harness) -> None:
    """Finding 1, fixed: docs/oidc.md: no spelling of a name is a second person. `ᴅᴀɴᴀ`
    reads as DANA; `_passes_for_ascii` only refused letters whose confusables prototype
    is ASCII, and small capitals have none. The allowlist (identity/name_letters.py)
    has no Phonetic Extensions block, so they are refused."""
    assert not await _approves_for_dana(harness, SMALL_CAPITALS, 4)


async def test_cherokee_capitals_do_not_make_dana_a_second_person(harness: Harness) -> None:
    """Finding 2, fixed: a subject wholly in Cherokee whose letters are drawn as `DANA`
    passed `_reads_as_latin` (the greedy confusables check does not flag every letter);
    Cherokee is not an allowed script."""
    assert not await _approves_for_dana(harness, CHEROKEE, 5)


async def test_a_blank_symbol_does_not_make_dana_a_second_person(harness: Harness) -> None:
    """Finding 3, fixed: `dana𝅙` shows as `dana` (the notehead draws nothing); it is
    neither white space (trimmed) nor default-ignorable, and was a person of its own.
    Symbols (S*) are not allowed characters."""
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


# ── a state database far enough away that calibration never takes ───────────
# core/clock.py `calibrate` drops a reading whose round trip took over 0.5 s and keeps
# the offset it had (0 at start), without a word. A replica whose state database
# answers in 0.6 s (another region, a loaded primary) runs on its own host's clock
# for good. The replica reaches the state through a local proxy that holds every
# answer 0.6 s; its whole host clock is 20 minutes behind (time-machine, as round 13a).
STATE_DELAY = 0.6
HOST_BEHIND = -20 * 60.0


def _pump(source: socket.socket, sink: socket.socket, delay: float) -> None:
    with contextlib.suppress(OSError):
        while chunk := source.recv(65536):
            time.sleep(delay)  # the distance to the state database, not a synchronisation
            sink.sendall(chunk)
    for end in (source, sink):
        with contextlib.suppress(OSError):
            end.shutdown(socket.SHUT_RDWR)
    for end in (source, sink):
        end.close()


@contextlib.contextmanager
def _far_away(port: int) -> Iterator[int]:
    """A TCP proxy to 127.0.0.1:`port` whose answers arrive STATE_DELAY late."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", port))
            except OSError:
                client.close()
                continue
            for args in ((client, upstream, 0.0), (upstream, client, STATE_DELAY)):
                threading.Thread(target=_pump, args=args, daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        listener.close()


class FarStateCluster(Cluster):
    """One replica, 20 minutes behind, whose state database is STATE_DELAY away."""

    def __init__(self, base: Path, proxy_port: int) -> None:
        super().__init__(base, replicas=1)
        self.site = base / "far-host"
        self.site.mkdir()
        (self.site / "sitecustomize.py").write_text(_SITECUSTOMIZE)
        self.proxy_port = proxy_port

    def launch(self, replica: Replica) -> None:
        near = f"@127.0.0.1:{self.state_pg.port}/"
        config = replica.config.read_text()
        assert near in config
        replica.config.write_text(config.replace(near, f"@127.0.0.1:{self.proxy_port}/"))
        patch = pytest.MonkeyPatch()
        patch.setenv("PHIGATE_TEST_HOST_CLOCK_SKEW", str(HOST_BEHIND))
        patch.setattr(cluster_module, "SRC", f"{self.site}{os.pathsep}{cluster_module.SRC}")
        try:
            super().launch(replica)
        finally:
            patch.undo()

    def wait_ready(self, replica: Replica, seconds: float = 120.0) -> None:
        super().wait_ready(replica, seconds)

    def _ready(self, replica: Replica) -> bool:
        try:  # each query to the state takes STATE_DELAY: /readyz takes seconds
            return httpx.get(f"{replica.url}/readyz", timeout=30).status_code == 200
        except httpx.HTTPError:
            return False


@pytest.fixture(scope="module")
def far_state(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FarStateCluster]:
    cluster = FarStateCluster(tmp_path_factory.mktemp("far"), proxy_port=0)
    # The state's port is chosen before it starts: the proxy can listen first.
    with _far_away(cluster.state_pg.port) as port:
        cluster.proxy_port = port
        try:
            cluster.start()
            yield cluster
        finally:
            cluster.stop()


async def test_a_slow_state_database_does_not_leave_a_skewed_clock_uncorrected(
    far_state: FarStateCluster,
) -> None:
    """docs/deploy-replicas.md: at start and every heartbeat the replica measures its
    offset, "good to half its round trip". With a 0.6 s round trip every reading is
    dropped (core/clock.py MAX_ROUND_TRIP) and the offset stays 0, so a replica 20
    minutes behind lets in an API token that expired by the shared clock. The
    promise asks it to correct (a 0.3 s uncertainty) or refuse, not to fall back to
    its own clock silently."""
    (replica,) = far_state.replicas
    token_text, expires_at = await _short_token(far_state, "rev1", PrincipalKind.HUMAN)
    await asyncio.to_thread(_until_state_clock_passes, far_state, expires_at + 1.0)
    async with httpx.AsyncClient(base_url=replica.url, timeout=60) as client:
        answer = await client.get(
            "/v1/approvals", headers={"Authorization": f"Bearer {token_text}"}
        )
    assert answer.status_code == 401, answer.text
