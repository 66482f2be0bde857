"""Property tests: no detected value survives; pseudonyms are stable and keyed;
date shifting keeps intervals."""

from __future__ import annotations

import datetime as dt

import re2
from hypothesis import given, settings
from hypothesis import strategies as st

from phigate.masking import _hints, detect
from phigate.masking._names import _WORD, _words
from phigate.masking.engine import Masker, MaskingEngine
from phigate.masking.settings import MaskingSettings
from tests.masking.conftest import KEY

_PIECES = st.sampled_from(
    [
        "SSN 123-45-6789",
        "call (617) 555-0134",
        "jane@example.org",
        "Dr. Kowalczyk",
        "DOB 03/14/1950",
        "MRN: A123456",
        "token ghp_" + "b" * 36,
        "10.1.2.3",
        "lives at 42 Elm Street",
        "BP 120/80",
        "E11.9",
        "the patient",
        " ",
        "\n",
    ]
)


_SETTINGS = MaskingSettings.model_validate(
    {
        "profiles": {
            "p": {"operators": {"PERSON": "pseudonym", "SSN": "pseudonym", "DATE": "date_shift"}}
        }
    }
)
_ENGINES = {KEY: MaskingEngine(_SETTINGS, KEY), KEY + b"2": MaskingEngine(_SETTINGS, KEY + b"2")}
_SAFE_HARBOR = MaskingEngine(MaskingSettings(), KEY).masker("hipaa-safe-harbor")


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(_PIECES, st.text(max_size=12)), max_size=12))
def test_masked_output_never_contains_a_detected_value(pieces: list[str]) -> None:
    masker = _SAFE_HARBOR
    text = " ".join(pieces)
    spans = masker.spans(text)
    masked = masker.mask_text(text).text
    for start, end, _ in spans:
        value = text[start:end]
        if len(value) >= 4:  # a 3-character value can reappear by chance (e.g. inside "[SSN]")
            assert value not in masked, (value, masked)


def _pseudonym_masker(key: bytes) -> Masker:
    return _ENGINES[key].masker("p")


@settings(max_examples=50, deadline=None)
@given(st.from_regex(r"[1-5][0-9]{2}-[1-9][0-9]-[1-9][0-9]{3}", fullmatch=True))
def test_pseudonyms_are_stable_and_keyed(ssn: str) -> None:
    a1 = _pseudonym_masker(KEY).mask_text(f"SSN {ssn}").text
    a2 = _pseudonym_masker(KEY).mask_text(f"ssn: {ssn.replace('-', '')}").text
    b = _pseudonym_masker(KEY + b"2").mask_text(f"SSN {ssn}").text
    assert a1.split()[-1] == a2.split()[-1]  # same value, same token, across calls and formats
    assert a1 != b and ssn not in a1


@settings(max_examples=100, deadline=None)
@given(
    st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1)),
    st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1)),
    st.text(min_size=1, max_size=8),
)
def test_date_shift_keeps_intervals(a: dt.date, b: dt.date, subject: str) -> None:
    ops = _ENGINES[KEY].masker("p").operators
    sa, sb = ops.value("DATE", a, subject), ops.value("DATE", b, subject)
    assert isinstance(sa, dt.date) and isinstance(sb, dt.date)
    assert sb - sa == b - a and sa != a
    text = ops.text("DATE", a.isoformat(), subject)
    assert text == sa.isoformat()


_WORDY = st.text(alphabet=st.sampled_from([*"AbZé ÉĐặ’'-_.(\n0Жж«", "\ud800"]), max_size=40)


@settings(max_examples=2000, deadline=None)
@given(_WORDY)
def test_name_words_found_without_the_group_are_the_groups(text: str) -> None:
    """The name detector steps over the character before a word instead of asking RE2
    for the group: the same words, wherever a text starts and whatever comes before."""
    data = text.encode("utf-8", "surrogatepass")
    assert list(_words(data)) == [(m[1][0], m[1][1]) for m in _WORD.spans(data)]


_AFTER_SPAN = st.lists(
    st.sampled_from([*"0123:apmPMZUTC ,@\t\nMDJrIRN.-", "at ", "Jr", "MD", "EST"]), max_size=20
).map("".join)


@settings(max_examples=1000, deadline=None)
@given(_AFTER_SPAN, st.integers(min_value=0, max_value=30))
def test_anchored_extension_is_the_search_starting_there(text: str, at: int) -> None:
    """Time after a date and credentials after a name are matched anchored at the span's
    end: the same end as the leftmost match of a search, when that match starts there."""
    data = text.encode()
    at = min(at, len(data))
    for regex in (detect._TIME_AFTER, detect._CREDENTIALS_AFTER):
        found = next(regex.spans(data, at, min(len(data), at + 48)), None)
        searched = found[0][1] if found is not None and found[0][0] == at else at
        assert detect._extend(regex, data, at) == searched


_LABELISH = st.text(alphabet=st.sampled_from([*"aZz09AbBé_- #.Ж\n\u00dfÉ"]), max_size=30)


@settings(max_examples=2000, deadline=None)
@given(_LABELISH)
def test_labels_are_rewritten_as_re2_rewrites_them(label: str) -> None:
    """Labels and keys are rewritten without the `re2` wrapper's `sub` (slow per call):
    the same text as RE2's substitutions give, for any label."""
    camel, non_word = re2.compile(r"([a-z0-9])([A-Z])"), re2.compile(r"[^a-z0-9]+")
    for separator in ("_", " "):
        assert _hints.uncamel(label, separator) == camel.sub(rf"\1{separator}\2", label)
    ascii_label = label.encode("ascii", "ignore").decode()
    expected = non_word.sub("_", camel.sub(r"\1_\2", ascii_label).lower()).strip("_")
    assert _hints.normalise(ascii_label) == expected
