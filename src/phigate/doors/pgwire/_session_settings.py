"""The client session's settings that an approved write carries to the writer.

A write on a read-only wire session runs on the writer, another connection: the
same text means another value there unless it is read with the session's
settings (`'03/04/2024'` is 3 April under `DateStyle = 'ISO, DMY'`, 4 March on
a writer with the default). The settings the server reports (ParameterStatus:
`DateStyle`, `IntervalStyle`, `TimeZone`, `search_path`) are known exactly at
every ReadyForQuery, whatever set them (`SET`, `RESET`, `set_config`, a rolled
back transaction), so those that differ from what the upstream reported at
login travel in the write's body (`settings`): the reviewer sees them, the
approval is bound to them, and the connector applies them in the write's own
transaction. A client's start-up `extra_float_digits` is known too.

Settings that change what a statement means but that the server does not
report (`lc_monetary` reads money literals, `bytea_output` and
`extra_float_digits` change text casts a write may store, ...) cannot be
followed through transactions: once the session touches one, its writes are
refused (fail closed) until it reconnects.

The server reports a change only at the next ReadyForQuery. A write pipelined
after a statement that may change a setting, with no Sync between them (psycopg's
pipeline mode, JDBC batches), would be admitted with the settings from before it:
such a write is refused (`pipelined`, 0A000) unless every statement run since the
last ReadyForQuery is known to leave the settings alone (`keeps_settings`).

A prepared statement's constants are read when it is parsed (`'03/04/2024'` is
fixed as 4 March by a Parse under `MDY`), and the server may parse it again under
later settings (after a `search_path` change, a DDL): which settings a run means
is not knowable. The reported settings at Parse (`at_parse`) are kept on the
statement, and a write executed under others is refused (`changed_since_parse`,
0A000): the client prepares it again.
"""

from __future__ import annotations

import re

import pglast
from pglast import ast, enums
from pglast.visitors import Visitor

from phigate.doors.pgwire import _codec as codec
from phigate.sql.functions import words
from phigate.sql.runtime_parameters import const_value

# Reported by PostgreSQL 18 (GUC_REPORT) and carried to the writer (`PostgresConnector`
# applies exactly these names, nothing else).
REPORTED = ("DateStyle", "IntervalStyle", "TimeZone", "search_path")
# Start-up parameters the session passes to the reader that a write depends on and the
# server does not report.
_STARTUP = ("extra_float_digits",)
# Client settings a read may change (`phigate.sql.runtime_parameters`) that change what
# a write stores, and that the server does not report.
_UNREPORTED = words(
    """extra_float_digits bytea_output lc_monetary lc_numeric lc_time
    default_text_search_config xmlbinary xmloption array_nulls quote_all_identifiers
    timezone_abbreviations"""
)
# Statements that may change one are parsed (`observe`); others (an `UPDATE … SET`)
# are not parsed twice. A Unicode-escaped name (`U&"lc\005fmonetary"`) is parsed too.
_WORDS = ("set_config", "reset", "u&", *sorted(_UNREPORTED))
_MENTIONS = re.compile("(?i)" + "|".join(_WORDS))
# Texts found not to mention any (a prepared statement's, on each run): searching one
# cost about 5 us per statement. Only short texts, and a few per session.
_QUIET_TEXTS = 64
_QUIET_CHARS = 4096


# Statement kinds (`StatementInfo.kind`) that change no setting the writer reads from
# ParameterStatus (`REPORTED`), unless they call `set_config` (or could, through a
# Unicode-escaped name); a `SET` or `RESET` of another named setting keeps them too.
# Anything else may (`RESET ALL`, `DISCARD`, a `ROLLBACK` that undoes a `SET`, ...).
# A plain INSERT, UPDATE, DELETE or MERGE keeps them as a SELECT does (a session
# without `read_dsn` runs them in the client's session; batches of them, as
# `executemany` sends, must not make the next one's settings unknown).
_KEEPS_SETTINGS = frozenset({"SELECT", "SHOW", "EXPLAIN", "INSERT", "UPDATE", "DELETE", "MERGE"})
_MAY_SET = re.compile("(?i)set_config|u&")
_REPORTED_NAMES = frozenset(name.lower() for name in REPORTED)

