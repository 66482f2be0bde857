"""An HTTP answer's content-codings undone a bounded piece at a time (sans-IO).

httpx decodes each network chunk whole, every coding in turn, before the caller
sees a byte: a 273-byte `Content-Encoding: gzip, gzip` answer is 64 MiB before
any cap is looked at. `ContentDecoder` takes the raw bytes as they arrive and
hands out decoded bytes only as far as asked, each coding inflating at most
`PIECE` bytes per step (`zlib` `max_length`, the rest of its input kept in
`unconsumed_tail`), so memory stays bounded by the cap whatever the ratio.

Only the codings zlib decodes are read (`gzip`, `deflate`, and `identity`), at
most `MAX_CODINGS` stacked: anything else (`br` and `zstd` need libraries the
gateway does not ship, `compress` nobody sends) is refused, never passed on
undecoded as if it were the body.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable

from phigate.core.errors import UpstreamError
from phigate.core.limits import INFLATE_PIECE

PIECE = INFLATE_PIECE  # the most one coding inflates in one step
MAX_CODINGS = 2  # stacked codings read (`gzip, gzip`); more is refused
ACCEPTED = "gzip, deflate"  # what the gateway asks upstreams for (`accept-encoding`)
_GZIP, _ZLIB, _RAW = 16 + zlib.MAX_WBITS, zlib.MAX_WBITS, -zlib.MAX_WBITS


class _Coding:
    """One content-coding's inflater: input fed in, output taken `PIECE` at a time."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._wbits = _GZIP if name in ("gzip", "x-gzip") else _ZLIB
        self._inflater = zlib.decompressobj(self._wbits)
        self._pending = b""
        # Everything fed until the first output, for deflate's fallback to raw: zlib's
        # header is refused at its second byte, by then the first was consumed.
        self._head: bytes | None = b"" if self._wbits == _ZLIB else None

    def feed(self, data: bytes) -> None:
        self._pending += data
        if self._head is not None:
            self._head += data

    def take(self) -> bytes:
        """Up to `PIECE` decoded bytes from what was fed; b"" when it needs more."""
        try:
            out = self._inflater.decompress(self._pending, PIECE)
        except zlib.error:
            if self._head is None:
                raise
            # `deflate` is zlib-wrapped by the RFC, raw deflate by some servers (as
            # browsers and httpx accept): retried raw, from the start, once.
            self._wbits, self._inflater = _RAW, zlib.decompressobj(_RAW)
            self._pending, self._head = self._head, None
            out = self._inflater.decompress(self._pending, PIECE)
        if out:
            self._head = None
        self._pending = self._inflater.unconsumed_tail
        if self._inflater.eof and self._wbits == _GZIP and self._inflater.unused_data:
            # A gzip stream may hold several members, one after the other.
            self._pending = self._inflater.unused_data + self._pending
            self._inflater = zlib.decompressobj(_GZIP)
        return out


class ContentDecoder:
    """The raw body in, the decoded body out, never more than asked for at once."""

    def __init__(self, codings: list[_Coding]) -> None:
        self._codings = codings  # the last one applied first: it is undone first
        self._plain = b""  # no coding: the raw bytes are the body

    @classmethod
    def for_header(cls, values: Iterable[str]) -> ContentDecoder:
        """The decoder for an answer's `Content-Encoding` values (each a list), or
        UpstreamError naming what the gateway does not read."""
        names = [n.strip().lower() for value in values for n in value.split(",")]
        names = [n for n in names if n and n != "identity"]
        unknown = sorted({n for n in names if n not in ("gzip", "x-gzip", "deflate")})
        if unknown:
            raise UpstreamError(
                f"the upstream's answer is encoded as {', '.join(unknown)}, which the "
                f"gateway does not decode (it asks for {ACCEPTED})"
            )
        if len(names) > MAX_CODINGS:
            raise UpstreamError(
                f"the upstream's answer is encoded {len(names)} times over "
                f"({', '.join(names)}); the gateway decodes at most {MAX_CODINGS}"
            )
        return cls([_Coding(name) for name in reversed(names)])

    def feed(self, raw: bytes) -> None:
        """Raw bytes as they arrived (b"" never needed: `finish` says the end)."""
        if self._codings:
            self._codings[0].feed(raw)
        else:
            self._plain += raw

    def take(self) -> bytes:
        """Decoded bytes from what was fed (at most `PIECE` of them); b"" when none
        can be made without more raw bytes."""
        if not self._codings:
            out, self._plain = self._plain[:PIECE], self._plain[PIECE:]
            return out
        try:
            return self._pull(len(self._codings) - 1)
        except zlib.error as exc:
            raise UpstreamError(
                "the upstream's answer does not decode as its content-encoding says"
            ) from exc

    def _pull(self, index: int) -> bytes:
        """Output of coding `index`, feeding it from the coding before it as needed."""
        coding = self._codings[index]
        while True:
            out = coding.take()
            if out or index == 0:
                return out
            more = self._pull(index - 1)
            if not more:
                return b""
            coding.feed(more)
