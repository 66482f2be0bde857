"""Free text a caller sends that the state store keeps as text (a request's reason,
a vote's comment): refused as the caller's bad input (400) when no store can hold it,
before anything tries to write it and the failure reads as the audit log being down."""

from __future__ import annotations

from phigate.core.errors import InvalidRequestError


def refuse_unstorable(text: str, what: str) -> None:
    """PostgreSQL text holds no NUL, and no UTF-8 store holds a lone surrogate."""
    if "\x00" in text:
        raise InvalidRequestError(f"{what} holds a NUL character (\\u0000); send text without it")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidRequestError(
            f"{what} holds a lone surrogate (an unpaired \\ud800-\\udfff escape); "
            "send text that is valid Unicode"
        ) from None
