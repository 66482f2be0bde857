"""The one masker rule (`Execution.masker_for`, `masker_before_run`): what a door shows
before a run is decided masks at least as much as the run, and never reveals."""

from __future__ import annotations

from phigate.core.actions import Action
from tests.conftest import Harness

TEXT = "SELECT id, first_name, dob FROM patients WHERE id = $1"


async def test_before_a_run_the_decided_profile_masks_without_the_reveal(
    harness: Harness,
) -> None:
    gateway = harness.gateway
    dana = await gateway.authenticate(harness.tokens["dana"])
    plain = await gateway.admit(
        Action("ehr", "sql", {"sql": TEXT, "params": ["1"]}, dana, "pgwire")
    )
    before = gateway.masker_before_run(dana, plain.record.masking)
    # The same masker the run gets, not a second one built for the statement.
    assert before is gateway.masker_for(plain.record)
    revealing = Action("ehr", "sql", {"sql": TEXT, "params": ["1"]}, dana, "pgwire", reveal=("*",))
    asked = await gateway.admit(revealing)  # waits for reviewers; its run would reveal
    run = gateway.masker_for(asked.record)
    assert "PERSON" not in run.types
    before = gateway.masker_before_run(dana, asked.record.masking)
    assert "PERSON" in before.types and before.types > run.types


async def test_with_no_decision_the_default_profile_masks(harness: Harness) -> None:
    gateway = harness.gateway
    dana = await gateway.authenticate(harness.tokens["dana"])
    masker = gateway.masker_before_run(dana)
    assert masker.profile == "hipaa-safe-harbor"
    assert "PERSON" in masker.types
