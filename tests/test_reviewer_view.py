"""What a reviewer reads over REST is what runs (issue 15, item 1) and holds no raw PHI
(issue 14, item 11): escapes and warnings in `review`, the bytes an http or exec action
sends, and one rule for who sees an action's own text."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from phigate.ops.demo.deploy_tool import write_launcher
from tests.conftest import Harness, demo_config, make_harness
from tests.support import hostile


async def review_of(h: Harness, answer: Any, reviewer: str = "alice") -> dict[str, Any]:
    assert answer.status_code == 202, answer.text
    approval_id = answer.json()["approval"]["id"]
    view = await h.client.get(f"/v1/approvals/{approval_id}", headers=h.auth(reviewer))
    assert view.status_code == 200, view.text
    return dict(view.json()["action"]["review"])


async def test_the_hostile_update_reads_as_what_runs(harness: Harness) -> None:
    answer = await harness.submit("claims-bot", hostile.STATEMENT, reason=hostile.REASON)
    review = await review_of(harness, answer)
    assert hostile.SHOWN in review["statement"] and hostile.SHOWN in review["sent"]
    assert "\n" not in review["statement"].split("status = ", 1)[1]  # one line, not three
    assert review["reason"] == hostile.REASON_SHOWN
    warnings = " | ".join(review["warnings"])
    for expected in (hostile.HIDDEN_WARNING, hostile.NO_WHERE_WARNING, hostile.REASON_WARNING):
        assert expected in warnings
    assert "a run of 220 spaces" in warnings
    assert [part for part, escape in review["marked"]["statement"] if escape] == [
        "\\u02bc",
        "\\n",
        "⟨220 spaces⟩",
    ]


async def test_a_direction_override_inside_a_literal_is_escaped(harness: Harness) -> None:
    sql = "UPDATE claims SET status = 'paid' WHERE status = '\u202e 9 = di EREHW'"
    review = await review_of(harness, await harness.submit("claims-bot", sql))
    assert hostile.LITERAL_SHOWN in review["statement"]
    assert "\u202e" not in str(review)
    assert "1 hidden or look-alike characters" in review["warnings"][0]


async def test_a_plain_statement_raises_no_warning(harness: Harness) -> None:
    sql = "UPDATE claims SET status = 'paid' WHERE id = 2"
    review = await review_of(harness, await harness.submit("claims-bot", sql, reason="by phone"))
    assert review["warnings"] == [] and review["hidden"] == 0
    assert review["statement"] == "UPDATE claims\nSET status = 'paid'\nWHERE id = 2"


@pytest.fixture
async def tools(tmp_path: Path) -> AsyncIterator[Harness]:
    """The demo's deploy tool and patient API connections (nothing is run upstream)."""
    secrets_dir = tmp_path / "secrets"
    secrets_dir.mkdir()
    for name in ("deploy_token", "patients_api_token"):
        (secrets_dir / name).write_text("token-" + name)
    (secrets_dir / "patients_api_url").write_text("http://127.0.0.1:1")
    write_launcher(tmp_path / "bin" / "deploy-tool")
    (tmp_path / "deploy").mkdir()
    h = await make_harness(demo_config(tmp_path, "postgresql://nobody@127.0.0.1:1/unused"))
    try:
        yield h
    finally:
        await h.client.aclose()
        await h.gateway.close()


async def test_a_line_break_inside_an_argument_is_escaped(tools: Harness) -> None:
    argv = ["deploy-tool", "deploy", "web\nrollback all", "\u2019x"]
    answer = await tools.client.post(
        "/v1/actions",
        headers=tools.auth("claims-bot"),
        json={"connection": "deploy", "argv": argv, "stdin": "replicas: 2\nnote: \u200b\n"},
    )
    review = await review_of(tools, answer)
    assert review["statement"].startswith("deploy-tool deploy 'web\\nrollback all' '\\u2019x'\n")
    assert review["statement"].endswith("--- stdin ---\nreplicas: 2\nnote: \\u200b\n")
    assert "3 hidden or look-alike characters" in review["warnings"][0]


async def test_an_http_request_shows_the_query_as_sent_and_its_headers(tools: Harness) -> None:
    request = {
        "method": "GET",
        "path": "/patients/export",
        "query": {"a": "1&b=2", "note": "x\u202ey"},
        "headers": {},
    }
    answer = await tools.client.post(
        "/v1/actions",
        headers=tools.auth("claims-bot"),
        json={"connection": "patients-api", "request": request},
    )
    review = await review_of(tools, answer)
    first = review["sent"].split("\n", 1)[0]
    assert first == "GET /patients/export?a=1%26b%3D2&note=x%E2%80%AEy"  # as encoded on the wire
    assert "credential, added by the gateway" in review["sent"]