# Settings the server reports (ParameterStatus) whose values are words of the
# server's own (a version, an encoding, a style, on/off) and that the client needs to
# read what it is sent. Any other reported setting (application_name, search_path, a
# custom one a later server may report) holds whatever text it was set to, which has
# no lineage: the client is told it is withheld (the gateway keeps the true value,
# `Relay.parameters`). TimeZone may be a POSIX spec of letters, but the classifier lets
# a session set it only to a constant it wrote (`set_config_risk`).
SHOWN_TO_CLIENT = frozenset(
    {
        "server_version",
        "server_encoding",
        "client_encoding",
        "DateStyle",
        "IntervalStyle",
        "TimeZone",
        "integer_datetimes",
        "standard_conforming_strings",
        "is_superuser",
        "session_authorization",
        "in_hot_standby",
        "default_transaction_read_only",
        "scram_iterations",
    }
)
WITHHELD = "[WITHHELD]"


def parameter_status(name: str, value: str) -> bytes:
    """The ParameterStatus message a client is sent for a reported setting."""
    return codec.parameter_status(name, value if name in SHOWN_TO_CLIENT else WITHHELD)


PIPELINED = codec.error_response(
    "0A000",
    "phigate: a statement earlier in this pipeline may change the session's settings "
    "(SET, RESET, set_config, ...), which the server reports only at Sync, so this write "
    "would be approved and run with the settings from before it: send Sync after the "
    "statement that changes them, then the write",
)


PREPARED_UNDER_OTHERS = codec.error_response(
    "0A000",
    "phigate: this statement was prepared under other session settings (DateStyle, "
    "IntervalStyle, TimeZone or search_path changed since its Parse, or may have), and "
    "the server reads its constants as they were then, so it would not mean on the "
    "writer what it means in this session: prepare the statement again (Parse) after "
    "changing the setting, then execute it",
)


def at_parse(reported: dict[str, str], unreported: bool) -> dict[str, str] | None:
    """The reported settings a statement parsed now is read under, or None when they
    are not known (a statement sent since the last ReadyForQuery may have changed
    them: `Relay.settings_unreported`)."""
    if unreported:
        return None
    return {name: reported[name] for name in REPORTED if name in reported}


def changed_since_parse(parsed: dict[str, str] | None, reported: dict[str, str]) -> bytes | None:
    """Why a write prepared under `parsed` (`at_parse`) cannot run now, when the
    session's reported settings are `reported`: refused unless they are the same
    (not known at Parse: refused too, fail closed)."""
    if parsed is None or parsed != at_parse(reported, False):
        return PREPARED_UNDER_OTHERS
    return None


def keeps_settings(text: str, kinds: list[str] | None) -> bool:
    """Whether statements of these kinds, with this text, surely change no session
    setting; False for anything not known to (None: not understood)."""
    if not kinds or _MAY_SET.search(text) is not None:
        return False
    if all(kind in _KEEPS_SETTINGS for kind in kinds):
        return True
    if not all(kind in _KEEPS_SETTINGS or kind in ("SET", "TRANSACTION") for kind in kinds):
        return False
    try:
        tree = pglast.parse_sql(text)
    except pglast.parser.ParseError:
        return False
    names = _SetNames()
    names(tree)
    if "SET" in kinds and not names.found:
        return False  # the kinds and the tree disagree: assume the worst
    return names.opens_only and all(n and n not in _REPORTED_NAMES for n in names.found)


def refused(name: str) -> bytes:
    return codec.error_response(
        "0A000",
        f"phigate: this session changed {name}, which the writer cannot reproduce (the "
        "server does not report it), so an approved write would mean something else "
        "there: reconnect (or set it in the connection string) before writing",
    )


