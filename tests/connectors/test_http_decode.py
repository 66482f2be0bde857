"""Content-codings undone a bounded piece at a time (round 25b finding 3), and the
neighbouring answer checks of the HTTP connector: query names read as PHP reads
them (finding 5), JSON too deep to read (finding 4)."""

from __future__ import annotations

import gzip
import zlib

import pytest

from phigate.connectors._http_answer import read_json
from phigate.connectors._http_decode import PIECE, ContentDecoder
from phigate.connectors.http import base_query_names, query_name_key
from phigate.core.errors import NotAllowedError, UpstreamError

BODY = b"Patient note, line after line.\n" * 5000


def _decoded(header: list[str], raw: bytes, chunk: int = 1000, limit: int = 10**9) -> bytes:
    """The body as the connector reads it: raw chunks in, decoded pieces out."""
    decoder = ContentDecoder.for_header(header)
    out = bytearray()
    for start in range(0, len(raw), chunk):
        decoder.feed(raw[start : start + chunk])
        while len(out) <= limit and (piece := decoder.take()):
            assert len(piece) <= PIECE
            out += piece
    while len(out) <= limit and (piece := decoder.take()):
        out += piece
    return bytes(out)


def _raw_deflate(data: bytes) -> bytes:
    squeeze = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return squeeze.compress(data) + squeeze.flush()


@pytest.mark.parametrize(
    ("header", "raw"),
    [
        ([], BODY),
        (["identity"], BODY),
        (["gzip"], gzip.compress(BODY)),
        (["x-gzip"], gzip.compress(BODY)),
        (["GZIP, gzip"], gzip.compress(gzip.compress(BODY))),
        (["gzip", "deflate"], zlib.compress(gzip.compress(BODY))),
        (["deflate"], zlib.compress(BODY)),
        (["deflate"], _raw_deflate(BODY)),  # what some servers send as `deflate`
        (["gzip"], gzip.compress(BODY[:100]) + gzip.compress(BODY[100:])),  # two members
        (["identity, gzip, identity"], gzip.compress(BODY)),
    ],
)
def test_each_coding_the_gateway_reads_is_undone(header: list[str], raw: bytes) -> None:
    assert _decoded(header, raw) == BODY
    assert _decoded(header, raw, chunk=1) == BODY


def test_a_stacked_bomb_inflates_only_as_far_as_asked() -> None:
    """273 bytes of `gzip, gzip` hold 64 MiB; read to a 4096-byte cap, the decoder
    hands out a piece past it and stops, never the whole."""
    bomb = gzip.compress(gzip.compress(bytes(64 * 2**20), 9), 9)
    decoder = ContentDecoder.for_header(["gzip, gzip"])
    decoder.feed(bomb)
    got = decoder.take()
    assert 0 < len(got) <= PIECE
    assert _decoded(["gzip, gzip"], bomb, limit=4096)[:4096] == bytes(4096)


@pytest.mark.parametrize(
    ("header", "said"),
    [
        (["br"], "br"),
        (["zstd"], "zstd"),
        (["gzip, compress"], "compress"),
        (["x-unheard-of"], "x-unheard-of"),
        (["gzip, gzip, gzip"], "3 times over"),
        (["gzip", "gzip, deflate"], "3 times over"),
    ],
)
def test_a_coding_the_gateway_does_not_read_is_refused(header: list[str], said: str) -> None:
    with pytest.raises(UpstreamError, match=said):
        ContentDecoder.for_header(header)


@pytest.mark.parametrize("header", [["gzip"], ["deflate"], ["gzip, gzip"]])
def test_a_body_that_is_not_what_its_coding_says_is_an_upstream_error(
    header: list[str],
) -> None:
    with pytest.raises(UpstreamError, match="does not decode"):
        _decoded(header, b"plain text, not compressed at all" * 10)


@pytest.mark.parametrize(
    "name",
    [
        "tenant_id",
        "TENANT_ID",
        "tenant.id",
        "tenant id",
        " tenant_id",
        "tenant_id ",
        "tenant[id",
        "tenant_id[]",
        "tenant_id[x]",
        "tenant%5Fid",
        "tenant%255Fid",
        "Tenant%2Eid",
    ],
)
def test_a_query_name_php_reads_as_base_urls_own_has_its_key(name: str) -> None:
    assert query_name_key(name) in base_query_names("http://h/api?tenant_id=42")


@pytest.mark.parametrize("name", ["tenant", "tenantid", "tenant_ids", "id", "[tenant_id]"])
def test_other_query_names_keep_their_own_key(name: str) -> None:
    assert query_name_key(name) not in base_query_names("http://h/api?tenant_id=42")


def test_base_urls_own_names_are_read_in_the_same_form() -> None:
    """A base_url that spells its name PHP's other way pins the plain name too."""
    assert base_query_names("http://h/api?Tenant.Id=42&api-version=1") == {
        "tenant_id",
        "api-version",
    }


def test_json_nested_past_what_any_masker_reads_is_refused_by_name() -> None:
    with pytest.raises(NotAllowedError, match="nested more than 200 levels deep"):
        read_json("[" * 201 + "]" * 201, "api")
    assert read_json("[" * 200 + "]" * 200, "api") is not None
    # Brackets inside strings are text, not nesting.
    assert read_json('{"a": "' + "[" * 5000 + '"}', "api") == {"a": "[" * 5000}
