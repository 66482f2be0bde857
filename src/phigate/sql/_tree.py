"""The walk over a whole statement tree: every function, table, operator and nested write.

The tree is pglast's typed AST (`pglast.parse_sql`): `pglast.ast` nodes whose
slots carry libpg_query's C types. The walk visits every node, not just the top
one, following every slot that can hold a node (`children`), so a write hidden
in a CTE, a subquery, a function argument or a default expression is still seen.
A slot typed as one struct (`InsertStmt.relation`, `SelectStmt.larg`) holds a
*part* of its node: a statement there (the GRANT of ALTER DEFAULT PRIVILEGES) is
that statement's own syntax, not a nested statement.

It fails closed by construction: each node is dispatched by its class, and a
class that is not in `UNDERSTOOD` makes the statement `unknown` (and is still
walked into); a statement nested in another (the query of EXPLAIN ANALYZE,
CREATE TABLE AS, PREPARE, a rule's actions) is classified as a statement of its
own through the `nested` callback, so what a new pglast release adds, or what
nobody listed, is never read as a read.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pglast.ast
from pglast.ast import Node

from phigate.core.risk import RiskClass
from phigate.sql import runtime_parameters as settings
from phigate.sql.functions import function_key, function_risk, words

_DATA_MODIFYING = {
    "InsertStmt": "INSERT",
    "UpdateStmt": "UPDATE",
    "DeleteStmt": "DELETE",
    "MergeStmt": "MERGE",
}

# Catalogs that hold credentials or raw data of other users; reading them needs a superuser.
_CREDENTIAL_CATALOGS = frozenset(
    {"pg_authid", "pg_shadow", "pg_user_mapping", "pg_user_mappings", "pg_largeobject"}
)
# Catalogs and views that hold copies of table data or other sessions' statements:
# planner statistics keep most common values and histogram bounds (MRNs, ZIPs,
# surnames), activity views keep the last statement text of every session.
_DATA_CATALOGS = frozenset(
    {
        "pg_stats",
        "pg_stats_ext",
        "pg_stats_ext_exprs",
        "pg_statistic",
        "pg_statistic_ext_data",
        "pg_stat_activity",
        "pg_stat_statements",
        "pg_stat_statements_info",
        "pg_prepared_statements",
        "pg_cursors",
        "pg_locks",
        "pg_prepared_xacts",
        "pg_stat_replication",
        "pg_hba_file_rules",
        "pg_ident_file_mappings",
        "pg_file_settings",
        "pg_backend_memory_contexts",
    }
)

# Every node type of a raw parse tree the walk understands: expressions, clauses,
# FROM items, and the parts of DDL statements (already classified by their own
# kind). Anything else (a node of a newer grammar, or one of the planner's
# node types that a raw tree never holds) makes the statement `unknown`.
# Statements (`*Stmt`) are not listed: they are classified through `nested`.
UNDERSTOOD = words(
    """
    A_ArrayExpr A_Const A_Expr A_Indices A_Indirection A_Star Alias BitString BoolExpr
    Boolean BooleanTest CaseExpr CaseWhen CoalesceExpr CollateClause ColumnRef
    CommonTableExpr CTECycleClause CTESearchClause Float FuncCall GroupingFunc GroupingSet
    Integer IntoClause JoinExpr LockingClause MinMaxExpr MultiAssignRef NamedArgExpr
    NullTest ParamRef RangeFunction RangeSubselect RangeTableSample RangeVar ResTarget
    RowExpr SQLValueFunction SetToDefault SortBy String SubLink TypeCast TypeName
    WindowDef WithClause XmlExpr XmlSerialize RangeTableFunc RangeTableFuncCol
    JsonAggConstructor JsonArgument JsonArrayAgg JsonArrayConstructor
    JsonArrayQueryConstructor JsonBehavior JsonFormat JsonFuncExpr JsonIsPredicate
    JsonKeyValue JsonObjectAgg JsonObjectConstructor JsonOutput JsonParseExpr
    JsonReturning JsonScalarExpr JsonSerializeExpr JsonTable JsonTableColumn
    JsonTablePathSpec JsonValueExpr MergeWhenClause MergeSupportFunc OnConflictClause
    InferClause IndexElem ReturningClause ReturningOption CurrentOfExpr DefElem ColumnDef
    RoleSpec AccessPriv ObjectWithArgs FunctionParameter Constraint AlterTableCmd
    ATAlterConstraint PartitionSpec PartitionElem PartitionBoundSpec PartitionRangeDatum
    PartitionCmd TableLikeClause TriggerTransition StatsElem VacuumRelation
    PublicationObjSpec PublicationTable CreateOpClassItem List
    """
)

# Built-in operator names. A user-defined operator calls a user-defined function.
_OPERATORS = words(
    """= <> != < > <= >= + - * / % ^ |/ ||/ ! !! @ & | # ~ << >> || ~~ ~~* !~~ !~~* ~* !~
    !~* -> ->> #> #>> #- @> <@ ? ?| ?& @? @@ @@@ && <-> <<| |>> &< &> -|- <^ >^ ?# ?-
    ?-| ?|| ~= <<= >>= ## ^@ |&> &<| <<-> <->> <<<->"""
)
_CHECKED_OPERATOR_KINDS = frozenset(
    {"AEXPR_OP", "AEXPR_OP_ANY", "AEXPR_OP_ALL", "AEXPR_DISTINCT", "AEXPR_NOT_DISTINCT"}
)


