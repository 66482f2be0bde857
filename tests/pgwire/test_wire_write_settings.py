"""An approved write on a read-only session runs on the writer with the client
session's settings that change what it means (round 13b, finding 3): shown to the
reviewer, bound into the approval, applied there; a setting the writer cannot
reproduce refuses the write instead (docs/pgwire.md, "Session settings")."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import psycopg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phigate.connectors.postgres import session_settings
from phigate.core.actions import Action
from phigate.core.errors import UpstreamError
from phigate.doors.pgwire._session_settings import (
    _MENTIONS,
    _WORDS,
    SessionSettings,
    at_parse,
    changed_since_parse,
    mentions,
)
from phigate.identity.principal import Principal, PrincipalKind
from phigate.reviewing.essentials import must_read
from phigate.reviewing.view import approval_json
from tests.pgwire.conftest import Wire, serving
from tests.support.approvals import approve_all

WRITE_DATE = "UPDATE encounters SET encounter_date = %s::date WHERE id = %s"


@pytest.fixture
async def wire(tmp_path: Path, ehr_dsn: str) -> AsyncIterator[Wire]:
    """Statements wait 0.3 s in the session: a write comes back 55000 (pending) at once."""
    async with serving(tmp_path, ehr_dsn, approval_wait_seconds=0.3) as served:
        yield served


def date_of(dsn: str, encounter: int) -> str:
    with psycopg.connect(dsn) as direct:
        row = direct.execute(
            "SELECT encounter_date::text FROM encounters WHERE id = %s", (encounter,)
        ).fetchone()
    assert row is not None
    return str(row[0])


async def test_a_bound_value_is_read_with_the_sessions_datestyle(wire: Wire, ehr_dsn: str) -> None:
    """An Execute's text parameter '03/04/2024' is 3 April in a DMY session; the
    reviewer sees the DateStyle, and the writer stores 3 April."""
    async with await psycopg.AsyncConnection.connect(
        wire.dsn("claims-bot"), autocommit=True
    ) as conn:
        await conn.execute("SET DateStyle = 'ISO, DMY'")
        with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState, match="approval"):
            await conn.execute(WRITE_DATE, ("03/04/2024", 8))
        gateway = wire.harness.gateway
        [approval] = gateway.list_approvals(state="pending")
        view = await asyncio.to_thread(approval_json, gateway, approval, contents=True)
        assert ("Session settings", [['{"DateStyle": "ISO, DMY"}', False]]) in must_read(view)
        [bound] = await approve_all(wire)
        assert bound["settings"] == {"DateStyle": "ISO, DMY"}
        await conn.execute(WRITE_DATE, ("03/04/2024", 8))
    assert date_of(ehr_dsn, 8) == "2024-04-03"


async def test_a_setting_reset_before_the_write_is_not_carried(wire: Wire) -> None:
    """The server's ParameterStatus follows RESET (and rollbacks): the write carries
    nothing, and the approval binds only its text and values."""
    async with await psycopg.AsyncConnection.connect(
        wire.dsn("claims-bot"), autocommit=True
    ) as conn:
        await conn.execute("SET TimeZone = 'Asia/Tokyo'")
        await conn.execute("RESET TimeZone")
        with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState):
            await conn.execute(WRITE_DATE, ("2024-04-03", 8))
    assert await approve_all(wire) == [
        {
            "sql": "UPDATE encounters SET encounter_date = $1::date WHERE id = $2",
            "params": ["2024-04-03", 8],
            "param_types": [0, 21],  # psycopg declares the int (int2), not the str
        }
    ]


@pytest.mark.parametrize(
    "change",
    [
        "SET lc_monetary = 'C'",
        "SELECT set_config('bytea_output', 'escape', false)",
        "SET extra_float_digits = 0",
    ],
)
async def test_a_setting_the_writer_cannot_follow_refuses_the_write(
    wire: Wire, ehr_dsn: str, change: str
) -> None:
    """Settings the server does not report cannot be followed through transactions:
    once the session changes one, a write is refused (0A000) before anyone is asked."""
    before = date_of(ehr_dsn, 9)
    async with await psycopg.AsyncConnection.connect(
        wire.dsn("claims-bot"), autocommit=True
    ) as conn:
        await conn.execute(change)
        with pytest.raises(psycopg.errors.FeatureNotSupported, match="cannot reproduce"):
            await conn.execute(WRITE_DATE, ("2024-04-03", 9))
        with pytest.raises(psycopg.errors.FeatureNotSupported, match="cannot reproduce"):
            await conn.execute("UPDATE encounters SET encounter_date = '2024-04-03' WHERE id = 9")
        assert await (await conn.execute("SELECT 1")).fetchone() == (1,)  # reads go on
    assert wire.harness.gateway.list_approvals(state="pending") == []
    assert date_of(ehr_dsn, 9) == before


def _action(settings: object) -> Action:
    principal = Principal("claims-bot", PrincipalKind.AGENT)
    return Action("ehr", "sql", {"sql": "SELECT 1", "settings": settings}, principal, "pgwire")


@pytest.mark.parametrize(
    "settings",
    [
        {"role": "postgres"},
        {"session_replication_role": "replica"},
        {"search_path": "staging, pg_catalog"},
        {"DateStyle": 5},
        ["DateStyle", "ISO"],
    ],
)
def test_the_connector_applies_only_the_settings_a_session_may_carry(settings: object) -> None:
    """Defence in depth: whatever reaches an action's body, the writer applies only the
    reported client settings, with values a read could have set."""
    with pytest.raises(UpstreamError):
        session_settings(_action(settings))


def test_carried_settings_are_quoted_as_literals() -> None:
    composed = session_settings(_action({"TimeZone": "UTC'); DROP TABLE t; --"}))
    text = composed.as_string(None)
    assert "set_config('TimeZone', 'UTC''); DROP TABLE t; --', true)" in text


async def test_a_write_pipelined_after_a_set_is_refused(wire: Wire, ehr_dsn: str) -> None:
    """psycopg's pipeline mode sends the SET and the write with no Sync between them:
    the server reports the new DateStyle only at Sync, after the write was read, so the
    write is refused (0A000) rather than approved and run with the DateStyle before it.
    Nothing is asked, nothing stored, and the refusal rolls the SET back with it."""
    before = date_of(ehr_dsn, 8)
    async with await psycopg.AsyncConnection.connect(
        wire.dsn("claims-bot"), autocommit=True
    ) as conn:
        with pytest.raises(psycopg.errors.FeatureNotSupported, match="earlier in this pipeline"):
            async with conn.pipeline():
                await conn.execute("SET DateStyle = 'ISO, DMY'")
                await conn.execute(WRITE_DATE, ("03/04/2024", 8))
        shown = await (await conn.execute("SHOW DateStyle")).fetchone()
    assert wire.harness.gateway.list_approvals(state="pending") == []
    assert date_of(ehr_dsn, 8) == before
    assert shown is not None and "DMY" not in shown[0]


async def test_a_write_pipelined_after_a_read_is_asked_for(wire: Wire) -> None:
    """A SELECT changes no setting: the write pipelined after it goes for approval."""
    async with await psycopg.AsyncConnection.connect(
        wire.dsn("claims-bot"), autocommit=True
    ) as conn:
        with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState, match="approval"):
            async with conn.pipeline():
                await conn.execute("SELECT count(*) FROM encounters")
                await conn.execute(WRITE_DATE, ("2024-04-03", 8))
    assert len(wire.harness.gateway.list_approvals(state="pending")) == 1


def test_a_text_found_quiet_once_is_not_searched_again_and_others_still_are() -> None:
    """`observe` remembers texts that mention no unreported setting (a prepared
    statement's, on every run); a text that does mention one still fails closed."""
    settings = SessionSettings({}, {})
    quiet = "SELECT abalance FROM pgbench_accounts WHERE aid = $1"
    for _ in range(3):
        settings.observe(quiet)
    assert settings.touched is None
    settings.observe("SELECT set_config('lc_monetary', 'fr_FR', false)")
    assert settings.touched == "lc_monetary"
    assert isinstance(settings.for_writer({}), bytes)  # the refusal


def test_what_a_session_remembers_as_quiet_stays_small() -> None:
    settings = SessionSettings({}, {})
    for n in range(1000):
        settings.observe(f"SELECT {n}")
    settings.observe("SELECT 1 -- " + "x" * 10_000)
    assert len(settings._quiet) <= 64
    assert all(len(text) <= 4096 for text in settings._quiet)
    settings.observe("RESET lc_numeric")
    assert settings.touched == "lc_numeric"


def _recased(draw: st.DrawFn, word: str) -> str:
    flips = draw(st.lists(st.booleans(), min_size=len(word), max_size=len(word)))
    return "".join(c.upper() if flip else c for c, flip in zip(word, flips, strict=True))


@st.composite
def _statement_texts(draw: st.DrawFn) -> str:
    """Texts with the watched words (any case, cut short, run together) among ASCII
    and non-ASCII noise, including the letters Unicode folds onto ASCII (K, ſ, ı)."""
    noise = st.text(alphabet=st.sampled_from(" _&'\"();=$1aeiklmnrstuxKſıİé"), max_size=8)
    parts = []
    for _ in range(draw(st.integers(0, 5))):
        word = draw(st.sampled_from(_WORDS))
        cut = draw(st.integers(1, len(word)))
        parts += [draw(noise), _recased(draw, word[: cut if draw(st.booleans()) else None])]
    return "".join([*parts, draw(noise)])


@settings(max_examples=600, deadline=None)
@given(_statement_texts())
def test_mentions_is_the_patterns_answer(text: str) -> None:
    """The substring searches on ASCII text answer as the case-insensitive pattern."""
    assert mentions(text) == (_MENTIONS.search(text) is not None)


LITERAL_WRITE = "UPDATE encounters SET encounter_date = '03/04/2024' WHERE id = 10"


def _set_date(dsn: str, encounter: int, value: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as direct:
        direct.execute(
            "UPDATE encounters SET encounter_date = %s WHERE id = %s", (value, encounter)
        )


async def test_a_write_prepared_under_other_settings_runs_only_under_them(
    wire: Wire, ehr_dsn: str
) -> None:
    """The server reads a prepared statement's constants at its Parse: '03/04/2024'
    prepared under MDY is 4 March even after `SET DateStyle = 'ISO, DMY'`. Executed
    under DMY it is refused (0A000) before anyone is asked; under the settings of its
    Parse again it goes for approval. psycopg keeps using a statement it prepared until
    `DEALLOCATE ALL`; prepared anew under DMY it means 3 April, shown and carried."""
    before = date_of(ehr_dsn, 10)
    pending = psycopg.errors.ObjectNotInPrerequisiteState
    try:
        async with await psycopg.AsyncConnection.connect(
            wire.dsn("claims-bot"), autocommit=True
        ) as conn:
            with pytest.raises(pending, match="approval"):
                await conn.execute(LITERAL_WRITE, prepare=True)  # a named Parse, under MDY
            assert await approve_all(wire) == [{"sql": LITERAL_WRITE, "params": []}]
            await conn.execute(LITERAL_WRITE, prepare=True)  # ran: psycopg keeps it
            assert date_of(ehr_dsn, 10) == "2024-03-04"
            await conn.execute("SET DateStyle = 'ISO, DMY'")
            await conn.execute("RESET DateStyle")
            with pytest.raises(pending, match="approval"):  # as at its Parse: asked
                await conn.execute(LITERAL_WRITE, prepare=True)
            await approve_all(wire)
            await conn.execute(LITERAL_WRITE, prepare=True)
            await conn.execute("SET DateStyle = 'ISO, DMY'")
            with pytest.raises(psycopg.errors.FeatureNotSupported, match="prepare the statement"):
                await conn.execute(LITERAL_WRITE, prepare=True)
            assert wire.harness.gateway.list_approvals(state="pending") == []
            assert date_of(ehr_dsn, 10) == "2024-03-04"
            await conn.execute("DEALLOCATE ALL")  # psycopg forgets what it prepared
            with pytest.raises(pending, match="approval"):
                await conn.execute(LITERAL_WRITE, prepare=True)  # parsed anew, under DMY
            [bound] = await approve_all(wire)
            assert bound["settings"] == {"DateStyle": "ISO, DMY"}
            await conn.execute(LITERAL_WRITE, prepare=True)
            assert date_of(ehr_dsn, 10) == "2024-04-03"
    finally:
        await asyncio.to_thread(_set_date, ehr_dsn, 10, before)


def test_a_statement_parsed_under_unknown_settings_is_refused_on_the_writer() -> None:
    """Parsed while a statement sent since the last ReadyForQuery may have changed a
    setting: what its constants mean is not known, so a write of it is refused."""
    reported = {"DateStyle": "ISO, MDY", "TimeZone": "UTC", "server_version": "18"}
    assert changed_since_parse(at_parse(reported, unreported=False), reported) is None
    assert changed_since_parse(at_parse(reported, unreported=True), reported) is not None
    later = {**reported, "TimeZone": "Asia/Tokyo"}
    assert changed_since_parse(at_parse(reported, unreported=False), later) is not None
    assert (
        changed_since_parse(at_parse(reported, False), {**reported, "server_version": "19"}) is None
    )
