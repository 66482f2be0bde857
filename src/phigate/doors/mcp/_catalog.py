"""What an agent may learn about connections: which it may use, and their shape.

`describe_connection` reads the upstream catalogue with the gateway's own
credentials (names and types only, never values) and labels each column the
way the masking engine will treat it for this caller, using the masking
profile the policy would pick for a read of that table.
"""

from __future__ import annotations

from typing import Any

import psycopg

from phigate.connectors.mcp import McpConnector
from phigate.connectors.postgres import PostgresConnector
from phigate.core.actions import Action
from phigate.core.errors import NotFoundError, UpstreamError
from phigate.identity.principal import Principal
from phigate.masking.columns import ColumnInfo, classify
from phigate.masking.engine import Masker
from phigate.pipeline.gateway import Gateway
from phigate.policy.engine import Verdict, caller_matches
from phigate.sql.identifiers import quoted_identifier

_MAX_COLUMNS = 5000
_CATALOG_SQL = """
SELECT c.table_schema, c.table_name, c.column_name, c.data_type
FROM information_schema.columns c
WHERE c.table_schema NOT IN ('pg_catalog', 'information_schema')
  AND c.table_schema NOT LIKE 'pg_toast%%'
ORDER BY c.table_schema, c.table_name, c.ordinal_position
LIMIT %s
"""
_ACCESS = {"allow": "allowed (masked)", "approve": "needs approval", "deny": "denied"}


def may_use(gateway: Gateway, principal: Principal, connection: str) -> bool:
    """True when some allow/approve rule could apply to this caller on this connection."""
    return any(
        rule.decision != "deny" and caller_matches(rule.match, principal, connection)
        for rule in gateway.settings.policy.rules
    )


def usable_connections(gateway: Gateway, principal: Principal) -> list[dict[str, Any]]:
    found = []
    for name, conn in sorted(gateway.settings.connections.items()):
        connector = gateway.connector(name)
        if connector is None or not may_use(gateway, principal, name):
            continue
        found.append(
            {
                "name": name,
                "type": conn.type,
                "action_kind": connector.kind,
                "description": conn.description,
            }
        )
    return found


async def describe_connection(
    gateway: Gateway, principal: Principal, connection: str
) -> dict[str, Any]:
    conn = gateway.settings.connections.get(connection)
    connector = gateway.connector(connection)
    if conn is None or connector is None or not may_use(gateway, principal, connection):
        raise NotFoundError(f"no connection named {connection!r} is open to you")
    view: dict[str, Any] = {
        "connection": connection,
        "type": conn.type,
        "description": conn.description,
    }
    if isinstance(connector, McpConnector):
        view["tools"] = await _mcp_tools(gateway, principal, connector)
    elif isinstance(connector, PostgresConnector):
        columns = await _pg_columns(connector)
        view["tables"] = _label_tables(gateway, principal, connection, columns)
    return view


async def _pg_columns(connector: PostgresConnector) -> list[tuple[str, str, str, str]]:
    conn = await connector.connect()
    try:
        async with conn:
            cursor = await conn.execute(_CATALOG_SQL, (_MAX_COLUMNS,))
            rows = await cursor.fetchall()
    except psycopg.Error as exc:
        raise UpstreamError(
            f"cannot read the catalogue of {connector.name!r}: {type(exc).__name__}"
        ) from exc
    return [(str(a), str(b), str(c), str(d)) for a, b, c, d in rows]


def _label_tables(
    gateway: Gateway,
    principal: Principal,
    connection: str,
    columns: list[tuple[str, str, str, str]],
) -> list[dict[str, Any]]:
    tables: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for schema, table, column, data_type in columns:
        tables.setdefault((schema, table), []).append((column, data_type))
    overrides = _overrides(gateway)
    out = []
    for (schema, table), cols in tables.items():
        outcome, profile = _read_decision(gateway, principal, connection, schema, table)
        masker = gateway.masker_before_run(principal, profile)  # the one rule, no reveal
        out.append(
            {
                "name": f"{schema}.{table}",
                "access": _ACCESS.get(outcome, outcome),
                "masking_profile": profile,
                "columns": [_label(masker, overrides, schema, table, c, t) for c, t in cols],
            }
        )
    return out


def _overrides(gateway: Gateway) -> dict[str, str]:
    """`masking.columns` and identifier columns, as the row masker reads them."""
    return gateway.masking.settings.column_types()


def _read_decision(
    gateway: Gateway, principal: Principal, connection: str, schema: str, table: str
) -> tuple[str, str]:
    """What policy would do with a plain read of the whole table, and its masking profile."""
    sql = f"SELECT * FROM {quoted_identifier(schema)}.{quoted_identifier(table)}"
    action = Action(
        connection=connection,
        kind="sql",
        body={"sql": sql, "params": []},
        principal=principal,
        front_door="mcp",
    )
    _description, decision = gateway.decide(action)
    return decision.outcome, decision.masking


def _label(
    masker: Masker, overrides: dict[str, str], schema: str, table: str, column: str, data_type: str
) -> dict[str, str]:
    info = ColumnInfo(name=column, type_name=data_type, sources=(f"{schema}.{table}.{column}",))
    kind = classify(info, overrides)
    if kind == "KEEP":
        sensitivity, masking = "none", "not masked"
    elif kind == "CHECKED":
        sensitivity = "codes and keys"
        masking = (
            "not masked, unless a value is free text or an identifier (then masked)"
            if masker.types
            else "not masked for you"
        )
    elif kind == "TEXT":
        sensitivity = "free text"
        masking = (
            "scanned; identifiers found inside are masked" if masker.types else "not masked for you"
        )
    elif kind == "PROBE":
        sensitivity = "unlabelled"
        masking = "classified from its values at query time, then masked if sensitive"
    else:
        sensitivity = kind
        masking = (
            f"masked ({masker.config.operator_for(kind).value})"
            if kind in masker.types
            else "shown to you unmasked (your groups may see it)"
        )
    return {"name": column, "type": data_type, "sensitivity": sensitivity, "masking": masking}


async def _mcp_tools(
    gateway: Gateway, principal: Principal, connector: McpConnector
) -> list[dict[str, Any]]:
    """Upstream tools policy does not deny this caller, with their pinned descriptions."""
    tools = []
    for tool in await connector.tools():
        action = Action(
            connection=connector.name,
            kind="mcp_tool",
            body={"tool": tool.name, "arguments": {}},
            principal=principal,
            front_door="mcp",
        )
        _description, decision = gateway.decide(action)
        if decision.outcome is not Verdict.DENY:
            tools.append(
                {
                    "name": tool.name,
                    "description": tool.shown().get("description"),
                    "access": _ACCESS.get(decision.outcome, decision.outcome),
                    "changed_since_first_seen": tool.changed,
                    "reviewed": tool.reviewed,
                }
            )
    return tools
