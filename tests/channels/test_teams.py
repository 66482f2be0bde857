"""Teams end to end against a local stand-in for the Bot Framework: OpenID metadata and
JWKS (RS256 tokens we sign), the token endpoint, and the connector's conversations API."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.channels.standins import Recorder, serve
from tests.channels.test_slack import with_billing_rule
from tests.conftest import Harness, demo_config, make_harness
from tests.support import hostile

APP_ID = "11111111-2222-3333-4444-555555555555"
ISSUER = "https://api.botframework.com"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
USERS = {
    "aad-alice": {"subject": "alice", "groups": ["data-owners"]},
    "aad-dana": {"subject": "dana", "groups": ["clinicians"]},
}
WRITE = "UPDATE claims SET status = 'paid' WHERE id = 6"


@contextmanager
def bot_api() -> Iterator[Recorder]:
    """The Bot Framework: OpenID metadata, JWKS, token endpoint, and the connector's
    conversations API (each posted activity gets its own id: card-1, card-2, ...)."""
    public = jwt.PyJWK.from_json(jwt.algorithms.RSAAlgorithm.to_jwk(KEY.public_key()))
    jwk = dict(public._jwk_data, kid="k1", use="sig", endorsements=["msteams"])

    def answer(
        rec: Recorder, verb: str, path: str, _body: dict[str, Any], _headers: dict[str, str]
    ) -> tuple[int, Any]:
        if path == "/openid":
            return 200, {"issuer": ISSUER, "jwks_uri": f"{rec.url}/keys"}
        if path == "/keys":
            return 200, {"keys": [jwk]}
        if path == "/token":
            return 200, {"access_token": "bot-token", "expires_in": 3600}
        if verb == "POST" and path.endswith("/activities"):
            with rec.lock:
                posts = sum(1 for name, _ in rec.calls if name.endswith("/activities"))
            return 200, {"id": f"card-{posts}"}
        return 200, {"id": path.rsplit("/", 1)[-1]}

    with serve(answer) as recorder:
        yield recorder


@pytest.fixture
def bot() -> Iterator[Recorder]:
    with bot_api() as recorder:
        yield recorder


def token(bot: Recorder, **claims: Any) -> str:
    body = {
        "iss": ISSUER,
        "aud": APP_ID,
        "exp": int(time.time()) + 300,
        "serviceurl": f"{bot.url}/svc/",
        "jti": uuid.uuid4().hex,  # two tokens minted within one second still differ
        **claims,
    }
    key = claims.pop("_key", None) if "_key" in claims else KEY
    body.pop("_key", None)
    return jwt.encode(body, key, algorithm="RS256", headers={"kid": "k1"})


def teams_settings(bot: Recorder) -> dict[str, Any]:
    return {
        "teams": {
            "app_id": APP_ID,
            "app_password": "secret",
            "issuer": ISSUER,
            "openid_metadata_url": f"{bot.url}/openid",
            "token_url": f"{bot.url}/token",
            "service_url_prefixes": [f"{bot.url}/svc/"],
            "users": USERS,
            "conversations": [{"service_url": f"{bot.url}/svc/", "conversation_id": "19:rev"}],
        }
    }


@pytest.fixture
async def h(tmp_path: Path, ehr_dsn: str, bot: Recorder) -> AsyncIterator[Harness]:
    harness = await make_harness(
        demo_config(tmp_path, ehr_dsn, overrides={"channels": teams_settings(bot)})
    )
    yield harness
    harness.client._transport.app.state.channels.stop()  # type: ignore[attr-defined]
    await harness.client.aclose()
    await harness.gateway.close()


def invoke(
    bot: Recorder, approval_id: str, verb: str, user: str, activity_id: str, reason: str = ""
) -> dict[str, Any]:
    return {
        "type": "invoke",
        "name": "adaptiveCard/action",
        "id": activity_id,
        "channelId": "msteams",
        "serviceUrl": f"{bot.url}/svc/",
        "from": {"aadObjectId": user},
        "value": {
            "action": {
                "type": "Action.Execute",
                "verb": verb,
                "data": {"approval_id": approval_id, "reason": reason},
            }
        },
    }


async def pending(h: Harness, bot: Recorder) -> str:
    answer = await h.submit("claims-bot", WRITE, reason="paid by phone")
    bot.wait_for("/svc/v3/conversations/19:rev/activities")
    return str(answer.json()["approval"]["id"])


async def send(h: Harness, activity: dict[str, Any], bearer: str) -> Any:
    return await h.client.post(
        "/teams/messages", json=activity, headers={"Authorization": f"Bearer {bearer}"}
    )


async def test_full_approval_from_teams(h: Harness, bot: Recorder) -> None:
    approval_id = await pending(h, bot)
    posted = bot.named("/svc/v3/conversations/19:rev/activities")[0]
    card = posted["attachments"][0]["content"]
    verbs = [a.get("verb") for a in card["actions"] if a["type"] == "Action.Execute"]
    assert verbs == ["approve", "deny"] and "UPDATE claims" in str(card)
    answer = await send(h, invoke(bot, approval_id, "approve", "aad-alice", "a1"), token(bot))
    assert answer.status_code == 200
    assert answer.json()["type"] == "application/vnd.microsoft.card.adaptive"
    assert h.gateway.approval(approval_id).state == "approved"
    assert "alice approved via teams" in str(answer.json()["value"])
    refreshed = bot.wait_for("/svc/v3/conversations/19:rev/activities/card-1")
    assert "approved" in str(refreshed[-1])


@pytest.mark.parametrize(
    "bad", ["forged", "audience", "expired", "issuer", "service_url", "missing"]
)
async def test_bad_tokens_are_refused(h: Harness, bot: Recorder, bad: str) -> None:
    approval_id = await pending(h, bot)
    bearers: dict[str, Callable[[], str]] = {
        "forged": lambda: token(bot, _key=OTHER_KEY),
        "audience": lambda: token(bot, aud="someone-else"),
        "expired": lambda: token(bot, exp=int(time.time()) - 3600),
        "issuer": lambda: token(bot, iss="https://evil.example"),
        "service_url": lambda: token(bot, serviceurl="https://evil.example/"),
        "missing": lambda: "",
    }
    bearer = bearers[bad]()
    answer = await send(h, invoke(bot, approval_id, "approve", "aad-alice", "b1"), bearer)
    assert answer.status_code == 401
    assert h.gateway.approval(approval_id).state == "pending"


async def test_replayed_activity_is_refused(h: Harness, bot: Recorder) -> None:
    approval_id = await pending(h, bot)
    activity = invoke(bot, approval_id, "deny", "aad-alice", "c1")  # no reason: not recorded
    assert (await send(h, activity, token(bot))).status_code == 200
    assert (await send(h, activity, token(bot))).status_code == 401


async def test_unmapped_ineligible_and_reasonless_deny(h: Harness, bot: Recorder) -> None:
    approval_id = await pending(h, bot)
    cases = [
        ("aad-nobody", "approve", "", "not linked"),
        ("aad-dana", "approve", "", "agent acts for cannot approve"),
        ("aad-alice", "deny", "", "Give a reason"),
    ]
    for i, (user, verb, reason, expected) in enumerate(cases):
        answer = await send(h, invoke(bot, approval_id, verb, user, f"d{i}", reason), token(bot))
        assert expected in str(answer.json()["value"])
    assert h.gateway.approval(approval_id).state == "pending"
    answer = await send(
        h, invoke(bot, approval_id, "deny", "aad-alice", "d9", "wrong id"), token(bot)
    )
    assert h.gateway.approval(approval_id).state == "denied"


async def test_a_card_too_long_to_show_whole_offers_and_takes_no_vote(
    h: Harness, bot: Recorder
) -> None:
    """A statement longer than a card shows is cut with a note, and the card offers
    only the console; an approve sent anyway (forged or stale) is not recorded."""
    tail = "x" * 2600
    sql = f"UPDATE claims SET status = 'paid' WHERE id = 7 AND status <> '{tail}' OR id > 0"
    answer = await h.submit("claims-bot", sql, reason="paid by phone")
    approval_id = str(answer.json()["approval"]["id"])
    card = bot.wait_for("/svc/v3/conversations/19:rev/activities")[0]["attachments"][0]
    actions = card["content"]["actions"]
    assert [a["type"] for a in actions] == ["Action.OpenUrl"], actions
    assert "more than Teams shows" in str(card)
    voted = await send(h, invoke(bot, approval_id, "approve", "aad-alice", "t1"), token(bot))
    assert "Not recorded" in str(voted.json()["value"])
    assert h.gateway.approval(approval_id).state == "pending"


async def test_card_updates_after_a_decision_elsewhere(h: Harness, bot: Recorder) -> None:
    approval_id = await pending(h, bot)
    await h.client.post(f"/v1/approvals/{approval_id}/approve", headers=h.auth("bob"), json={})
    update = bot.wait_for("/svc/v3/conversations/19:rev/activities/card-1")[-1]
    assert "bob approved via api" in str(update)


async def test_a_request_two_rules_wait_for_reaches_every_conversation_once(
    tmp_path: Path, ehr_dsn: str, bot: Recorder
) -> None:
    """Teams has no per-rule conversations: every configured conversation gets the
    card, once, showing each rule's requirement, and a vote updates every card."""
    channels = teams_settings(bot)
    channels["teams"]["conversations"].append(
        {"service_url": f"{bot.url}/svc/", "conversation_id": "19:billing"}
    )
    overrides = {"policy": with_billing_rule(), "channels": channels}
    h = await make_harness(demo_config(tmp_path, ehr_dsn, overrides=overrides))
    try:
        approval_id = await pending(h, bot)
        billing = bot.wait_for("/svc/v3/conversations/19:billing/activities")
        voted = await h.client.post(
            f"/v1/approvals/{approval_id}/approve", headers=h.auth("alice"), json={}
        )
        assert voted.status_code == 200
        # Refreshes follow the posts on the notifier's one queue.
        refreshed = [
            bot.wait_for(f"/svc/v3/conversations/{c}/activities/{card}")[-1]
            for c, card in (("19:rev", "card-1"), ("19:billing", "card-2"))
        ]
        assert len(bot.named("/svc/v3/conversations/19:rev/activities")) == 1
        assert len(billing) == len(bot.named("/svc/v3/conversations/19:billing/activities")) == 1
        shown = "1 of 1 from data-owners; 0 of 1 from billing-security"
        assert all(shown in str(card) for card in refreshed)
    finally:
        h.client._transport.app.state.channels.stop()  # type: ignore[attr-defined]
        await h.client.aclose()
        await h.gateway.close()


