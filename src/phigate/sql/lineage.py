"""Column lineage: which source columns (`schema.table.column`) feed each result column.

Masking needs to know that `upper(p.ssn) AS x` is the ssn, that `json_agg(p)`
is every column of `patients`, and that `WHERE ssn LIKE '1%'` uses the ssn as an
oracle. The walk resolves names the way PostgreSQL does (innermost scope first,
CTEs before tables, column names before whole-row aliases) and over-approximates
where it cannot know: an unqualified column over several tables whose columns
are unknown is attributed to each of them, and `*` over a table the catalog does
not know is reported as `schema.table.*`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from phigate.sql._marks import FILTERING, MARKERS, TRANSFORMED, UNRESOLVED, marked
from phigate.sql._tree import Node, node_name, relation_name, strings
from phigate.sql.functions import SET_RETURNING, function_key, total_argument, words
from phigate.sql.model import Catalog, ColumnLineage
from phigate.sql.statements import explain_analyzes

Sources = frozenset[str]
Outputs = list[tuple[str, Sources]]
_EMPTY: Sources = frozenset()


@dataclass(frozen=True)
class LineageResult:
    """Lineage of one statement: outputs, predicate (oracle) columns, every column used."""

    outputs: tuple[ColumnLineage, ...] = ()
    predicates: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()


@dataclass
class _Relation:
    """One FROM item in scope: its alias and where each of its columns comes from."""

    alias: str
    table: str | None = None  # the base table, `schema.table`
    columns: dict[str, Sources] | None = None  # None: unknown (no catalog entry)
    fallback: Sources = _EMPTY  # function results: every column derives from the arguments

    def column(self, name: str) -> Sources | None:
        if self.columns is not None:
            found = self.columns.get(name)
            star = self.columns.get("*")
            # A `*` over a table the catalog does not know may hold any column name.
            return found if found is not None or star is None else _star_column(star, name)
        if self.table is not None:
            return frozenset({f"{self.table}.{name}"})
        return self.fallback

    def expand(self) -> Outputs:
        if self.columns is not None:
            return list(self.columns.items())
        if self.table is not None:
            return [("*", frozenset({f"{self.table}.*"}))]
        if self.fallback:  # a function's record over columns: not told apart
            return [("*", self.fallback | {UNRESOLVED})]
        return [("*", _EMPTY)]

    def whole_row(self) -> Sources:
        return frozenset().union(*(s for _, s in self.expand()))


Scopes = list[list[_Relation]]  # innermost level first


@dataclass
class _Builder:
    catalog: Catalog | None
    predicates: set[str] = field(default_factory=set)
    used: set[str] = field(default_factory=set)

    # --- queries --------------------------------------------------------------------
    def query(self, node: object, outer: Scopes, ctes: dict[str, Outputs]) -> Outputs:
        name = node_name(node)
        if name is None:
            return []
        assert isinstance(node, dict)
        fields: Node = node[name]
        if "withClause" in fields:
            ctes = self.with_clause(fields["withClause"], outer, ctes)
        if name == "SelectStmt":
            return self.select(fields, outer, ctes)
        if name in ("InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt"):
            return self.modifying(fields, outer, ctes)
        return []

    def with_clause(
        self, clause: Node, outer: Scopes, ctes: dict[str, Outputs]
    ) -> dict[str, Outputs]:
        ctes = dict(ctes)
        for item in clause.get("ctes", ()):
            cte = item["CommonTableExpr"]
            name, body = cte["ctename"], cte.get("ctequery")
            names = strings(cte.get("aliascolnames"))
            if clause.get("recursive"):
                ctes[name] = _rename(self._recursive_seed(body, outer, ctes), names)
                for _ in range(4):  # propagate through the recursion until stable
                    ctes[name] = _rename(_merge(ctes[name], self.query(body, outer, ctes)), names)
            else:
                ctes[name] = _rename(self.query(body, outer, ctes), names)
        return ctes

    def _recursive_seed(self, body: object, outer: Scopes, ctes: dict[str, Outputs]) -> Outputs:
        fields = body.get("SelectStmt", {}) if isinstance(body, dict) else {}
        if fields.get("larg") is not None:
            return self.query({"SelectStmt": fields["larg"]}, outer, ctes)
        return []

    def select(self, fields: Node, outer: Scopes, ctes: dict[str, Outputs]) -> Outputs:
        if fields.get("op", "SETOP_NONE") != "SETOP_NONE":
            # The branches of a set operation are bare SelectStmt structs.
            left = self.query({"SelectStmt": fields["larg"]}, outer, ctes)
            right = self.query({"SelectStmt": fields["rarg"]}, outer, ctes)
            outputs = _merge(left, right)
            if fields.get("op") != "SETOP_UNION" or not fields.get("all"):
                # INTERSECT, EXCEPT and UNION's de-duplication compare the values.
                self._note_predicate(s for _, src in outputs for s in src)
            self._order_by(fields, outputs, [[], *outer], ctes)
            for key in ("limitCount", "limitOffset"):
                self.predicate(fields.get(key), [[], *outer], ctes)
            return outputs
        if fields.get("valuesLists"):
            return self._values(fields["valuesLists"], outer, ctes)
        level = self.from_clause(fields.get("fromClause") or [], outer, ctes)
        scopes = [level, *outer]
        outputs = self.targets(fields.get("targetList") or [], scopes, ctes)
        # LIMIT and OFFSET decide how many rows come back: a count computed from a
        # column reads it back as surely as a WHERE on it.
        for key in ("whereClause", "havingClause", "limitCount", "limitOffset"):
            self.predicate(fields.get(key), scopes, ctes)
        self._distinct(fields.get("distinctClause"), outputs, scopes, ctes)
        self.predicate(fields.get("windowClause"), scopes, ctes)
        self._order_by(fields, outputs, scopes, ctes)
        return outputs

    def _distinct(
        self, clause: list[Any] | None, outputs: Outputs, scopes: Scopes, ctes: dict[str, Outputs]
    ) -> None:
        """DISTINCT compares every output; DISTINCT ON its expressions (ordinals too)."""
        if clause is None:
            return
        items = [item for item in clause if item]
        if not items:  # plain DISTINCT: `[{}]`
            self._note_predicate(s for _, src in outputs for s in src)
            return
        for item in items:
            position = _int_const(item)
            if position is not None and 0 < position <= len(outputs):
                self._note_predicate(outputs[position - 1][1])
            else:
                self.predicate(item, scopes, ctes)

    def _values(self, rows: list[Any], outer: Scopes, ctes: dict[str, Outputs]) -> Outputs:
        outputs: Outputs = []
        for row in rows:
            items = row.get("List", {}).get("items", [])
            current = [
                (f"column{i + 1}", marked(self.expr(e, outer, ctes), e))
                for i, e in enumerate(items)
            ]
            outputs = _merge(outputs, current) if outputs else current
        return outputs

    def _order_by(
        self, fields: Node, outputs: Outputs, scopes: Scopes, ctes: dict[str, Outputs]
    ) -> None:
        by_name = {name: sources for name, sources in outputs}
        sort = [item.get("SortBy", {}).get("node") for item in fields.get("sortClause") or []]
        for target in [*sort, *(fields.get("groupClause") or [])]:
            position = _int_const(target)
            ref = _single_name(target)
            if position is not None and 0 < position <= len(outputs):
                self._note_predicate(outputs[position - 1][1])
            elif ref is not None and ref in by_name:
                self._note_predicate(by_name[ref])
            else:
                self.predicate(target, scopes, ctes)

    def modifying(self, fields: Node, outer: Scopes, ctes: dict[str, Outputs]) -> Outputs:
        level = self.from_clause([{"RangeVar": fields["relation"]}], outer, ctes)
        extra = (fields.get("fromClause") or []) + (fields.get("usingClause") or [])
        level += self.from_clause(extra, [level, *outer], ctes)
        if fields.get("sourceRelation") is not None:
            level += self.from_clause([fields["sourceRelation"]], outer, ctes)
        scopes = [level, *outer]
        self.predicate(fields.get("whereClause"), scopes, ctes)
        self.predicate(fields.get("joinCondition"), scopes, ctes)
        returning = fields.get("returningClause") or {}
        exprs = returning.get("exprs") if isinstance(returning, dict) else None
        return self.targets(exprs or fields.get("returningList") or [], scopes, ctes)

    # --- FROM -----------------------------------------------------------------------
    def from_clause(
        self, items: list[Any], outer: Scopes, ctes: dict[str, Outputs]
    ) -> list[_Relation]:
        level: list[_Relation] = []
        for item in items:
            # LATERAL items see the items before them, so resolve with the level so far.
            level.extend(self.from_item(item, [level, *outer], ctes))
        return level

    def from_item(self, item: object, scopes: Scopes, ctes: dict[str, Outputs]) -> list[_Relation]:
        name = node_name(item)
        if name is None:
            return []
        assert isinstance(item, dict)
        fields: Node = item[name]
        alias: Node = fields.get("alias") or {}
        alias_name = str(alias.get("aliasname", ""))
        if name == "RangeVar":
            return [self._range_var(fields, alias, ctes)]
        if name == "RangeSubselect":
            visible = scopes if fields.get("lateral") else scopes[1:]
            outputs = self.query(fields.get("subquery"), visible, ctes)
            return [_derived(alias_name, _rename(outputs, strings(alias.get("colnames"))))]
        if name == "JoinExpr":
            return self._join(fields, scopes, ctes)
        if name == "RangeTableSample":
            # The percentage and the seed decide which rows come back.
            self.predicate([fields.get("args"), fields.get("repeatable")], scopes, ctes)
            return self.from_item(fields.get("relation"), scopes, ctes)
        # Functions, XMLTABLE, JSON_TABLE: every column derives from all the arguments.
        sources = self.expr(fields, scopes, ctes)
        relation = _Relation(alias=alias_name or _function_alias(fields), fallback=sources)
        names = strings(alias.get("colnames")) or _column_definitions(fields)
        if names:
            relation.columns = dict.fromkeys(names, sources)
        return [relation]

    def _range_var(self, fields: Node, alias: Node, ctes: dict[str, Outputs]) -> _Relation:
        relname = str(fields["relname"])
        name = str(alias.get("aliasname", relname))
        colnames = strings(alias.get("colnames"))
        if fields.get("schemaname") is None and relname in ctes:
            return _derived(name, _rename(ctes[relname], colnames))
        table = relation_name(fields)
        known = self.catalog.columns(table) if self.catalog is not None else None
        if known is None and colnames:
            # `patients AS p(a, b)` over unknown columns: which column `b` is, is not
            # known; each renamed one may be any of the table's.
            whole = frozenset({f"{table}.*", UNRESOLVED})
            renamed = dict.fromkeys(colnames, whole)
            return _Relation(alias=name, table=table, columns={**renamed, "*": whole})
        if known is None:
            return _Relation(alias=name, table=table)
        outputs = [(c, frozenset({f"{table}.{c}"})) for c in known]
        relation = _derived(name, _rename(outputs, colnames))
        relation.table = table
        return relation

    def _join(self, fields: Node, scopes: Scopes, ctes: dict[str, Outputs]) -> list[_Relation]:
        left = self.from_item(fields.get("larg"), scopes, ctes)
        right = self.from_item(fields.get("rarg"), [left + scopes[0], *scopes[1:]], ctes)
        both = left + right
        inner = [both + scopes[0], *scopes[1:]]
        self.predicate(fields.get("quals"), inner, ctes)
        for column in strings(fields.get("usingClause")):
            # USING compares the column of each side, not just the one a name finds.
            for rel in both:
                self._note_predicate(rel.column(column) or _EMPTY)
        if fields.get("isNatural"):
            # Joined on every column the two sides share, which are not named here.
            self._note_predicate(s for rel in both for s in rel.whole_row())
        alias = (fields.get("alias") or {}).get("aliasname")
        if alias is None:
            return both
        merged: Outputs = [o for rel in both for o in rel.expand()]
        return [_derived(alias, merged)]

    # --- target lists and expressions -------------------------------------------------
    def targets(self, items: list[Any], scopes: Scopes, ctes: dict[str, Outputs]) -> Outputs:
        outputs: Outputs = []
        for item in items:
            target = item.get("ResTarget", {})
            value = target.get("val")
            star = _star_ref(value)
            if star is not None:
                outputs.extend(self._star(star, scopes))
                continue
            if _expands_record(value):
                # `(expr).*`: as many columns as the record has, none told apart.
                outputs.append(("*", self.expr(value, scopes, ctes) | {UNRESOLVED}))
                continue
            sources = marked(self.expr(value, scopes, ctes), value)
            outputs.append((target.get("name") or _derived_name(value), sources))
        return outputs

    def _star(self, qualifier: tuple[str, ...], scopes: Scopes) -> Outputs:
        level = scopes[0] if scopes else []
        if not qualifier:
            return [o for rel in level for o in rel.expand()]
        rel = _find_relation(qualifier, scopes)
        if rel is None:
            return [(".".join(qualifier) + ".*", _EMPTY)]
        return rel.expand()

    def predicate(self, node: object, scopes: Scopes, ctes: dict[str, Outputs]) -> None:
        if node is not None:
            self._note_predicate(self.expr(node, scopes, ctes))

    def _note_predicate(self, sources: Iterable[str]) -> None:
        self.predicates.update(sources)

    def expr(self, node: object, scopes: Scopes, ctes: dict[str, Outputs]) -> Sources:
        found: set[str] = set()
        self._collect(node, scopes, ctes, found)
        self.used.update(found)
        return frozenset(found)

    def _collect(
        self, node: object, scopes: Scopes, ctes: dict[str, Outputs], found: set[str]
    ) -> None:
        if isinstance(node, list):
            for item in node:
                self._collect(item, scopes, ctes, found)
            return
        if not isinstance(node, dict):
            return
        name = node_name(node)
        if name is None:
            for value in node.values():
                if isinstance(value, dict | list):
                    self._collect(value, scopes, ctes, found)
            return
        fields: Node = node[name]
        special = _EXPRESSIONS.get(name)
        if special is not None:
            found.update(special(self, fields, scopes, ctes))
            return
        self._collect(fields, scopes, ctes, found)

    def _column_ref(self, fields: Node, scopes: Scopes, _ctes: dict[str, Outputs]) -> Sources:
        parts = fields.get("fields") or []
        if parts and "A_Star" in parts[-1]:
            rel = _find_relation(strings(parts[:-1]), scopes) if len(parts) > 1 else None
            if rel is not None:
                return rel.whole_row()
            return frozenset().union(*(r.whole_row() for r in (scopes[0] if scopes else [])))
        return self._resolve(strings(parts), scopes)

    def _resolve(self, parts: tuple[str, ...], scopes: Scopes) -> Sources:
        if len(parts) >= 2:
            rel = _find_relation(parts[:-1], scopes)
            found = rel.column(parts[-1]) if rel is not None else None
            if found is not None:
                return found
            # `p.name` where p is a whole-row column or composite: over-approximate.
            whole = _find_relation(parts[:1], scopes)
            return whole.whole_row() if whole is not None else _EMPTY
        return _resolve_single(parts[0], scopes) if parts else _EMPTY

    def _sublink(self, fields: Node, scopes: Scopes, ctes: dict[str, Outputs]) -> Sources:
        before = set(self.predicates)
        outputs = self.query(fields.get("subselect"), scopes, ctes)
        test = self.expr(fields.get("testexpr"), scopes, ctes)
        if fields.get("subLinkType") == "EXISTS_SUBLINK":
            # EXISTS returns a boolean: its value derives from the subquery's conditions.
            return test | frozenset(self.predicates - before)
        return test.union(*(s for _, s in outputs))

    def _case(self, fields: Node, scopes: Scopes, ctes: dict[str, Outputs]) -> Sources:
        conditions = self.expr(fields.get("arg"), scopes, ctes)
        results: set[str] = set()
        for when in fields.get("args") or []:
            clause = when.get("CaseWhen", {})
            conditions |= self.expr(clause.get("expr"), scopes, ctes)
            results |= self.expr(clause.get("result"), scopes, ctes)
        results |= self.expr(fields.get("defresult"), scopes, ctes)
        self._note_predicate(conditions)
        return conditions | results

    def _window(self, fields: Node, scopes: Scopes, ctes: dict[str, Outputs]) -> Sources:
        sources = self.expr(
            [
                fields.get("partitionClause"),
                fields.get("orderClause"),
                fields.get("startOffset"),
                fields.get("endOffset"),
            ],
            scopes,
            ctes,
        )
        self._note_predicate(sources)
        return sources

    def _func_call(self, fields: Node, scopes: Scopes, ctes: dict[str, Outputs]) -> Sources:
        self.predicate(fields.get("agg_filter"), scopes, ctes)
        self.predicate(fields.get("agg_order"), scopes, ctes)
        # OVER is a bare WindowDef struct, so it is not dispatched by node name.
        over = self._window(fields["over"], scopes, ctes) if fields.get("over") else _EMPTY
        rest = {k: v for k, v in fields.items() if k not in ("funcname", "agg_filter", "over")}
        sources = self.expr(rest, scopes, ctes)
        key = function_key(strings(fields.get("funcname")))
        if key in SET_RETURNING:
            # How many rows a set-returning function yields depends on its arguments.
            self._note_predicate(sources)
        elif key in FILTERING:
            # A jsonpath filter (`? (@.mrn starts with "1")`) is a WHERE inside a value.
            self._note_predicate(sources)
        else:
            # It may fail on some values of an argument: failing or not is an answer.
            for index, arg in enumerate(fields.get("args") or []):
                if not total_argument(key, index):
                    self._note_predicate(self.expr(arg, scopes, ctes))
        return sources | over


# Operators that compute a value from values; every other one (=, <, LIKE, ~, IN,
# IS DISTINCT FROM, NULLIF, ...) compares, and a comparison anywhere is a condition.
_VALUE_OPERATORS = words("+ - * / % ^ || & | # << >> -> ->> #> #>> #- |/ ||/ @")
# Value operators that cannot fail on any value of their operands; the others can
# (overflow, division by zero, a negative square root, a date out of range), so
# their operands are conditions, as with functions outside `TOTAL`.
_TOTAL_OPERATORS = words("|| -> ->> #> #>>")
# Casts to these types cannot fail; a cast to any other type fails on a value it
# cannot read (`substr(ssn, 1, 1)::int` when the digit is a letter).
_TEXT_TYPES = words("text varchar bpchar char name citext")


def _operator(self: _Builder, fields: Node, scopes: Scopes, ctes: dict[str, Outputs]) -> Sources:
    left = self.expr(fields.get("lexpr"), scopes, ctes)
    right = self.expr(fields.get("rexpr"), scopes, ctes)
    name = strings(fields.get("name"))
    if name and name[-1] not in _TOTAL_OPERATORS:
        # Whether it fails (a zero divisor, an overflow) tells something about its
        # operands: one bit per statement, as a WHERE would.
        self._note_predicate(left | right)
    compares = fields.get("kind", "AEXPR_OP") != "AEXPR_OP" or (
        not name or name[-1] not in _VALUE_OPERATORS
    )
    if compares and fields.get("lexpr") is not None:
        self._note_predicate(left | right)
    return left | right


def _cast(self: _Builder, fields: Node, scopes: Scopes, ctes: dict[str, Outputs]) -> Sources:
    """A cast to anything but text may fail on a value it cannot read: a condition."""
    sources = self.expr(fields.get("arg"), scopes, ctes)
    target = strings((fields.get("typeName") or {}).get("names"))
    if not target or target[-1] not in _TEXT_TYPES:
        self._note_predicate(sources)
    return sources


def _test(self: _Builder, fields: Node, scopes: Scopes, ctes: dict[str, Outputs]) -> Sources:
    """IS [NOT] NULL, IS [NOT] TRUE...: a comparison, wherever it stands."""
    sources = self.expr(fields.get("arg"), scopes, ctes)
    self._note_predicate(sources)
    return sources


_EXPRESSIONS: dict[str, Any] = {
    "A_Expr": _operator,
    "TypeCast": _cast,
    "NullTest": _test,
    "BooleanTest": _test,
    "ColumnRef": _Builder._column_ref,
    "SubLink": _Builder._sublink,
    "CaseExpr": _Builder._case,
    "WindowDef": _Builder._window,
    "FuncCall": _Builder._func_call,
}


def _resolve_single(name: str, scopes: Scopes) -> Sources:
    """An unqualified name: a known column, else a whole-row alias, else a guess, per level.

    A guess (a table whose columns are unknown) may be wrong: the name may belong
    to an outer level instead, so a guess also takes what the outer levels give.
    """
    if not scopes:
        return _EMPTY
    level = scopes[0]
    known = [rel.columns[name] for rel in level if rel.columns is not None and name in rel.columns]
    if known:
        return frozenset().union(*known)
    for rel in level:
        if rel.alias == name:
            return rel.whole_row()
    guesses = [rel.column(name) for rel in level if rel.columns is None or "*" in rel.columns]
    outer = _resolve_single(name, scopes[1:])
    if any(guesses):
        return frozenset().union(*(g for g in guesses if g), outer)
    return outer


def _find_relation(qualifier: tuple[str, ...], scopes: Scopes) -> _Relation | None:
    """The FROM item `t` (by alias) or `s.t` (by table) names, innermost scope first."""
    wanted = ".".join(qualifier[-2:])
    for level in scopes:
        for rel in level:
            if len(qualifier) == 1 and rel.alias == wanted:
                return rel
            if len(qualifier) > 1 and rel.table == wanted:
                return rel
    return None


def _derived(alias: str, outputs: Outputs) -> _Relation:
    columns: dict[str, Sources] = {}
    for name, sources in outputs:
        columns[name] = columns.get(name, _EMPTY) | sources
    return _Relation(alias=alias, columns=columns)


def _star_column(star: Sources, name: str) -> Sources:
    """Column `name` of a `*` entry: `schema.table.name` of a table's star, as it is else."""
    return frozenset(f"{s[:-2]}.{name}" if s.endswith(".*") else s for s in star)


