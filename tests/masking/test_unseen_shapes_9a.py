"""Shapes written from public descriptions (round 9, part A): Spanish and Portuguese
dates as their style guides write them ("14 de marzo de 1952", the RAE's day-month-year
order; "5-ene-24" as forms shorten the month), the n2c2 2014 PROFESSION category in its
usual phrasings in English and Spanish ("a 54-year-old plumber", "trabaja como
albañil", "Ocupación: maestra"), chat handles and speakers as Slack, Teams and IRC
exports write them. Each value must be masked whole; the words around it stay."""

from __future__ import annotations

import pytest

from phigate.masking.engine import Masker

WHOLE = [
    ("Fecha de nacimiento: 14 de marzo de 1952", "14 de marzo"),
    ("Visto el 5 de enero de 2024 en la clínica.", "5 de enero"),
    ("La paciente refiere dolor desde el 12 de febrero.", "12 de febrero"),
    ("Santiago, Marzo 5, 2024", "Marzo 5"),
    ("Fecha de ingreso: 5-ene-24", "5-ene"),
    ("recibido 12 DIC 2023", "12 DIC"),
    ("nascido em 5 de Janeiro de 2024", "5 de Janeiro"),
    ("ingresó el 5/3 por dolor torácico", "5/3"),
    ("cita 4/12 con el cardiólogo", "4/12"),
    ("El paciente trabaja como albañil en una constructora.", "albañil"),
    ("Ocupación: maestra de primaria", "maestra"),
    ("Es profesora de matemáticas.", "profesora"),
    ("De profesión carpintero, jubilado.", "carpintero"),
    ("Occupation | welder | Smoker | no", "welder"),
    ("Occupation..... welder", "welder"),
    ("He is a retired school teacher and lives alone.", "school teacher"),
    ("Her husband was an electrician.", "electrician"),
    ("Former bus driver, quit smoking in 2010.", "bus driver"),
    ("Mr. Okafor, a 54-year-old plumber, was seen today.", "plumber"),
    ("a 61 y/o male retired machinist with COPD", "machinist"),
    ("@mrodriguez can you cover bed 4? cc @j.smith", "mrodriguez"),
    ("@mrodriguez can you cover bed 4? cc @j.smith", "j.smith"),
    ("[9:14 AM] maria lopez: can someone check on bed 12?", "maria lopez"),
    ("9:14 AM maria.lopez: ok", "maria.lopez"),
    ("[09:15] jkowalski: on it", "jkowalski"),
    # a table column named for the job in other words than "Occupation"
    ("| Patient | MRN | Employer / Occupation | Room |\n|---|---|---|---|\n"
     "| Ana Ruiz | 448123 | welder | 4B |\n| Tom Lee | 448124 | accountant | 5C |", "welder"),
    ("| Patient | MRN | Occ. | Room |\n|---|---|---|---|\n"
     "| Ana Ruiz | 448123 | bus driver | 4B |\n| Tom Lee | 448124 | accountant | 5C |",
     "bus driver"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "value"), WHOLE)
def test_masked_whole(safe_harbor: Masker, text: str, value: str) -> None:
    start = text.index(value)
    covered = bytearray(len(text))
    for s, e, _ in safe_harbor.spans(text):
        covered[s:e] = b"\x01" * (e - s)
    inside = range(start, start + len(value))
    leaked = [text[i] for i in inside if text[i].isalnum() and not covered[i]]
    assert not leaked, f"{''.join(leaked)!r} of {value!r} left visible"


KEPT = [
    # a year alone is no date element; a weekday and a time of day are none
    ("Fecha de nacimiento: 14 de marzo de 1952", "1952"),
    # headings of a timed entry, and a word before a time, are no speakers
    ("09:15 vitals: stable", "vitals"),
    ("14:00 Plan: continue antibiotics", "Plan"),
    # a job word needs a cue that says it is someone's
    ("Seen by the surgeon as planned.", "surgeon"),
    ("This is a clinic note. Pain is a concern.", "Pain is a concern"),
    ("a 45-year-old woman with asthma", "woman with asthma"),
    # a dose is no handle
    ("give 5 @ 10mg", "@ 10mg"),
]


@pytest.mark.parametrize(("text", "kept"), KEPT)
def test_kept(safe_harbor: Masker, text: str, kept: str) -> None:
    assert kept in safe_harbor.mask_text(text).text


def test_an_address_stays_one_email_not_a_handle(safe_harbor: Masker) -> None:
    assert safe_harbor.mask_text("mail a.b@example.org now").text == "mail [EMAIL] now"
