"""Refusals before authentication: every one accounted for, not one record each."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from phigate.pipeline.floods import OTHER_SOURCES, FloodAccount
from tests.conftest import Harness
from tests.console.conftest import csrf_of


class Clock:
    """A clock the test moves (the account reads time through it)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@given(
    st.lists(
        st.tuples(st.sampled_from(["10.0.0.1", "10.0.0.2", "::1"]), st.floats(0, 30)),
        max_size=300,
    )
)
def test_every_refusal_is_recorded_or_counted_exactly_once(steps: list[tuple[str, float]]) -> None:
    clock = Clock()
    account = FloodAccount(per_window=3, seconds=60.0, clock=clock, wall=clock)
    recorded, counted = 0, 0
    for source, advance in steps:
        clock.now += advance
        full, closed = account.refused("auth.refused", source, "bad token")
        recorded += full
        counted += sum(c.count for c in closed)
    counted += sum(c.count for c in account.drain())
    assert recorded + counted == len(steps)
    assert account.drain() == []


def test_a_burst_writes_the_first_in_full_and_one_count_after_the_window() -> None:
    clock = Clock()
    account = FloodAccount(per_window=3, seconds=60.0, clock=clock, wall=clock)
    answers = [account.refused("auth.refused", "10.0.0.1", f"try {n}") for n in range(10)]
    assert [full for full, _ in answers] == [True] * 3 + [False] * 7
    assert all(closed == [] for _, closed in answers)
    clock.now += 59.9
    assert account.refused("auth.refused", "10.0.0.2", "x") == (True, [])
    clock.now += 0.2
    full, closed = account.refused("auth.refused", "10.0.0.1", "again")
    assert full and [(c.source, c.count, c.reason) for c in closed] == [("10.0.0.1", 7, "try 9")]
    fields = closed[0].fields()
    assert fields["where"] == {"client_addr": "10.0.0.1"}
    assert fields["what"]["refused"] == 7 and "7 more auth.refused" in fields["why"]["reason"]


def test_sources_past_the_table_share_one_window() -> None:
    clock = Clock()
    account = FloodAccount(per_window=1, seconds=60.0, clock=clock, wall=clock, max_sources=2)
    for n in range(10):
        account.refused("auth.refused", f"10.0.0.{n}", "x")
    counts = {c.source: c.count for c in account.drain()}
    assert counts == {OTHER_SOURCES: 7}


@pytest.mark.parametrize("path", ["/v1/actions", "/mcp"])
async def test_a_flood_is_capped_and_counted_at_each_bearer_door(
    harness: Harness, path: str
) -> None:
    before, _ = harness.gateway.audit_head()
    for _ in range(45):
        answer = await harness.client.post(path, headers={"Authorization": "Bearer nope"})
        assert answer.status_code == 401
    middle, _ = harness.gateway.audit_head()
    assert middle - before == 30
    await harness.gateway.admission.flush_refusals()
    records = harness.gateway.audit_records(since=middle)
    assert [(r["event"], r["what"]["refused"]) for r in records] == [("refusals.counted", 15)]
    assert records[0]["what"]["event"] == "auth.refused"


async def test_refused_console_sign_ins_are_audited_and_capped(harness: Harness) -> None:
    """A pasted token that is wrong is refused (401) and audited like a bad token at any
    other door; a flood of them is capped and counted the same way."""
    browser = httpx.AsyncClient(transport=harness.client._transport, base_url="http://127.0.0.1")
    try:
        page = await browser.get("/ui/login")
        before, _ = harness.gateway.audit_head()
        for _ in range(33):
            form = {"token": "phg_wrong", "csrf": csrf_of(page.text), "next": "/ui/approvals"}
            page = await browser.post("/ui/login/token", data=form)
            assert page.status_code == 401 and "Sign-in failed" in page.text
    finally:
        await browser.aclose()
    middle, _ = harness.gateway.audit_head()
    records = harness.gateway.audit_records(since=before)
    assert middle - before == 30
    assert {(r["event"], r["detail"]["front_door"]) for r in records} == {
        ("auth.refused", "console")
    }
    await harness.gateway.admission.flush_refusals()
    counted = harness.gateway.audit_records(since=middle)
    assert [(r["event"], r["what"]["refused"]) for r in counted] == [("refusals.counted", 3)]


async def test_a_count_is_written_when_its_window_closes_without_another_refusal(
    harness: Harness,
) -> None:
    """A flood that stops is still counted in the log, without waiting for the next
    refusal or for shutdown (a short window here; a minute in the gateway)."""
    harness.gateway.admission.floods = FloodAccount(per_window=2, seconds=0.3)
    before, _ = harness.gateway.audit_head()
    for _ in range(6):
        answer = await harness.client.get("/v1/audit", headers={"Authorization": "Bearer nope"})
        assert answer.status_code == 401
    for _ in range(200):  # the gateway's timer writes it into the store: poll (10 s at most)
        if harness.gateway.audit_head()[0] >= before + 3:
            break
        await asyncio.sleep(0.05)
    records = harness.gateway.audit_records(since=before)
    assert [r["event"] for r in records] == ["auth.refused"] * 2 + ["refusals.counted"]
    assert records[-1]["what"]["refused"] == 4
