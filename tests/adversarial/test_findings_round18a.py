"""Round 18a of the promises-only attack: the control side (approvals decided again
when they run, identities, what reviewers see, audit).

Open findings are strict xfails (`finding`): the mark comes off when the finding is
fixed. Attacks that held are ordinary tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import struct
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
import time_machine
import yaml

from phigate.config import PolicySettings
from phigate.doors.app import build_app
from phigate.doors.pgwire import _codec as codec
from phigate.identity.principal import PrincipalKind
from phigate.ops.bootstrap import build_gateway
from tests.adversarial.test_findings_round4 import client, run, wire
from tests.channels.standins import Recorder, slack_api
from tests.channels.test_slack import close, slack_settings
from tests.conftest import DEMO_POLICY, Harness, demo_config, demo_tokens, make_harness
from tests.pgwire.conftest import Wire
from tests.pgwire.rawclient import RawClient, error_fields
from tests.support.approvals import approve_all
from tests.support.state import token_store

__all__ = ["client", "wire"]  # fixtures shared with round 4


def _demo_policy(*extra_rules: dict[str, Any]) -> dict[str, Any]:
    """The demo's policy section with `extra_rules` added (for `demo_config` overrides)."""
    text = DEMO_POLICY.read_text().format(state_db="x", http_port=0, secrets_dir="x")
    policy: dict[str, Any] = yaml.safe_load(text)["policy"]
    policy["rules"] = [*policy["rules"], *extra_rules]
    return policy


@pytest.fixture
async def two_at_night(tmp_path: Path, ehr_dsn: str) -> AsyncIterator[Harness]:
    """The demo, plus a two-person rule for the night: from 18:00 to 06:00 UTC every
    write needs two data owners (the day rule needs one)."""
    night = {
        "name": "night-writes-need-two-data-owners",
        "match": {"risk": ["write"], "time": {"start": "18:00", "end": "06:00"}},
        "decision": "approve",
        "approvals": {"count": 2, "groups": ["data-owners"], "expires_in": 3600},
    }
    h = await make_harness(
        demo_config(tmp_path, ehr_dsn, overrides={"policy": _demo_policy(night)})
    )
    try:
        yield h
    finally:
        await h.client.aclose()
        await h.gateway.close()


async def _approve(h: Harness, approval_id: str, voter: str) -> int:
    voted = await h.client.post(
        f"/v1/approvals/{approval_id}/approve", headers=h.auth(voter), json={}
    )
    return voted.status_code


async def test_held_the_night_rule_needs_two_when_asked_at_night(two_at_night: Harness) -> None:
    """The control of finding 1: a write asked for at night waits for two data owners."""
    with time_machine.travel(dt.datetime(2026, 12, 9, 19, 0, tzinfo=dt.UTC), tick=True):
        asked = await two_at_night.submit(
            "claims-bot", "UPDATE claims SET status = 'paid' WHERE id = 2"
        )
        assert asked.status_code == 202, asked.text
        assert len(asked.json()["approval"]["requirements"]) == 2
        assert await _approve(two_at_night, asked.json()["approval"]["id"], "alice") == 200
        ran = await two_at_night.client.post(
            f"/v1/actions/{asked.json()['id']}/run", headers=two_at_night.auth("claims-bot")
        )
    assert ran.status_code != 200, ran.text[:300]


@pytest.mark.parametrize("how", ["run", "ask again"])
async def test_a_two_person_rule_in_force_when_the_write_runs_is_met(
    two_at_night: Harness, how: str
) -> None:
    """docs/configuration.md: "Policy decides again when an approved action is about to
    run", and "every matching approval rule's requirement must be met". A write asked for
    at 17:55 needs one data owner; alice approves at 17:58; it runs at 18:30, when the
    night rule needs two, on alice's vote alone (pipeline/workflow.py
    `_refuse_if_denied_now` looks only for a deny; admission's approved twin is claimed
    whatever the requirements are now). One person pushes a night write through."""
    claim = 3 if how == "run" else 4
    write = f"UPDATE claims SET status = 'denied' WHERE id = {claim}"
    with time_machine.travel(dt.datetime(2026, 12, 9, 17, 55, tzinfo=dt.UTC), tick=True):
        asked = await two_at_night.submit("claims-bot", write)
        assert asked.status_code == 202, asked.text
        assert asked.json()["approval"]["required"] == 1
        assert await _approve(two_at_night, asked.json()["approval"]["id"], "alice") == 200
    with time_machine.travel(dt.datetime(2026, 12, 9, 18, 30, tzinfo=dt.UTC), tick=True):
        if how == "run":
            ran = await two_at_night.client.post(
                f"/v1/actions/{asked.json()['id']}/run", headers=two_at_night.auth("claims-bot")
            )
        else:
            ran = await two_at_night.submit("claims-bot", write)
    assert ran.status_code != 200, f"ran at night on one vote: {ran.text[:300]}"


