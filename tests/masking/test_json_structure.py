"""JSON masked by its structure, not only by `key: value` (round 8, findings 1, 2, 3, 6,
7 and 10): index keys, columnar tables, name/value pairs, FHIR search tokens, FHIR
ages, and the names health IT gives identifiers. Each family, not one example."""

from __future__ import annotations

import json

import pytest

from phigate.masking._hints import KEEP, hint
from phigate.masking.engine import Masker

SSN = "536228471"
MRN = "40123456"
SURNAME = "Okonkwo"


def shown(masker: Masker, doc: object) -> str:
    masked, _ = masker.mask_json(doc)
    return json.dumps(masked)


# ── finding 1: keys that are values ──────────────────────────────────────────
@pytest.mark.parametrize(
    "doc",
    [
        {"by_surname": {SURNAME: {"visits": 3}}},
        {"bySurname": {SURNAME: 1}},
        {"BY_NAME": {SURNAME.lower(): 1}},
        {"patients_by_name": {SURNAME: 1}},
        {"per_patient": {SURNAME: 1}},
        [{"groups": {"by_patient": {SURNAME: [1, 2]}}}],
        {"results": {SURNAME: {"visits": 3}}},  # a capitalised name, no index above it
    ],
)
def test_a_surname_used_as_a_key_is_masked(safe_harbor: Masker, doc: object) -> None:
    assert SURNAME.lower() not in shown(safe_harbor, doc).lower()


def test_an_index_keeps_the_field_names_beside_its_keys(safe_harbor: Masker) -> None:
    masked, _ = safe_harbor.mask_json(
        {"by_surname": {SURNAME: 1, "total": 2}, "by_status": {"active": 1, "Denied": 2}}
    )
    assert masked == {
        "by_surname": {"[PERSON]": 1, "total": 2},
        "by_status": {"active": 1, "Denied": 2},
    }


def test_field_names_of_common_json_stay(safe_harbor: Masker) -> None:
    """FHIR keys (camelCase), REST keys, and capitalised .NET-style keys."""
    doc = {
        "resourceType": "Patient",
        "meta": {"versionId": "1"},
        "status": "active",
        "visits": 3,
        "Status": "ok",
        "Meta": {"Total": 1, "Branch": "main", "Topic": "x", "Items": [], "Visits": 2},
    }
    masked, _ = safe_harbor.mask_json(doc)
    assert isinstance(masked, dict)
    assert list(masked) == list(doc)
    assert list(masked["Meta"]) == list(doc["Meta"])  # type: ignore[call-overload]


# ── finding 2: columnar JSON ─────────────────────────────────────────────────
@pytest.mark.parametrize(
    "doc",
    [
        {"columns": ["ssn", "mrn"], "rows": [[SSN, MRN]]},
        {"Columns": ["SSN", "MRN"], "Rows": [[int(SSN), int(MRN)]]},
        {"fields": ["ssn", "mrn"], "data": [[SSN, MRN], [SSN, MRN]]},
        {"columns": [{"name": "ssn", "type": "varchar"}, {"name": "mrn"}], "data": [[SSN, MRN]]},
        {"schema": {"fields": [{"name": "ssn"}, {"name": "mrn"}]}, "data": [[SSN, MRN]]},
        {"columns": ["ssn", "mrn"], "index": [0], "data": [[SSN, MRN]]},  # pandas "split"
        {"meta": [{"name": "ssn"}, {"name": "mrn"}], "data": [[SSN, MRN]]},  # ClickHouse
        {
            "schema": {"fields": [{"name": "ssn"}, {"name": "mrn"}]},
            "rows": [{"f": [{"v": SSN}, {"v": MRN}]}],  # BigQuery
        },
        [["ssn", "mrn"], [SSN, MRN]],
        {  # Snowflake SQL API
            "resultSetMetaData": {"rowType": [{"name": "SSN"}, {"name": "MRN"}]},
            "data": [[SSN, MRN]],
        },
        {  # Databricks SQL statement execution
            "manifest": {"schema": {"columns": [{"name": "ssn"}, {"name": "mrn"}]}},
            "result": {"data_array": [[SSN, MRN]]},
        },
        [["Social Security Number", "Medical record number"], [SSN, MRN], [SSN, MRN]],
        {"sheet": {"values": [["id", "ssn", "mrn"], [1, SSN, MRN]]}},
    ],
)
def test_columnar_json_is_masked_by_its_column_names(safe_harbor: Masker, doc: object) -> None:
    text = shown(safe_harbor, doc)
    assert SSN not in text and MRN not in text, text


