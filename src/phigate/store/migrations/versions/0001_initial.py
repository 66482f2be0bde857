"""Initial schema: API tokens, actions, approvals, votes, the audit chain.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None
compatibility = "breaking"  # the first schema: no older code exists

_BIGINT = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "api_tokens",
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
    op.create_table(
        "actions",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("connection", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False, index=True),
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
    )
    op.create_table(
        "approvals",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column(
            "action_id", sa.String(40), sa.ForeignKey("actions.id"), nullable=False, unique=True
        ),
        sa.Column("state", sa.String(16), nullable=False, index=True),
        sa.Column("required", sa.Integer, nullable=False),
        sa.Column("eligible_groups", sa.Text, nullable=False),
        sa.Column("requester", sa.String(200), nullable=False),
        sa.Column("on_behalf_of", sa.String(200)),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
        sa.Column("decided_at", sa.Float),
        sa.Column("version", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table(
        "votes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("approval_id", sa.String(40), sa.ForeignKey("approvals.id"), nullable=False),
        sa.Column("voter", sa.String(200), nullable=False),
        sa.Column("vote", sa.String(8), nullable=False),
        sa.Column("comment", sa.Text, nullable=False, server_default=""),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.UniqueConstraint("approval_id", "voter", name="uq_votes_approval_voter"),
    )
    op.create_table(
        "audit_log",
        sa.Column("seq", _BIGINT, primary_key=True, autoincrement=False),
        sa.Column("record", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("seq", _BIGINT, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.execute(
        sa.text("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, :genesis)").bindparams(
            genesis="0" * 64
        )
    )


def downgrade() -> None:
    for table in ("audit_head", "audit_log", "votes", "approvals", "actions", "api_tokens"):
        op.drop_table(table)