# Slot types that hold any node. A slot typed as one struct (`RangeVar *relation`,
# `TypeName *typeName`) holds a part of its node rather than a node that stands
# on its own.
_ANY_NODE = frozenset({"Node*", "Expr*", "List*"})


_SLOTS: dict[type[Node], tuple[tuple[str, bool], ...]] = {}


def _node_slots(cls: type[Node]) -> tuple[tuple[str, bool], ...]:
    """The slots of a node class that can hold nodes, each with whether it holds a part.

    Scalar slots (names, flags, enums, locations) are left out, so a walk visits
    only what can hold an expression, a table or a statement.
    """
    found = _SLOTS.get(cls)
    if found is None:
        found = _SLOTS[cls] = tuple(_slots_holding_nodes(getattr(cls, "__slots__", ())))
    return found


def _slots_holding_nodes(slots: object) -> Iterator[tuple[str, bool]]:
    if isinstance(slots, tuple | list):  # a node class without pglast's slot types: all of them
        yield from ((str(slot), False) for slot in slots)
        return
    if not isinstance(slots, dict):
        return
    for slot, info in slots.items():
        c_type = str(getattr(info, "c_type", info))
        if c_type in _ANY_NODE:
            yield slot, False
        elif hasattr(pglast.ast, c_type.rstrip("*")):
            yield slot, True


def children(node: Node) -> Iterator[tuple[object, bool]]:
    """The node-holding values of `node` (nodes or tuples), each with whether it is a part."""
    for slot, part in _node_slots(type(node)):
        value = getattr(node, slot, None)
        if value is not None:
            yield value, part


def strings(nodes: Sequence[object] | None) -> tuple[str, ...]:
    """The `sval`s of a list of `String` nodes (qualified names)."""
    return tuple(str(n.sval) for n in nodes or () if isinstance(n, pglast.ast.String))


def enum_name(value: object, default: str = "") -> str:
    """The name of an enum value (`AEXPR_OP`), `default` when it is unset."""
    name = getattr(value, "name", None)
    return default if value is None or not isinstance(name, str) else name


def relation_name(rel: pglast.ast.RangeVar) -> str:
    """`schema.table` for a RangeVar; unqualified `pg_*` names resolve to pg_catalog."""
    name = str(rel.relname)
    schema = rel.schemaname
    if schema is None:
        schema = "pg_catalog" if name.startswith("pg_") else "public"
    return f"{schema}.{name}"


@dataclass
class TreeFacts:
    """What a walk found: classes with reasons, tables and functions."""

    findings: list[tuple[RiskClass, str]] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)
    functions: list[str] = field(default_factory=list)

    def add(self, risk: RiskClass, reason: str) -> None:
        self.findings.append((risk, reason))


