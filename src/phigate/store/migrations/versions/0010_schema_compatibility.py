"""The compatibility window: which older builds can still serve on this schema.

Filled after every migration run by the build that migrated (phigate.store.compat),
so an older build, which cannot know the newer migrations, can read whether its own
revision is still compatible.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None
compatibility = "expand-only"  # a new table that 0009 never reads


def upgrade() -> None:
    op.create_table(
        "schema_compatibility",
        sa.Column("revision", sa.String(32), primary_key=True),
        sa.Column("age", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("schema_compatibility")