def _rename(outputs: Outputs, names: tuple[str, ...]) -> Outputs:
    if names and any(n == "*" for n, _ in outputs):
        # Positions behind a `*` are not known: each new name may be any column.
        everything = frozenset().union(*(src for _, src in outputs)) | {UNRESOLVED}
        return [*((n, everything) for n in names), ("*", everything)]
    renamed = [(names[i] if i < len(names) else n, s) for i, (n, s) in enumerate(outputs)]
    return renamed


def _merge(left: Outputs, right: Outputs) -> Outputs:
    """Set operations: names from the left, sources from both, column by column."""
    merged = [(n, s | (right[i][1] if i < len(right) else _EMPTY)) for i, (n, s) in enumerate(left)]
    return merged


def _star_ref(value: object) -> tuple[str, ...] | None:
    """The qualifier of `*` or `t.*` in a target list, else None."""
    if not isinstance(value, dict) or "ColumnRef" not in value:
        return None
    parts = value["ColumnRef"].get("fields") or []
    if parts and "A_Star" in parts[-1]:
        return strings(parts[:-1])
    return None


def _single_name(node: object) -> str | None:
    if isinstance(node, dict) and "ColumnRef" in node:
        parts = strings(node["ColumnRef"].get("fields"))
        return parts[0] if len(parts) == 1 else None
    return None


