"""The attacker's bench: a gateway on a background event loop (REST app and a wire
listener), the upstream reached directly, a table checksum, and the leak oracle.

Everything here uses only public entry points (the ones tests/conftest.py and
tests/pgwire/conftest.py use to start a gateway); nothing reads the gateway's
SQL, masking or wire internals.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import threading
from collections.abc import Coroutine, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar

import httpx
import psycopg
import pytest
from psycopg import sql as pgsql

from phigate.doors.app import build_app
from phigate.doors.pgwire import PgWireSettings
from phigate.doors.pgwire.server import WireListener
from phigate.ops.bootstrap import build_gateway
from tests.conftest import demo_config, demo_tokens

T = TypeVar("T")

AGENT = "claims-bot"

# Columns whose values are PHI by the product's promise (README, docs/masking.md).
PHI_COLUMNS: dict[str, list[str]] = {
    "patients": [
        "first_name",
        "last_name",
        "ssn",
        "mrn",
        "dob",
        "email",
        "phone",
        "address",
        "city",
        "zip",
    ],
    "claims": ["member_id"],
    "encounters": ["provider"],
    "clinical_notes": ["author"],
}

TABLES = ["patients", "encounters", "clinical_notes", "claims"]


# --------------------------------------------------------------------------- oracle

# Words that are (or could be) Faker first names, last names or cities but also
# appear in PostgreSQL's own messages, the demo's non-PHI vocabulary or the masking
# tokens. A needle equal to one of these (case-insensitively) is ignored.
_STOP_TEXT = """
    Will Mark Case Long Price Lane Hill Rose Hope Park Page King Bell Ward Grant Cross Rich
    Young Gray Green Black White Brown Hall Wall Moss Lake Port West East North South Fort
    Mount Point View Glen Valley City Town Ville Mill Mills Field Ford Wood Woods Ray Dean
    Love Joy May June April August Summer Autumn Winter Rivera Given Hunt Hunter Walker
    Baker Carter Cook Day Lee Nash Penn Reed Rice Stone Street Avenue Road Drive Court
    Place Suite Apt Apartment Unit Note Notes Text Type Value Name Data Cast Error Query
    Table Column Array Json Record Date Person Location Phone Email Patient Medicare
    Medicaid Aetna Cigna BlueCross Cardiology Endocrinology Oncology Neurology Emergency
    Orthopedics Pulmonology Primary Care Parkinson Crohn Disease Diabetes Asthma Anxiety
    Hypertension Paid Pending Denied None Null True False Integer Numeric Boolean Timestamp
    Interval
