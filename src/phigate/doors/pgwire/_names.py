"""Protocol names (prepared statements, portals) as the server keeps them.

PostgreSQL keeps a name in NAMEDATALEN - 1 = 63 bytes: `<63 s>X` and `<63 s>Y` are
one statement upstream. The proxy keys every table of names (its statements and
portals, the classifier's) by the name as the server keeps it, so a Close, Parse or
Bind under one spelling hits the entry the upstream hits.

Where the server cuts depends on the server encoding: the hash tables of prepared
statements and portals cut at byte 63 of the name converted to that encoding, while
the SQL parser (and pglast) cut identifiers at a character boundary. For ASCII every
server encoding spells the name in the same bytes and both cuts agree; a longer name
with other characters is refused (`None`) rather than guessed at, unless it is short
enough to be kept whole in every server encoding (none spells a character in more
than 4/3 of its UTF-8 bytes: EUC_TW and MULE_INTERNAL take 4 where UTF-8 takes 3).
"""

from __future__ import annotations

from phigate.doors.pgwire import _codec as codec

KEPT_BYTES = 63  # NAMEDATALEN - 1
_SURELY_SHORT = KEPT_BYTES // 4  # at most 4 bytes a character in any encoding
_WHOLE_UTF8 = KEPT_BYTES * 3 // 4  # UTF-8 bytes kept whole in every server encoding


def server_name(name: str) -> str | None:
    """The name as the server keeps it, or None when that cannot be known here."""
    if len(name) <= _SURELY_SHORT:
        return name  # the common case: short names are kept whole
    if name.isascii():
        return name[:KEPT_BYTES]
    if len(name.encode()) <= _WHOLE_UTF8:
        return name
    return None


def unknown_name(name: str) -> bytes:
    """The ErrorResponse for a name `server_name` cannot place."""
    return codec.error_response(
        "42602",
        f'phigate: the name "{name}" is longer than the 63 bytes PostgreSQL keeps and is '
        "not ASCII, so where the server cuts it is not known here; use a shorter name",
    )
