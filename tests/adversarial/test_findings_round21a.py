"""Round 21a of the promises-only attack: the control side (approvals, identities,
chat callbacks, the console, the audit log, replicas).

Open findings are strict xfails (`finding`): the mark comes off when the finding is
fixed. Attacks that held are ordinary tests.
"""

from __future__ import annotations

import asyncio
import base64
from pathlib import Path

import httpx
import pytest

from phigate.core.errors import InvalidRequestError
from phigate.identity.principal import PrincipalKind
from tests.channels.standins import slack_api
from tests.channels.test_slack import click, close, signed, slack_settings
from tests.conftest import Harness, demo_config, make_harness
from tests.console.conftest import csrf_of, sign_in
from tests.support.oidc_provider import OidcProvider, oidc_provider
from tests.support.state import token_store


async def _approve(h: Harness, approval_id: str, voter: str) -> int:
    voted = await h.client.post(
        f"/v1/approvals/{approval_id}/approve", headers=h.auth(voter), json={}
    )
    return voted.status_code


# ── 1. an agent acting for an agent ────────────────────────────────────────────
def _chained_agent(h: Harness, how: str, idp: OidcProvider) -> str | None:
    """A bearer token of `sub-bot`, an agent acting for the agent `claims-bot` (which
    acts for dana): an API token made so, or an OIDC token exchanged by claims-bot
    (RFC 8693: `sub` the party acted for, `act.sub` the actor). None if refused."""
    if how == "oidc-act":
        return idp.issue(
            sub="claims-bot", extra_claims={"act": {"sub": "sub-bot", "groups": ["agents"]}}
        )
    try:
        return token_store(h.gateway).create(
            subject="sub-bot",
            kind=PrincipalKind.AGENT,
            groups=("agents",),
            on_behalf_of="claims-bot",
        )[0]
    except InvalidRequestError:
        return None


@pytest.mark.parametrize("how", ["api-token", "oidc-act"])
async def test_an_agent_acting_for_an_agent_is_not_approved_by_the_human_behind_it(
    tmp_path: Path, ehr_dsn: str, how: str
) -> None:
    """README/DESIGN: a principal carries, "for agents, the human it acts for"; the
    person the agent acts for can never approve its request. Nothing checks that the
    one acted for is a human: `phigate token create --kind agent --on-behalf-of
    claims-bot` is accepted (identity/tokens.py `_check_identity` checks only that
    the subject is not itself), and so is an OIDC token whose `sub` is the agent
    claims-bot with `act.sub` sub-bot (identity/oidc.py `_actor`). sub-bot then acts
    for claims-bot, which acts for dana. dana (here also a data owner) approves
    sub-bot's write: approvals/model.py `ineligibility` bars only the direct
    `on_behalf_of`, an agent that could never vote anyway, and reviewers are told the
    request is on behalf of claims-bot, not dana. The human behind the agent approved
    its write, and it runs."""
    with oidc_provider() as idp:
        identity = {
            "auditor_groups": ["auditors"],
            "oidc": {"issuer": idp.issuer, "audience": "phigate"},
        }
        h = await make_harness(demo_config(tmp_path, ehr_dsn, overrides={"identity": identity}))
        try:
            chained = _chained_agent(h, how, idp)
            if chained is None:
                return  # refused: the chain cannot be made
            h.tokens["sub-bot"] = chained
            h.tokens["dana-reviewer"] = token_store(h.gateway).create(
                subject="dana", kind=PrincipalKind.HUMAN, groups=("data-owners",)
            )[0]
            asked = await h.submit("sub-bot", "UPDATE claims SET status = 'paid' WHERE id = 71")
            if asked.status_code == 401:
                return  # refused at authentication
            assert asked.status_code == 202, asked.text
            approval_id = asked.json()["approval"]["id"]
            status = await _approve(h, approval_id, "dana-reviewer")
            state = h.gateway.approval(approval_id).state
        finally:
            await h.client.aclose()
            await h.gateway.close()
    assert status == 403 and state == "pending", (
        f"dana, for whom claims-bot acts, approved the write of the agent acting for "
        f"claims-bot: vote {status}, approval {state}"
    )


