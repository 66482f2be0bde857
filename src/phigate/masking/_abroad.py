"""PHI in notes written in Chinese, Korean, Russian, Haitian Creole and Polish.

Each pattern is a structure of that language, not a list of values: the unit words
an address is built from (市/区/路 + 号, 시/구 + 로, ул./д./кв.), the label a value
follows in that script (姓名, 성명, 주민등록번호, СНИЛС, паспорт), the month words a
date is written with, and national id shapes a check digit confirms.

RE2's `\\b` knows ASCII words only: after a word in another script the patterns end
on the script's own unit or digits instead.
"""

from __future__ import annotations

import importlib

from phigate.masking import _validators as val
from phigate.masking._addresses import region, unaccented
from phigate.masking._places import _bare_place
from phigate.masking._shapes import DAY, PatternSpec, has_digit
from phigate.masking.entities import DATE, ID, LOCATION, PERSON, PHONE, STREET_ADDRESS, ZIP

_YEAR4 = r"(?:18|19|20|21)\d{2}"
_SEP = r"\s*[:：]?\s*"

# Dates by their month words, a day always beside the month.
_RU_MONTH = "(?i:января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря)"
_PL_MONTH = (
    "(?i:stycznia|lutego|marca|kwietnia|maja|czerwca|lipca|sierpnia|września|wrzesnia"
    "|października|pazdziernika|listopada|grudnia)"
)
# Haitian Creole: "mas", "me", "out" and "jen" are words too, so a year follows them.
_HT_MONTH = "(?i:janvye|fevriye|fevrye|avril|jiyè|jiye|septanm|oktòb|oktob|novanm|desanm)"
_HT_SHORT_MONTH = "(?i:mas|me|jen|out)"

_DATES = (
    rf"\b{DAY}\s+{_RU_MONTH}(?:\s+{_YEAR4}(?:\s*(?:г\.|года|год))?)?"
    rf"|\b{DAY}\s+{_PL_MONTH}(?:\s+{_YEAR4}(?:\s*r\.)?)?"
    rf"|\b{DAY}\s+{_HT_MONTH}\b(?:\s+{_YEAR4}\b)?"
    rf"|\b{DAY}\s+{_HT_SHORT_MONTH}\s+{_YEAR4}\b"
    # Korean: "2026년 3월 14일", "3월 14일"; a year alone ("2026년") is shown.
    rf"|{_YEAR4}년\s*(?:0?[1-9]|1[0-2])월(?:\s*{DAY}일)?"
    rf"|\b(?:0?[1-9]|1[0-2])월\s*{DAY}일"
)


def _resident_id(value: bytes) -> bool:
    """China's resident id (GB 11643): a birth date and the ISO 7064 MOD 11-2 check."""
    body, check = value[:17], value[17:18].upper()
    if not val.date_parts(int(value[10:12]), int(value[12:14]), int(value[6:10])):
        return False
    total = sum(int(chr(d)) * (2 ** (17 - i) % 11) for i, d in enumerate(body))
    return b"10X98765432"[total % 11 : total % 11 + 1] == check


def _rrn(value: bytes) -> bool:
    """Korea's resident registration number: YYMMDD, then a sex and century digit."""
    digits = val.digits(value)
    return val.date_parts(int(digits[2:4]), int(digits[4:6]), None) and 49 <= digits[6] <= 56


def _snils(value: bytes) -> bool:
    """Russia's SNILS: nine digits weighted 9..1, mod 101 (100 and 101 read as 00)."""
    digits = val.digits(value)
    total = sum(int(chr(d)) * (9 - i) for i, d in enumerate(digits[:9]))
    return total % 101 % 100 == int(digits[9:])


def _town_or_region(value: bytes) -> bool:
    """A town, or a state or province before its postcode ("Jalisco 44100": the
    region's span is taken back in `phigate.masking._decoys`, the postcode stays)."""
    return _bare_place(value) or region(unaccented(value.decode("utf-8", "replace").strip()))


# A value after a label in that script that ends in its word for "number" (号/号码,
# 번호, номер/№): 身份证号, 病历号, 住院号, 주민등록번호, 등록번호, номер карты.
_LABELLED_NUMBER = r"(?P<v>[A-Za-z]{0,3}\d[\dA-Za-z-]{3,24})"

