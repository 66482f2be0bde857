"""Dates (every element but the year alone) and ages over 89, as RE2 patterns.

Dates come in many styles across EHR vendors, messages and logs: month first or
day first, numeric or named months in any case, two- or four-digit years,
weekday prefixes, ordinals, HL7 and compact timestamps. A validator disposes of
numeric candidates that are no calendar date. Ages are masked with their unit
("93-year-old", "101yo"): the phrase as a whole says the age.
"""

from __future__ import annotations

import datetime as dt

from phigate.masking import _validators as val
from phigate.masking._shapes import DAY, MON_NUM, MONTH, MONTH_ANY, WEEKDAY, PatternSpec
from phigate.masking.entities import AGE, DATE

_YEAR4 = r"(?:18|19|20|21)\d{2}"
_ORD = r"(?:st|nd|rd|th)"
_WEEKDAY_PREFIX = rf"(?:{WEEKDAY}\.?,?\s+)?"
_COMPACT = r"(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
_NUMBER_WORDS = "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"


_UNITS = "one|two|three|four|five|six|seven|eight|nine"
_ORD_WORDS = (
    r"(?:(?:twenty|thirty)[- ]?)?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)"
    r"|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth"
    # the usual misspellings, as people and some speech-to-text write them
    r"|twelveth|nineth|fiveth|eigth|twentyth|thirtyth"
    r"|eighteenth|nineteenth|twentieth|thirtieth"
)
_ORD_WORDS = rf"(?:{_ORD_WORDS})"
_YEAR_WORDS = (
    rf"(?:nineteen|twenty|two thousand(?: and)?)(?:[- ](?:(?:twenty|thirty|forty|fifty|sixty"
    rf"|seventy|eighty|ninety)(?:[- ](?:{_UNITS}))?|ten|eleven|twelve|thirteen|fourteen|fifteen"
    rf"|sixteen|seventeen|eighteen|nineteen|oh[- ](?:{_UNITS})|{_UNITS}))?"
)

# A two-digit year in words: "sixty-one", "fifty two"
_TENS = rf"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:{_UNITS}))?\b)"
# A number in words or digits, as a date is read out
_SPOKEN_NUMBER = (
    rf"(?:\d{{1,4}}|zero|oh|{_NUMBER_WORDS}|thirteen|fourteen|fifteen|sixteen|seventeen"
    rf"|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|{_ORD_WORDS})"
)

# A day of the month said as a number, in digits or words ("3rd", "three", "twenty-one")
_DAY_SAID = (
    rf"(?:{DAY}(?:st|nd|rd|th)?|(?:twenty|thirty)[- ](?:{_UNITS})|ten|eleven|twelve|thirteen"
    rf"|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|{_UNITS})"
)

# A whole year in words ("nineteen fifty-two"), not "twenty" alone ("2 May, twenty patients").
_YEAR_WORDS_FULL = _YEAR_WORDS.removesuffix("?")

# "May" is left out: "in May" reads the same as "may", and so often means nothing.
_MONTH_FULL = "January|February|March|April|June|July|August|September|October|November|December"


# Spanish and Portuguese months, full and as forms shorten them ("5-ene-24", "12 dic 2023"),
# in any case: "14 de marzo de 1952", "5 de Janeiro de 2024".
_ES_MONTH = (
    "(?i:enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre"
    "|noviembre|diciembre|janeiro|fevereiro|março|marco|maio|junho|julho|setembro|outubro"
    "|novembro|dezembro)"
)
_ES_MONTH_ABBR = "(?i:ene|feb|mar|abr|may|jun|jul|ago|sept?|set|oct|nov|dic|dez|fev|out)"
# French, German and Tagalog months, as their notes write them after a day ("14 mars
# 2026", "1er août", "14. März 2026") or before it ("Marso 14, 2026"): a month alone is
# a word ("mars", "Mai"), so a day always stands beside it.
_FR_MONTH = (
    "(?i:janvier|janv|février|fevrier|févr|fevr|mars|avril|avr|mai|juin|juillet|juil|août"
    "|aout|septembre|sept|octobre|novembre|décembre|decembre|déc)"
)
_DE_MONTH = (
    "(?i:januar|jänner|februar|märz|maerz|april|mai|juni|juli|august|september|oktober"
    "|november|dezember)"
)
_TL_MONTH = (
    "(?i:enero|pebrero|marso|abril|mayo|hunyo|hulyo|agosto|setyembre|oktubre|nobyembre|disyembre)"
)
# Vietnamese: "ngày 14 tháng 3 năm 2026", "14 tháng 3, 2026", "tháng 3 năm 2026"
_VI_DATE = (
    rf"(?i:ngày\s+){DAY}(?:\s+(?i:tháng)\s+|[/-])(?:0?[1-9]|1[0-2])\b(?:(?:\s+(?i:năm)\s+|,?\s+|[/-]){_YEAR4}\b)?"
    rf"|\b{DAY}\s+(?i:tháng)\s+(?:0?[1-9]|1[0-2])\b(?:(?:\s+(?i:năm)\s+|,\s*|/){_YEAR4}\b)?"
    rf"|(?i:tháng)\s+(?:0?[1-9]|1[0-2])(?:\s+(?i:năm)\s+|/){_YEAR4}\b"
)

