"""Alembic environment: runs migrations on the engine the Database hands over, then
records the compatibility window in the same transaction (phigate.store.compat)."""

from __future__ import annotations

from alembic import context

from phigate.store.compat import record_window
from phigate.store.tables import metadata

engine = context.config.attributes["engine"]
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
        record_window(connection, context.script)
    connection.commit()
