"""The writer path of a read-only wire session: what a Session does with a statement
that needs more than the reader role (see `_writer` for how it runs there).

Every shape is decided on exactly what the writer will run, only once the upstream
has answered everything sent before (`settle`), so the session's transaction state
and any earlier error are known, not guessed: what the server would skip is skipped,
and a write runs only while the relay knows the upstream is outside a transaction
block (`Relay.idle`: an unsynced Execute of anything that may change that makes the
state unknown, and the write is refused): a simple Query (`admit_query`,
`run_query`), an extended-protocol Execute with its bound values (`execute`), and a
COPY FROM STDIN whose data then streams to the writer (`copy_in`,
`copy_in_message`). What cannot run as approved is refused, and audited, before an
approval is asked (`audit_refused`). Functions over the Session, kept apart so the
state machine stays readable.
"""

from __future__ import annotations

from typing import Any

from phigate.core.action_store import ActionRecord
from phigate.core.actions import Action, Description
from phigate.core.errors import PhigateError
from phigate.core.risk import runs_as_reader
from phigate.doors.pgwire import _codec as codec
from phigate.doors.pgwire import _writer
from phigate.doors.pgwire._admission import Refusal, bound_params
from phigate.doors.pgwire._codec import Message, ProtocolViolation
from phigate.doors.pgwire._copyin import CopyIn
from phigate.doors.pgwire._relay import Expect, ExpectKind, Portal
from phigate.doors.pgwire._session_api import Held, WriteSession
from phigate.doors.pgwire._session_settings import changed_since_parse


def denied_outright(session: WriteSession, text: str, description: Description) -> bool:
    """Whether policy denies `text` outright: then admission says so (and records it),
    rather than a refusal about where it would have run."""
    assert session.admission is not None
    try:
        _, decision = session.gateway.decide(session.admission.action(text, []), description)
    except PhigateError:
        return True
    return decision.outcome == "deny"


async def ready_for_write(session: WriteSession, text: str) -> bool:
    """Before a write is decided: wait for the answers to everything sent before. After
    an error the server skips this Query (no answer at all), and so does phigate. When
    a transaction block is open, or may be, it is refused (no approval asked): it runs
    in a transaction of its own and would not roll back with the client's."""
    assert session.relay is not None
    await settle(session)
    if session.relay.skipping:
        return False  # the server would ignore it until Sync: nothing is asked or run
    refused = not_idle(session)
    if refused is None:
        return True
    await audit_refused(session, text, refused)
    session._refuse_query(refused)
    return False


def not_idle(session: WriteSession) -> bytes | None:
    """Why a write cannot run now (25001), or None when the upstream is known to be
    outside any transaction block (`Relay.idle`): fail closed on anything else."""
    assert session.relay is not None
    if session.relay.idle:
        return None
    if session.relay.status == b"I" and session.relay.state_unreported:
        return _writer.UNREPORTED  # idle at the last ReadyForQuery, changed since maybe
    return _writer.IN_TRANSACTION


async def admit_query(
    session: WriteSession, text: str, description: Description, names_others: bool = False
) -> ActionRecord | Refusal:
    """`names_others`: the text runs a cursor or prepared statement by name, so what
    that name runs now is bound into its action (`Admission.action`)."""
    assert session.admission is not None
    names = description if names_others else None
    if not session._on_writer(description):
        if runs_as_reader(description.risk):
            read = session.admission.action(text, [], names=names)
            return await session.admission.admit(read, description)
        action: Action | bytes = writer_action(session, text, [], names=names)
    else:
        refused = _writer.refusal(text, description.risk)
        action = writer_action(session, text, []) if refused is None else refused
    if isinstance(action, bytes):
        await audit_refused(session, text, action)
        return Refusal(action)  # before an approval is spent on it
    return await session.admission.admit(action, description)


def writer_action(
    session: WriteSession,
    text: str,
    params: list[Any],
    types: tuple[int, ...] = (),
    *,
    names: Description | None = None,
) -> Action | bytes:
    """The action of a write, carrying the session's settings that change what it means
    (`_session_settings`) and the parameter types its Parse declared, or why it cannot
    be bound to them. Every write has them, wherever it runs: on the writer, which
    applies them, or in the client's own session (no `read_dsn`), where they are what
    the server reads its text with; either way the same text under other settings is
    another action, with an approval of its own."""
    assert session.admission is not None and session.relay is not None
    relay = session.relay
    settings = session.admission.session_settings.for_writer(
        relay.parameters, relay.settings_unreported
    )
    if isinstance(settings, bytes):
        return settings
    return session.admission.action(text, params, settings, types=types, names=names)


