"""When a requester stopped waiting for its pending approval (an agent whose connection
closed while the gateway held its call), so reviewers can see nobody is waiting.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None
compatibility = "expand-only"  # a nullable column 0007 never reads


def upgrade() -> None:
    op.add_column("approvals", sa.Column("requester_disconnected_at", sa.Float))


def downgrade() -> None:
    op.drop_column("approvals", "requester_disconnected_at")
