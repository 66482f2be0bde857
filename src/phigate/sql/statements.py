"""The class of each kind of top-level statement, before its subtree is walked.

`statement_base(stmt, session)` gives the class that the statement kind
itself carries (an INSERT writes, a GRANT changes privileges) with a reason. The
walk of the subtree (`_tree.TreeWalk`) then adds what nested nodes do. A kind
that is not listed here is `unknown`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol

from pglast import ast
from pglast.ast import Node

from phigate.core.risk import RiskClass
from phigate.sql import runtime_parameters as settings
from phigate.sql._tree import enum_name, strings
from phigate.sql.functions import words

R = RiskClass
Base = tuple[RiskClass, str]


class SessionView(Protocol):
    """What a statement may need to know about the session: prepared statements, cursors."""

    def prepared_risk(self, name: str) -> RiskClass | None:
        """The class of prepared statement `name`, None when there is none."""

    def cursor_risk(self, name: str) -> RiskClass | None:
        """The class of the query behind cursor `name`, None when there is none."""


_SIMPLE: dict[str, Base] = {
    "SelectStmt": (R.READ, "SELECT reads data"),
    "VariableShowStmt": (R.READ, "SHOW reads a setting"),
    "ListenStmt": (R.READ, "LISTEN waits for notifications"),
    "UnlistenStmt": (R.READ, "UNLISTEN stops waiting for notifications"),
    "ClosePortalStmt": (R.READ, "CLOSE releases a cursor"),
    "DeallocateStmt": (R.READ, "DEALLOCATE releases a prepared statement"),
    "DiscardStmt": (R.READ, "DISCARD drops cached plans, temporary tables or sequences"),
    "ConstraintsSetStmt": (R.READ, "SET CONSTRAINTS changes when constraints are checked"),
    "InsertStmt": (R.WRITE, "INSERT modifies data"),
    "UpdateStmt": (R.WRITE, "UPDATE modifies data"),
    "DeleteStmt": (R.WRITE, "DELETE modifies data"),
    "MergeStmt": (R.WRITE, "MERGE modifies data"),
    "TruncateStmt": (R.WRITE, "TRUNCATE removes all rows"),
    "LockStmt": (R.WRITE, "LOCK takes table locks"),
    "NotifyStmt": (R.WRITE, "NOTIFY signals other sessions"),
    "RefreshMatViewStmt": (R.WRITE, "REFRESH MATERIALIZED VIEW rewrites stored data"),
    "GrantStmt": (R.PRIVILEGE, "GRANT/REVOKE changes privileges"),
    "GrantRoleStmt": (R.PRIVILEGE, "GRANT/REVOKE of a role changes membership"),
    "CreateRoleStmt": (R.PRIVILEGE, "CREATE ROLE adds an identity"),
    "AlterRoleStmt": (R.PRIVILEGE, "ALTER ROLE changes an identity"),
    "AlterRoleSetStmt": (R.PRIVILEGE, "ALTER ROLE SET changes an identity's settings"),
    "DropRoleStmt": (R.PRIVILEGE, "DROP ROLE removes an identity"),
    "AlterDefaultPrivilegesStmt": (R.PRIVILEGE, "ALTER DEFAULT PRIVILEGES changes privileges"),
    "AlterOwnerStmt": (R.PRIVILEGE, "ALTER ... OWNER TO changes ownership"),
    "ReassignOwnedStmt": (R.PRIVILEGE, "REASSIGN OWNED changes ownership"),
    "DropOwnedStmt": (R.PRIVILEGE, "DROP OWNED removes objects and privileges"),
    "CreatePolicyStmt": (R.PRIVILEGE, "CREATE POLICY changes row-level security"),
    "AlterPolicyStmt": (R.PRIVILEGE, "ALTER POLICY changes row-level security"),
    "SecLabelStmt": (R.PRIVILEGE, "SECURITY LABEL changes access labels"),
    "CreateUserMappingStmt": (R.PRIVILEGE, "CREATE USER MAPPING stores credentials"),
    "AlterUserMappingStmt": (R.PRIVILEGE, "ALTER USER MAPPING changes credentials"),
    "DropUserMappingStmt": (R.PRIVILEGE, "DROP USER MAPPING removes credentials"),
    "AlterSystemStmt": (R.ADMIN, "ALTER SYSTEM changes the server configuration"),
    "LoadStmt": (R.ADMIN, "LOAD loads a shared library into the server"),
    "CreateExtensionStmt": (R.ADMIN, "CREATE EXTENSION installs server code"),
    "AlterExtensionStmt": (R.ADMIN, "ALTER EXTENSION changes server code"),
    "AlterExtensionContentsStmt": (R.ADMIN, "ALTER EXTENSION changes server code"),
    "CreateEventTrigStmt": (R.ADMIN, "CREATE EVENT TRIGGER runs code on every DDL"),
    "AlterEventTrigStmt": (R.ADMIN, "ALTER EVENT TRIGGER changes code run on DDL"),
    "CreatedbStmt": (R.ADMIN, "CREATE DATABASE"),
    "DropdbStmt": (R.ADMIN, "DROP DATABASE"),
    "AlterDatabaseStmt": (R.ADMIN, "ALTER DATABASE"),
    "AlterDatabaseSetStmt": (R.ADMIN, "ALTER DATABASE SET changes defaults for everyone"),
    "AlterDatabaseRefreshCollStmt": (R.ADMIN, "ALTER DATABASE"),
    "CreateTableSpaceStmt": (R.ADMIN, "CREATE TABLESPACE uses server directories"),
    "DropTableSpaceStmt": (R.ADMIN, "DROP TABLESPACE"),
    "AlterTableSpaceOptionsStmt": (R.ADMIN, "ALTER TABLESPACE"),
    "AlterTableMoveAllStmt": (R.ADMIN, "ALTER TABLE ALL IN TABLESPACE"),
    "CreateSubscriptionStmt": (R.ADMIN, "CREATE SUBSCRIPTION connects to another server"),
    "AlterSubscriptionStmt": (R.ADMIN, "ALTER SUBSCRIPTION"),
    "DropSubscriptionStmt": (R.ADMIN, "DROP SUBSCRIPTION"),
    "CreatePublicationStmt": (R.ADMIN, "CREATE PUBLICATION publishes changes"),
    "AlterPublicationStmt": (R.ADMIN, "ALTER PUBLICATION"),
    "CreateForeignServerStmt": (R.ADMIN, "CREATE SERVER connects to another server"),
    "AlterForeignServerStmt": (R.ADMIN, "ALTER SERVER"),
    "CreateFdwStmt": (R.ADMIN, "CREATE FOREIGN DATA WRAPPER installs server code"),
    "AlterFdwStmt": (R.ADMIN, "ALTER FOREIGN DATA WRAPPER"),
    "VacuumStmt": (R.ADMIN, "VACUUM/ANALYZE is server maintenance"),
    "ClusterStmt": (R.ADMIN, "CLUSTER rewrites tables"),
    "ReindexStmt": (R.ADMIN, "REINDEX rebuilds indexes"),
    "CheckPointStmt": (R.ADMIN, "CHECKPOINT forces a checkpoint"),
    "AlterSystemSetStmt": (R.ADMIN, "ALTER SYSTEM changes the server configuration"),
    "DoStmt": (R.UNKNOWN, "DO runs procedural code the gateway cannot see"),
    "CreatePLangStmt": (R.ADMIN, "CREATE LANGUAGE installs a procedural language"),
    "CreateAmStmt": (R.ADMIN, "CREATE ACCESS METHOD installs server code"),
    # Only ever the body of CREATE FUNCTION ... RETURN, which is classified as DDL.
    "ReturnStmt": (R.READ, "RETURN gives a SQL function's result"),
}

_FALSE = (None, "0", "false", "off")
# Schema changes, named one by one: a statement kind that a newer grammar adds is
# `unknown` until someone decides what it is, never DDL by the look of its name.
_DDL = words(
    """
    AlterCollationStmt AlterDomainStmt AlterEnumStmt AlterFunctionStmt AlterObjectDependsStmt
    AlterObjectSchemaStmt AlterOpFamilyStmt AlterOperatorStmt AlterSeqStmt AlterStatsStmt
    AlterTSConfigurationStmt AlterTSDictionaryStmt AlterTypeStmt CommentStmt CompositeTypeStmt
    CreateCastStmt CreateConversionStmt CreateDomainStmt CreateEnumStmt
    CreateForeignTableStmt CreateOpClassStmt CreateOpFamilyStmt CreateRangeStmt
    CreateSchemaStmt CreateSeqStmt CreateStatsStmt CreateStmt CreateTransformStmt
    CreateTrigStmt DefineStmt ImportForeignSchemaStmt IndexStmt RenameStmt RuleStmt ViewStmt
    ReplicaIdentityStmt
    """
)
_DROP_ADMIN = frozenset(
    {
        "OBJECT_EXTENSION",
        "OBJECT_EVENT_TRIGGER",
        "OBJECT_FDW",
        "OBJECT_FOREIGN_SERVER",
        "OBJECT_PUBLICATION",
        "OBJECT_SUBSCRIPTION",
    }
)
_DROP_PRIVILEGE = frozenset({"OBJECT_POLICY", "OBJECT_ROLE"})
_UNTRUSTED_LANGUAGES = frozenset({"c", "internal", "plpythonu", "plpython3u", "plperlu", "pltclu"})
_RLS_COMMANDS = frozenset(
    {
        "AT_EnableRowSecurity",
        "AT_DisableRowSecurity",
        "AT_ForceRowSecurity",
        "AT_NoForceRowSecurity",
        "AT_ChangeOwner",
    }
)


def statement_kind(name: str) -> str:
    """A readable kind for a parse node name: `CreateFunctionStmt` -> `CREATE FUNCTION`."""
    if name in _KIND_NAMES:
        return _KIND_NAMES[name]
    words = re.findall(r"[A-Z][a-z]*", name.removesuffix("Stmt"))
    return " ".join(words).upper()


_KIND_NAMES = {
    "VariableSetStmt": "SET",
    "VariableShowStmt": "SHOW",
    "TransactionStmt": "TRANSACTION",
    "CreateStmt": "CREATE TABLE",
    "CreateTableAsStmt": "CREATE TABLE AS",
    "CreateTrigStmt": "CREATE TRIGGER",
    "RuleStmt": "CREATE RULE",
    "ViewStmt": "CREATE VIEW",
    "IndexStmt": "CREATE INDEX",
    "DoStmt": "DO",
    "FetchStmt": "FETCH",
    "ClosePortalStmt": "CLOSE",
    "DeclareCursorStmt": "DECLARE CURSOR",
    "ExecuteStmt": "EXECUTE",
    "PrepareStmt": "PREPARE",
    "DeallocateStmt": "DEALLOCATE",
    "CopyStmt": "COPY",
    "ExplainStmt": "EXPLAIN",
    "GrantStmt": "GRANT",
    "GrantRoleStmt": "GRANT ROLE",
    "CallStmt": "CALL",
    "LoadStmt": "LOAD",
    "CheckPointStmt": "CHECKPOINT",
    "VacuumStmt": "VACUUM",
    "AlterSystemStmt": "ALTER SYSTEM",
    "CreatedbStmt": "CREATE DATABASE",
    "DropdbStmt": "DROP DATABASE",
}


def statement_base(stmt: Node, session: SessionView) -> Base:
    """The class the statement kind carries, and why."""
    name = type(stmt).__name__
    handler = _HANDLERS.get(name)
    if handler is not None:
        return handler(stmt, session)
    if name in _SIMPLE:
        return _SIMPLE[name]
    if name in _DDL:
        return R.DDL, f"{statement_kind(name)} changes the schema"
    return R.UNKNOWN, f"{statement_kind(name)} is a statement the gateway does not classify"


def _set(stmt: ast.VariableSetStmt, _session: SessionView) -> Base:
    kind = enum_name(stmt.kind, "VAR_SET_VALUE")
    name = stmt.name or ""
    if kind == "VAR_RESET_ALL":
        return R.WRITE, "RESET ALL also resets default_transaction_read_only"
    if kind == "VAR_SET_MULTI":
        return _transaction_options(stmt.args or (), "SET TRANSACTION")
    if kind in ("VAR_RESET", "VAR_SET_DEFAULT", "VAR_SET_CURRENT"):
        return settings.setting_risk(name, None)
    values = tuple(settings.const_value(a) or "" for a in stmt.args or ())
    return settings.setting_risk(name, values)


def _options(options: Sequence[object] | None) -> Iterator[ast.DefElem]:
    """The DefElem options of a statement (`WITH (...)`, `(ANALYZE, ...)`)."""
    return (o for o in options or () if isinstance(o, ast.DefElem))


def _transaction_options(options: Sequence[object], what: str) -> Base:
    for elem in _options(options):
        read_only = settings.const_value(elem.arg)
        if elem.defname == "transaction_read_only" and read_only in _FALSE:
            return R.WRITE, f"{what} READ WRITE allows writes"
    return R.READ, f"{what} controls the transaction"


def _discard(stmt: ast.DiscardStmt, _session: SessionView) -> Base:
    if enum_name(stmt.target) == "DISCARD_ALL":
        return R.WRITE, "DISCARD ALL also resets default_transaction_read_only"
    return _SIMPLE["DiscardStmt"]


def _transaction(stmt: ast.TransactionStmt, _session: SessionView) -> Base:
    kind = enum_name(stmt.kind)
    if kind in ("TRANS_STMT_PREPARE", "TRANS_STMT_COMMIT_PREPARED", "TRANS_STMT_ROLLBACK_PREPARED"):
        return R.WRITE, "two-phase commit changes durable transaction state"
    return _transaction_options(stmt.options or (), "BEGIN")


def _copy(stmt: ast.CopyStmt, _session: SessionView) -> Base:
    if stmt.is_program:
        return R.ADMIN, "COPY ... PROGRAM runs a program on the server"
    if stmt.filename is not None:
        return R.ADMIN, "COPY with a file name reads or writes server files"
    if stmt.is_from:
        return R.WRITE, "COPY FROM STDIN loads rows into a table"
    odd = [str(e.defname or "") for e in _options(stmt.options)]
    odd = [name for name in odd if name.lower() not in _COPY_OUT_OPTIONS]
    if odd:
        # The rows are masked field by field: with another delimiter, quote or
        # escape the gateway would split them where the server did not.
        return R.UNKNOWN, f"COPY TO with options the gateway does not parse ({', '.join(odd)})"
    return R.EXPORT, "COPY TO STDOUT exports rows in bulk"


# COPY … TO options whose output the gateway's row parser reads as the server wrote it.
_COPY_OUT_OPTIONS = frozenset({"format", "header", "null", "encoding", "force_quote"})


def option_text(arg: object) -> str | None:
    """The value of an option as written: a constant, or a bare word (`ANALYZE off`)."""
    value = settings.const_value(arg)
    if value is None and isinstance(arg, ast.String):
        value = arg.sval
    return value


def explain_analyzes(stmt: ast.ExplainStmt) -> bool:
    """EXPLAIN ANALYZE runs the statement; only an explicit `(ANALYZE false)` does not.

    PostgreSQL lets the last of repeated options win; any ANALYZE that is not
    plainly false counts, so `(ANALYZE false, ANALYZE true)` and the reverse both
    run, whichever way a server version reads them.
    """
    for elem in _options(stmt.options):
        if str(elem.defname or "").lower() != "analyze":
            continue
        value = option_text(elem.arg)
        if elem.arg is None or str(value).lower() not in ("false", "off", "0", "no"):
            return True
    return False


def _explain(stmt: ast.ExplainStmt, _session: SessionView) -> Base:
    # Under ANALYZE the explained statement runs: the walk classifies it as a
    # nested statement, so EXPLAIN ANALYZE of a write or DDL is that write or DDL.
    if explain_analyzes(stmt):
        return R.READ, "EXPLAIN ANALYZE runs the statement it explains"
    return R.READ, "EXPLAIN plans the statement without running it"


def _drop(stmt: ast.DropStmt, _session: SessionView) -> Base:
    kind = enum_name(stmt.removeType)
    if kind in _DROP_ADMIN:
        return R.ADMIN, f"DROP of {kind.removeprefix('OBJECT_').lower()} changes server code"
    if kind in _DROP_PRIVILEGE:
        return R.PRIVILEGE, f"DROP of {kind.removeprefix('OBJECT_').lower()} changes access"
    return R.DDL, "DROP changes the schema"


def _create_function(stmt: ast.CreateFunctionStmt, _session: SessionView) -> Base:
    for elem in _options(stmt.options):
        if elem.defname == "language" and elem.arg:
            lang = "".join(strings([elem.arg])).lower()
            if lang in _UNTRUSTED_LANGUAGES:
                return R.ADMIN, f"CREATE FUNCTION in the untrusted language {lang}"
    return R.DDL, "CREATE FUNCTION adds code to the schema"


def _alter_table(stmt: ast.AlterTableStmt, _session: SessionView) -> Base:
    for cmd in stmt.cmds or ():
        subtype = enum_name(getattr(cmd, "subtype", None))
        if isinstance(cmd, ast.AlterTableCmd) and subtype in _RLS_COMMANDS:
            return R.PRIVILEGE, f"ALTER TABLE {subtype.removeprefix('AT_')} changes access"
    return R.DDL, "ALTER TABLE changes the schema"


def _execute(stmt: ast.ExecuteStmt, session: SessionView) -> Base:
    name = stmt.name or ""
    risk = session.prepared_risk(name)
    if risk is None:
        return R.UNKNOWN, f"EXECUTE of {name}, a statement this session did not prepare"
    return risk, f"EXECUTE {name} runs a prepared statement classified {risk}"


def _fetch(stmt: ast.FetchStmt, session: SessionView) -> Base:
    name = stmt.portalname or ""
    risk = session.cursor_risk(name)
    if risk is None:
        return R.UNKNOWN, f"FETCH from {name}, a cursor this session did not declare"
    return risk, f"FETCH from {name} runs a cursor classified {risk}"


def _call(stmt: ast.CallStmt, _session: SessionView) -> Base:
    name = ".".join(strings(stmt.funccall.funcname if stmt.funccall else None))
    return R.READ, f"CALL runs the procedure {name}"


def _notify_text(stmt: ast.NotifyStmt, _session: SessionView) -> Base:
    return R.WRITE, f"NOTIFY signals other sessions on {stmt.conditionname or ''}"


_HANDLERS: dict[str, Callable[[Any, SessionView], Base]] = {
    "VariableSetStmt": _set,
    "TransactionStmt": _transaction,
    "CopyStmt": _copy,
    "DiscardStmt": _discard,
    "ExplainStmt": _explain,
    "DropStmt": _drop,
    "CreateFunctionStmt": _create_function,
    "AlterTableStmt": _alter_table,
    "ExecuteStmt": _execute,
    "FetchStmt": _fetch,
    "CallStmt": _call,
    "NotifyStmt": _notify_text,
    "PrepareStmt": lambda f, s: (R.READ, "PREPARE stores a statement (classified by its body)"),
    "DeclareCursorStmt": lambda f, s: (R.READ, "DECLARE opens a cursor (classified by its query)"),
    "CreateTableAsStmt": lambda f, s: (R.DDL, "CREATE TABLE AS creates and fills a table"),
}
