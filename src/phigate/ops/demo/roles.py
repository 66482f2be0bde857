"""The upstream roles of the second guard, as an operator creates them.

`writer` runs what was approved (and is what `dsn` logs in as); `reader`
runs every `read` and can only SELECT: no INSERT/UPDATE/DELETE, no temporary
tables (TEMP is revoked from PUBLIC), no CREATE on any schema, and membership
in no role, so `SET ROLE` has nowhere to go. docs/security-roles.md shows the
same statements; the demo and the test fixtures run them, so every test runs
with the second guard on.
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql as pgsql

WRITER_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"


def create_login_role(admin: psycopg.Connection[Any], role: str, password: str) -> None:
    """A plain login role: no superuser, no role creation, member of nothing."""
    admin.execute(
        pgsql.SQL(
            "CREATE ROLE {} LOGIN PASSWORD {} NOSUPERUSER NOCREATEDB NOCREATEROLE "
            "NOREPLICATION NOBYPASSRLS NOINHERIT"
        ).format(pgsql.Identifier(role), pgsql.Literal(password))
    )


def grant_roles(db: psycopg.Connection[Any], database: str, writer: str, reader: str) -> None:
    """Run in `database` as its owner (or a superuser), after its tables exist."""
    for statement in _grants(database, writer, reader):
        db.execute(statement)


def _grants(database: str, writer: str, reader: str) -> list[pgsql.Composed]:
    db, w, r = (pgsql.Identifier(n) for n in (database, writer, reader))
    return [
        # PUBLIC may create temporary tables by default, and a READ ONLY transaction
        # still may: a "read" could plant a table other principals then read.
        pgsql.SQL("REVOKE TEMPORARY ON DATABASE {} FROM PUBLIC").format(db),
        pgsql.SQL("REVOKE CREATE ON SCHEMA public FROM PUBLIC").format(),
        pgsql.SQL("GRANT USAGE ON SCHEMA public TO {}, {}").format(w, r),
        pgsql.SQL("GRANT {} ON ALL TABLES IN SCHEMA public TO {}").format(
            pgsql.SQL(WRITER_PRIVILEGES), w
        ),
        pgsql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA public TO {}").format(r),
        # Large objects need no privilege to create: only EXECUTE on the functions.
        pgsql.SQL(
            "REVOKE EXECUTE ON FUNCTION lo_create(oid), lo_creat(integer), "
            "lo_from_bytea(oid, bytea) FROM PUBLIC"
        ).format(),
        # Belt and braces, and what stops a role's own ALTER ROLE (which no privilege
        # can take away): every transaction of the reader starts read-only.
        pgsql.SQL("ALTER ROLE {} SET default_transaction_read_only = on").format(r),
    ]