def in_session_action(
    session: WriteSession, portal: Portal, names: Description | None
) -> Action | bytes:
    """The action of an extended-protocol write that runs in the client's own session
    (no `read_dsn`): bound to the session's settings as the writer path's is, and
    refused as there when the statement was prepared under other settings (its
    constants keep what they meant at its Parse, which the action would not say)."""
    assert session.relay is not None
    statement = portal.statement
    action = writer_action(
        session, statement.text, portal.params, statement.declared_types, names=names
    )
    if isinstance(action, bytes):
        return action
    return changed_since_parse(statement.parsed_under, session.relay.parameters) or action


async def run_query(session: WriteSession, record: ActionRecord) -> None:
    """Run an admitted non-read on the writer; the reader answers a placeholder."""
    assert session.relay is not None
    batch = session.syncs_sent + 1
    # Inside the client's transaction it would not roll back with it; with answers
    # still pending, whether one is open is not known yet (learn it, do not guess).
    refused = not_idle(session)
    if refused is not None:
        await _writer.refuse_in_transaction(session.gateway, record)
        session._refuse_query(refused)
        return
    reply = await _writer.run(session.gateway, record)
    session._forward(_writer.PLACEHOLDER, Expect(ExpectKind.QUERY, substitute=reply, batch=batch))


async def copy_in(session: WriteSession, text: str, description: Description) -> None:
    """COPY … FROM STDIN on a read-only session (`ready_for_write` said no transaction
    is open): approved on its text, then the client's data streams to the writer."""
    assert session.admission is not None
    action = writer_action(session, text, [])
    if isinstance(action, bytes):
        await audit_refused(session, text, action)
        session._refuse_query(action)
        return
    admitted = await session.admission.admit(action, description)
    if isinstance(admitted, Refusal):
        session._refuse_query(admitted.error)
        return
    copy = CopyIn(session.gateway, admitted, session.settings.max_copy_in_bytes)
    response = await copy.start()
    if response is None:  # the writer refused the statement itself
        answer_in_place(session, await copy.answer())
        return
    session.copy = copy
    session.io.to_client(response)
    session.state = session.state_copy_in


async def end_copy(session: WriteSession, reply: bytes) -> None:
    session.copy = None
    session.state = session.state_ready
    answer_in_place(session, reply)
    # What the client still sends of this COPY reaches the reader, idle, which
    # ignores CopyData/CopyDone/CopyFail, as after any failed COPY.


def answer_in_place(session: WriteSession, reply: bytes) -> None:
    """`reply` (a CommandComplete or an ErrorResponse) answers a simple Query that the
    reader does not run; the reader's no-op supplies its ReadyForQuery, in order."""
    session._forward(
        _writer.PLACEHOLDER,
        Expect(ExpectKind.QUERY, substitute=reply, batch=session.syncs_sent + 1),
    )


async def execute(
    session: WriteSession, msg: Message, portal: Portal, description: Description
) -> None:
    """An extended-protocol write, run on the writer once approved for exactly this
    text and these bound values. It is decided only once every earlier message has
    been answered: a Bind that fails, an error earlier in the batch or an open
    transaction would make the server skip or enclose it, and the writer cannot.
    It is then held, nothing asked or run, until the client's next message: the
    writer commits it, so nothing may follow it in the batch that could fail."""
    assert session.admission is not None and session.relay is not None
    await learn_param_types(session, portal)
    await settle(session)
    if session.relay.skipping or portal.dead:
        session._forward(msg.raw(), None)  # the server skips it, and so do we
        return
    refused = _writer.extended_refusal(portal.statement.text, portal.params)
    if portal.ran_on_writer:
        refused = _writer.portal_spent(portal.name)
    refused = refused or not_idle(session)
    if refused is None:
        action = writer_action(
            session, portal.statement.text, portal.params, portal.statement.declared_types
        )
        refused = action if isinstance(action, bytes) else None
    refused = refused or changed_since_parse(
        portal.statement.parsed_under, session.relay.parameters
    )
    if refused is not None:
        await audit_refused(session, portal.statement.text, refused)
        session._refuse_extended(refused)  # before an approval is spent on it
        return
    session.held = Held(portal, description)
    session.state = session.state_write_held


async def held_message(session: WriteSession, msg: Message) -> None:
    """The client's next message after a held write's Execute. Sync: the write is asked
    for and run, then the Sync goes on, so the answers come in order. Anything else
    would share the write's implicit transaction on a server (and roll it back if it
    failed), which the writer cannot: the write is refused before an approval is asked
    or spent (`pgwire.write_refused`) and the batch skips to Sync, this message
    included, as after any error. Flush is refused too: a client waiting on it for the
    Execute's answer would otherwise wait forever, and running the write there would
    commit it before the rest of the batch is known."""
    held, session.held = session.held, None
    session.state = session.state_ready
    assert held is not None
    if msg.type == b"S":
        await run_held(session, held)
        await session.state(msg)  # ready, or skipping after a refusal: both take Sync
        return
    await audit_refused(session, held.portal.statement.text, _writer.HELD_REFUSED)
    if msg.type == b"X":
        session._close()
        return
    session._refuse_extended(_writer.HELD_REFUSED)
    if msg.type == b"H":  # the client asked for what is pending: its error, now
        session._forward(codec.FLUSH, None)


