"""Adversarial generator: hostile SELECTs, row-count channels and hidden writes,
composed with Hypothesis and run through the gateway's front doors and directly
against the upstream.

What is promised (README, docs/masking.md, docs/sql.md, the demo policy) and so
what is checked, for the agent `claims-bot` acting for `dana`:

1. No PHI in anything the agent gets back (rows, row counts, command tags, error
   messages, notices, EXPLAIN output), raw or trivially decodable. The oracle
   (`tests/adversarial/harness.py`, class `Oracle`) knows every PHI value in the
   upstream (patients' names, SSN, MRN, date of birth, e-mail, phone, address,
   city, ZIP; claims' member ids; provider names in encounters/notes) and, for
   each, its raw, lower, upper, reversed, digits-only (>= 6 digits), base64 and hex
   forms, and a date of birth also as MM/DD/YYYY. Needles shorter than 4
   characters, and words on a stop list that also occur in PostgreSQL messages or
   the demo's non-PHI vocabulary (`Will`, `Lake`, `Cardiology` ...), are ignored.
   A needle counts as leaked only when it occurs in the gateway's answer as a
   token of its own (its edge characters are not glued to letters/digits of the
   same case class, so `Hall` is not found in `Marshall`), does not occur in the
   statement text, and also occurs in the upstream's own answer to the same
   statement (run on a copy of the database, read-only, rolled back): the value
   was really produced by the statement, not a coincidence. Partial values
   (first three letters, the last four SSN digits) and other encodings (a
   shifted date, a Caesar shift) are not recognised: the oracle under-reports.
2. Reads whose rows are decided by a masked value need approval: `predicate`
   attacks hide a filter, sort or grouping on a masked column (behind EXPLAIN,
   `(p).ssn`, JSON of the row, aliases, jsonpath ...), and running one at all
   (executed or failed upstream) without approval is a finding; `channel` attacks
   make the row count (or an EXPLAIN ANALYZE row count) equal to the character
   code of one PHI character, and executing it with that count is a leak, as is
   running a division that fails or not on one character.
3. Nothing changes the upstream without approval: the upstream's tables, its
   relations and its large objects are checksummed around every statement; no
   approval is ever given in this suite, so any change is a finding.

Statistics are gathered first (ANALYZE, as autovacuum does in any deployment),
so `catalog` attacks can read pg_stats. A statement that is denied or waits for
approval passes. Every attack goes through
REST; about one in eight reads, one in six channels, one in four writes and every
PREPARE/DECLARE session also go through the wire door with psycopg (simple or
extended protocol, or a server-side cursor for a quarter of the reads); sessions
marked wire-only skip REST.

Runs are deterministic (`derandomize=True`): the same code and the same
PHIGATE_FUZZ_EXAMPLES replay the same statements. Every statement tried is
printed (see it with `-s`), with its outcome per door, and a summary at the end.

    PHIGATE_FUZZ_EXAMPLES   how many attacks (default 300: CI, well under 2 minutes)
    PHIGATE_FUZZ_STRICT     on by default (CI): fail, and shrink to a minimal
                            statement, on the first finding. `=0` reports every
                            finding instead (what `make fuzz` does), for a large
                            run's summary; findings still open are pinned as
                            xfail(strict=True) regressions in test_findings.py.
    PHIGATE_FUZZ_VERBOSE=0  do not print every statement

`make fuzz` runs 10,000.
"""

from __future__ import annotations

import os
import re
import time
from collections import Counter
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from tests.adversarial.grammar import Attack, attacks
from tests.adversarial.harness import Bench, Oracle, Outcome, checksum, run_direct

EXAMPLES = int(os.environ.get("PHIGATE_FUZZ_EXAMPLES", "300"))
STRICT = os.environ.get("PHIGATE_FUZZ_STRICT", "1") not in ("", "0")
VERBOSE = os.environ.get("PHIGATE_FUZZ_VERBOSE", "1") not in ("", "0")


@dataclass
class Finding:
    kind: str  # leak | channel | predicate | write
    door: str
    sql: str
    what: str  # table.column/form (or "upstream changed")
    tags: tuple[str, ...]
    example: str = ""  # one leaked needle, or the revealed character code
    count: int = 1  # how many distinct needles of that column and form

    def signature(self) -> tuple[str, ...]:
        return (self.kind, self.door.split("-")[0], *self.tags[:2], self.what)


@dataclass
class Tally:
    outcomes: Counter[str] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    findings: list[Finding] = field(default_factory=list)
    tried: int = 0
    baseline: str = ""


def _row_count_reveals(outcome: Outcome, expected: int) -> bool:
    if expected <= 1:
        return False
    if f'"row_count": {expected},' in outcome.text or f'"row_count":{expected},' in outcome.text:
        return True
    if f"rowcount={expected} " in outcome.text:
        return True
    if re.search(rf"\brows={expected}\b", outcome.text):
        return True
    # a single returned value equal to the code ("SELECT ascii(...) + 0 AS n")
    return bool(re.search(rf"\[\[{expected}\]\]|\[\[\"{expected}\"\]\]", outcome.text))


