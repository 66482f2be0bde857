"""Row masking on the demo EHR tables: lineage, names, types and sampled values."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from hypothesis import given, seed, settings
from hypothesis import strategies as st

from phigate.masking._codes import digits, month_date
from phigate.masking.columns import ColumnInfo, long_number
from phigate.masking.detect import MaskingError
from phigate.masking.engine import Masker, MaskingEngine
from phigate.masking.settings import MaskingSettings
from tests.masking.conftest import KEY

PATIENT_COLUMNS = "id first_name last_name dob sex ssn mrn email phone address city state zip"
PATIENT = (
    7, "Zbigniew", "Kowalczyk", dt.date(1950, 3, 14), "M", "123-45-6789", "MRN00012345",
    "zk@example.org", "(617) 555-0134", "42 Elm Street", "Lake Johnville", "MA", "02139",
)  # fmt: skip


def _columns(names: str, table: str = "patients") -> list[ColumnInfo]:
    return [ColumnInfo(n, None, (f"public.{table}.{n}",)) for n in names.split()]


def test_patients_row_leaves_no_raw_phi(safe_harbor: Masker) -> None:
    rows = safe_harbor.for_columns(_columns(PATIENT_COLUMNS))
    masked = rows.mask_row(PATIENT)
    assert masked == [
        7, "[PERSON]", "[PERSON]", "1950", "M", "[SSN]", "[MRN]", "[EMAIL]", "[PHONE]",
        "[STREET_ADDRESS]", "[LOCATION]", "MA", "021**",
    ]  # fmt: skip
    assert rows.counts["PERSON"] == 2 and rows.counts["ZIP"] == 1


def test_nulls_stay_null_and_are_not_counted(safe_harbor: Masker) -> None:
    rows = safe_harbor.for_columns(_columns("id ssn dob"))
    assert rows.mask_rows([(1, None, None), (2, "123-45-6789", None)]) == [
        (1, None, None),
        (2, "[SSN]", None),
    ]
    assert rows.counts == {"SSN": 1}


def test_lineage_beats_an_alias(safe_harbor: Masker) -> None:
    info = [ColumnInfo("x", "text", ("public.patients.ssn",)), ColumnInfo("y", "int4", ())]
    assert safe_harbor.for_columns(info).mask_row(["123-45-6789", 5]) == ["[SSN]", 5]


def test_only_integers_from_literals_and_catalog_structure_skip_sampling(
    safe_harbor: Masker,
) -> None:
    """An integer of unknown origin is sampled (an SSN may be stored as a number); one
    the classifier saw computed from literals, or catalog structure, is kept outright."""
    columns = [
        ColumnInfo("n", "int4"),
        ColumnInfo("n", "int4", literal=True),
        ColumnInfo("t", "text", literal=True),
        ColumnInfo("typname", "name", ("pg_catalog.pg_type.typname",), catalog=True),
    ]
    plan = safe_harbor.for_columns(columns).plan
    assert plan[1] == plan[3] == "KEEP"
    assert plan[0] != "KEEP" and plan[2] != "KEEP"


def test_claims_and_encounters_keep_codes_and_amounts(safe_harbor: Masker) -> None:
    cols = _columns("id patient_id payer member_id amount cpt_code icd10_code status service_date")
    row = (1, 7, "Aetna", "XJH123456789", Decimal("120.50"), "99213", "E11.9", "paid",
           dt.date(2023, 5, 2))  # fmt: skip
    assert safe_harbor.for_columns(cols).mask_row(row) == [
        1, 7, "Aetna", "[HEALTH_PLAN_ID]", Decimal("120.50"), "99213", "E11.9", "paid", "2023",
    ]  # fmt: skip


def test_clinical_note_text_is_scanned(safe_harbor: Masker) -> None:
    cols = _columns("id patient_id author written_at note_text", "clinical_notes")
    row = (1, 7, "Dr. Ann Lee", dt.datetime(2023, 5, 2, 9, 30),
           "Mr. Kowalczyk (SSN 123-45-6789) reports chest pain.")  # fmt: skip
    masked = safe_harbor.for_columns(cols).mask_row(row)
    assert masked == [1, 7, "[PERSON]", "2023", "Mr. [PERSON] (SSN [SSN]) reports chest pain."]


def test_opaque_columns_are_classified_from_sampled_values(engine: MaskingEngine) -> None:
    settings = MaskingSettings(sample_rows=3)
    masker = MaskingEngine(settings, KEY).masker("hipaa-safe-harbor")
    rows = masker.for_columns([ColumnInfo("c1"), ColumnInfo("c2"), ColumnInfo("c3")])
    data = [("John Smith", 11, "a@b.org"), ("Mary Jones", 12, "c@d.org"),
            ("Linda Brown", 13, "e@f.org"), ("Zbigniew Kowalczyk", 14, "g@h.org")]  # fmt: skip
    out = rows.mask_rows(data)
    assert rows.plan == ["PERSON", "KEEP", "EMAIL"]
    # After the sample, an out-of-dictionary name is masked because the column is a name column.
    assert out[3] == ("[PERSON]", 14, "[EMAIL]")


def test_a_restarted_masker_samples_again_as_a_new_one_would() -> None:
    """The next run of a prepared statement reuses its row masker: what the last run's
    values decided (here: a column of small integers is kept) starts over."""
    masker = MaskingEngine(MaskingSettings(sample_rows=3), KEY).masker("hipaa-safe-harbor")
    rows = masker.for_columns([ColumnInfo("c1"), ColumnInfo("c2")])
    rows.mask_rows([(11, "a@b.org"), (12, "c@d.org"), (13, "e@f.org")])
    assert rows.plan == ["KEEP", "EMAIL"] and rows.counts["EMAIL"] == 3
    rows.restart()
    fresh = masker.for_columns([ColumnInfo("c1"), ColumnInfo("c2")])
    assert rows.plan == fresh.plan and rows.counts == {}
    again = [("123-45-6789", "x"), ("234-56-7890", "y"), ("345-67-8901", "z")]
    assert rows.mask_rows(again) == fresh.mask_rows(again)
    assert rows.mask_rows(again)[0][0] == "[SSN]" and rows.counts["SSN"] == 6


def test_a_result_of_the_same_columns_starts_from_the_plan_not_the_last_results_values() -> None:
    """A masker keeps each set of columns' plan for its next result (every request of
    a profile shares the masker): what one result's values decided stays with it."""
    masker = MaskingEngine(MaskingSettings(sample_rows=3), KEY).masker("hipaa-safe-harbor")
    columns = [ColumnInfo("c1"), ColumnInfo("c2")]
    first = masker.for_columns(columns)
    first.mask_rows([(11, "a@b.org"), (12, "c@d.org"), (13, "e@f.org")])
    assert first.plan == ["KEEP", "EMAIL"]
    second = masker.for_columns(list(columns))
    assert second.start is first.start  # worked out once
    assert second.plan == list(first.start.kinds) != first.plan and second.counts == {}
    ssns = [("123-45-6789", "x"), ("234-56-7890", "y"), ("345-67-8901", "z")]
    assert second.mask_rows(ssns)[0][0] == "[SSN]"
    assert first.plan == ["KEEP", "EMAIL"]  # the other result's state is its own


