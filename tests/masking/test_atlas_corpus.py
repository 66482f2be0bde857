"""The atlas corpus labels what it claims: exact, clean, reproducible spans of every PHI type."""

from __future__ import annotations

import datetime as dt
import json
import re
from itertools import pairwise, permutations
from pathlib import Path
from random import Random

import pytest

from phigate.masking.eval.atlas import PHI_TYPES, WRITERS, _ids, generate, to_jsonl
from phigate.masking.eval.atlas.__main__ import main
from phigate.masking.eval.corpus import Document

# Month words of the languages the corpus writes, and the words that join a written date.
_DATE_WORDS = sorted(
    [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
        "Jan",
        "Feb",
        "Mar",
        "Apr",
        "Jun",
        "Jul",
        "Aug",
        "Sep",
        "Oct",
        "Nov",
        "Dec",
        "janeiro",
        "fevereiro",
        "março",
        "abril",
        "maio",
        "junho",
        "julho",
        "agosto",
        "setembro",
        "outubro",
        "novembro",
        "dezembro",
        "de",
        "Januar",
        "Februar",
        "März",
        "Mai",
        "Juni",
        "Juli",
        "Oktober",
        "Dezember",
        "जनवरी",
        "फ़रवरी",
        "मार्च",
        "अप्रैल",
        "मई",
        "जून",
        "जुलाई",
        "अगस्त",
        "सितंबर",
        "अक्टूबर",
        "नवंबर",
        "दिसंबर",
        "Ιανουαρίου",
        "Φεβρουαρίου",
        "Μαρτίου",
        "Απριλίου",
        "Μαΐου",
        "Ιουνίου",
        "Ιουλίου",
        "Αυγούστου",
        "Σεπτεμβρίου",
        "Οκτωβρίου",
        "Νοεμβρίου",
        "Δεκεμβρίου",
        "ม.ค.",
        "ก.พ.",
        "มี.ค.",
        "เม.ย.",
        "พ.ค.",
        "มิ.ย.",
        "ก.ค.",
        "ส.ค.",
        "ก.ย.",
        "ต.ค.",
        "พ.ย.",
        "ธ.ค.",
        "年",
        "月",
        "日",
    ],
    key=len,
    reverse=True,
)
_NUMERIC_DATE = re.compile(r"\d{1,4}(?:[./\-, ]+\d{1,4}){1,2}")
_OLD_AGE_WORDS = ("ninety", "one hundred")


@pytest.fixture(scope="module")
def docs() -> list[Document]:
    return generate(4949, 600)


def _year(value: int, digits: int) -> int:
    if digits == 2:
        return 1900 + value if value > 30 else 2000 + value
    return value - 543 if value > 2400 else value  # Thai Buddhist era


def _is_date(span: str) -> bool:
    if re.fullmatch(r"\d{8}", span):
        return _valid(int(span[:4]), int(span[4:6]), int(span[6:]))
    named = span
    for word in _DATE_WORDS:
        named = named.replace(word, " 1 " if word not in ("de", "年", "月", "日") else " ")
    named = re.sub(r"\s+", " ", named).strip(" .,")
    if not _NUMERIC_DATE.fullmatch(named):
        return False
    groups = re.findall(r"\d+", named)
    for y, m, d in permutations(range(len(groups))):
        year = _year(int(groups[y]), len(groups[y]))
        if len(groups[y]) in (2, 4) and _valid(year, int(groups[m]), int(groups[d])):
            return True
    return False


def _valid(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return 1900 <= year <= 2030


def test_the_same_seed_writes_the_same_bytes(tmp_path: Path) -> None:
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    assert main(["--seed", "7", "--n", "120", "--out", str(first)]) == 0
    assert main(["--seed", "7", "--n", "120", "--out", str(second)]) == 0
    assert first.read_bytes() == second.read_bytes()
    assert to_jsonl(generate(8, 40)) != to_jsonl(generate(7, 40))


def test_each_line_is_a_labelled_document(tmp_path: Path) -> None:
    out = tmp_path / "c.jsonl"
    main(["--seed", "3", "--n", "50", "--out", str(out)])
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 50
    assert all(set(row) == {"kind", "text", "phi", "decoys"} for row in rows)


def test_spans_lie_inside_the_text_and_do_not_overlap(docs: list[Document]) -> None:
    for doc in docs:
        phi = sorted(doc.phi)
        for (_, end, _), (start, _, _) in pairwise(phi):
            assert end <= start, doc.kind
        taken = {i for s, e, _ in phi for i in range(s, e)}
        for start, end, _ in (*doc.phi, *doc.decoys):
            assert 0 <= start < end <= len(doc.text), doc.kind
        for start, end, kind in doc.decoys:
            assert not taken & set(range(start, end)), (doc.kind, kind)


def test_labels_cover_the_value_exactly(docs: list[Document]) -> None:
    for doc in docs:
        for start, end, kind in (*doc.phi, *doc.decoys):
            value = doc.text[start:end]
            assert value == value.strip(), (doc.kind, kind, value)
            assert value[-1] not in ",;:" and value[0] not in ",;:", (doc.kind, kind, value)


def test_every_phi_type_and_every_kind_appears(docs: list[Document]) -> None:
    assert {t for d in docs for _, _, t in d.phi} == set(PHI_TYPES)
    assert len({d.kind for d in docs}) == len(WRITERS) >= 20


def test_every_date_reads_as_a_date(docs: list[Document]) -> None:
    dates = [d.text[s:e] for d in docs for s, e, t in d.phi if t == "DATE"]
    assert dates
    assert [v for v in dates if not _is_date(v)] == []


def test_ages_labelled_phi_are_over_89_and_decoy_ages_are_not(docs: list[Document]) -> None:
    for doc in docs:
        for start, end, kind in doc.phi:
            value = doc.text[start:end]
            if kind == "AGE":
                digits = re.sub(r"\D", "", value)
                assert (int(digits) > 89) if digits else value.startswith(_OLD_AGE_WORDS), value
        for start, end, kind in doc.decoys:
            if kind == "age":
                assert int(re.sub(r"\D", "", doc.text[start:end])) <= 89


def test_most_characters_are_not_phi(docs: list[Document]) -> None:
    phi = sum(e - s for d in docs for s, e, _ in d.phi)
    assert phi < 0.5 * sum(len(d.text) for d in docs)


def test_checked_identifiers_pass_their_checks() -> None:
    r = Random(1)
    for _ in range(50):
        card = _ids.card(r)
        assert _ids.luhn_check(card[:-1]) == card[-1]
        number = _ids.npi(r)
        assert _ids.luhn_check("80840" + number[:-1]) == number[-1]
        raw = _ids.aadhaar(r).replace(" ", "")
        assert _ids.verhoeff_check(raw[:-1]) == raw[-1]
        iban = _ids.iban_de(r).replace(" ", "")
        assert int(iban[4:] + "1314" + iban[2:4]) % 97 == 1
