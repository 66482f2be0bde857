"""The subjects an OIDC identity provider declared not human at sign-in.

An OIDC token names the person it acts for by a claim (`on_behalf_of_claim`) that
says nothing of that person's kind. The IdP states each subject's own kind when that
subject signs in (`kind_claim`); phigate remembers every subject stated as anything
but human, and whom it acted for, so a later token acting for it is refused and an
approval's chain of people behind an agent includes them (round 26b finding 1).

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None
# A new table. 0013's code neither reads nor writes it.
compatibility = "expand-only"


def upgrade() -> None:
    op.create_table(
        "idp_declared",
        sa.Column("subject", sa.String(200), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("on_behalf_of", sa.String(200)),
        sa.Column("seen_at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("idp_declared")
