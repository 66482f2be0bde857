"""Round 15b of the promises-only attack: the data side, what flows back.

Each finding is a strict xfail (`finding`): it turns red the moment it is fixed, so
whoever fixes one removes its mark. Unmarked tests are attacks that held.
"""

from __future__ import annotations

import pytest

from tests.adversarial.doors import REST, assert_needs_approval, cases, through
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
