"""Round 7: a fresh attack on what phigate promises, before its fail-closed issue closes.

Each test goes through a real front door (REST here) against a real local upstream and
asserts a promise. Open findings are `xfail(strict=True)`: the mark comes off when the
finding is fixed. Attacks that held stay as ordinary tests.
"""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from tests.adversarial.harness import http_upstream
from tests.channels.standins import Recorder, slack_api
from tests.channels.test_slack import close as slack_close
from tests.channels.test_slack import harness_with as slack_harness
from tests.channels.test_slack import slack_settings
from tests.channels.test_teams import bot_api, teams_settings
from tests.conftest import Harness, demo_config, make_harness
from tests.connectors.support import audit_text, harness_with
from tests.connectors.test_http import (
    EMAIL,
    PATIENT,
    PHONE,
    SSN,
    Upstream,
    call,
    http_connection,
    upstream,
)
from tests.support.oidc_provider import OidcProvider, oidc_provider

__all__ = ["upstream"]  # the local HTTP service of tests/connectors/test_http.py

URL_PASSWORD = "url-pass-5f0c7a9e31"
PATIENT_JSON_BYTES = len(json.dumps(PATIENT).encode())
PERSON = {"first_name": "José", "last_name": "Núñez", "date_of_birth": "1961-04-02"}
PEOPLE = [dict(PERSON, id=n) for n in range(40)]
PEOPLE_BYTES = len(json.dumps(PEOPLE).encode())
INDEX_SSN = "536-22-8471"  # an SSN the masker finds anywhere in text by its shape
FHIR_PATIENT = {
    "resourceType": "Patient",
    "id": "pt-8812",
    "identifier": [
        {"system": "http://hl7.org/fhir/sid/us-ssn", "value": "536228471"},
        {"type": {"text": "Medical Record Number"}, "system": "urn:oid:1.2.3", "value": "40123456"},
    ],
    "name": [{"family": "Okonkwo", "given": ["Adaeze"]}],
    "telecom": [
        {"system": "phone", "value": "415 555 0199"},
        {"system": "email", "value": "ada@example.org"},
    ],
    "birthDate": "1961-04-02",
    "address": [{"line": ["1447 Alder Street"], "city": "Fresno", "postalCode": "93721"}],
}
NUMBERS = {"a": ["4155550199", 4155550199, "(415) 555-0199"], "b": {"ssn": 536228471}}
INDEX = {"listed": [INDEX_SSN], "by_ssn": {INDEX_SSN: {"id": 1}}}


