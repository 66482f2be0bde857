"""The shared replay guard on both back ends: one atomic sighting per key, all keys or
none, forgotten once expired, and raced by two replicas only one wins."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from phigate.doors.channels.replays import ReplayGuard, digest
from phigate.store import Database


@pytest.fixture
def stores(state_url: str) -> Iterator[tuple[Database, Database]]:
    a, b = Database(state_url), Database(state_url)
    a.migrate()
    try:
        yield a, b
    finally:
        a.dispose()
        b.dispose()


def test_a_key_is_seen_once_across_replicas_and_all_or_nothing(
    stores: tuple[Database, Database],
) -> None:
    a, b = (ReplayGuard(db, "teams", clock=lambda: 1000.0) for db in stores)
    assert a.first_sighting([digest("activity", "1")], 2000)
    assert not b.first_sighting([digest("activity", "1")], 2000)
    # token 2 is new but activity 1 is not: nothing is recorded, token 2 stays usable
    assert not b.first_sighting([digest("activity", "1"), digest("token", "2")], 2000)
    assert b.first_sighting([digest("activity", "3"), digest("token", "2")], 2000)


def test_expired_sightings_are_forgotten(stores: tuple[Database, Database]) -> None:
    now = [1000.0]
    guard = ReplayGuard(stores[0], "slack", clock=lambda: now[0])
    assert guard.first_sighting([digest("signature", "s")], 1300)
    now[0] = 1299.0
    assert not guard.first_sighting([digest("signature", "s")], 1600)
    now[0] = 1301.0  # expired, but pruned at most once a minute: still refused
    assert not guard.first_sighting([digest("signature", "s")], 1600)
    now[0] = 1360.0
    assert guard.first_sighting([digest("signature", "s")], 1600)


def test_two_replicas_racing_on_one_key_accept_it_once(
    stores: tuple[Database, Database],
) -> None:
    guards = [ReplayGuard(db, "slack", clock=lambda: 1000.0) for db in stores] * 4
    with ThreadPoolExecutor(8) as pool:
        won = list(pool.map(lambda g: g.first_sighting([digest("race")], 2000), guards))
    assert won.count(True) == 1


def test_digest_parts_cannot_run_together() -> None:
    assert digest("ab", "c") != digest("a", "bc")