async def run_held(session: WriteSession, held: Held) -> None:
    """Ask for (or find) the approval of exactly this text and these values, run it on
    the writer, and let the reader's no-op carry the writer's answer in its place."""
    assert session.admission is not None
    portal = held.portal
    action = writer_action(
        session, portal.statement.text, portal.params, portal.statement.declared_types
    )
    if isinstance(action, bytes):
        await audit_refused(session, portal.statement.text, action)
        session._refuse_extended(action)
        return
    admitted = await session.admission.admit(action, held.description)
    if isinstance(admitted, Refusal):
        session._refuse_extended(admitted.error)
        return
    portal.ran_on_writer = True  # its approval is spent: a second Execute asks again
    reply, ok = await _writer.run_extended(session.gateway, admitted)
    if not ok:
        session._refuse_extended(reply)
        return
    for data, kind, substitute in _writer.noop_execute(reply):
        # The proxy's own `SET … TO DEFAULT` leaves the transaction state as it was.
        expect = Expect(
            kind,
            hidden=substitute is None,
            substitute=substitute,
            keeps_transaction=True,
            keeps_settings=True,  # a setting of the proxy's own, reported to no one
        )
        session._forward(data, expect)


async def drop_held(session: WriteSession) -> None:
    """The session ends (disconnect) while a write waits for its Sync: it never runs,
    and the refusal goes on record."""
    held, session.held = session.held, None
    if held is not None:
        await audit_refused(session, held.portal.statement.text, _writer.HELD_REFUSED)


async def audit_refused(session: WriteSession, text: str, error: bytes) -> None:
    """A write the writer path cannot run as sent: refused before policy and approval
    (no action is recorded), so the refusal itself goes on record."""
    assert session.principal is not None
    reason = dict(codec.parse_fields(error[5:])).get("M", "refused")
    await session.gateway.audit_refusal(
        "pgwire.write_refused",
        reason,
        client_addr=session.io.client_addr,
        detail={
            "who": session.principal.to_json(),
            "connection": session.connection,
            "front_door": "pgwire",
            "sql": session.gateway.scrub_sql(text),
        },
    )


async def learn_param_types(session: WriteSession, portal: Portal) -> None:
    """Binary values sent for types the Parse left open (asyncpg re-parses its unnamed
    statement without them): ask the upstream which types it reads them as, so they
    are recorded (and approved) as values, not hex."""
    statement, bind = portal.statement, portal.bind
    open_types = [
        i
        for i in range(len(bind.params))
        if bind.param_format(i) == 1
        and (i >= len(statement.param_types) or not statement.param_types[i])
    ]
    if open_types:
        await session._describe_hidden(statement)
    portal.params = bound_params(bind, statement.param_types)  # the Bind may have described it


async def settle(session: WriteSession) -> None:
    """Wait until the upstream has answered everything sent so far (a Flush asks it
    to send what it holds): its transaction state and any error are then known."""
    assert session.relay is not None
    if not session.relay.queue:
        return
    session._forward(codec.FLUSH, None)
    session.io.flush_upstream()
    while session.relay.queue:
        session._answered.clear()
        await session._answered.wait()


async def skipped(session: WriteSession) -> bool:
    """Whether the server skips the message now being handled: known only once every
    answer to what was sent before it is in (an error earlier in the batch, a Bind of
    its own the server refused). A write run in the client's session waits for it
    before it is judged, so one the server skips is neither asked for, run, recorded
    nor answered, and its approval is not spent. A read does not wait (that would cost
    a round trip per statement in a pipeline): one the server skips is recorded as not
    run ("skipped after an error", `Relay._dropped`)."""
    assert session.relay is not None
    await settle(session)
    return session.relay.skipping


async def copy_in_message(session: WriteSession, msg: Message) -> None:
    """Client messages while its data streams to the writer (see _copyin)."""
    assert session.copy is not None
    if msg.type == b"d":
        if not await session.copy.data(msg.body):
            await end_copy(session, await session.copy.answer())
    elif msg.type == b"c":
        await end_copy(session, await session.copy.done())
    elif msg.type == b"f":
        await end_copy(session, await session.copy.fail(codec.parse_cstring(msg.body)))
    elif msg.type == b"X":
        session._close()  # the COPY is stopped and rolled back as the session ends
    elif msg.type not in (b"H", b"S"):  # ignored during COPY, as the server does
        raise ProtocolViolation(f"unexpected message type {msg.type!r} during COPY from stdin")
