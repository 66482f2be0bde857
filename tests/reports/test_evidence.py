"""The evidence report from a real gateway's audit log: exact counts, controls, chain, formats."""

from __future__ import annotations

import json
import re
import shutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from phigate.audit.chain import AuditLog
from phigate.cli.reports import report_command
from phigate.reports import SCHEMA, build_evidence, render_html, render_pdf
from phigate.reports.model import Evidence
from phigate.store import Database
from phigate.store.tables import audit_log
from tests.reports.conftest import Scenario


@pytest.fixture(scope="module")
def evidence(scenario: Scenario) -> Evidence:
    return build_evidence(
        scenario.audit(), scenario.start, scenario.end, policy_hash=scenario.policy_hash
    )


def test_actions_by_front_door_kind_and_risk(evidence: Evidence) -> None:
    assert evidence.actions_total == 8
    assert evidence.actions_by_front_door == {"rest": 8}
    assert evidence.actions_by_principal_kind == {"agent": 6, "human": 2}
    assert evidence.actions_by_risk == {"read": 4, "write": 3, "ddl": 1}
    assert evidence.results == {"executed": 5}


def test_decisions_and_time_to_decision(evidence: Evidence) -> None:
    assert evidence.decisions == {
        "allowed": 2,
        "denied": 1,
        "approval_required": 4,
        "break_glass": 1,
        "approved": 2,
        "reviewer_denied": 1,
        "expired": 1,
        "cancelled": 0,
        "pending": 0,
    }
    timing = evidence.time_to_decision
    assert timing["all"].count == 4 and timing["approved"].count == 2
    assert timing["expired"].count == 1 and timing["expired"].median_s is not None
    assert timing["expired"].median_s >= 1.0  # it waited out its one-second expiry
    assert timing["all"].p95_s == max(evidence.approval_durations)
    assert sum(sum(b.counts.values()) for b in evidence.timeline) == 2 + 1 + 1 + 2 + 1 + 1


def test_approvals_by_reviewer_and_channel(evidence: Evidence) -> None:
    # alice: the write and the break-glass review; bob: denied the delete, approved the reveal
    assert evidence.votes_by_reviewer == {
        "alice": {"approve": 2},
        "bob": {"approve": 1, "deny": 1},
    }
    assert evidence.votes_by_channel == {"api": 4}


def test_self_approval_control_passes_and_counts_refusals(evidence: Evidence) -> None:
    control = evidence.self_approval
    assert control.passed and control.violations == ()
    assert control.approving_votes_checked == 3
    assert control.refused_attempts == 2


def test_reveals_and_break_glass(evidence: Evidence, scenario: Scenario) -> None:
    reveals = {r.action_id: r for r in evidence.reveals}
    assert set(reveals) == {scenario.ids["reveal"], scenario.ids["break_glass"]}
    asked = reveals[scenario.ids["reveal"]]
    assert (asked.subject, asked.reveal, asked.outcome, asked.approvers) == (
        "claims-bot",
        ("DATE",),
        "approved",
        ("bob",),
    )
    [use] = evidence.break_glass
    assert use.action_id == scenario.ids["break_glass"] and use.subject == "dana"
    assert use.reason == "patient unconscious in ED" and use.reveal == ("DATE",)
    assert use.review is not None and use.review_state == "justified"
    assert use.review.reviewer == "alice" and not use.review.after_period
    assert evidence.open_break_glass_reviews == 0


def test_masked_entities_match_what_the_callers_were_told(
    evidence: Evidence, scenario: Scenario
) -> None:
    assert evidence.masked == dict(scenario.masked)
    assert evidence.masked_total >= 5 * 4  # five patients, four identifying columns


def test_chain_head_at_period_end_and_policy(evidence: Evidence, scenario: Scenario) -> None:
    audit = scenario.audit()
    seq, digest = audit.head()
    assert evidence.chain.ok and evidence.chain.records == seq
    assert (evidence.chain.head_seq_at_end, evidence.chain.head_hash_at_end) == (seq, digest)
    assert evidence.policy.hashes == (scenario.policy_hash,)
    assert evidence.policy.current_hash == scenario.policy_hash
    assert "encounter-writes-expire-fast" in evidence.policy.changes[0].rules