class _Verdict(enum.Enum):
    """What a node class is to the walk, by its name (decided once per class)."""

    UNDERSTOOD = "understood"
    STATEMENT = "statement"
    UNKNOWN = "unknown"


def _verdict(cls: type[Node]) -> _Verdict:
    name = cls.__name__
    if name.endswith("Stmt"):
        return _Verdict.STATEMENT
    return _Verdict.UNDERSTOOD if name in UNDERSTOOD else _Verdict.UNKNOWN


@dataclass(frozen=True)
class _Plan:
    """How the walk treats every node of one class, worked out once per class."""

    verdict: _Verdict
    handler: Any  # TreeWalk method for this class, or None
    slots: tuple[tuple[str, bool], ...]
    has_with: bool


_PLANS: dict[type[Node], _Plan] = {}


def _plan(cls: type[Node]) -> _Plan:
    found = _PLANS.get(cls)
    if found is None:
        slots = _node_slots(cls)
        has_with = any(slot == "withClause" for slot, _ in slots)
        found = _PLANS[cls] = _Plan(_verdict(cls), _HANDLERS.get(cls), slots, has_with)
    return found


NestedStatement = Callable[[Node], tuple[RiskClass, str]]


class TreeWalk:
    """Visits every node of a statement, with CTE names in scope so they are not tables.

    `executes` is False under a plain EXPLAIN: the statement is planned, not run,
    so nested writes and statements do not count (functions still do: the planner
    may fold them). `nested` gives the class of a statement found inside another.
    Each node is dispatched by its class; a class with no handler is only walked
    through, and one that is not in `UNDERSTOOD` makes the statement `unknown`.
    """

    def __init__(
        self,
        extra: Mapping[str, RiskClass],
        nested: NestedStatement,
        *,
        executes: bool = True,
    ) -> None:
        self.extra = extra
        self.nested = nested
        self.executes = executes
        self.facts = TreeFacts()

    def visit(self, stmt: Node) -> None:
        """Walk the top-level statement `stmt` (classified by its kind elsewhere)."""
        self._node(stmt, _plan(type(stmt)), frozenset())

    def _any(self, value: object, ctes: frozenset[str], part: bool = False) -> None:
        if isinstance(value, tuple):
            for item in value:  # the items of a list stand on their own
                self._any(item, ctes)
        elif isinstance(value, Node):
            plan = _plan(type(value))
            if plan.verdict is not _Verdict.UNDERSTOOD:
                self._judge_node(value, plan.verdict, part)
            self._node(value, plan, ctes)

    def _node(self, node: Node, plan: _Plan, ctes: frozenset[str]) -> None:
        with_clause = getattr(node, "withClause", None) if plan.has_with else None
        if with_clause is not None:
            ctes = self._with_clause(with_clause, ctes)
        if plan.handler is not None:
            plan.handler(self, node, ctes)
        for slot, part in plan.slots:
            value = getattr(node, slot, None)
            if value is not None and value is not with_clause:
                self._any(value, ctes, part)

    def _judge_node(self, node: Node, verdict: _Verdict, part: bool) -> None:
        """A nested statement counts as itself (when it runs); an unlisted node is unknown.

        A statement held as a part of another (the GRANT of ALTER DEFAULT
        PRIVILEGES, the SET of ALTER SYSTEM, the branches of a UNION) is that
        statement's own syntax, classified with it.
        """
        if verdict is _Verdict.STATEMENT:
            if self.executes and not part:
                risk, reason = self.nested(node)
                if risk is not RiskClass.READ:
                    self.facts.add(risk, f"nested: {reason}")
        elif verdict is _Verdict.UNKNOWN:
            name = type(node).__name__
            self.facts.add(RiskClass.UNKNOWN, f"{name} is a construct the gateway does not know")

    def _with_clause(self, clause: pglast.ast.WithClause, outer: frozenset[str]) -> frozenset[str]:
        # A non-recursive CTE sees only the CTEs before it: inside its own body its
        # name still means the real table.
        ctes = [c for c in clause.ctes or () if isinstance(c, pglast.ast.CommonTableExpr)]
        names = [str(c.ctename) for c in ctes]
        for index, cte in enumerate(ctes):
            visible = names if clause.recursive else names[:index]
            self._any(cte.ctequery, outer | frozenset(visible))
        return outer | frozenset(names)

    def _relation(self, rel: pglast.ast.RangeVar, ctes: frozenset[str]) -> None:
        if rel.schemaname is None and rel.relname in ctes:
            return
        table = relation_name(rel)
        self.facts.tables.append(table)
        in_catalog = table.split(".", 1)[0] == "pg_catalog"
        if in_catalog and rel.relname in _CREDENTIAL_CATALOGS:
            self.facts.add(RiskClass.ADMIN, f"reads the credential catalog {table}")
        elif rel.relname in _DATA_CATALOGS:  # in any schema: extensions install there
            self.facts.add(
                RiskClass.ADMIN, f"reads {table}, which holds copies of data or other sessions' SQL"
            )

    def data_modifying(self, kind: str) -> None:
        if self.executes:
            self.facts.add(RiskClass.WRITE, f"{kind} modifies data")

    def func_call(self, node: pglast.ast.FuncCall, _ctes: frozenset[str]) -> None:
        key = function_key(strings(node.funcname))
        self.facts.functions.append(key)
        if key == "set_config":
            risk, reason = settings.set_config_risk(node.args or ())
        elif key == "setseed":
            risk, reason = _seed_risk(node.args or ())
        else:
            risk, reason = function_risk(key, self.extra)
        if risk is not RiskClass.READ:
            self.facts.add(risk, reason)

    def operator(self, node: pglast.ast.A_Expr, _ctes: frozenset[str]) -> None:
        if enum_name(node.kind, "AEXPR_OP") not in _CHECKED_OPERATOR_KINDS:
            return
        parts = strings(node.name)
        builtin_schema = len(parts) == 1 or parts[-2] == "pg_catalog"
        if not (builtin_schema and parts and parts[-1] in _OPERATORS):
            op = ".".join(parts)
            self.facts.add(RiskClass.UNKNOWN, f"operator {op} is not a built-in operator")

    def select(self, node: pglast.ast.SelectStmt, _ctes: frozenset[str]) -> None:
        if node.lockingClause and self.executes:
            self.facts.add(RiskClass.WRITE, "FOR UPDATE/SHARE locks rows")
        if node.intoClause and self.executes:
            # Like CREATE TABLE AS: a new table is a schema change (DESIGN lists it
            # under write; the stricter class keeps it consistent with CREATE TABLE AS).
            self.facts.add(RiskClass.DDL, "SELECT INTO creates and fills a table")


def _seed_risk(args: Sequence[object]) -> tuple[RiskClass, str]:
    """`setseed(x)`: the session's random generator keeps its seed between statements,
    and `random()` reads it back in a statement that reads no table (a float passes
    unmasked). A seed the caller wrote is harmless; one computed (from rows, or from
    anything else) writes session state from data: a write, which waits for approval
    and runs on the writer's connection, never in the session the agent reads from."""
    if len(args) == 1 and not settings.computed(args[0]):
        return RiskClass.READ, ""
    return RiskClass.WRITE, "setseed from a computed value seeds the session's generator"


def _modifying(kind: str) -> Any:
    def handler(walk: TreeWalk, _node: Node, _ctes: frozenset[str]) -> None:
        walk.data_modifying(kind)

    return handler


_HANDLERS: dict[type[Node], Any] = {
    pglast.ast.RangeVar: TreeWalk._relation,
    pglast.ast.FuncCall: TreeWalk.func_call,
    pglast.ast.A_Expr: TreeWalk.operator,
    pglast.ast.SelectStmt: TreeWalk.select,
    **{getattr(pglast.ast, name): _modifying(kind) for name, kind in _DATA_MODIFYING.items()},
}