# ── the wire door: what a Parse's declared parameter types mean ────────────────
NUMERIC_OID = 1700
HALVE = "UPDATE claims SET amount = $1 / 2 WHERE id = 21"


def _typed_parse(name: str, text: str, *oids: int) -> bytes:
    """A Parse declaring its parameters' types, as JDBC, Npgsql and asyncpg send."""
    types = struct.pack("!h", len(oids)) + b"".join(struct.pack("!i", o) for o in oids)
    return codec.message(b"P", codec.cstr(name) + codec.cstr(text) + types)


def _amount(dsn: str, claim: int) -> str:
    with psycopg.connect(dsn) as direct:
        row = direct.execute("SELECT amount::text FROM claims WHERE id = %s", (claim,)).fetchone()
    assert row is not None
    return str(row[0])


async def test_a_write_means_what_its_declared_parameter_types_say(
    wire: Wire, client: RawClient, ehr_dsn: str
) -> None:
    """The promise: an approval is bound to exactly the action, "SQL text, bound values
    and the session settings that change its meaning", and a write runs on the writer
    as it means in the client's session. A Parse declares `$1` numeric, so `$1 / 2`
    with `5` is 2.5 in the session (drivers declare types: JDBC `setBigDecimal`,
    Npgsql, asyncpg). The action records the value as the text `"5"` only
    (doors/pgwire/_admission.py `bound_params` keeps no type for text-format values),
    so the reviewer sees `$1 / 2` with `["5"]`, and the writer runs it with an untyped
    value: integer division, 2.00 stored."""
    client.send(_typed_parse("halve", HALVE, NUMERIC_OID) + run("halve", "5") + codec.SYNC)
    assert error_fields(await client.until(b"Z"))["C"] == "55000"
    [bound] = await approve_all(wire)
    assert bound["params"] == ["5"]
    client.send(run("halve", "5") + codec.SYNC)
    answers = await client.until(b"Z")
    assert not error_fields(answers) or error_fields(answers)["C"] != "55000", answers
    if not error_fields(answers):  # it ran: it must have stored what the session meant
        stored = await asyncio.to_thread(_amount, ehr_dsn, 21)
        assert stored == "2.50", f"the session meant 5 / 2 = 2.50 (numeric); stored {stored}"


async def test_held_a_sql_prepare_with_declared_types_cannot_write(
    wire: Wire, client: RawClient, ehr_dsn: str
) -> None:
    """Held (the control of finding 2): a write prepared with SQL `PREPARE name(numeric)`
    is refused at once (0A000), and its `EXECUTE` is denied, before and after a vote."""
    before = await asyncio.to_thread(_amount, ehr_dsn, 22)
    client.send(
        codec.query("PREPARE halve2(numeric) AS UPDATE claims SET amount = $1 / 2 WHERE id = 22")
    )
    assert error_fields(await client.until(b"Z"))["C"] == "0A000"
    for _ in range(2):
        client.send(codec.query("EXECUTE halve2('5')"))
        assert error_fields(await client.until(b"Z"))["C"] == "42501"
        await approve_all(wire)
    assert await asyncio.to_thread(_amount, ehr_dsn, 22) == before


# ── chat: where a request that needs two rules' reviewers is posted ────────────
BILLING = {
    "name": "claims-writes-need-billing-security",
    "match": {"tables": ["claims"], "risk": ["write"]},
    "decision": "approve",
    "approvals": {"count": 1, "groups": ["billing-security"], "expires_in": 3600},
}


@pytest.fixture
def slack() -> Iterator[Recorder]:
    with slack_api() as recorder:
        yield recorder


@pytest.fixture
async def routed(tmp_path: Path, ehr_dsn: str, slack: Recorder) -> AsyncIterator[Harness]:
    """The demo plus the billing rule, with Slack channels per rule: data owners read
    C_OWNERS, billing-security reads C_BILLING (and everyone C_REVIEW)."""
    channels = slack_settings(
        slack,
        rule_channels={
            "writes-and-exports-need-a-data-owner": ["C_OWNERS"],
            "claims-writes-need-billing-security": ["C_BILLING"],
        },
    )
    settings = demo_config(
        tmp_path, ehr_dsn, overrides={"policy": _demo_policy(BILLING), "channels": channels}
    )
    h = await make_harness(settings)
    h.tokens["sec"], _ = token_store(h.gateway).create(
        subject="sec", kind=PrincipalKind.HUMAN, groups=("billing-security",)
    )
    try:
        yield h
    finally:
        await close(h)


