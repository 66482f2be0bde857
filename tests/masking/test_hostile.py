"""Hostile inputs: huge values, deep JSON, strings built to make regexes backtrack.

Linear time is shown without timing: every detector pattern is RE2 (which
compiles no backreferences or lookaround and matches in time linear in the
input by construction), and no module of the masking package imports a
backtracking regex engine.
"""

from __future__ import annotations

import ast
import pathlib

import pytest
import re2

import phigate.masking
from phigate.masking._json_text import load_bounded, nesting_depth
from phigate.masking._patterns import PHI_PATTERNS, SECRET_PATTERNS
from phigate.masking.columns import ColumnInfo
from phigate.masking.detect import MaskingError
from phigate.masking.engine import Masker, MaskingEngine
from phigate.masking.settings import MaskingSettings
from tests.masking.conftest import KEY

PACKAGE = pathlib.Path(phigate.masking.__file__).parent


@pytest.mark.parametrize("spec", [*SECRET_PATTERNS, *PHI_PATTERNS], ids=lambda s: s.entity)
def test_every_pattern_is_re2(spec: object) -> None:
    regex = spec.regex  # type: ignore[attr-defined]
    re2.compile(regex.encode())  # raises for anything RE2 cannot do in linear time


def test_no_backtracking_engine_is_imported() -> None:
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not {"re", "regex"} & set(names), f"{path.name} imports {names}"


def test_custom_patterns_must_be_re2() -> None:
    with pytest.raises(ValueError):
        MaskingSettings.model_validate(
            {"identifiers": [{"type": "X", "pattern": r"(?=lookahead)x"}]}
        )


PATHOLOGICAL = [
    "a" * 200_000 + "!",
    "1-" * 100_000,
    ("1" * 30 + " ") * 5000,
    "-----BEGIN RSA PRIVATE KEY-----" + "A" * 100_000,
    "x@" * 50_000,
    ":" * 100_000,
    "Aa " * 60_000,
    "http://" + "a/" * 80_000,
    # layouts read by label (tables, YAML, pipes, markup, labels after values, escapes)
    "mrn,ssn\n" + "1234567,536228471\n" * 20_000,  # rows under a header: each read once
    "mrn,ssn\n" * 20_000,
    "- mrn:\n" * 20_000,
    "mrn:\n" + "- 40123456\n" * 20_000,
    "mrn|12345|" * 20_000,
    "<tr><th>mrn</th>" * 10_000,
    "<table><tr><th>MRN</th></tr>" + "<tr><td>40123456</td></tr>" * 10_000,
    "<mrn>" * 50_000,
    "40123456 (MRN) " * 20_000,
    '\\"mrn\\": \\"1234567\\", ' * 20_000,
    "５" * 100_000,
]


@pytest.mark.parametrize("text", PATHOLOGICAL, ids=range(len(PATHOLOGICAL)))
def test_pathological_strings_complete(safe_harbor: Masker, text: str) -> None:
    safe_harbor.mask_text(text)  # completes; RE2 has no catastrophic case to hit


def test_huge_value_is_masked_across_windows(safe_harbor: Masker) -> None:
    filler = "lorem ipsum " * 120_000  # > 1 MiB: masked window by window
    text = filler + "SSN 123-45-6789 " + filler + "jane@example.org"
    masked = safe_harbor.mask_text(text)
    assert "123-45-6789" not in masked.text and "jane@example.org" not in masked.text
    assert masked.counts == {"SSN": 1, "EMAIL": 1}


def test_private_key_without_end_is_masked_to_the_end(safe_harbor: Masker) -> None:
    text = "key: -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC"
    assert safe_harbor.mask_text(text).text == "key: [SECRET]"


def test_deep_json_is_bounded() -> None:
    masker = MaskingEngine(MaskingSettings(max_json_depth=50), KEY).masker("hipaa-safe-harbor")
    value: object = {"ssn": "123-45-6789"}
    for _ in range(5000):
        value = {"x": [value]}
    masked, counts = masker.mask_json(value)
    assert counts.get("TOO_DEEP") == 1 and "123-45-6789" not in repr(masked)[:10_000]


_NOTE = "Seen by Dr. Alice Jones, SSN 123-45-6789"


@pytest.mark.parametrize(
    "text",
    [
        "[" * 5000,  # never closes: not JSON, but deep enough to exhaust the reader
        "[" * 5000 + _NOTE,
        "[" * 5000 + f'"{_NOTE}"' + "]" * 5000,  # JSON that Python cannot read
        '{"a":' * 65 + f'"{_NOTE}"' + "}" * 65,  # JSON one level past the bound
    ],
    ids=["open", "open_note", "closed", "one_past"],
)
def test_a_text_value_nested_past_the_bound_is_withheld_whole(
    safe_harbor: Masker, text: str
) -> None:
    """A text value that starts like JSON is read as JSON, but only within
    `max_json_depth`: past it the reader would recurse without bound, so the value
    is withheld whole, never crashing the masker and never shown."""
    rows = safe_harbor.for_columns([ColumnInfo("brackets"), ColumnInfo("n", "int4")])
    assert rows.mask_row([text, 1]) == ["[REDACTED:TOO_DEEP]", 1]
    assert rows.counts.get("TOO_DEEP") == 1


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ('["[[[[", {"k": "]]{{"}]', 2),  # brackets inside strings do not count
        ('["a\\\\"]', 1),  # an escaped backslash ends before the closing quote
        ('["a\\\\", "[[["]', 1),
        ('["a\\"[[", "]"]', 1),  # an escaped quote does not end the string
        ('[ "unclosed [[', 3),  # an unclosed string counts what follows: deeper, not less
        ("]]]][", 1),
    ],
)
def test_nesting_is_measured_outside_strings(text: str, depth: int) -> None:
    assert nesting_depth(text, 64) == depth


def test_the_drivers_json_reader_is_bounded_too() -> None:
    """The postgres connector's driver reads `json`/`jsonb` with `load_bounded`."""
    assert load_bounded(b"[" * 3000 + b"]" * 3000) == "[REDACTED:TOO_DEEP]"
    assert load_bounded(memoryview(b'{"ssn": ["123-45-6789"]}')) == {"ssn": ["123-45-6789"]}


def test_json_within_the_bound_is_still_read_by_its_keys(safe_harbor: Masker) -> None:
    text = '{"a":' * 63 + '{"ssn": "123456789"}' + "}" * 63
    masked = safe_harbor.for_columns([ColumnInfo("doc")]).mask_row([text])[0]
    assert isinstance(masked, str) and "123456789" not in masked and "[SSN]" in masked


def test_lone_surrogates_do_not_break_masking(safe_harbor: Masker) -> None:
    assert safe_harbor.mask_text("\ud800 SSN 123-45-6789").text == "\ud800 SSN [SSN]"


def test_non_string_keys_and_values(safe_harbor: Masker) -> None:
    masked, _ = safe_harbor.mask_json({1: 2.5, None: [True, None]})
    assert masked == {1: 2.5, None: [True, None]}


def test_masking_error_is_raised_not_swallowed(safe_harbor: Masker) -> None:
    class Weird:
        def __str__(self) -> str:
            raise ValueError("no")

    rows = safe_harbor.for_columns([ColumnInfo("note")])
    with pytest.raises(MaskingError):
        rows.mask_row([Weird()])
