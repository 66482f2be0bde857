"""The walk over a whole statement tree: every function, table, operator and nested write.

The tree is libpg_query's JSON form (`pglast.parser.parse_sql_json`), loaded into
plain dicts: a node is `{"NodeName": {fields}}`, and fields typed as one struct
(for example `InsertStmt.relation`) are bare dicts. The walk visits every node,
not just the top one, so a write hidden in a CTE, a subquery, a function
argument or a default expression is still seen.

It fails closed by construction: a node type that is not in `UNDERSTOOD` makes the
statement `unknown`, and a statement nested in another (the query of EXPLAIN
ANALYZE, CREATE TABLE AS, PREPARE, a rule's actions) is classified as a statement
of its own through the `nested` callback, so what a new pglast release adds, or
what nobody listed, is never read as a read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from phigate.risk import RiskClass
from phigate.sql import settings
from phigate.sql.functions import function_key, function_risk, words

Node = dict[str, Any]

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


def node_name(node: object) -> str | None:
    """The node's type name when `node` is a wrapped node `{"Name": {...}}`."""
    if isinstance(node, dict) and len(node) == 1:
        key: str = next(iter(node))
        if key[:1].isupper() and isinstance(node[key], dict):
            return key
    return None


def strings(nodes: list[Node] | None) -> tuple[str, ...]:
    """The `sval`s of a list of `String` nodes (qualified names)."""
    return tuple(n["String"]["sval"] for n in nodes or () if "String" in n)


def const_text(node: object) -> str | None:
    """The text of a string constant (also through a cast), else None."""
    if not isinstance(node, dict):
        return None
    if "TypeCast" in node:
        return const_text(node["TypeCast"].get("arg"))
    const = node.get("A_Const")
    if isinstance(const, dict) and "sval" in const:
        return str(const["sval"].get("sval", ""))
    return None


def relation_name(rel: Node) -> str:
    """`schema.table` for a RangeVar; unqualified `pg_*` names resolve to pg_catalog."""
    name = rel["relname"]
    schema = rel.get("schemaname")
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


NestedStatement = Callable[[str, Node], tuple[RiskClass, str]]


