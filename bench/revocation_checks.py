"""Benchmark: what checking for revoked tokens costs, on SQLite and PostgreSQL state.

Wire sessions are not checked per statement: each listener checks all its open
sessions' tokens in one query every `pgwire.revocation_check_seconds`, so a
statement pays nothing; this prints that query's time for N sessions, and what it
would add per statement if it were run on every one. Console requests read the
session's token row in the session lookup; this prints that lookup with and
without a token, and one sweep (`console.session_sweep_seconds`) over N sessions.

    .venv/bin/python bench/revocation_checks.py [--sessions 64] [--runs 300]

Not part of the test suite.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from phigate.doors.console.sessions import SessionStore, session_key
from phigate.identity.principal import Principal, PrincipalKind
from phigate.identity.tokens import TokenStore
from phigate.ops.pgserver import EmbeddedPostgres
from phigate.store import Database

KEY = b"a token key of at least sixteen bytes"


def p50_ms(run: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def measure(label: str, url: str, sessions: int, runs: int) -> None:
    db = Database(url)
    db.migrate()
    try:
        tokens = TokenStore(db, KEY)
        store = SessionStore(db, session_key(KEY), 3600)
        ids, token_sessions = [], []
        for n in range(sessions):
            _, info = tokens.create(subject=f"reviewer{n}", kind=PrincipalKind.HUMAN)
            ids.append(info.id)
            principal = tokens.authenticate(_)
            token_sessions.append(store.create(principal, "token").id)
        demo = Principal("demo", PrincipalKind.HUMAN, frozenset(), None, "demo")
        demo_session = store.create(demo, "demo").id
        check = p50_ms(lambda: tokens.inactive(ids), runs)
        one = p50_ms(lambda: tokens.inactive(ids[:1]), runs)
        with_token = p50_ms(lambda: store.get(token_sessions[0]), runs)
        without = p50_ms(lambda: store.get(demo_session), runs)
        sweep = p50_ms(store.sweep, max(runs // 10, 5))
        print(f"{label}: wire check of {sessions} sessions' tokens, one query: {check:.3f} ms")
        print(f"{label}:   one token (what a per-statement check would add): {one:.3f} ms")
        print(f"{label}: console session lookup with token check {with_token:.3f} ms,")
        print(f"{label}:   without (demo/OIDC) {without:.3f} ms: +{with_token - without:.3f} ms")
        print(f"{label}: console sweep over {sessions + 1} sessions: {sweep:.3f} ms")
    finally:
        db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=64)
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        measure("sqlite", f"sqlite:///{Path(tmp) / 'state.db'}", args.sessions, args.runs)
        server = EmbeddedPostgres(Path(tmp) / "pg").start()
        try:
            measure("postgresql", server.dsn(), args.sessions, args.runs)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
