"""The fingerprint index holds approved actions only.

The one query by fingerprint (`ActionStore.approved_with_fingerprint`: an approved,
not yet run twin of a request) asks for approved actions alone, yet every action
wrote an entry at a random place of the index: on SQLite about 2.5 of the 15 pages
each group commit wrote. A partial index (`WHERE status = 'approved'`) holds the few
actions waiting to run after their approval; an action that never waits for one
never touches it.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None
# No table or column changes: an index is replaced by a smaller one. 0010's code reads
# and writes the same rows with the same meaning; its lookup by fingerprint (a bound
# status, which SQLite cannot match to the partial index) still answers the same, by
# scanning, only for what policy did not allow at once.
compatibility = "expand-only"

APPROVED = sa.text("status = 'approved'")


def upgrade() -> None:
    op.create_index(
        "ix_actions_approved_fingerprint",
        "actions",
        ["fingerprint"],
        sqlite_where=APPROVED,
        postgresql_where=APPROVED,
    )
    op.drop_index("ix_actions_fingerprint", table_name="actions")


def downgrade() -> None:
    op.create_index("ix_actions_fingerprint", "actions", ["fingerprint"])
    op.drop_index("ix_actions_approved_fingerprint", table_name="actions")