def test_json_and_bytes_values(safe_harbor: Masker) -> None:
    rows = safe_harbor.for_columns([ColumnInfo("payload", "jsonb"), ColumnInfo("blob", "bytea")])
    masked = rows.mask_row([{"ssn": "123456789", "tags": ["ok"]}, b"\xff\xfe binary"])
    assert masked == [{"ssn": "[SSN]", "tags": ["ok"]}, "[BINARY]"]
    text_json = rows.mask_row(['{"email": "a@b.org"}', b"call 617-555-0134"])
    assert text_json == ['{"email": "[EMAIL]"}', b"call [PHONE]"]


def test_config_column_overrides(engine: MaskingEngine) -> None:
    settings = MaskingSettings(columns={"public.claims.status": "ID", "internal_code": "KEEP"})
    masker = MaskingEngine(settings, KEY).masker("hipaa-safe-harbor")
    cols = [ColumnInfo("status", None, ("public.claims.status",)), ColumnInfo("internal_code")]
    assert masker.for_columns(cols).mask_row(["paid", "SSN 123-45-6789"]) == [
        "[ID]",
        "SSN 123-45-6789",
    ]


def test_wrong_row_width_fails_closed(safe_harbor: Masker) -> None:
    rows = safe_harbor.for_columns(_columns("id ssn"))
    with pytest.raises(MaskingError):
        rows.mask_row([1, "123-45-6789", "extra"])


