"""The shared clock: a host whose clock drifted reads the state database's time.

Replicas decide expiry and date records with `core.clock.now()`; these tests drift
this process's `time.time` as a host's clock drifts, and check that the offset
measured against the state database undoes it (the cluster tests in
tests/adversarial/test_findings_round12a.py do the same across real processes).
"""

from __future__ import annotations

import re
import socket
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import jwt
import psycopg
import pytest
import sqlalchemy as sa
from prometheus_client import generate_latest
from psycopg import sql as pgsql

from phigate.config import parse_settings
from phigate.core import clock, metrics
from phigate.core.errors import AuthenticationError
from phigate.identity.oidc import check_times
from phigate.identity.principal import PrincipalKind
from phigate.identity.tokens import TokenInfo
from phigate.ops.bootstrap import build_gateway
from phigate.ops.pgserver import EmbeddedPostgres
from phigate.store import Database

DRIFT = -30.0


@pytest.fixture(autouse=True)
def shared_offset_restored() -> Iterator[None]:
    saved = clock.reading()
    yield
    clock.adopt(saved)


@pytest.fixture
def drifted(monkeypatch: pytest.MonkeyPatch) -> None:
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + DRIFT)


def _database_now(db: Database) -> float:
    with db.read() as conn:
        now = conn.execute(sa.text("SELECT extract(epoch FROM clock_timestamp())"))
        return float(now.scalar_one())


def test_a_drifted_host_reads_the_state_databases_time(state_url: str, drifted: None) -> None:
    db = Database(state_url)
    try:
        db.ensure_current(migrate=True)
        with db.read() as conn:
            adopted = clock.calibrate(conn)
        if db.engine.dialect.name == "sqlite":
            # One process, one clock: nothing to agree with, nothing adopted.
            assert adopted is None
            assert clock.now() == pytest.approx(time.time(), abs=0.01)
            return
        assert adopted is not None
        assert adopted.offset == pytest.approx(-DRIFT, abs=0.5)
        assert clock.offset() == pytest.approx(-DRIFT, abs=0.5)
        assert clock.now() == pytest.approx(_database_now(db), abs=0.5)
    finally:
        db.dispose()


def _claims(exp_in: float, **times: float) -> dict[str, float]:
    now = clock.now()
    return {"exp": int(now + exp_in), **{name: int(now + at) for name, at in times.items()}}


def test_an_oidc_token_expired_by_the_shared_clock_is_refused_on_a_host_behind() -> None:
    # The shared clock is 30 s ahead of this host's: the token's `exp` is in this
    # host's future, but 10 s past by the clock every replica judges by.
    clock.adopt(clock.Reading.taken(-DRIFT))
    claims = {"exp": int(time.time() + 20)}
    with pytest.raises(AuthenticationError, match="expired"):
        check_times(claims, leeway=0)
    check_times(claims, leeway=15)  # within the configured leeway it still passes


def test_an_oidc_token_from_the_shared_future_is_refused() -> None:
    with pytest.raises(AuthenticationError, match="not yet valid"):
        check_times(_claims(600, nbf=120), leeway=30)
    with pytest.raises(AuthenticationError, match="not yet valid"):
        check_times(_claims(600, iat=120), leeway=30)
    check_times(_claims(600, nbf=-5, iat=-5), leeway=30)


def test_pyjwt_defers_to_the_shared_clock() -> None:
    """PyJWT judges by this host's clock; the leeway given to it is widened by the
    drift so that only `check_times` decides, and a token valid by the shared clock is
    not refused by PyJWT on a host ahead of it."""
    clock.adopt(clock.Reading.taken(DRIFT))  # this host is 30 s ahead
    key = "k" * 32
    token = jwt.encode({"exp": int(clock.now() + 10)}, key, algorithm="HS256")
    with pytest.raises(jwt.ExpiredSignatureError):
        jwt.decode(token, key, algorithms=["HS256"])
    claims = jwt.decode(token, key, algorithms=["HS256"], leeway=abs(clock.offset()))
    check_times(claims, leeway=0)


# ── a wall clock that steps, a state database far away ──────────────────────


@pytest.fixture
def pg_state(pg_server: EmbeddedPostgres) -> Iterator[Database]:
    """PostgreSQL state: only it has a clock of its own to share."""
    name = f"state_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_server.dsn(), autocommit=True) as conn:
        conn.execute(pgsql.SQL("CREATE DATABASE {}").format(pgsql.Identifier(name)))
    db = Database(pg_server.dsn(name))
    db.ensure_current(migrate=True)
    try:
        yield db
    finally:
        db.dispose()


def test_a_wall_clock_stepped_after_a_reading_does_not_move_now(
    pg_state: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """NTP or `date -s` steps the wall clock 20 minutes back between two heartbeats:
    `now()` runs on from the reading by the monotonic clock, which does not step, and
    the offset (exported as a metric) shows the step at once."""
    with pg_state.read() as conn:
        clock.calibrate(conn)
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() - 1200.0)
    assert clock.now() == pytest.approx(_database_now(pg_state), abs=0.5)
    assert clock.offset() == pytest.approx(1200.0, abs=0.5)


