"""StreamMasker: output masked block by block, each block seen with what came before,
so a label and its value, or a private key, split across reads are masked as a whole."""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from phigate.connectors._secrets import GatewaySecrets
from phigate.connectors._stream_mask import CONTEXT_CHARS, StreamMasker
from phigate.masking.engine import MaskingEngine
from phigate.masking.settings import MaskingSettings

ENGINE = MaskingEngine(MaskingSettings(), b"k" * 32)


def _masker(secrets: list[tuple[str, str]] | None = None) -> StreamMasker:
    return StreamMasker(ENGINE.masker("hipaa-safe-harbor"), GatewaySecrets(secrets or []))


def test_a_label_and_its_value_in_different_blocks() -> None:
    masker = _masker()
    assert masker.mask("stdout", "SSN:\n") == "SSN:\n"
    assert masker.mask("stdout", "123456789\n") == "[SSN]\n"
    assert masker.counts == {"SSN": 1}


def test_pipes_do_not_share_context() -> None:
    masker = _masker()
    masker.mask("stderr", "SSN:\n")
    assert masker.mask("stdout", "123456789\n") == "123456789\n"


def test_a_private_key_split_across_blocks_never_shows() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    lines = pem.splitlines(keepends=True)
    masker = _masker()
    out = "".join(
        masker.mask("stdout", block)
        for block in ("config:\n", "".join(lines[:10]), "".join(lines[10:]), "done\n")
    )
    for line in lines[1:-1]:
        assert line.strip() not in out
    assert out.startswith("config:\n") and out.endswith("done\n")


def test_context_is_bounded() -> None:
    masker = _masker()
    masker.mask("stdout", "SSN:\n" + "x " * CONTEXT_CHARS + "\n")
    assert masker.mask("stdout", "123456789\n") == "123456789\n"
    assert all(len(t) <= CONTEXT_CHARS for t in masker._tails.values())


def test_an_open_private_key_is_carried_until_its_end() -> None:
    body = ["A" * 64 + "\n" for _ in range(40)]  # 2.6 kB of key body, past CONTEXT_CHARS
    masker = _masker()
    out = masker.mask("stdout", "-----BEGIN PRIVATE KEY-----\n" + body[0])
    out += "".join(masker.mask("stdout", line) for line in body[1:])
    out += masker.mask("stdout", "-----END PRIVATE KEY-----\nafter\n")
    assert "AAAA" not in out
    assert out.endswith("after\n")
    assert len(masker._tails["stdout"]) <= CONTEXT_CHARS


def test_secrets_are_scrubbed_and_counted_before_masking() -> None:
    masker = _masker([("API_TOKEN", "tok-0123456789abcdef")])
    out = masker.mask("stderr", "using tok-0123456789abcdef for john.smith@example.com\n")
    assert out == "using [REDACTED:API_TOKEN] for [EMAIL]\n"
    assert masker.counts == {"GATEWAY_SECRET": 1, "EMAIL": 1}


def test_blocks_mask_like_the_whole_text() -> None:
    text = "Patient John Smith, SSN 123-45-6789, phone (415) 555-0134\nok\n"
    whole = ENGINE.masker("hipaa-safe-harbor").mask_text(text).text
    blocks = _masker()
    assert "".join(blocks.mask("stdout", line) for line in text.splitlines(True)) == whole


def test_a_name_found_in_an_early_block_is_masked_where_it_recurs() -> None:
    """Far past the context (`CONTEXT_CHARS`), the run's output is one text: the name
    found on its first line is carried to every later block, of either pipe."""
    masker = _masker()
    assert masker.mask("stdout", "Patient Zebulon Quarrington was seen.\n") == (
        "Patient [PERSON] was seen.\n"
    )
    for _ in range(20):
        masker.mask("stdout", "The wound was dressed as planned.\n" * 20)
    assert masker.mask("stdout", "Quarrington agreed.\n") == "[PERSON] agreed.\n"
    assert masker.mask("stderr", "warning: QUARRINGTON\n") == "warning: [PERSON]\n"


def _report(rows: int, start: int = 0) -> list[str]:
    return [f"{448812 + i * 7},{i % 9},{'east' if i % 2 else 'west'}\n" for i in range(start, rows)]


def test_a_csv_header_is_carried_to_the_end_of_its_table() -> None:
    """Round 21c finding 9: the header's column type masks every block of rows, not
    only the rows of the block the header came in (each block a few lines, as a pipe
    delivers them), and the context stays bounded by the row it begins in."""
    rows = _report(3000)
    masker = _masker()
    out = masker.mask("stdout", "mrn,visits,ward\n")
    out += "".join(masker.mask("stdout", "".join(rows[i : i + 7])) for i in range(0, 3000, 7))
    assert out.startswith("mrn,visits,ward\n[MRN],0,west\n")
    assert not [line for line in out.splitlines() if line[:1].isdigit()]
    assert masker.counts["MRN"] == 3000
    tail = masker._tails["stdout"]
    assert ("".join(rows)).endswith("\n" + tail) and len(tail) <= CONTEXT_CHARS + len(rows[-1])


def test_a_table_that_ends_carries_no_header() -> None:
    """A line of one cell ends the table: the rows of a later block are not read under
    the old header (a count of 448812 visits is not an MRN)."""
    masker = _masker()
    masker.mask("stdout", "mrn,visits,ward\n" + "".join(_report(3)) + "done\n")
    assert masker._headers["stdout"] == ""
    assert masker.mask("stdout", "519010,3,east\n") == "519010,3,east\n"


def test_a_header_on_one_pipe_is_not_read_on_the_other() -> None:
    masker = _masker()
    masker.mask("stderr", "mrn,visits,ward\n")
    assert masker.mask("stdout", "448812,3,east\n") == "448812,3,east\n"
