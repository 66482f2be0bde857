"""The classifier fails closed by construction: what it does not know is `unknown`.

These tests enumerate pglast's node types rather than list cases, so a node a
newer grammar adds (or one nobody thought of) cannot pass as a read.
"""

from __future__ import annotations

import inspect

import pglast.ast
import psycopg
import pytest
from pglast.ast import Node

from phigate.core.risk import RiskClass
from phigate.ops.pgserver import EmbeddedPostgres
from phigate.sql import classify
from phigate.sql._tree import UNDERSTOOD
from phigate.sql.classifier import _Analyser, _SessionState
from phigate.sql.copy_format import copy_csv_statements
from phigate.sql.functions import SAFE_FUNCTIONS, SET_RETURNING
from phigate.sql.statements import statement_base

R = RiskClass
NODE_TYPES = sorted(
    name
    for name, cls in inspect.getmembers(pglast.ast, inspect.isclass)
    if issubclass(cls, pglast.ast.Node) and cls is not pglast.ast.Node
)
EXPRESSIONS = [n for n in NODE_TYPES if not n.endswith("Stmt")]
STATEMENTS = [n for n in NODE_TYPES if n.endswith("Stmt")]


def _analyse(stmt: Node) -> RiskClass:
    return _Analyser({}, None, _SessionState()).tree((stmt,)).risk


def _reasons(stmt: Node) -> tuple[str, ...]:
    return _Analyser({}, None, _SessionState()).tree((stmt,)).reasons


def _in_a_select(node: Node) -> Node:
    return pglast.ast.SelectStmt(targetList=(pglast.ast.ResTarget(val=node),))


class FutureExpr(pglast.ast.Node):
    """A node class of a grammar newer than the gateway's (no pglast slot types)."""

    __slots__ = ("arg",)

    def __init__(self, arg: object = None) -> None:
        object.__setattr__(self, "arg", arg)


class CreateFutureThingStmt(pglast.ast.Node):
    """A statement kind of a grammar newer than the gateway's."""

    __slots__ = ()

    def __init__(self) -> None:
        pass


def _node(name: str) -> Node:
    cls: type[Node] = getattr(pglast.ast, name)
    if cls is pglast.ast.Expr:  # abstract: made by no grammar, still a node
        return object.__new__(cls)
    return cls()


@pytest.mark.parametrize("name", EXPRESSIONS)
def test_every_node_type_is_understood_or_unknown(name: str) -> None:
    stmt = _in_a_select(_node(name))
    risk = _analyse(stmt)
    if name in UNDERSTOOD:
        assert not any("does not know" in r for r in _reasons(stmt)), name
    else:
        assert risk is R.UNKNOWN, f"{name} is not understood, so it must make the statement unknown"


def test_a_node_type_no_grammar_has_is_unknown() -> None:
    one = pglast.ast.A_Const(val=pglast.ast.Integer(ival=1))
    assert _analyse(_in_a_select(FutureExpr(one))) is R.UNKNOWN


def test_an_unknown_node_held_as_a_part_is_unknown() -> None:
    """A node in a slot typed as one struct (`SELECT ... INTO`) is judged like any other."""
    stmt = _in_a_select(pglast.ast.A_Const(val=pglast.ast.Integer(ival=1)))
    object.__setattr__(stmt, "intoClause", FutureExpr())
    assert _analyse(stmt) is R.UNKNOWN


def test_what_an_unknown_node_holds_is_still_walked() -> None:
    call = pglast.ast.FuncCall(funcname=(pglast.ast.String(sval="pg_read_file"),))
    analysis = _Analyser({}, None, _SessionState()).tree((_in_a_select(FutureExpr(call)),))
    assert "pg_read_file" in analysis.functions


@pytest.mark.parametrize("name", STATEMENTS)
def test_every_statement_kind_has_a_class(name: str) -> None:
    """A statement kind is classified as itself; nested in EXPLAIN ANALYZE it keeps its class."""
    alone, _ = statement_base(_node(name), _SessionState())
    explained = _analyse(pglast.ast.ExplainStmt(query=_node(name), options=(_analyze(),)))
    assert explained >= alone


