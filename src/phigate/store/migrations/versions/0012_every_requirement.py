"""Every matching approval rule's requirement, and the groups each vote counts for.

A request matched by two approval rules must meet both (policy/engine.py). The
approval row lists each requirement (`requirements`: JSON `[{count, groups}]`), and a
vote keeps the voter's groups among the eligible ones when they voted (`groups`), so
one person's vote counts toward each rule whose groups include them.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None
# Two nullable columns. 0011's code ignores them: on a request with several
# requirements it counts approvals from any eligible group against `required`, which
# this code sets to the sum of the counts (as strict in number, not in groups).
compatibility = "expand-only"


def upgrade() -> None:
    op.add_column("approvals", sa.Column("requirements", sa.Text))
    op.add_column("votes", sa.Column("groups", sa.Text))


def downgrade() -> None:
    op.drop_column("votes", "groups")
    op.drop_column("approvals", "requirements")
