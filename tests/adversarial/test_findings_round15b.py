"""Round 15b of the promises-only attack: the data side, what flows back.

Each finding is a strict xfail (`finding`): it turns red the moment it is fixed, so
whoever fixes one removes its mark. Unmarked tests are attacks that held.
"""

from __future__ import annotations

import json

import pytest

from tests.adversarial.doors import REST, SIMPLE, assert_needs_approval, cases, through
from tests.adversarial.harness import Bench, finding

# ---------------------------------------------------------------- masked, yet filterable


@finding(1, "a condition on a masked date or name the demo policy does not list runs at once")
@pytest.mark.parametrize(
    ("door", "statements"),
    cases(
        (REST,),
        # encounter 1's date is shown as "2024"; the exact day comes back one bit at a time
        "SELECT id FROM encounters WHERE id = 1 AND encounter_date = '2024-11-23'",
        "SELECT id FROM claims WHERE id = 1 AND service_date > '2025-06-03'",
        "SELECT id FROM clinical_notes WHERE id = 1 AND written_at < '2026-01-01 03:00'",
        # provider and author are shown as [PERSON]; their names come back letter by letter
        "SELECT count(*) FROM encounters WHERE provider LIKE 'F%'",
        "SELECT id FROM clinical_notes WHERE id = 1 ORDER BY author",
    ),
)
def test_a_condition_on_any_masked_column_needs_approval(
    bench: Bench, door: str, statements: list[str]
) -> None:
    """README: the demo policy makes reads that "filter, join or sort on masked
    columns" wait for a data owner. The rows show `encounters.encounter_date`,
    `claims.service_date` and `clinical_notes.written_at` generalised to a year
    (dates of service are Safe Harbor identifiers) and `encounters.provider`,
    `clinical_notes.author` as [PERSON], but the rule
    `filtering-on-identifiers-needs-a-data-owner` (ops/demo/policy.yaml) lists only
    the patients columns, claims.member_id and note_text, so a WHERE on these runs
    at once and reads the masked value back."""
    before = through(bench, door, ["SELECT encounter_date, provider FROM encounters WHERE id = 1"])
    assert "[PERSON]" in before.text and "2024-11-23" not in before.text, before.text[:300]
    assert_needs_approval(bench, door, statements)


# ---------------------------------------------------------------- one operator for two sources


def _cell(bench: Bench, door: str, sql: str) -> str:
    outcome = through(bench, door, [sql])
    assert outcome.status == "executed", outcome.text[:300]
    rows = json.loads(outcome.text.split("\n")[0])
    if door == REST:
        rows = rows["result"]["rows"]
    return str(rows[0][0])


@finding(2, "a date's digits beside a ZIP are masked as a ZIP: its first three show")
@pytest.mark.parametrize("door", [REST, SIMPLE])
def test_a_date_beside_a_zip_is_not_shown_by_the_zip_mask(bench: Bench, door: str) -> None:
    """docs/masking.md: a DATE is shown as its year (or "1936 or earlier" past 89), a
    ZIP as its first three digits. A column computed from both gets one operator, the
    higher-ranked type's (masking/entities.py `_RANKED`: ZIP above DATE), and the ZIP
    operator keeps the first three digits of whatever text it is given. `substr` with
    constant bounds and `::text` are total, so no condition, no approval: patient 1's
    month and day of birth (1934-04-22) come back as "043**" and "223**"."""
    month = _cell(
        bench, door, "SELECT concat(substr(dob::text, 6, 2), zip) FROM patients WHERE id = 1"
    )
    day = _cell(
        bench, door, "SELECT concat(substr(dob::text, 9, 2), zip) FROM patients WHERE id = 1"
    )
    assert not month.startswith("04"), f"month of birth shown: {month!r}"
    assert not day.startswith("22"), f"day of birth shown: {day!r}"
