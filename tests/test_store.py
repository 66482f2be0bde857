"""The state store on both back ends: migrations, the audit chain, and compare-and-set
transitions racing from several 'replicas' (separate engines on one database)."""

from __future__ import annotations

import os
import secrets
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from phigate.approvals import ApprovalService, ApprovalState
from phigate.audit.chain import AuditLog
from phigate.config import ApprovalRequirement
from phigate.core.action_store import ActionStatus, ActionStore
from phigate.core.actions import _SORTED_DIGITS, Action, Description, id_time, new_id
from phigate.core.errors import AuthenticationError, ConflictError, ExpiredError
from phigate.core.risk import RiskClass
from phigate.identity.people import People
from phigate.identity.principal import Principal, PrincipalKind
from phigate.identity.tokens import TokenStore
from phigate.policy import Decision, Verdict
from phigate.store import Database as StateDatabase
from phigate.store import MigrationRequiredError
from phigate.store.hot import HotStatement
from phigate.store.tables import actions, api_tokens, approvals, audit_head

AGENT = Principal("bot", PrincipalKind.AGENT, frozenset({"agents"}), on_behalf_of="dana")
ALICE = Principal("alice", PrincipalKind.HUMAN, frozenset({"data-owners"}))
BOB = Principal("bob", PrincipalKind.HUMAN, frozenset({"data-owners"}))


_OPEN: list[Database] = []


@pytest.fixture(autouse=True)
def _dispose_engines() -> Iterator[None]:
    yield
    while _OPEN:
        _OPEN.pop().dispose()


def Database(url: str) -> StateDatabase:
    db = StateDatabase(url)
    _OPEN.append(db)
    return db


def migrated(url: str) -> StateDatabase:
    db = Database(url)
    db.migrate()
    return db


def test_migrations_are_required_and_idempotent(state_url: str) -> None:
    db = Database(state_url)
    with pytest.raises(MigrationRequiredError, match="phigate migrate"):
        db.ensure_current(migrate=False)
    db.ensure_current(migrate=True)
    db.migrate()
    assert db.current_revision() == db.head_revision()
    db.ensure_current(migrate=False)


