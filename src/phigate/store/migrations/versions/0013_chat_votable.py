"""Whether each posted chat message offered a vote.

A Teams card is drawn in the fullest form that fits a message, and only some forms
offer a vote. An invoke (a vote) is checked against the card as it was posted
(`votable`), not against a form chosen again at click time from a view whose time
left has changed since (round 16a finding 5). NULL for messages posted before 0013:
those are checked as before, against the form chosen at click time.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None
# One nullable column. 0012's code ignores it and leaves it NULL on the rows it posts,
# which this code reads as "not known" (the click-time check alone, as 0012 did).
compatibility = "expand-only"


def upgrade() -> None:
    op.add_column("chat_messages", sa.Column("votable", sa.Boolean))


def downgrade() -> None:
    op.drop_column("chat_messages", "votable")
