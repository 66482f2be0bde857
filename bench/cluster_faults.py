"""Three `phigate serve` processes on one PostgreSQL state, under faults, for longer.

Each round: writes through REST and the wire waiting on one replica and approved on
another (wake-up latency measured), slow runs on a replica whose clock is 30 s
behind, kill -9 of a replica running actions and holding waiting clients, a restart
of the state PostgreSQL with clients waiting, a restart of the upstream; agents read
through every replica meanwhile; every replica sends webhooks to a receiver here.
Then every pending request is decided and run, and the upstream's ledger, the state
store and the webhooks received are checked (tests/support/cluster.py).

Wake-up latency is from the reviewer's vote being acknowledged to the waiting
client's answer (which includes running the approved INSERT); for denied writes,
where nothing runs after the wake-up, it is reported apart.

Run: PYTHONPATH=src .venv/bin/python bench/cluster_faults.py [--quick] [--rounds N]
The last line: `cluster: N actions, lost=0 duplicated=0 unaudited=0 wakeup_p95_ms=NN`;
the exit code is 1 if any count is not zero or the audit chain does not verify.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.support

from tests.support.cluster import Cluster, Report, Tally, scenario


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples) or [0.0]
    return ordered[max(0, int(len(ordered) * q + 0.5) - 1)]


async def main(rounds: int, writes: int, base: Path) -> tuple[Report, Tally]:
    cluster = Cluster(base)
    try:
        await asyncio.to_thread(cluster.start)
        report = await scenario(cluster, rounds=rounds, writes=writes)
        return report, cluster.tally
    finally:
        await asyncio.to_thread(cluster.stop)
        tally = cluster.tally
        print(
            f"clients: {tally.answered} waiting clients answered, {tally.reads} reads, "
            f"{len(tally.wakeups_ms)} wake-ups measured; webhooks received: "
            f"{cluster.hooks.count('action.executed')} action.executed, "
            f"{cluster.hooks.count('approval.requested')} approval.requested, "
            f"{cluster.hooks.count('approval.decided')} approval.decided",
            flush=True,
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="one round, a few minutes")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--writes", type=int, default=30, help="approved writes per round")
    args = parser.parse_args()
    rounds, writes = (1, 12) if args.quick else (args.rounds, args.writes)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="phigate-cluster-") as tmp:
        report, tally = asyncio.run(main(rounds, writes, Path(tmp)))
    steady, denied = tally.steady_ms, tally.denied_ms
    for label, problems in (
        ("lost", report.lost),
        ("duplicated", report.duplicated),
        ("unaudited", report.unaudited),
    ):
        for problem in problems:
            print(f"{label}: {problem}")
    print(f"audit chain verifies: {report.audit_ok}; {time.monotonic() - started:.0f}s")
    print(f"wake-up latency: p50 {report.wakeup_p50_ms:.0f} ms, p95 {report.wakeup_p95_ms:.0f} ms")
    print(
        f"  of which without a fault under way ({len(steady)}): p50 {percentile(steady, 0.5):.0f} "
        f"ms, p95 {percentile(steady, 0.95):.0f} ms"
    )
    print(
        f"vote to a denied client's answer (the wake-up, nothing run; {len(denied)}): "
        f"p50 {percentile(denied, 0.5):.0f} ms, p95 {percentile(denied, 0.95):.0f} ms"
    )
    print("approved writes in the order answered (door:ms; ! = just after a restart):")
    print("  " + " ".join(tally.labelled))
    print(report.line())
    sys.exit(0 if report.ok else 1)