async def test_every_rule_whose_vote_is_needed_has_its_channel_told(
    routed: Harness, slack: Recorder
) -> None:
    """docs/configuration.md: "every matching approval rule's requirement must be met";
    docs/slack.md: `rule_channels` are "channels per policy rule". A claims write needs
    a data owner and someone from billing-security; it was posted to C_REVIEW and to the
    deciding rule's C_OWNERS only (`_destinations` read `record.rule`, one rule), never
    to C_BILLING, so the people whose vote it cannot do without were not told and it
    expired undecided. Fixed: every requirement names its rules."""
    asked = await routed.submit("claims-bot", "UPDATE claims SET status = 'paid' WHERE id = 31")
    assert asked.status_code == 202, asked.text
    assert len(asked.json()["approval"]["requirements"]) == 2
    posted = slack.wait_for("chat.postMessage", 2)  # C_REVIEW and C_OWNERS
    with contextlib.suppress(AssertionError):  # a third post, if one comes
        posted = slack.wait_for("chat.postMessage", 3, timeout=5)
    channels = {str(p["channel"]) for p in posted}
    assert "C_BILLING" in channels, f"posted to {sorted(channels)} only"


# ── REST: an approved write that commits, then fails ───────────────────────────
def _status(dsn: str, claim: int) -> str:
    with psycopg.connect(dsn) as direct:
        row = direct.execute("SELECT status FROM claims WHERE id = %s", (claim,)).fetchone()
    assert row is not None
    return str(row[0])


async def _approved_run(h: Harness, sql: str) -> Any:
    """The run of `sql` once approved; the refusal itself when it is refused at once."""
    asked = await h.submit("claims-bot", sql)
    if asked.status_code == 400:
        return asked
    assert asked.status_code == 202, asked.text
    assert await _approve(h, asked.json()["approval"]["id"], "alice") == 200
    return await h.client.post(
        f"/v1/actions/{asked.json()['id']}/run", headers=h.auth("claims-bot")
    )


async def test_an_action_answered_failed_changed_nothing(harness: Harness, ehr_dsn: str) -> None:
    """docs/rest.md: `failed` is a failure of the upstream, and `outcome_unrecorded` the
    one answer that means "it ran (or, if it ended with an error, may have taken
    effect)"; the action's transaction is rolled back on a failure. The connector runs
    the text inside its own transaction (`BEGIN`, the query, `COMMIT`), but a `COMMIT`
    in the caller's text ends that transaction early: the UPDATE commits, the
    `SELECT 1/0` after it fails, and the action is answered and recorded 502 `failed`
    (action status `failed`) though the claim was changed. An auditor (and the agent)
    read that nothing happened. Fixed: the text is refused before it is decided (400,
    naming the COMMIT), so nothing runs (tests/test_transaction_control.py: the family)."""
    before = await asyncio.to_thread(_status, ehr_dsn, 43)
    ran = await _approved_run(
        harness, "UPDATE claims SET status = 'r18a-committed' WHERE id = 43; COMMIT; SELECT 1/0"
    )
    after = await asyncio.to_thread(_status, ehr_dsn, 43)
    status = ran.json().get("status") or ran.json()["error"]["code"]
    assert not (status == "failed" and after != before), (
        f"answered {ran.status_code} {status!r}, but the claim went {before!r} -> {after!r}"
    )


async def test_held_an_approved_text_that_rolls_back_changes_nothing(
    harness: Harness, ehr_dsn: str
) -> None:
    """Held: `BEGIN; UPDATE …; ROLLBACK` (now refused before it is decided) and an UPDATE
    followed by a failing read leave the claim as it was."""
    before = await asyncio.to_thread(_status, ehr_dsn, 42)
    await _approved_run(
        harness, "BEGIN; UPDATE claims SET status = 'r18a-rolled' WHERE id = 42; ROLLBACK"
    )
    await _approved_run(
        harness, "UPDATE claims SET status = 'r18a-failed' WHERE id = 42; SELECT 1/0"
    )
    assert await asyncio.to_thread(_status, ehr_dsn, 42) == before


# ── an approval that expired before its run ─────────────────────────────────────
async def test_asking_again_after_an_approval_expired_unrun_is_a_new_request(
    harness: Harness,
) -> None:
    """docs/configuration.md: "An identical action sent again uses an earlier approval
    only when policy sends it for approval now"; an approval expires. Approved at once
    but not run within the hour, the action stays `approved` (only pending requests are
    swept to `expired`), so admission's approved-twin lookup (pipeline/admission.py
    `_approved_twin`) finds it for every identical request and claiming it answers 410
    "the approval expired before the action ran": the same statement can never be asked
    for again by that caller, on any door, and no new request reaches reviewers."""
    sql = "UPDATE claims SET status = 'paid' WHERE id = 44"
    asked = await harness.submit("claims-bot", sql)
    assert await _approve(harness, asked.json()["approval"]["id"], "alice") == 200
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(hours=2), tick=True):
        again = await harness.submit("claims-bot", sql)
    assert again.status_code == 202, f"{again.status_code}: {again.text[:200]}"