class SessionSettings:
    """What one wire session set: followed from its statements and the upstream's
    ParameterStatus (`Relay.parameters`)."""

    def __init__(self, login: dict[str, str], startup: dict[str, str]) -> None:
        # What the upstream reported at login, for settings the client did not choose:
        # the server's defaults, which the writer (same server) starts with too.
        self.baseline = {k: v for k, v in login.items() if k in REPORTED and k not in startup}
        self.startup = {k: v for k, v in startup.items() if k in _STARTUP}
        self.touched: str | None = None  # an unreported setting the session changed
        self._quiet: set[str] = set()  # texts `_MENTIONS` does not match

    def observe(self, text: str) -> None:
        """Note a statement sent on the session (before it runs): fail closed on any
        change of an unreported setting, or a `set_config` of a name not constant."""
        if self.touched is not None or text in self._quiet:
            return  # what a text mentions is a fact about the text alone
        if mentions(text):
            self.touched = _touched(text)
        elif len(text) <= _QUIET_CHARS and len(self._quiet) < _QUIET_TEXTS:
            self._quiet.add(text)

    def for_writer(
        self, reported: dict[str, str], unreported: bool = False
    ) -> dict[str, str] | bytes:
        """The settings a write must run with (non-default ones only), or a refusal.
        `unreported`: a statement run since the last ReadyForQuery may have changed
        them (`Relay.settings_unreported`), so `reported` may be out of date."""
        if self.touched is not None:
            return refused(self.touched)
        if unreported:
            return PIPELINED
        out = dict(self.startup)
        for name in REPORTED:
            value = reported.get(name)
            if value is not None and value != self.baseline.get(name):
                out[name] = value
        return out


def mentions(text: str) -> bool:
    """`_MENTIONS.search(text)`, found by `in` in ASCII text: the case-insensitive
    pattern tried at every position cost 7-25 us for a one-line statement (no literal
    prefix to skip to), the lowered text's substring searches about 1 us. ASCII
    ignoring case is lowering; other text keeps the pattern (Unicode case rules)."""
    if text.isascii():
        lowered = text.lower()
        return any(word in lowered for word in _WORDS)
    return _MENTIONS.search(text) is not None


def _touched(text: str) -> str | None:
    try:
        tree = pglast.parse_sql(text)
    except pglast.parser.ParseError:
        return None  # the classifier refuses it: it never reaches the server
    finder = _Finder()
    finder(tree)
    return finder.found


class _Finder(Visitor):
    found: str | None = None

    def visit_VariableSetStmt(self, ancestors: object, node: ast.VariableSetStmt) -> None:
        name = (node.name or "").lower()
        if name in _UNREPORTED:
            self.found = self.found or name
        elif not name:  # RESET ALL, or a form without a name: may change any of them
            self.found = self.found or "every setting (RESET ALL)"

    def visit_FuncCall(self, ancestors: object, node: ast.FuncCall) -> None:
        names = [getattr(n, "sval", "") for n in node.funcname or ()]
        if not names or names[-1].lower() != "set_config":
            return
        first = node.args[0] if node.args else None
        name = const_value(first)
        if name is None:
            self.found = self.found or "a setting named at run time (set_config)"
        elif name.lower() in _UNREPORTED:
            self.found = self.found or name.lower()


# Transaction statements that change no setting: psycopg pipelines `BEGIN` before a
# write when autocommit is off. COMMIT (which ends a `SET LOCAL`) and every ROLLBACK
# (which undoes a `SET`) may change one.
_OPENS = frozenset(
    {
        enums.TransactionStmtKind.TRANS_STMT_BEGIN,
        enums.TransactionStmtKind.TRANS_STMT_START,
        enums.TransactionStmtKind.TRANS_STMT_SAVEPOINT,
        enums.TransactionStmtKind.TRANS_STMT_RELEASE,
    }
)


class _SetNames(Visitor):
    """The names `SET`/`RESET` statements change, lower case ("" for `RESET ALL`), and
    whether every transaction statement only opens a transaction or a savepoint."""

    def __init__(self) -> None:
        self.found: list[str] = []
        self.opens_only = True

    def visit_VariableSetStmt(self, ancestors: object, node: ast.VariableSetStmt) -> None:
        self.found.append((node.name or "").lower())

    def visit_TransactionStmt(self, ancestors: object, node: ast.TransactionStmt) -> None:
        self.opens_only = self.opens_only and node.kind in _OPENS
