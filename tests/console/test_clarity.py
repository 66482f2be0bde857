"""Issue 18, item 9: what a reviewer reads says why a request is held and what it asks."""

from __future__ import annotations

import asyncio

from tests.conftest import Harness
from tests.console.conftest import sign_in


async def test_a_filter_on_a_masked_column_is_named(harness: Harness) -> None:
    asked = await harness.submit(
        "claims-bot", "SELECT id, last_name FROM patients WHERE ssn LIKE '1%' ORDER BY id"
    )
    assert asked.status_code == 202, asked.text
    alice = await sign_in(harness, "alice")
    page = (await alice.get(f"/ui/approvals/{asked.json()['approval']['id']}")).text
    held = page.split('id="held-on"', 1)[1].split("</section>", 1)[0]
    assert "<code>public.patients.ssn</code>" in held
    assert "public.patients.id" not in held  # only what made the rule hold it
    rows = (await alice.get("/ui/approvals/rows")).text
    assert "filters on masked <code>ssn</code>" in rows
    await alice.aclose()


async def test_a_filter_on_a_masked_column_no_list_names_is_named(harness: Harness) -> None:
    """The demo rule asks the masking, not a list (`predicate_masked`): the date the
    rows show as a year is what holds it, the kept `id` beside it is not."""
    asked = await harness.submit(
        "claims-bot", "SELECT id FROM encounters WHERE id = 1 AND encounter_date = '2024-11-23'"
    )
    assert asked.status_code == 202, asked.text
    alice = await sign_in(harness, "alice")
    page = (await alice.get(f"/ui/approvals/{asked.json()['approval']['id']}")).text
    held = page.split('id="held-on"', 1)[1].split("</section>", 1)[0]
    assert "<code>public.encounters.encounter_date</code>" in held
    assert "public.encounters.id" not in held
    await alice.aclose()


async def test_reveal_requests_are_marked_and_a_break_glass_rule_is_explained(
    harness: Harness,
) -> None:
    agent = await harness.submit(
        "claims-bot", "SELECT id, dob FROM patients WHERE id = 5", reveal=["DATE"]
    )
    human = await harness.submit(
        "dana", "SELECT id, dob FROM patients WHERE id = 6", reveal=["DATE", "PERSON"]
    )
    assert agent.status_code == human.status_code == 202, (agent.text, human.text)
    used = await harness.submit(
        "dana",
        "SELECT * FROM patients WHERE id = 7",
        masking="none",
        break_glass=True,
        reason="patient unconscious",
    )
    assert used.status_code == 200, used.text
    alice = await sign_in(harness, "alice")
    rows = (await alice.get("/ui/approvals/rows")).text
    assert "unmasked: DATE</span>" in rows and "unmasked: DATE, PERSON</span>" in rows
    assert rows.count("break-glass used") == 1 and "unmasked: every type" in rows
    page = (await alice.get(f"/ui/approvals/{human.json()['approval']['id']}")).text
    rule = page.split('id="rule"', 1)[1].split("</dd>", 1)[0]
    assert "clinician-break-glass" in rule and "break-glass was not used" in rule
    review = await asyncio.to_thread(harness.gateway.approval_for_action, used.json()["id"])
    assert review is not None
    page = (await alice.get(f"/ui/approvals/{review.id}")).text
    assert "break-glass was not used" not in page
    await alice.aclose()


async def test_only_auditors_see_links_to_auditor_pages(harness: Harness) -> None:
    alice, admin = await sign_in(harness, "alice"), await sign_in(harness, "admin")
    for path in ("/ui/approvals", "/ui/history", "/ui/connections"):
        seen = (await alice.get(path)).text
        assert 'href="/ui/audit"' not in seen and 'href="/ui/reports"' not in seen, path
        seen = (await admin.get(path)).text
        assert 'href="/ui/audit"' in seen and 'href="/ui/reports"' in seen, path
    await asyncio.gather(alice.aclose(), admin.aclose())


async def test_favicon_is_served_without_a_session(harness: Harness) -> None:
    icon = await harness.client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.text.startswith("<svg") and len(icon.content) < 1024
    page = await harness.client.get("/ui/login")
    assert '<link rel="icon" href="/favicon.ico"' in page.text
