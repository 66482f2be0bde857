"""The recent-token cache: bounded in age, number and by the token's own expiry."""

from __future__ import annotations

import time

from phigate.core import clock
from phigate.identity.principal import Principal, PrincipalKind
from phigate.identity.recent_tokens import RecentTokens

AGENT = Principal("claims-bot", PrincipalKind.AGENT, on_behalf_of="alice", token_rechecked=True)


def test_a_recent_token_is_served_until_its_age_is_up() -> None:
    recent = RecentTokens(seconds=0.05)
    recent.put("k", AGENT, None)
    assert recent.get("k") is AGENT and recent.get("other") is None
    deadline = time.monotonic() + 0.05
    while time.monotonic() <= deadline:
        pass  # the cache reads the monotonic clock: wait it out, no sleep needed to sync
    assert recent.get("k") is None


def test_it_is_never_served_past_the_tokens_expiry() -> None:
    recent = RecentTokens()
    recent.put("gone", AGENT, clock.latest() - 1)
    recent.put("live", AGENT, clock.latest() + 3600)
    assert recent.get("gone") is None and recent.get("live") is AGENT


def test_it_holds_at_most_its_size_forgetting_the_oldest() -> None:
    recent = RecentTokens(size=2)
    for key in ("a", "b", "c"):
        recent.put(key, AGENT, None)
    assert [recent.get(k) is not None for k in ("a", "b", "c")] == [False, True, True]
