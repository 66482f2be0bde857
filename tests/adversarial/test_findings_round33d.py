"""Round 33d: a promises-only attack on the reviewer surfaces and identities (promises
1, 3 and 7): second identities and spellings, approval binding and single use,
revocation, and what each reviewer view shows of an HTTP request or a command line,
through the REST door.

Each finding is a strict xfail through a real door (`@finding`); attacks that held are
ordinary tests.

1. (HIGH) The reviewer's view of an HTTP request or a command line shows a date, ZIP
   or age in it as *another valid value*: `DELETE /claims?before=2024-12-31` is shown
   as `DELETE /claims?before=2024`, `kubectl delete pod visit-2024-03-14` as
   `kubectl delete pod visit2024`, and `age=93` as `age=90+`. Reviewers approve a
   request other than the one that runs. SQL constants are labelled (`'[DATE]'`,
   docs/security.md: "never by another valid value such as a generalised year"), but
   the HTTP and exec bodies are scrubbed with the audit masker's generalising
   profile (`pipeline/views.py ReviewerViews.scrub` → `mask_json` under
   `hipaa-safe-harbor`, used by `reviewing/view.py _statement_and_sent`). The warning
   beside it says the values are "shown as [MASKED]", which the view never shows.
2. (HIGH) A SQL parameter given as a JSON array (`= ANY($1::date[])` with
   `[["2024-12-31"]]`) is shown to reviewers as `[["2024"]]`, with no warning at all:
   `ReviewerViews.scrub_params` labels string parameters (`[DATE]`) but sends any
   other value through `scrub` (`mask_json`, generalising), and `masked_warning` only
   counts `[LABEL]`s, so nothing says the value shown is not the one that runs.
3. (MEDIUM) The audit record of that HTTP request names another request: its
   `action.requested` record holds `"query": {"before": "2024"}` for a DELETE sent
   with `before=2024-12-31` (promise 4: the audit text names what actually ran). Same
   cause as 1: the audit body is scrubbed with the generalising masker.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.adversarial.harness import AGENT, Bench, http_upstream
from tests.conftest import Harness
from tests.connectors.support import harness_with

ECHO = """#!/bin/sh
printf '%s\\n' "$@"
"""


class _Ok(BaseHTTPRequestHandler):
    """An upstream that answers every request with a small JSON document."""

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _answer(self) -> None:
        body = b'{"ok": true}'
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_DELETE = _answer


@pytest.fixture
def upstream() -> Iterator[str]:
    with http_upstream(_Ok, "round33d-upstream") as address:
        yield address


@pytest.fixture
async def gateway(tmp_path: Path, upstream: str) -> AsyncIterator[Harness]:
    """A gateway with an http connection `api` and an exec connection `kube` whose
    kubectl only echoes its argv."""
    program = tmp_path / "bin" / "kubectl"
    program.parent.mkdir()
    program.write_text(ECHO)
    program.chmod(0o755)
    work = tmp_path / "work"
    work.mkdir()
    connections = {
        "api": {
            "type": "http",
            "base_url": f"http://{upstream}",
            "auth": {"scheme": "bearer", "value": "round33d-upstream-token"},
        },
        "kube": {
            "type": "exec",
            "programs": [str(program)],
            "working_dir": str(work),
            "env": {"HOME": str(tmp_path)},
            "timeout_seconds": 20,
            "rule_sets": ["kubectl"],
        },
    }
    h = await harness_with(tmp_path, connections)
    try:
        yield h
    finally:
        await h.client.aclose()
        await h.gateway.close()


async def _reviewed(h: Harness, payload: dict[str, Any]) -> tuple[str, list[str]]:
    """Ask as the agent (held for a data owner); what alice's REST view shows runs."""
    asked = await h.client.post("/v1/actions", headers=h.auth(AGENT), json=payload)
    assert asked.status_code == 202, asked.text[:300]
    approval_id = asked.json()["approval"]["id"]
    view = await h.client.get(f"/v1/approvals/{approval_id}", headers=h.auth("alice"))
    assert view.status_code == 200, view.text[:300]
    review = view.json()["action"]["review"]
    shown = "".join(str(text) for text, _escape in review["marked"]["statement"])
    return shown, list(review["warnings"])


