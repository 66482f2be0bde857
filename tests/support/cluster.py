"""Several real `phigate serve` processes on one PostgreSQL state, and the faults they
must survive: kill -9 of a replica, a restart of the state database and of the
upstream, a replica whose clock is 30 s behind. Used by `tests/test_cluster_faults.py`
(short) and `bench/cluster_faults.py` (longer).

Every write is `INSERT INTO ledger VALUES ('<key>')` with a key used once, so the
upstream itself says whether an action ran twice, or ran without its records.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import psycopg
import sqlalchemy as sa

from phigate.audit.chain import AuditLog
from phigate.audit.keys import create_key_file
from phigate.config import parse_settings
from phigate.identity.principal import PrincipalKind
from phigate.ops.bootstrap import build_gateway
from phigate.ops.pgserver import EmbeddedPostgres, free_port
from phigate.store import Database
from phigate.store.tables import actions, approvals, audit_log
from tests.support.state import token_store

SRC = Path(__file__).resolve().parents[2] / "src"
HEARTBEAT = 0.5  # a replica silent for 6 beats (3 s) is dead
SKEW = -30.0  # the last replica's clock, in seconds
WAIT = 60  # how long a client waits for approval

CONFIG = """
state: {{url: "{state}", heartbeat_seconds: {heartbeat}}}
server: {{http_host: 127.0.0.1, http_port: {http}}}
secrets: {{token_hash_key: "{k1}", masking_key: "{k2}"}}
audit: {{signing_key: "file:{signing_key}"}}
connections:
  ehr: {{type: postgres, dsn: "{upstream}", listen: "127.0.0.1:{wire}"}}
pgwire: {{approval_wait_seconds: {wait}}}
channels:
  webhooks:
    - url: "http://127.0.0.1:{hooks}/hook"
      secret: "cluster"
      events: [approval.requested, approval.decided, action.executed, action.denied]
policy:
  rules:
    - {{name: reads, match: {{risk: [read]}}, decision: allow}}
    - name: writes-need-a-reviewer
      match: {{risk: [write]}}
      decision: approve
      approvals: {{count: 1, groups: [reviewers], expires_in: 3600}}
    - {{name: slow-probe, match: {{subjects: [slowbot], risk: [admin]}}, decision: allow}}
