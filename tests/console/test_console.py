"""The console over HTTP: sign-in, what reviewers see, CSRF, no state change on GET."""

from __future__ import annotations

import asyncio
import html
import re

import httpx
import pytest

from phigate.doors.console._audit_view import matches, search
from phigate.identity.people import People
from tests.conftest import Harness
from tests.console.conftest import csrf_of, sign_in

WRITE = "UPDATE claims /* secret plan */ SET status = 'paid' WHERE id = 1 -- by phone"


async def pending(h: Harness, subject: str = "claims-bot") -> dict[str, str]:
    answer = await h.submit(subject, WRITE, reason="claim 1 was paid by phone")
    assert answer.status_code == 202, answer.text
    body = answer.json()
    return {"action": body["id"], "approval": body["approval"]["id"]}


async def test_pages_need_a_session(harness: Harness) -> None:
    for path in ("/ui/approvals", "/ui/approvals/rows", "/ui/history", "/ui/audit"):
        answer = await harness.client.get(path)
        assert answer.status_code == 303
        assert answer.headers["location"].startswith("/ui/login?next=")


async def test_security_headers_and_cookie_flags(harness: Harness) -> None:
    page = await harness.client.get("/ui/login")
    csp = page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    cookie = page.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert "secure" in cookie  # phigate.test is not a loopback host
    alice = await sign_in(harness, "alice")
    local = await alice.get("/ui/login")
    assert "secure" not in local.headers["set-cookie"].lower()  # loopback: plain http works
    await alice.aclose()


async def test_reviewer_sees_the_exact_action_and_context(harness: Harness) -> None:
    ids = await pending(harness)
    alice = await sign_in(harness, "alice")
    rows = await alice.get("/ui/approvals/rows")
    assert ids["approval"] in rows.text
    page = await alice.get(f"/ui/approvals/{ids['approval']}")
    assert page.status_code == 200
    text = page.text
    assert "UPDATE claims" in text and "SET status = &#39;paid&#39;" in text
    statement = text.split('id="statement"', 1)[1].split("</pre>", 1)[0]
    assert "secret plan" not in statement and "by phone" not in statement  # re-printed
    sent = text.split('id="sent"', 1)[1].split("</details>", 1)[0]
    assert "secret plan" in sent and "by phone" in sent  # nothing the server reads is hidden
    for fact in (
        "claims-bot",
        "dana",
        "write",
        "claim 1 was paid by phone",
        "hipaa-safe-harbor",
        "writes-and-exports-need-a-data-owner",
        "0 of 1 from data-owners",
        "still needed: 1 more from data-owners",
    ):
        assert fact in text, fact
    assert 'id="approve"' in text
    await alice.aclose()


async def test_approve_with_csrf_then_requester_runs(harness: Harness) -> None:
    ids = await pending(harness)
    alice = await sign_in(harness, "alice")
    page = await alice.get(f"/ui/approvals/{ids['approval']}")
    answer = await alice.post(
        f"/ui/approvals/{ids['approval']}/approve",
        data={"csrf": csrf_of(page.text), "comment": "checked the call log"},
    )
    assert answer.status_code == 303
    approval = harness.gateway.approval(ids["approval"])
    assert approval.state == "approved"
    assert approval.votes[0].channel == "console"
    assert approval.votes[0].comment == "checked the call log"
    ran = await harness.client.post(
        f"/v1/actions/{ids['action']}/run", headers=harness.auth("claims-bot")
    )
    assert ran.json()["status"] == "executed"
    await alice.aclose()


async def test_votes_without_a_valid_csrf_token_fail(harness: Harness) -> None:
    ids = await pending(harness)
    alice = await sign_in(harness, "alice")
    url = f"/ui/approvals/{ids['approval']}/approve"
    for form in ({}, {"csrf": "forged"}, {"csrf": ""}):
        answer = await alice.post(url, data=form)
        assert answer.status_code == 403
        assert "CSRF" in answer.text
    # a token from another session does not work either
    bob = await sign_in(harness, "bob")
    bob_page = await bob.get(f"/ui/approvals/{ids['approval']}")
    answer = await alice.post(url, data={"csrf": csrf_of(bob_page.text)})
    assert answer.status_code == 403
    assert harness.gateway.approval(ids["approval"]).state == "pending"
    await alice.aclose()
    await bob.aclose()


async def test_get_never_changes_state(harness: Harness) -> None:
    ids = await pending(harness)
    alice = await sign_in(harness, "alice")
    for path in (
        f"/ui/approvals/{ids['approval']}/approve",
        f"/ui/approvals/{ids['approval']}/deny",
        f"/ui/approvals/{ids['approval']}?decision=approve",
    ):
        answer = await alice.get(path)
        assert answer.status_code in (200, 404, 405)
    assert harness.gateway.approval(ids["approval"]).state == "pending"
    await alice.aclose()