def test_a_table_header_keeps_nothing_it_would_not_keep(safe_harbor: Masker) -> None:
    """A column named `id` or `count` does not stop its cells being scanned: column
    names only add masking; a table without a type-naming column is walked as usual."""
    masked, _ = safe_harbor.mask_json([["count", "ssn"], ["536-22-8471", "x"], [2, "y"]])
    assert masked == [["count", "ssn"], ["[SSN]", "[SSN]"], [2, "[SSN]"]]
    plain = [["a", "b"], ["x", 1]]
    assert safe_harbor.mask_json(plain)[0] == plain


# ── finding 3: name/value pairs ──────────────────────────────────────────────
@pytest.mark.parametrize(
    "doc",
    [
        {"resourceType": "Parameters", "parameter": [{"name": "ssn", "valueString": SSN}]},
        {
            "resourceType": "Parameters",
            "parameter": [{"name": "result", "part": [{"name": "MRN", "valueInteger": int(MRN)}]}],
        },
        {"fields": [{"key": "SSN", "value": SSN}, {"key": "MRN", "value": MRN}]},
        {"Fields": [{"Key": "ssn", "Value": int(SSN)}]},
        {"attrs": [{"field": "patient_number", "val": MRN}]},
        {"custom": [{"label": "Social Security Number", "value": [SSN]}]},
        {"item": [{"linkId": "1", "text": "SSN", "answer": [{"valueString": SSN}]}]},
        {
            "extension": [
                {"url": "http://example.org/fhir/StructureDefinition/mrn", "valueString": MRN}
            ]
        },
        {"pairs": [{"code": "SSN", "valueIdentifier": {"value": SSN}}]},
        {"UserAttributes": [{"Name": "custom:ssn", "Value": SSN}]},  # AWS Cognito
        {"attrs": [{"attributeName": "mrn", "attributeValue": MRN}]},
        {"attrs": [{"field_name": "SSN", "field_value": int(SSN)}]},
    ],
)
def test_name_value_pairs_are_masked_by_their_name(safe_harbor: Masker, doc: object) -> None:
    text = shown(safe_harbor, doc)
    assert SSN not in text and MRN not in text, text


def test_the_name_of_a_pair_is_a_field_name_not_a_person(safe_harbor: Masker) -> None:
    masked, _ = safe_harbor.mask_json(
        [
            {"name": "ssn", "valueString": SSN},
            {"name": "status", "value": "active"},
            {"name": SURNAME, "value": 3},
        ]
    )
    assert masked == [
        {"name": "ssn", "valueString": "[SSN]"},
        {"name": "status", "value": "active"},
        {"name": "[PERSON]", "value": 3},
    ]


def test_a_label_that_says_keep_does_not_keep(safe_harbor: Masker) -> None:
    masked, _ = safe_harbor.mask_json({"name": "count", "value": "536-22-8471"})
    assert masked == {"name": "count", "value": "[SSN]"}


# ── finding 6: FHIR search tokens ────────────────────────────────────────────
@pytest.mark.parametrize(
    ("text", "label"),
    [
        (f"Patient?identifier=urn:oid:2.16.840.1.113883.4.1|{SSN}", "[SSN]"),
        (f"identifier=http://hl7.org/fhir/sid/us-ssn%7C{SSN}&_count=1", "[SSN]"),
        (f"Patient?identifier=urn:oid:1.2.3|{MRN}", "[ID]"),
        (f"Patient?identifier={MRN}", "[ID]"),
        (f"Observation?patient.identifier=http://acme.org/mrn|{MRN}", "[MRN]"),
        (
            f"Patient?identifier:of-type=http://terminology.hl7.org/CodeSystem/v2-0203|MR|{MRN}",
            "[MRN]",
        ),
        (f"see Patient?IDENTIFIER=x|{MRN},y|{MRN} for both", "[ID]"),
    ],
)
def test_a_search_token_identifier_is_masked(safe_harbor: Masker, text: str, label: str) -> None:
    for doc in ({"reference": text}, {"ifNoneExist": text}, [text], {"note": {"x": [text]}}):
        out = shown(safe_harbor, doc)
        assert SSN not in out and MRN not in out, out
        assert label in out or "[URL]" in out, out  # a system URL may be masked whole after


def test_an_impersonal_resources_search_token_is_scanned(safe_harbor: Masker) -> None:
    """`Organization?identifier=…` names an organisation, as its `identifier` does."""
    text = "Organization?identifier=https://github.com/synthetichealth/synthea|dd406540-fa97"
    assert safe_harbor.mask_json({"reference": text})[0] == {"reference": text}
    other = f"Patient?identifier=https://github.com/synthetichealth/synthea|{MRN}"
    assert MRN not in shown(safe_harbor, {"reference": other})