async def test_a_hostile_statement_reaches_teams_escaped(h: Harness, bot: Recorder) -> None:
    """Issue 15, item 1: the card shows escapes and warnings, never the raw characters;
    statement and reason are text runs, which Teams renders without markdown."""
    answer = await h.submit("claims-bot", hostile.STATEMENT, reason=hostile.REASON)
    assert answer.status_code == 202, answer.text
    posted = bot.wait_for("/svc/v3/conversations/19:rev/activities")[-1]
    body = posted["attachments"][0]["content"]["body"]
    hostile.assert_escaped(hostile.texts(body))
    runs = [r for b in body if b["type"] == "RichTextBlock" for r in b["inlines"]]
    attention = [r["text"] for r in runs if r.get("color") == "Attention"]
    assert any(hostile.HIDDEN_WARNING in t for t in attention)
    assert [r["text"] for r in runs if r.get("fontType") == "Monospace" and r.get("color")] == [
        "\\u02bc",
        "\\n",
        "⟨220 spaces⟩",
    ]
    assert all(b["type"] != "TextBlock" or "UPDATE" not in b["text"] for b in body)


async def test_teams_mappings_are_compared_as_people(
    tmp_path: Path, ehr_dsn: str, bot: Recorder
) -> None:
    """Issue 15 item 5: a Teams user mapped to `DANA` is dana; one mapped to the agent's
    subject is not a human reviewer."""
    settings = teams_settings(bot)
    settings["teams"]["users"] = {
        "aad-dana2": {"subject": "DANA", "groups": ["data-owners"]},
        "aad-bot": {"subject": "Claims-Bot", "groups": ["data-owners"]},
    }
    harness = await make_harness(demo_config(tmp_path, ehr_dsn, overrides={"channels": settings}))
    try:
        approval_id = await pending(harness, bot)
        cases = [
            ("aad-dana2", "agent acts for cannot approve"),
            ("aad-bot", "agent principals cannot approve"),
        ]
        for i, (user, expected) in enumerate(cases):
            activity = invoke(bot, approval_id, "approve", user, f"p{i}")
            answer = await send(harness, activity, token(bot))
            assert expected in str(answer.json()["value"]), answer.text
        assert harness.gateway.approval(approval_id).state == "pending"
    finally:
        harness.client._transport.app.state.channels.stop()  # type: ignore[attr-defined]
        await harness.client.aclose()
        await harness.gateway.close()