def test_date_shift_by_patient_keeps_intervals() -> None:
    settings = MaskingSettings.model_validate(
        {"profiles": {"research": {"operators": {"DATE": "date_shift"}}}}
    )
    masker = MaskingEngine(settings, KEY).masker("research")
    rows = masker.for_columns(_columns("patient_id encounter_date", "encounters"))
    a, b = dt.date(2023, 1, 1), dt.date(2023, 3, 15)
    (p1, s1), (_, s2), (_, other) = rows.mask_rows([(7, a), (7, b), (8, a)])
    assert isinstance(s1, dt.date) and isinstance(s2, dt.date) and s1 != a
    assert s2 - s1 == b - a
    assert p1 == 7
    assert other - a != s1 - a  # another patient gets another (keyed) offset


def test_opaque_zip_column_and_fhir_name_keys() -> None:
    masker = MaskingEngine(MaskingSettings(sample_rows=2), KEY).masker("hipaa-safe-harbor")
    rows = masker.for_columns([ColumnInfo("c9")])
    assert rows.mask_rows([("02139",), ("10001",), ("94110",)]) == [
        ("021**",),
        ("100**",),
        ("941**",),
    ]
    masked, _ = masker.mask_json({"name": [{"given": ["Zbigniew"], "family": "Kowalczyk"}]})
    assert masked == {"name": [{"given": ["[PERSON]"], "family": "[PERSON]"}]}


# -- catalog definitions (phigate.masking._definitions)

_W = "'[WITHHELD]'"
_DEFINITIONS = {  # the definition, and what is shown of it (None: all of it)
    "check": ("CHECK ((member_id <> '409-18-7858'::text))", f"CHECK ((member_id <> {_W}::text))"),
    "default": ("'Hobbs'::text", f"{_W}::text"),
    "policy": ("(mrn <> '35490178'::text)", f"(mrn <> {_W}::text)"),
    "a quote inside": ("(note = 'O''Brien'::text)", f"(note = {_W}::text)"),
    "an object name": ("nextval('patients_id_seq'::regclass)", None),
    "no constant": ("FOREIGN KEY (patient_id) REFERENCES patients(id)", None),
    "an array element": ("""{"(mrn = '35490178'::text)",id}""", f'{{"(mrn = {_W}::text)",id}}'),
    "a dollar quote": ("AS $$ SELECT 'Hobbs' $$", "[WITHHELD]"),
    "an escape": ("E'Hob\\'bs'", "[WITHHELD]"),
    "a comment": ("x > 0 -- Hobbs", "[WITHHELD]"),
    "a quote left open": ("(mrn <> '35490178", "[WITHHELD]"),
}  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), _DEFINITIONS.values(), ids=_DEFINITIONS.keys())
def test_a_catalog_definition_shows_its_structure_not_its_constants(
    safe_harbor: Masker, text: str, expected: str | None
) -> None:
    info = ColumnInfo("definition", "text", ("pg_catalog.pg_constraint.oid",), True, True)
    assert safe_harbor.for_columns([info]).mask_row([text]) == [expected or text]


def test_a_definition_array_from_the_driver_is_read_element_by_element(
    safe_harbor: Masker,
) -> None:
    info = ColumnInfo("defs", "text", ("pg_catalog.pg_index.indexrelid",), True, True)
    masked = safe_harbor.for_columns([info]).mask_row([["(mrn = '35490178'::text)", "id"]])
    assert masked == [["(mrn = '[WITHHELD]'::text)", "id"]]