def _int_const(node: object) -> int | None:
    if isinstance(node, dict) and "A_Const" in node and "ival" in node["A_Const"]:
        return int(node["A_Const"]["ival"].get("ival", 0))
    return None


def _derived_name(value: object) -> str:
    """The column name PostgreSQL gives an unnamed target (`?column?` when it has none)."""
    name = node_name(value)
    if name is None:
        return "?column?"
    assert isinstance(value, dict)
    fields: Node = value[name]
    if name == "ColumnRef":
        parts = strings(fields.get("fields"))
        return parts[-1] if parts else "?column?"
    if name == "FuncCall":
        return strings(fields.get("funcname"))[-1]
    if name == "TypeCast":
        inner = _derived_name(fields.get("arg"))
        return inner if inner != "?column?" else strings(fields["typeName"].get("names"))[-1]
    if name == "CaseExpr":
        return "case"
    if name == "SubLink" and fields.get("subLinkType") == "EXISTS_SUBLINK":
        return "exists"
    return "?column?"


def _expands_record(value: object) -> bool:
    """`(expr).*` in a target list: an indirection ending in `*`."""
    if not isinstance(value, dict) or "A_Indirection" not in value:
        return False
    steps = value["A_Indirection"].get("indirection") or []
    return bool(steps) and isinstance(steps[-1], dict) and "A_Star" in steps[-1]