@pytest.mark.parametrize(
    "text",
    [
        f"Patient?family={SURNAME}&_count=1",
        f"Patient?name:exact={SURNAME}",
        f"https://fhir.example/Patient?ssn={SSN}",
        f"lookup failed for mrn={MRN}; retry",
        "Patient?birthdate=1931-02-03&phone=4155550199&email=a%40b.org",
    ],
)
def test_a_query_parameter_that_names_its_type_is_masked(safe_harbor: Masker, text: str) -> None:
    out = shown(safe_harbor, {"reference": text})
    for value in (SURNAME, SSN, MRN, "1931-02", "4155550199", "a%40b"):
        assert value not in out, out


def test_query_parameters_that_say_nothing_stay(safe_harbor: Masker) -> None:
    text = "Observation?status=final&_count=10&code=8867-4&_sort=-date"
    assert safe_harbor.mask_json({"reference": text})[0] == {"reference": text}


# ── finding 7: ages over 89 as FHIR states them ──────────────────────────────
@pytest.mark.parametrize(
    "doc",
    [
        {"valueQuantity": {"value": 93, "unit": "years", "code": "a"}},
        {"onsetAge": {"value": 93, "unit": "yr", "system": "http://unitsofmeasure.org"}},
        {"x": [{"value": "93", "code": "a"}]},
        {"ageAtDiagnosis": {"value": 1116, "unit": "months"}},
        {
            "component": [
                {"code": {"coding": [{"code": "30525-0"}]}, "valueInteger": 93},
            ]
        },
        {"code": {"text": "Age"}, "valueQuantity": {"value": 93}},
        {"Value": 93.5, "Unit": "Years"},
    ],
)
def test_an_age_over_89_as_a_quantity_is_90_plus(safe_harbor: Masker, doc: object) -> None:
    text = shown(safe_harbor, doc)
    assert "93" not in text and "1116" not in text and "90+" in text, text


@pytest.mark.parametrize(
    "doc",
    [
        {"valueQuantity": {"value": 45, "unit": "years", "code": "a"}},
        {"code": {"coding": [{"code": "30525-0"}]}, "valueQuantity": {"value": 89, "unit": "a"}},
        {"valueQuantity": {"value": 93, "unit": "mg"}},
        {"valueQuantity": {"value": 93, "unit": "days"}},
    ],
)
def test_other_quantities_and_younger_ages_stay(safe_harbor: Masker, doc: object) -> None:
    assert safe_harbor.mask_json(doc)[0] == doc


# ── finding 10: identifiers under the names health IT gives them ────────────
@pytest.mark.parametrize(
    "key",
    [
        "hicn",
        "empi",
        "patient_number",
        "hospital_number",
        "ss_no",
        "tax_id",
        "TaxID",
        "mbi",
        "medicare_number",
        "medicaid_id",
        "patient_no",
        "pat_num",
        "hosp_no",
        "ssn_no",
        "social_security",
        "tin",
        "ein",
        "patientNumber",
        "EMPI_ID",
    ],
)
def test_a_key_naming_an_identifier_masks_it(safe_harbor: Masker, key: str) -> None:
    assert hint(key) not in (None, KEEP)
    for value in (SSN, int(SSN), [SSN]):
        assert SSN not in shown(safe_harbor, {key: value})


# ── round 10: a label anywhere above or beside a value decides its type ─────
@pytest.mark.parametrize(
    "doc",
    [
        # finding 1: arrays of [name, value] pairs, the first pair no header
        {"fields": [["ssn", SSN], ["mrn", MRN]]},
        [("mrn", MRN), ("status", "active"), ("ssn", int(SSN))],
        # finding 2: a typed identifier, its value under `id` or `number`
        {"identifiers": [{"type": "SSN", "id": SSN}, {"kind": "MRN", "id": MRN}]},
        {"ids": [{"identifierType": "SSN", "number": SSN}, {"system": "mrn", "number": MRN}]},
        # finding 3: name/value pairs spelled other ways, and a wrapped value
        {"fields": [{"k": "ssn", "v": SSN}, {"k": "mrn", "v": [MRN]}]},
        {
            "fields": [
                {"name": "ssn", "value": {"text": SSN}},
                {"name": "mrn", "value": [{"v": MRN}]},
            ]
        },
        {"record": {"field": [{"@name": "ssn", "#text": SSN}, {"@name": "mrn", "$": MRN}]}},
        # finding 4: Google DataTable, a sheet with a title (and a blank row) above its header
        {
            "cols": [{"id": "A", "label": "ssn"}, {"id": "B", "label": "MRN"}],
            "rows": [{"c": [{"v": SSN, "f": SSN}, {"v": int(MRN)}], "p": {}}],
        },
        [["Patient export"], ["ssn", "mrn"], [SSN, MRN]],
        [["Export"], [], ["Social Security Number", "Medical Record Number"], [SSN, MRN]],
        # finding 11: a type's key over an object
        {"ssn": {"0": SSN, "1": SSN}, "mrn": {"0": MRN}},
        {"ssn": {"value": SSN}, "mrn": {"text": MRN}},
        {"mrn": {"current": {"value": MRN}, "history": [{"v": MRN}, MRN]}},
        # finding 12: plural keys
        {"ssns": [SSN], "mrns": [MRN]},
        {"patient_ssns": [SSN], "medicalRecordNumbers": [MRN]},
        # finding 14: terms-aggregation buckets under the aggregation's name
        {"aggregations": {"ssn": {"buckets": [{"key": SSN, "doc_count": 1}]}}},
        {"aggregations": {"by_mrn": {"buckets": [{"key": MRN, "doc_count": 1}]}}},
        {"aggregations": {"mrns": {"buckets": [{"key": int(MRN), "key_as_string": MRN}]}}},
        {"mrn": {"buckets": [{"key": MRN, "doc_count": 2, "by_date": {"buckets": []}}]}},
    ],
)
def test_a_label_above_or_beside_a_value_decides_its_type(safe_harbor: Masker, doc: object) -> None:
    text = shown(safe_harbor, doc)
    assert SSN not in text and MRN not in text, text


