"""The masker reads a text as its reader will: base64 text decoded, escapes decoded,
a letter lost to a byte that was no UTF-8 kept inside its word, combining accents
composed; what is found is masked in the text as written."""

from __future__ import annotations

import base64
import json
import unicodedata

import pytest

from phigate.masking._json import TOO_DEEP
from phigate.masking._reading import may_read_otherwise, reading
from phigate.masking.detect import Carried
from phigate.masking.engine import Masker

NOTE = "Patient Maria Garcia, SSN 536-22-8471, phone (415) 555-0199"
NOTE_PHI = ("Maria", "Garcia", "536-22-8471", "555-0199")
NAME = "Renée Gonçalves"
NAME_PARTS = ("Ren", "Gon", "alves")


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _shown(text: str, words: tuple[str, ...]) -> list[str]:
    return [w for w in words if w in text]


# ── base64 that is text ──────────────────────────────────────────────────────────
def test_a_fhir_attachment_is_masked_and_stays_base64(safe_harbor: Masker) -> None:
    resource = {"resourceType": "DocumentReference", "content": [{"attachment": {}}]}
    resource["content"][0]["attachment"] = {"contentType": "text/plain", "data": _b64(NOTE)}
    masked, counts = safe_harbor.mask_json(resource)
    data = json.loads(json.dumps(masked))["content"][0]["attachment"]["data"]
    note = base64.b64decode(data, validate=True).decode()
    assert not _shown(note, NOTE_PHI), note
    assert "[SSN]" in note and counts.get("SSN") == 1


@pytest.mark.parametrize(
    "template",
    [
        "Open data:text/plain;base64,{} in the viewer",
        "Attachment (text/plain, base64): {}",
        "{}",
        "payload={}&next=2",
    ],
)
def test_base64_text_inside_text_is_masked(safe_harbor: Masker, template: str) -> None:
    masked = safe_harbor.mask_text(template.format(_b64(NOTE))).text
    decoded = [_b64_text(word) for word in masked.replace(",", " ").replace("=", " ").split()]
    assert not _shown(masked + "".join(decoded), NOTE_PHI), masked


def _b64_text(word: str) -> str:
    try:
        return base64.b64decode(word + "=" * (-len(word) % 4)).decode()
    except ValueError:
        return ""


def test_url_safe_unpadded_base64_keeps_its_alphabet(safe_harbor: Masker) -> None:
    """A token's claims in base64url without padding (a JWT's payload, an OAuth `state`),
    decoded, masked, written the same way."""
    claims = json.dumps({"name": "Maria Garcia", "ssn": "536-22-8471", "x": "??>>"})
    payload = base64.urlsafe_b64encode(claims.encode()).decode().rstrip("=")
    assert "-" in payload or "_" in payload  # the test holds what it says
    masked = safe_harbor.mask_text(f"redirected with state {payload} to the app").text
    shown = masked.split()[3]
    assert not set(shown) & set("+/=")
    decoded = base64.urlsafe_b64decode(shown + "=" * (-len(shown) % 4)).decode()
    assert not _shown(decoded, NOTE_PHI), decoded


def test_base64_inside_base64_is_masked_and_too_deep_is_withheld(safe_harbor: Masker) -> None:
    twice = _b64(f"config: {_b64(NOTE)}")
    inner = base64.b64decode(safe_harbor.mask_text(twice).text).decode().split(": ")[1]
    assert not _shown(base64.b64decode(inner).decode(), NOTE_PHI)
    deep = NOTE
    for _ in range(5):
        deep = _b64(f"level {deep}")
    result = safe_harbor.mask_text(deep)
    shown = result.text
    for _ in range(3):  # three levels read, the fourth withheld
        shown = base64.b64decode(shown).decode().split(" ", 1)[1]
    assert shown == TOO_DEEP and result.counts.get("TOO_DEEP") == 1


@pytest.mark.parametrize(
    ("raw", "charset"),
    [
        (f"\ufeff{NOTE}".encode(), "utf-8"),  # a byte order mark (Notepad, .NET)
        (f"Patient:\u00a0{NOTE}".encode(), "utf-8"),  # a no-break space from HTML
        (f"{NOTE}\0".encode(), "utf-8"),  # a C string's closing NUL
        (f"{NOTE}\f".encode(), "utf-8"),  # a form feed
        (NOTE.encode("utf-16"), "utf-16"),  # UTF-16 with its byte order mark
        (f"José Muñoz: {NOTE}".encode("latin-1"), "latin-1"),
    ],
)
def test_base64_text_with_a_stray_character_or_another_charset_is_masked(
    safe_harbor: Masker, raw: bytes, charset: str
) -> None:
    shown = safe_harbor.mask_text(base64.b64encode(raw).decode()).text
    read = base64.b64decode(shown, validate=True).decode(charset)
    assert not _shown(read, NOTE_PHI) and "Muñoz" not in read, read


