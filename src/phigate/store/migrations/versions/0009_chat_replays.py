"""Chat callbacks already seen, shared by every replica (Slack signatures, Teams
activities and tokens), so a replay is refused whichever replica it reaches.

`key` is a SHA-256 (hex) of what was seen, never the signature or token itself.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None
compatibility = "expand-only"  # a new table; 0008 keeps seen callbacks in memory


def upgrade() -> None:
    op.create_table(
        "chat_replays",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("seen_at", sa.Float, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
    )
    op.create_index("ix_chat_replays_expires_at", "chat_replays", ["expires_at"])


def downgrade() -> None:
    op.drop_table("chat_replays")
