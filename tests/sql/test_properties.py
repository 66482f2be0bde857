"""Property tests: classification never crashes, and hiding a statement never lowers its class."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from phigate.core.risk import RiskClass
from phigate.sql import SqlAnalysis, classify

from .catalogue import CATALOGUE

PARSABLE = [c.sql for c in CATALOGUE if c.sql.strip() and classify(c.sql).error is None]
# Statements that may stand as the body of a CTE (the rest do not parse there: unknown).
CTE_BODIES = [
    sql
    for sql in PARSABLE
    if sql.lstrip().split(None, 1)[0].upper() in {"SELECT", "INSERT", "UPDATE", "DELETE", "VALUES"}
    and ";" not in sql
]

statements = st.sampled_from(PARSABLE)
# Comment text: anything but comment delimiters (nesting is tested explicitly below).
comment_text = st.text(
    alphabet=st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",))
).map(lambda s: s.replace("*/", "* /").replace("/*", "/ *"))
line_comment_text = comment_text.map(lambda s: s.replace("\n", " ").replace("\r", " "))
quick = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@quick
@given(st.text())
def test_never_crashes_on_any_text(text: str) -> None:
    result = classify(text)
    assert isinstance(result, SqlAnalysis)
    assert result.risk in RiskClass
    assert result.reasons


@quick
@given(st.lists(st.sampled_from([*PARSABLE, "(", ")", ";", "'", "$$", "/*", "*/", "--", "\n"])))
def test_never_crashes_on_fragments(parts: list[str]) -> None:
    result = classify(" ".join(parts))
    assert result.risk in RiskClass
    if result.error is not None:
        assert result.risk is RiskClass.UNKNOWN


@quick
@given(statements, statements)
def test_appending_a_statement_never_lowers_the_class(first: str, second: str) -> None:
    combined = classify(f"{first}\n;\n{second}")
    assert combined.risk >= classify(first).risk
    assert combined.risk >= classify(second).risk


@quick
@given(st.sampled_from(CTE_BODIES), st.sampled_from(["SELECT 1", "SELECT * FROM w"]))
def test_wrapping_in_a_cte_never_lowers_the_class(body: str, main: str) -> None:
    wrapped = classify(f"WITH w AS ({body}) {main}")
    assert wrapped.risk >= classify(body).risk


@quick
@given(statements, comment_text, line_comment_text)
def test_comments_never_change_the_class(sql: str, block: str, line: str) -> None:
    expected = classify(sql).risk
    assert classify(f"/* {block} */ {sql}").risk is expected
    assert classify(f"-- {line}\n{sql}").risk is expected
    assert classify(f"/* /* {block} */ */{sql}").risk is expected


def test_cte_wrapping_covers_writes() -> None:
    assert any(classify(b).risk is RiskClass.WRITE for b in CTE_BODIES)
    assert any(classify(b).risk is RiskClass.ADMIN for b in CTE_BODIES)