@pytest.fixture
async def bound(tmp_path: Path, ehr_dsn: str, bot: Recorder) -> AsyncIterator[Harness]:
    """A gateway that binds each Bot Framework token to one activity."""
    settings = teams_settings(bot)
    settings["teams"]["one_activity_per_token"] = True
    harness = await make_harness(demo_config(tmp_path, ehr_dsn, overrides={"channels": settings}))
    yield harness
    harness.client._transport.app.state.channels.stop()  # type: ignore[attr-defined]
    await harness.client.aclose()
    await harness.gateway.close()


async def test_by_default_a_token_carries_many_activities_each_once(
    h: Harness, bot: Recorder
) -> None:
    """Microsoft's Bot Connector reuses its token for up to an hour: two clicks with one
    token are both accepted, and each activity is still accepted only once."""
    approval_id = await pending(h, bot)
    bearer = token(bot)
    first = invoke(bot, approval_id, "approve", "aad-dana", "d1")  # ineligible: no vote
    assert (await send(h, first, bearer)).status_code == 200
    second = invoke(bot, approval_id, "approve", "aad-alice", "d2")
    assert (await send(h, second, bearer)).status_code == 200
    assert h.gateway.approval(approval_id).state == "approved"
    assert (await send(h, second, bearer)).status_code == 401  # the same activity again


