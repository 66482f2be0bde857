"""Round 25c: a promises-only attack on promise 2 for SQL reads through every door:
where a value can come back without passing the row masker (error messages, notices,
session settings, statistics, EXPLAIN, COPY, binary results).

Most value-dependent reads (a cast of a PHI column, `EXPLAIN`, `COPY … TO STDOUT`)
wait for a data owner, whose approval is for the read as masked (the demo policy's
`filtering-on-identifiers-needs-a-data-owner` and `writes-and-exports-…` keep
`hipaa-safe-harbor`): no reveal is asked for or granted. The findings are what comes
back unmasked once such a read is approved. Each was a strict xfail through a real
door (`@finding`), its mark removed once fixed; attacks that held are ordinary tests.
"""

from __future__ import annotations

import asyncio

import psycopg
import pytest

from tests.adversarial.doors import REST, SIMPLE, through
from tests.adversarial.harness import Bench, Oracle, Outcome, run_direct


async def _approve(bench: Bench, sql: str) -> int:
    """A data owner (alice) approves every pending request for exactly `sql`."""
    gateway = bench.gateway
    alice = await gateway.authenticate(bench.tokens["alice"])
    approved = 0
    for approval in await asyncio.to_thread(gateway.list_approvals, state="pending"):
        record = await asyncio.to_thread(gateway.action, approval.action_id)
        if str(record.action.body.get("sql", "")).strip() == sql:
            await gateway.vote(approval.id, alice, "approve")
            approved += 1
    return approved


def _approved(bench: Bench, door: str, sql: str) -> Outcome:
    """`sql` sent, approved by a data owner as the masked read it asks for, sent again."""
    asked = through(bench, door, [sql])
    if asked.status != "approval":
        return asked  # refused or run at once: judged as it is
    if bench.call(_approve(bench, sql)) != 1:
        raise RuntimeError(f"no pending request for {sql!r}")
    return through(bench, door, [sql])


def _assert_no_leak(oracle: Oracle, bench: Bench, outcome: Outcome, sql: str) -> None:
    leaked = oracle.leaks(outcome.text, sql, run_direct(bench.copy_dsn, [sql]))
    assert not leaked, (
        f"{outcome.door} {outcome.status}: "
        + ", ".join(f"{n.column}/{n.form} {n.text!r}" for n in leaked[:5])
        + f"\n{outcome.text[:400]}"
    )


# ── 1. a quoted value shaped like two quoted spans passes the error scrubber ────
_QUOTED = (
    "SELECT ('x\" ' || string_agg(reverse(last_name), ' ') || ' \"y')::int "
    "FROM patients WHERE id < 6"
)


@pytest.mark.parametrize("door", [REST, SIMPLE])
def test_an_error_cannot_hand_out_data_between_two_quoted_spans(
    bench: Bench, oracle: Oracle, door: str
) -> None:
    """Promise 2: error messages are masked. The cast fails on
    `"x" seniaG egroeG … "y"`; `server_messages._quoted_data` keeps a double-quoted
    region when its inside spans are the caller's own (`x`, `y`) and what lies between
    them is set off by spaces (`_plain`: read as the server's own words). The data
    between is then left to the detectors, which cannot read reversed (or
    letter-for-digit) text: five surnames, or any column of a whole table, come back
    in one error after an approval for a masked read."""
    _assert_no_leak(oracle, bench, _approved(bench, door, _QUOTED), _QUOTED)


# ── 2. values the server prints unquoted: only numbers are taken out ─────────────
_DOTTED = (
    "SELECT ('a.b.c.' || string_agg(reverse(last_name), '_'))::regclass FROM patients WHERE id < 6"
)


@pytest.mark.parametrize("door", [REST, SIMPLE])
def test_an_error_cannot_hand_out_data_the_server_prints_unquoted(
    bench: Bench, oracle: Oracle, door: str
) -> None:
    """`improper relation name (too many dotted names): a.b.c.<value>`: PostgreSQL
    prints the name list unquoted (`NameListToString`). The scrubber replaces quoted
    spans and bare numbers only (`_bare_numbers`), so the letters of a computed value
    reach the detectors, which cannot read reversed surnames."""
    _assert_no_leak(oracle, bench, _approved(bench, door, _DOTTED), _DOTTED)