_IDS = (
    PatternSpec(ID, r"\b\d{17}[\dXx]\b", _resident_id),
    PatternSpec(ID, r"\b\d{6}-[1-8]\d{6}\b", _rrn),
    PatternSpec(ID, r"\b\d{3}-\d{3}-\d{3}[ -]\d{2}\b", _snils),
    PatternSpec(
        ID,
        rf"(?:\p{{Han}}{{1,6}}(?:号码|号|編號|编号)|\p{{Hangul}}{{1,8}}\s?번호(?:은|는|가)?|(?i:номер|№)){_SEP}"
        + _LABELLED_NUMBER,
        has_digit,
        groups=(("v", ID),),
    ),
    # Russian passport "45 07 123456" and OMS policy (16 digits) under their labels.
    PatternSpec(
        ID,
        r"(?i:паспорт[а-я]*|полис[а-я]*(?:\s+ОМС)?|ОМС|СНИЛС)(?:\s*(?:РФ|серия|№|N|:))*\s*"
        r"(?P<v>\d{4}\s?\d{4}\s?\d{4}\s?\d{4}|\d{2}\s?\d{2}\s?(?:№\s*)?\d{6})",
        groups=(("v", ID),),
    ),
)

_PLACES = (
    # Chinese: administrative units, then a road and its number: 北京市朝阳区建国路88号
    PatternSpec(
        STREET_ADDRESS,
        r"(?:\p{Han}{1,6}?(?:省|市|区|县|镇|乡))*\p{Han}{1,8}?(?:路|街|道|巷|胡同)"
        r"[0-9０-９]+号(?:[0-9０-９]+(?:号楼|栋|幢|单元|楼|层|室))*",
    ),
    # Korean: a district (구/군/시) and a road with its number, the city or province
    # before it ("서울특별시", "경기도 성남시", "서울"), a postcode before or after it.
    PatternSpec(
        STREET_ADDRESS,
        r"(?:[(\[]?\d{5}[)\]]?,?\s+)?"
        r"(?:\p{Hangul}{1,6}(?:특별시|광역시|특별자치시|특별자치도|시|도)\s+|\p{Hangul}{2,3}\s+)?"
        r"(?:\p{Hangul}{1,6}(?:시|군)\s+)?\p{Hangul}{1,6}(?:구|군|시)\s+\p{Hangul}{1,10}(?:로|길|동|가|리)"
        r"(?:\s*\d+(?:-\d+)?(?:번길\s*\d+)?)?(?:\s*\(\p{Hangul}{1,10}\))?(?:,?\s*[(\[]?\d{5}[)\]]?)?",
        # the postcode before it could start a match at any number: the set looks
        # for the district and road instead
        cue=r"\p{Hangul}{1,6}(?:구|군|시)\s+\p{Hangul}{1,10}(?:로|길|동|가|리)",
    ),
    PatternSpec(
        STREET_ADDRESS,
        r"\p{Hangul}{1,6}(?:특별시|광역시|특별자치시|특별자치도|시|도)\s+\p{Hangul}{1,6}(?:구|군|시)",
    ),
    # Russian: town, street, house, flat, each by its abbreviation: г. Москва, ул. Ленина, д. 5
    PatternSpec(
        LOCATION,
        r"(?:^|[^\d\s]\s*)(?P<v>(?:г\.|город)\s?\p{Lu}\p{Ll}+(?:-\p{Lu}?\p{Ll}+)*(?:,?\s\d{6}\b)?)",
        groups=(("v", LOCATION),),
        # "г." after a year is the year's ("2026 г. Пациент"); the set looks for the
        # town word, not for the character before it, which could be any
        cue=r"(?:г\.|город)\s?\p{Lu}",
    ),
    PatternSpec(
        STREET_ADDRESS,
        r"(?:ул\.|улица|пр-т|просп\.|проспект|пер\.|переулок|ш\.|шоссе|наб\.|бул\.|б-р|пл\.)"
        r"\s?\p{Lu}[\p{Cyrillic}-]*(?:\s\p{Lu}[\p{Cyrillic}-]*)?"
        r"|[А-ЯЁ][а-яё]+(?:ий|ый|ой|ая|ое)\s(?:пр\.|просп\.|проспект|ул\.|улица|пер\.|переулок"
        r"|ш\.|шоссе|наб\.|набережная|б-р|бульвар|обл\.|область|р-н|район)"
        r"|(?:д\.|дом|кв\.|квартира|корп\.|стр\.)\s?\d+(?:[/-]?\d+)?\p{Cyrillic}?(?:,\s?\d{6}\b)?",
    ),
    # Postcodes after their label: 邮编 100020, 우편번호 06236, индекс 125009, kod 00-950
    PatternSpec(
        ZIP,
        r"(?:邮编|邮政编码|우편\s?번호(?:는|가)?|(?i:индекс|почтовый индекс|kod pocztowy)),?"
        + _SEP
        + r"(?P<v>\d{5,6}|\d{2}-\d{3})\b",
        groups=(("v", ZIP),),
    ),
    # Korean postcodes in a form's table ("| 우편번호 | 06236 |"), after 우) or in
    # brackets before the address line ("(06236) 서울 ...", "[06236] 부산 ...")
    PatternSpec(ZIP, r"우편\s?번호\s*\|\s*(?P<v>\d{5})\b", groups=(("v", ZIP),)),
    # 우 alone is the postcode's abbreviation: "우 06236", "우)06236", "우. 06236"
    PatternSpec(
        ZIP,
        r"(?:^|[^\p{Hangul}])우[\s)\].:]*(?P<v>\d{5})\b",
        groups=(("v", ZIP),),
        cue=r"우[\s)\].:]*\d{5}\b",
    ),
    PatternSpec(
        ZIP,
        r"(?:^|[^\w)\]])[(\[](?P<v>\d{5})[)\]]\s*\p{Hangul}",
        groups=(("v", ZIP),),
        cue=r"[(\[]\d{5}[)\]]\s*\p{Hangul}",
    ),
    # Spanish and Latin-American postcodes: after C.P./CP/cód. postal, after the
    # colonia or municipio they belong to, before the city ("en 28013 Madrid")
    PatternSpec(
        ZIP,
        r"(?:\bC\.\s?P\.?|\bCP|(?i:\bc[oó]d\.?\s*postal))\s*[:.#]?\s*"
        r"(?P<v>\d{5}|[A-HJ-NP-Z]\d{4}[A-Z]{3}|\d{4})\b",
        groups=(("v", ZIP),),
    ),
    PatternSpec(
        ZIP,
        r"(?:\b(?i:col\.|colonia|fracc\.|fraccionamiento|municipio|mpio\.|delegaci[oó]n"
        r"|alcald[ií]a|barrio)\s+)(?P<c>(?:de\s+|del\s+)?\p{Lu}\p{L}+(?:\s+(?:de\s+|del\s+)?\p{Lu}\p{L}+){0,3})"
        r"(?:,?\s+(?P<v>\d{5})\b)?",
        groups=(("c", LOCATION), ("v", ZIP)),
    ),
    PatternSpec(
        ZIP,
        r"(?:\ben|,)\s+(?P<v>\d{5})\s+(?P<c>\p{Lu}\p{Ll}{2,}(?:\s+(?:de\s+)?\p{Lu}\p{Ll}+)?)",
        groups=(("v", ZIP), ("c", LOCATION)),
    ),
    # A town, then its postcode ("Guadalajara 44100", "Ciudad de México, 06700"): the
    # town must read as a place (no common word or eponym: "Order 12345", "hx Foley,
    # 85025" stay), the code end its clause or run on into a sentence, not into a unit
    # ("Glucosa 12500 mg"); a state before it is taken back in `phigate.masking._decoys`
    PatternSpec(
        ZIP,
        r"\b(?P<c>\p{Lu}\p{Ll}{2,}(?:\s(?:de|del|la)\s\p{Lu}\p{Ll}+)?),? (?P<v>\d{5})\b"
        r"(?:[^\S\n]*(?:[^\p{L}\d%/.\s]|\.(?:\s|$)|$)|\s+(?:\p{Lu}\p{Ll}|\p{Ll}{3,}\b|(?:y|e|en|a|al)\s))",
        _town_or_region,
        groups=(("c", LOCATION), ("v", ZIP)),
        cue=r",? \d{5}\b",
    ),
    # A Russian postcode before its town: "125009, г. Москва", "125009, Москва, ул. ..."
    # (a count before a word is no postcode: "Тромбоциты 250000, Норма")
    PatternSpec(
        ZIP,
        r"\b\d{6},?\s+(?:(?:г\.|город)\s?[А-ЯЁ][а-яё]+(?:-[А-ЯЁ]?[а-яё]+)*"
        r"|[А-ЯЁ][а-яё]+(?:-[А-ЯЁ]?[а-яё]+)*,\s?(?:ул\.|улица|пр|пер|ш\.|наб|б-р|бул|д\.))",
    ),
)