# ── 2. a forged Slack callback with a timestamp of other digits ────────────────
async def test_a_slack_timestamp_of_other_digits_is_a_clear_audited_refusal(
    tmp_path: Path, ehr_dsn: str
) -> None:
    """docs/slack.md: every refused callback (bad or missing signature ...) is a 401 or
    a 400, "never a 500", audited as `slack.callback_refused`. A forged request whose
    `X-Slack-Request-Timestamp` is `²` (Latin-1 0xB2, a digit to `str.isdigit`, not to
    `int`) passes `timestamp.isdigit()` in `SlackChannel._signed_at`
    (doors/channels/slack.py), and `int(timestamp)` raises ValueError before the
    signature is compared: no signing secret needed, the answer is a 500 and nothing
    is recorded."""
    with slack_api() as slack:
        h = await make_harness(
            demo_config(tmp_path, ehr_dsn, overrides={"channels": slack_settings(slack)})
        )
        try:
            body = click("apr_x", "U_ALICE")
            headers = {**signed(body), "X-Slack-Request-Timestamp": b"\xb2"}
            try:
                answer = await h.client.post("/slack/interactions", content=body, headers=headers)
                status = answer.status_code
            except ValueError:  # the ASGI app raised instead of answering
                status = 500
            records = h.gateway.audit_records(since=0, limit=10_000)
            refused = [r for r in records if r["event"] == "slack.callback_refused"]
        finally:
            await close(h)
    assert status == 401 and len(refused) == 1, (status, len(refused))


# ── 3. the auditor's console pages on dates and numbers out of range ──────────
@pytest.mark.parametrize(
    "url",
    ["/ui/reports?to=9999-12-31", "/ui/reports?from=0001-01-01", "/ui/audit?before=%C2%B2"],
)
async def test_the_auditors_pages_answer_bad_dates_and_numbers_clearly(
    tmp_path: Path, ehr_dsn: str, url: str
) -> None:
    """Bad input of every kind gets a clear error in the caller's own protocol. The
    console's report page reads `from`/`to` as ISO days (`_report_view._day`) and then
    adds a day to `to` (9999-12-31: OverflowError); a `from` of 0001-01-01 fails
    further on, building the report ("year -23 is out of range"); the audit page's
    `before` passes `str.isdigit` as `²` and fails `int` (`_audit_view._before`).
    Each is an unhandled exception (500) instead of the page with its default, or a
    400."""
    h = await make_harness(demo_config(tmp_path, ehr_dsn))
    auditor = await sign_in(h, "admin")
    try:
        try:
            status = (await auditor.get(url)).status_code
        except (ValueError, OverflowError):  # the ASGI app raised instead of answering
            status = 500
    finally:
        await auditor.aclose()
        await h.client.aclose()
        await h.gateway.close()
    assert status < 500, f"{url}: {status}"


# ── 4. the identical write sent twice at once ──────────────────────────────────
async def test_identical_writes_sent_at_once_are_one_request(tmp_path: Path, ehr_dsn: str) -> None:
    """docs/configuration.md: while a request for an action waits for votes, "the
    identical action sent again by the same caller answers 202 pending_approval with the
    same action and approval (... one request, one run)" (round 20a finding 7, fixed
    for a send one after the other). Sent at the same moment (an agent's retry, two
    workers, two replicas), admission looks for a twin (pipeline/admission.py `_twin`)
    and records the request (`_record_request`) in separate transactions with nothing
    held between, so each send finds none and asks reviewers anew: four sends, four
    requests, and a reviewer approving what looks like the same request each time runs
    the write four times."""
    h = await make_harness(demo_config(tmp_path, ehr_dsn))
    write = "UPDATE claims SET status = 'paid' WHERE id = 81"
    try:
        sent = await asyncio.gather(*(h.submit("claims-bot", write) for _ in range(4)))
        assert all(s.status_code == 202 for s in sent), [s.text[:200] for s in sent]
        requests = sorted({s.json()["approval"]["id"] for s in sent})
        ran = 0
        for approval_id in requests:
            assert await _approve(h, approval_id, "alice") == 200
        for action_id in sorted({s.json()["id"] for s in sent}):
            run = await h.client.post(f"/v1/actions/{action_id}/run", headers=h.auth("claims-bot"))
            ran += run.status_code == 200
    finally:
        await h.client.aclose()
        await h.gateway.close()
    assert len(requests) == 1 and ran == 1, f"{len(requests)} requests, the write ran {ran} times"


