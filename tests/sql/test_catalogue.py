"""Every catalogue statement gets exactly its expected class."""

from __future__ import annotations

import pytest

from phigate.core.risk import RiskClass
from phigate.sql import classify

from .catalogue import CATALOGUE, Case


def test_catalogue_is_large_and_covers_every_class() -> None:
    assert len(CATALOGUE) >= 150
    assert {case.risk for case in CATALOGUE} == set(RiskClass)
    assert len({case.sql for case in CATALOGUE}) == len(CATALOGUE)


@pytest.mark.parametrize("case", CATALOGUE, ids=[c.sql[:60] for c in CATALOGUE])
def test_catalogue_class(case: Case) -> None:
    result = classify(case.sql)
    assert result.risk is case.risk, result.reasons
    assert result.reasons, "every class comes with a reason"
