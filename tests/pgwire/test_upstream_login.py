"""The gateway's SCRAM-SHA-256 login to the upstream (scramp), sans-IO, against
scramp's own server side: it logs in with the right password, and refuses a
server that cannot prove it knows the password."""

from __future__ import annotations

import struct

import pytest
from scramp import ScramException, ScramMechanism

from phigate.doors.pgwire._codec import Message
from phigate.doors.pgwire._login import MECHANISM, UpstreamLogin, UpstreamLoginError


def _auth(code: int, payload: bytes = b"") -> Message:
    return Message(b"R", struct.pack("!i", code) + payload)


def _sasl_payload(sent: bytes | None, *, initial: bool) -> str:
    """The SASL data inside a PasswordMessage the login sent."""
    assert sent is not None and sent[:1] == b"p"
    body = sent[5:]
    if initial:
        mechanism, _, rest = body.partition(b"\x00")
        assert mechanism == MECHANISM.encode()
        (length,) = struct.unpack("!i", rest[:4])
        return rest[4 : 4 + length].decode()
    return body.decode()


def _exchange(password: str, *, tamper: bool = False) -> None:
    mechanism = ScramMechanism(MECHANISM)
    auth_info = mechanism.make_auth_info("right password", iteration_count=4096)
    server = mechanism.make_server(lambda _user: auth_info)
    login = UpstreamLogin(user="gateway", password=password, database="ehr")

    sent = login.handle(_auth(10, MECHANISM.encode() + b"\x00\x00"))
    server.set_client_first(_sasl_payload(sent, initial=True))
    sent = login.handle(_auth(11, server.get_server_first().encode()))
    server.set_client_final(_sasl_payload(sent, initial=False))  # checks the proof
    final = server.get_server_final()
    if tamper:
        final = "v=" + "A" * 43 + "="
    assert login.handle(_auth(12, final.encode())) is None


def test_logs_in_with_the_right_password() -> None:
    _exchange("right password")


def test_a_wrong_password_fails_the_servers_check() -> None:
    with pytest.raises(ScramException):
        _exchange("wrong password")


def test_a_server_that_cannot_sign_is_refused() -> None:
    with pytest.raises(UpstreamLoginError, match="upstream authentication failed"):
        _exchange("right password", tamper=True)
