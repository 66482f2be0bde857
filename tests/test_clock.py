"""The shared clock: a host whose clock drifted reads the state database's time.

Replicas decide expiry and date records with `core.clock.now()`; these tests drift
this process's `time.time` as a host's clock drifts, and check that the offset
measured against the state database undoes it (the cluster tests in
tests/adversarial/test_findings_round12a.py do the same across real processes).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import jwt
import pytest
import sqlalchemy as sa

from phigate.core import clock
from phigate.core.errors import AuthenticationError
from phigate.identity.oidc import check_times
from phigate.store import Database

DRIFT = -30.0


@pytest.fixture(autouse=True)
def shared_offset_restored() -> Iterator[None]:
    saved = clock.offset()
    yield
    clock._offset = saved


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
        assert adopted == pytest.approx(-DRIFT, abs=0.5)
        assert clock.now() == pytest.approx(_database_now(db), abs=0.5)
    finally:
        db.dispose()


def _claims(exp_in: float, **times: float) -> dict[str, float]:
    now = clock.now()
    return {"exp": int(now + exp_in), **{name: int(now + at) for name, at in times.items()}}


def test_an_oidc_token_expired_by_the_shared_clock_is_refused_on_a_host_behind() -> None:
    # The shared clock is 30 s ahead of this host's: the token's `exp` is in this
    # host's future, but 10 s past by the clock every replica judges by.
    clock._offset = -DRIFT
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
    clock._offset = DRIFT  # this host is 30 s ahead
    key = "k" * 32
    token = jwt.encode({"exp": int(clock.now() + 10)}, key, algorithm="HS256")
    with pytest.raises(jwt.ExpiredSignatureError):
        jwt.decode(token, key, algorithms=["HS256"])
    claims = jwt.decode(token, key, algorithms=["HS256"], leeway=abs(clock.offset()))
    check_times(claims, leeway=0)