# A month in Roman numerals (I to XII), longest first.
_ROMAN = "(?:XII|XI|X|IX|VIII|VII|VI|V|IV|III|II|I)"
# The Japanese eras of the last 150 years (Meiji to Reiwa), and a digit of either width
# (a CJK form often writes full-width ones).
_ERA = "明治|大正|昭和|平成|令和"
_CJK_NUMBER = "[0-9０-９]"


# A time of day written into a timestamp ("2024-03-05 14:30:00,123 -0500") is part of it.
_TIME = (
    r"(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:[.,]\d{1,9})?)?"
    r"(?:\s?[AaPp]\.?[Mm]\.?)?(?:\s?(?:Z|UTC|GMT|[+-]\d{2}:?\d{2}|[ECMP][SD]T))?"
)


def _numeric_date(value: bytes) -> bool:
    """Month first or day first: either order that names a calendar day will do."""
    parts = value.replace(b"-", b"/").replace(b".", b"/").split(b"/")
    first, second = int(parts[0]), int(parts[1])
    return val.date_parts(first, second, None) or val.date_parts(second, first, None)


def _born_90_years_ago(value: bytes) -> bool:
    """A birth year alone is shown, unless it says the person is 90 or older."""
    return int(value) <= dt.date.today().year - 90


def _age_over_89(value: bytes) -> bool:
    digits = val.digits(value[:4])
    return bool(digits) and 90 <= int(digits) <= 135


def _age_or_words(value: bytes) -> bool:
    """Over 89 in digits, or ninety and above in words (the pattern spells no less)."""
    return value[:1].isalpha() or _age_over_89(value)


