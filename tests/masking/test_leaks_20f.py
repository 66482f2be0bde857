"""Leaks found by family in round 20f, in notes round 20a left: Spanish and Latin-American
postcodes (after C.P./CP/cód. postal, after the colonia or municipio, before the city),
Korean postcodes in brackets, after 우) or in a form's table, Korean full names before
a particle, names after Haitian Creole titles and kin words, transliterated Arabic
addresses and ids. A country after a preposition ("from Egypt", "min al-Sudan") is
where someone came from, no address, and stays visible; so do Korean words that open
with a surname's syllable and English "CP" before a non-postcode."""

from __future__ import annotations

import pytest

from phigate.masking.engine import Masker

MASKED = [
    # Spanish
    ("Domicilio conocido, C.P. 06700, CDMX.", "06700"),
    ("CP 44100 Guadalajara, Jal.", "44100"),
    ("Cód. postal 28013", "28013"),
    ("Vive en la colonia Americana, CP 44100.", "Americana"),
    ("Col. Jardines del Bosque 44520, Guadalajara", "44520"),
    ("Vive en 28013 Madrid con su hija.", "28013"),
    ("Domicilio: Zapopan 45010, Jal.", "Zapopan 45010"),
    ("Domicilio en Guadalajara, Jalisco 44100, México.", "44100"),
    ("Ciudad de México, México 06700", "06700"),
    ("Vive en 28013 Madrid con su hija.", "Madrid"),
    ("Dirección: Av. Corrientes 1234, CP C1043AAZ", "C1043AAZ"),
    # Korean postcodes
    ("(06236) 서울 강남구 역삼동 123-45 한신빌딩 3층", "06236"),
    ("[48058] 부산 해운대구 우동 1408", "48058"),
    ("우)06236 서울시 강남구", "06236"),
    ("우 06236 서울 강남구 역삼동", "06236"),
    ("| 우편번호 | 06236 | 주소 | 서울 |", "06236"),
    # Korean names before a particle
    ("김민준은 어제 내원하였다.", "김민준"),
    ("이서연이 두통을 호소함.", "이서연"),
    ("박지훈의 어머니가 동행함.", "박지훈"),
    ("최영희께서 수술에 동의함.", "최영희"),
    ("정수빈에게 결과를 설명함.", "정수빈"),
    # Haitian Creole
    ("Madanm Rose Dorval pa la.", "Rose Dorval"),
    ("Msye Jacques Etienne rele.", "Jacques Etienne"),
    ("Doktè Celestin wè li.", "Celestin"),
    ("Pitit li, Wood Joseph, te la.", "Joseph"),
    ("Pasyan Mirlande Desir, fanm 54 an.", "Mirlande Desir"),
    # Transliterated Arabic
    ("al-'unwan: shari' Mustafa Kamil, raqam 22, hay al-Zamalek", "Mustafa Kamil, raqam 22"),
    ("al-'unwan: shari' Mustafa Kamil, raqam 22, hay al-Zamalek", "al-Zamalek"),
    ("Yaskun fi share3 el-Nil, imara 12, shaqqa 4", "el-Nil"),
    ("Yaskun fi share3 el-Nil, imara 12, shaqqa 4", "12"),
    ("raqam al-hawiya 29801011234567", "29801011234567"),
    ("raqam al-iqama: 2456789012", "2456789012"),
]  # fmt: skip


def _covered(masker: Masker, text: str) -> bytearray:
    covered = bytearray(len(text))
    for s, e, _ in masker.spans(text):
        covered[s:e] = b"\x01" * (e - s)
    return covered


@pytest.mark.parametrize(("text", "value"), MASKED)
def test_masked(safe_harbor: Masker, text: str, value: str) -> None:
    start = text.index(value)
    covered = _covered(safe_harbor, text)
    leaked = [text[i] for i in range(start, start + len(value)) if not covered[i]]
    assert not [c for c in leaked if c.isalnum()], f"{value!r} left visible"


KEPT = [
    ("He came from Egypt in 2019 with his family.", "Egypt"),
    ("Domicilio en Guadalajara, Jalisco 44100, México.", "Jalisco"),  # the state stays
    ("Order 12345 shipped; Batch 20031 released.", "12345"),
    ("B: hx Foley, 85025; wife at bedside", "85025"),  # an eponym, then a code
    ("Zhang\tPatient Access\t99497\t80", "99497"),  # cells of a table
    ("Ja'a min al-Sudan ma'a ahlu.", "Sudan"),
    ("Wasal from Syria last year.", "Syria"),
    ("이상이 없다. 정상이다.", "이상이"),
    ("조영제를 투여함. 신경과 진료.", "조영제를"),
    ("안정을 취함. 최근에 두통.", "안정을"),
    ("Glucosa 12500 mg, tomó 10000 UI de vitamina D.", "12500"),
    ("Glucosa 12500 mg, tomó 10000 UI de vitamina D.", "10000"),
    ("Li gen doulè nan vant li depi 3 jou.", "vant"),
    ("imaging ordered, share findings with team", "findings"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "value"), KEPT)
def test_kept(safe_harbor: Masker, text: str, value: str) -> None:
    start = text.index(value)
    spans = safe_harbor.spans(text)
    assert not [(s, e) for s, e, _ in spans if s < start + len(value) and e > start], spans
