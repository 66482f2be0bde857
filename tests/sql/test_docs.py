"""docs/sql.md documents every function list entry and every class."""

from __future__ import annotations

from pathlib import Path

from phigate.core.risk import RiskClass
from phigate.sql.functions import DANGEROUS_FUNCTIONS, DANGEROUS_PREFIXES, SAFE_FUNCTIONS

DOC = (Path(__file__).parents[2] / "docs" / "sql.md").read_text()


def test_every_listed_function_is_documented() -> None:
    names = [*SAFE_FUNCTIONS, *DANGEROUS_FUNCTIONS, *(p + "*" for p in DANGEROUS_PREFIXES)]
    missing = [n for n in names if f"`{n}`" not in DOC]
    assert not missing


def test_every_class_is_documented() -> None:
    assert all(f"| {risk} |" in DOC for risk in RiskClass)