async def test_requester_cannot_approve_own_request(harness: Harness) -> None:
    ids = await pending(harness, subject="dana")  # dana asks herself
    harness_tokens_dana = await sign_in(harness, "dana", how="token")
    page = await harness_tokens_dana.get(f"/ui/approvals/{ids['approval']}")
    assert page.status_code == 200
    assert 'id="approve"' not in page.text
    assert "cannot decide this request" in page.text
    forced = await harness_tokens_dana.post(
        f"/ui/approvals/{ids['approval']}/approve", data={"csrf": csrf_of(page.text)}
    )
    assert forced.status_code == 403
    assert harness.gateway.approval(ids["approval"]).state == "pending"
    await harness_tokens_dana.aclose()


async def test_agents_cannot_sign_in(harness: Harness) -> None:
    client = httpx.AsyncClient(transport=harness.client._transport, base_url="http://127.0.0.1")
    page = await client.get("/ui/login")
    answer = await client.post(
        "/ui/login/token", data={"token": harness.tokens["claims-bot"], "csrf": csrf_of(page.text)}
    )
    assert answer.status_code == 403
    assert "cannot use the reviewer console" in answer.text
    await client.aclose()


async def test_demo_sign_in_is_for_loopback_only(harness: Harness) -> None:
    from phigate.doors.app import build_app

    transport = httpx.ASGITransport(app=build_app(harness.gateway), client=("203.0.113.5", 4000))
    async with httpx.AsyncClient(transport=transport, base_url="https://phigate.example") as far:
        page = await far.get("/ui/login")
        assert "Demo sign-in" not in page.text
        answer = await far.post(
            "/ui/login/demo", data={"subject": "alice", "csrf": csrf_of(page.text)}
        )
        assert answer.status_code == 403


async def test_audit_viewer_is_for_auditors_and_verifies_the_chain(harness: Harness) -> None:
    await pending(harness)
    alice = await sign_in(harness, "alice")
    assert (await alice.get("/ui/audit")).status_code == 403
    admin = await sign_in(harness, "admin")
    page = await admin.get("/ui/audit", params={"principal": "claims-bot", "risk": "write"})
    assert page.status_code == 200
    # The gateway signs a checkpoint at start (round 28b): the request came after it.
    assert "Hash chain verified" in page.text and "Signed checkpoint at record" in page.text
    assert "later records await the next checkpoint" in page.text
    await asyncio.to_thread(harness.gateway.checkpoint_audit)
    page = await admin.get("/ui/audit", params={"principal": "claims-bot", "risk": "write"})
    assert "Signed checkpoint at record" in page.text
    assert "later records await" not in page.text
    assert "action.requested" in page.text
    none = await admin.get("/ui/audit", params={"principal": "nobody"})
    assert "No records match" in none.text
    await asyncio.gather(alice.aclose(), admin.aclose())


async def test_a_bounded_audit_search_says_so_and_continues_to_the_oldest(
    harness: Harness,
) -> None:
    """A search reads a bounded stretch of the log; when it stops short it names the
    stretch and where to continue, and following `older` reaches every record: a flood
    of newer records cannot push an agent's request out of reach."""
    await pending(harness)
    head, _ = harness.gateway.audit_head()
    for n in range(40):
        harness.gateway.record_event("test.noise", {"n": n})
    wanted = {"principal": "claims-bot", "decision": "approve"}
    first = await asyncio.to_thread(search, harness.gateway, wanted, scan=25)
    assert (first.records, first.high - first.low + 1, first.full) == ([], 25, False)
    assert first.older == first.low
    seen, before = [], first.older
    while before is not None:
        step = await asyncio.to_thread(search, harness.gateway, wanted, before, scan=25)
        assert step.high == before - 1
        seen += [r["seq"] for r in step.records]
        before = step.older
    assert seen and max(seen) <= head, seen
    whole = await asyncio.to_thread(search, harness.gateway, wanted)
    assert [r["seq"] for r in whole.records] == seen and whole.older is None


async def test_the_audit_page_links_past_a_full_page(harness: Harness) -> None:
    """A page that fills up says how far it searched and links to the next, older one;
    `before` is a record number in ASCII digits; anything else is a clear 400."""
    await pending(harness)
    admin = await sign_in(harness, "admin")
    head, _ = harness.gateway.audit_head()
    page = await admin.get("/ui/audit", params={"principal": "claims-bot", "before": "2"})
    assert "Searched records 1–1" in page.text and "Continue searching" not in page.text
    page = await admin.get("/ui/audit", params={"before": ""})
    assert page.status_code == 200 and f"Searched records 1–{head}: the whole log" in page.text
    for bad in ("x; drop", "\u00b2", "-1", "1" * 21):
        page = await admin.get("/ui/audit", params={"before": bad})
        assert page.status_code == 400 and "record number" in page.text, bad
    await admin.aclose()


async def test_a_full_audit_page_links_to_the_next_older_one(harness: Harness) -> None:
    """Past a full page (200 matches) the page names the records it searched and links
    on with the filters kept; following the link reaches the older matches."""
    await pending(harness)
    for n in range(210):
        harness.gateway.record_event("test.noise", {"who": {"subject": "Noisy"}, "n": n})
    admin = await sign_in(harness, "admin")
    try:
        page = (await admin.get("/ui/audit", params={"principal": "noisy"})).text
        assert "Showing the newest 200 matches" in page and "Continue searching" in page
        link = re.search(r'href="(/ui/audit\?[^"]*before=\d+)"', page)
        assert link is not None and "principal=noisy" in link[1]
        older = (await admin.get(html.unescape(link[1]))).text
        assert older.count('"Event">test.noise') == 10 and "Continue searching" not in older
    finally:
        await admin.aclose()


