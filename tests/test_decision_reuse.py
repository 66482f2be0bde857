"""A decision reused for the next run of the same statement (`Gateway.admit(decided=)`)
holds only for the same caller, text and policy, and never under a time-window rule.
Every run is still recorded before it runs."""

from __future__ import annotations

from typing import Any

from phigate.core.actions import Action
from phigate.identity.principal import Principal
from tests.conftest import Harness

TEXT = "SELECT id, first_name FROM patients WHERE id = $1"


def _action(principal: Principal, param: str) -> Action:
    return Action("ehr", "sql", {"sql": TEXT, "params": [param]}, principal, "pgwire")


async def _principal(harness: Harness, subject: str) -> Principal:
    return await harness.gateway.authenticate(harness.tokens[subject])


def _with_policy(harness: Harness, rules: list[dict[str, Any]]) -> None:
    gateway = harness.gateway
    policy = gateway.settings.policy.model_validate({"rules": rules})
    # As a reload would: the gateway's settings and the decider's, which decides.
    gateway.settings = gateway.settings.model_copy(update={"policy": policy})
    gateway.decider.settings = gateway.settings


async def test_a_reused_decision_still_records_each_run(harness: Harness) -> None:
    gateway = harness.gateway
    dana = await _principal(harness, "dana")
    first = await gateway.admit(_action(dana, "1"))
    assert first.status == "admitted" and first.decided is not None
    again = await gateway.admit(_action(dana, "2"), decided=first.decided)
    assert again.status == "admitted" and again.decided is first.decided
    assert again.record.id != first.record.id
    assert again.record.action.params == ["2"]
    requested = [
        r for r in gateway.audit_records() if r["event"] in ("action.requested", "action.admitted")
    ]
    assert [r["what"]["body"]["params"] for r in requested] == [["1"], ["2"]]


async def test_another_caller_is_decided_afresh(harness: Harness) -> None:
    gateway = harness.gateway
    dana, bot = await _principal(harness, "dana"), await _principal(harness, "claims-bot")
    first = await gateway.admit(_action(dana, "1"))
    other = await gateway.admit(_action(bot, "1"), decided=first.decided)
    assert other.decided is not None and other.decided is not first.decided
    assert other.record.action.principal == bot


async def test_a_policy_change_voids_the_reused_decision(harness: Harness) -> None:
    gateway = harness.gateway
    dana = await _principal(harness, "dana")
    first = await gateway.admit(_action(dana, "1"))
    _with_policy(harness, [{"name": "no-reads", "match": {"risk": ["read"]}, "decision": "deny"}])
    later = await gateway.admit(_action(dana, "2"), decided=first.decided)
    assert later.status == "denied" and later.record.rule == "no-reads"


async def test_no_reuse_under_a_time_window_rule(harness: Harness) -> None:
    always = {"start": "00:00", "end": "24:00"}  # a window nonetheless: the clock is asked
    rule = {"name": "any-time", "match": {"risk": ["read"], "time": always}, "decision": "allow"}
    _with_policy(harness, [rule])
    outcome = await harness.gateway.admit(_action(await _principal(harness, "dana"), "1"))
    assert outcome.status == "admitted" and outcome.decided is None


async def test_a_time_window_in_a_reloaded_policy_stops_reuse(harness: Harness) -> None:
    """Whether the clock matters is kept per policy object: a reload is a new one."""
    gateway = harness.gateway
    dana = await _principal(harness, "dana")
    first = await gateway.admit(_action(dana, "1"))
    assert first.decided is not None
    always = {"start": "00:00", "end": "24:00"}
    rule = {"name": "any-time", "match": {"risk": ["read"], "time": always}, "decision": "allow"}
    _with_policy(harness, [rule])
    again = await gateway.admit(_action(dana, "2"), decided=first.decided)
    assert again.status == "admitted" and again.decided is None
    _with_policy(harness, [{"name": "reads", "match": {"risk": ["read"]}, "decision": "allow"}])
    later = await gateway.admit(_action(dana, "3"))
    assert later.status == "admitted" and later.decided is not None


async def test_another_classification_is_decided_afresh(harness: Harness) -> None:
    gateway = harness.gateway
    dana = await _principal(harness, "dana")
    first = await gateway.admit(_action(dana, "1"))
    described = gateway.describe(_action(dana, "2"))  # not the one `first` was decided on
    other = await gateway.admit(_action(dana, "2"), description=described, decided=first.decided)
    assert other.decided is not None and other.decided is not first.decided


# REST and MCP send no description and keep no `Decided` of their own: the gateway keeps
# the last allow of each caller's text, under the same conditions.


def _rest(principal: Principal, param: object) -> Action:
    return Action("ehr", "sql", {"sql": TEXT, "params": [param]}, principal, "rest")


async def test_the_next_rest_read_of_a_text_reuses_its_allow(harness: Harness) -> None:
    gateway = harness.gateway
    dana = await _principal(harness, "dana")
    first = await gateway.admit(_rest(dana, "1"))
    again = await gateway.admit(_rest(await _principal(harness, "dana"), "2"))
    assert first.decided is not None and again.decided is first.decided
    assert again.record.id != first.record.id and again.record.action.params == ["2"]
    other = await gateway.admit(_rest(await _principal(harness, "claims-bot"), "2"))
    assert other.decided is not None and other.decided is not first.decided


async def test_a_reused_rest_allow_still_checks_the_request(harness: Harness) -> None:
    """Only classifying and deciding are spared: a parameter no upstream can carry is
    refused as before, and so is a revealed type nobody knows."""
    dana = await _principal(harness, "dana")
    assert (await harness.gateway.admit(_rest(dana, "1"))).decided is not None
    response = await harness.client.post(
        "/v1/actions",
        headers=harness.auth("dana"),
        json={"connection": "ehr", "sql": TEXT, "params": ["a\x00b"]},
    )
    assert response.status_code == 400 and "NUL" in response.json()["error"]["message"]
    response = await harness.client.post(
        "/v1/actions",
        headers=harness.auth("dana"),
        json={"connection": "ehr", "sql": TEXT, "params": ["1"], "reveal": ["NOPE"]},
    )
    assert response.status_code == 400 and "NOPE" in response.json()["error"]["message"]


async def test_a_policy_change_reaches_the_next_rest_read_at_once(harness: Harness) -> None:
    body = {"connection": "ehr", "sql": TEXT, "params": ["1"]}
    first = await harness.client.post("/v1/actions", headers=harness.auth("dana"), json=body)
    assert first.status_code == 200, first.text
    _with_policy(harness, [{"name": "no-reads", "match": {"risk": ["read"]}, "decision": "deny"}])
    later = await harness.client.post("/v1/actions", headers=harness.auth("dana"), json=body)
    assert later.status_code == 403 and later.json()["rule"] == "no-reads"


async def test_no_rest_reuse_under_a_time_window_rule(harness: Harness) -> None:
    always = {"start": "00:00", "end": "24:00"}
    rule = {"name": "any-time", "match": {"risk": ["read"], "time": always}, "decision": "allow"}
    _with_policy(harness, [rule])
    dana = await _principal(harness, "dana")
    first = await harness.gateway.admit(_rest(dana, "1"))
    again = await harness.gateway.admit(_rest(dana, "2"))
    assert first.decided is None and again.decided is None
    assert again.status == "admitted"
