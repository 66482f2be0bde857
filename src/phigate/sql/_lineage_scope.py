"""What is in scope while lineage walks a query: the FROM items of each level, and
how a column name resolves among them.

A source set (`Sources`) names `schema.table.column`s and the marks of `_marks`;
a relation knows its columns' sources, or only its table when the catalog does
not know the table. Names resolve the way PostgreSQL does: innermost level
first, column names before whole-row aliases; a name over a table whose columns
are unknown is a guess that also takes what the outer levels give.
"""

from __future__ import annotations

from dataclasses import dataclass

from phigate.sql._marks import UNRESOLVED

Sources = frozenset[str]
Outputs = list[tuple[str, Sources]]
_EMPTY: Sources = frozenset()


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