def test_a_statement_kind_no_grammar_has_is_unknown() -> None:
    assert _analyse(CreateFutureThingStmt()) is R.UNKNOWN
    explained = pglast.ast.ExplainStmt(query=_node("SelectStmt"), options=(_analyze(),))
    object.__setattr__(explained, "query", CreateFutureThingStmt())
    assert _analyse(explained) is R.UNKNOWN


def _analyze() -> Node:
    return pglast.ast.DefElem(defname="analyze")


@pytest.mark.parametrize(
    ("sql", "risk"),
    [
        # PostgreSQL reads repeated options in order; any ANALYZE not plainly false runs it.
        ("EXPLAIN (ANALYZE false, ANALYZE true) UPDATE claims SET status = 'x'", R.WRITE),
        ("EXPLAIN (ANALYZE true, ANALYZE false) UPDATE claims SET status = 'x'", R.WRITE),
        ("EXPLAIN (ANALYZE) DELETE FROM claims", R.WRITE),
        ("EXPLAIN (analyze on) DELETE FROM claims", R.WRITE),
        ("EXPLAIN (ANALYZE false) UPDATE claims SET status = 'x'", R.READ),
        ("EXPLAIN (ANALYZE off) SELECT 1", R.READ),
        # The explained statement is classified as itself.
        (
            "EXPLAIN ANALYZE CREATE TEMP TABLE claims AS SELECT ssn AS cpt_code FROM patients",
            R.DDL,
        ),
        ("EXPLAIN ANALYZE CREATE MATERIALIZED VIEW v AS SELECT ssn FROM patients", R.DDL),
        ("EXPLAIN ANALYZE SELECT * INTO t2 FROM patients", R.DDL),
        ("EXPLAIN ANALYZE SELECT 1", R.READ),
        # Copies of data held by the catalogs.
        ("SELECT histogram_bounds FROM pg_stats", R.ADMIN),
        ("SELECT most_common_vals FROM pg_catalog.pg_stats WHERE attname = 'mrn'", R.ADMIN),
        ("SELECT query FROM pg_stat_activity", R.ADMIN),
        ("SELECT * FROM public.pg_stat_statements", R.ADMIN),
        ("SELECT stavalues1 FROM pg_statistic", R.ADMIN),
        ("SELECT * FROM pg_stats_ext", R.ADMIN),
        # Parts of DDL are understood, and keep their statement's class.
        ("ALTER TABLE claims REPLICA IDENTITY FULL", R.DDL),
        ("CREATE FUNCTION f() RETURNS int RETURN 1", R.DDL),
        ("CREATE LANGUAGE plfoo", R.ADMIN),
        ("CREATE ACCESS METHOD heap2 TYPE TABLE HANDLER heap_tableam_handler", R.ADMIN),
    ],
)
def test_classification(sql: str, risk: RiskClass) -> None:
    assert classify(sql).risk is risk, classify(sql).reasons


def test_the_set_returning_list_is_the_servers(pg_server: EmbeddedPostgres) -> None:
    """Lineage counts the arguments of set-returning functions as predicates, so the
    list of allowed ones must be exactly what the server says returns sets."""
    with psycopg.connect(pg_server.dsn()) as conn:
        rows = conn.execute(
            "SELECT DISTINCT proname FROM pg_proc WHERE proretset AND proname = ANY(%s)",
            (sorted(SAFE_FUNCTIONS),),
        ).fetchall()
    assert {name for (name,) in rows} == SET_RETURNING


@pytest.mark.parametrize(
    ("sql", "csv"),
    [
        ("COPY patients TO STDOUT CSV", {0}),
        ("COPY patients TO STDOUT (FORMAT csv, HEADER)", {0}),
        ("COPY patients TO STDOUT (FORMAT csv, FORMAT text)", set()),
        ("COPY patients TO STDOUT -- csv", set()),
        ("COPY (SELECT 'csv') TO STDOUT", set()),
        ('SELECT 1; COPY (SELECT 1) TO STDOUT WITH (FORMAT "csv")', {1}),
    ],
)
def test_copy_format_comes_from_the_parse_tree(sql: str, csv: set[int]) -> None:
    """Issue 14, item 8: a `-- csv` comment chose the CSV row parser."""
    assert copy_csv_statements(classify(sql)) == csv