def test_audit_appends_from_replicas_form_one_chain(state_url: str) -> None:
    replicas = [migrated(state_url), Database(state_url), Database(state_url)]

    def write(db: StateDatabase, who: str) -> None:
        log = AuditLog(db)
        for n in range(15):
            log.append("test.event", {"who": who, "n": n})

    threads = [threading.Thread(target=write, args=(db, f"r{i}")) for i, db in enumerate(replicas)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    log = AuditLog(replicas[0])
    assert [r["seq"] for r in log.records()] == list(range(1, 46))
    result = log.verify()
    assert result.ok and result.records == 45


def _pending(db: StateDatabase, count: int) -> str:
    audit = AuditLog(db)
    store, approvals = ActionStore(db, audit), ApprovalService(db, audit)
    action = Action("ehr", "sql", {"sql": "DELETE FROM claims", "params": []}, AGENT, "rest")
    decision = Decision(Verdict.APPROVE, "r", "needs approval", "hipaa-safe-harbor")
    action_id = f"act_{uuid.uuid4().hex[:8]}"
    with db.write() as conn:
        store.insert(
            conn,
            action_id,
            action,
            Description(RiskClass.WRITE),
            decision,
            ActionStatus.PENDING_APPROVAL,
        )
        return approvals.create(
            conn, action_id, AGENT, ApprovalRequirement(count=count, groups=("data-owners",))
        )


def test_concurrent_votes_from_two_replicas_decide_once(state_url: str) -> None:
    first, second = migrated(state_url), Database(state_url)
    approval_id = _pending(first, count=2)
    barrier = threading.Barrier(2)

    def vote(db: StateDatabase, who: Principal) -> None:
        barrier.wait()
        ApprovalService(db, AuditLog(db)).vote(approval_id, who, "approve")

    threads = [
        threading.Thread(target=vote, args=(first, ALICE)),
        threading.Thread(target=vote, args=(second, BOB)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    approval = ApprovalService(first, AuditLog(first)).get(approval_id)
    assert approval.state is ApprovalState.APPROVED
    assert sorted(v.voter for v in approval.votes) == ["alice", "bob"]
    decided = [r for r in AuditLog(first).records() if r["event"] == "approval.decided"]
    assert len(decided) == 1


@pytest.mark.parametrize("as_read", [False, True], ids=["loaded", "as-read"])
def test_execution_is_claimed_once_across_replicas(state_url: str, as_read: bool) -> None:
    """Whether the claim loads the approval or goes by what a woken waiter read."""
    dbs = [migrated(state_url)] + [Database(state_url) for _ in range(3)]
    approval_id = _pending(dbs[0], count=1)
    ApprovalService(dbs[0], AuditLog(dbs[0])).vote(approval_id, ALICE, "approve")
    read = ApprovalService(dbs[0], AuditLog(dbs[0])).get(approval_id) if as_read else None
    wins: list[str] = []
    barrier = threading.Barrier(len(dbs))

    def claim(db: StateDatabase) -> None:
        barrier.wait()
        try:
            with db.write() as conn:
                ApprovalService(db, AuditLog(db)).claim_execution(conn, approval_id, read=read)
            wins.append("won")
        except ConflictError:
            wins.append("lost")

    threads = [threading.Thread(target=claim, args=(db,)) for db in dbs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(wins) == ["lost", "lost", "lost", "won"]


def test_only_approved_actions_are_found_by_fingerprint(state_url: str) -> None:
    """The fingerprint index holds approved actions alone (0011): a pending twin is not
    found, the same action once approved is, and on SQLite the lookup uses the index."""
    db = migrated(state_url)
    audit = AuditLog(db)
    store = ActionStore(db, audit)
    approval_id = _pending(db, count=1)
    action_id = ApprovalService(db, audit).get(approval_id).action_id
    fingerprint = store.get(action_id).fingerprint
    assert store.approved_with_fingerprint(fingerprint) == []
    ApprovalService(db, audit).vote(approval_id, ALICE, "approve")
    assert store.approved_with_fingerprint(fingerprint) == [action_id]
    assert store.approved_with_fingerprint("0" * 64) == []
    if db.is_sqlite:
        with db.read() as conn:
            query = "EXPLAIN QUERY PLAN SELECT id FROM actions WHERE fingerprint = :f AND "
            plan = conn.execute(sa.text(query + "status = 'approved'"), {"f": fingerprint})
            assert "ix_actions_approved_fingerprint" in " ".join(str(row) for row in plan)


def test_ids_sort_by_creation_and_stay_unguessable() -> None:
    """Time first (new index entries land together), 64 random bits after it."""
    ids = [new_id("act") for _ in range(600)]  # across the random parts' batches
    stamps = [i[len("act_") : -11] for i in ids]
    assert stamps == sorted(stamps)  # as text: the order an index keeps them in
    assert [id_time(i) for i in ids] == sorted(id_time(i) for i in ids)
    assert abs(id_time(ids[0]) - time.time()) < 60
    assert len(set(ids)) == len(ids)
    assert len({i[-11:] for i in ids}) == len(ids)
    assert all(len(i) == len("act_") + 6 + 11 for i in ids)
    # Later times sort later, across every digit's boundary.
    assert sorted(_SORTED_DIGITS) == list(_SORTED_DIGITS)


def test_a_forked_child_makes_other_ids_than_its_parent() -> None:
    """The random parts are drawn in batches: a child must not reuse its parent's."""
    new_id("act")  # the parent holds a batch
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its next ids, then leave without cleanup
        os.write(write, " ".join(new_id("act") for _ in range(5)).encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    with os.fdopen(read) as f:
        child = f.read().split()
    parent = [new_id("act") for _ in range(5)]
    assert len(child) == 5
    assert not {i[-11:] for i in child} & {i[-11:] for i in parent}


def test_tokens_are_stored_only_as_keyed_hashes(state_url: str) -> None:
    db = migrated(state_url)
    store = TokenStore(db, secrets.token_bytes(32), people=People())
    token, info = store.create(
        subject="claims-bot", kind=PrincipalKind.AGENT, groups=("agents",), on_behalf_of="dana"
    )
    assert token.startswith("phg_") and len(token) >= 4 + 43  # 256 bits, base64url
    with db.read() as conn:
        stored = conn.execute(sa.select(api_tokens)).one()._mapping
    assert token not in str(dict(stored))
    assert store.authenticate(token).on_behalf_of == "dana"
    other_key = TokenStore(db, secrets.token_bytes(32), people=People())
    with pytest.raises(AuthenticationError):
        other_key.authenticate(token)
    store.revoke(info.id)
    with pytest.raises(AuthenticationError, match="revoked"):
        store.authenticate(token)


def test_a_token_whose_subject_is_no_longer_allowed_authenticates_no_one(
    state_url: str,
) -> None:
    """A token stored before the subject allowlist (here: Latin small capitals) is
    refused at sign-in as an authentication failure, not a server error."""
    db = migrated(state_url)
    store = TokenStore(db, secrets.token_bytes(32), people=People())
    token, info = store.create(subject="dana", kind=PrincipalKind.HUMAN, groups=("owners",))
    with db.write() as conn:
        conn.execute(
            sa.update(api_tokens)
            .where(api_tokens.c.id == info.id)
            .values(subject="\u1d05\u1d00\u0274\u1d00")
        )
    with pytest.raises(AuthenticationError, match=r"no longer accepts .*U\+1D05"):
        store.authenticate(token)


def test_an_action_whose_subject_is_no_longer_allowed_still_lists_as_stored(
    state_url: str,
) -> None:
    """An action recorded before the subject allowlist (its agent acting for `ᴅᴀɴᴀ`)
    still lists and reads back, spelled as stored, and is no current person's."""
    db = migrated(state_url)
    store = ActionStore(db, AuditLog(db))
    action_id = ApprovalService(db, AuditLog(db)).get(_pending(db, count=1)).action_id
    old = '"on_behalf_of":"\u1d05\u1d00\u0274\u1d00"'
    with db.write() as conn:
        stored = conn.execute(sa.select(actions.c.principal).where(actions.c.id == action_id))
        principal = stored.scalar_one()
        assert '"on_behalf_of":"dana"' in principal
        conn.execute(
            sa.update(actions)
            .where(actions.c.id == action_id)
            .values(principal=principal.replace('"on_behalf_of":"dana"', old))
        )
    (listed,) = [r for r in store.list() if r.id == action_id]
    assert listed.action.principal.on_behalf_of == "\u1d05\u1d00\u0274\u1d00"
    assert store.get(action_id).action.principal.subject == "bot"
    assert not listed.action.principal.is_same_caller(AGENT)


def test_hot_statements_share_the_transaction_and_fail_as_sqlalchemy_errors(
    state_url: str,
) -> None:
    """The driver-cursor path (phigate.store.hot) is the same transaction as the
    SQLAlchemy connection it runs on: rolled back with it, and its errors are
    SQLAlchemy's, so a failing store is handled the same on either path."""
    db = migrated(state_url)
    head = HotStatement(sa.select(audit_head.c.seq).where(audit_head.c.id == 1))
    bump = HotStatement(
        audit_head.update().where(audit_head.c.id == 1).values(seq=sa.bindparam("seq"))
    )
    with pytest.raises(RuntimeError), db.write() as conn:
        assert bump.execute(conn, {"seq": 41}).rowcount == 1
        assert head.execute(conn, {}).fetchone()[0] == 41
        raise RuntimeError("roll back")
    with db.write() as conn:
        assert head.execute(conn, {}).fetchone()[0] == 0
    with pytest.raises(sa.exc.IntegrityError), db.write() as conn:
        bump.execute(conn, {"seq": None})  # seq is NOT NULL
    # Many rows at once, with a value the statement binds itself (`id = 1`): the
    # caller's mappings reach the driver as they are (named style on SQLite).
    with db.write() as conn:
        bump.executemany(conn, [{"seq": 7}, {"seq": 9}])
        assert head.execute(conn, {}).fetchone()[0] == 9
    with pytest.raises(ValueError, match="not a hot statement"), db.write() as conn:
        HotStatement(
            sa.select(audit_head.c.seq).where(
                audit_head.c.id.in_(sa.bindparam("ids", expanding=True))
            )
        ).execute(conn, {"ids": [1]})


def test_a_claim_by_what_the_waiter_read_still_refuses_a_spent_or_expired_approval(
    state_url: str,
) -> None:
    """The waiter's read says approved; the store decides: run already, or expired since
    (its stored expiry, not the one read), the claim is refused."""
    db = migrated(state_url)
    service = ApprovalService(db, AuditLog(db))
    spent, lapsed = _pending(db, count=1), _pending(db, count=1)
    for approval_id in (spent, lapsed):
        service.vote(approval_id, ALICE, "approve")
    read = {approval_id: service.get(approval_id) for approval_id in (spent, lapsed)}
    with db.write() as conn:
        assert service.claim_execution(conn, spent, read=read[spent]).id == spent
    with pytest.raises(ConflictError, match="already run"), db.write() as conn:
        service.claim_execution(conn, spent, read=read[spent])
    with db.write() as conn:
        conn.execute(approvals.update().where(approvals.c.id == lapsed).values(expires_at=1.0))
    with pytest.raises(ExpiredError), db.write() as conn:
        service.claim_execution(conn, lapsed, read=read[lapsed])
    assert service.get(lapsed).state is ApprovalState.APPROVED  # not spent by the refusal
    with pytest.raises(ConflictError, match="already run"), db.write() as conn:
        service.claim_execution(conn, spent, read=read[lapsed])  # another approval's read


def test_sqlite_state_commits_are_synced_to_disk(tmp_path: Path) -> None:
    """WAL with synchronous=FULL on every connection, whatever the SQLite build's default:
    a commit is on disk (power loss included) before the action it records runs."""
    db = migrated(f"sqlite:///{tmp_path / 'state.db'}")
    with db.read() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar_one() == 2  # FULL