# ── held: who sees a request, and every rule naming a table ─────────────────────
async def test_held_an_agent_sees_no_one_elses_request(harness: Harness) -> None:
    """Held: dana's own write is not listed to an agent, and neither its approval nor its
    action can be read by one (403); an eligible reviewer reads both."""
    asked = await harness.submit("dana", "UPDATE claims SET status = 'paid' WHERE id = 45")
    approval_id, action_id = asked.json()["approval"]["id"], asked.json()["id"]
    listed = await harness.client.get(
        "/v1/approvals?status=pending", headers=harness.auth("claims-bot")
    )
    assert listed.json()["approvals"] == []
    for path in (f"/v1/approvals/{approval_id}", f"/v1/actions/{action_id}"):
        agent = await harness.client.get(path, headers=harness.auth("claims-bot"))
        reviewer = await harness.client.get(path, headers=harness.auth("bob"))
        assert (agent.status_code, reviewer.status_code) == (403, 200), path


@pytest.fixture
async def billing(tmp_path: Path, ehr_dsn: str) -> AsyncIterator[Harness]:
    h = await make_harness(
        demo_config(tmp_path, ehr_dsn, overrides={"policy": _demo_policy(BILLING)})
    )
    try:
        yield h
    finally:
        await h.client.aclose()
        await h.gateway.close()


CLAIMS_WRITES = [
    "UPDATE ONLY claims SET status = 'x' WHERE id = 1",
    "UPDATE CLAIMS SET status = 'x' WHERE id = 1",
    "WITH u AS (UPDATE claims SET status = 'x' WHERE id = 1 RETURNING id) SELECT id FROM u",
    "INSERT INTO claims SELECT * FROM claims WHERE id = 1"
    " ON CONFLICT (id) DO UPDATE SET status = 'x'",
    "MERGE INTO claims c USING (SELECT 1 AS id) s ON c.id = s.id"
    " WHEN MATCHED THEN UPDATE SET status = 'x'",
    "TRUNCATE claims",
    "SELECT * FROM claims WHERE id = 1 FOR UPDATE",
    "DELETE FROM claims WHERE id = 1",  # COPY FROM STDIN: the wire door only (400 here)
    "EXPLAIN ANALYZE UPDATE claims SET status = 'x' WHERE id = 1",
    "UPDATE claims* SET status = 'x' WHERE id = 1",
    "PREPARE p AS UPDATE claims SET status = 'x' WHERE id = 1; EXECUTE p",
]


async def test_held_every_shape_of_a_claims_write_needs_both_rules(billing: Harness) -> None:
    """Held: each shape of a write to claims waits for a data owner and billing-security."""
    for sql in CLAIMS_WRITES:
        asked = await billing.submit("claims-bot", sql)
        assert asked.status_code == 202, (sql, asked.text[:200])
        groups = [r["groups"] for r in asked.json()["approval"]["requirements"]]
        assert groups == [["data-owners"], ["billing-security"]], (sql, groups)


async def test_an_approval_rule_added_since_is_met_when_the_write_runs(
    tmp_path: Path, ehr_dsn: str
) -> None:
    """The same cause as above, with no clock: the operator adds "claims writes also need
    billing-security" and restarts (or rolls the replicas). A claims write alice
    approved before the change still runs on her vote alone after it, by `POST
    /v1/actions/{id}/run`; docs/configuration.md names "a rule added since" among what
    policy decides again at run time, but only a deny is looked for."""
    settings = demo_config(tmp_path, ehr_dsn)
    before = build_gateway(settings, migrate=True)
    tokens = demo_tokens(before)
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=build_app(before)), base_url="http://phigate.test"
    )
    h = Harness(before, client, tokens)
    asked = await h.submit("claims-bot", "UPDATE claims SET status = 'denied' WHERE id = 47")
    assert await _approve(h, asked.json()["approval"]["id"], "alice") == 200
    await client.aclose()
    await before.close()

    tightened = settings.model_copy(
        update={"policy": PolicySettings.model_validate(_demo_policy(BILLING))}
    )
    after = build_gateway(tightened, migrate=True)
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=build_app(after)), base_url="http://phigate.test"
    )
    try:
        h = Harness(after, client, tokens)
        still = await h.submit("claims-bot", "UPDATE claims SET status = 'denied' WHERE id = 48")
        assert len(still.json()["approval"]["requirements"]) == 2  # the new rule is in force
        ran = await client.post(
            f"/v1/actions/{asked.json()['id']}/run", headers=h.auth("claims-bot")
        )
    finally:
        await client.aclose()
        await after.close()
    assert ran.status_code != 200, f"ran without billing-security: {ran.text[:300]}"