"""
IDENTITIES = {
    "bot": (PrincipalKind.AGENT, ("agents",), "dana"),
    "slowbot": (PrincipalKind.AGENT, ("agents",), "dana"),
    "rev1": (PrincipalKind.HUMAN, ("reviewers",), None),
    "rev2": (PrincipalKind.HUMAN, ("reviewers",), None),
}


@dataclass
class Replica:
    index: int
    http: int
    wire: int
    config: Path
    skew: float = 0.0
    ident: str = ""  # its id in `replicas`, learnt once it beats
    process: subprocess.Popen[bytes] | None = None
    log: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http}"

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


class Hooks:
    """A webhook receiver: counts each event's deliveries (retries of one delivery,
    same `X-Phigate-Delivery`, count once)."""

    def __init__(self) -> None:
        self.seen: dict[tuple[str, str], set[str]] = {}
        self.lock = threading.Lock()
        hooks = self

        class Receive(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                data = body["data"]
                subject = str(data.get("action_id") or data.get("id"))
                with hooks.lock:
                    deliveries = hooks.seen.setdefault((body["event"], subject), set())
                    deliveries.add(self.headers["X-Phigate-Delivery"])
                self.send_response(200)
                self.end_headers()

            def log_message(self, *_args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Receive)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="hooks")

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def duplicates(self) -> list[str]:
        with self.lock:
            return [
                f"webhook {event} for {subject} sent {len(ids)} times"
                for (event, subject), ids in self.seen.items()
                if len(ids) > 1
            ]

    def count(self, event: str) -> int:
        with self.lock:
            return sum(1 for (name, _subject) in self.seen if name == event)


@dataclass
class Tally:
    """What the clients saw."""

    wakeups_ms: list[float] = field(default_factory=list)
    steady_ms: list[float] = field(default_factory=list)  # those with no fault under way
    denied_ms: list[float] = field(default_factory=list)  # vote to a denied client's answer
    # Each approved write's latency in the order answered, as "door:ms" (`!` marks one
    # answered just after a restart), for reading where a slow sample came from.
    labelled: list[str] = field(default_factory=list)
    answered: int = 0
    unanswered: list[str] = field(default_factory=list)  # waiters on live replicas
    refused_in_outage: int = 0
    reads: int = 0


class Cluster:
    def __init__(self, base: Path, replicas: int = 3) -> None:
        self.base = base
        self.state_pg = EmbeddedPostgres(base / "state-pg")
        self.upstream_pg = EmbeddedPostgres(base / "upstream-pg")
        self.count = replicas
        self.replicas: list[Replica] = []
        self.tokens: dict[str, str] = {}
        self.tally = Tally()
        self.hooks = Hooks()
        self.seen: set[str] = set()  # replica ids learnt so far
        self.killed: set[str] = set()

    # ── start and stop ──────────────────────────────────────────────────────
    def start(self) -> None:
        self.hooks.start()
        self.state_pg.start()
        self.upstream_pg.start()
        with psycopg.connect(self.upstream_pg.dsn(), autocommit=True) as conn:
            conn.execute("CREATE TABLE ledger (key text NOT NULL)")
        keys = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        signing_key = self.base / "audit_signing_key.pem"  # one key for all replicas
        create_key_file(signing_key)
        for i in range(self.count):
            replica = Replica(i, free_port(), free_port(), self.base / f"replica-{i}.yaml")
            replica.config.write_text(
                CONFIG.format(
                    state=self.state_pg.dsn(),
                    upstream=self.upstream_pg.dsn(),
                    heartbeat=HEARTBEAT,
                    http=replica.http,
                    wire=replica.wire,
                    k1=keys[0],
                    k2=keys[1],
                    wait=WAIT,
                    signing_key=signing_key,
                    hooks=self.hooks.port,
                )
            )
            replica.skew = SKEW if i == self.count - 1 and self.count > 1 else 0.0
            self.replicas.append(replica)
        self._make_tokens()
        for replica in self.replicas:
            self.launch(replica)
            self.wait_ready(replica)

    def _make_tokens(self) -> None:
        settings = parse_settings(self.replicas[0].config.read_text(), source="cluster")
        gateway = build_gateway(settings, migrate=True)
        try:
            for subject, (kind, groups, on_behalf_of) in IDENTITIES.items():
                token, _ = token_store(gateway).create(
                    subject=subject, kind=kind, groups=groups, on_behalf_of=on_behalf_of
                )
                self.tokens[subject] = token
        finally:
            asyncio.run(gateway.close())

    def launch(self, replica: Replica) -> None:
        env = {**os.environ, "PYTHONPATH": str(SRC)}
        if replica.skew:
            env["PHIGATE_TEST_CLOCK_SKEW_SECONDS"] = str(replica.skew)
        replica.log = self.base / f"replica-{replica.index}.log"
        with replica.log.open("ab") as log:
            replica.process = subprocess.Popen(
                [sys.executable, "-m", "phigate", "serve", "--config", str(replica.config)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def wait_ready(self, replica: Replica, seconds: float = 60.0) -> None:
        """Until it answers /readyz and has beaten (its row tells its replica id)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert replica.alive, f"replica {replica.index} exited; see {replica.log}"
            if self._ready(replica) and (new := self._replica_ids() - self.seen):
                assert len(new) == 1, new  # replicas start one at a time
                replica.ident = new.pop()
                self.seen.add(replica.ident)
                return
            time.sleep(0.1)
        raise AssertionError(f"replica {replica.index} not ready; see {replica.log}")

    def _ready(self, replica: Replica) -> bool:
        try:
            return httpx.get(f"{replica.url}/readyz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def _replica_ids(self) -> set[str]:
        with psycopg.connect(self.state_pg.dsn()) as conn:
            return {row[0] for row in conn.execute("SELECT id FROM replicas")}

    def statuses(self, replica: Replica) -> Counter[str]:
        """How many of `replica`'s actions are in each status."""
        with psycopg.connect(self.state_pg.dsn()) as conn:
            rows = conn.execute(
                "SELECT status, count(*) FROM actions WHERE replica = %s GROUP BY status",
                (replica.ident,),
            )
            return Counter({status: n for status, n in rows})

    def kill(self, replica: Replica) -> None:
        assert replica.process is not None
        replica.process.send_signal(signal.SIGKILL)
        replica.process.wait()
        self.killed.add(replica.ident)

    def stop(self) -> None:
        for replica in self.replicas:
            if replica.alive and replica.process is not None:
                replica.process.terminate()
        for replica in self.replicas:
            if replica.process is not None:
                try:
                    replica.process.wait(30)
                except subprocess.TimeoutExpired:
                    replica.process.kill()
                    replica.process.wait()
        self.upstream_pg.stop()
        self.state_pg.stop()
        self.hooks.stop()

    # ── clients ─────────────────────────────────────────────────────────────
    def auth(self, subject: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[subject]}"}

    async def post(
        self, replica: Replica, path: str, subject: str, body: dict[str, Any], seconds: float
    ) -> httpx.Response:
        async with httpx.AsyncClient(base_url=replica.url, timeout=seconds) as client:
            return await client.post(path, headers=self.auth(subject), json=body)

    async def read_rest(self, replica: Replica) -> bool:
        try:
            response = await self.post(
                replica, "/v1/actions", "bot", {"connection": "ehr", "sql": SELECT}, 10
            )
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    async def read_wire(self, replica: Replica) -> bool:
        try:
            async with await psycopg.AsyncConnection.connect(
                self._wire_dsn(replica), autocommit=True, connect_timeout=5
            ) as conn:
                await (await conn.execute(SELECT)).fetchall()
        except psycopg.Error:
            return False
        return True

    def _wire_dsn(self, replica: Replica) -> str:
        token = self.tokens["bot"]
        return f"host=127.0.0.1 port={replica.wire} dbname=ehr user=bot password={token}"

    async def slow(self, replica: Replica, seconds: float) -> int | None:
        """A run that holds `executing` for `seconds` (slowbot may run pg_sleep)."""
        try:
            body = {"connection": "ehr", "sql": f"SELECT pg_sleep({seconds})"}
            response = await self.post(replica, "/v1/actions", "slowbot", body, seconds + 30)
        except httpx.HTTPError:
            return None
        return response.status_code

    def start_write(self, waiter: Replica, door: str, expect: str = "executed") -> Write:
        """A client sends one write through `door` ("rest" or "wire") to `waiter` and
        waits there for the decision; `expect` is the answer it should get."""
        key = f"w{secrets.token_hex(6)}"
        sql = f"INSERT INTO ledger (key) VALUES ('{key}')"
        answer = asyncio.create_task(self._wait_answer(waiter, door, sql, key, expect), name=key)
        return Write(key, waiter, answer, door)

    async def approve(
        self, write: Write, voter: Replica, *, steady: bool = False, vote: str = "approve"
    ) -> None:
        """A reviewer on `voter` votes; the latency to the client's answer is tallied."""
        approval_id = await self.find_pending(voter, write.key)
        voted = await self.post(
            voter, f"/v1/approvals/{approval_id}/{vote}", "rev1", {"comment": "ok"}, 30
        )
        assert voted.status_code == 200, voted.text
        done_at = time.monotonic()
        answered_at = await write.answer
        if answered_at is None:
            return
        latency = max(0.0, answered_at - done_at) * 1000
        if vote == "deny":  # nothing runs after the wake-up: the answer is the decision
            self.tally.denied_ms.append(latency)
            return
        self.tally.wakeups_ms.append(latency)
        self.tally.labelled.append(f"{write.door}:{latency:.0f}{'' if steady else '!'}")
        if steady:
            self.tally.steady_ms.append(latency)

    async def write(
        self, waiter: Replica, voter: Replica, door: str, *, steady: bool = False
    ) -> None:
        await self.approve(self.start_write(waiter, door), voter, steady=steady)

    async def denied_write(self, waiter: Replica, voter: Replica, door: str) -> None:
        await self.approve(self.start_write(waiter, door, "denied"), voter, vote="deny")

    async def _wait_answer(
        self, replica: Replica, door: str, sql: str, key: str, expect: str
    ) -> float | None:
        """The moment the waiting client got the answer it expects, or None (noted as
        unanswered when its replica is still alive: a surviving replica owes its
        clients answers)."""
        try:
            if door == "rest":
                body = {"connection": "ehr", "sql": sql, "reason": key, "wait": WAIT}
                response = await self.post(replica, "/v1/actions", "bot", body, WAIT + 30)
                ok = response.json().get("status") == expect
                why = f"answered {response.status_code}: {response.text[:200]}"
            else:
                async with await psycopg.AsyncConnection.connect(
                    self._wire_dsn(replica), autocommit=True, connect_timeout=5
                ) as conn:
                    await conn.execute(sql)  # type: ignore[arg-type]
                ok, why = expect == "executed", "ran"
        except (httpx.HTTPError, psycopg.Error, ValueError) as exc:
            ok, why = f"ended {expect}" in str(exc), repr(exc)  # the wire's refusal
        if ok:
            self.tally.answered += 1
            return time.monotonic()
        if replica.alive:
            self.tally.unanswered.append(f"{key} on replica {replica.index}: {why}")
        return None

    async def find_pending(self, replica: Replica, key: str, seconds: float = 30.0) -> str:
        deadline = time.monotonic() + seconds
        async with httpx.AsyncClient(base_url=replica.url, timeout=10) as client:
            while time.monotonic() < deadline:
                listed = await client.get("/v1/approvals?status=pending", headers=self.auth("rev1"))
                if listed.status_code == 200:
                    for item in listed.json()["approvals"]:
                        if key in json.dumps(item["action"]):
                            return str(item["id"])
                await asyncio.sleep(0.02)
        raise AssertionError(f"no pending approval for {key} on replica {replica.index}")

    # ── after the faults ────────────────────────────────────────────────────
    async def drain(self, replica: Replica) -> list[str]:
        """Decide every pending request and run every approved one, through `replica`.
        Returns what could not be (each is a lost action)."""
        problems: list[str] = []
        async with httpx.AsyncClient(base_url=replica.url, timeout=30) as client:
            listed = await client.get("/v1/approvals?status=pending", headers=self.auth("rev2"))
            for item in listed.json()["approvals"]:
                vote = await client.post(
                    f"/v1/approvals/{item['id']}/approve", headers=self.auth("rev2"), json={}
                )
                if vote.status_code != 200:
                    problems.append(f"approval {item['id']}: {vote.status_code} {vote.text}")
        db = Database(self.state_pg.dsn())
        try:
            with db.read() as conn:
                approved = conn.execute(
                    sa.select(actions.c.id).where(actions.c.status == "approved")
                ).scalars()
                approved_ids = list(approved)
        finally:
            db.dispose()
        async with httpx.AsyncClient(base_url=replica.url, timeout=30) as client:
            for action_id in approved_ids:
                run = await client.post(f"/v1/actions/{action_id}/run", headers=self.auth("bot"))
                if run.status_code != 200:
                    problems.append(f"run {action_id}: {run.status_code} {run.text}")
        return problems

    def check(self, problems: list[str]) -> Report:
        """The invariants, read from the upstream and the state store themselves."""
        with psycopg.connect(self.upstream_pg.dsn()) as conn:
            ran = Counter(key for (key,) in conn.execute("SELECT key FROM ledger"))
        db = Database(self.state_pg.dsn())
        try:
            report = _judge(db, ran, problems, self.tally, self.killed)
            report.lost += self._unsent_webhooks(db)
            report.duplicated += self.hooks.duplicates()
            return report
        finally:
            db.dispose()

    def _unsent_webhooks(self, db: Database, seconds: float = 30.0) -> list[str]:
        """Each action executed on a replica still alive is announced once (the audit
        tail sends it within a second or two). A killed replica's unsent ones are
        gone with it: delivery is at most once."""
        with db.read() as conn:
            executed = set(
                conn.execute(
                    sa.select(actions.c.id).where(
                        actions.c.status == "executed", actions.c.replica.not_in(self.killed)
                    )
                ).scalars()
            )
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with self.hooks.lock:
                missing = executed - {s for e, s in self.hooks.seen if e == "action.executed"}
            if not missing:
                return []
            time.sleep(0.2)
        return [f"no action.executed webhook for {action_id}" for action_id in sorted(missing)]


SELECT = "SELECT count(*) FROM ledger"


@dataclass
class Write:
    key: str
    waiter: Replica
    answer: asyncio.Task[float | None]
    door: str = "rest"


@dataclass
class Report:
    actions: int
    lost: list[str]
    duplicated: list[str]
    unaudited: list[str]
    audit_ok: bool
    wakeup_p50_ms: float
    wakeup_p95_ms: float

    def line(self) -> str:
        return (
            f"cluster: {self.actions} actions, lost={len(self.lost)} "
            f"duplicated={len(self.duplicated)} unaudited={len(self.unaudited)} "
            f"wakeup_p95_ms={self.wakeup_p95_ms:.0f}"
        )

    @property
    def ok(self) -> bool:
        return self.audit_ok and not (self.lost or self.duplicated or self.unaudited)


def _judge(
    db: Database, ran: Counter[str], problems: list[str], tally: Tally, killed: set[str]
) -> Report:
    audit = AuditLog(db)
    with db.read() as conn:
        rows = conn.execute(
            sa.select(actions.c.id, actions.c.status, actions.c.body, actions.c.replica)
        ).all()
        pending = conn.execute(
            sa.select(sa.func.count()).where(approvals.c.state.in_(["pending", "approved"]))
        ).scalar_one()
        seqs = [s for (s,) in conn.execute(sa.select(audit_log.c.seq).order_by(audit_log.c.seq))]
    events = Counter(
        (str(r.get("event")), str(r.get("action_id"))) for r in audit.records(limit=10**9)
    )
    lost = list(problems) + tally.unanswered
    if pending:
        lost.append(f"{pending} approvals still pending or approved-not-run after the drain")
    duplicated = [f"{key} ran {n} times" for key, n in ran.items() if n > 1]
    unaudited: list[str] = []
    by_key: dict[str, list[Any]] = {}
    for row in rows:
        body = row.body
        for key in ran:
            if key in body:
                by_key.setdefault(key, []).append(row)
        requests = events[("action.requested", row.id)] + events[("action.admitted", row.id)]
        if requests != 1:
            unaudited.append(f"{row.id} has {requests} requests")
        ends = {e: events[(f"action.{e}", row.id)] for e in ("executed", "failed", "interrupted")}
        if row.status in ends and (ends[row.status] != 1 or sum(ends.values()) != 1):
            # One outcome each: a run marked interrupted that then reports executed was
            # judged dead while it ran.
            unaudited.append(f"{row.id} {row.status} with outcome records {ends}")
        if row.status == "executing":
            lost.append(f"{row.id} still executing (replica {row.replica})")
        if row.status == "interrupted" and row.replica not in killed:
            lost.append(f"{row.id} of live replica {row.replica} was marked interrupted")
    for key in ran:
        runs = [r for r in by_key.get(key, []) if r.status != "pending_approval"]
        if not runs:
            unaudited.append(f"{key} ran without an action record")
    for row in rows:
        if row.status == "executed" and row.body.count("INSERT INTO ledger"):
            key = row.body.split("VALUES ('")[1].split("'")[0]
            if not ran.get(key):
                lost.append(f"{row.id} recorded executed but {key} is not in the ledger")
    verification = audit.verify()
    gaps = seqs != list(range(1, len(seqs) + 1))
    if gaps:
        unaudited.append("the audit log has gaps in its sequence")
    samples = sorted(tally.wakeups_ms) or [0.0]
    return Report(
        actions=len(rows),
        lost=lost,
        duplicated=duplicated,
        unaudited=unaudited,
        audit_ok=verification.ok,
        wakeup_p50_ms=statistics.median(samples),
        wakeup_p95_ms=samples[max(0, int(len(samples) * 0.95) - 1)],
    )


# ── the scenario ────────────────────────────────────────────────────────────
async def until(condition: Any, what: str, seconds: float = 30.0) -> None:
    """Wait for something the cluster makes true (a recovery, a restart)."""
    deadline = time.monotonic() + seconds
    while not await asyncio.to_thread(condition):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.1)


