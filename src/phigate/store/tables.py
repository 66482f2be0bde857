"""The tables of the state store. Change them only together with a migration."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("subject", sa.String(200), nullable=False, index=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("groups", sa.Text, nullable=False),
    sa.Column("on_behalf_of", sa.String(200)),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("description", sa.Text, nullable=False, server_default=""),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("expires_at", sa.Float),
    sa.Column("revoked_at", sa.Float),
)

actions = sa.Table(
    "actions",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("connection", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("principal", sa.Text, nullable=False),
    sa.Column("subject", sa.String(200), nullable=False, index=True),
    sa.Column("front_door", sa.String(32), nullable=False),
    sa.Column("client_addr", sa.String(100)),
    sa.Column("reason", sa.Text),
    sa.Column("risk", sa.String(16), nullable=False),
    sa.Column("analysis", sa.Text, nullable=False),
    sa.Column("decision", sa.String(16), nullable=False),
    sa.Column("rule", sa.String(200)),
    sa.Column("decision_reason", sa.Text, nullable=False),
    sa.Column("masking", sa.String(100), nullable=False),
    sa.Column("status", sa.String(24), nullable=False, index=True),
    sa.Column("finished_at", sa.Float),
    sa.Column("result_summary", sa.Text),
    # The replica running the action (set when it starts executing): see `replicas`.
    sa.Column("replica", sa.String(64)),
)
# Only approved actions are ever looked up by fingerprint (an approved twin of a
# request): the index holds those alone, so an action allowed at once never writes an
# entry at a random place of it. A query uses it only with the status as a literal.
APPROVED_ONLY = sa.text("status = 'approved'")
sa.Index(
    "ix_actions_approved_fingerprint",
    actions.c.fingerprint,
    sqlite_where=APPROVED_ONLY,
    postgresql_where=APPROVED_ONLY,
)

approvals = sa.Table(
    "approvals",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("action_id", sa.String(40), sa.ForeignKey("actions.id"), nullable=False, unique=True),
    sa.Column("state", sa.String(16), nullable=False, index=True),
    sa.Column("required", sa.Integer, nullable=False),
    sa.Column("eligible_groups", sa.Text, nullable=False),
    sa.Column("requester", sa.String(200), nullable=False),
    sa.Column("on_behalf_of", sa.String(200)),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False),
    sa.Column("decided_at", sa.Float),
    sa.Column("version", sa.Integer, nullable=False, server_default="0"),
    # "approval" (decides whether the action may run) or "break_glass_review"
    # (the action already ran under break-glass; reviewers judge it afterwards).
    sa.Column("purpose", sa.String(24), nullable=False, server_default="approval"),
    # Set when the requester's connection closed while it waited (MCP holds a call).
    sa.Column("requester_disconnected_at", sa.Float),
    # JSON [{count, groups}]: every matching approval rule's requirement (NULL: one,
    # `required` from `eligible_groups`).
    sa.Column("requirements", sa.Text),
)

votes = sa.Table(
    "votes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("approval_id", sa.String(40), sa.ForeignKey("approvals.id"), nullable=False),
    sa.Column("voter", sa.String(200), nullable=False),
    sa.Column("vote", sa.String(8), nullable=False),
    sa.Column("comment", sa.Text, nullable=False, server_default=""),
    sa.Column("channel", sa.String(32), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    # JSON list: the voter's groups among the eligible ones, which requirements it counts for.
    sa.Column("groups", sa.Text),
    sa.UniqueConstraint("approval_id", "voter", name="uq_votes_approval_voter"),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column(
        "seq",
        sa.BigInteger().with_variant(sa.Integer, "sqlite"),
        primary_key=True,
        autoincrement=False,
    ),
    sa.Column("record", sa.Text, nullable=False),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    # HMAC of `hash` under the audit key (phigate.audit.mac); None before 0015.
    sa.Column("mac", sa.String(64)),
)

audit_head = sa.Table(
    "audit_head",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)

# Signed claims "the log held `seq` records, the last with `hash`, at `ts`"
# (phigate.audit.checkpoint): they prove the log's tail was not cut off. At most one
# per sequence number, written under the audit head's lock.
audit_checkpoints = sa.Table(
    "audit_checkpoints",
    metadata,
    sa.Column(
        "seq",
        sa.BigInteger().with_variant(sa.Integer, "sqlite"),
        primary_key=True,
        autoincrement=False,
    ),
    sa.Column("hash", sa.String(64), nullable=False),
    sa.Column("ts", sa.Float, nullable=False),
    sa.Column("public_key", sa.String(64), nullable=False),
    sa.Column("signature", sa.String(128), nullable=False),
)

# Reviewer console: sessions and sign-ins in progress (OIDC state, nonce, PKCE
# verifier). Rows are keyed by an HMAC of the cookie's id, never the id itself.
console_sessions = sa.Table(
    "console_sessions",
    metadata,
    sa.Column("id_hash", sa.String(64), primary_key=True),
    sa.Column("subject", sa.String(200), nullable=False, index=True),
    sa.Column("principal", sa.Text, nullable=False),
    sa.Column("csrf", sa.String(64), nullable=False),
    sa.Column("signed_in_with", sa.String(16), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False, index=True),
)

console_logins = sa.Table(
    "console_logins",
    metadata,
    sa.Column("id_hash", sa.String(64), primary_key=True),
    sa.Column("csrf", sa.String(64), nullable=False),
    sa.Column("oidc", sa.Text, nullable=False, server_default="{}"),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False, index=True),
)

# Approval messages posted to chat (Slack, Teams): any replica, or a restarted one,
# can update them. `address` is the message reference as JSON; `shown` is the
# approval progress (votes, +1 once decided) the message last showed, raised with a
# compare-and-set so each step is drawn by exactly one replica.
chat_messages = sa.Table(
    "chat_messages",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("approval_id", sa.String(40), nullable=False, index=True),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("address", sa.Text, nullable=False),
    sa.Column("replica", sa.String(64), nullable=False),
    sa.Column("posted_at", sa.Float, nullable=False),
    sa.Column("shown", sa.Integer, nullable=False, server_default="0"),
    # Whether the message as posted offered a vote (0013); NULL when not known.
    sa.Column("votable", sa.Boolean),
)

# Gateway processes sharing this store and when each last beat (phigate.ops.replicas):
# an action left `executing` by a replica that stopped beating was cut off mid-run.
replicas = sa.Table(
    "replicas",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("host", sa.String(200), nullable=False),
    sa.Column("started_at", sa.Float, nullable=False),
    sa.Column("last_seen", sa.Float, nullable=False),
)

# Chat callbacks already seen (phigate.doors.channels.replays): a Slack signature, a Teams
# activity, a Teams token. `key` is a SHA-256 of what was seen, so no credential is
# kept; a second insert of the same key, on any replica, is the replay. Also which
# replica posts a request sent back for more votes (`PostedMessages.claim_post`). Rows past
# `expires_at` (when what they guard can no longer authenticate) are deleted.
chat_replays = sa.Table(
    "chat_replays",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("seen_at", sa.Float, nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False, index=True),
)

# The compatibility window (phigate.store.compat): the store's revision (age 0), then
# each older revision whose code can still run on this schema, newest first. Written
# by the build that migrated, after every migration run; read by older builds.
schema_compatibility = sa.Table(
    "schema_compatibility",
    metadata,
    sa.Column("revision", sa.String(32), primary_key=True),
    sa.Column("age", sa.Integer, nullable=False),
)

# Every subject an OIDC identity provider stated, at sign-in, to be anything but human
# (`kind_claim`), and whom it then acted for (`phigate.identity.declared`): never
# deleted, so a token acting for one is refused and an approval's chain includes it.
idp_declared = sa.Table(
    "idp_declared",
    metadata,
    sa.Column("subject", sa.String(200), primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("on_behalf_of", sa.String(200)),
    sa.Column("seen_at", sa.Float, nullable=False),
)