def test_head_is_the_last_record_at_or_before_the_end(scenario: Scenario) -> None:
    audit = scenario.audit()
    records = audit.records()
    # records written in one transaction share a timestamp: the head is the last of them
    cut = [r for r in records if r["ts"] <= records[5]["ts"]][-1]
    end = scenario.start.fromtimestamp(cut["ts"], scenario.start.tzinfo)
    early = build_evidence(audit, scenario.start, end)
    hashes = [digest for _body, digest in audit.iter_rows()]
    assert early.chain.head_seq_at_end == cut["seq"]
    assert early.chain.head_hash_at_end == hashes[cut["seq"] - 1]
    assert early.actions_total < 8


def test_an_empty_period_counts_nothing(scenario: Scenario) -> None:
    before = scenario.start - timedelta(days=2)
    empty = build_evidence(scenario.audit(), before, before + timedelta(days=1))
    assert empty.actions_total == 0 and empty.records_in_period == 0
    assert empty.chain.head_hash_at_end is None and empty.chain.ok
    assert "no decisions in this period" in render_html(empty)


def test_a_tampered_record_fails_the_chain_control(scenario: Scenario, tmp_path: Path) -> None:
    copy = tmp_path / "tampered.db"
    shutil.copy(scenario.state_file, copy)
    db = Database(f"sqlite:///{copy}")
    with db.write() as conn:
        # The first record of the agent's first request (tokens are recorded before it).
        row = conn.execute(
            sa.select(audit_log.c.seq, audit_log.c.record)
            .where(audit_log.c.record.like('%"event":"action.requested"%'))
            .order_by(audit_log.c.seq)
            .limit(1)
        ).one()
        forged = row.record.replace('"claims-bot"', '"someone-else"', 1)
        assert forged != row.record
        conn.execute(audit_log.update().where(audit_log.c.seq == row.seq).values(record=forged))
    evidence = build_evidence(AuditLog(db), scenario.start, scenario.end)
    assert not evidence.chain.ok and evidence.chain.first_bad_seq == row.seq
    assert not evidence.chain.head_at_end_verified
    page = render_html(evidence)
    assert re.search(r'id="control-chain" class="bad">.*?data-status="fail"', page, re.S)
    db.dispose()


def test_a_self_approval_in_the_log_shows_red(tmp_path: Path) -> None:
    """A log the gateway would never write (a forged or buggy replica): the control fails."""
    db = Database(f"sqlite:///{tmp_path / 'forged.db'}")
    db.migrate()
    audit = AuditLog(db)
    human = {"subject": "alice", "kind": "human", "groups": ["data-owners"], "on_behalf_of": None}
    audit.append("action.requested", {"action_id": "act_1", "who": human, "what": {}})
    audit.append("action.decided", {"action_id": "act_1", "decision": "approve"})
    audit.append(
        "approval.vote",
        {"approval_id": "apr_1", "action_id": "act_1", "who": human, "vote": "approve"},
    )
    robot = {"subject": "bot", "kind": "agent"}
    audit.append("approval.vote", {"approval_id": "apr_1", "action_id": "act_1", "who": robot})
    audit.append(
        "approval.vote",
        {"approval_id": "apr_1", "action_id": "act_1", "who": robot, "vote": "approve"},
    )
    start = datetime.now(UTC) - timedelta(minutes=1)
    evidence = build_evidence(audit, start, start + timedelta(minutes=2))
    reasons = [v.reason for v in evidence.self_approval.violations]
    assert reasons == [
        "the requester approved their own request",
        "approving vote by a agent principal, not a human",
    ]
    page = render_html(evidence)
    assert re.search(r'id="control-self-approval" class="bad">.*?data-status="fail"', page, re.S)
    db.dispose()


def test_a_request_decided_again_is_counted_once_by_how_it_ended(tmp_path: Path) -> None:
    """An approval sent back for more votes at run time and approved again, and one
    approved and then expired unrun: two requests, counted once each, by their last
    state (not three approvals and an expiry)."""
    db = Database(f"sqlite:///{tmp_path / 'again.db'}")
    db.migrate()
    audit = AuditLog(db)
    who = {"subject": "bot", "kind": "agent", "groups": [], "on_behalf_of": "dana"}
    for action_id, states in (
        ("act_1", ["approved", "approved"]),
        ("act_2", ["approved", "expired"]),
    ):
        audit.append("action.requested", {"action_id": action_id, "who": who, "what": {}})
        audit.append("action.decided", {"action_id": action_id, "decision": "approve"})
        for state in states:
            audit.append(
                "approval.decided",
                {"approval_id": f"apr_{action_id}", "action_id": action_id, "state": state},
            )
    start = datetime.now(UTC) - timedelta(minutes=1)
    decisions = build_evidence(audit, start, start + timedelta(minutes=2)).decisions
    assert (decisions["approval_required"], decisions["approved"]) == (2, 1)
    assert (decisions["expired"], decisions["pending"]) == (1, 0)
    db.dispose()