def test_a_domains_default_has_its_constant_withheld(safe_harbor: Masker) -> None:
    """Round 15b: pg_type.typdefault is a default as written, like a column's."""
    info = ColumnInfo("typdefault", "text", ("pg_catalog.pg_type.typdefault",))
    assert safe_harbor.for_columns([info]).mask_row(["'35490178'::text"]) == ["'[WITHHELD]'::text"]


@pytest.mark.parametrize(
    ("info", "kind"),
    [
        (ColumnInfo("conname", "name", ("pg_catalog.pg_constraint.conname",), True, True), "KEEP"),
        (ColumnInfo("oid", "oid", ("pg_catalog.pg_constraint.oid",), True, True), "KEEP"),
        (ColumnInfo("cols", "text", ("pg_catalog.pg_attribute.attname",), True), "KEEP"),
        (ColumnInfo("def", "text", ("pg_catalog.pg_constraint.oid",), True, True), "DEFINITION"),
        (ColumnInfo("def", None, ("pg_catalog.pg_constraint.oid",), True, True), "DEFINITION"),
        (ColumnInfo("qual", "text", ("pg_catalog.pg_policies.qual",)), "DEFINITION"),
        (ColumnInfo("d", "text", ("information_schema.columns.column_default",)), "DEFINITION"),
        (ColumnInfo("adbin", None, ("pg_catalog.pg_attrdef.adbin",)), "WITHHELD"),
        (ColumnInfo("q", "text", ("pg_catalog.pg_policies.qual",), transformed=True), "WITHHELD"),
        (ColumnInfo("typdefault", "text", ("pg_catalog.pg_type.typdefault",)), "DEFINITION"),
        (ColumnInfo("c", "_text", ("pg_catalog.pg_extension.extcondition",)), "DEFINITION"),
        (ColumnInfo("typdefaultbin", None, ("pg_catalog.pg_type.typdefaultbin",)), "WITHHELD"),
        (ColumnInfo("v", "anyarray", ("pg_catalog.pg_attribute.attmissingval",)), "WITHHELD"),
        (ColumnInfo("tgargs", "bytea", ("pg_catalog.pg_trigger.tgargs",)), "WITHHELD"),
    ],
    ids=[
        "a name",
        "a key",
        "text with no definition rendered",
        "a rendered definition",
        "of a type unknown here",
        "a view's definition column",
        "information_schema",
        "a parse tree",
        "a definition encoded",
        "a domain's default",
        "an extension's conditions",
        "a domain's default as a parse tree",
        "a default stored bare",
        "a trigger's arguments",
    ],
)
def test_catalog_text_is_kept_only_when_no_definition_can_be_in_it(
    safe_harbor: Masker, info: ColumnInfo, kind: str
) -> None:
    assert safe_harbor.for_columns([info]).plan == [kind]


KEPT_BY_NAME = [
    ColumnInfo("id", "int4"),
    ColumnInfo("status", "text"),
    ColumnInfo("external_id", "varchar"),
    ColumnInfo("cpt_code", "text"),
    ColumnInfo("amount", "numeric"),
]


def test_a_text_column_kept_by_its_name_is_checked(safe_harbor: Masker) -> None:
    """round 13b finding 5: names are chosen by whoever designed the table, not by
    what lands in it. Free text, an identifier the detectors are sure of and a bare
    number long enough to be an MRN are masked; integers and numerics stay kept."""
    rows = safe_harbor.for_columns(KEPT_BY_NAME)
    assert rows.plan == ["KEEP", "CHECKED", "CHECKED", "CHECKED", "KEEP"]
    row = [7, "denied for Jimmy Gaines, SSN 706-56-7705", "48213377", "706-56-7705", 12]
    assert rows.mask_row(row) == [7, "denied for [PERSON], SSN [SSN]", "[ID]", "[SSN]", 12]
    mixed = [8, "MRN12345678", "jo@example.org", "617-555-0134", 5]
    assert rows.mask_row(mixed) == [8, "[MRN]", "[EMAIL]", "[PHONE]", 5]