_LONG_DATE_PATTERNS: tuple[PatternSpec, ...] = (
    # 03/14/2021, 14/03/21, 3-14-2021; dotted only with a four-digit year ("1.2.21" is a version)
    PatternSpec(
        DATE,
        rf"\b{DAY}[/-]{DAY}[/-](?:{_YEAR4}|\d{{2}})\b(?:,?\s(?:at\s)?{_TIME}\b)?",
        _numeric_date,
    ),
    PatternSpec(DATE, rf"\b{DAY}\.{DAY}\.{_YEAR4}\b(?:,?\s{_TIME}\b)?", _numeric_date),
    PatternSpec(
        DATE,
        rf"\b{_YEAR4}(?:[-/](?:0?[1-9]|1[0-2])[-/](?:0?[1-9]|[12]\d|3[01])"
        r"|\.(?:0[1-9]|1[0-2])\.(?:0[1-9]|[12]\d|3[01]))"
        rf"(?:[T ]{_TIME})?\b",
    ),
    # When a calendar event happens (an appointment's start and end, a task's due day):
    # "DTSTART;TZID=America/New_York:20260314T090000". DTSTAMP, when the file was
    # written, is software's (see _system_times) and stays.
    PatternSpec(
        DATE,
        r"(?m:^(?:DTSTART|DTEND|DUE|RECURRENCE-ID|EXDATE|RDATE)(?:;[^:\r\n]{0,80})?:)"
        rf"(?P<v>{_COMPACT}(?:T\d{{6}}Z?)?)",
        groups=(("v", DATE),),
    ),
    # HL7 and compact timestamps: 19800101, 202401151230, 20240115123045+0500
    PatternSpec(
        DATE,
        rf"_(?P<v>{_COMPACT})(?:[_.-]|\b)",
        groups=(("v", DATE),),
    ),
    PatternSpec(
        DATE, rf"\b{_COMPACT}(?:[0-2]\d[0-5]\d(?:[0-5]\d)?)?(?:\.\d{{1,6}})?(?:[+-]\d{{4}})?\b"
    ),
    # Monday, March 14, 2021 / March 14th / Mar. 2021 / the 14th of March 2021
    PatternSpec(
        DATE,
        rf"\b{_WEEKDAY_PREFIX}{MONTH}\.?\s+{DAY}{_ORD}?\b(?:,?\s+{_YEAR4}\b)?"
        rf"|\b{MONTH}\.?,?\s+{_YEAR4}\b"
        rf"|\b{_WEEKDAY_PREFIX}(?:the\s+)?{DAY}{_ORD}?\s+(?:of\s+)?{MONTH}\b\.?(?:,?\s+{_YEAR4}\b)?",
        wide=True,
    ),
    # Any case when a day and a year hold the month in place: 19-JAN-2025, 23-feb-17, 5 MAR 21
    PatternSpec(
        DATE,
        rf"\b{DAY}[-/ .]?{MONTH_ANY}\.?(?:[-/ .,]\s?|[-/]?)(?:{_YEAR4}|\d{{2}})\b"
        rf"|\b{MONTH_ANY}\.?\s+{DAY}{_ORD}?,?\s+{_YEAR4}\b"
        rf"|\b{MONTH_ANY}[-/ ]{_YEAR4}\b"
        rf"|(?i:\b{DAY}{_ORD}\s+(?:of\s+)?){MONTH_ANY}\b(?:,?\s+{_YEAR4}\b)?"
        rf"|\b{MONTH_ANY}\s+{DAY}{_ORD}\b(?:,?\s+{_YEAR4}\b)?",
        wide=True,
    ),
    # Jan-05-2021, JAN 5 21, March of 2021; 05/Jan/2021:10:00:00 +0000 (access logs)
    PatternSpec(
        DATE,
        rf"\b{MONTH_ANY}\.?[-/ ]{DAY}[-/ ,]\s?(?:{_YEAR4}|\d{{2}})\b"
        rf"|\b{MONTH}\s+of\s+{_YEAR4}\b"
        rf"|\b{DAY}/{MONTH_ANY}/{_YEAR4}:\d{{2}}:\d{{2}}:\d{{2}}(?:\s[+-]\d{{4}})?",
    ),
    PatternSpec(DATE, rf"\b{MON_NUM}[/-]{_YEAR4}\b"),
    # A Roman-numeral month between day and year, as Polish, Romanian and Italian forms
    # write it: 14.III.1980, 14-III-80, 14/XII/1980 (spaced, `3 IV 2020` reads as a count
    # and a route as often: not in a note)
    PatternSpec(
        DATE,
        rf"\b{DAY}(?:\.{_ROMAN}\.|-{_ROMAN}-|/{_ROMAN}/)(?:{_YEAR4}|\d{{2}})\b",
    ),
    # CJK dates: a number before each of 年 (year), 月 (month), 日 (day), in a Japanese
    # era or not: 昭和55年3月14日, 1980年3月14日, 3月14日
    PatternSpec(
        DATE,
        rf"(?:{_ERA})?{_CJK_NUMBER}{{1,4}}年{_CJK_NUMBER}{{1,2}}月(?:{_CJK_NUMBER}{{1,2}}日)?"
        rf"|{_CJK_NUMBER}{{1,2}}月{_CJK_NUMBER}{{1,2}}日",
    ),
    # Spanish and Portuguese: "14 de marzo de 1952", "el 3 de abril", "marzo 5, 2024",
    # "marzo de 2024", "5-ene-24", "12 DIC 2023"
    PatternSpec(
        DATE,
        rf"\b{DAY}\s+(?i:de\s+){_ES_MONTH}\b(?:\s+(?i:de|del)\s+{_YEAR4}\b|,?\s+{_YEAR4}\b)?"
        rf"|\b{_ES_MONTH}\s+{DAY}\b(?:,?\s+(?:(?i:de|del)\s+)?{_YEAR4}\b)?"
        rf"|\b{_ES_MONTH}\s+(?i:de|del)\s+{_YEAR4}\b"
        rf"|\b{DAY}[-/ .]{_ES_MONTH_ABBR}\.?[-/ .](?:{_YEAR4}|\d{{2}})\b"
        rf"|\b{DAY}(?i:er)?\s+{_FR_MONTH}\b\.?(?:\s+{_YEAR4}\b)?"
        rf"|\b{DAY}\.\s?{_DE_MONTH}\b(?:\s+{_YEAR4}\b)?"
        rf"|\b{_TL_MONTH}\s+{DAY}\b(?:,?\s+{_YEAR4}\b)?|\b{DAY}\s+(?:(?i:ng)\s+)?{_TL_MONTH}\b(?:,?\s+{_YEAR4}\b)?"
        rf"|{_VI_DATE}",
        wide=True,
    ),
    # A month named alone is an element of a date: "since March", "in early June"
    PatternSpec(
        DATE,
        r"\b(?:in|since|during|until|till|by|before|after|through|of|from|early|late|mid)"
        rf"[- ](?:(?:early|late|mid)[- ])?(?P<v>{_MONTH_FULL})\b",
        groups=(("v", DATE),),
    ),
    # Scanned with spaces: 03 / 05 / 2024
    PatternSpec(DATE, rf"\b{DAY} [/-] {DAY} [/-] (?:{_YEAR4}|\d{{2}})\b", _numeric_date),
    # Spoken: March fifth, nineteen fifty-two / the third of May / January ninth, sixty-one
    PatternSpec(
        DATE,
        rf"(?i:\b{MONTH_ANY}\s+(?:the\s+)?{_ORD_WORDS}\b(?:,?\s+(?:{_YEAR_WORDS}|{_TENS}))?"
        rf"|\b(?:the\s+)?{_ORD_WORDS}\s+of\s+{MONTH_ANY}\b(?:,?\s+(?:{_YEAR_WORDS}|{_TENS}))?)",
    ),
    # A birth date read out as numbers after the question: "dob is three fourteen fifty
    # two", "born 3 14 52", "three slash fourteen slash fifty two"
    PatternSpec(
        DATE,
        r"(?i:\b(?:dob|d\.o\.b\.?|date\s+of\s+birth|birth\s*date|birthday|born(?:\s+on)?)"
        r"\s*(?:is|was|[:=-])?\s*(?:(?:uh|um|it'?s),?\s+)?)"
        rf"(?P<v>{_SPOKEN_NUMBER}(?:(?:[\s,/.-]+|\s+(?:slash|dash)\s+){_SPOKEN_NUMBER}){{2,7}})\b",
        groups=(("v", DATE),),
    ),
    # Digits or a number in words for the day, words for the year: "March 1st, nineteen
    # fifty-two", "March three, nineteen sixty-two", "the twelve of March, nineteen…"
    PatternSpec(
        DATE,
        rf"(?i:\b{MONTH_ANY}\s+(?:the\s+)?{_DAY_SAID},?\s+{_YEAR_WORDS_FULL}\b"
        rf"|\b(?:the\s+)?{_DAY_SAID}\s+(?:of\s+)?{MONTH_ANY},?\s+{_YEAR_WORDS_FULL}\b)",
    ),
    PatternSpec(
        DATE,
        r"(?i:\b(?:on|since|from|until|till|through|thru|dated?|dos|seen|admitted|discharged"
        r"|dob|visit|surgery|scheduled|appt|appointment|starting|started|effective|before|after"
        r"|last|next|by|f/u|due|as of|expires?|exp|week of|dated|returning"
        # the same cues in Spanish: "el 5/3", "desde 3/12", "cita 4/2"
        r"|el|desde|hasta|fecha|ingreso|ingresó|alta|cita|visto|vista|nacido|nacida)\s+)"
        rf"(?P<v>{MON_NUM}/{DAY})\b",
        groups=(("v", DATE),),
    ),
)

