"""Approval messages in chat outlive the process that posted them: a restarted gateway,
or another replica on the same state store, updates them, each exactly once per vote or
decision (the claim in `phigate.doors.channels.posted`). `state_url` runs each replica test
on a SQLite file and on PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from phigate.approvals import Approval, ApprovalState, Ballot, Vote
from phigate.config import Settings
from phigate.doors.channels import dispatch
from phigate.doors.channels.posted import PostedMessages, drawn
from phigate.doors.channels.slack import SlackChannel
from phigate.store import Database
from phigate.store.tables import chat_messages, metadata
from tests.channels.standins import Recorder, slack_api
from tests.channels.test_replicas import dispatcher
from tests.channels.test_slack import WRITE, click, close, pending, post, signed, slack_settings
from tests.channels.test_teams import bot_api, invoke, send, teams_settings, token
from tests.conftest import Harness, demo_config, make_harness

CARDS = "/svc/v3/conversations/19:rev/activities"


@pytest.fixture
def slack() -> Iterator[Recorder]:
    with slack_api() as recorder:
        yield recorder


@pytest.fixture
def bot() -> Iterator[Recorder]:
    with bot_api() as recorder:
        yield recorder


@pytest.fixture(autouse=True)
def _fast_tail(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dispatch, "AUDIT_POLL_SECONDS", 0.05)


async def replica(settings: Settings, name: str) -> Harness:
    """A gateway as its own replica (in production each process has its REPLICA_ID)."""
    h = await make_harness(settings)
    h.gateway.replica = name
    return h


def settle(*replicas: Harness, timeout: float = 10) -> None:
    """Every tail has read every record written so far, and the workers had time to act."""
    deadline = time.monotonic() + timeout
    head = replicas[0].gateway.audit_head()[0]
    while any(dispatcher(h).position < head for h in replicas):
        assert time.monotonic() < deadline, "the audit tails did not catch up"
        time.sleep(0.02)
    time.sleep(0.3)


def stored(h: Harness, approval_id: str) -> list[tuple[str, str, int]]:
    query = sa.select(chat_messages.c.channel, chat_messages.c.replica, chat_messages.c.shown)
    with h.gateway.db.read() as conn:
        rows = conn.execute(query.where(chat_messages.c.approval_id == approval_id))
        return [(r.channel, r.replica, r.shown) for r in rows]


# ── restarts (one SQLite state file, two gateways one after the other) ──────────────


async def test_slack_message_is_updated_after_a_restart(
    tmp_path: Path, ehr_dsn: str, slack: Recorder
) -> None:
    settings = demo_config(tmp_path, ehr_dsn, overrides={"channels": slack_settings(slack)})
    before = await replica(settings, "before-restart")
    try:
        approval_id = await pending(before, slack)
    finally:
        await close(before)
    after = await replica(settings, "after-restart")
    try:
        body = click(approval_id, "U_ALICE")
        assert await post(after, body, signed(body)) == 200
        update = slack.wait_for("chat.update")[0]
        assert (update["channel"], update["ts"]) == slack.posted[0]
        assert "alice approved via slack" in json.dumps(update["blocks"])
        assert "APPROVED" in json.dumps(update["blocks"])
        settle(after)
        assert len(slack.named("chat.update")) == 1
        assert len(slack.named("chat.postMessage")) == 1
        assert stored(after, approval_id) == [("slack", "before-restart", 2)]
    finally:
        await close(after)


async def test_teams_card_is_refreshed_after_a_restart(
    tmp_path: Path, ehr_dsn: str, bot: Recorder
) -> None:
    settings = demo_config(tmp_path, ehr_dsn, overrides={"channels": teams_settings(bot)})
    first = await replica(settings, "before-restart")
    try:
        approval_id = str((await first.submit("claims-bot", WRITE)).json()["approval"]["id"])
        bot.wait_for(CARDS)
    finally:
        await close(first)
    after = await replica(settings, "after-restart")
    try:
        vote = invoke(bot, approval_id, "deny", "aad-alice", "r1", "wrong claim")
        assert (await send(after, vote, token(bot))).status_code == 200
        refreshed = bot.wait_for(f"{CARDS}/card-1")
        card = refreshed[0]["attachments"][0]["content"]
        assert "Approval denied" in str(card) and "alice denied via teams" in str(card)
        assert all(a["type"] != "Action.Execute" for a in card["actions"])  # buttons gone
        settle(after)
        assert len(bot.named(f"{CARDS}/card-1")) == 1
        assert PostedMessages(after.gateway.db, "teams").for_approval(approval_id) == [
            {"service_url": f"{bot.url}/svc/", "conversation_id": "19:rev", "activity_id": "card-1"}
        ]
    finally:
        await close(after)


# ── two replicas sharing the state store ────────────────────────────────────────────


@dataclass
class Pair:
    settings: Settings
    a: Harness
    b: Harness


@pytest.fixture
async def pair(
    tmp_path: Path, ehr_dsn: str, state_url: str, slack: Recorder
) -> AsyncIterator[Pair]:
    overrides = {"state": {"url": state_url}, "channels": slack_settings(slack)}
    settings = demo_config(tmp_path, ehr_dsn, overrides=overrides)
    a, b = await replica(settings, "replica-a"), await replica(settings, "replica-b")
    pair = Pair(settings, a, b)
    try:
        yield pair
    finally:
        for h in (pair.a, pair.b):
            await close(h)


async def test_a_slack_vote_on_b_updates_a_message_exactly_once(
    pair: Pair, slack: Recorder
) -> None:
    approval_id = await pending(pair.a, slack)
    body = click(approval_id, "U_ALICE")
    assert await post(pair.b, body, signed(body)) == 200
    update = slack.wait_for("chat.update")[0]
    assert (update["channel"], update["ts"]) == slack.posted[0]
    settle(pair.a, pair.b)  # A's tail has relayed B's vote, and A's claim found nothing
    assert len(slack.named("chat.update")) == 1
    assert stored(pair.a, approval_id) == [("slack", "replica-a", 2)]


async def test_the_relay_updates_when_the_voting_replica_cannot(
    pair: Pair, slack: Recorder
) -> None:
    approval_id = await pending(pair.a, slack)
    dispatcher(pair.b).stop()  # B records the vote but never gets to update the message
    answer = await pair.b.client.post(
        f"/v1/approvals/{approval_id}/deny", headers=pair.b.auth("bob"), json={"comment": "no"}
    )
    assert answer.status_code == 200, answer.text
    update = slack.wait_for("chat.update")[0]  # sent by A, from B's audit records
    assert update["ts"] == slack.posted[0][1] and "DENIED" in json.dumps(update["blocks"])
    settle(pair.a)
    assert len(slack.named("chat.update")) == 1


async def test_a_restarted_poster_and_another_replica_update_once(
    pair: Pair, slack: Recorder
) -> None:
    approval_id = await pending(pair.a, slack)
    await close(pair.a)
    pair.a = await replica(pair.settings, "replica-a-restarted")
    answer = await pair.b.client.post(
        f"/v1/approvals/{approval_id}/approve", headers=pair.b.auth("alice"), json={}
    )
    assert answer.status_code == 200, answer.text
    assert "APPROVED" in json.dumps(slack.wait_for("chat.update")[0]["blocks"])
    settle(pair.a, pair.b)
    assert len(slack.named("chat.update")) == 1


async def test_an_earlier_step_landing_last_is_followed_by_the_latest(
    pair: Pair, slack: Recorder
) -> None:
    """A draws a vote while B draws the decision; B's update reaches Slack first.
    A's late update would leave the message showing the vote (and live buttons), so
    A reads the approval again after sending and draws the decision too."""
    approval_id = await pending(pair.a, slack)
    dispatcher(pair.a).stop()  # A draws only the step this test hands it
    a_slack = next(
        w.notifier for w in dispatcher(pair.a)._workers if w.thread.name.endswith("slack")
    )
    assert isinstance(a_slack, SlackChannel)
    claimed, overtaken = threading.Event(), threading.Event()
    real_claim = a_slack.posted.claim

    def claim_then_fall_behind(approval: Approval) -> list[dict[str, str]]:
        messages = real_claim(approval)
        claimed.set()
        assert overtaken.wait(30)
        return messages

    a_slack.posted.claim = claim_then_fall_behind  # type: ignore[method-assign]
    stored_now = pair.a.gateway.approval(approval_id)
    one_vote = replace(stored_now, votes=(Vote("carol", Ballot.APPROVE, "", "api", time.time()),))
    late = asyncio.create_task(asyncio.to_thread(a_slack._update, one_vote))
    assert await asyncio.to_thread(claimed.wait, 30)
    answer = await pair.b.client.post(
        f"/v1/approvals/{approval_id}/approve", headers=pair.b.auth("alice"), json={}
    )
    assert answer.status_code == 200, answer.text
    assert "APPROVED" in json.dumps(slack.wait_for("chat.update")[0]["blocks"])  # B's, first
    overtaken.set()
    await late
    updates = [json.dumps(u["blocks"]) for u in slack.named("chat.update")]
    assert len(updates) == 3  # B's decision, A's late vote, A's redraw
    assert "Approval requested" in updates[1] and "APPROVED" not in updates[1]
    assert "APPROVED" in updates[2]


# ── the claim itself, raced from separate engines ───────────────────────────────────


def approval_at(
    approval_id: str, votes: int, state: ApprovalState, *, version: int | None = None
) -> Approval:
    """The approval after `votes` votes; its `version` (state changes) is one once
    decided unless given (an approval sent back has been decided before)."""
    cast = tuple(Vote(f"voter-{i}", Ballot.APPROVE, "", "api", 0.0) for i in range(votes))
    changes = version if version is not None else int(state is not ApprovalState.PENDING)
    return Approval(
        approval_id,
        "act-1",
        state,
        2,
        ("data-owners",),
        "bot",
        "dana",
        0.0,
        1e12,
        None,
        cast,
        version=changes,
    )


@pytest.fixture
def engines(state_url: str) -> Iterator[list[Database]]:
    dbs = [Database(state_url) for _ in range(4)]
    dbs[0].migrate()
    yield dbs
    for db in dbs:
        db.dispose()


def test_migration_0005_matches_tables_py_and_downgrades(engines: list[Database]) -> None:
    db = engines[0]
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert [d for d in diff if "chat_messages" in repr(d)] == []  # others' drift is not ours
    command.downgrade(db._alembic_config(), "0004")
    assert "chat_messages" not in sa.inspect(db.engine).get_table_names()
    db.migrate()
    assert "chat_messages" in sa.inspect(db.engine).get_table_names()


def test_drawn_grows_with_votes_and_state_changes() -> None:
    steps = [(0, ApprovalState.PENDING), (1, ApprovalState.PENDING), (1, ApprovalState.DENIED)]
    assert [drawn(approval_at("apr-x", n, s)) for n, s in steps] == [0, 1, 2]
    # approved on one vote, sent back (approved → pending: version 2), voted again
    sent_back = approval_at("apr-x", 1, ApprovalState.PENDING, version=2)
    voted_again = approval_at("apr-x", 2, ApprovalState.PENDING, version=2)
    assert drawn(approval_at("apr-x", 1, ApprovalState.APPROVED)) < drawn(sent_back)
    assert drawn(sent_back) < drawn(voted_again)
    # running it is not a step: the message drawn approved is not redrawn for it
    ran = approval_at("apr-x", 1, ApprovalState.EXECUTED, version=2)
    assert drawn(ran) == drawn(approval_at("apr-x", 1, ApprovalState.APPROVED))


def test_a_copy_drawn_approved_is_claimed_again_after_a_send_back(
    engines: list[Database],
) -> None:
    """Round 20a finding 2: the copy drawn "approved" and the copy posted after the
    send-back are both claimed by the next vote, each once."""
    posted = PostedMessages(engines[0], "slack")
    approved = approval_at("apr-b", 1, ApprovalState.APPROVED)
    posted.record("apr-b", {"channel": "C", "ts": "1.0"}, "r0")
    assert [m["ts"] for m in posted.claim(approved)] == ["1.0"]
    sent_back = approval_at("apr-b", 1, ApprovalState.PENDING, version=2)
    posted.record("apr-b", {"channel": "C", "ts": "2.0"}, "r0", shown=drawn(sent_back))
    assert [m["ts"] for m in posted.claim(sent_back)] == ["1.0"]  # redrawn pending
    voted = approval_at("apr-b", 2, ApprovalState.PENDING, version=2)
    assert [m["ts"] for m in posted.claim(voted)] == ["1.0", "2.0"]
    assert posted.claim(voted) == []


def test_record_and_claim_are_per_channel_and_forward_only(engines: list[Database]) -> None:
    slack, teams = PostedMessages(engines[0], "slack"), PostedMessages(engines[0], "teams")
    slack.record("apr-1", {"channel": "C1", "ts": "1.0"}, "r1")
    slack.record("apr-1", {"channel": "D2", "ts": "2.0"}, "r1")
    slack.record("apr-2", {"channel": "C1", "ts": "3.0"}, "r1")
    teams.record("apr-1", {"activity_id": "card-1"}, "r1")
    assert slack.for_approval("apr-1") == [
        {"channel": "C1", "ts": "1.0"},
        {"channel": "D2", "ts": "2.0"},
    ]
    voted = approval_at("apr-1", 1, ApprovalState.PENDING)
    assert [m["ts"] for m in slack.claim(voted)] == ["1.0", "2.0"]
    assert slack.claim(voted) == []  # this step is drawn already
    assert slack.claim(approval_at("apr-1", 0, ApprovalState.PENDING)) == []  # never go back
    assert teams.claim(voted) == [{"activity_id": "card-1"}]  # the other channel's own rows
    assert [m["ts"] for m in slack.claim(approval_at("apr-1", 1, ApprovalState.APPROVED))] == [
        "1.0",
        "2.0",
    ]
    assert PostedMessages(engines[1], "slack").for_approval("apr-1")[0]["ts"] == "1.0"


def test_whether_a_posted_message_offered_a_vote_is_seen_by_every_replica(
    engines: list[Database],
) -> None:
    """Round 16a finding 5: a vote is checked against the card as posted, which any
    replica reads back; a message recorded before 0013 (votable unknown) says nothing."""
    posted, elsewhere = PostedMessages(engines[0], "teams"), PostedMessages(engines[1], "teams")
    assert elsewhere.offered_vote("apr-1") is None  # nothing posted
    posted.record("apr-1", {"activity_id": "card-1"}, "r1", votable=True)
    posted.record("apr-1", {"activity_id": "card-2"}, "r1", votable=True)
    posted.record("apr-2", {"activity_id": "card-3"}, "r1", votable=False)
    posted.record("apr-3", {"activity_id": "card-4"}, "r1")
    assert [elsewhere.offered_vote(a) for a in ("apr-1", "apr-2", "apr-3")] == [True, False, None]
    posted.record("apr-1", {"activity_id": "card-5"}, "r2", votable=False)
    assert elsewhere.offered_vote("apr-1") is False  # one card offered none: no vote
    assert PostedMessages(engines[1], "slack").offered_vote("apr-2") is None  # per channel


def winners(engines: list[Database], step: Approval) -> list[int]:
    """Every engine claims `step` at the same moment; who got the message back."""
    won: list[int] = []
    start = threading.Barrier(len(engines))

    def race(i: int, db: Database) -> None:
        start.wait()
        if PostedMessages(db, "slack").claim(step):
            won.append(i)

    threads = [threading.Thread(target=race, args=(i, db)) for i, db in enumerate(engines)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return won


def test_draw_follows_an_approval_that_moved_on(engines: list[Database]) -> None:
    posted = PostedMessages(engines[0], "slack")
    posted.record("apr-d", {"channel": "C", "ts": "1.0"}, "r0")
    sent: list[tuple[int, list[str]]] = []
    now = [approval_at("apr-d", 2, ApprovalState.APPROVED)]

    def send(approval: Approval, messages: list[dict[str, str]]) -> None:
        sent.append((drawn(approval), [m["ts"] for m in messages]))

    posted.draw(approval_at("apr-d", 1, ApprovalState.PENDING), lambda _: now[0], send)
    assert sent == [(1, ["1.0"]), (3, ["1.0"])]
    sent.clear()
    posted.draw(approval_at("apr-d", 1, ApprovalState.PENDING), lambda _: now[0], send)
    assert sent == []  # claimed already: another replica's turn
    posted.draw(now[0], lambda _: now[0], send)
    assert sent == [(3, ["1.0"])]  # up to date: sent once


def test_racing_replicas_claim_each_step_once(engines: list[Database]) -> None:
    PostedMessages(engines[0], "slack").record("apr-r", {"channel": "C", "ts": "9.0"}, "r0")
    steps = [approval_at("apr-r", n, ApprovalState.PENDING) for n in (1, 2)]
    steps.append(approval_at("apr-r", 2, ApprovalState.APPROVED))
    for step in steps:
        assert len(winners(engines, step)) == 1, drawn(step)
