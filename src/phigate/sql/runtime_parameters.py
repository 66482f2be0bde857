"""Run-time settings (`SET`, `RESET`, `set_config`): which ones change what a session may do.

Role and session authorization are `privilege`; turning off read-only mode is
`write`; settings that switch off triggers, logging or security are `admin`;
a `search_path` that puts anything before `pg_catalog` can shadow built-in
functions and is `unknown`. A short list of client settings is harmless
(`read`); every other setting is `unknown`, because applications use custom
settings (`app.tenant_id`) to drive row-level security.
"""

from __future__ import annotations

from collections.abc import Sequence

from pglast import ast

from phigate.core.risk import RiskClass
from phigate.sql.functions import words

_PRIVILEGE = frozenset({"role", "session_authorization"})
_READ_ONLY = frozenset({"default_transaction_read_only", "transaction_read_only"})
_ADMIN = frozenset(
    {
        "session_replication_role",
        "row_security",
        "log_statement",
        "log_min_duration_statement",
        "log_min_messages",
        "log_min_error_statement",
        "log_duration",
        "log_connections",
        "log_disconnections",
        "client_min_messages_override",
        "session_preload_libraries",
        "local_preload_libraries",
        "dynamic_library_path",
        "allow_system_table_mods",
        "ignore_system_indexes",
        "zero_damaged_pages",
        "ignore_checksum_failure",
        "wal_level",
        "fsync",
        "full_page_writes",
        "synchronous_commit",
        "temp_tablespaces",
        "default_tablespace",
    }
)
_HARMLESS = words(
    """application_name client_encoding datestyle intervalstyle timezone time_zone
    extra_float_digits bytea_output client_min_messages statement_timeout lock_timeout
    idle_in_transaction_session_timeout idle_session_timeout transaction_timeout
    transaction_isolation default_transaction_isolation transaction_deferrable
    default_transaction_deferrable escape_string_warning
    work_mem maintenance_work_mem hash_mem_multiplier temp_buffers enable_seqscan
    enable_indexscan enable_bitmapscan enable_hashjoin enable_mergejoin enable_nestloop
    enable_sort enable_hashagg enable_material enable_partitionwise_join
    enable_partitionwise_aggregate enable_parallel_hash jit random_page_cost seq_page_cost
    cpu_tuple_cost effective_cache_size max_parallel_workers_per_gather plan_cache_mode
    geqo from_collapse_limit join_collapse_limit lc_messages lc_monetary lc_numeric lc_time
    default_text_search_config xmlbinary xmloption array_nulls quote_all_identifiers
    search_path names default_statistics_target cursor_tuple_fraction"""
)


def setting_risk(name: str, values: tuple[str, ...] | None) -> tuple[RiskClass, str]:
    """The class of setting `name` to `values` (None: reset to the default)."""
    name = name.lower()
    if name in _PRIVILEGE:
        return RiskClass.PRIVILEGE, f"setting {name} changes the session's identity"
    if name in _READ_ONLY:
        return _read_only_risk(name, values)
    if name in _ADMIN:
        return RiskClass.ADMIN, f"setting {name} changes server safety or auditing"
    if name == "search_path" and values is not None:
        return _search_path_risk(_set_schemas(values))
    if name == "standard_conforming_strings":
        return _standard_strings_risk(values)
    if name in _HARMLESS:
        return RiskClass.READ, f"setting {name} is a harmless client setting"
    return RiskClass.UNKNOWN, f"setting {name} is not a known harmless setting"


def _standard_strings_risk(values: tuple[str, ...] | None) -> tuple[RiskClass, str]:
    # The gateway reads string literals as standard SQL. Off, the server would read
    # backslashes as escapes: one text, two meanings (a literal that ends sooner).
    if values is None or (values and values[0].lower() in {"on", "true", "1", "yes"}):
        return RiskClass.READ, "standard_conforming_strings on is how the gateway reads SQL"
    return (
        RiskClass.UNKNOWN,
        "standard_conforming_strings off would make the server read string literals "
        "differently from the gateway",
    )


def _read_only_risk(name: str, values: tuple[str, ...] | None) -> tuple[RiskClass, str]:
    if values is not None and values and values[0].lower() in {"on", "true", "1", "yes"}:
        return RiskClass.READ, f"setting {name} on keeps the session read-only"
    return RiskClass.WRITE, f"setting {name} off allows writes"


def _set_schemas(values: tuple[str, ...]) -> list[str]:
    """The schemas of a `SET search_path`. The parser has already folded unquoted
    names and `SET` quotes each value as one name, so names compare exactly; a value
    holding commas is split anyway (it can only make the answer stricter)."""
    return [v.strip().strip('"') for value in values for v in value.split(",")]


# The search paths that resolve an unqualified name where the gateway reads it: the
# classifier, lineage and policy take `claims` for `public.claims` (pg_catalog first).
_DEFAULT_PATHS = (["public"], ["$user", "public"])


