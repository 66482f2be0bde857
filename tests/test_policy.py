"""The policy engine alone: pure, table-driven, with the clock passed in."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from phigate.config import ApprovalRequirement, Rule, TimeWindow
from phigate.core.actions import Action, Description
from phigate.core.risk import RiskClass
from phigate.identity.principal import Principal, PrincipalKind
from phigate.masking.columns import shown_as_stored
from phigate.policy import evaluate
from phigate.policy.engine import caller_matches

AGENT = Principal("bot", PrincipalKind.AGENT, frozenset({"agents"}), on_behalf_of="dana")
DANA = Principal("dana", PrincipalKind.HUMAN, frozenset({"clinicians"}))
# A Wednesday, 10:00 in New York.
WEDNESDAY_10AM_NY = dt.datetime(2026, 11, 25, 15, 0, tzinfo=dt.UTC)


def rule(name: str, decision: str, **match: object) -> Rule:
    approvals = {"count": 1, "groups": ["owners"]} if decision == "approve" else None
    return Rule.model_validate(
        {"name": name, "decision": decision, "match": match, "approvals": approvals}
    )


def decide(
    rules: list[Rule],
    *,
    who: Principal = AGENT,
    risk: RiskClass = RiskClass.READ,
    tables: tuple[str, ...] = ("public.patients",),
    reveal: tuple[str, ...] = (),
    predicates: tuple[str, ...] = (),
    functions: tuple[str, ...] = (),
    now: dt.datetime = WEDNESDAY_10AM_NY,
) -> tuple:
    action = Action("ehr", "sql", {"sql": "…", "params": []}, who, "rest", reveal=reveal)
    description = Description(
        risk,
        tables=tables,
        functions=functions,
        detail={"predicate_columns": list(predicates)},
    )
    decision = evaluate(
        rules,
        action,
        description,
        now=now,
        reveal_approvals=ApprovalRequirement(count=1, groups=("owners",)),
    )
    return decision.outcome, decision.rule


@pytest.mark.parametrize(
    ("rules", "kwargs", "expected"),
    [
        ([], {}, ("deny", None)),
        ([rule("r", "allow", risk=["read"])], {}, ("allow", "r")),
        ([rule("r", "allow", risk=["read"])], {"risk": RiskClass.WRITE}, ("deny", None)),
        (
            [rule("a", "allow"), rule("b", "approve"), rule("c", "deny", kinds=["agent"])],
            {},
            ("deny", "c"),
        ),
        ([rule("a", "allow"), rule("b", "approve")], {}, ("approve", "b")),
        ([rule("a", "allow", tables=["claims"])], {}, ("deny", None)),
        ([rule("a", "allow", tables=["*.patients"])], {}, ("allow", "a")),
        ([rule("a", "allow", groups=["clinicians"])], {"who": DANA}, ("allow", "a")),
        ([rule("a", "allow", subjects=["alice"])], {"who": DANA}, ("deny", None)),
        (
            [rule("a", "allow"), rule("o", "approve", predicate_columns=["*.ssn"])],
            {"predicates": ("public.patients.ssn",)},
            ("approve", "o"),
        ),
        (
            [rule("a", "allow"), rule("o", "approve", predicate_columns=["*.ssn"])],
            {"predicates": ("public.patients.id",)},
            ("allow", "a"),
        ),
        (
            [rule("a", "allow"), rule("k", "approve", functions=["kubectl"])],
            {"functions": ("/usr/local/bin/kubectl",)},
            ("approve", "k"),
        ),
        (
            [rule("a", "allow"), rule("d", "deny", functions=["dblink*"])],
            {"functions": ("lower", "public.dblink_exec")},
            ("deny", "d"),
        ),
        (
            [rule("a", "allow"), rule("d", "deny", functions=["dblink*"])],
            {"functions": ("lower",)},
            ("allow", "a"),
        ),
        ([rule("a", "allow")], {"reveal": ("DATE",)}, ("approve", "a")),
        ([rule("a", "allow")], {"reveal": ("SECRET",)}, ("deny", "a")),
        ([rule("a", "allow", reveal=["DATE"])], {"who": DANA, "reveal": ("DATE",)}, ("allow", "a")),
    ],
)
def test_most_restrictive_matching_rule_wins(
    rules: list[Rule], kwargs: dict[str, object], expected: tuple[str, str | None]
) -> None:
    assert decide(rules, **kwargs) == expected  # type: ignore[arg-type]


def office_hours() -> list[Rule]:
    hours = {
        "days": ["mon", "tue", "wed", "thu", "fri"],
        "start": "08:00",
        "end": "18:00",
        "timezone": "America/New_York",
    }
    return [rule("writes-in-office-hours", "approve", risk=["write"], time=hours)]


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (WEDNESDAY_10AM_NY, "approve"),
        (WEDNESDAY_10AM_NY.replace(hour=23), "deny"),  # 18:00 in New York: window closed
        (WEDNESDAY_10AM_NY + dt.timedelta(days=3), "deny"),  # Saturday
        (WEDNESDAY_10AM_NY.replace(hour=12, minute=59), "deny"),  # 07:59 local
        (WEDNESDAY_10AM_NY.replace(hour=13), "approve"),  # 08:00 local
    ],
)
def test_time_windows_are_evaluated_in_their_zone(moment: dt.datetime, expected: str) -> None:
    outcome, _rule = decide(office_hours(), risk=RiskClass.WRITE, now=moment)
    assert outcome == expected


def test_windows_across_midnight_and_bad_windows() -> None:
    night = TimeWindow(start="22:00", end="06:00")
    assert night.contains(dt.datetime(2026, 11, 25, 23, 30, tzinfo=dt.UTC))
    assert night.contains(dt.datetime(2026, 11, 25, 5, 59, tzinfo=dt.UTC))
    assert not night.contains(dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC))
    # A window belongs to the day it starts (2026-11-27 is a Friday).
    friday_night = TimeWindow(days=("fri",), start="22:00", end="06:00")
    assert friday_night.contains(dt.datetime(2026, 11, 27, 23, 0, tzinfo=dt.UTC))
    assert friday_night.contains(dt.datetime(2026, 11, 28, 1, 0, tzinfo=dt.UTC))
    assert not friday_night.contains(dt.datetime(2026, 11, 27, 1, 0, tzinfo=dt.UTC))
    assert not friday_night.contains(dt.datetime(2026, 11, 28, 6, 0, tzinfo=dt.UTC))
    assert not friday_night.contains(dt.datetime(2026, 11, 28, 23, 0, tzinfo=dt.UTC))
    with pytest.raises(ValidationError, match="time of day"):
        TimeWindow(start="25:00")
    with pytest.raises(ValidationError, match="unknown time zone"):
        TimeWindow(timezone="Mars/Olympus")


@pytest.mark.parametrize(
    "match",
    [
        {},
        {"kinds": ["agent"]},
        {"kinds": ["human"]},
        {"groups": ["agents"]},
        {"groups": ["clinicians"]},
        {"subjects": ["BOT"]},
        {"subjects": ["dana"]},
        {"connections": ["ehr"]},
        {"connections": ["billing"]},
        {"kinds": ["agent"], "groups": ["clinicians"]},
    ],
)
@pytest.mark.parametrize("who", [AGENT, DANA])
def test_who_and_where_read_alike_in_a_decision_and_in_the_mcp_listing(
    match: dict[str, list[str]], who: Principal
) -> None:
    """The MCP door lists a connection when a rule's who-and-where criteria admit the
    caller (`caller_matches`); the decision applies the very same criteria."""
    allow = rule("r", "allow", **match)
    listed = caller_matches(allow.match, who, "ehr")
    assert listed == (decide([allow], who=who) == ("allow", "r"))


def _approval_rule(name: str, groups: list[str], *, count: int = 1, glass: bool = False) -> Rule:
    return Rule.model_validate(
        {
            "name": name,
            "decision": "approve",
            "approvals": {"count": count, "groups": groups},
            "break_glass": glass,
        }
    )


def test_every_matching_approval_rule_is_required() -> None:
    """Two approval rules needing one person each, from different groups: neither is
    dropped for the other (the first in the file once won the tie)."""
    owners, security = _approval_rule("owners", ["owners"]), _approval_rule("sec", ["sec"])
    action = Action("ehr", "sql", {"sql": "…", "params": []}, DANA, "rest")
    decision = evaluate(
        [owners, security, rule("reads", "allow")],
        action,
        Description(RiskClass.READ, tables=("public.patients",)),
        now=WEDNESDAY_10AM_NY,
    )
    assert (decision.outcome, decision.rule) == ("approve", "owners")
    assert [r.groups for r in decision.requirements] == [("owners",), ("sec",)]
    assert [r["groups"] for r in decision.to_json()["requirements"]] == [["owners"], ["sec"]]
    stricter = _approval_rule("two-owners", ["owners"], count=2)
    decision = evaluate(
        [owners, stricter],
        action,
        Description(RiskClass.READ, tables=("public.patients",)),
        now=WEDNESDAY_10AM_NY,
    )
    assert decision.rule == "two-owners"
    assert [r.count for r in decision.requirements] == [2, 1]


@pytest.mark.parametrize(
    ("glass", "expected"), [((True, True), (True, None)), ((True, False), (False, "b"))]
)
def test_break_glass_needs_every_matching_approval_rule_to_allow_it(
    glass: tuple[bool, bool], expected: tuple[bool, str | None]
) -> None:
    rules = [
        _approval_rule("a", ["owners"], glass=glass[0]),
        _approval_rule("b", ["x"], glass=glass[1]),
    ]
    action = Action("ehr", "sql", {"sql": "…", "params": []}, DANA, "rest")
    decision = evaluate(
        rules, action, Description(RiskClass.READ, tables=("t",)), now=WEDNESDAY_10AM_NY
    )
    assert (decision.break_glass, decision.break_glass_refused_by) == expected


# ---------------------------------------------------------------- predicate_masked


def _masked_decision(predicates: tuple[str, ...], column_types: dict[str, str]) -> str:
    """The demo's shape: allow reads, hold those whose conditions read a masked column,
    masking decided by the same classifier that masks rows."""
    rules = [rule("a", "allow"), rule("o", "approve", predicate_masked=True)]
    action = Action("ehr", "sql", {"sql": "…", "params": []}, AGENT, "rest")
    description = Description(RiskClass.READ, detail={"predicate_columns": list(predicates)})
    decision = evaluate(
        rules,
        action,
        description,
        now=WEDNESDAY_10AM_NY,
        shown_as_stored=lambda source: shown_as_stored(source, column_types),
    )
    return decision.outcome


@pytest.mark.parametrize(
    "predicates",
    [
        ("public.encounters.encounter_date",),  # a date: shown as its year
        ("public.claims.service_date",),
        ("public.clinical_notes.written_at",),
        ("public.encounters.provider",),  # a person: shown as [PERSON]
        ("public.clinical_notes.author",),
        ("public.clinical_notes.note_text",),  # free text: scanned
        ("public.patients.id", "public.patients.*"),  # a whole row holds every column
        ("public.somewhere.frobnication",),  # nothing classifies it: fail closed
        ("pg_catalog.pg_stats.most_common_vals",),  # catalog data, not structure
        ("information_schema.domains.domain_default",),
        ("pg_catalog.pg_type.typdefault",),  # a domain's default constant
        ("pg_catalog.pg_attribute.attmissingval",),  # a stored value
    ],
)
def test_a_condition_on_a_column_masking_does_not_keep_needs_approval(
    predicates: tuple[str, ...],
) -> None:
    assert _masked_decision(predicates, {}) == "approve"


@pytest.mark.parametrize(
    "predicates",
    [
        (),
        ("public.encounters.id", "public.encounters.patient_id"),
        ("public.claims.status", "public.claims.amount", "public.claims.cpt_code"),
        ("pg_catalog.pg_class.relname", "information_schema.domains.domain_name"),
        ("pg_catalog.pg_policies.policyname", "pg_catalog.pg_class.relpartbound"),
    ],
)
def test_a_condition_on_kept_columns_runs(predicates: tuple[str, ...]) -> None:
    assert _masked_decision(predicates, {}) == "allow"


def test_the_masking_configuration_decides_what_is_masked() -> None:
    """`masking.columns` moves a column either way, as it does for the rows."""
    assert _masked_decision(("public.claims.status",), {"claims.status": "PERSON"}) == "approve"
    assert _masked_decision(("public.somewhere.frobnication",), {"frobnication": "KEEP"}) == "allow"


def test_without_an_answer_every_condition_counts_as_masked() -> None:
    rules = [rule("a", "allow"), rule("o", "approve", predicate_masked=True)]
    action = Action("ehr", "sql", {"sql": "…", "params": []}, AGENT, "rest")
    description = Description(RiskClass.READ, detail={"predicate_columns": ["public.t.id"]})
    assert evaluate(rules, action, description, now=WEDNESDAY_10AM_NY).outcome == "approve"
