"""What the findings tests share: the front doors, running statements through one of
them, and the two checks (no PHI comes back; a value-dependent read waits)."""

from __future__ import annotations

import pytest

from tests.adversarial.harness import Bench, Oracle, Outcome, run_direct

REST, SIMPLE, EXTENDED, NAMED = "rest", "wire-simple", "wire-extended", "wire-named-cursor"
ALL_DOORS = (REST, SIMPLE, EXTENDED)
WIRE = (SIMPLE, EXTENDED)


def through(bench: Bench, door: str, statements: list[str]) -> Outcome:
    if door == REST:
        return bench.rest("; ".join(statements))
    return bench.wire(statements, simple=door == SIMPLE, named=door == NAMED)


def assert_no_leak(bench: Bench, oracle: Oracle, door: str, statements: list[str]) -> None:
    outcome = through(bench, door, statements)
    direct = run_direct(bench.copy_dsn, statements)
    leaked = oracle.leaks(outcome.text, "; ".join(statements), direct)
    assert not leaked, (
        f"{door} {outcome.status}: "
        + ", ".join(f"{n.column}/{n.form} {n.text!r}" for n in leaked[:5])
        + f"\n{outcome.text[:600]}"
    )


def assert_needs_approval(bench: Bench, door: str, statements: list[str]) -> None:
    outcome = through(bench, door, statements)
    assert outcome.status in ("approval", "denied"), f"{door}: {outcome.text[:300]}"


def cases(doors: tuple[str, ...], *statements: str | tuple[str, ...]) -> list[object]:
    out = []
    for s in statements:
        stmts = [s] if isinstance(s, str) else list(s)
        for door in doors:
            out.append(pytest.param(door, stmts, id=f"{door}:{' ; '.join(stmts)[:60]}"))
    return out


def finding(reason: str) -> pytest.MarkDecorator:
    """An open finding: red the moment it is fixed, so its mark is removed then."""
    return pytest.mark.xfail(strict=True, raises=AssertionError, reason=f"finding: {reason}")