@pytest.mark.parametrize(
    "value",
    ["paid", "in_progress", "CA", "99213", "E11.9", "J45.909", "CLM-000123", "123456",
     "3f2504e0-4f89-11d3-9a0c-0305e82c3301", "pending-review", "12345-6789"],
)  # fmt: skip
def test_codes_keys_and_enum_words_in_a_checked_column_pass(
    safe_harbor: Masker, value: str
) -> None:
    """What a kept column is for still passes byte for byte: codes, keys that must join,
    enum words, numbers shorter than an MRN."""
    rows = safe_harbor.for_columns(KEPT_BY_NAME)
    assert rows.mask_row([1, value, value, value, 0]) == [1, value, value, value, 0]
    assert rows.counts == {}


def test_a_column_declared_keep_is_not_checked(engine: MaskingEngine) -> None:
    """`masking.columns: {name: KEEP}` is the operator's word: no check at all."""
    settings = MaskingSettings(columns={"external_id": "KEEP"})
    rows = MaskingEngine(settings, KEY).masker("hipaa-safe-harbor").for_columns(KEPT_BY_NAME)
    assert rows.plan[2] == "KEEP"
    assert rows.mask_row([1, "x", "48213377", "x", 0])[2] == "48213377"


# An identifier reshaped so that no detector reads it as stored (round 16b finding 4):
# joined by `_` or `.`, after its label, spelled, with an invisible or compatibility
# character. What it is masked as shows it was read, not just caught by its digits.
RESHAPED = {
    "706.56.7705": "[SSN]",
    "706_56_7705": "[SSN]",
    "555_867_5309": "[PHONE]",
    "4111_1111_1111_1111": "[CREDIT_CARD]",
    "jimmy.gaines_at_example.com": "[EMAIL]",
    "706-56-7705\u200b": "[SSN]",
    "706\u00a056\u00a07705": "[SSN]",
    "SSN706567705": "[ID]",
    "mrn12345678": "[ID]",
    "\uff17\uff10\uff16\uff15\uff16\uff17\uff17\uff10\uff15": "[ID]",
    "ref 48_21_33_77 pending": "[ID]",
}


@pytest.mark.parametrize(("value", "masked"), list(RESHAPED.items()))
def test_a_reshaped_identifier_in_a_checked_column_is_masked_whole(
    safe_harbor: Masker, value: str, masked: str
) -> None:
    rows = safe_harbor.for_columns([ColumnInfo("status", "text")])
    assert rows.mask_row([value]) == [masked]


def test_a_date_joined_by_underscores_is_read_as_a_date(safe_harbor: Masker) -> None:
    """Read in its canonical form (`1980-03-14`), the date keeps only its year, as a
    date under Safe Harbor does."""
    rows = safe_harbor.for_columns([ColumnInfo("status", "text")])
    assert rows.mask_row(["1980_03_14"]) == ["1980"]


@pytest.mark.parametrize(
    "value", ["Überwiesen", "in_attesa", "E11.9", "1.2.3", "v2_1", "paid\u00a0in full"]
)
def test_words_and_short_codes_that_are_not_plain_still_pass(
    safe_harbor: Masker, value: str
) -> None:
    """Non-ASCII words and codes with separators are read, and pass when nothing in
    them is an identifier and they hold few digits."""
    rows = safe_harbor.for_columns([ColumnInfo("status", "text")])
    assert rows.mask_row([value]) == [value]
    assert rows.counts == {}


# Between the digit groups of an identifier typed into a status line (round 17b
# finding 2): spaces, dashes of every kind, slashes, dots, `_`, alone or spaced.
_MARKS = ["-", "\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2015", "\u2212", "/", ".", "_"]
_SEPARATORS = st.one_of(
    st.sampled_from(["", " ", "  ", "\t"]),
    st.builds(
        lambda before, mark, after: before + mark + after,
        st.sampled_from(["", " "]),
        st.sampled_from(_MARKS),
        st.sampled_from(["", " ", "  "]),
    ),
)
# The digit groups of an SSN, a phone number and an 8-digit MRN.
_GROUPS = [(3, 2, 4), (3, 3, 4), (4, 4), (2, 3, 3)]


