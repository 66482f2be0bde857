"""A row the masker cannot mask: the client gets an ErrorResponse in its place, the
rest of the result is withheld, the audit summary says why, and the session goes on.

Sans-IO: the relay is fed the upstream's messages as the session feeds them, a row
masked on the masking pool arriving as what that pool gave back (here, its failure).
"""

from __future__ import annotations

from phigate.core.action_store import ActionRecord, ActionStatus
from phigate.core.actions import Action, Description
from phigate.core.risk import RiskClass
from phigate.doors.pgwire import _codec as codec
from phigate.doors.pgwire._relay import Execution, Expect, ExpectKind, Relay
from phigate.identity.principal import Principal, PrincipalKind
from phigate.masking.detect import MaskingError
from phigate.masking.engine import Masker, MaskingEngine
from phigate.masking.settings import MaskingSettings
from tests.masking.conftest import KEY

_MASKER = MaskingEngine(MaskingSettings(), KEY).masker("hipaa-safe-harbor")
_FIELDS = [codec.Field("note", 0, 0, 25, -1, -1, 0)]


def _message(raw: bytes) -> codec.Message:
    return codec.Message(raw[:1], raw[5:])


def _execution(masker: Masker) -> Execution:
    agent = Principal("claims-bot", PrincipalKind.AGENT, on_behalf_of="dr-ada")
    action = Action("ehr", "sql", {"sql": "SELECT note FROM notes"}, agent, "pgwire")
    record = ActionRecord(
        "a1", 0.0, action, "f", Description(RiskClass.READ), "allow", None, "", "",
        ActionStatus.EXECUTING, None, None,
    )  # fmt: skip
    return Execution(record, masker, [])


def _query(relay: Relay, failure: MaskingError | None) -> tuple[list[bytes], Execution]:
    """One simple Query answering two rows; the first one's masking fails if asked."""
    execution = _execution(_MASKER)
    relay.expect(Expect(ExpectKind.QUERY, execution=execution, keeps_transaction=True))
    out = relay.handle(_message(codec.build_row_description(_FIELDS)))
    row = _message(codec.build_data_row([b"SSN 123-45-6789"]))
    out += relay.handle(row, failure) if failure else relay.handle(row)
    out += relay.handle(row)
    out += relay.handle(codec.Message(b"C", codec.cstr("SELECT 2")))
    out += relay.handle(codec.Message(b"Z", b"I"))
    return out, execution


def test_a_row_that_cannot_be_masked_is_answered_with_an_error_not_a_dropped_session() -> None:
    relay = Relay(_MASKER)
    out, execution = _query(relay, MaskingError("masking a row failed: RecursionError"))
    kinds = [m[:1] for m in out]
    assert kinds == [b"T", b"E", b"Z"], kinds
    error = dict(codec.parse_fields(out[1][5:]))
    assert error["C"] == "XX000" and "RecursionError" in error["M"], error
    assert b"123-45-6789" not in b"".join(out)
    assert execution.summary()["error_class"] == "masking_failed"
    assert relay.finished == [execution]


def test_the_session_goes_on_after_a_row_that_could_not_be_masked() -> None:
    relay = Relay(_MASKER)
    _query(relay, MaskingError("masking a row failed: RecursionError"))
    out, execution = _query(relay, None)
    assert [m[:1] for m in out] == [b"T", b"D", b"D", b"C", b"Z"]
    assert b"123-45-6789" not in b"".join(out)  # masked as ever (a column of no lineage)
    assert "error_class" not in execution.summary()
