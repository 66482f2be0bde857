"""Shapes written from public descriptions (round 10, part A): the keys and column names
of structured text tie a value to the identifier they name whatever the value looks
like: a psql table (`psql`'s aligned format, a rule of `-` and `+` under the header), a
Python dict or dataclass repr (keys in single quotes, `name='...'`), `key=value` logs;
and prose cues for handles, employers, occupations and ages over 89. Each value must be
masked whole; the words around it stay."""

from __future__ import annotations

import pytest

from phigate.masking.engine import Masker

_PSQL = (
    " member_no  | username | employer          | occupation | zip   | age | plan_id\n"
    "------------+----------+-------------------+------------+-------+-----+---------\n"
    " W12345678  | kpatel77 | Northwind Traders | pipefitter | 02139 |  93 | GHP-4410\n"
    " W99812345  | lwong    | Contoso Ltd       | florist    | 60614 |  47 | BCX-1120\n"
    "(2 rows)"
)
_DICT = (
    "{'username': 'jdoe42', 'employer': 'Blue Harbor Freight', 'occupation': 'locksmith',"
    " 'age': 94, 'zip': '30301', 'member_id': 'XQ7781234', 'group_no': '88123'}"
)

WHOLE = [
    (_PSQL, "kpatel77"),
    (_PSQL, "lwong"),
    (_PSQL, "Northwind Traders"),
    (_PSQL, "Contoso Ltd"),
    (_PSQL, "pipefitter"),
    (_PSQL, "florist"),
    (_PSQL, "02139"),
    (_PSQL, " 93 "),
    (_PSQL, "GHP-4410"),
    (_DICT, "jdoe42"),
    (_DICT, "Blue Harbor Freight"),
    (_DICT, "locksmith"),
    (_DICT, "94"),
    (_DICT, "303"),
    (_DICT, "XQ7781234"),
    (_DICT, "88123"),
    ("{\"surname\": 'x', 'employer': \"O'Neill Bros Farm\"}", "O'Neill Bros Farm"),
    ("Member(handle='gbaptiste', company='Meridian Shipping', plan_number='PN-55123')",
     "gbaptiste"),
    ("Member(handle='gbaptiste', company='Meridian Shipping', plan_number='PN-55123')",
     "Meridian Shipping"),
    ("Member(handle='gbaptiste', company='Meridian Shipping', plan_number='PN-55123')",
     "PN-55123"),
    ("user_id=7 employer_name=\"Harbor Light Logistics\" grp_no=HX-2231", "HX-2231"),
    ("Works at: Hicks, Fields and Vaughn\nDL#: RN0306177", "Hicks, Fields and Vaughn"),
    ("C.P.: 00911\nTel: 939-646-4554", "00911"),
    # prose: a handle after what is done to an account, an employer after "works at"
    ("can u sign the orders, pw reset for layla_nas", "layla_nas"),
    ("Please unlock the account for tnguyen2 today.", "tnguyen2"),
    ("her username is gbaptiste88 and she cannot log in", "gbaptiste88"),
    ("Login: omar.bin\nBiometric: on file", "omar.bin"),
    ("He works at Northwind Traders as a clerk.", "Northwind Traders"),
    ("She has worked for Granite Peak Dairy since 2001.", "Granite Peak Dairy"),
    ("and works part-time as a court stenographer. Lives alone.", "court stenographer"),
    # an age set off by commas after a name
    ("Client Heiko Naser, 92, widowed, retired bus driver.", "92"),
    ("Seen today: Thao Le, 103, lives alone.", "103"),
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
    # the header of a psql table is no value; an age under 90 stays
    (_PSQL, "occupation | zip"),
    (_PSQL, "|  47 |"),
    # a treatment plan is no plan number; a word after "user" is no handle
    ("Plan: continue metformin 500 mg", "continue metformin"),
    ("the user is unable to log in", "unable"),
    ("login page returns 500", "page"),
    # a count set off by commas is no age
    ("Lab values: Sodium, 138, normal.", "138"),
    ("Potassium, 95, was rechecked", "Potassium"),
    ("{'status': 'active', 'count': 94, 'department': 'Cardiology'}", "Cardiology"),
    ("{'status': 'active', 'count': 94, 'department': 'Cardiology'}", "94"),
]


@pytest.mark.parametrize(("text", "kept"), KEPT)
def test_kept(safe_harbor: Masker, text: str, kept: str) -> None:
    assert kept in safe_harbor.mask_text(text).text


MORE = [
    ("account jdoe42 locked after 5 failed attempts", "jdoe42"),
    ("actor=mlopez7 action=export resource=Patient", "mlopez7"),
    ("She worked as an accountant at Harbor Freight Lines until 2014.", "Harbor Freight Lines"),
]


@pytest.mark.parametrize(("text", "value"), MORE)
def test_masked_whole_more(safe_harbor: Masker, text: str, value: str) -> None:
    test_masked_whole(safe_harbor, text, value)


REPRS = [
    ("Patient(dob=datetime.date(1948, 3, 14), city='Dayton')", "1948, 3, 14"),
    ("{'admitted': datetime.datetime(2024, 11, 2, 9, 5, 31)}", "2024, 11, 2, 9, 5, 31"),
    ("occupation='marine biologist', title='x'", "marine biologist"),
    ("Customer(company='Kemp & Sons', age=40)", "Kemp & Sons"),
]


@pytest.mark.parametrize(("text", "value"), REPRS)
def test_repr_values_masked_whole(safe_harbor: Masker, text: str, value: str) -> None:
    test_masked_whole(safe_harbor, text, value)


def test_a_query_string_still_ends_a_value(safe_harbor: Masker) -> None:
    assert "page=2" in safe_harbor.mask_text("GET /search?user=jdoe42&page=2").text


ACTORS = [
    ("logged in as mlopez_rn from a new device", "mlopez_rn"),
    ("ticket opened by rfarouk on Monday", "rfarouk"),
    ("My employer is Riverbend Tool & Die.", "Riverbend Tool & Die"),
    ("She teaches at Lincoln Elementary.", "Lincoln Elementary"),
]


@pytest.mark.parametrize(("text", "value"), ACTORS)
def test_actors_and_employers_masked_whole(safe_harbor: Masker, text: str, value: str) -> None:
    test_masked_whole(safe_harbor, text, value)


@pytest.mark.parametrize(
    "text", ["ticket opened by the front desk", "reported by patient", "logged in as admin"]
)
def test_a_word_after_an_actor_cue_stays(safe_harbor: Masker, text: str) -> None:
    assert safe_harbor.mask_text(text).text == text