def _surnames(locale: str) -> str:
    """Faker's surnames of a locale as one character class (each is one syllable)."""
    provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
    return "[" + "".join(sorted({n for n in provider.last_names if len(n) == 1})) + "]"


def _given_syllables(locale: str) -> str:
    """The syllables of Faker's given names of a locale, as one character class."""
    provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
    return "[" + "".join(sorted({c for n in provider.first_names for c in n})) + "]"


_HAN_NAME = _surnames("zh_CN") + r"\p{Han}{1,2}"
_HANGUL_NAME = _surnames("ko_KR") + r"\p{Hangul}{1,3}"
# A full name with no label: a surname, two syllables names are given with, and a
# particle that makes it the sentence's subject, object or owner ("김민준은", "이서연이",
# "박지훈의", "최영희께서"); the particle ends the word, so "정상이다" stays.
_HANGUL_FULL_NAME = (
    "(?:" + _surnames("ko_KR")[:-1] + "]|남궁|황보|제갈|선우)" + _given_syllables("ko_KR") + "{2}"
)
_PARTICLE = r"(?:은|는|이|가|을|를|의|에게|께서|께|와|과|도)"

# Names by their script's surnames, where a label or a title says a person is named:
# 姓名：李秀英, 患者张伟，, 王先生, 성명: 김민준, 환자 김민준(45세), 박서연 님, 김민준 환자
_NAMES = (
    PatternSpec(
        PERSON,
        r"(?:姓名|患者|病人|家属|联系人|医生|医师|护士|主治医师)" + _SEP + rf"(?P<v>{_HAN_NAME})",
        groups=(("v", PERSON),),
    ),
    PatternSpec(
        PERSON,
        r"(?:^|[^\p{Han}])(?P<v>\p{Han}{1,3})(?:先生|女士|小姐|医生|护士)",
        groups=(("v", PERSON),),
        cue=r"(?:先生|女士|小姐|医生|护士)",
    ),
    PatternSpec(
        PERSON,
        r"(?:성명|이름|환자명|환자|보호자|담당의|주치의|담당|간호사|의사)"
        + _SEP
        + rf"(?P<v>{_HANGUL_NAME})(?:[\s(,.:)]|$)",
        groups=(("v", PERSON),),
        # the set looks for the label: the pattern's "$" would not keep its matches
        # in values joined for one pass (phigate.masking._quiet_batch)
        cue=r"(?:성명|이름|환자명|환자|보호자|담당의|주치의|담당|간호사|의사)",
    ),
    PatternSpec(
        PERSON,
        rf"(?:^|[^\p{{Hangul}}])(?P<v>{_HANGUL_NAME})\s?(?:님|씨|환자|보호자|선생님|\()",
        groups=(("v", PERSON),),
        cue=rf"{_HANGUL_NAME}\s?(?:님|씨|환자|보호자|선생님|\()",
    ),
)