# --------------------------------------------------------------------- finding 1


async def test_the_reviewer_sees_the_date_an_http_request_sends(gateway: Harness) -> None:
    """Promise 3: reviewers see exactly what runs. The agent asks to delete the claims
    before 31 December 2024; the reviewer reads `DELETE /claims?before=2024`, a request
    that reaches a year fewer claims. The value must be shown as sent, or as a label
    that says it is hidden (`[DATE]`), never as a different date."""
    request = {"method": "DELETE", "path": "/claims", "query": {"before": "2024-12-31"}}
    shown, warnings = await _reviewed(gateway, {"connection": "api", "request": request})
    line = shown.splitlines()[0]
    before = parse_qs(urlsplit(line.split(" ", 1)[1]).query)["before"][0]
    assert before == "2024-12-31" or "DATE" in before, f"{line!r} (warnings: {warnings})"


async def test_the_reviewer_sees_the_argument_a_command_runs_with(gateway: Harness) -> None:
    """The same through the exec connector: the pod deleted is `visit-2024-03-14`; the
    reviewer reads `kubectl delete pod visit2024`, another pod."""
    argv = ["kubectl", "delete", "pod", "visit-2024-03-14"]
    shown, warnings = await _reviewed(gateway, {"connection": "kube", "argv": argv})
    pod = shown.split()[-1]
    assert pod == "visit-2024-03-14" or "DATE" in pod, f"{shown!r} (warnings: {warnings})"


# --------------------------------------------------------------------- finding 2


def test_the_reviewer_sees_the_dates_an_array_parameter_binds(bench: Bench) -> None:
    """Promise 3 for SQL: the agent denies every claim served on or before 31 December
    2024; the reviewer reads the bound values as `[["2024"]]` and no warning says they
    differ from what runs. Shown as sent, or labelled (`[DATE]`) with the warning the
    same value gets as a string parameter."""
    sql = "UPDATE claims SET status = 'Denied' WHERE service_date <= ANY($1::date[])"
    agent = {"Authorization": f"Bearer {bench.tokens[AGENT]}"}
    payload = {"connection": "ehr", "sql": sql, "params": [["2024-12-31"]]}
    asked = bench.call(bench.client.post("/v1/actions", headers=agent, json=payload))
    assert asked.status_code == 202, asked.text[:300]
    approval_id = asked.json()["approval"]["id"]
    alice = {"Authorization": f"Bearer {bench.tokens['alice']}"}
    view = bench.call(bench.client.get(f"/v1/approvals/{approval_id}", headers=alice))
    review = view.json()["action"]["review"]
    params = "".join(str(text) for text, _escape in review["marked"]["params"])
    shown_as_sent = "2024-12-31" in params
    labelled = "DATE" in params and any("masked" in w for w in review["warnings"])
    assert shown_as_sent or labelled, f"bound values shown as {params} ({review['warnings']})"


# --------------------------------------------------------------------- finding 3


async def test_the_audit_names_the_date_an_http_request_sent(gateway: Harness) -> None:
    """Promise 4: the record of the DELETE must hold the date sent, or a label saying
    it is withheld (`[DATE]`); a year is a different request."""
    request = {"method": "DELETE", "path": "/claims", "query": {"before": "2024-12-31"}}
    asked = await gateway.client.post(
        "/v1/actions", headers=gateway.auth(AGENT), json={"connection": "api", "request": request}
    )
    assert asked.status_code == 202, asked.text[:300]
    audit = await gateway.client.get("/v1/audit", headers=gateway.auth("admin"))
    assert audit.status_code == 200, audit.text[:300]
    records = [r for r in audit.json()["records"] if r.get("action_id") == asked.json()["id"]]
    requested = next(r for r in records if r["event"] == "action.requested")
    before = requested["what"]["body"]["query"]["before"]
    assert before == "2024-12-31" or "DATE" in before, f"recorded as before={before!r}"