def test_old_and_new_request_records_count_alike(tmp_path: Path) -> None:
    """An action allowed outright is one `action.admitted` record since 0011's code;
    logs written before hold `action.requested` + `action.decided` +
    `action.execution_started`. Both read as one request, allowed, of the same kind."""
    reports = []
    for name, records in (
        ("old", [("action.requested", {}), ("action.decided", {"decision": "allow"}),
                 ("action.execution_started", {})]),
        ("new", [("action.admitted", {"decision": "allow"})]),
    ):  # fmt: skip
        db = Database(f"sqlite:///{tmp_path / name}.db")
        db.migrate()
        audit = AuditLog(db)
        who = {"subject": "bot", "kind": "agent", "groups": [], "on_behalf_of": "dana"}
        request = {
            "who": who,
            "where": {"front_door": "pgwire", "connection": "ehr"},
            "what": {"kind": "sql", "risk": "read", "body": {"sql": "SELECT 1"}},
            "why": {"reason": None},
        }
        for event, fields in records:
            audit.append(event, {"action_id": "act_1", **request, **fields})
        start = datetime.now(UTC) - timedelta(minutes=1)
        data = build_evidence(audit, start, start + timedelta(minutes=2)).to_json()
        assert audit.verify().ok
        reports.append({k: data[k] for k in data if k.startswith(("actions_", "decisions"))})
        db.dispose()
    assert reports[0] == reports[1]
    assert reports[1]["actions_total"] == 1 and reports[1]["decisions"]["allowed"] == 1


def test_json_schema(evidence: Evidence) -> None:
    data = json.loads(json.dumps(evidence.to_json()))
    assert data["schema"] == SCHEMA
    expected = {
        "start", "end", "generated_at", "records_in_period", "actions_total",
        "actions_by_front_door", "actions_by_principal_kind", "actions_by_risk",
        "actions_by_connection", "results", "decisions", "time_to_decision",
        "votes_by_reviewer", "votes_by_channel", "self_approval", "reveals", "break_glass",
        "masked", "masked_total", "refusals", "chain", "policy", "timeline", "bucket_seconds",
        "approval_durations", "open_break_glass_reviews", "schema",
    }  # fmt: skip
    assert set(data) == expected
    assert set(data["self_approval"]) == {
        "approving_votes_checked", "refused_attempts", "violations", "passed",
    }  # fmt: skip
    assert set(data["chain"]) == {
        "ok", "records", "first_bad_seq", "problem", "head_seq_at_end", "head_hash_at_end",
        "head_at_end_verified",
    }  # fmt: skip
    assert set(data["time_to_decision"]["all"]) == {"count", "median_s", "p95_s"}
    assert {"policy_hash", "rules", "added", "removed", "ts", "seq", "source"} <= set(
        data["policy"]["changes"][0]
    )
    assert set(data["break_glass"][0]) >= {"reason", "review", "review_state", "reveal"}


def test_html_has_inline_csp_friendly_svg_charts(evidence: Evidence) -> None:
    page = render_html(evidence)
    assert page.count("<svg") == 3
    for chart in ("chart-decisions", "chart-time-to-approval", "chart-masked"):
        assert f'id="{chart}"><svg class="chart" role="img"' in page
    assert "<script" not in page and "http://" not in page.replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    ).replace('xmlns:xlink="http://www.w3.org/1999/xlink"', "")
    assert " style=" not in page  # no inline style attributes: CSP style-src 'self'
    linked = render_html(evidence, stylesheet_href="/ui/static/report.css")
    assert "<style" not in linked and 'href="/ui/static/report.css"' in linked
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "ids must be unique across the charts"


def test_pdf_has_pages(evidence: Evidence) -> None:
    pdf = render_pdf(evidence)
    assert pdf.startswith(b"%PDF-")
    pages = int(re.findall(rb"/Count (\d+)", pdf)[-1])
    assert pages >= 2  # text, then the charts


