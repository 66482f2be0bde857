"""Replicas and the replica that runs each action, so a dead replica's runs can be found.

`replicas` holds one row per gateway process sharing the store, with the last time
it beat. `actions.replica` is the replica that started (or claimed) the action; an
action left `executing` by a replica that stopped beating was cut off mid-run.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None
# A nullable column and a table 0005 never reads. Beside 0006 replicas, a 0005
# replica's long runs look orphaned to their recovery: keep the mixed fleet short.
compatibility = "expand-only"


def upgrade() -> None:
    op.add_column("actions", sa.Column("replica", sa.String(64)))
    op.create_table(
        "replicas",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("host", sa.String(200), nullable=False),
        sa.Column("started_at", sa.Float, nullable=False),
        sa.Column("last_seen", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("replicas")
    op.drop_column("actions", "replica")  # SQLite ≥ 3.35 drops a column in place