async def test_a_token_is_bound_to_the_first_activity_it_came_with(
    bound: Harness, bot: Recorder
) -> None:
    """Issue 15 item 8, with `one_activity_per_token`: a token seen with one activity
    cannot carry another (a captured token does not let its holder forge a click)."""
    h = bound
    approval_id = await pending(h, bot)
    bearer = token(bot)
    first = invoke(bot, approval_id, "approve", "aad-dana", "t1")  # ineligible: no vote
    assert (await send(h, first, bearer)).status_code == 200
    forged = invoke(bot, approval_id, "approve", "aad-alice", "t2")
    assert (await send(h, forged, bearer)).status_code == 401
    assert h.gateway.approval(approval_id).state == "pending"
    assert (await send(h, forged, token(bot))).status_code == 200  # a fresh token is fine
    assert h.gateway.approval(approval_id).state == "approved"


def _malformed(bot: Recorder) -> list[Any]:
    good = invoke(bot, "ap-1", "approve", "aad-alice", "m1")
    return [
        [good],
        "an activity",
        good | {"value": "x"},
        good | {"value": {"action": "x"}},
        good | {"value": {"action": {"verb": ["approve"], "data": {}}}},
        good | {"from": "aad-alice"},
        good | {"from": {"aadObjectId": 7}},
        good | {"id": 5},
        {k: v for k, v in good.items() if k != "id"},
        good | {"id": ""},
    ]


@pytest.mark.parametrize("case", range(10))
async def test_malformed_activities_are_400_not_500(h: Harness, bot: Recorder, case: int) -> None:
    """Issue 15 item 8: `"value": "x"` answered 500. Every malformed body is a 400."""
    body = _malformed(bot)[case]
    answer = await send(h, body, token(bot))
    assert answer.status_code == 400, answer.text


async def test_another_spelling_of_a_bound_token_is_the_same_token(
    bound: Harness, bot: Recorder
) -> None:
    """The signature's last base64 character has spare bits: flipping one gives another
    string for the same signature, which a lenient base64 decoder accepts (PyJWT
    today refuses it). Binding goes by what was signed, not by the string."""
    h = bound
    approval_id = await pending(h, bot)
    bearer = token(bot)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    respelt = bearer[:-1] + alphabet[alphabet.index(bearer[-1]) ^ 1]
    assert respelt != bearer
    first = invoke(bot, approval_id, "approve", "aad-dana", "s1")
    assert (await send(h, first, bearer)).status_code == 200
    forged = invoke(bot, approval_id, "approve", "aad-alice", "s2")
    assert (await send(h, forged, respelt)).status_code == 401
    assert h.gateway.approval(approval_id).state == "pending"


@pytest.mark.parametrize("channel", ["webchat", None])
async def test_the_signing_key_must_endorse_the_activitys_channel(
    h: Harness, bot: Recorder, channel: str | None
) -> None:
    """Bot Framework spec: a key's `endorsements` list the channels it may sign for; a
    token from a key endorsed for msteams cannot carry a webchat activity."""
    approval_id = await pending(h, bot)
    activity = invoke(bot, approval_id, "approve", "aad-alice", "e1") | {"channelId": channel}
    assert (await send(h, activity, token(bot))).status_code == 401
    assert h.gateway.approval(approval_id).state == "pending"
