"""Reviewers and the audit log read a masked value as its label (`[DATE]`, `[ZIP]`,
`[AGE]`), never as a generalised value (`2024`, `902**`, `90+`) that reads as another
request than the one that runs, in every kind of action: HTTP queries and JSON bodies,
command lines and stdin, SQL parameters nested in arrays, MCP tool arguments. The
warning beside them counts every label shown."""

from __future__ import annotations

import re
import sys
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from phigate.core.actions import Action
from phigate.masking.settings import BUILTIN_PROFILES, Operator, ProfileConfig
from phigate.pipeline.views import ReviewerViews
from tests.adversarial.harness import AGENT, http_upstream
from tests.conftest import Harness
from tests.connectors.support import harness_with, review_all_tools

STANDIN = str(Path(__file__).parents[1] / "connectors" / "test_mcp_session_upstream.py")
ECHO = "#!/bin/sh\nprintf '%s\\n' \"$@\"\n"
# What the audit profile generalises to: none of it may reach a reviewer.
GENERALISED = re.compile(r"90\+|902\*\*|\b(?:1931|2024)\b(?!-)")


class _Ok(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_DELETE(self) -> None:
        self.send_response(204)
        self.end_headers()


@pytest.fixture
def upstream() -> Iterator[str]:
    with http_upstream(_Ok, "labels-upstream") as address:
        yield address


@pytest.fixture
async def h(tmp_path: Path, upstream: str) -> AsyncIterator[Harness]:
    program = tmp_path / "bin" / "kubectl"
    program.parent.mkdir()
    program.write_text(ECHO)
    program.chmod(0o755)
    (tmp_path / "work").mkdir()
    (tmp_path / "mcp").mkdir()
    connections = {
        "api": {"type": "http", "base_url": f"http://{upstream}"},
        "kube": {
            "type": "exec",
            "programs": [str(program)],
            "working_dir": str(tmp_path / "work"),
            "env": {"HOME": str(tmp_path)},
            "rule_sets": ["kubectl"],
        },
        "charts": {
            "type": "mcp",
            "command": [sys.executable, STANDIN, str(tmp_path / "mcp")],
            "tools": {"lookup_patient": "write"},
            "timeout_seconds": 20,
        },
    }
    h = await harness_with(tmp_path, connections)
    try:
        yield h
    finally:
        await h.client.aclose()
        await h.gateway.close()


async def _review(h: Harness, approval_id: str) -> dict[str, Any]:
    view = await h.client.get(f"/v1/approvals/{approval_id}", headers=h.auth("alice"))
    assert view.status_code == 200, view.text[:300]
    review: dict[str, Any] = view.json()["action"]["review"]
    return review


async def _asked(h: Harness, payload: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    asked = await h.client.post("/v1/actions", headers=h.auth(AGENT), json=payload)
    assert asked.status_code == 202, asked.text[:300]
    return asked.json()["id"], await _review(h, asked.json()["approval"]["id"])


def _shown(review: dict[str, Any]) -> str:
    return " ".join(str(review[part]) for part in ("statement", "sent", "params") if review[part])


def _counted(review: dict[str, Any]) -> tuple[int, str]:
    """How many values the masked-value warning says are masked, and as what."""
    warned = [w for w in review["warnings"] if "masked for reviewers" in w]
    assert len(warned) == 1, review["warnings"]
    found = re.match(r"(\d+) value\(s\) are masked for reviewers, shown as ([^;]+);", warned[0])
    assert found, warned[0]
    return int(found[1]), found[2]


HTTP = {
    "method": "DELETE",
    "path": "/claims",
    "query": {"before": "2024-12-31", "age": "93", "zip": "90210"},
    "body": {"note": "born 1931-05-02"},
}


async def test_an_http_request_shows_labels_and_counts_them(h: Harness) -> None:
    _id, review = await _asked(h, {"connection": "api", "request": HTTP})
    shown = _shown(review)
    assert not GENERALISED.search(shown), shown
    for label in ("before=[DATE]", "age=[AGE]", "zip=[ZIP]", "born [DATE]"):
        assert label in shown.replace("%5B", "[").replace("%5D", "]"), shown
    assert _counted(review) == (4, "[AGE], [DATE], [ZIP]")


async def test_the_audit_record_holds_labels(h: Harness) -> None:
    action_id, _review = await _asked(h, {"connection": "api", "request": HTTP})
    audit = await h.client.get("/v1/audit", headers=h.auth("admin"))
    records = [r for r in audit.json()["records"] if r.get("action_id") == action_id]
    requested = next(r for r in records if r["event"] == "action.requested")
    assert requested["what"]["body"]["query"] == {
        "before": "[DATE]",
        "age": "[AGE]",
        "zip": "[ZIP]",
    }
    assert requested["what"]["body"]["body"] == {"note": "born [DATE]"}


async def test_a_command_line_and_its_stdin_show_labels(h: Harness) -> None:
    argv = ["kubectl", "delete", "pod", "visit-2024-03-14"]
    payload = {"connection": "kube", "argv": argv, "stdin": "patient aged 93, zip 90210\n"}
    _id, review = await _asked(h, payload)
    shown = _shown(review)
    assert not GENERALISED.search(shown), shown
    assert "[DATE]" in shown and "[AGE]" in shown and "[ZIP]" in shown, shown
    assert _counted(review) == (3, "[AGE], [DATE], [ZIP]")


async def test_mcp_tool_arguments_show_labels(h: Harness) -> None:
    await review_all_tools(h.gateway, "charts")
    principal = await h.gateway.authenticate(h.tokens[AGENT])
    arguments = {"mrn": "MRN-1", "dob": "1931-05-02", "note": "aged 93, zip 90210"}
    body = {"tool": "lookup_patient", "arguments": arguments}
    outcome = await h.gateway.submit(Action("charts", "mcp_tool", body, principal, "mcp"), wait=0)
    assert outcome.status == "pending_approval", (outcome.status, outcome.error)
    assert outcome.approval is not None
    review = await _review(h, outcome.approval.id)
    shown = _shown(review)
    assert not GENERALISED.search(shown), shown
    assert "[DATE]" in shown and "[AGE]" in shown and "[ZIP]" in shown, shown
    assert _counted(review)[1] == "[AGE], [DATE], [MRN], [ZIP]"
    assert _counted(review)[0] == len(re.findall(r"\[(?:AGE|DATE|MRN|ZIP)\]", review["sent"]))


def test_nested_parameters_show_labels(h: Harness) -> None:
    views: ReviewerViews = h.gateway.views
    params = [["2024-12-31"], {"dob": "1931-05-02", "age": 93}, "2024-12-31"]
    assert views.scrub_params(params) == [["[DATE]"], {"dob": "[DATE]", "age": "[AGE]"}, "[DATE]"]


def test_a_labelled_profile_masks_the_same_types_as_labels() -> None:
    custom = ProfileConfig(
        default_operator=Operator.PSEUDONYM,
        operators={"DATE": Operator.DATE_SHIFT, "ZIP": Operator.KEEP, "SSN": Operator.PARTIAL},
    )
    for profile in (*BUILTIN_PROFILES.values(), custom):
        labelled = profile.labelled()
        for entity in ("DATE", "ZIP", "AGE", "SSN", "PERSON", "API_KEY"):
            assert labelled.masks(entity) == profile.masks(entity)
            if labelled.masks(entity):
                assert labelled.operator_for(entity) is Operator.REDACT


async def test_hidden_characters_in_mcp_arguments_are_escaped_and_warned(
    h: Harness,
) -> None:
    """A summary rendered as ASCII JSON would show U+202E as the text `\\u202e`, which
    the escaping never sees and no warning counts."""
    await review_all_tools(h.gateway, "charts")
    principal = await h.gateway.authenticate(h.tokens[AGENT])
    body = {"tool": "lookup_patient", "arguments": {"label": "chart\u202egnp.exe\u200b"}}
    outcome = await h.gateway.submit(Action("charts", "mcp_tool", body, principal, "mcp"), wait=0)
    assert outcome.approval is not None, (outcome.status, outcome.error)
    review = await _review(h, outcome.approval.id)
    assert review["hidden"] >= 2, review
    assert any("hidden or look-alike characters" in w for w in review["warnings"]), review