# Census and list shorthand: a zero-padded month and day ("Adm 03/01"), or any month and
# day after a weekday ("Tues 3/19"); "10/10" pain and "1/2" tabs have no zero.
_SHORT_DATE_PATTERNS: tuple[PatternSpec, ...] = (
    PatternSpec(
        DATE,
        r"\b(?:0[1-9]/(?:0[1-9]|[12]\d|3[01])|1[0-2]/0[1-9])\b(?:/\d{2}(?:\d{2})?\b)?",
        _numeric_date,
    ),
    PatternSpec(DATE, rf"\b{WEEKDAY}\.?,?\s+(?P<v>{MON_NUM}/{DAY})\b", groups=(("v", DATE),)),
    PatternSpec(
        DATE,
        r"(?i:\b(?:adm|admit|census|d/c|dc|collected|received|drawn|reported|signed|born"
        r"|b\.|dob|d\.o\.b\.?|doa|dod|edd|lmp|onset|injury|doi|sent|rec'd|recd)\.?:?\s*)"
        rf"(?P<v>{MON_NUM}/{DAY})\b",
        groups=(("v", DATE),),
    ),
)


# Python's repr of a date: datetime.date(1948, 3, 14), datetime.datetime(1948, 3, 14, 9, 5)
_REPR_DATE = PatternSpec(
    DATE,
    r"\b(?:date|datetime)\((?P<v>(?:1[89]|20)\d\d,\s?(?:1[0-2]|0?[1-9]),\s?(?:3[01]|[12]\d|0?[1-9])"
    r"(?:,\s?\d{1,6}){0,4})\)",
    groups=(("v", DATE),),
)

