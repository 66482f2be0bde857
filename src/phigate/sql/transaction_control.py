"""Transaction control in an action's text: what would end the gateway's transaction.

REST and MCP run an action's text inside a transaction the gateway opens and ends
(`connectors/postgres.py`): committed when the whole text succeeded, rolled back on
any error. A `COMMIT` (or `END`, `ROLLBACK`, `ABORT`, `PREPARE TRANSACTION`, …) in the
text ends that transaction early: what came before it commits, and an error after it
is answered `failed` though the change stayed. So such a text is refused before it is
decided (`transaction_control`), and the connector refuses it again.

A procedure or a DO block cannot commit there: PostgreSQL allows transaction control
in them only when CALL or DO is not inside a transaction block, and the gateway's
`BEGIN` makes one (they fail with 2D000, invalid transaction termination).
"""

from __future__ import annotations

import re

import pglast
from pglast import ast
from pglast.parser import ParseError, scan

from phigate.sql._tree import enum_name

_NAMES = {
    "TRANS_STMT_BEGIN": "BEGIN",
    "TRANS_STMT_START": "START TRANSACTION",
    "TRANS_STMT_COMMIT": "COMMIT",
    "TRANS_STMT_ROLLBACK": "ROLLBACK",
    "TRANS_STMT_SAVEPOINT": "SAVEPOINT",
    "TRANS_STMT_RELEASE": "RELEASE SAVEPOINT",
    "TRANS_STMT_ROLLBACK_TO": "ROLLBACK TO SAVEPOINT",
    "TRANS_STMT_PREPARE": "PREPARE TRANSACTION",
    "TRANS_STMT_COMMIT_PREPARED": "COMMIT PREPARED",
    "TRANS_STMT_ROLLBACK_PREPARED": "ROLLBACK PREPARED",
}
# The scanner's names of the words a transaction-control statement starts with
# (`END` is COMMIT, `ABORT` is ROLLBACK). Only for text the parser refuses: a newer
# server may parse what this grammar does not. PREPARE is refused there whatever
# follows it (PREPARE TRANSACTION cannot be told apart without the parser).
_FIRST_WORDS = {
    "BEGIN_P": "BEGIN",
    "START": "START TRANSACTION",
    "COMMIT": "COMMIT",
    "END_P": "END",
    "ROLLBACK": "ROLLBACK",
    "ABORT_P": "ABORT",
    "SAVEPOINT": "SAVEPOINT",
    "RELEASE": "RELEASE SAVEPOINT",
    "PREPARE": "PREPARE",
}
_SEMICOLON = "ASCII_59"
# Every such statement starts with one of these words, and a keyword is never quoted
# or escaped: text that does not hold any of them anywhere (even inside another word)
# holds none, and is not parsed again (admission sees every REST and MCP text).
_MAYBE = re.compile("begin|start|commit|end|rollback|abort|savepoint|release|prepare", re.I)


def transaction_control(sql: str) -> str | None:
    """The first statement in `sql` that controls the transaction, named as PostgreSQL
    knows it (`COMMIT`, `COMMIT AND CHAIN`, `SAVEPOINT`, …), or None when there is none.

    Read word by word first (the scanner): only text where a statement starts with one
    of the words a transaction-control statement starts with is parsed. Text the
    parser then refuses counts by that word (fail closed), and text even the scanner
    cannot read counts as `unreadable text`."""
    if _MAYBE.search(sql) is None:
        return None
    candidate = _first_words(sql)  # the scanner is fast; the parse tells exactly
    if candidate is None:
        return None
    try:
        statements = [raw.stmt for raw in pglast.parse_sql(sql)]
    except ParseError:
        return candidate
    for statement in statements:
        if isinstance(statement, ast.TransactionStmt):
            name = _NAMES.get(enum_name(statement.kind), "a transaction-control statement")
            return f"{name} AND CHAIN" if statement.chain else name
    return None


def _first_words(sql: str) -> str | None:
    try:
        tokens = scan(sql)
    except ParseError:
        return "unreadable text"
    starts = True
    for token in tokens:
        if starts and token.name in _FIRST_WORDS:
            return _FIRST_WORDS[token.name]
        starts = token.name == _SEMICOLON
    return None