class TreeWalk:
    """Visits every node of a statement, with CTE names in scope so they are not tables.

    `executes` is False under a plain EXPLAIN: the statement is planned, not run,
    so nested writes and statements do not count (functions still do: the planner
    may fold them). `nested` gives the class of a statement found inside another.
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
        self._top = True

    def visit(self, node: object, ctes: frozenset[str] = frozenset()) -> None:
        if isinstance(node, list):
            for item in node:
                self.visit(item, ctes)
            return
        if not isinstance(node, dict):
            return
        name = node_name(node)
        if name is not None:
            self._visit_typed(name, node[name], ctes)
            return
        if "relname" in node:
            self._relation(node, ctes)
        if "limitOption" in node and "op" in node:
            # The branches of a set operation are bare SelectStmt structs.
            self._visit_typed("SelectStmt", node, ctes)
            return
        for value in node.values():
            if isinstance(value, dict | list):
                self.visit(value, ctes)

    def _visit_typed(self, name: str, fields: Node, ctes: frozenset[str]) -> None:
        top, self._top = self._top, False
        if not top:
            self._judge_node(name, fields)
        if "withClause" in fields:
            ctes = self._with_clause(fields["withClause"], ctes)
        handler = _HANDLERS.get(name)
        if handler is not None:
            handler(self, fields, ctes)
        for key, value in fields.items():
            if key != "withClause" and isinstance(value, dict | list):
                self.visit(value, ctes)

    def _judge_node(self, name: str, fields: Node) -> None:
        """A nested statement counts as itself (when it runs); an unlisted node is unknown."""
        if name.endswith("Stmt"):
            if self.executes:
                risk, reason = self.nested(name, fields)
                if risk is not RiskClass.READ:
                    self.facts.add(risk, f"nested: {reason}")
        elif name not in UNDERSTOOD:
            self.facts.add(RiskClass.UNKNOWN, f"{name} is a construct the gateway does not know")

    def _with_clause(self, clause: Node, outer: frozenset[str]) -> frozenset[str]:
        # A non-recursive CTE sees only the CTEs before it: inside its own body its
        # name still means the real table.
        ctes = [c["CommonTableExpr"] for c in clause.get("ctes", ())]
        names = [c["ctename"] for c in ctes]
        recursive = bool(clause.get("recursive"))
        for index, cte in enumerate(ctes):
            visible = names if recursive else names[:index]
            self.visit(cte.get("ctequery"), outer | frozenset(visible))
        return outer | frozenset(names)

    def _relation(self, rel: Node, ctes: frozenset[str]) -> None:
        if rel.get("schemaname") is None and rel["relname"] in ctes:
            return
        table = relation_name(rel)
        self.facts.tables.append(table)
        in_catalog = table.split(".", 1)[0] == "pg_catalog"
        if in_catalog and rel["relname"] in _CREDENTIAL_CATALOGS:
            self.facts.add(RiskClass.ADMIN, f"reads the credential catalog {table}")
        elif rel["relname"] in _DATA_CATALOGS:  # in any schema: extensions install there
            self.facts.add(
                RiskClass.ADMIN, f"reads {table}, which holds copies of data or other sessions' SQL"
            )

    def range_var(self, fields: Node, ctes: frozenset[str]) -> None:
        self._relation(fields, ctes)

    def data_modifying(self, kind: str) -> None:
        if self.executes:
            self.facts.add(RiskClass.WRITE, f"{kind} modifies data")

    def func_call(self, fields: Node, _ctes: frozenset[str]) -> None:
        key = function_key(strings(fields.get("funcname")))
        self.facts.functions.append(key)
        if key == "set_config":
            risk, reason = settings.set_config_risk(fields.get("args") or [])
        else:
            risk, reason = function_risk(key, self.extra)
        if risk is not RiskClass.READ:
            self.facts.add(risk, reason)

    def call(self, fields: Node, ctes: frozenset[str]) -> None:
        # CALL holds its FuncCall bare (not wrapped), so the generic walk would miss it.
        self.func_call(fields.get("funccall") or {}, ctes)

    def operator(self, fields: Node, _ctes: frozenset[str]) -> None:
        if fields.get("kind", "AEXPR_OP") not in _CHECKED_OPERATOR_KINDS:
            return
        parts = strings(fields.get("name"))
        builtin_schema = len(parts) == 1 or parts[-2] == "pg_catalog"
        if not (builtin_schema and parts and parts[-1] in _OPERATORS):
            op = ".".join(parts)
            self.facts.add(RiskClass.UNKNOWN, f"operator {op} is not a built-in operator")

    def select(self, fields: Node, _ctes: frozenset[str]) -> None:
        if fields.get("lockingClause") and self.executes:
            self.facts.add(RiskClass.WRITE, "FOR UPDATE/SHARE locks rows")
        if fields.get("intoClause") and self.executes:
            # Like CREATE TABLE AS: a new table is a schema change (DESIGN lists it
            # under write; the stricter class keeps it consistent with CREATE TABLE AS).
            self.facts.add(RiskClass.DDL, "SELECT INTO creates and fills a table")


def _modifying(kind: str) -> Any:
    def handler(walk: TreeWalk, _fields: Node, _ctes: frozenset[str]) -> None:
        walk.data_modifying(kind)

    return handler


_HANDLERS: dict[str, Any] = {
    "RangeVar": TreeWalk.range_var,
    "FuncCall": TreeWalk.func_call,
    "A_Expr": TreeWalk.operator,
    "CallStmt": TreeWalk.call,
    "SelectStmt": TreeWalk.select,
    **{name: _modifying(kind) for name, kind in _DATA_MODIFYING.items()},
}
