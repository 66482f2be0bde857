"""Chat messages posted for approvals (Slack, Teams), so every replica can update them.

`address` is the JSON reference of one posted message (Slack: channel and ts;
Teams: service URL, conversation id and activity id). `shown` is how far along
the approval the message was last drawn; replicas claim an update by raising it.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None
compatibility = "expand-only"  # a new table; 0004 keeps posted messages in memory


def upgrade() -> None:
    op.create_table(
        "chat_messages",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("approval_id", sa.String(40), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("address", sa.Text, nullable=False),
        sa.Column("replica", sa.String(64), nullable=False),
        sa.Column("posted_at", sa.Float, nullable=False),
        sa.Column("shown", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_index("ix_chat_messages_approval_id", "chat_messages", ["approval_id"])


def downgrade() -> None:
    op.drop_table("chat_messages")
