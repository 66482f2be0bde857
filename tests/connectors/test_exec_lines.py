"""OutputLines: a pipe's bytes cut into whole lines, bounded per line and per stream,
the same whatever the reads' sizes (so what the masker sees never depends on timing)."""

from __future__ import annotations

import html
import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from phigate.connectors._exec_child import OutputLines
from phigate.connectors._secrets import GatewaySecrets

LINE_CUT = b" [line cut]\n"


def _feed_all(lines: OutputLines, chunks: list[bytes]) -> list[bytes]:
    blocks = [lines.feed(chunk) for chunk in chunks]
    return [b for b in blocks if b] + [lines.close()]


def _split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({0, len(data), *(c % (len(data) + 1) for c in cuts)})
    return [data[a:b] for a, b in itertools.pairwise(points)]


text_bytes = st.lists(
    st.sampled_from([b"a", b"b", b" ", b"\n", b"123-45-6789", b"\xc3\xa9"]), max_size=120
).map(b"".join)


@settings(max_examples=200, deadline=None)
@given(data=text_bytes, cuts=st.lists(st.integers(0, 10_000), max_size=12))
def test_reads_of_any_size_give_the_same_output_in_whole_lines(
    data: bytes, cuts: list[int]
) -> None:
    whole = _feed_all(OutputLines(cap=10_000, max_line=40), [data])
    split = _feed_all(OutputLines(cap=10_000, max_line=40), _split(data, cuts))
    assert b"".join(split) == b"".join(whole)
    for block in split[:-1]:  # everything but the unterminated last line ends a line
        assert block.endswith(b"\n")


def _lines(data: bytes) -> list[bytes]:
    """Lines with their newline; an unterminated last line as it is."""
    *ended, last = data.split(b"\n")
    return [line + b"\n" for line in ended] + ([last] if last else [])


def assert_whole_lines_of(out: bytes, data: bytes) -> None:
    """`out` is the data's first lines, each whole or cut (marked) by the line limit."""
    out_lines, data_lines = _lines(out), _lines(data)
    assert len(out_lines) <= len(data_lines)
    for shown, line in zip(out_lines, data_lines, strict=False):
        if shown != line:
            assert shown.endswith(LINE_CUT), (shown, line)
            assert line.startswith(shown.removesuffix(LINE_CUT))


def test_a_short_last_line_after_a_cut_line_is_kept_whole() -> None:
    """The example Hypothesis found: the unterminated last line `a` is the data's own
    whole last line, not a partial one; only the first line was cut (and says so)."""
    data = b"aaaaa 123-45-6789aa\na"
    lines = OutputLines(cap=18, max_line=10_000)
    out = _feed_all(lines, _split(data, list(range(0, len(data), 7))))
    assert out == [b"aaaaa" + LINE_CUT, b"a"]
    assert lines.truncated and lines.total == len(data)
    assert_whole_lines_of(b"".join(out), data)


def test_the_cap_drops_whole_lines_only() -> None:
    lines = OutputLines(cap=10, max_line=10_000)
    out = b"".join(_feed_all(lines, [b"one\ntwo\nthree\nfour"]))
    assert out == b"one\ntwo\n" and lines.truncated


@settings(max_examples=200, deadline=None)
@given(data=text_bytes, cap=st.integers(1, 200))
def test_output_stays_under_the_cap_in_whole_lines(data: bytes, cap: int) -> None:
    lines = OutputLines(cap=cap, max_line=10_000)
    out = b"".join(_feed_all(lines, _split(data, list(range(0, len(data), 7)))))
    assert len(out) <= cap
    assert lines.total == len(data)
    assert_whole_lines_of(out, data)
    assert lines.truncated == (out != data)


def test_short_lines_pass_unchanged() -> None:
    lines = OutputLines(cap=1000)
    assert lines.feed(b"one\ntw") == b"one\n"
    assert lines.feed(b"o\nthree") == b"two\n"
    assert lines.close() == b"three"
    assert not lines.truncated


def test_an_overlong_line_is_cut_at_a_space_and_the_rest_dropped() -> None:
    lines = OutputLines(cap=10_000, max_line=30)
    head = b"patient record for ssn "  # 23 bytes; the SSN straddles the 30-byte limit
    assert lines.feed(head + b"123-45-") == b""
    assert lines.feed(b"6789 and more words") == b"patient record for ssn" + LINE_CUT
    assert lines.feed(b" still the same line\nnext\n") == b"next\n"
    assert lines.truncated
    assert lines.total == len(head) + 7 + 19 + 26


def test_a_line_that_never_ends_is_not_held_in_memory() -> None:
    lines = OutputLines(cap=10_000_000, max_line=100)
    out = lines.feed(b"ok\n" + b"x" * 1000)
    assert out.startswith(b"ok\n") and out.endswith(LINE_CUT)
    for _ in range(100):
        assert lines.feed(b"y" * 10_000) == b""
    assert len(lines._pending) == 0
    assert lines.feed(b"z\nafter\n") == b"after\n"


CREDENTIAL = 'gw/S3cr3t&Token"7f3a<9c2e1b'
SECRETS = GatewaySecrets([("API_TOKEN", CREDENTIAL)])


@settings(max_examples=100, deadline=None)
@given(
    pad=st.integers(0, 60),
    escaped=st.booleans(),
    cuts=st.lists(st.integers(0, 10_000), max_size=8),
)
def test_a_line_cut_through_a_credential_shows_none_of_it(
    pad: int, escaped: bool, cuts: list[int]
) -> None:
    """The line limit falls anywhere in the credential (as printed or HTML-escaped),
    with the line arriving in reads of any size: the cut line is scrubbed with what
    follows the cut, so not 8 of its characters in a row are shown."""
    echo = html.escape(CREDENTIAL) if escaped else CREDENTIAL
    # no space near the limit: the cut falls exactly at it
    data = f"{'x' * pad}auth={echo}&the_rest_of_a_long_line\nnext\n".encode()
    counts: dict[str, int] = {}
    lines = OutputLines(cap=10_000, max_line=40, secrets=SECRETS, counts=counts)
    out = b"".join(_feed_all(lines, _split(data, cuts))).decode()
    pieces = [CREDENTIAL[i : i + 8] for i in range(len(CREDENTIAL) - 7)]
    shown = html.unescape(out)
    assert not [p for p in pieces if p in shown], out
    assert out.endswith("next\n")
    assert ("[REDACTED:API_TOKEN]" in out) == (counts == {"GATEWAY_SECRET": 1}), out


def test_a_line_is_held_past_the_limit_by_the_secrets_reach_only() -> None:
    lines = OutputLines(cap=10_000_000, max_line=100, secrets=SECRETS)
    assert lines.feed(b"x" * (100 + SECRETS.reach)) == b""
    assert lines.feed(b"y").endswith(LINE_CUT)
    assert len(lines._pending) == 0


def test_an_overlong_line_without_a_blank_near_its_end_shows_no_head_of_a_word() -> None:
    """A one-line JSON answer (`jq -c`, `curl`) has no blank near the limit: the cut
    falls at its last blank however far back, or drops the line, never inside a value."""
    pad = b'","pad":"' + b"x" * 300
    record = b'{"note":"seen today' + pad + b'","ssn":"501418037","family":"Wojciechowska"}'
    for limit in range(20, len(record) - 1):
        lines = OutputLines(cap=10_000, max_line=limit)
        out = lines.feed(record + b"\n")
        kept = out.removesuffix(LINE_CUT)
        assert kept in (b"", b'{"note":"seen'), (limit, out)