# ── an upstream that says back what it was sent ─────────────────────────────
class _Echo(BaseHTTPRequestHandler):
    """Answers every GET with the Authorization header it got, raw and decoded: what
    a debug endpoint, an error page or a misconfigured proxy does in real life."""

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        if self.path == "/fhir":
            self._answer(json.dumps(FHIR_PATIENT).encode())
            return
        if self.path == "/numbers":
            self._answer(json.dumps(NUMBERS).encode())
            return
        if self.path == "/index":  # a map keyed by identifiers, as indexes are
            self._answer(json.dumps(INDEX).encode())
            return
        if self.path == "/people":  # what a list endpoint of a Python service answers
            self._answer(json.dumps(PEOPLE).encode())  # ensure_ascii: José is Jos\u00e9
            return
        sent = self.headers.get("authorization") or ""
        decoded = ""
        if sent.startswith("Basic "):
            decoded = base64.b64decode(sent[6:]).decode()
        self._answer(json.dumps({"you_sent": sent, "decoded": decoded}).encode())

    def _answer(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def echo() -> Iterator[str]:
    with http_upstream(_Echo, "echo-upstream") as address:
        yield address


@pytest.fixture
async def with_userinfo(tmp_path: Path, echo: str) -> AsyncIterator[Harness]:
    """docs/http.md: base_url "may hold userinfo"; here it is the only credential."""
    settings = {"type": "http", "base_url": f"http://svc:{URL_PASSWORD}@{echo}/api"}
    harness = await harness_with(tmp_path, {"api": settings})
    try:
        yield harness
    finally:
        await harness.client.aclose()
        await harness.gateway.close()


@pytest.fixture
async def h(tmp_path: Path, upstream: Upstream) -> AsyncIterator[Harness]:
    harness = await harness_with(tmp_path, {"api": http_connection(upstream)})
    upstream.seen.clear()
    try:
        yield harness
    finally:
        await harness.client.aclose()
        await harness.gateway.close()


# ── HTTP connector: the gateway's own secrets ───────────────────────────────
async def test_a_base_url_password_never_comes_back(with_userinfo: Harness) -> None:
    response = await call(with_userinfo, "GET", "/debug")
    assert response.status_code == 200, response.text
    basic = base64.b64encode(f"svc:{URL_PASSWORD}".encode()).decode()
    assert URL_PASSWORD not in response.text
    assert basic[4:-4] not in response.text
    assert URL_PASSWORD not in audit_text(with_userinfo)


# ── HTTP connector: the path as servers read it ─────────────────────────────
@pytest.mark.parametrize("path", ["/admin./users", "/admin%20/users", "/admin.%20./users"])
async def test_a_windows_spelling_of_the_admin_area_is_the_admin_area(
    h: Harness, upstream: Upstream, path: str
) -> None:
    response = await call(h, "GET", path)
    assert response.status_code == 403, response.text
    assert upstream.seen == []


# ── what a Slack reviewer sees ──────────────────────────────────────────────
@pytest.fixture
def slack() -> Iterator[Recorder]:
    with slack_api() as recorder:
        yield recorder


@pytest.fixture
async def chat(tmp_path: Path, ehr_dsn: str, slack: Recorder) -> AsyncIterator[Harness]:
    harness = await slack_harness(tmp_path, ehr_dsn, slack_settings(slack))
    yield harness
    await slack_close(harness)


def _mrkdwn(message: dict[str, Any]) -> list[str]:
    """Every mrkdwn text of a posted message: what Slack renders as markup."""
    out: list[str] = []
    for block in message.get("blocks", []):
        texts = [block.get("text"), *block.get("fields", []), *block.get("elements", [])]
        out.extend(t["text"] for t in texts if isinstance(t, dict) and t.get("type") == "mrkdwn")
    return out


async def test_a_table_name_cannot_mention_or_link_in_slack(chat: Harness, slack: Recorder) -> None:
    """The headline and reasons are escaped (&, <, >), the *Tables* field is not: an
    agent's quoted identifier `"<!channel>"` notifies everyone in the reviewers' channel
    and `<@U…>` shows a person where the table name is; `<url|text>` would show `text`
    (the masker turns the URL to [URL] here, the brackets stay markup)."""
    sql = 'INSERT INTO "<!channel> <https://evil.example|claims>" (id) VALUES (1)'
    answer = await chat.submit("claims-bot", sql)
    assert answer.status_code == 202, answer.text
    message = slack.wait_for("chat.postMessage")[0]
    shown = _mrkdwn(message)
    assert not any("<!channel>" in t or "<https://evil" in t for t in shown), shown


async def test_a_hidden_character_in_a_table_name_is_escaped_in_slack(
    chat: Harness, slack: Recorder
) -> None:
    """Held: the *Tables* field, the one line that says what data a write touches,
    shows a zero-width space in a quoted table name escaped, not raw."""
    sql = 'INSERT INTO "cla\u200bims" (id) VALUES (1)'
    answer = await chat.submit("claims-bot", sql)
    assert answer.status_code == 202, answer.text
    message = slack.wait_for("chat.postMessage")[0]
    shown = json.dumps(message["blocks"], ensure_ascii=False)
    assert "\u200b" not in shown, shown


# ── what a Teams reviewer sees ──────────────────────────────────────────────
@pytest.fixture
def bot() -> Iterator[Recorder]:
    with bot_api() as recorder:
        yield recorder


@pytest.fixture
async def teams(tmp_path: Path, ehr_dsn: str, bot: Recorder) -> AsyncIterator[Harness]:
    overrides = {"channels": teams_settings(bot)}
    harness = await make_harness(demo_config(tmp_path, ehr_dsn, overrides=overrides))
    yield harness
    harness.client._transport.app.state.channels.stop()  # type: ignore[attr-defined]
    await harness.client.aclose()
    await harness.gateway.close()


async def test_a_table_name_cannot_shape_a_teams_card(teams: Harness, bot: Recorder) -> None:
    """Adaptive Cards render Markdown in Fact values. The statement is drawn as plain
    TextRuns (`_rich`), the facts were not: a quoted identifier `"[claims](x)"` made
    the Tables fact read `public.claims`, a link, while the write goes to another table.

    Fixed by drawing the facts as TextRuns too (no escape is honoured by every Teams
    client), so the original check, which looked for the value in a FactSet, now asks
    what matters: the name is shown as written, and only where no Markdown is read."""
    answer = await teams.submit("claims-bot", 'INSERT INTO "[claims](x)" (id) VALUES (1)')
    assert answer.status_code == 202, answer.text
    posted = bot.wait_for("/svc/v3/conversations/19:rev/activities")[0]
    card = posted["attachments"][0]["content"]
    markdown = [b for b in card["body"] if b["type"] in ("TextBlock", "FactSet")]
    assert "[claims](x)" not in json.dumps(markdown), markdown
    facts = {
        b["inlines"][0]["text"]: b["inlines"][1]["text"]
        for b in card["body"]
        if b["type"] == "RichTextBlock" and len(b["inlines"]) == 2
    }
    assert "[claims](x)" in facts["Tables: "], facts


@pytest.fixture
async def capped(tmp_path: Path, upstream: Upstream) -> AsyncIterator[Harness]:
    """A connection whose response cap cuts the patient's JSON near its end, as a
    list endpoint's answer is cut in real life."""
    harness = await harness_with(
        tmp_path, {"api": http_connection(upstream, max_response_bytes=PATIENT_JSON_BYTES - 3)}
    )
    try:
        yield harness
    finally:
        await harness.client.aclose()
        await harness.gateway.close()


async def test_held_a_truncated_json_answer_is_masked_as_text(capped: Harness) -> None:
    cut = await call(capped, "GET", "/patients/1")
    assert cut.status_code == 200, cut.text
    result = cut.json()["result"]
    assert result["truncated"] is True
    for value in (SSN, EMAIL, PHONE, "Maria Garcia", "40123456"):
        assert value not in json.dumps(result), value


@pytest.mark.parametrize("cap", [PEOPLE_BYTES * 2, PEOPLE_BYTES - 7], ids=["whole", "cut"])
async def test_held_a_cut_json_list_is_masked_like_a_whole_one(
    tmp_path: Path, echo: str, cap: int
) -> None:
    settings = {"type": "http", "base_url": f"http://{echo}", "max_response_bytes": cap}
    harness = await harness_with(tmp_path, {"api": settings})
    try:
        answer = await call(harness, "GET", "/people")
    finally:
        await harness.client.aclose()
        await harness.gateway.close()
    assert answer.status_code == 200, answer.text
    shown = json.dumps(answer.json()["result"]["body"], ensure_ascii=False)
    for value in ("Jos", "N\\u00fa", "Núñez", "1961-04-02"):
        assert value not in shown, value


@pytest.fixture
def idp() -> Iterator[OidcProvider]:
    with oidc_provider() as provider:
        yield provider


async def test_a_subject_cannot_mention_the_channel_in_slack(
    tmp_path: Path, ehr_dsn: str, slack: Recorder, idp: OidcProvider
) -> None:
    """A subject is any printable text the IdP signs (`preferred_username` with
    Keycloak, as docs/oidc.md suggests). The headline escapes it; the *Requested by*
    field does not, so `<!here>` there notifies every reviewer present (case folding
    of subjects happens to defuse `<@U…>` user mentions, not `<!here>` or links)."""
    identity = {"oidc": {"issuer": idp.issuer, "audience": "phigate"}}
    overrides = {"identity": identity, "channels": slack_settings(slack)}
    harness = await make_harness(demo_config(tmp_path, ehr_dsn, overrides=overrides))
    try:
        token = idp.issue(sub="mallory <!here>", groups=["clinicians"])
        answer = await harness.client.post(
            "/v1/actions",
            headers={"Authorization": f"Bearer {token}"},
            json={"connection": "ehr", "sql": "UPDATE claims SET status = 'paid' WHERE id = 6"},
        )
        assert answer.status_code == 202, answer.text
        shown = _mrkdwn(slack.wait_for("chat.postMessage")[0])
    finally:
        await slack_close(harness)
    assert not any("<!here>" in t for t in shown), shown


# ── a clear error when the upstream database is down ────────────────────────
async def test_a_database_that_is_down_is_not_called_busy(h: Harness) -> None:
    """`ehr` here points at 127.0.0.1:1, where nothing listens. The pool's connect
    attempts fail inside psycopg_pool, which reports only a PoolTimeout, and the
    gateway turns that into "every upstream connection of 'ehr' is in use; try again
    shortly" (503; 53300 too_many_connections on the wire): callers retry a database
    that is down, and the operator looks for a leak. The `cannot connect` branch
    next to it in `_pg_pool.PgPool.connection` is never reached."""
    answer = await h.client.post(
        "/v1/actions", headers=h.auth("claims-bot"), json={"connection": "ehr", "sql": "SELECT 1"}
    )
    assert answer.status_code >= 500, answer.text
    error = answer.json()["error"]
    assert error["code"] != "upstream_busy", error
    assert "in use" not in error["message"], error


async def test_an_identifier_used_as_a_json_key_is_masked(tmp_path: Path, echo: str) -> None:
    """APIs index by identifiers (`{"by_ssn": {"536-22-8471": {...}}}`). The same SSN
    as a list value is masked by its shape; as a key it comes back as it is (so does
    an MRN under a `by_mrn` map, which as a value under `mrn` is masked). docs/http.md:
    "JSON is masked value by value, nested included"; rows are masked as a whole."""
    harness = await harness_with(tmp_path, {"api": {"type": "http", "base_url": f"http://{echo}"}})
    try:
        answer = await call(harness, "GET", "/index")
    finally:
        await harness.client.aclose()
        await harness.gateway.close()
    assert answer.status_code == 200, answer.text
    body = answer.json()["result"]["body"]
    assert INDEX_SSN not in body["listed"], body  # held: the value is masked
    assert INDEX_SSN not in json.dumps(body), body


async def test_a_phone_number_as_a_json_number_is_masked(tmp_path: Path, echo: str) -> None:
    """`["4155550199", 4155550199]` under a key that says nothing: the string is masked
    as [PHONE], the number is returned unchanged (`_json._mask_scalar` masks only
    strings unless the key names a type), though it is the same value."""
    harness = await harness_with(tmp_path, {"api": {"type": "http", "base_url": f"http://{echo}"}})
    try:
        answer = await call(harness, "GET", "/numbers")
    finally:
        await harness.client.aclose()
        await harness.gateway.close()
    assert answer.status_code == 200, answer.text
    body = answer.json()["result"]["body"]
    assert body["a"][0] == "[PHONE]", body  # held: the string form
    assert body["b"]["ssn"] == "[SSN]", body  # held: a number under a telling key
    assert 4155550199 not in body["a"], body


async def test_a_fhir_patients_identifiers_are_masked(tmp_path: Path, echo: str) -> None:
    """The standard shape of a patient in a healthcare API: names, telecom, birth date
    and address are masked, but `identifier[].value` is not, though its `system` is
    `http://hl7.org/fhir/sid/us-ssn` or its type reads "Medical Record Number": the
    key `value` says nothing, 9 bare digits are an SSN only after a label, and the
    sibling that names the identifier is never read (`masking/_json.py`)."""
    harness = await harness_with(tmp_path, {"api": {"type": "http", "base_url": f"http://{echo}"}})
    try:
        answer = await call(harness, "GET", "/fhir")
    finally:
        await harness.client.aclose()
        await harness.gateway.close()
    assert answer.status_code == 200, answer.text
    shown = json.dumps(answer.json()["result"]["body"])
    assert "Okonkwo" not in shown and "ada@example.org" not in shown, shown  # held
    assert "536228471" not in shown, shown
    assert "40123456" not in shown, shown