def test_pairs_keep_their_names_and_what_their_names_keep(safe_harbor: Masker) -> None:
    masked, _ = safe_harbor.mask_json({"fields": [["ssn", SSN], ["visits", 3], ["status", "ok"]]})
    assert masked == {"fields": [["ssn", "[SSN]"], ["visits", 3], ["status", "ok"]]}


def test_a_table_whose_first_column_holds_values_is_no_list_of_pairs(safe_harbor: Masker) -> None:
    """`Okonkwo` reads as no label: the rows are a table under the header `name, ssn`."""
    masked, _ = safe_harbor.mask_json([["name", "ssn"], [SURNAME, SSN]])
    assert masked == [["name", "ssn"], ["[PERSON]", "[SSN]"]]


def test_the_title_above_a_sheets_header_stays(safe_harbor: Masker) -> None:
    masked, _ = safe_harbor.mask_json([["Quarterly export"], ["mrn", "visits"], [MRN, 3]])
    assert masked == [["Quarterly export"], ["mrn", "visits"], ["[MRN]", 3]]


def test_an_id_beside_a_kind_that_names_no_identifier_stays(safe_harbor: Masker) -> None:
    """A schema's `{"id": 5, "type": "date"}` and a resource's `{"type": "Patient", "id"}`
    keep their ids: only an identifier's kind (SSN, MRN, …) makes `id` its value."""
    doc = {"schema": [{"id": 5, "type": "date"}], "ref": {"type": "Patient", "id": "p1"}}
    masked, _ = safe_harbor.mask_json(doc)
    assert masked == doc


def test_row_labels_under_a_types_key_stay(safe_harbor: Masker) -> None:
    masked, _ = safe_harbor.mask_json({"ssn": {"0": SSN, "17": SSN}})
    assert masked == {"ssn": {"0": "[SSN]", "17": "[SSN]"}}


def test_a_record_under_a_types_key_keeps_its_own_field_names(safe_harbor: Masker) -> None:
    """A FHIR HumanName under `name` says what its fields are: `use` and a period stay,
    its `text` is the name."""
    doc = {"name": {"use": "official", "text": f"Ada {SURNAME}", "family": SURNAME}}
    masked, _ = safe_harbor.mask_json(doc)
    assert masked == {"name": {"use": "official", "text": "[PERSON]", "family": "[PERSON]"}}


def test_an_aggregations_structure_stays(safe_harbor: Masker) -> None:
    masked, _ = safe_harbor.mask_json({"by_mrn": {"buckets": [{"key": MRN, "doc_count": 3}]}})
    assert masked == {"by_mrn": {"buckets": [{"key": "[MRN]", "doc_count": 3}]}}


@pytest.mark.parametrize(
    ("key", "label"),
    [
        *(("ssns", "SSN"), ("mrns", "MRN"), ("phoneNumbers", "PHONE"), ("cities", "LOCATION")),
        *(("addresses", "STREET_ADDRESS"), ("patient_ids", KEEP), ("status", KEEP)),
    ],
)
def test_a_plural_key_reads_as_its_singular(key: str, label: str) -> None:
    assert hint(key) == label


@pytest.mark.parametrize(
    "doc",
    [
        [["first_name", "ada"], ["visits", 3]],  # pairs whose labels include no hint
        [["name", "visits"], ["okonkwo", 3]],  # a table whose first column is names
    ],
)
def test_pairs_or_a_table_when_either_may_be_true_both_mask(
    safe_harbor: Masker, doc: list[list[object]]
) -> None:
    masked, _ = safe_harbor.mask_json(doc)
    assert masked == [[doc[0][0], "[PERSON]"], ["[PERSON]", 3]]