@st.composite
def _reshaped_identifiers(draw: st.DrawFn) -> str:
    groups = draw(st.sampled_from(_GROUPS))
    number = draw(st.text(alphabet="0123456789", min_size=sum(groups), max_size=sum(groups)))
    parts, at = [], 0
    for size in groups:
        parts.append(number[at : at + size])
        at += size
    value = parts[0] + "".join(draw(_SEPARATORS) + part for part in parts[1:])
    label = draw(st.sampled_from(["", "SSN ", "ssn: ", "MRN ", "ref ", "phone ", "member #"]))
    return label + value


@seed(1717)
@settings(max_examples=400, deadline=None)
@given(_reshaped_identifiers())
def test_an_identifier_with_any_separators_in_a_checked_column_is_masked(
    safe_harbor: Masker, value: str
) -> None:
    """Round 17b finding 2: however its digit groups are joined or spaced, an
    identifier in a checked column leaves at most 6 of its digits, and the wire's
    quiet path reads it itself."""
    rows = safe_harbor.for_columns([ColumnInfo("status", "text")])
    [masked] = rows.mask_row([value])
    assert isinstance(masked, str) and digits(masked) <= 6, (value, masked)
    assert long_number(value.encode()) or not value.isascii() or value != masked


# A date with its month named next to its digits, in any order, case or joiner.
MONTH_DATES = ["Mar14-1980", "1980-Mar-14", "14Mar80", "MAR2024", "1980\u2013mar\u201314",
               "Dec.10", "sept14", "14.march.1980", "march,14", "dec_2", "14thMar1980",
               "1980 / Mar / 14", "Mar - 14 - 1980", "seen 14 - MAR - 1980", "14 mar"]  # fmt: skip


@pytest.mark.parametrize("value", MONTH_DATES)
def test_a_month_named_next_to_digits_in_a_checked_column_is_a_date(
    safe_harbor: Masker, value: str
) -> None:
    """Round 17b finding 2: a month's name glued to or joined with digits is a date in
    a checked column, masked as one (its year kept under Safe Harbor), on both doors."""
    rows = safe_harbor.for_columns([ColumnInfo("status", "text")])
    assert rows.mask_row([value]) in (["1980"], ["2024"], ["[DATE]"])
    assert rows.counts == {"DATE": 1}
    assert long_number(value.encode())


# Round 19b finding 3: a date written with a month in another language, a Roman-
# numeral month, CJK markers, three numbers year first, or spelled.
OTHER_DATES = ["14-März-1980", "14-mars-1980", "14.Oktober.1980", "14-ene-1980", "14Mär1980",
               "14-maart-1980", "14.III.1980", "14 XII 1980", "昭和55年3月14日", "80/3/14",
               "1980.3.14", "3-14-80", "14/3/1980", "fourteenth-March-nineteen-eighty",
               "March-the-fourteenth", "14 Oktober 1980"]  # fmt: skip


@pytest.mark.parametrize("value", OTHER_DATES)
def test_a_date_in_another_form_in_a_checked_column_is_a_date(
    safe_harbor: Masker, value: str
) -> None:
    rows = safe_harbor.for_columns([ColumnInfo("status", "text")])
    [masked] = rows.mask_row([value])
    # a year at most is kept (Safe Harbor), read as the generalizer reads it
    assert masked == "[DATE]" or (isinstance(masked, str) and re.fullmatch(r"\d{4}", masked))
    assert set(rows.counts) == {"DATE"}
    assert long_number(value.encode()) or not value.isascii()


# Round 19b finding 6: an address after a URL scheme, escaped as a URL or an HTML page
# writes it, or "defanged" so that nothing links it.
ESCAPED_EMAILS = ["mailto:jimmy.gaines@example.com", "jimmy.gaines%40example.com",
                  "jimmy.gaines%2540example.com", "jimmy.gaines&#64;example.com",
                  "jimmy.gaines&#x40;example.com", "jimmy.gaines&commat;example.com",
                  "jimmy.gaines(at)example(dot)com", "jimmy.gaines[at]example[dot]com",
                  "jimmy.gaines@example[.]com", "jimmy.gaines-at-example.com",
                  "mailto:jimmy.gaines%40example.com"]  # fmt: skip


