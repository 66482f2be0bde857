"""The chat messages posted for approvals, kept in the shared state store.

Slack and Teams record each approval message they post (its reference: Slack channel
and ts; Teams service URL, conversation and activity id) in `chat_messages`, so a
restarted process, or any other replica on the same store, can still update it.

Who updates: whoever claims it. Every replica that hears a vote or decision, its own
(in-process) or another replica's (relayed from the audit log by the dispatcher),
calls `claim(approval)`. Each row keeps `shown`, which change of the approval the
message was last drawn at (`drawn`: the votes cast plus the approval's `version`, its
state changes), and `claim` raises it with one compare-and-set
`UPDATE … WHERE shown < :drawn`, so for each change exactly one replica gets the
message back and sends the update. Both parts only grow (votes are never taken back;
an approval sent back for more votes, approved → pending, keeps them and bumps its
version), so every change gives a larger number and every copy drawn before it,
posted before or after a send-back, is redrawn. (A count that fell when an approval
was sent back left the copies drawn "approved" showing it: round 20a finding 2.)
Rows written before this rule hold votes plus one once decided, never more than
`drawn` of the same approval. Replica ids play no part in it (a restarted process gets
a new one); the `replica` column only says who posted the message.

Who posts: also whoever claims it. A request is posted when it is made, by the replica
where it was made, and again when its approved action is sent back for more votes at
run time (`approval.reopened`), which every replica hears (the dispatcher relays it).
`claim_post` records the approval at its `version` (a send-back bumps it) in the shared
once-only record of `replays.ReplayGuard`, one atomic insert: exactly one replica posts
each request, however many hear it.

The claim is taken before the chat API call: an update that then fails is not retried
(the next step redraws the message). Two steps claimed on two replicas within the
same instant (two votes of a multi-approver rule) are sent concurrently, and the chat
platform may apply them out of order; so `draw` reads the approval again after each
update and, if it moved on meanwhile, draws the newer step too. Whichever update lands
last was sent after its sender saw every step before it, so the message ends on the
latest step (at worst drawn twice).
"""

from __future__ import annotations

import json
from collections.abc import Callable

import sqlalchemy as sa

from phigate.approvals import Approval, ApprovalState
from phigate.core import clock
from phigate.doors.channels.replays import ReplayGuard, digest
from phigate.store import Database
from phigate.store.tables import chat_messages

_c = chat_messages.c
POST_CLAIM_KEPT = 3600.0

_RECORD = chat_messages.insert().values(
    approval_id=sa.bindparam("p_approval"),
    channel=sa.bindparam("p_channel"),
    address=sa.bindparam("p_address"),
    replica=sa.bindparam("p_replica"),
    posted_at=sa.bindparam("p_posted_at"),
    shown=sa.bindparam("p_shown"),
    votable=sa.bindparam("p_votable"),
)
_VOTABLE = sa.select(_c.votable).where(
    _c.approval_id == sa.bindparam("p_approval"), _c.channel == sa.bindparam("p_channel")
)
_FOR_APPROVAL = (
    sa.select(_c.address)
    .where(_c.approval_id == sa.bindparam("p_approval"), _c.channel == sa.bindparam("p_channel"))
    .order_by(_c.id)
)
# Atomic on both back ends: PostgreSQL re-checks `shown` after waiting for a concurrent
# claimer's row lock, SQLite runs one writer at a time.
_CLAIM = (
    chat_messages.update()
    .where(
        _c.approval_id == sa.bindparam("p_approval"),
        _c.channel == sa.bindparam("p_channel"),
        _c.shown < sa.bindparam("p_drawn"),
    )
    .values(shown=sa.bindparam("p_drawn"))
    .returning(_c.id, _c.address)
)


def drawn(approval: Approval) -> int:
    """Which change of the approval a message drawn from it shows: grows with every
    vote and every state change (decided, sent back, expired), and never falls. Running
    an approved action (approved → executed, one version) is not a step: the channels
    redraw on votes and decisions, so whether a relay read it before or after the run
    does not decide how many updates a message gets."""
    ran = 1 if approval.state is ApprovalState.EXECUTED else 0
    return len(approval.votes) + approval.version - ran


class PostedMessages:
    """The messages one channel ("slack" or "teams") posted, by approval."""

    def __init__(self, db: Database, channel: str) -> None:
        self._db = db
        self._channel = channel
        self._posts = ReplayGuard(db, channel)

    def record(
        self,
        approval_id: str,
        address: dict[str, str],
        replica: str,
        *,
        shown: int = 0,
        votable: bool | None = None,
    ) -> None:
        """Remember a posted message; `shown` is the `drawn` it was drawn at, and
        `votable` whether it offered a vote."""
        with self._db.write() as conn:
            conn.execute(
                _RECORD,
                {
                    "p_approval": approval_id,
                    "p_channel": self._channel,
                    "p_address": json.dumps(address, sort_keys=True),
                    "p_replica": replica,
                    "p_posted_at": clock.now(),
                    "p_shown": shown,
                    "p_votable": votable,
                },
            )

    def for_approval(self, approval_id: str) -> list[dict[str, str]]:
        """Every message this channel posted for the approval, oldest first."""
        with self._db.read() as conn:
            rows = conn.execute(
                _FOR_APPROVAL, {"p_approval": approval_id, "p_channel": self._channel}
            )
            return [_address(row.address) for row in rows]

    def offered_vote(self, approval_id: str) -> bool | None:
        """Whether this channel's messages for the approval offered a vote when posted:
        False when any offered none (a vote from it is not recorded, whatever a form
        chosen now would offer), None when none was posted or none says (before 0013)."""
        with self._db.read() as conn:
            rows = conn.execute(_VOTABLE, {"p_approval": approval_id, "p_channel": self._channel})
            known = [bool(row.votable) for row in rows if row.votable is not None]
        return all(known) if known else None

    def claim_post(self, approval: Approval) -> bool:
        """Whether the caller posts the request for `approval` as it stands (pending at
        its `version`), and no other replica: the first to ask for it, once. Kept until
        the approval expires, and at least `POST_CLAIM_KEPT` seconds: a relay arrives
        within seconds of the send-back it relays."""
        key = digest("post", self._channel, approval.id, str(approval.version))
        until = max(approval.expires_at, clock.now() + POST_CLAIM_KEPT)
        return self._posts.first_sighting([key], until)

    def claim(self, approval: Approval) -> list[dict[str, str]]:
        """The messages that still show an earlier change of `approval`, now marked as
        showing this one: the caller, and no other replica, updates exactly these."""
        values = {
            "p_approval": approval.id,
            "p_channel": self._channel,
            "p_drawn": drawn(approval),
        }
        with self._db.write() as conn:
            rows = conn.execute(_CLAIM, values).all()
        return [_address(row.address) for row in sorted(rows, key=lambda r: int(r.id))]

    def draw(
        self,
        approval: Approval,
        load: Callable[[str], Approval],
        send: Callable[[Approval, list[dict[str, str]]], None],
    ) -> None:
        """Claim this step and `send` it to the claimed messages; then, while `load`
        finds the approval further along than what was sent, send that as well."""
        messages = self.claim(approval)
        while messages:
            send(approval, messages)
            latest = load(approval.id)
            if drawn(latest) <= drawn(approval):
                return
            approval = latest


def _address(text: str) -> dict[str, str]:
    return {str(k): str(v) for k, v in json.loads(text).items()}