def _slow_state(db: Database, delays: list[float]) -> None:
    """Make each statement on `db` take the next of `delays` longer, as a state
    database that far away would (a latency, not a synchronisation)."""
    pending = iter(delays)

    @sa.event.listens_for(db.engine, "before_cursor_execute")
    def _far(*_args: object) -> None:
        time.sleep(next(pending, 0.0))


def test_a_slow_state_database_is_read_anyway_and_its_uncertainty_kept(
    pg_state: Database, drifted: None, caplog: pytest.LogCaptureFixture
) -> None:
    """Every round trip over half a second: the best reading is adopted all the same
    (a host 30 s behind is corrected), its uncertainty kept and warned about."""
    _slow_state(pg_state, [1.4, 0.6, 1.6])
    with pg_state.read() as conn:
        adopted = clock.calibrate(conn, readings=3)
    assert adopted is not None
    # half the best round trip (0.6 s and a query; the next best is 1.4 s)
    assert 0.3 <= adopted.uncertainty < 0.7
    # a query's own time as slack (generous: this machine may be loaded)
    assert adopted.offset == pytest.approx(-DRIFT, abs=adopted.uncertainty + 0.25)
    assert abs(clock.now() - _database_now(pg_state)) <= clock.uncertainty() + 0.25
    assert clock.uncertainty() >= adopted.uncertainty
    assert f"known here only to within {adopted.uncertainty:.2f} s" in caplog.text


def test_the_reading_with_the_shortest_round_trip_is_kept(pg_state: Database) -> None:
    _slow_state(pg_state, [0.4, 0.0, 0.3])
    with pg_state.read() as conn:
        adopted = clock.calibrate(conn, readings=3)
    assert adopted is not None
    assert adopted.uncertainty < 0.1


@pytest.mark.parametrize(("good_round_trip", "reads"), [(60.0, 1), (0.0, 3)])
def test_a_near_state_database_is_read_once(
    pg_state: Database, monkeypatch: pytest.MonkeyPatch, good_round_trip: float, reads: int
) -> None:
    """A round trip under GOOD_ROUND_TRIP is good enough: one query. Whether this
    machine's is depends on its load, so the bound is set for the test (every round
    trip near / none near), not the round trip."""
    monkeypatch.setattr(clock, "GOOD_ROUND_TRIP", good_round_trip)
    statements: list[str] = []
    sa.event.listen(
        pg_state.engine, "before_cursor_execute", lambda *a: statements.append(str(a[2]))
    )
    with pg_state.read() as conn:
        adopted = clock.calibrate(conn, readings=3)
    assert adopted is not None
    assert len([s for s in statements if "clock_timestamp" in s]) == reads


def test_expiry_is_judged_early_by_the_uncertainty() -> None:
    """Known to within 5 s, a token ending in 2 s may already have ended by the shared
    clock: it is refused, as is one that may not have started yet."""
    clock.adopt(clock.Reading.taken(0.0, uncertainty=5.0))
    now = clock.now()
    info = TokenInfo("t1", "dana", PrincipalKind.HUMAN, (), None, now - 60, now + 2, None, "")
    assert info.status == "expired"
    assert replace(info, expires_at=now + 10).status == "active"
    with pytest.raises(AuthenticationError, match="expired"):
        check_times({"exp": now + 2}, leeway=0)
    with pytest.raises(AuthenticationError, match="not yet valid"):
        check_times({"exp": now + 60, "nbf": now - 2}, leeway=0)
    check_times({"exp": now + 60, "nbf": now - 10}, leeway=0)


def test_a_replica_that_cannot_read_the_shared_clock_does_not_start(tmp_path: Path) -> None:
    """Never measured, never serving: with its state database unreachable at start, a
    replica cannot read the shared clock, and does not start on its own."""
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings = parse_settings(
        f'state: {{url: "postgresql+psycopg://phigate@127.0.0.1:{port}/state"}}\n'
        f'secrets: {{token_hash_key: "{"t" * 32}", masking_key: "{"m" * 32}"}}\n'
    )
    before = clock.reading()
    with pytest.raises(sa.exc.OperationalError, match="Connection refused"):
        build_gateway(settings, migrate=False)
    assert clock.reading() is before


def test_the_offset_and_uncertainty_are_exported_as_they_are_now() -> None:
    """Read at each scrape: a wall clock stepped since the last reading shows at once."""
    clock.adopt(clock.Reading.taken(42.0, uncertainty=0.3))
    text = generate_latest(metrics.REGISTRY).decode()
    offset = re.search(r"^phigate_clock_offset_seconds (\S+)$", text, re.MULTILINE)
    spread = re.search(r"^phigate_clock_uncertainty_seconds (\S+)$", text, re.MULTILINE)
    assert offset is not None and float(offset.group(1)) == pytest.approx(42.0, abs=0.05)
    assert spread is not None and float(spread.group(1)) == pytest.approx(0.3, abs=0.01)
