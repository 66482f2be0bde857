"""Break-glass: approvals gain a purpose, so an after-the-fact review can never be run.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None
# 0002 would read a break-glass review as an ordinary approval and, once it is
# approved, run the reviewed action a second time.
compatibility = "breaking"


def upgrade() -> None:
    with op.batch_alter_table("approvals") as batch:
        batch.add_column(
            sa.Column("purpose", sa.String(24), nullable=False, server_default="approval")
        )


def downgrade() -> None:
    with op.batch_alter_table("approvals") as batch:
        batch.drop_column("purpose")
