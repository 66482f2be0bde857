"""Both doors name result column types alike: the wire's `type_name(oid)` and the
postgres connector's cursor read the same registry (psycopg's), for every type
the masking engine's hints speak about."""

from __future__ import annotations

import psycopg

from phigate.doors.pgwire._wiremask import type_name
from phigate.ops.pgserver import EmbeddedPostgres

# One value of each type phigate's column hints name (phigate.masking._hints).
_VALUES = """
SELECT true, 'x'::bytea, 'x'::"char", 'x'::name, 1::int8, 1::int2, 1::int4, 'x'::text,
       1::oid, '{}'::json, NULL::xml, 1::float4, 1::float8, 'x'::bpchar, 'x'::varchar,
       now()::date, now()::time, now()::timestamp, now(), '1 day'::interval,
       now()::timetz, 1::numeric, gen_random_uuid(), '{}'::jsonb, '10.0.0.1'::inet,
       '10.0.0.0/8'::cidr, 1::money
"""


def test_the_wire_and_the_connector_name_column_types_alike(pg_server: EmbeddedPostgres) -> None:
    with psycopg.connect(pg_server.dsn()) as conn, conn.cursor() as cursor:
        cursor.execute(_VALUES)
        described = cursor.description or []
        seen = {c.type_code: cursor.adapters.types.get(c.type_code) for c in described}
    assert len(seen) == 27
    for oid, info in seen.items():
        assert info is not None, oid
        assert type_name(oid) == info.name


def test_an_oid_outside_the_registry_has_no_name() -> None:
    """A user-defined type (an OID past the built-ins) is no type the hints know:
    the column is then judged by its name, lineage and values."""
    assert type_name(987_654) is None
