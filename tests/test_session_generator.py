"""The session's random generator carries no data from one statement to the next
(round 28a, findings 1 and 2; `phigate.sql.session_generator`).

Which statements may leave data in it (by the classifier), and that the gateway's own
pooled connection is reseeded after running one, so a later `SELECT random()` through
REST, on the same connection, draws nothing the rows decided.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from phigate.core.risk import RiskClass
from phigate.sql.describe import describe_sql
from phigate.sql.session_generator import seeds_from_data
from tests.conftest import demo_config, make_harness


@pytest.mark.parametrize(
    ("sql", "risk", "seeds"),
    [
        # A seed the caller wrote, and draws with no relation read: nothing from data.
        ("SELECT setseed(0.5)", RiskClass.READ, False),
        ("SELECT setseed(-0.5)", RiskClass.READ, False),
        ("SELECT setseed($1)", RiskClass.READ, False),
        ("SELECT random(), random_normal(), random(1, 6)", RiskClass.READ, False),
        ("SELECT gen_random_uuid() FROM patients", RiskClass.READ, False),
        # A computed seed writes session state from data.
        (
            "SELECT setseed((dob - date '1900-01-01') / 100000.0) FROM patients",
            RiskClass.WRITE,
            True,
        ),
        ("SELECT setseed(0.1 + 0.2)", RiskClass.WRITE, True),
        ("SELECT setseed()", RiskClass.WRITE, True),
        # Draws whose number depends on the rows.
        ("SELECT coalesce(email, random()::text) FROM patients", RiskClass.READ, True),
        ("SELECT id FROM patients WHERE ssn LIKE '1%' AND random() < 2", RiskClass.READ, True),
        ("SELECT array_shuffle(array[id]) FROM patients", RiskClass.READ, True),
        ("SELECT pg_catalog.array_sample(array[ssn], 1) FROM patients", RiskClass.READ, True),
    ],
)
def test_which_statements_may_seed_the_generator_from_data(
    sql: str, risk: RiskClass, seeds: bool
) -> None:
    description = describe_sql(sql)
    assert description.risk is risk, description.reasons
    assert seeds_from_data(description) is seeds


async def test_a_pooled_connection_is_reseeded_after_a_draw_that_read_rows(
    tmp_path: Path, ehr_dsn: str
) -> None:
    """With one pooled connection, both statements run on it: after a statement that
    seeds and draws while reading rows, the next draw is not the seeded sequence's."""
    settings = demo_config(tmp_path, ehr_dsn)
    ehr = settings.connections["ehr"].model_copy(
        update={"pool_size": 1, "max_connections_per_principal": 1}
    )
    settings = settings.model_copy(update={"connections": {**settings.connections, "ehr": ehr}})
    harness = await make_harness(settings)
    try:
        seeded = await harness.submit("dana", "SELECT setseed(0.5), random() FROM patients LIMIT 1")
        assert seeded.status_code == 200, seeded.text
        first = float(seeded.json()["result"]["rows"][0][1])
        expected = await harness.submit("dana", "SELECT setseed(0.5), random(), random()")
        second = float(expected.json()["result"]["rows"][0][2])
        assert first == float(expected.json()["result"]["rows"][0][1])
        seeded = await harness.submit("dana", "SELECT setseed(0.5), random() FROM patients LIMIT 1")
        drawn = await harness.submit("dana", "SELECT random()")
        assert drawn.status_code == 200, drawn.text
        assert float(drawn.json()["result"]["rows"][0][0]) != second
    finally:
        await harness.client.aclose()
        await harness.gateway.close()