_NAMES_BARE = (
    PatternSpec(
        PERSON,
        rf"(?:^|[^\p{{Hangul}}])(?P<v>{_HANGUL_FULL_NAME}){_PARTICLE}(?:[^\p{{Hangul}}]|$)",
        groups=(("v", PERSON),),
        cue=rf"{_HANGUL_FULL_NAME}{_PARTICLE}",
    ),
)

# Transliterated Arabic: the street word and its name ("shari' al-Tahrir", "share3
# el-Nil"), the district after "hay al-", the building and flat numbers; ids after
# "raqam al-hawiya" / "al-raqam al-qawmi" (Egypt's national id is 14 digits).
_ARABIC_PLACES = (
    PatternSpec(
        STREET_ADDRESS,
        r"(?i:\b(?:shari['’]?|share3|sharia['’]?|shar3)\s+)(?:[ae]l-)?\p{Lu}?[\p{L}'’-]+"
        r"(?:\s+\p{Lu}[\p{L}'’-]+)?(?:,?\s*(?i:raqam)\s*\d+)?"
        r"|\b(?i:hayy?|7ay)\s+[ae]l-\p{L}+(?:[- ][ae]l-\p{L}+)?"
        r"|(?i:\b(?:'?imara|3imara|emara|shaqq?a|sha'?a)\s*(?:raqam\s*)?)\d{1,4}\b",
    ),
    PatternSpec(
        ID,
        r"(?i:\b(?:al-)?raqam\s+(?:al-)?(?:hawiya|huwiya|qawmi|iqama|bitaqa)\s*[:#]?\s*)"
        r"(?P<v>\d{10,14})\b",
        groups=(("v", ID),),
    ),
)

# Chinese phones: a mobile (1[3-9]x xxxx xxxx) and a landline with its area code.
_PHONES = (
    PatternSpec(
        PHONE,
        r"\b1[3-9]\d(?:[ -]?\d{4}){2}\b|(?:\(0\d{2,3}\)\s?|\b0\d{2,3}-)\d{3,4}-?\d{4}\b",
    ),
)

ABROAD_PATTERNS: tuple[PatternSpec, ...] = (
    PatternSpec(DATE, _DATES),
    *_IDS,
    *_PLACES,
    *_NAMES,
    *_NAMES_BARE,
    *_ARABIC_PLACES,
    *_PHONES,
)