def _search_path_risk(schemas: list[str]) -> tuple[RiskClass, str]:
    """A search path is harmless only when every unqualified name still means what the
    gateway reads it as: pg_catalog first (or unlisted), then the default schemas.
    Any other (`pg_catalog, staging`) makes `intake` a table the classifier and the
    policy would read as `public.intake`: unknown, like a search path that shadows
    the catalog."""
    if _catalog_shadowed(schemas):
        return RiskClass.UNKNOWN, "search_path puts a schema before pg_catalog"
    if [s for s in schemas if s != "pg_catalog"] not in _DEFAULT_PATHS:
        return (
            RiskClass.UNKNOWN,
            "search_path other than the default would resolve unqualified names in "
            "schemas the gateway does not read them in (write public. names instead)",
        )
    return RiskClass.READ, "setting search_path is a harmless client setting"


def _catalog_shadowed(schemas: Sequence[str]) -> bool:
    """Whether a search path of these exact schema names puts one before pg_catalog
    (unlisted, pg_catalog is searched first; pg_temp, listed, can shadow it)."""
    if "pg_catalog" in schemas:
        return schemas.index("pg_catalog") != 0
    return "pg_temp" in schemas


def const_value(node: object) -> str | None:
    """The text of a constant setting value (`on`, `'x'`, `3`, `true`), else None.

    A false boolean reads as `0` and a true one as `true`, as they always have.
    """
    if isinstance(node, ast.TypeCast):
        return const_value(node.arg)
    if not isinstance(node, ast.A_Const) or node.isnull:
        return None
    value = node.val
    if isinstance(value, ast.String):
        return str(value.sval or "")
    if isinstance(value, ast.Integer):
        return str(value.ival or 0)
    if isinstance(value, ast.Float):
        return str(value.fval or 0)
    if isinstance(value, ast.Boolean):
        return "true" if value.boolval else "0"
    return None


def computed(node: object) -> bool:
    """Whether a value is anything but a constant (NULL included) or a parameter the
    caller sent (asyncpg restores `jit` with `set_config('jit', $1, false)`)."""
    while isinstance(node, ast.TypeCast):
        node = node.arg
    return not isinstance(node, ast.A_Const | ast.ParamRef)


def set_config_risk(args: Sequence[object]) -> tuple[RiskClass, str]:
    """`set_config(name, value, is_local)`: the class of the setting when the name is literal."""
    name = const_value(args[0]) if args else None
    if name is None:
        return RiskClass.UNKNOWN, "set_config with a computed setting name"
    value = const_value(args[1]) if len(args) > 1 else None
    if len(args) > 1 and computed(args[1]):
        # A setting keeps no lineage: a value computed from rows would come back
        # unmasked (ParameterStatus, SHOW, current_setting, pg_settings), so only a
        # value the caller wrote is set.
        return RiskClass.UNKNOWN, f"set_config: {name.lower()} set to a computed value"
    if name.lower() == "search_path" and value is not None:
        return _set_config_search_path(value)
    risk, reason = setting_risk(name, None if value is None else (value,))
    return risk, f"set_config: {reason}"


def _set_config_search_path(value: str) -> tuple[RiskClass, str]:
    """`set_config('search_path', value)`: the server reads `value` as a list of
    identifiers, folding unquoted ones (`PG_CATALOG` is pg_catalog): read it the same
    way, and refuse a list the server itself would not accept."""
    schemas = split_identifier_list(value)
    if schemas is None:
        return RiskClass.UNKNOWN, "set_config: search_path is not a list of schema names"
    risk, reason = _search_path_risk(schemas)
    return risk, f"set_config: {reason}"


def split_identifier_list(text: str) -> list[str] | None:
    """The names in a comma-separated identifier list, as PostgreSQL's
    `SplitIdentifierString` reads it (search_path and other list settings): quoted
    names keep their case and `""` stands for a quote; unquoted ones are trimmed and
    folded to lower case (ASCII letters only, as the server does for multibyte
    encodings). None for a list the server refuses (an empty or unterminated name).
    """
    names: list[str] = []
    at, end = 0, len(text)
    while True:
        while at < end and text[at].isspace():
            at += 1
        if at < end and text[at] == '"':
            name, at = _quoted(text, at + 1)
            if name is None or not name:
                return None
        else:
            start = at
            while at < end and text[at] != "," and not text[at].isspace():
                at += 1
            name = text[start:at].translate(_ASCII_LOWER)
            if not name:
                return None
        names.append(name)
        while at < end and text[at].isspace():
            at += 1
        if at == end:
            return names
        if text[at] != ",":
            return None
        at += 1


def _quoted(text: str, at: int) -> tuple[str | None, int]:
    """The quoted name starting after its opening quote at `at`, and where it ends."""
    parts: list[str] = []
    while True:
        close = text.find('"', at)
        if close < 0:
            return None, len(text)
        parts.append(text[at:close])
        if text[close + 1 : close + 2] == '"':
            parts.append('"')
            at = close + 2
            continue
        return "".join(parts), close + 1


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