def _column_definitions(fields: Node) -> tuple[str, ...]:
    """Column names a function's column definition list gives (`AS x(a text, b int)`)."""
    defs = list(fields.get("coldeflist") or [])
    for item in fields.get("functions") or []:
        parts = item.get("List", {}).get("items", [])
        if len(parts) > 1 and isinstance(parts[1], dict):
            defs.extend(parts[1].get("List", {}).get("items", []))
    return tuple(str(d["ColumnDef"].get("colname", "")) for d in defs if "ColumnDef" in d)


def _function_alias(fields: Node) -> str:
    for item in fields.get("functions") or []:
        for part in item.get("List", {}).get("items", []):
            if "FuncCall" in part:
                return strings(part["FuncCall"].get("funcname"))[-1]
    return ""


def _query_of(stmt: Node) -> object:
    """The row-returning query inside a statement, if it has one."""
    name = node_name(stmt)
    fields: Node = stmt[name] if name else {}
    if name in ("SelectStmt", "InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt"):
        return stmt
    if name in ("PrepareStmt", "DeclareCursorStmt", "CopyStmt"):
        return fields.get("query")
    return None


def statement_lineage(stmt: Node, catalog: Catalog | None) -> LineageResult:
    """Lineage of a statement's result columns, and the columns used in its conditions."""
    builder = _Builder(catalog)
    query = _query_of(stmt)
    outputs: Outputs = []
    if query is not None:
        outputs = builder.query(query, [], {})
    elif node_name(stmt) == "CopyStmt":
        outputs = _copy_table(stmt["CopyStmt"], builder)
    elif node_name(stmt) == "ExplainStmt":
        # The plan is text the server writes; the explained query's conditions still
        # count (EXPLAIN ANALYZE prints how many rows matched them).
        builder.query(stmt["ExplainStmt"].get("query"), [], {})
        if explain_analyzes(stmt["ExplainStmt"]):
            # Actual rows, loops and output sizes depend on every value it read.
            builder.predicates |= builder.used
        outputs = [("QUERY PLAN", _EMPTY)]
    elif node_name(stmt) == "VariableShowStmt":
        name = str(stmt["VariableShowStmt"].get("name", ""))
        columns = ("name", "setting", "description") if name == "all" else (name,)
        outputs = [(c, _EMPTY) for c in columns]
    lineage = tuple(
        ColumnLineage(
            name,
            tuple(sorted(sources - MARKERS)),
            UNRESOLVED in sources,
            transformed=TRANSFORMED in sources,
        )
        for name, sources in outputs
    )
    return LineageResult(
        outputs=lineage,
        predicates=tuple(sorted(builder.predicates - MARKERS)),
        columns=tuple(sorted((builder.used | builder.predicates) - MARKERS)),
    )


def _copy_table(fields: Node, builder: _Builder) -> Outputs:
    if fields.get("is_from") or fields.get("relation") is None:
        return []
    rel = builder._range_var(fields["relation"], {}, {})
    names = strings(fields.get("attlist"))
    if names:
        return [(n, rel.column(n) or _EMPTY) for n in names]
    outputs = rel.expand()
    builder.used.update(s for _, sources in outputs for s in sources)
    return outputs