async def steady(cluster: Cluster, writes: int) -> list[str]:
    """Writes waiting on one replica and approved on the next, through REST and the
    wire; meanwhile slow runs on the replica whose clock is 30 s behind."""
    r, problems = cluster.replicas, []
    skewed = [asyncio.create_task(cluster.slow(r[-1], 4.0), name=f"slow-{i}") for i in range(2)]
    for start in range(0, writes, len(r)):
        batch = range(start, min(writes, start + len(r)))
        await asyncio.gather(
            *(
                cluster.write(r[i % len(r)], r[(i + 1) % len(r)], DOORS[i % 2], steady=True)
                for i in batch
            )
        )
    for i in range(max(len(r), writes // 4)):  # denials: the answer is the wake-up alone
        await cluster.denied_write(r[i % len(r)], r[(i + 1) % len(r)], DOORS[i % 2])
    for status in await asyncio.gather(*skewed):
        if status != 200:  # e.g. marked interrupted while it ran: taken for dead
            problems.append(f"a slow run on the skewed replica answered {status}")
    return problems


async def kill_busy_replica(cluster: Cluster) -> list[str]:
    """kill -9 of a replica running actions and holding waiting clients; the others
    mark its runs interrupted; it is started again."""
    victim, problems = cluster.replicas[0], []
    runs = [asyncio.create_task(cluster.slow(victim, 20.0), name=f"victim-{i}") for i in range(2)]
    waiting = [cluster.start_write(victim, door) for door in DOORS]
    for write in waiting:
        await cluster.find_pending(cluster.replicas[1], write.key)
    await until(lambda: cluster.statuses(victim)["executing"] >= 2, "the slow runs to start")
    cluster.kill(victim)
    await asyncio.gather(*runs, *(w.answer for w in waiting))
    await until(lambda: cluster.statuses(victim)["executing"] == 0, "recovery", 60)
    if cluster.statuses(victim)["interrupted"] < 2:
        problems.append("the killed replica's runs were not marked interrupted")
    cluster.launch(victim)
    await asyncio.to_thread(cluster.wait_ready, victim)
    return problems


async def restart_state(cluster: Cluster) -> list[str]:
    """The state PostgreSQL restarts while clients wait on two surviving replicas."""
    r = cluster.replicas
    waiting = [cluster.start_write(r[1], "rest"), cluster.start_write(r[2], "wire")]
    for write in waiting:
        await cluster.find_pending(r[0], write.key)
    await asyncio.to_thread(cluster.state_pg.stop)
    await asyncio.sleep(1.0)
    await asyncio.to_thread(cluster.state_pg.start)
    await asyncio.gather(cluster.approve(waiting[0], r[2]), cluster.approve(waiting[1], r[0]))
    return []


async def restart_upstream(cluster: Cluster) -> list[str]:
    """The upstream restarts; runs meanwhile fail (recorded), later ones succeed."""
    r = cluster.replicas
    await asyncio.to_thread(cluster.upstream_pg.stop)
    await asyncio.gather(cluster.read_rest(r[0]), cluster.read_wire(r[1]))  # fail, recorded
    await asyncio.to_thread(cluster.upstream_pg.start)
    await cluster.write(r[1], r[2], "rest")
    await cluster.write(r[2], r[0], "wire")
    return []


async def background_reads(cluster: Cluster, stop: asyncio.Event) -> None:
    """Agents reading through every replica and both doors while faults happen."""
    i = 0
    while not stop.is_set():
        replica = cluster.replicas[i % len(cluster.replicas)]
        read = cluster.read_rest if i % 2 else cluster.read_wire
        if replica.alive and await read(replica):
            cluster.tally.reads += 1
        i += 1
        await asyncio.sleep(0.05)


async def scenario(cluster: Cluster, *, rounds: int = 1, writes: int = 6) -> Report:
    stop = asyncio.Event()
    reads = asyncio.create_task(background_reads(cluster, stop), name="readers")
    problems: list[str] = []
    try:
        for _ in range(rounds):
            problems += await steady(cluster, writes)
            problems += await kill_busy_replica(cluster)
            problems += await restart_state(cluster)
            problems += await restart_upstream(cluster)
    finally:
        stop.set()
        await reads
    problems += await cluster.drain(cluster.replicas[1])
    return await asyncio.to_thread(cluster.check, problems)


DOORS = ("rest", "wire")