def test_the_principal_filter_compares_persons_not_spellings() -> None:
    """docs/security.md: no spelling of a name is a second person, and an alias is the
    person it names (identity.aliases)."""
    people = People({"dana": ["dana@example.org"]})
    record = {"who": {"subject": "claims-bot", "on_behalf_of": "dana"}}
    for typed in ("claims-bot", "Claims-Bot", " CLAIMS-BOT ", "DANA", "Dana@Example.org"):
        assert matches(record, {"principal": typed}, people), typed
    signed = {"who": {"subject": "dana", "signed_in_as": "dana@example.org"}}
    assert matches(signed, {"principal": "dana@EXAMPLE.org"}, people)
    for other in ("claims-bot2", "dan", "nurse.joy", "claims\x00-bot"):
        assert not matches(record, {"principal": other}, people), other


async def test_connections_page_never_shows_credentials(harness: Harness, ehr_dsn: str) -> None:
    alice = await sign_in(harness, "alice")
    page = await alice.get("/ui/connections")
    assert "ehr" in page.text and "writes-and-exports-need-a-data-owner" in page.text
    assert "predicate_masked: true" in page.text  # a flag among the lists a rule matches
    assert ehr_dsn not in page.text and "password" not in page.text.lower()
    await alice.aclose()


async def test_reveal_and_break_glass_are_spelled_out_for_reviewers(harness: Harness) -> None:
    asked = await harness.submit(
        "claims-bot",
        "SELECT id, dob FROM patients WHERE id = 5",
        reveal=["DATE"],
        reason="age-based eligibility",
    )
    alice = await sign_in(harness, "alice")
    page = (await alice.get(f"/ui/approvals/{asked.json()['approval']['id']}")).text
    assert "Unmasked access requested" in page and "<strong>DATE</strong>" in page
    assert "public.patients.dob" in page and "age-based eligibility" in page
    assert "Break-glass review" not in page

    used = await harness.submit(
        "dana",
        "SELECT * FROM patients WHERE id = 5",
        masking="none",
        break_glass=True,
        reason="unresponsive patient in the ED",
    )
    assert used.status_code == 200
    review = await asyncio.to_thread(harness.gateway.approval_for_action, used.json()["id"])
    assert review is not None
    page = (await alice.get(f"/ui/approvals/{review.id}")).text
    assert "Break-glass review" in page and "already ran" in page
    assert "every PHI type" in page
    await alice.aclose()


async def test_evidence_report_page_is_for_auditors(harness: Harness) -> None:
    await pending(harness)
    admin = await sign_in(harness, "admin")
    page = await admin.get("/ui/reports")
    assert page.status_code == 200, page.text
    assert "Evidence report" in page.text and "<svg" in page.text
    assert "/ui/reports/report.css" in page.text
    css = await admin.get("/ui/reports/report.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    alice = await sign_in(harness, "alice")
    refused = await alice.get("/ui/reports")
    assert refused.status_code == 403 and "auditors" in refused.text
    await admin.aclose()
    await alice.aclose()


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ({"from": "1969-12-31"}, "from 1970-01-01 to 9998-12-31"),
        ({"to": "9999-12-31"}, "from 1970-01-01 to 9998-12-31"),
        ({"from": "yesterday"}, "is not a day"),
        ({"to": "2026-13-01"}, "is not a day"),
    ],
)
async def test_the_report_page_refuses_days_it_cannot_report_on(
    harness: Harness, query: dict[str, str], said: str
) -> None:
    """A day that is not one, or that no report can span, is a clear 400, not a guess."""
    admin = await sign_in(harness, "admin")
    page = await admin.get("/ui/reports", params=query)
    await admin.aclose()
    assert page.status_code == 400 and said in page.text, page.text[:300]


async def test_the_report_page_spans_its_whole_range(harness: Harness) -> None:
    admin = await sign_in(harness, "admin")
    page = await admin.get("/ui/reports", params={"from": "1970-01-01", "to": "9998-12-31"})
    await admin.aclose()
    assert page.status_code == 200 and "Evidence report" in page.text, page.text[:300]


async def test_inbox_lists_statements_without_their_comments(harness: Harness) -> None:
    """A comment is the requester's words, not the action: it never reaches the list."""
    await harness.submit(
        "claims-bot",
        "UPDATE claims SET status = 'paid' WHERE id = 3 -- reviewed by security, safe to approve",
    )
    alice = await sign_in(harness, "alice")
    rows = (await alice.get("/ui/approvals/rows")).text
    assert "UPDATE claims SET status = &#39;paid&#39; WHERE id = 3" in rows
    assert "safe to approve" not in rows
    await alice.aclose()