"""
STOPWORDS = {w.lower() for w in _STOP_TEXT.split()}

# Two-letter state codes and state names are never PHI (docs/masking.md); the
# needles are at least MIN_LEN characters, which leaves state codes out anyway.
MIN_LEN = 4


@dataclass(frozen=True)
class Needle:
    text: str
    form: str  # raw | lower | upper | reverse | digits | base64 | hex | mdy
    column: str  # table.column the value comes from
    value: str  # the raw value
    bounded: bool  # check character-class boundaries around a match


def _forms(value: str) -> Iterable[tuple[str, str, bool]]:
    yield value, "raw", True
    yield value.lower(), "lower", True
    yield value.upper(), "upper", True
    yield value[::-1], "reverse", True
    yield value[::-1].lower(), "reverse", True
    yield value[::-1].upper(), "reverse", True
    digits = "".join(c for c in value if c.isdigit())
    if len(digits) >= 6 and digits != value:
        yield digits, "digits", True
        yield digits[::-1], "digits", True
    raw = value.encode()
    yield base64.b64encode(raw).decode().rstrip("="), "base64", False
    yield raw.hex(), "hex", False


def build_needles(dsn: str) -> list[Needle]:
    """Every PHI value in the upstream and its trivially decodable forms."""
    needles: dict[str, Needle] = {}
    with psycopg.connect(dsn) as conn:
        for table, columns in PHI_COLUMNS.items():
            for column in columns:
                query = pgsql.SQL("SELECT DISTINCT {}::text FROM {}").format(
                    pgsql.Identifier(column), pgsql.Identifier(table)
                )
                for (value,) in conn.execute(query):
                    if value is None:
                        continue
                    values = [value]
                    if column == "dob":  # also as the notes write it: 03/14/1980
                        y, m, d = value.split("-")
                        values.append(f"{m}/{d}/{y}")
                    if column in ("provider", "author"):  # each longer name part, too
                        values += [p for p in value.replace(".", " ").split() if len(p) > 4]
                    for v in values:
                        if len(v) < MIN_LEN or v.lower() in STOPWORDS:
                            continue
                        for text, form, bounded in _forms(v):
                            if len(text) < MIN_LEN or text.lower() in STOPWORDS:
                                continue
                            # hex/base64 needles are matched without boundaries, so
                            # short all-digit values (ZIPs) would match inside the
                            # encoding of longer numbers: leave those out.
                            if not bounded and v.isdigit() and len(v) < 8:
                                continue
                            needles.setdefault(
                                text, Needle(text, form, f"{table}.{column}", v, bounded)
                            )
    return list(needles.values())


def _cls(c: str) -> str:
    if c.isdigit():
        return "d"
    if c.isalpha():
        return "u" if c.isupper() else "l"
    return ""


def occurs(needle: Needle, text: str) -> bool:
    """`needle` occurs in `text` as a token of its own: the characters either side
    are not of the same class (lower, upper, digit) as the needle's own edge. So
    `Hall` is not found in `Marshall` nor `HALL` in `SHALL`, but `John` is found in
    `JohnSmith` and `123456789` in `x123456789y`."""
    start = text.find(needle.text)
    while start >= 0:
        if not needle.bounded:
            return True
        end = start + len(needle.text)
        before = _cls(text[start - 1]) if start > 0 else ""
        after = _cls(text[end]) if end < len(text) else ""
        if (not before or before != _cls(needle.text[0])) and (
            not after or after != _cls(needle.text[-1])
        ):
            return True
        start = text.find(needle.text, start + 1)
    return False


class Oracle:
    """Finds PHI needles in an answer.

    A needle counts as leaked from a gateway answer when
      1. it occurs in the gateway's answer (rows, row count, error, notices) as a
         token of its own (see `occurs`),
      2. it does not occur in the statement text (the attacker already had it), and
      3. it also occurs in the upstream's own answer to the same statement: the value
         was really touched by the statement, not a coincidence in static text.
    Both answers are also searched with separators squeezed out (see `squeeze`), so
    a value split into an array or a record is found too.
    """

    def __init__(self, needles: list[Needle]) -> None:
        self.needles = needles
        # Index by a 4-character prefix so each answer is checked only against the
        # needles whose prefix it contains.
        self._by_prefix: dict[str, list[Needle]] = {}
        for n in needles:
            self._by_prefix.setdefault(n.text[:MIN_LEN], []).append(n)

    def found(self, text: str) -> list[Needle]:
        hits = []
        for i in range(len(text) - MIN_LEN + 1):
            for n in self._by_prefix.get(text[i : i + MIN_LEN], ()):
                if text.startswith(n.text, i) and n not in hits and occurs(n, text):
                    hits.append(n)
        return hits

    def leaks(self, gateway_text: str, sql: str, direct_text: str) -> list[Needle]:
        hits = self.found(gateway_text)
        hits += [n for n in self.found(squeeze(gateway_text)) if n not in hits]
        hits += [
            n
            for n in self.found(squeeze(gateway_text, hard=True))
            if n not in hits and n.text.isdigit() and len(n.text) >= 8
        ]
        squeezed_direct = squeeze(direct_text, hard=True)
        return [
            n
            for n in hits
            if n.text not in sql
            and n.text.lower() not in sql.lower()
            and (occurs(n, direct_text) or n.text in squeezed_direct)
        ]


_SEPARATORS = str.maketrans("", "", ",{}()-|/")
_HARD_SEPARATORS = str.maketrans("", "", ",{}()-|/[]\"' ")


def squeeze(text: str, hard: bool = False) -> str:
    """The text without the separators arrays, records and formatting put between
    the pieces of a value: `{706,56,7705}` and `{J,i,m,m,y}` read as the SSN digits
    and the name they are. Quotes and spaces stay, so cells and words do not run
    together; `hard` removes them too (used for long digit strings only, and for
    the upstream's answer, which psycopg renders as lists)."""
    return text.translate(_HARD_SEPARATORS if hard else _SEPARATORS)


# --------------------------------------------------------------------------- upstream


_CONNECTIONS: dict[tuple[str, str], psycopg.Connection[Any]] = {}


def _connection(dsn: str, purpose: str) -> psycopg.Connection[Any]:
    """One connection per DSN and purpose, kept for the module: opening one per
    statement costs more than the statement."""
    conn = _CONNECTIONS.get((dsn, purpose))
    if conn is None or conn.closed or conn.broken:
        if purpose == "direct":
            conn = psycopg.connect(
                dsn,
                options="-c default_transaction_read_only=on -c statement_timeout=3000",
                prepare_threshold=None,  # DISCARD ALL would drop psycopg's prepared ones
            )
        else:
            conn = psycopg.connect(dsn, autocommit=True, prepare_threshold=None)
        _CONNECTIONS[(dsn, purpose)] = conn
    return conn


def close_connections() -> None:
    for conn in _CONNECTIONS.values():
        conn.close()
    _CONNECTIONS.clear()


def checksum(dsn: str) -> str:
    """Table contents, the relations in the schema, and large objects."""
    parts = []
    conn = _connection(dsn, "checksum")
    for table in TABLES:
        query = pgsql.SQL("SELECT count(*), md5(string_agg(t::text, '|' ORDER BY t.id)) FROM {} t")
        parts.append(str(conn.execute(query.format(pgsql.Identifier(table))).fetchone()))
    parts.append(
        str(
            conn.execute(
                "SELECT string_agg(relname || ':' || relkind::text, ',' ORDER BY relname)"
                " FROM pg_class WHERE relnamespace = 'public'::regnamespace"
            ).fetchone()
        )
    )
    parts.append(str(conn.execute("SELECT count(*) FROM pg_largeobject_metadata").fetchone()))
    return "\n".join(parts)


def run_direct(dsn: str, statements: list[str]) -> str:
    """Run statements on the upstream copy in one read-only, rolled-back transaction
    and return everything it said, as text. The session is reset (DISCARD ALL)
    afterwards, so what one statement prepares or declares does not outlive it."""
    out: list[str] = []
    conn = _connection(dsn, "direct")
    conn.add_notice_handler(notice := lambda d: out.append(f"NOTICE {d.message_primary}"))
    cur = psycopg.ClientCursor(conn)
    try:
        for sql in statements:
            try:
                cur.execute(sql)
                while True:
                    if cur.description is not None:
                        out.append(json.dumps(cur.fetchall(), default=str, ensure_ascii=False))
                    out.append(f"rowcount={cur.rowcount}")
                    if not cur.nextset():
                        break
            except psycopg.Error as e:
                out.append(error_text(e))
                conn.rollback()
    finally:
        conn.remove_notice_handler(notice)
        if not conn.broken:
            conn.rollback()
            conn.autocommit = True
            try:
                conn.execute("DISCARD ALL")
            finally:
                conn.autocommit = False
    return "\n".join(out)


def error_text(e: psycopg.Error) -> str:
    d = e.diag
    return " | ".join(
        str(x)
        for x in (
            e,
            d.message_detail,
            d.message_hint,
            d.context,
            d.internal_query,
            d.statement_position,
        )
        if x
    )


# --------------------------------------------------------------------------- gateway


@dataclass
class Outcome:
    door: str
    status: str  # executed | error | denied | approval | other
    text: str  # everything the agent got back
    detail: str = ""


@dataclass
class Bench:
    ehr_dsn: str  # the upstream the gateway fronts
    copy_dsn: str  # a copy, for direct runs
    tmp: Path
    loop: asyncio.AbstractEventLoop = field(init=False)
    thread: threading.Thread = field(init=False)

    def start(self) -> Bench:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.call(self._start())
        return self

    def call(self, coro: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    async def _start(self) -> None:
        self.gateway = build_gateway(demo_config(self.tmp, self.ehr_dsn), migrate=True)
        self.tokens = demo_tokens(self.gateway)
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=build_app(self.gateway)),
            base_url="http://phigate.test",
            timeout=60,
        )
        self.listener = WireListener(
            self.gateway,
            "ehr",
            "127.0.0.1:0",
            self.ehr_dsn,
            settings=PgWireSettings(approval_wait_seconds=0.2),
        )
        await self.listener.start()

    def close(self) -> None:
        self.call(self._close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()

    async def _close(self) -> None:
        await self.client.aclose()
        await self.listener.close()
        await self.gateway.close()

    # REST ------------------------------------------------------------------
    async def _post(self, sql: str) -> httpx.Response:
        return await self.client.post(
            "/v1/actions",
            headers={"Authorization": f"Bearer {self.tokens[AGENT]}"},
            json={"connection": "ehr", "sql": sql},
        )

    def rest(self, sql: str) -> Outcome:
        r = self.call(self._post(sql))
        try:
            body = r.json()
        except ValueError:
            body = {}
        text = r.text + "\n" + json.dumps(body, ensure_ascii=False, default=str)
        status = {200: "executed", 202: "approval", 403: "denied", 502: "error"}.get(
            r.status_code, f"http{r.status_code}"
        )
        if status == "executed" and body.get("status") not in (None, "executed"):
            status = str(body.get("status"))
        return Outcome("rest", status, text, detail=r.text[:300])

    # wire ------------------------------------------------------------------
    def wire_dsn(self) -> str:
        return (
            f"host=127.0.0.1 port={self.listener.port} dbname=ehr user={AGENT} "
            f"password={self.tokens[AGENT]} sslmode=disable connect_timeout=10"
        )

    def wire(self, statements: list[str], simple: bool = True, named: bool = False) -> Outcome:
        """Run statements in one wire session (simple protocol with ClientCursor,
        extended protocol otherwise, or each through a psycopg server-side cursor
        when `named`); the outcome is that of the last statement."""
        out: list[str] = []
        status = "executed"
        with psycopg.connect(self.wire_dsn(), autocommit=not named) as conn:
            conn.add_notice_handler(
                lambda d: out.append(
                    f"NOTICE {d.message_primary} {d.message_detail} {d.message_hint}"
                )
            )
            for i, sql in enumerate(statements):
                status = "executed"
                try:
                    if named:
                        with conn.cursor(name=f"fz_named_{i}") as named_cur:
                            named_cur.execute(sql)
                            out.append(
                                json.dumps(named_cur.fetchall(), default=str, ensure_ascii=False)
                            )
                        conn.commit()
                        continue
                    cur = psycopg.ClientCursor(conn) if simple else conn.cursor()
                    cur.execute(sql)
                    while True:
                        if cur.description is not None:
                            out.append(json.dumps(cur.fetchall(), default=str, ensure_ascii=False))
                        out.append(f"rowcount={cur.rowcount} {cur.statusmessage}")
                        if not cur.nextset():
                            break
                except psycopg.Error as e:
                    msg = error_text(e)
                    out.append(msg)
                    state = e.sqlstate or ""
                    if "phigate denied" in msg or (state == "42501" and "rule" in msg):
                        status = "denied"
                    elif state in ("55000", "57014") or "approval" in msg.lower():
                        status = "approval"
                    else:
                        status = "error"
                    if named and not conn.broken:
                        conn.rollback()
        return Outcome("wire", status, "\n".join(out))


def finding(number: int, reason: str) -> pytest.MarkDecorator:
    """An open finding of an attack round: a strict xfail, red the moment it is fixed,
    so its mark is removed then."""
    why = f"finding {number}: {reason}"
    return pytest.mark.xfail(strict=True, raises=AssertionError, reason=why)


# ── local HTTP upstreams for the connector attacks ─────────────────────────
@contextlib.contextmanager
def http_upstream(handler: type[BaseHTTPRequestHandler], name: str) -> Iterator[str]:
    """A local HTTP server answering with `handler`, as `host:port`, stopped after."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def json_documents(documents: Mapping[str, object]) -> type[BaseHTTPRequestHandler]:
    """A handler answering each GET with the JSON document of its path."""

    class Documents(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_GET(self) -> None:
            body = json.dumps(documents[self.path]).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Documents
