"""Result columns matched to the classifier's lineage: the one place that does it.

Every front door (REST and MCP through the PostgreSQL connector, the wire
protocol's relay) builds its row masker's `ColumnInfo`s here, so a rule about
which column is which cannot drift between doors.

Lineage is total or the column is withheld. A column gets sources only when
they are proven: the lineage has exactly one entry per result column (no `*`
left), or a `schema.table.*` entry covers the column by name. A column the
lineage cannot account for, and every column of a result whose lineage does
not line up with it at all, is `unresolved`: its values are withheld whole,
whatever its name says.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from phigate.masking._definitions import NODE_TREE_OID, NODE_TREE_TYPE
from phigate.masking.columns import ColumnInfo

Entry = Mapping[str, Any]


def result_columns(
    columns: Sequence[tuple[str, str | None]], lineage: Sequence[Any]
) -> list[ColumnInfo]:
    """ColumnInfo per result column `(name, type name)`, from one statement's lineage."""
    entries = [e for e in lineage if isinstance(e, Mapping)]
    if len(entries) != len(lineage):
        return [_unresolved(name, type_name) for name, type_name in columns]
    if len(entries) == len(columns) and not any(_is_star(e) for e in entries):
        return [
            _info(name, type_name, e) for (name, type_name), e in zip(columns, entries, strict=True)
        ]
    return _by_name(columns, entries)


def _by_name(columns: Sequence[tuple[str, str | None]], entries: list[Entry]) -> list[ColumnInfo]:
    """Lineage with `*` over tables the catalog did not know: match columns by name.

    A `*` with no sources at all is a function of literals (`generate_series(1, 3)`):
    its columns carry no table data and are classified by name and type.
    """
    star_entries = [e for e in entries if _is_star(e)]
    stars = [s[:-2] for e in star_entries for s in _sources(e)]
    literal_star = any(not _sources(e) for e in star_entries)
    if any(e.get("unresolved") for e in entries) or any(
        not s.endswith(".*") for s in _stars(star_entries)
    ):
        # A `*` over something other than a table (a function, a record): its
        # columns cannot be told apart, so none of them is proven.
        return [_unresolved(name, type_name) for name, type_name in columns]
    named: dict[str, list[Entry]] = {}
    for e in entries:
        if not _is_star(e):
            named.setdefault(str(e.get("output", "")), []).append(e)
    infos = []
    for name, type_name in columns:
        candidates = named.get(name, [])
        sources = [s for e in candidates for s in _sources(e)] + [f"{t}.{name}" for t in stars]
        if not sources and not literal_star and not any(e.get("literal") for e in candidates):
            infos.append(_unresolved(name, type_name))
            continue
        infos.append(
            ColumnInfo(
                name,
                type_name,
                tuple(dict.fromkeys(sources)),
                catalog=bool(candidates)
                and not stars
                and all(e.get("catalog") for e in candidates),
                definition=any(e.get("definition") for e in candidates),
                literal=bool(candidates)
                and not stars
                and all(e.get("literal") for e in candidates),
                transformed=any(e.get("transformed") for e in candidates),
                computed=any(e.get("computed") for e in candidates),
            )
        )
    return infos


def _info(name: str, type_name: str | None, entry: Entry) -> ColumnInfo:
    if entry.get("unresolved"):
        return _unresolved(name, type_name)
    return ColumnInfo(
        name,
        type_name,
        _sources(entry),
        catalog=bool(entry.get("catalog")),
        definition=bool(entry.get("definition")),
        literal=bool(entry.get("literal")),
        transformed=bool(entry.get("transformed")),
        computed=bool(entry.get("computed")),
    )


def _unresolved(name: str, type_name: str | None) -> ColumnInfo:
    return ColumnInfo(name, type_name, unresolved=True)


def _stars(star_entries: list[Entry]) -> list[str]:
    return [s for e in star_entries for s in _sources(e)]


def _is_star(entry: Entry) -> bool:
    return str(entry.get("output", "")) == "*"


def _sources(entry: Entry) -> tuple[str, ...]:
    return tuple(str(s) for s in entry.get("sources", ()) or ())


def type_name_of(oid: int, registered: str | None) -> str | None:
    """A result column's type name: the driver registry's (`registered`), or for a
    built-in type it does not know that masking reads (`pg_node_tree`), its own."""
    if registered is None and oid == NODE_TREE_OID:
        return NODE_TREE_TYPE
    return registered