def attempt(bench: Bench, oracle: Oracle, tally: Tally, attack: Attack) -> list[Finding]:
    tally.tried += 1
    tally.kinds[attack.kind] += 1
    outcomes: list[Outcome] = []
    found: list[Finding] = []
    for door in (["rest"] if not attack.wire_only else []) + (["wire"] if attack.wire else []):
        try:
            if door == "rest":
                outcome = bench.rest(attack.text)
            else:
                outcome = bench.wire(
                    list(attack.statements), simple=attack.simple, named=attack.named
                )
                outcome.door = (
                    "wire-named-cursor"
                    if attack.named
                    else "wire-simple"
                    if attack.simple
                    else "wire-extended"
                )
        except Exception as e:  # a broken door is not a pass, but not a leak either
            outcome = Outcome(door, "harness-error", f"{type(e).__name__}: {e}")
        outcomes.append(outcome)
        tally.outcomes[f"{outcome.door}:{outcome.status}"] += 1
        after = checksum(bench.ehr_dsn)
        if after != tally.baseline:
            found.append(
                Finding("write", outcome.door, attack.text, "upstream changed", attack.tags)
            )
            tally.baseline = after
    ran = [o for o in outcomes if o.status in ("executed", "error", "failed")]
    if ran:
        try:
            direct = run_direct(bench.copy_dsn, list(attack.statements))
        except Exception as e:  # the oracle cannot judge this one
            tally.outcomes[f"direct:harness-error {type(e).__name__}"] += 1
            direct = ""
        for o in ran:
            grouped: dict[str, list[str]] = {}
            for n in oracle.leaks(o.text, attack.text, direct):
                grouped.setdefault(f"{n.column}/{n.form}", []).append(n.text)
            for what, texts in grouped.items():
                found.append(
                    Finding("leak", o.door, attack.text, what, attack.tags, texts[0], len(texts))
                )
        if attack.kind == "predicate":
            for o in ran:
                found.append(
                    Finding(
                        "predicate",
                        o.door,
                        attack.text,
                        f"patients.{attack.tags[2]}/decides rows",
                        attack.tags,
                        f"ran without approval: {o.status}",
                    )
                )
        if attack.kind == "channel":
            e = attack.expect
            expected = int(
                run_direct(
                    bench.copy_dsn,
                    [
                        f"SELECT ascii(substr({e['column']}, {e['pos']}, 1)) FROM patients"
                        f" WHERE id = {e['id']}"
                    ],
                )
                .split("\n")[0]
                .strip("[]")
            )
            for o in ran:
                if attack.tags[1].startswith("error_bit"):
                    # executed or failed: either way one bit of the value came back
                    found.append(
                        Finding(
                            "channel",
                            o.door,
                            attack.text,
                            f"patients.{e['column']}/error bit",
                            attack.tags,
                            f"char {e['pos']} = {expected}: {o.status}",
                        )
                    )
                elif o.status == "executed" and _row_count_reveals(o, expected):
                    found.append(
                        Finding(
                            "channel",
                            o.door,
                            attack.text,
                            f"patients.{e['column']}/row count",
                            attack.tags,
                            f"char {e['pos']} = {expected}",
                        )
                    )
    if VERBOSE:
        marks = " ".join(f"{o.door}={o.status}" for o in outcomes)
        flag = (
            "  !! " + "; ".join(f"{f.kind} {f.door} {f.what} {f.example!r}" for f in found)
            if found
            else ""
        )
        print(f"[{tally.tried}] {attack.kind} {marks} :: {attack.text[:400]}{flag}")
    tally.findings.extend(found)
    return found


def summary(tally: Tally, seconds: float) -> str:
    lines = [
        f"adversarial fuzz: {tally.tried} attacks in {seconds:.0f}s "
        f"({', '.join(f'{k} {v}' for k, v in sorted(tally.kinds.items()))})",
        "outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(tally.outcomes.items())),
    ]
    totals: Counter[str] = Counter()
    for key, v in tally.outcomes.items():
        totals[key.split(":")[1]] += v
    lines.append("all doors: " + ", ".join(f"{k} {v}" for k, v in sorted(totals.items())))
    leaked = {f.sql for f in tally.findings}
    lines.append(
        f"findings: {len(tally.findings)} in {len(leaked)} statements, "
        + ", ".join(f"{k} {v}" for k, v in sorted(Counter(f.kind for f in tally.findings).items()))
    )
    by_sig: dict[tuple[str, ...], list[Finding]] = {}
    for f in tally.findings:
        by_sig.setdefault(f.signature(), []).append(f)
    ranked = sorted(by_sig.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    if len(ranked) > 80:
        lines.append(f"  (the 80 most frequent of {len(ranked)} kinds; every one is printed above)")
    for sig, fs in ranked[:80]:
        shortest = min(fs, key=lambda f: len(f.sql))
        lines.append(f"  {len(fs):4d} x {' / '.join(sig)}")
        lines.append(f"         e.g. {shortest.sql[:300]}  ->  {shortest.example[:80]!r}")
    return "\n".join(lines)


@pytest.mark.timeout(0)
# The gateway under attack runs on threads of this process, and its connection pool
# draws jitter from `random` whenever it opens a connection; Hypothesis would take
# that for a strategy using `random` (a warning, an error here) at whatever example
# it happens in.
@pytest.mark.filterwarnings("ignore:Do not use the `random` module inside strategies")
def test_generated_attacks_keep_the_promises(bench: Bench, oracle: Oracle) -> None:
    tally = Tally(baseline=checksum(bench.ehr_dsn))
    phases = [Phase.generate, Phase.shrink] if STRICT else [Phase.generate]

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=phases,
        suppress_health_check=list(HealthCheck),
    )
    @given(attack=attacks())
    def run(attack: Attack) -> None:
        found = attempt(bench, oracle, tally, attack)
        if STRICT:
            assert not found, "\n".join(
                f"{f.kind} via {f.door}: {f.what} {f.example!r}" for f in found
            )

    start = time.monotonic()
    try:
        run()
    finally:
        print("\n" + summary(tally, time.monotonic() - start))
    if not STRICT and tally.findings:
        # Findings are reported (above), not failed on, until PHIGATE_FUZZ_STRICT
        # is turned on: each distinct one is an xfail in test_findings.py.
        print(f"(not failing: PHIGATE_FUZZ_STRICT is off; {len(tally.findings)} findings)")