# ── 5. the identical write sent again through a second account ─────────────────
async def test_the_identical_write_sent_again_through_an_alias_is_the_same_request(
    tmp_path: Path, ehr_dsn: str
) -> None:
    """docs/configuration.md: `identity.aliases` makes a second identity the same person
    ("every principal is mapped to the person's own subject when it authenticates"),
    and while a request waits for votes "the identical action sent again by the same
    caller answers 202 pending_approval with the same action and approval (... one
    request, one run)". dana sends a write with her token, then the identical write
    with her second token (`dana@example.org`, declared her alias): the caller is the
    same (`Principal.is_same_caller`), but the fingerprint (core/actions.py) binds
    `principal.to_json()`, which carries `signed_in_as`, so admission's twin lookup
    (`_twin`, by fingerprint) finds nothing and reviewers get a second request for the
    same write; both approved, it runs twice."""
    aliases = {"dana": ["dana@example.org"]}
    settings = demo_config(tmp_path, ehr_dsn, overrides={"identity": {"aliases": aliases}})
    h = await make_harness(settings)
    write = "UPDATE claims SET status = 'paid' WHERE id = 83"
    try:
        h.tokens["dana-second"] = token_store(h.gateway).create(
            subject="dana@example.org", kind=PrincipalKind.HUMAN, groups=("clinicians",)
        )[0]
        first = await h.submit("dana", write)
        again = await h.submit("dana-second", write)
        assert first.status_code == 202 and again.status_code == 202, again.text[:300]
        requests = {first.json()["approval"]["id"], again.json()["approval"]["id"]}
    finally:
        await h.client.aclose()
        await h.gateway.close()
    assert len(requests) == 1, f"one person's identical write is {len(requests)} requests"


# ── 6. break-glass while the same read waits for approval ─────────────────────
async def test_break_glass_runs_at_once_even_while_the_same_read_waits(
    tmp_path: Path, ehr_dsn: str
) -> None:
    """README: a rule with `break_glass: true` "lets the humans it matches run at once
    by adding "break_glass": true and a reason", flagged and reviewed afterwards. A
    clinician first asks for a patient's name unmasked the ordinary way (it waits for a
    data owner), then, the patient deteriorating, asks again with break-glass. The
    fingerprint leaves break-glass out (core/actions.py), and admission looks for a
    pending twin before it applies break-glass (pipeline/admission.py `admit`: `_twin`,
    then `break_glass_decision`), so the emergency request joins the ordinary one and
    waits (202, no `action.break_glass`, its reason dropped). It fails closed: nothing
    runs unreviewed, but the emergency path the docs promise does not run."""
    h = await make_harness(demo_config(tmp_path, ehr_dsn))
    read = "SELECT first_name FROM patients WHERE id = 3"
    try:
        first = await h.submit("dana", read, masking="none", reason="checking identity")
        assert first.status_code == 202, first.text[:300]
        urgent = await h.submit(
            "dana", read, masking="none", break_glass=True, reason="patient unconscious in ED"
        )
    finally:
        await h.client.aclose()
        await h.gateway.close()
    assert urgent.status_code == 200 and urgent.json().get("break_glass") is True, (
        f"break-glass answered {urgent.status_code}: {urgent.text[:200]}"
    )


# ── attacks that held ──────────────────────────────────────────────────────────
SECRET = "gw-Secr3t-9a8b7c6d5e4f"
_PRINTS_ITS_TOKEN = (
    '#!/bin/sh\nprintf "tok=%s\\n" "$API_TOKEN"\nprintf "%s" "$API_TOKEN" | base64\n'
)


