"""A MAC on each audit record (phigate.audit.mac).

The chain hash is SHA-256 over public data: a DBA of the state store could append a
record with its hash recomputed, and the next checkpoint signed it (round 28b
finding 1). Records now carry HMAC-SHA256 of their hash under a key derived from
`audit.signing_key`; records written before this revision have none.

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None
# A nullable column, but 0014's code would write records without a MAC after ones
# with a MAC, which this revision's verifier reports as forged: not served by 0014.
compatibility = "breaking"


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("mac", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("mac")