# ── 3. ParameterStatus is relayed as the server sent it ──────────────────────────
_SET_NAME = (
    "SELECT set_config('application_name', "
    "(SELECT string_agg(last_name || ' ' || ssn, ';') FROM patients WHERE id < 4), false)"
)


def _set_in_session(bench: Bench, sql: str) -> tuple[str, list[str]]:
    """`sql` run in a wire session once approved: the application_name the server
    reported (ParameterStatus) and the rows of `SHOW application_name`."""
    with psycopg.connect(bench.wire_dsn(), autocommit=True) as conn:
        try:
            conn.execute(sql)
        except psycopg.Error as e:
            if e.sqlstate != "55000":  # refused outright: nothing was set
                return conn.info.parameter_status("application_name") or "", []
            if bench.call(_approve(bench, sql)) != 1:
                raise RuntimeError(f"no pending request for {sql!r}") from e
            conn.execute(sql).fetchall()
        shown = [str(r[0]) for r in conn.execute("SHOW application_name").fetchall()]
        return conn.info.parameter_status("application_name") or "", shown


def _ssns(bench: Bench) -> list[str]:
    with psycopg.connect(bench.copy_dsn) as conn:
        rows = conn.execute("SELECT ssn FROM patients WHERE id < 4 ORDER BY id").fetchall()
    return [str(r[0]) for r in rows]


def test_a_reported_setting_does_not_carry_data_past_the_masker(bench: Bench) -> None:
    """Promise 2 on the wire. `set_config('application_name', <SSNs and surnames>)`
    is a read (application_name is a harmless client setting) that waits for a data
    owner since its value depends on masked columns; its row comes back `[SSN]`. But
    the server then reports the new value in a ParameterStatus message, and
    `_relay.Relay._asynchronous` relays it as sent (`msg.raw()`): every client library
    hands it to the agent (`conn.info.parameter_status`), formatted SSNs included."""
    reported, _ = _set_in_session(bench, _SET_NAME)
    shown = [ssn for ssn in _ssns(bench) if ssn in reported]
    assert not shown, f"ParameterStatus application_name = {reported!r}"


# ── 4. a setting launders a computed value into an ordinary text column ──────────
_SET_REVERSED = (
    "SELECT set_config('application_name', "
    "(SELECT string_agg(reverse(last_name), ' ') FROM patients WHERE id < 6), false)"
)


def test_a_setting_read_back_is_withheld_when_computed_from_phi(
    bench: Bench, oracle: Oracle
) -> None:
    """docs/masking.md: a column computed from free text by anything but a join
    (`reverse`, `encode`, …) is withheld whole, since no detector reads it. Stored in
    application_name by an approved masked read, the reversed surnames come back from
    `SHOW application_name` (or `current_setting`) as a session value of no table,
    scanned as free text only: every reversed surname passes."""
    _, shown = _set_in_session(bench, _SET_REVERSED)
    reversed_names = "SELECT string_agg(reverse(last_name), ' ') FROM patients WHERE id < 6"
    direct = run_direct(bench.copy_dsn, [reversed_names])
    leaked = oracle.leaks(" ".join(shown), _SET_REVERSED, direct)
    assert not leaked, f"SHOW application_name = {shown!r}"


# ── attacks that held ─────────────────────────────────────────────────────────────
@pytest.mark.parametrize(
    "sql",
    [
        "SELECT most_common_vals::text FROM pg_stats WHERE tablename = 'patients'",
        "SELECT query FROM pg_stat_activity",
        "DO $$BEGIN RAISE NOTICE '%', (SELECT reverse(last_name) FROM patients LIMIT 1); END$$",
        "SELECT query_to_xml('select ssn from patients', true, false, '')",
    ],
)
def test_held_statistics_activity_and_raise_are_refused(bench: Bench, sql: str) -> None:
    assert through(bench, SIMPLE, [sql]).status in ("denied", "approval")


def test_held_binary_results_of_masked_columns_are_masked(bench: Bench, oracle: Oracle) -> None:
    sql = "SELECT ROW(ssn, last_name), p, convert_to(ssn, 'UTF8') FROM patients p LIMIT 3"
    with psycopg.connect(bench.wire_dsn(), autocommit=True) as conn:
        rows = conn.cursor(binary=True).execute(sql).fetchall()
    leaked = oracle.leaks(repr(rows), sql, run_direct(bench.copy_dsn, [sql]))
    assert not leaked, rows
