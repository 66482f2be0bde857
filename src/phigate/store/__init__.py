"""Embedded or shared state: SQLAlchemy Core tables, migrated only by Alembic."""

from __future__ import annotations

from phigate.store.compat import Schema, SchemaTooNewError
from phigate.store.database import Database, MigrationRequiredError

__all__ = ["Database", "MigrationRequiredError", "Schema", "SchemaTooNewError"]