async def test_reviewers_never_read_raw_phi_in_an_action(harness: Harness, ehr_dsn: str) -> None:
    """GET /v1/actions/{id}: the requester reads their own text; a reviewer the scrubbed view."""
    with psycopg.connect(ehr_dsn) as conn:
        ssn = conn.execute("SELECT ssn FROM patients WHERE id = 9").fetchone()[0]  # type: ignore[index]
    sql = f"SELECT id FROM patients WHERE ssn = '{ssn}'"
    answer = await harness.submit("dana", sql, reason=f"patient {ssn} called")
    assert answer.status_code == 202, answer.text
    path = f"/v1/actions/{answer.json()['id']}"
    reviewer = await harness.client.get(path, headers=harness.auth("alice"))
    assert reviewer.status_code == 200, reviewer.text
    assert ssn not in reviewer.text
    assert "WHERE ssn =" in reviewer.json()["review"]["statement"]
    own = await harness.client.get(path, headers=harness.auth("dana"))
    assert own.status_code == 200 and own.json()["action"]["sql"] == sql
    stranger = await harness.client.get(path, headers=harness.auth("claims-bot"))
    assert stranger.status_code == 403


async def test_an_escape_spelled_in_the_text_is_counted(harness: Harness) -> None:
    """E'\\u202e' is plain ASCII as sent; the server reads a direction override."""
    sql = "UPDATE claims SET status = E'paid\\u202e' WHERE id = 2"
    review = await review_of(harness, await harness.submit("claims-bot", sql))
    assert "'paid\\u202e'" in review["statement"] and review["hidden"] == 1
    assert "1 hidden or look-alike characters" in review["warnings"][0]


async def test_names_the_caller_chose_are_escaped_in_every_field(harness: Harness) -> None:
    """Round 3, finding 3, as a rule: a quoted identifier may hold a direction override;
    the table and column names and reasons reviewers read show it as an escape."""
    sql = "UPDATE \"cl\u202eaims\" SET status = 'paid' WHERE id = 2"
    answer = await harness.submit("claims-bot", sql)
    assert answer.status_code == 202, answer.text
    approval_id = answer.json()["approval"]["id"]
    view = await harness.client.get(f"/v1/approvals/{approval_id}", headers=harness.auth("alice"))
    action = view.json()["action"]
    shown = [*action["reasons"], *action["tables"], *action["columns"], *action["held_on"]]
    shown += [row["column"] for row in action["column_sensitivity"]]
    assert not [s for s in shown if "\u202e" in s], shown
    assert any("\\u202e" in s for s in action["tables"]), action["tables"]


async def test_a_look_alike_letter_in_an_argument_is_escaped(tools: Harness) -> None:
    """`app!=pаyments` (Cyrillic а) reads as "not payments" and matches every app."""
    argv = ["deploy-tool", "deploy", "-l", "app!=p\u0430yments"]
    answer = await tools.client.post(
        "/v1/actions", headers=tools.auth("claims-bot"), json={"connection": "deploy", "argv": argv}
    )
    review = await review_of(tools, answer)
    assert review["statement"] == "deploy-tool deploy -l 'app!=p\\u0430yments'"
    assert [part for part, escape in review["marked"]["statement"] if escape] == ["\\u0430"]
    warnings = " | ".join(review["warnings"])
    assert "CYRILLIC SMALL LETTER A (a CYRILLIC look-alike in a LATIN word)" in warnings
    assert "mixes scripts (Cyrillic, Latin)" in warnings


async def test_a_look_alike_letter_in_an_http_request_is_escaped(tools: Harness) -> None:
    """Headers must be ASCII already and a JSON body is sent \\u-escaped; a text body
    is sent as written, so its look-alikes (Cyrillic а, and рау for "pay") are escaped."""
    request = {
        "method": "POST",
        "path": "/patients/export",
        "headers": {},
        "body": "selector: app!=p\u0430yments\nstatus!=\u0440\u0430\u0443\n",
    }
    answer = await tools.client.post(
        "/v1/actions",
        headers=tools.auth("claims-bot"),
        json={"connection": "patients-api", "request": request},
    )
    review = await review_of(tools, answer)
    assert review["sent"].endswith("selector: app!=p\\u0430yments\nstatus!=\\u0440\\u0430\\u0443\n")
    assert "4 hidden or look-alike characters" in review["warnings"][0]


async def test_a_name_in_its_own_script_is_shown_as_written_with_a_warning(
    harness: Harness,
) -> None:
    name = "\u0418\u0432\u0430\u043d\u043e\u0432"  # Иванов: no letter hidden, one script
    sql = f"UPDATE claims SET status = 'paid' WHERE status = '{name}'"
    review = await review_of(harness, await harness.submit("claims-bot", sql))
    assert f"'{name}'" in review["statement"] and review["hidden"] == 0
    assert not [part for part, escape in review["marked"]["statement"] if escape]
    assert any("mixes scripts (Cyrillic, Latin)" in w for w in review["warnings"])