async def test_held_break_glass_with_no_masking_still_redacts_the_gateways_secret(
    tmp_path: Path, ehr_dsn: str
) -> None:
    """No connector returns the gateway's own secrets, whatever the masking: a
    clinician's break-glass with `"masking": "none"` on an exec connection whose
    program prints its credential (as written and in base64) runs at once (the demo's
    break-glass rule names no action kind) and gets `[REDACTED:API_TOKEN]`."""
    program = tmp_path / "bin" / "tool"
    program.parent.mkdir()
    program.write_text(_PRINTS_ITS_TOKEN)
    program.chmod(0o755)
    (tmp_path / "work").mkdir()
    tools = {
        "type": "exec",
        "programs": [str(program)],
        "working_dir": str(tmp_path / "work"),
        "env": {"API_TOKEN": SECRET},
        "rules": [{"name": "show", "program": "tool", "args": ["show"], "risk": "read"}],
    }
    settings = demo_config(tmp_path, ehr_dsn)
    connections = {**settings.model_dump(mode="json")["connections"], "tools": tools}
    h = await make_harness(demo_config(tmp_path, ehr_dsn, overrides={"connections": connections}))
    try:
        ran = await h.client.post(
            "/v1/actions",
            headers=h.auth("dana"),
            json={
                "connection": "tools",
                "argv": ["tool", "show"],
                "masking": "none",
                "break_glass": True,
                "reason": "patient unconscious in the ED",
            },
        )
    finally:
        await h.client.aclose()
        await h.gateway.close()
    assert ran.status_code == 200 and ran.json()["status"] == "executed", ran.text[:300]
    stdout = ran.json()["result"]["stdout"]
    assert "[REDACTED:API_TOKEN]" in stdout
    assert (
        SECRET not in ran.text and base64.b64encode(SECRET.encode()).decode()[:24] not in ran.text
    )


async def test_held_rest_refuses_transaction_control_that_would_undo_a_write(
    tmp_path: Path, ehr_dsn: str
) -> None:
    """A write never commits where the client's own transaction would have rolled it
    back: over REST, a text ending or splitting the gateway's transaction around a
    write (ROLLBACK, ABORT, END, SAVEPOINT and ROLLBACK TO, PREPARE TRANSACTION,
    COMMIT AND CHAIN) is a 400 before anything is asked of reviewers."""
    write = "UPDATE claims SET status = 'paid' WHERE id = 91"
    texts = [
        f"{write}; ROLLBACK",
        f"{write}; ABORT",
        f"{write}; END",
        f"SAVEPOINT a; {write}; ROLLBACK TO SAVEPOINT a",
        f"{write}; PREPARE TRANSACTION 'x'",
        f"{write}; COMMIT AND CHAIN",
    ]
    h = await make_harness(demo_config(tmp_path, ehr_dsn))
    try:
        answers = [await h.submit("claims-bot", text) for text in texts]
    finally:
        await h.client.aclose()
        await h.gateway.close()
    assert [a.status_code for a in answers] == [400] * len(texts), [a.text[:120] for a in answers]


async def test_held_console_sign_in_never_sends_the_reviewer_off_site(
    tmp_path: Path, ehr_dsn: str
) -> None:
    """The console's `next` after sign-in stays on the console, in every spelling a
    browser reads as another site."""
    spellings = ["//evil.example", "/\\evil.example", "https://evil.example", "\t//evil.example"]
    h = await make_harness(demo_config(tmp_path, ehr_dsn))
    places = []
    try:
        for spelling in spellings:
            browser = httpx.AsyncClient(transport=h.client._transport, base_url="http://127.0.0.1")
            try:
                form = await browser.get("/ui/login")
                signed = await browser.post(
                    "/ui/login/demo",
                    data={"subject": "alice", "csrf": csrf_of(form.text), "next": spelling},
                )
                places.append(signed.headers.get("location", ""))
            finally:
                await browser.aclose()
    finally:
        await h.client.aclose()
        await h.gateway.close()
    assert all(p.startswith("/ui/") and not p.startswith("//") for p in places), places
