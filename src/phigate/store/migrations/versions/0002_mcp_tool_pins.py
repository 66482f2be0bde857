"""MCP tool pins: the first-seen definition of every upstream MCP tool (tool-poisoning defence).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None
compatibility = "expand-only"  # a new table that 0001 never reads


def upgrade() -> None:
    op.create_table(
        "mcp_tool_pins",
        sa.Column("connection", sa.String(200), primary_key=True),
        sa.Column("tool", sa.String(200), primary_key=True),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("definition", sa.Text, nullable=False),
        sa.Column("first_seen", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("mcp_tool_pins")