def test_base64_cut_to_4k_plus_1_or_glued_to_a_word_is_masked(safe_harbor: Masker) -> None:
    data = _b64(f"{NOTE}. Follow up in two weeks.")
    cut = data[: len(data) // 4 * 4 - 3]
    shown = safe_harbor.mask_text(cut).text
    assert len(cut) % 4 == 1 and shown[-1] == cut[-1]
    assert not _shown(base64.b64decode(shown[:-1] + "==").decode(), NOTE_PHI)
    glued = _b64("Patient Maria Garcia?? SSN 536-22-8471 >> DOB 03/14/1980")
    assert "/" in glued
    shown = safe_harbor.mask_text(f"stored as note_{glued}").text
    assert shown.startswith("stored as note_")
    read = base64.b64decode(shown.removeprefix("stored as note_")).decode()
    assert not _shown(read, NOTE_PHI), read


@pytest.mark.parametrize(
    "text",
    [
        base64.b64encode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00").decode(),
        "sha256:" + "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "pseudohypoparathyroidism, ruled out by the endocrinologist",
        _b64("no PHI in this sentence at all"),
    ],
)
def test_base64_that_is_no_text_or_holds_nothing_is_left(safe_harbor: Masker, text: str) -> None:
    assert safe_harbor.mask_text(text).text == text


# ── escapes ──────────────────────────────────────────────────────────────────────
@pytest.mark.parametrize(
    "written",
    [
        "Ren&eacute;e Gon&ccedil;alves",  # HTML named references
        "Ren&#233;e Gon&#231;alves",  # decimal
        "Ren&#xE9;e Gon&#xe7;alves",  # hexadecimal
        "Ren&eacutee Gon&ccedilalves",  # HTML5 legacy names, no `;`
        "Ren\\u00e9e Gon\\u00e7alves",  # JSON / JavaScript
        "Ren\\xe9e Gon\\xe7alves",  # JavaScript / Python `\\x`
        "Ren%C3%A9e Gon%C3%A7alves",  # percent-encoded UTF-8
        "Ren%E9e Gon%E7alves",  # percent-encoded Latin-1
        "Ren=C3=A9e Gon=C3=A7alves",  # quoted-printable
        "Ren\\xc3\\xa9e Gon\\xc3\\xa7alves",  # Python's repr of UTF-8 bytes
        "Ren&eacute;e Gon%C3%A7alves",  # two families at once
    ],
)
def test_a_name_with_escaped_letters_is_masked_whole(safe_harbor: Masker, written: str) -> None:
    masked = safe_harbor.mask_text(f"Patient {written} was seen today.").text
    assert masked == "Patient [PERSON] was seen today.", masked


def test_a_form_reads_plus_as_a_space(safe_harbor: Masker) -> None:
    form = "patient=Maria+Garcia&ssn=536-22-8471&phone=%28415%29+555-0199"
    masked = safe_harbor.mask_text(form).text
    assert masked.startswith("patient=[PERSON]&ssn=[SSN]&phone=[") and "555" not in masked
    assert safe_harbor.mask_text("1+555+0199 is 2+2").text == "1+555+0199 is 2+2"


def test_escaped_separators_are_read_and_escapes_elsewhere_kept(safe_harbor: Masker) -> None:
    page = "<td>536&#45;22&#45;8412</td><td>&#40;415&#41; 555&#45;0142</td><td>caf&eacute;</td>"
    assert safe_harbor.mask_text(page).text == (
        "<td>[SSN]</td><td>[PHONE]</td><td>caf&eacute;</td>"
    )


def test_a_json_log_line_carried_as_text_stays_json(safe_harbor: Masker) -> None:
    line = "visit " + json.dumps({"msg": f"Patient {NAME} was seen", "n": "a\nb"})
    masked = safe_harbor.mask_text(line).text
    assert json.loads(masked.removeprefix("visit ")) == {
        "msg": "Patient [PERSON] was seen",
        "n": "a\nb",
    }


def test_spans_are_offsets_of_the_text_as_written(safe_harbor: Masker) -> None:
    text = "Patient Ren%C3%A9e Gon%C3%A7alves, SSN 536&#45;22&#45;8471"
    spans = safe_harbor.spans(text)
    assert [text[s:e] for s, e, _ in spans] == ["Ren%C3%A9e Gon%C3%A7alves", "536&#45;22&#45;8471"]


def test_a_streams_spans_are_read_with_what_its_blocks_carried(safe_harbor: Masker) -> None:
    carried = Carried()
    first = "Patient Ren&eacute;e Gon&ccedil;alves was seen today."
    assert [first[s:e] for s, e, _ in safe_harbor.spans(first, carried)] == [
        "Ren&eacute;e Gon&ccedil;alves"
    ]
    later = "Called Gon%C3%A7alves back."
    assert [later[s:e] for s, e, _ in safe_harbor.spans(later, carried)] == ["Gon%C3%A7alves"]


# ── a byte that was no UTF-8 ─────────────────────────────────────────────────────
@pytest.mark.parametrize(
    "text",
    [
        "Patient Ren\ufffde Gon\ufffdalves was seen today.",
        "Seen: Ren\ufffde Gon\ufffdalves today",
        "Jos\ufffd Mu\ufffdoz reports chest pain",
        "Dr. M\ufffdller signed the note",
    ],
)
def test_a_name_with_a_lost_letter_is_masked_whole(safe_harbor: Masker, text: str) -> None:
    masked = safe_harbor.mask_text(text).text
    assert "\ufffd" not in masked and "[PERSON]" in masked, masked


def test_a_lost_letter_in_a_lower_case_word_is_no_name(safe_harbor: Masker) -> None:
    text = "the caf\ufffd was closed, na\ufffdve reading"
    assert safe_harbor.mask_text(text).text == text


# ── combining accents (NFD) ──────────────────────────────────────────────────────
@pytest.mark.parametrize("name", [NAME, "José Muñoz", "Nguyễn Thị Hồng", "Zoë Brontë"])
def test_a_decomposed_name_is_masked_as_the_composed_one(safe_harbor: Masker, name: str) -> None:
    for form in ("NFC", "NFD"):
        text = unicodedata.normalize(form, f"Patient {name} was seen today.")
        assert safe_harbor.mask_text(text).text == "Patient [PERSON] was seen today.", form


def test_a_decomposed_name_in_json_and_its_spans(safe_harbor: Masker) -> None:
    nfd = unicodedata.normalize("NFD", NAME)
    masked, _ = safe_harbor.mask_json({"patient": nfd, "note": f"Seen: {nfd} today"})
    assert not _shown(unicodedata.normalize("NFC", json.dumps(masked)), NAME_PARTS), masked
    text = f"Patient {nfd} today"
    assert [text[s:e] for s, e, _ in safe_harbor.spans(text)] == [nfd]


def test_a_mark_that_composes_with_nothing_stays_inside_the_word(safe_harbor: Masker) -> None:
    text = "Patient Rene\u0301\u0323e Gonc\u0327alves was seen today."  # é with a dot below
    assert safe_harbor.mask_text(text).text == "Patient [PERSON] was seen today."


# ── the fast path ────────────────────────────────────────────────────────────────
@pytest.mark.parametrize(
    "text",
    ["Patient John Smith, SSN 123-45-6789", "short words only here", "Ünïcödé NFC text", "a = b"],
)
def test_plain_text_takes_the_fast_path(text: str) -> None:
    assert not may_read_otherwise(text.encode())


@pytest.mark.parametrize("text", ["100% = 1 & 2", "x=1&y=2", "C:\\temp\\new", "AT&T"])
def test_text_whose_escapes_spell_nothing_reads_as_written(text: str) -> None:
    assert reading(text) is None


@pytest.mark.parametrize("text", ['"\ud800"', "x \ud800 y", "Ren&eacute;e Gon&ccedil;alves \udfff"])
def test_a_lone_surrogate_reads_as_a_replacement_character(safe_harbor: Masker, text: str) -> None:
    """JSON may carry a lone surrogate (`"\\ud800"`); it is kept as written, and a
    name escaped beside it is still read and masked."""
    masked = safe_harbor.mask_text(text).text
    assert masked.endswith(text[-1]) and "Gon" not in masked, repr(masked)
