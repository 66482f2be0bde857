"""Round 20a of the promises-only attack: the control side of this hour's changes
(policy deciding again when an approved action runs, approvals sent back and expired
unrun, chat messages for requests that need several rules).

Open findings are strict xfails (`finding`): the mark comes off when the finding is
fixed. Attacks that held are ordinary tests.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import time_machine

from phigate.doors.app import build_app
from phigate.identity.principal import PrincipalKind
from phigate.identity.subjects import SubjectError, normal_subject
from phigate.ops.bootstrap import build_gateway
from tests.adversarial.test_findings_round15a import _demo_policy
from tests.channels.standins import Recorder, slack_api
from tests.channels.test_slack import close, slack_settings
from tests.channels.test_teams import bot_api, teams_settings
from tests.conftest import Harness, demo_config, make_harness
from tests.mcp.conftest import Served, mcp_client, serve_app, start
from tests.support.state import token_store

TWO_DATA_OWNERS = {
    "name": "claims-writes-need-two-data-owners",
    "match": {"risk": ["write"], "tables": ["claims"]},
    "decision": "approve",
    "approvals": {"count": 2, "groups": ["data-owners"], "expires_in": 3600},
}


async def _vote(h: Harness, approval_id: str, voter: str, token: str | None = None) -> int:
    auth = {"Authorization": f"Bearer {token}"} if token else h.auth(voter)
    voted = await h.client.post(f"/v1/approvals/{approval_id}/approve", headers=auth, json={})
    return voted.status_code


def _restarted(h: Harness, settings: Any) -> Harness:
    gateway = build_gateway(settings, migrate=True)
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=build_app(gateway)), base_url="http://phigate.test"
    )
    return Harness(gateway, client, h.tokens)


# ── 1. two votes of one person, known as one since ─────────────────────────────
async def test_two_votes_of_one_person_do_not_meet_a_two_person_rule_at_run_time(
    tmp_path: Path, ehr_dsn: str
) -> None:
    """docs/configuration.md: at run time "every requirement in force now" must be met,
    each "count of distinct approvers", a vote counting "only while its voter may still
    approve it (... aliases as mapped now)"; README: N approvals mean N distinct humans.
    A claims write needs two data owners; `alice` and `alice.ops` (a second token of
    the same person, not yet known as such) approve it. The operator declares
    `alice.ops` an alias of alice and restarts. The run counts two approvers: the
    re-decision (pipeline/workflow.py `_valid_votes`, approvals/model.py `under` and
    `Requirement.counted`) maps voters through aliases only to bar the requester, and
    counts distinct stored voter strings. One human's two accounts meet a two-person
    rule."""
    settings = demo_config(tmp_path, ehr_dsn, overrides={"policy": _demo_policy(TWO_DATA_OWNERS)})
    h = await make_harness(settings)
    try:
        second, _ = token_store(h.gateway).create(
            subject="alice.ops", kind=PrincipalKind.HUMAN, groups=("data-owners",)
        )
        asked = await h.submit("claims-bot", "UPDATE claims SET status = 'paid' WHERE id = 61")
        assert asked.status_code == 202, asked.text
        approval_id, action_id = asked.json()["approval"]["id"], asked.json()["id"]
        assert await _vote(h, approval_id, "alice") == 200
        assert await _vote(h, approval_id, "", second) == 200
        assert h.gateway.approval(approval_id).state == "approved"
    finally:
        await h.client.aclose()
        await h.gateway.close()
    aliased = settings.model_copy(
        update={
            "identity": settings.identity.model_copy(update={"aliases": {"alice": ["alice.ops"]}})
        }
    )
    after = _restarted(h, aliased)
    try:
        ran = await after.client.post(
            f"/v1/actions/{action_id}/run", headers=after.auth("claims-bot")
        )
    finally:
        await after.client.aclose()
        await after.gateway.close()
    assert ran.status_code != 200, f"ran on one person's two votes: {ran.text[:300]}"


async def test_held_a_second_account_of_one_person_cannot_vote_twice_once_aliased(
    tmp_path: Path, ehr_dsn: str
) -> None:
    """Held: with the alias declared before voting, the second account's vote is refused
    (it is the same person, who has voted)."""
    aliases = {"alice": ["alice.ops"]}
    settings = demo_config(
        tmp_path,
        ehr_dsn,
        overrides={"policy": _demo_policy(TWO_DATA_OWNERS), "identity": {"aliases": aliases}},
    )
    h = await make_harness(settings)
    try:
        second, _ = token_store(h.gateway).create(
            subject="alice.ops", kind=PrincipalKind.HUMAN, groups=("data-owners",)
        )
        asked = await h.submit("claims-bot", "UPDATE claims SET status = 'paid' WHERE id = 62")
        approval_id = asked.json()["approval"]["id"]
        assert await _vote(h, approval_id, "alice") == 200
        assert await _vote(h, approval_id, "", second) == 403
        assert h.gateway.approval(approval_id).state == "pending"
    finally:
        await h.client.aclose()
        await h.gateway.close()


# ── 2. chat copies of a request sent back ─────────────────────────────────────
NIGHT_THREE = {
    "name": "night-writes-need-three-data-owners",
    "match": {"risk": ["write"], "time": {"start": "18:00", "end": "06:00"}},
    "decision": "approve",
    "approvals": {"count": 3, "groups": ["data-owners"], "expires_in": 3600},
}
EVENING = dt.datetime(2026, 12, 9, 17, 55, tzinfo=dt.UTC)


def _updates_of(slack: Recorder, ts: str) -> list[dict[str, Any]]:
    return [c for c in slack.named("chat.update") if c.get("ts") == ts]


async def test_a_vote_after_an_approval_is_sent_back_updates_every_copy(
    tmp_path: Path, ehr_dsn: str
) -> None:
    """docs/slack.md: "a vote or decision updates every message posted"; configuration:
    reviewers are notified again when an approval is sent back. Approved by day on
    alice's vote, the first message is redrawn "approved" (progress 2: one vote +
    decided). At night three data owners are needed: the run sends it back (pending,
    one vote: progress 1) and a second message is posted. bob's vote makes progress 2,
    and doors/channels/posted.py claims only messages with `shown < 2`: the first
    message is never redrawn and keeps telling reviewers the request is approved
    (`progress` is not monotonic across a reopen)."""
    with slack_api() as slack:
        overrides = {"policy": _demo_policy(NIGHT_THREE), "channels": slack_settings(slack)}
        h = await make_harness(demo_config(tmp_path, ehr_dsn, overrides=overrides))
        try:
            with time_machine.travel(EVENING, tick=True):
                asked = await h.submit(
                    "claims-bot", "UPDATE claims SET status = 'paid' WHERE id = 63"
                )
                approval_id, action_id = asked.json()["approval"]["id"], asked.json()["id"]
                assert await _vote(h, approval_id, "alice") == 200
                first = slack.wait_for("chat.postMessage", 1)[0]
                first_ts = slack.posted[0][1]
                slack.wait_for("chat.update", 1)  # drawn approved
            with time_machine.travel(EVENING + dt.timedelta(minutes=35), tick=True):
                refused = await h.client.post(
                    f"/v1/actions/{action_id}/run", headers=h.auth("claims-bot")
                )
                assert refused.status_code == 409, refused.text
                slack.wait_for("chat.postMessage", 2)
                second_ts = slack.posted[1][1]
                assert second_ts != first_ts
                # sent back: the first copy is redrawn pending (its second update)
                _wait_until(lambda: len(_updates_of(slack, first_ts)) >= 2)
                before = len(_updates_of(slack, first_ts))
                assert await _vote(h, approval_id, "bob") == 200
                assert h.gateway.approval(approval_id).state == "pending"
                _wait_until(lambda: len(_updates_of(slack, second_ts)) >= 1)
            assert first["channel"] == "C_REVIEW"
            assert len(_updates_of(slack, first_ts)) > before, "the first copy was not redrawn"
        finally:
            await close(h)


CARDS = "/svc/v3/conversations/19:rev/activities"


async def test_a_vote_after_an_approval_is_sent_back_refreshes_every_teams_card(
    tmp_path: Path, ehr_dsn: str
) -> None:
    """Finding 2 for Teams (the same claim, doors/channels/posted.py): the card drawn
    "approved" is refreshed when the approval is sent back and again on the next vote,
    with the card posted after the send-back."""
    with bot_api() as bot:
        overrides = {"policy": _demo_policy(NIGHT_THREE), "channels": teams_settings(bot)}
        h = await make_harness(demo_config(tmp_path, ehr_dsn, overrides=overrides))
        try:
            with time_machine.travel(EVENING, tick=True):
                asked = await h.submit(
                    "claims-bot", "UPDATE claims SET status = 'paid' WHERE id = 64"
                )
                approval_id, action_id = asked.json()["approval"]["id"], asked.json()["id"]
                assert await _vote(h, approval_id, "alice") == 200
                bot.wait_for(f"{CARDS}/card-1", 1)  # drawn approved
            with time_machine.travel(EVENING + dt.timedelta(minutes=35), tick=True):
                refused = await h.client.post(
                    f"/v1/actions/{action_id}/run", headers=h.auth("claims-bot")
                )
                assert refused.status_code == 409, refused.text
                bot.wait_for(CARDS, 2)  # posted again: card-2
                bot.wait_for(f"{CARDS}/card-1", 2)  # the first card redrawn pending
                assert await _vote(h, approval_id, "bob") == 200
                bot.wait_for(f"{CARDS}/card-2", 1)
                last = bot.wait_for(f"{CARDS}/card-1", 3)[-1]
            assert "bob" in str(last["attachments"][0]["content"])
        finally:
            await close(h)


def _wait_until(condition: Any, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


# ── 3. Latin letters that read as ASCII ones, in reviewer views ────────────────
# Each word is wholly Latin script, so no mixed-script or whole-script rule sees it;
# PostgreSQL compares bytes, so `status <> 'ⅾenieⅾ'` matches every claim, denied
# ones included, while every reviewer surface draws `status <> 'denied'`.
LATIN_LOOK_ALIKES = {
    "roman-numeral-d": "\u217eenie\u217e",  # SMALL ROMAN NUMERAL FIVE HUNDRED as d
    "latin-alpha": "p\u0251id",  # LATIN SMALL LETTER ALPHA as a
    "script-g": "\u0261ood",  # LATIN SMALL LETTER SCRIPT G as g
    "dot-on-i": "pai\u0307d",  # COMBINING DOT ABOVE, drawn into the i's own dot
    # MATHEMATICAL SANS-SERIF / MONOSPACE letters (script Common): a word wholly drawn
    # as ASCII letters, in the sans-serif or monospace font the views use
    "math-sans-serif": "\U0001d5c9\U0001d5ba\U0001d5c2\U0001d5bd",
    "math-monospace-a": "p\U0001d68aid",
    "kelvin-sign": "O\u212a",  # KELVIN SIGN (script Latin) as K: `OK`
    "math-monospace-digits": "\U0001d7f7\U0001d7f8\U0001d7f9",  # `123` in monospace
}


@pytest.mark.parametrize("case", sorted(LATIN_LOOK_ALIKES))
async def test_a_latin_letter_that_reads_as_an_ascii_one_is_flagged_for_the_reviewer(
    harness: Harness, case: str
) -> None:
    """docs/security.md: reviewer views escape look-alike letters "read word by word as
    subjects are"; subjects refuse "a Latin letter that reads as an ASCII one, by
    Unicode's confusables data" (`pɑid`, `ɡood` are refused as subjects) and fold
    compatibility forms (`ⅾenieⅾ` is the subject `denied`), and a dot above an i
    is one person with the i (round 16a). In a statement none of them
    is escaped or flagged: reviewing/_reveal.py `_look_alike_letters` judges only words
    mixing scripts or wholly in another script, and a word wholly in Latin is taken as
    it is. The reviewer approves voiding the claims not denied; all of them are voided."""
    sql = f"UPDATE claims SET status = 'void' WHERE status <> '{LATIN_LOOK_ALIKES[case]}'"
    answer = await harness.submit("claims-bot", sql)
    assert answer.status_code == 202, answer.text
    approval_id = answer.json()["approval"]["id"]
    view = await harness.client.get(f"/v1/approvals/{approval_id}", headers=harness.auth("alice"))
    review = view.json()["action"]["review"]
    escapes = [piece for piece, escaped in review["marked"]["statement"] if escaped]
    assert review["warnings"] and escapes, review["marked"]["statement"]


# ── 4. an approval that expired unrun, under a stricter rule ───────────────────
NIGHT_TWO = {
    "name": "night-writes-need-two-data-owners",
    "match": {"risk": ["write"], "time": {"start": "18:00", "end": "06:00"}},
    "decision": "approve",
    "approvals": {"count": 2, "groups": ["data-owners"], "expires_in": 3600},
}


async def test_an_expired_approval_is_ended_not_sent_back_for_more_votes(
    tmp_path: Path, ehr_dsn: str
) -> None:
    """docs/rest.md: `/run` only before expiry, "after it, 410; the action is then
    `expired`"; configuration: "An approval not run before it expires ends its action".
    Asked and approved at 16:30 (one data owner by day, an hour to run), run at 19:30
    when nights need two: the re-decision (pipeline/workflow.py `_decide_again`, before
    the claim that checks expiry) finds a vote missing and `reopen`s it first: the
    expired approval goes back to `pending`, reviewers are told again of a request
    that can no longer run, and the caller is answered 409 awaiting_approval."""
    overrides = {"policy": _demo_policy(NIGHT_TWO)}
    h = await make_harness(demo_config(tmp_path, ehr_dsn, overrides=overrides))
    asked_at = dt.datetime(2026, 12, 9, 16, 30, tzinfo=dt.UTC)
    try:
        with time_machine.travel(asked_at, tick=True):
            asked = await h.submit("claims-bot", "UPDATE claims SET status = 'paid' WHERE id = 64")
            approval_id, action_id = asked.json()["approval"]["id"], asked.json()["id"]
            assert await _vote(h, approval_id, "alice") == 200
        with time_machine.travel(asked_at + dt.timedelta(hours=3), tick=True):
            ran = await h.client.post(f"/v1/actions/{action_id}/run", headers=h.auth("claims-bot"))
            reopened = [
                r
                for r in h.gateway.audit_records()
                if r["event"] == "approval.reopened" and r.get("approval_id") == approval_id
            ]
    finally:
        await h.client.aclose()
        await h.gateway.close()
    assert (ran.status_code, reopened) == (410, []), ran.text[:300]


# ── 5. a vote that no longer counts still decides a request ─────────────────────
async def test_a_vote_that_no_longer_counts_does_not_decide_the_request(
    tmp_path: Path, ehr_dsn: str
) -> None:
    """docs/configuration.md: a vote counts "only while its voter may still approve it
    (not the requester nor the person an agent acts for, aliases as mapped now)". A
    claims write needs two data owners; alice votes; the operator declares `alice` an
    alias of dana (the person the agent acts for) and restarts; bob votes. The vote
    path (approvals/service.py `_record_vote` → `_outcome` → `is_met`) counts every
    stored vote, so the request is recorded `approved` (audit `approval.decided`,
    chat messages, webhooks) on one valid vote; only `/run` finds it short and sends it
    back (409), and every later vote repeats the cycle."""
    settings = demo_config(tmp_path, ehr_dsn, overrides={"policy": _demo_policy(TWO_DATA_OWNERS)})
    h = await make_harness(settings)
    try:
        asked = await h.submit("claims-bot", "UPDATE claims SET status = 'paid' WHERE id = 65")
        approval_id = asked.json()["approval"]["id"]
        assert await _vote(h, approval_id, "alice") == 200
    finally:
        await h.client.aclose()
        await h.gateway.close()
    aliased = settings.model_copy(
        update={"identity": settings.identity.model_copy(update={"aliases": {"dana": ["alice"]}})}
    )
    after = _restarted(h, aliased)
    try:
        assert await _vote(after, approval_id, "bob") == 200
        state = after.gateway.approval(approval_id).state
    finally:
        await after.client.aclose()
        await after.gateway.close()
    assert state == "pending", f"recorded {state} on one vote that counts"


# ── 6. a Japanese word's long-vowel mark drawn by a dash, bar or radical ─────────
# ロード (road/load) and サービス (service) are written with the katakana long-vowel
# mark ー (U+30FC). Each of these draws the same stroke, and each spelling is refused
# as a subject (identity/look_alikes.py reads it as the katakana word), yet in a
# statement none is escaped or flagged.
LONG_VOWEL_LOOK_ALIKES = {
    "horizontal-bar": "\u30ed\u2015\u30c9",  # ロ―ド
    "box-drawing": "\u30ed\u2500\u30c9",  # ロ─ド
    "em-dash": "\u30b5\u2014\u30d3\u30b9",  # サ—ビス
    "kangxi-radical-one": "\u30b5\u2f00\u30d3\u30b9",  # サ⼀ビス
}


@pytest.mark.parametrize("case", sorted(LONG_VOWEL_LOOK_ALIKES))
async def test_a_japanese_words_look_alike_long_vowel_mark_is_flagged_for_the_reviewer(
    harness: Harness, case: str
) -> None:
    """docs/security.md: "a Japanese word with a reading in fewer or other scripts has
    the letters outside it escaped" (`'口バート'` reads `ロバート`). A dash, a bar, a
    box-drawing line or the Kangxi radical 一 in place of ー is not a letter of any
    script (Common) or is one NFKC folds to Han: reviewing/_reveal.py
    `_look_alike_letters` does not judge it, while subjects refuse every one of these
    spellings. `status <> 'ロ―ド'` matches every row, `'ロード'` ones included."""
    value = LONG_VOWEL_LOOK_ALIKES[case]
    with pytest.raises(SubjectError):
        normal_subject(value)  # one person's name can never be spelt so
    sql = f"UPDATE claims SET status = 'void' WHERE status <> '{value}'"
    answer = await harness.submit("claims-bot", sql)
    assert answer.status_code == 202, answer.text
    approval_id = answer.json()["approval"]["id"]
    view = await harness.client.get(f"/v1/approvals/{approval_id}", headers=harness.auth("alice"))
    review = view.json()["action"]["review"]
    escapes = [piece for piece, escaped in review["marked"]["statement"] if escaped]
    assert review["warnings"] and escapes, review["marked"]["statement"]


# ── 7. the identical action sent again after it was sent back ───────────────────
async def test_asking_again_after_a_send_back_waits_on_the_same_request(
    tmp_path: Path, ehr_dsn: str
) -> None:
    """docs/configuration.md: sent back for more votes, "the identical action sent again
    answers 202 pending_approval with the same action and approval". Here `/run` sends
    it back first; the agent then sends the identical write again: admission
    (pipeline/admission.py `_approved_twin`) looks only for an `approved` twin, so a
    second request for the same write goes to reviewers beside the first, and with
    both approved the write runs twice; each re-send adds one more."""
    overrides = {"policy": _demo_policy(NIGHT_TWO)}
    h = await make_harness(demo_config(tmp_path, ehr_dsn, overrides=overrides))
    write = "UPDATE claims SET status = 'paid' WHERE id = 66"
    try:
        with time_machine.travel(EVENING, tick=True):
            asked = await h.submit("claims-bot", write)
            approval_id, action_id = asked.json()["approval"]["id"], asked.json()["id"]
            assert await _vote(h, approval_id, "alice") == 200
        with time_machine.travel(EVENING + dt.timedelta(minutes=35), tick=True):
            run = await h.client.post(f"/v1/actions/{action_id}/run", headers=h.auth("claims-bot"))
            assert run.status_code == 409, run.text
            again = await h.submit("claims-bot", write)
    finally:
        await h.client.aclose()
        await h.gateway.close()
    assert again.status_code == 202, again.text
    assert (again.json()["id"], again.json()["approval"]["id"]) == (action_id, approval_id)


# ── 8. a break-glass review whose window passed ─────────────────────────────────
async def test_a_break_glass_review_past_its_window_is_recorded_expired(
    harness: Harness,
) -> None:
    """docs/reports.md: break-glass uses "still pending or whose review window expired
    are open"; configuration: a request expires at its `expires_in` (the demo's
    clinician-break-glass rule: 7 days), recorded as an `approval.decided` with state
    `expired`. Since this hour's change the sweep (approvals/service.py `_expire`)
    skips every break-glass review (`approval.is_review`), so a review past its window
    stays `pending` for ever: listed as awaiting a verdict, with no record that its
    window closed unreviewed (and `_due` loads it again on every sweep)."""
    used = await harness.client.post(
        "/v1/actions",
        headers=harness.auth("dana"),
        json={
            "connection": "ehr",
            "sql": "SELECT * FROM patients WHERE id = 1",
            "masking": "none",
            "break_glass": True,
            "reason": "patient unconscious in the emergency room",
        },
    )
    assert used.status_code == 200, used.text
    review = harness.gateway.approval_for_action(used.json()["id"])
    assert review is not None
    review_id = review.id
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=8), tick=True):
        listed = await harness.client.get("/v1/approvals", headers=harness.auth("bob"))
        assert listed.status_code == 200, listed.text
        state = harness.gateway.approval(review_id).state
    assert state == "expired", f"a review 8 days past a 7-day window is {state}"


# ── held ──────────────────────────────────────────────────────────────────────
async def test_held_two_concurrent_runs_of_an_approval_sent_back_run_nothing(
    tmp_path: Path, ehr_dsn: str
) -> None:
    """Held: two `/run`s of the same action at once, when policy now needs a second
    vote: neither runs, both answer 409, the approval is sent back exactly once."""
    overrides = {"policy": _demo_policy(NIGHT_TWO)}
    h = await make_harness(demo_config(tmp_path, ehr_dsn, overrides=overrides))
    try:
        with time_machine.travel(EVENING, tick=True):
            asked = await h.submit("claims-bot", "UPDATE claims SET status = 'paid' WHERE id = 67")
            approval_id, action_id = asked.json()["approval"]["id"], asked.json()["id"]
            assert await _vote(h, approval_id, "alice") == 200
        with time_machine.travel(EVENING + dt.timedelta(minutes=35), tick=True):
            run = f"/v1/actions/{action_id}/run"
            answers = await asyncio.gather(
                h.client.post(run, headers=h.auth("claims-bot")),
                h.client.post(run, headers=h.auth("claims-bot")),
            )
            reopened = [
                r
                for r in h.gateway.audit_records()
                if r["event"] == "approval.reopened" and r.get("approval_id") == approval_id
            ]
            assert [a.status_code for a in answers] == [409, 409], [a.text for a in answers]
            assert len(reopened) == 1
            assert h.gateway.approval(approval_id).state == "pending"
            assert h.gateway.action(action_id).status == "pending_approval"
    finally:
        await h.client.aclose()
        await h.gateway.close()


async def test_held_an_expired_twin_under_a_stricter_rule_is_a_new_request(
    tmp_path: Path, ehr_dsn: str
) -> None:
    """Held (the identical action sent again, unlike `/run` in finding 4): the approval
    that expired unrun ends its action and the write is a new request."""
    overrides = {"policy": _demo_policy(NIGHT_TWO)}
    h = await make_harness(demo_config(tmp_path, ehr_dsn, overrides=overrides))
    asked_at = dt.datetime(2026, 12, 9, 16, 30, tzinfo=dt.UTC)
    write = "UPDATE claims SET status = 'paid' WHERE id = 68"
    try:
        with time_machine.travel(asked_at, tick=True):
            asked = await h.submit("claims-bot", write)
            approval_id, action_id = asked.json()["approval"]["id"], asked.json()["id"]
            assert await _vote(h, approval_id, "alice") == 200
        with time_machine.travel(asked_at + dt.timedelta(hours=3), tick=True):
            again = await h.submit("claims-bot", write)
            assert again.status_code == 202, again.text
            assert again.json()["id"] != action_id
            assert h.gateway.approval(approval_id).state == "expired"
            assert h.gateway.action(action_id).status == "expired"
    finally:
        await h.client.aclose()
        await h.gateway.close()


async def test_held_mcp_get_action_of_an_approval_sent_back_runs_nothing(
    tmp_path: Path, ehr_dsn: str
) -> None:
    """Held: through MCP, `get_action` of a write approved by day and fetched at night
    (two data owners needed) does not run it; the agent is told it waits for approval
    again, in MCP's own terms (a tool answer, not a protocol failure)."""
    overrides = {"policy": _demo_policy(NIGHT_TWO), "mcp": {"query_wait_seconds": 0}}
    harness, app = await start(tmp_path, ehr_dsn, **overrides)
    write = "UPDATE claims SET status = 'paid' WHERE id = 69"
    try:
        async with serve_app(app) as base:
            served = Served(harness, base)
            with time_machine.travel(EVENING, tick=True):
                async with mcp_client(served.mcp_url, served.token("claims-bot")) as client:
                    first = await client.call_tool("query", {"connection": "ehr", "sql": write})
                assert isinstance(first.structured_content, dict)
                action_id = first.structured_content["action_id"]
                approval = harness.gateway.approval_for_action(action_id)
                assert approval is not None
                approval_id = approval.id
                assert await _vote(harness, approval_id, "alice") == 200
            with time_machine.travel(EVENING + dt.timedelta(minutes=35), tick=True):
                async with mcp_client(served.mcp_url, served.token("claims-bot")) as client:
                    fetched = await client.call_tool("get_action", {"action_id": action_id})
                assert harness.gateway.action(action_id).status == "pending_approval"
    finally:
        await harness.client.aclose()
        await harness.gateway.close()
    text = fetched.content[0].text  # type: ignore[union-attr]
    assert "awaiting_approval" in text or "pending" in text, text[:300]


# ── 9. a run refused for expiry does not end its action ─────────────────────────
async def test_a_run_after_expiry_answers_410_and_ends_the_action(harness: Harness) -> None:
    """docs/rest.md: `/run` "only before expiry (after it, `410`; the action is then
    `expired`)". Approved and run two hours later with no sweep before it, `/run`
    answers 410 (approvals/service.py `claim_execution` raises `ExpiredError`) but
    records nothing: the approval and the action still read `approved` (REST, console,
    evidence) until some later listing, vote or identical request sweeps them."""
    asked = await harness.submit("claims-bot", "UPDATE claims SET status = 'paid' WHERE id = 70")
    approval_id, action_id = asked.json()["approval"]["id"], asked.json()["id"]
    assert await _vote(harness, approval_id, "alice") == 200
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(hours=2), tick=True):
        ran = await harness.client.post(
            f"/v1/actions/{action_id}/run", headers=harness.auth("claims-bot")
        )
    assert ran.status_code == 410, ran.text
    states = (harness.gateway.approval(approval_id).state, harness.gateway.action(action_id).status)
    assert states == ("expired", "expired"), states