DATE_PATTERNS = (*_LONG_DATE_PATTERNS, *_SHORT_DATE_PATTERNS, _REPR_DATE)

AGE_PATTERNS: tuple[PatternSpec, ...] = (
    # Lists and headers: 94F, 94/F, 92yoM, 101 M (age and sex in one token)
    PatternSpec(AGE, r"\b(?:9\d|1[01]\d)(?:[MF]|/[MF]|\s?y/?o\s?[MF])\b"),
    # 93-year-old, 93 year old, 93 y/o, 101yo, 90 yrs, 95 years of age
    PatternSpec(
        AGE,
        r"\b\d{2,3}\s?-?\s?(?i:y/o|y\.\s?o\.?|yo[mf]?\b|y[mf]?\b|yrs?\.?(?:[- ]old)?\b"
        r"|years?[- ]old|years?\b|years? of age|year-old|yr-old|-yo\b)",
        _age_over_89,
    ),
    PatternSpec(
        AGE,
        r"(?i:\b(?:age|aged|age/sex|age/gender)\b\s*[:=]?\s*(?:of\s+)?)"
        r"(?P<v>\d{2,3}(?:\s?(?i:y|yo|yrs?|years?)\b)?)",
        _age_over_89,
        groups=(("v", AGE),),
    ),
    PatternSpec(
        AGE,
        rf"(?i:\b(?:ninety|one hundred(?: and)?)(?:[- ](?:{_NUMBER_WORDS}))?"
        r"(?:[- ]years?[- ]old|[- ]year-old|\s+years? of age|[- ]yo\b)"
        rf"|\baged?\s*[:=]?\s+(?:ninety|one hundred)(?:[- ](?:{_NUMBER_WORDS}))?\b"
        rf"|\b(?:ninety[- ](?:{_UNITS})|one hundred(?: and)?[- ](?:{_NUMBER_WORDS}))\b"
        r"|\bnonagenarian|\bcentenarian)",
    ),
    # Said of someone: "she is 93", "I'm 94", "you're 92", "I'll be 95", "he just turned
    # ninety"; "I'm 100% sure" and "he's 98.6" are no ages.
    PatternSpec(
        AGE,
        r"(?i:\b(?:(?:she|he|patient|pt|who|mother|father|grandmother|grandfather|dad|mom"
        r"|husband|wife|i|you|they|we)\s+(?:is|was|am|are|turned|turns|will be)"
        r"|(?:she|he|mom|dad|i|you|they|we)['’](?:s|m|re|ll be)"
        # typed without the apostrophe ("shes 95 now"); "im" is no such word: "IM 100"
        r"|shes|hes|youre|theyre"
        r"|turned|turning|at age|aged|age of)(?:\s+(?:now|about|almost|nearly|just|only"
        r"|already|finally|turned))?\s+)"
        rf"(?P<v>\d{{2,3}}|ninety(?:[- ](?:{_UNITS}))?"
        rf"|one hundred(?: and)?(?:[- ](?:{_NUMBER_WORDS}))?)"
        r"(?:[^\w%.]|\.(?:\D|$)|$)",
        _age_or_words,
        groups=(("v", AGE),),
    ),
    # Set off by commas after a name: "Client Heiko Naser, 92, widowed"
    PatternSpec(
        AGE,
        r"\b\p{Lu}[\p{L}'’-]+\s+\p{Lu}[\p{L}'’-]+,\s?(?P<v>9\d|1[01]\d),\s",
        groups=(("v", AGE),),
    ),
    # In brackets after a name, as a list gives it: "Lei Martin (93)", "**Ana Diaz** (95)"
    PatternSpec(
        AGE,
        r"\b\p{Lu}[\p{L}'’-]+\s+\p{Lu}[\p{L}'’-]+(?:\*\*|__)?\s?\((?P<v>9\d|1[01]\d)\)",
        groups=(("v", AGE),),
    ),
    # Beside a relative: "my mother, 93, lives", "Mom (92) fell"
    PatternSpec(
        AGE,
        r"(?i:\b(?:mother|father|mom|mum|dad|grandmother|grandfather|grandma|grandpa|husband"
        r"|wife|aunt|uncle|brother|sister|patient|pt)(?:,\s?|\s?\())(?P<v>\d{2,3})[,)]",
        _age_over_89,
        groups=(("v", AGE),),
    ),
    # Age in a table, a dotted form or an HL7 observation: "Age | 93", "Age.....93",
    # "30525-0^Age^LN||93|"
    PatternSpec(
        AGE,
        r"(?i:\bage\b(?:\s*(?:\||\.{2,}|_{2,})\s*|\^\w*\|[^|\n]{0,4}\|))(?P<v>\d{2,3})\b",
        _age_over_89,
        groups=(("v", AGE),),
    ),
    # "age is 93", "Age at visit 94", "age at time of death: 96"
    PatternSpec(
        AGE,
        r"(?i:\bage\s+(?:is\s+|was\s+|now\s+|today\s+|currently\s+"
        r"|(?:at|on|of)\s+(?:[a-z]+\s+){0,2}[a-z]+\s*)[:=]?\s*)(?P<v>\d{2,3})\b",
        _age_over_89,
        groups=(("v", AGE),),
    ),
    PatternSpec(AGE, r"(?i:\b\d{2,3}(?:st|nd|rd|th)\s+birthday)", _age_over_89),
    # Other languages: "93 ans", "âgée de 93 ans", "93 Jahre alt", "93-jähriger",
    # "93 años", "93 anni", "93 jaar", "93 anos", "Alter: 93", "edad 93", "età: 93"
    PatternSpec(
        AGE,
        r"\b(?P<v>\d{2,3})(?:\s?(?:ans|Jahre|J\.|años|anni|jaar|anos|lat|år|yaşında)\b"
        r"|-?jährige?[rnms]?\b)",
        _age_over_89,
        groups=(("v", AGE),),
    ),
    PatternSpec(
        AGE,
        r"(?i:\b(?:alter|âge|edad|età|idade|leeftijd|ålder|wiek)\b\s*[:=]?\s*)(?P<v>\d{2,3})\b",
        _age_over_89,
        groups=(("v", AGE),),
    ),
    PatternSpec(
        AGE,
        r"(?i:\b(?:born|b\.|dob|birth\s*year|year of birth|yob)\s*(?:in|on|:)?\s*)"
        r"(?P<v>(?:18|19)\d{2})\b",
        _born_90_years_ago,
        groups=(("v", AGE),),
    ),
    PatternSpec(
        AGE,
        r"(?i:\bin\s+(?:his|her|their)\s+(?:early\s+|mid[- ]?|late\s+)?)"
        r"(?P<v>(?:90|100)['’]?s|nineties)",
        groups=(("v", AGE),),
    ),
)
