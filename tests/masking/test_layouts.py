"""Labels in the layouts text takes besides "Label: value": tables under a header
(Markdown, TSV, CSV, HTML), XML elements, YAML lists and blocks, pipes, a label after
its value, a JSON record escaped in a log line, and fullwidth digits."""

from __future__ import annotations

import unicodedata

import pytest

from phigate.masking.detect import fold
from phigate.masking.engine import Masker

SSN, MRN = "536228471", "40123456"

LABELLED = [
    # tables: each cell by its column's header, any delimiter
    f"| MRN | SSN |\n|---|---|\n| {MRN} | {SSN} |",
    f"|mrn|ssn|\n|:--|--:|\n|{MRN}|{SSN}|",
    f"mrn\tssn\n{MRN}\t{SSN}",
    f"mrn,ssn\n{MRN},{SSN}\n",
    f"mrn;ssn\r\n{MRN};{SSN}\r\n",
    f"<tr><th>MRN</th><th>SSN</th></tr><tr><td>{MRN}</td><td>{SSN}</td></tr>",
    f"<table>\n<tr>\n <th class=h>Medical record number</th>\n <th>SSN</th>\n</tr>\n"
    f"<tr>\n <td> {MRN} </td>\n <td>{SSN}</td>\n</tr>\n</table>",
    # markup and escaped JSON
    f"<tr><td>MRN</td><td>{MRN}</td></tr><tr><td>SSN</td><td>{SSN}</td></tr>",
    f"<td>MRN</td><td>{MRN}</td> <td>SSN</td><td>{SSN}</td>",
    f"<Patient><ssn>{SSN}</ssn><mrn>{MRN}</mrn></Patient>",
    f'<hl7:mrn system="x">{MRN}</hl7:mrn> <SSN>{SSN}</SSN>',
    'saved {\\"mrn\\": \\"' + MRN + '\\", \\"ssn\\": \\"' + SSN + '\\"}',
    'mrn=\\"' + MRN + '\\" ssn=\\"' + SSN + '\\"',
    'row={\\"mrn\\":' + MRN + ',\\"ssn\\":\\"' + SSN + '\\"}',
    # a label after its value
    f"{SSN} (SSN), {MRN} (MRN)",
    f"{MRN} - MRN; {SSN} – SSN",
    f"ids: {MRN} (medical record number), {SSN} (social security no)",
    # YAML under the key, and pipes
    f"mrn:\n- {MRN}\nssn:\n  - {SSN}\n",
    f"patient:\n  mrn: |\n    {MRN}\n  ssn: >-\n    {SSN}\n",
    f"mrn|{MRN}|ssn|{SSN}",
    f"id|7|mrn | {MRN} |ssn|{SSN}",
]


@pytest.mark.parametrize("text", LABELLED)
def test_a_value_under_its_label_is_masked_in_every_layout(safe_harbor: Masker, text: str) -> None:
    masked = safe_harbor.mask_text(text).text
    assert MRN not in masked and SSN not in masked, masked
    assert "[MRN]" in masked and "[SSN]" in masked, masked


DECOYS = [
    "name,count\nBoston,12",  # two columns of prose: a worded value needs three
    "| Patient | Provider |\n|---|---|\n| seen | signed |",
    "<tr><th>Dose</th><th>Qty</th></tr><tr><td>500</td><td>30</td></tr>",
    "<dose>500</dose><unit>mg</unit>",
    "version 1234567 (build) - release",
    "step 3 - done (ok)",
    "step 4521 - Visit note follows",  # after a dash, a label ends its clause
    "dose|500|route|oral",
    "items:\n- aspirin\n- 1234567\n",
    "metadata:\n  name: web\n  replicas: 3\n",
    'log {\\"status\\": \\"1234567\\"}',
    "Ｈｅｌｌｏ，ｗｏｒｌｄ",
]


@pytest.mark.parametrize("text", DECOYS)
def test_a_layout_without_a_label_masks_nothing(safe_harbor: Masker, text: str) -> None:
    assert safe_harbor.mask_text(text).text == text


def test_a_list_or_block_ends_at_the_next_key(safe_harbor: Masker) -> None:
    text = f"mrn:\n- {MRN}\nreplicas:\n- 12345678\n"
    masked = safe_harbor.mask_text(text).text
    assert MRN not in masked and "12345678" in masked, masked


FULLWIDTH = [
    ("SSN: ５３６-２２-８４７１", "８４７１"),
    ("ＳＳＮ：５３６２２８４７１ on file", "５３６２２８４７１"),
    ("MRN　４０１２３４５６", "４０１２３４５６"),
    ("call 𝟔𝟏𝟕-𝟓𝟓𝟓-𝟎𝟏𝟑𝟒 today", "𝟎𝟏𝟑𝟒"),
]


@pytest.mark.parametrize(("text", "secret"), FULLWIDTH)
def test_compatibility_forms_are_read_as_ascii_and_masked_in_place(
    safe_harbor: Masker, text: str, secret: str
) -> None:
    masked = safe_harbor.mask_text(text).text
    assert secret not in masked, masked
    assert masked.count("[") == 1, masked  # one span, the whole value


def test_folded_offsets_map_back_to_the_original_characters() -> None:
    data = "é ５３６ x 𝟓 ①".encode()
    folded, offsets = fold(data)
    assert folded == "é 536 x 5 1".encode()
    assert len(offsets) == len(folded) + 1 and offsets[-1] == len(data)
    pos = 0
    for char in folded.decode():
        size = len(char.encode())
        original = data[offsets[pos] : offsets[pos + size]].decode()
        assert unicodedata.normalize("NFKC", original) == char
        pos += size


def test_a_cut_character_and_a_lone_surrogate_are_kept_as_bytes() -> None:
    surrogate = "\ud800".encode("utf-8", "surrogatepass")
    data = "５３６".encode()[1:] + surrogate + "７".encode()
    folded, offsets = fold(data)
    assert folded == b"\xbc\x9536" + surrogate + b"7" and offsets[-1] == len(data)


def test_nothing_to_fold_is_the_text_itself() -> None:
    assert fold(b"plain 123") == (b"plain 123", [])
    assert fold("naïve ②".encode())[1]  # a circled digit folds; é does not


@pytest.mark.parametrize("text", [*LABELLED, *(t for t, _ in FULLWIDTH)])
def test_every_layout_wakes_the_quiet_gate(safe_harbor: Masker, text: str) -> None:
    finder = safe_harbor._finder
    assert finder is not None
    data = text.encode()
    assert not finder.quiet(data)
    assert finder.quiet_many([b"abc", data, b"def"]) == [finder.quiet(b"abc"), False, True]