@pytest.mark.parametrize("value", ESCAPED_EMAILS)
def test_an_escaped_or_defanged_email_in_a_checked_column_is_masked(
    safe_harbor: Masker, value: str
) -> None:
    rows = safe_harbor.for_columns([ColumnInfo("status", "text")])
    assert rows.mask_row([value]) == ["[EMAIL]"]
    assert long_number(value.encode())


@pytest.mark.parametrize(
    "value",
    ["v2.3.1", "A1C-2", "E11.9", "1.2.3", "120/80", "OUT-2", "set-2", "Mag 2.1",
     "ICD10:E11.9", "status:open", "approved-at-desk", "grade II-III", "chapter IV",
     "100%25 paid", "Q&amp;A", "3 of 12 paid"],
)  # fmt: skip
def test_codes_that_look_like_new_forms_still_pass_a_checked_column(
    safe_harbor: Masker, value: str
) -> None:
    """Versions, lab codes, a scheme-like prefix, an escape with no address behind it:
    no date and no e-mail once read, so they pass byte for byte."""
    rows = safe_harbor.for_columns([ColumnInfo("status", "text")])
    assert rows.mask_row([value]) == [value]
    assert rows.counts == {}


def test_a_month_date_in_free_text_of_a_checked_column_is_masked_as_a_date(
    safe_harbor: Masker,
) -> None:
    rows = safe_harbor.for_columns([ColumnInfo("status", "text")])
    assert rows.mask_row(["seen  Mar14-1980\tdenied"]) == ["seen  1980\tdenied"]


@pytest.mark.parametrize(
    "value",
    ["paid", "E11.9", "A1C-2", "v2.3.1", "ICD10", "99213", "pending-review", "HbA1c",
     "COVID-19", "G0444", "Z00.00", "v10.2-rc1", "Decimal1", "SEPSIS1", "JAN", "may",
     "denied - see note 12", "paid in full 2024", "appeal 2 of 3, ref 1234",
     "appeal may take 30 days"],
)  # fmt: skip
def test_real_codes_and_status_lines_still_pass_a_checked_column(
    safe_harbor: Masker, value: str
) -> None:
    """What statuses and codes look like holds few digits and names no month next to
    them: it passes byte for byte."""
    rows = safe_harbor.for_columns([ColumnInfo("status", "text")])
    assert rows.mask_row([value]) == [value]
    assert rows.counts == {}
    assert not month_date(value)


def test_a_pseudonym_the_scan_wrote_does_not_count_as_digits_left(
    engine: MaskingEngine,
) -> None:
    """Under a pseudonym profile the note scan writes `PERSON_3fa2…` in place of a
    name: its hex digits are not the value's, so the line is not masked whole; the
    same token typed into the value as stored counts."""
    pseudo = MaskingSettings.model_validate({"profiles": {"p": {"default_operator": "pseudonym"}}})
    rows = MaskingEngine(pseudo, KEY).masker("p").for_columns([ColumnInfo("status", "text")])
    [masked] = rows.mask_row(["denied for Jimmy Gaines"])
    assert isinstance(masked, str) and masked.startswith("denied for PERSON_"), masked
    [typed] = rows.mask_row(["X_706567705abc pending"])
    assert "706567705" not in str(typed), typed


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789_.- @()[]%&#;:atsnmrdobCLMIVX", max_size=24))
def test_the_wire_trusts_a_quiet_value_only_where_the_check_would_pass_it(
    safe_harbor: Masker, value: str
) -> None:
    """The wire's quiet path sends a value the detectors find nothing in as stored
    unless `long_number` says the check reads it itself: so such a value must be one
    the check passes as it is, or the two doors would differ."""
    quiet = safe_harbor.mask_str(value, {}, "") == value
    if quiet and not long_number(value.encode()):
        rows = safe_harbor.for_columns([ColumnInfo("status", "text")])
        assert rows.mask_row([value]) == [value]