@pytest.mark.parametrize("fmt", ["json", "html", "pdf"])
def test_cli_writes_each_format(scenario: Scenario, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"report.{fmt}"
    result = CliRunner().invoke(
        report_command,
        [
            "--from", scenario.start.isoformat(), "--to", scenario.end.isoformat(),
            "--format", fmt, "--out", str(out), "--state", scenario.state_url, "--check",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "self-approval control pass" in result.output
    data = out.read_bytes()
    if fmt == "json":
        assert json.loads(data)["actions_total"] == 8
    elif fmt == "html":
        assert data.startswith(b"<!doctype html>") and b"<svg" in data
    else:
        assert data.startswith(b"%PDF-")


def test_cli_dates_cover_whole_days(scenario: Scenario, tmp_path: Path) -> None:
    day = scenario.start.date().isoformat()
    out = tmp_path / "day.json"
    args = ["--from", day, "--to", day, "--format", "json", "--out", str(out)]
    result = CliRunner().invoke(report_command, [*args, "--state", scenario.state_url])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["end"].endswith("23:59:59.999999+00:00")
    bad = CliRunner().invoke(report_command, ["--from", "yesterday", "--to", day])
    assert bad.exit_code == 2 and "is not a date" in bad.output
    for first, last in (("0001-01-01", "0001-01-31"), (day, "9999-12-31"), (day, "9999-01-01")):
        out_of_range = CliRunner().invoke(report_command, ["--from", first, "--to", last])
        assert out_of_range.exit_code == 2, out_of_range.output
        assert (
            "a report covers 1970-01-01" in out_of_range.output or "last day" in out_of_range.output
        )


def test_cli_refuses_a_missing_or_empty_store(tmp_path: Path) -> None:
    missing = f"sqlite:///{tmp_path / 'none.db'}"
    args = ["--from", "2026-01-01", "--to", "2026-01-01", "--out", str(tmp_path / "r.html")]
    result = CliRunner().invoke(report_command, [*args, "--state", missing])
    assert result.exit_code == 2 and "no state store" in result.output
    assert not (tmp_path / "none.db").exists()  # a report never creates a store


def _synthetic(tmp_path: Path) -> AuditLog:
    db = Database(f"sqlite:///{tmp_path / 'synthetic.db'}")
    db.migrate()
    return AuditLog(db)


def test_unreviewed_and_expired_break_glass_stay_open(tmp_path: Path) -> None:
    audit = _synthetic(tmp_path)
    start = datetime.now(UTC) - timedelta(minutes=1)
    dana = {"subject": "dana", "kind": "human", "groups": ["clinicians"]}
    for n in (1, 2):
        audit.append(
            "action.break_glass",
            {"action_id": f"act_{n}", "approval_id": f"apr_{n}", "who": dana, "reveal": ["*"]},
        )
    audit.append(
        "approval.decided",
        {"approval_id": "apr_2", "action_id": "act_2", "state": "expired", "purpose": "x"},
    )
    evidence = build_evidence(audit, start, start + timedelta(minutes=2))
    assert [u.review_state for u in evidence.break_glass] == ["pending", "expired"]
    assert evidence.open_break_glass_reviews == 2
    assert evidence.decisions["expired"] == 0  # a lapsed review is not a decision on an action
    page = render_html(evidence)
    assert re.search(r'id="control-break-glass" class="warn">.*?data-status="open"', page, re.S)


def test_policy_in_force_and_changes(tmp_path: Path) -> None:
    audit = _synthetic(tmp_path)
    audit.append("policy.loaded", {"policy_hash": "h1", "rules": ["reads", "writes"]})
    time.sleep(0.01)  # the first load is strictly before the period
    start = datetime.now(UTC)
    audit.append("policy.loaded", {"policy_hash": "h1", "rules": ["reads", "writes"]})
    audit.append("policy.loaded", {"policy_hash": "h2", "rules": ["reads", "exports"]})
    evidence = build_evidence(audit, start, start + timedelta(minutes=1))
    policy = evidence.policy
    assert policy.in_force_at_start is not None and policy.in_force_at_start.policy_hash == "h1"
    [change] = policy.changes  # the restart with the same policy is not a change
    assert (change.policy_hash, change.added, change.removed) == ("h2", ("exports",), ("writes",))
    assert policy.hashes == ("h1", "h2")
