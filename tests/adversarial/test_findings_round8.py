"""Round 8: a fresh attack on what phigate promises, before its fail-closed issue closes.

Each test goes through a real front door (REST here) against a real local upstream and
asserts a promise. Open findings are `xfail(strict=True)`: the mark comes off when the
finding is fixed. Attacks that held stay as ordinary tests.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import psycopg
import pytest

from phigate.doors.pgwire import _codec as codec
from tests.adversarial.harness import http_upstream, json_documents
from tests.adversarial.test_findings_round4 import (
    ask_then_approve,
    bind,
    client,
    run,
    set_status,
    status_of,
    wire,
)
from tests.conftest import Harness
from tests.connectors.support import harness_with
from tests.connectors.test_http import Upstream, call, http_connection, upstream
from tests.pgwire.conftest import Wire
from tests.pgwire.rawclient import RawClient, error_fields

__all__ = ["client", "upstream", "wire"]  # fixtures of round 4 and tests/connectors

SSN_DIGITS = "536228471"  # an SSN as most systems store it: nine bare digits
MRN = "40123456"
SURNAME = "Okonkwo"

# What healthcare APIs answer, in shapes other than one object per record.
DOCUMENTS: dict[str, object] = {
    # a map keyed by surname, as a lookup or a grouping endpoint answers
    "/by-surname": {"by_surname": {SURNAME: {"visits": 3}}},
    # columnar results: Trino/ClickHouse/BigQuery `columns` + `rows`, pandas "split"
    "/columnar": {"columns": ["ssn", "mrn"], "rows": [[SSN_DIGITS, MRN]]},
    # a table as a list of lists, its first row the header (CSV as JSON, Sheets API)
    "/sheet": [["ssn", "mrn"], [SSN_DIGITS, MRN]],
    # FHIR Parameters (the answer of $match, $everything-style operations)
    "/parameters": {
        "resourceType": "Parameters",
        "parameter": [{"name": "ssn", "valueString": SSN_DIGITS}],
    },
    # name/value pairs: custom fields of CRMs, form answers, EAV tables as JSON
    "/fields": {"fields": [{"key": "SSN", "value": SSN_DIGITS}, {"key": "MRN", "value": MRN}]},
    # FHIR search tokens `identifier=system|value`: a conditional reference and a
    # transaction entry's conditional create, both standard FHIR
    "/conditional": {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "resource": {
                    "resourceType": "Observation",
                    "subject": {"reference": f"Patient?identifier=urn:oid:1.2.3|{MRN}"},
                },
                "request": {
                    "method": "POST",
                    "url": "Patient",
                    "ifNoneExist": f"identifier=urn:oid:2.16.840.1.113883.4.1|{SSN_DIGITS}",
                },
            }
        ],
    },
    # an age over 89 as FHIR states it (LOINC 30525-0 "Age"); `{"age": 93}` is 90+
    "/age": {
        "resourceType": "Observation",
        "code": {"coding": [{"system": "http://loinc.org", "code": "30525-0"}], "text": "Age"},
        "valueQuantity": {"value": 93, "unit": "years", "code": "a"},
    },
    # identifiers under the names health IT gives them
    "/named": {
        "hicn": f"{SSN_DIGITS}A",  # Medicare's Health Insurance Claim Number: SSN + letter
        "empi": MRN,  # enterprise master patient index
        "patient_number": MRN,
        "hospital_number": MRN,
        "ss_no": SSN_DIGITS,
        "tax_id": int(SSN_DIGITS),  # a person's TIN is their SSN
    },
    # held: the same values as plain fields
    "/plain": {"ssn": SSN_DIGITS, "mrn": MRN, "family": SURNAME},
}


@pytest.fixture(scope="module")
def documents() -> Iterator[str]:
    with http_upstream(json_documents(DOCUMENTS), "documents") as address:
        yield address


@pytest.fixture
async def api(tmp_path: Path, documents: str) -> AsyncIterator[Harness]:
    harness = await harness_with(
        tmp_path, {"api": {"type": "http", "base_url": f"http://{documents}"}}
    )
    try:
        yield harness
    finally:
        await harness.client.aclose()
        await harness.gateway.close()


async def _shown(api: Harness, path: str) -> str:
    """The body the caller gets for `path`, as JSON text."""
    answer = await call(api, "GET", path)
    assert answer.status_code == 200, answer.text
    return json.dumps(answer.json()["result"]["body"], ensure_ascii=False)


# ── JSON masking: PHI in shapes other than `key: value` ─────────────────────
async def test_held_plain_fields_are_masked(api: Harness) -> None:
    shown = await _shown(api, "/plain")
    for value in (SSN_DIGITS, MRN, SURNAME):
        assert value not in shown, shown


async def test_a_surname_used_as_a_json_key_is_masked(api: Harness) -> None:
    """Round 7 masked identifiers used as keys, but only keys that do not look like a
    field name are scanned: `Okonkwo` is letters only, so it is taken for a field name
    and kept, even under `by_surname`, a key that says what its keys are (a key with a
    digit there is masked whole as that type, one without is not even scanned)."""
    shown = await _shown(api, "/by-surname")
    assert SURNAME not in shown, shown


@pytest.mark.parametrize("path", ["/columnar", "/sheet"])
async def test_columnar_json_is_masked_by_its_column_names(api: Harness, path: str) -> None:
    """`{"columns": ["ssn", "mrn"], "rows": [["536228471", "40123456"]]}` is how query
    engines and dataframes answer in JSON. Rows through the SQL door are masked by
    their column; here nine bare digits and eight bare digits are an SSN and an MRN
    only after a label, and the label is a sibling value, not their key."""
    shown = await _shown(api, path)
    assert SSN_DIGITS not in shown, shown
    assert MRN not in shown, shown


@pytest.mark.parametrize("path", ["/parameters", "/fields"])
async def test_name_value_pairs_are_masked_by_their_name(api: Harness, path: str) -> None:
    """FHIR `Parameters` (`{"name": "ssn", "valueString": …}`) and custom fields
    (`{"key": "SSN", "value": …}`) name each value in a sibling. The value comes back
    as sent (and the name `ssn` itself is shown as `[PERSON]`, under the key `name`)."""
    shown = await _shown(api, path)
    assert SSN_DIGITS not in shown, shown


@pytest.mark.parametrize(
    "key", ["hicn", "empi", "patient_number", "hospital_number", "ss_no", "tax_id"]
)
async def test_a_key_that_names_a_patient_identifier_masks_it(api: Harness, key: str) -> None:
    """docs/masking.md: bare digits "are not recognised ...: name them by a key". These
    keys name them, in the words health IT uses (HL7, Medicare, MPI vendors), and
    their values come back: `hint` knows `mrn`, `ssn`, `member_id`, not these, and
    reads `tax_id` as an id to keep, though an individual's TIN is their SSN."""
    answer = await call(api, "GET", "/named")
    assert answer.status_code == 200, answer.text
    body = answer.json()["result"]["body"]
    assert str(body[key]) not in (f"{SSN_DIGITS}A", MRN, SSN_DIGITS), body


async def test_a_fhir_search_token_identifier_is_masked(api: Harness) -> None:
    """Round 7 masked `identifier[].value` by its system; the same identifier written
    as a FHIR search token, in a conditional reference (`Patient?identifier=…|40123456`)
    or a transaction's `ifNoneExist`, comes back: the SSN's system is the SSA OID
    (`2.16.840.1.113883.4.1`, in `_fhir_identifiers._SYSTEMS`), and neither value has a label the
    text scanner knows."""
    shown = await _shown(api, "/conditional")
    assert SSN_DIGITS not in shown, shown
    assert MRN not in shown, shown


async def test_an_age_over_89_as_a_fhir_quantity_is_masked(api: Harness) -> None:
    """Safe Harbor: ages over 89 are identifiers. `{"age": 93}` is masked to `90+`; the
    same age as FHIR states it (an Observation coded Age, or any Quantity in years)
    comes back as 93."""
    shown = await _shown(api, "/age")
    assert json.loads(shown)["valueQuantity"]["value"] != 93, shown


# ── failure as an oracle: SQL/JSON constructors ─────────────────────────────
def _first_digit(dsn: str) -> str:
    """Patient 1's first SSN digit, read straight from the upstream (the test's truth)."""
    with psycopg.connect(dsn) as conn:
        row = conn.execute("SELECT substr(ssn, 1, 1) FROM patients WHERE id = 1").fetchone()
    assert row is not None
    return str(row[0])


@pytest.mark.parametrize(
    "template",
    [
        # a duplicate key fails the aggregate: an equality test on the key
        "SELECT JSON_OBJECTAGG(k : 1 WITH UNIQUE KEYS) AS x FROM (SELECT substr(ssn, 1, 1)"
        " AS k FROM patients WHERE id = 1 UNION ALL SELECT '{guess}') t",
        "SELECT JSON_OBJECT(substr(ssn, 1, 1) : 1, '{guess}' : 2 WITH UNIQUE KEYS) AS x"
        " FROM patients WHERE id = 1",
        # JSON() parses its argument: `x` is no JSON, a digit is
        "SELECT JSON(translate(substr(ssn, 1, 1), '{guess}', 'x')) AS x FROM patients WHERE id = 1",
        # RETURNING int of a JSON string that is no number
        "SELECT JSON_VALUE(jsonb_build_object('a', translate(substr(ssn, 1, 1), '{guess}',"
        " 'x')), '$.a' RETURNING int ERROR ON ERROR) AS x FROM patients WHERE id = 1",
        # a NULL key fails JSON_OBJECT; substring(… from '^d') is NULL unless it matches
        "SELECT JSON_OBJECT(substring(ssn from '^{guess}') : 1) AS x FROM patients WHERE id = 1",
        # a JSON_TABLE column of type int, ERROR ON ERROR
        "SELECT t.a FROM patients p, JSON_TABLE(jsonb_build_object('a', translate(substr("
        "p.ssn, 1, 1), '{guess}', 'x')), '$' COLUMNS (a int PATH '$.a' ERROR ON ERROR)) t"
        " WHERE p.id = 1",
    ],
    ids=[
        "objectagg-unique",
        "object-unique",
        "json-parse",
        "json-value-error",
        "object-null-key",
        "json-table",
    ],
)
async def test_a_sql_json_constructor_that_can_fail_is_a_condition(
    harness: Harness, ehr_dsn: str, template: str
) -> None:
    """docs/security.md: "every computation that can fail on some values of what it
    reads" is a condition. The SQL/JSON constructors are parse-tree nodes of their own
    (JsonObjectAgg, JsonConstructorExpr, JsonParseExpr, JsonFuncExpr), not function
    calls, and their failure modes are not read: the statement runs at once, and
    whether it fails says whether patient 1's first SSN digit is the guess."""
    right = _first_digit(ehr_dsn)
    wrong = "1" if right != "1" else "2"
    answers = [await harness.submit("claims-bot", template.format(guess=g)) for g in (right, wrong)]
    codes = [a.status_code for a in answers]
    if all(code in (202, 403) for code in codes):
        return
    assert codes[0] == codes[1], [a.text[:200] for a in answers]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT xmlparse(content translate(substr(ssn, 1, 1), '5', '<')) AS x FROM patients"
        " WHERE id = 1",
        "SELECT xmlpi(name php, translate(substr(ssn, 1, 1), '5', '?') || '>') AS x"
        " FROM patients WHERE id = 1",
        "SELECT t.v FROM patients p, XMLTABLE('/a' PASSING xmlelement(name a, p.ssn)"
        " COLUMNS v int PATH '.') t WHERE p.id = 1",
    ],
    ids=["xmlparse", "xmlpi", "xmltable"],
)
async def test_an_xml_function_that_can_fail_is_a_condition(harness: Harness, sql: str) -> None:
    """On a server built with libxml (Debian, RDS, Cloud SQL), `xmlparse` fails iff the
    first digit is 5 (`<` is no XML), `xmlpi` iff its text holds `?>`, and XMLTABLE's
    int column on any SSN. The test server has no libxml, so the oracle is asserted as
    the policy decision: such a read waits for approval, as a WHERE on ssn does."""
    answer = await harness.submit("claims-bot", sql)
    assert answer.status_code in (202, 403), answer.text[:300]


# ── HTTP: the method a server routes a request as ───────────────────────────
@pytest.fixture
async def search(tmp_path: Path, upstream: Upstream) -> AsyncIterator[Harness]:
    """A connection whose rule calls `POST /patients/search` a read (round 6's)."""
    connection = http_connection(upstream)
    connection["rules"] += [
        {
            "name": "search is a read",
            "methods": ["POST"],
            "path": "/patients/search",
            "risk": "read",
        }
    ]
    connection["headers_allowed"] = ["accept", "content-type"]
    harness = await harness_with(tmp_path, {"api": connection})
    upstream.seen.clear()
    try:
        yield harness
    finally:
        await harness.client.aclose()
        await harness.gateway.close()


OVERRIDES = {
    # Laravel reads `_method` from its input source, which is the JSON body for a JSON
    # request (Request::getInputSource); a body sent as text is the same bytes
    "json-text": ("application/json", '{"_method": "DELETE", "name": "x"}'),
    # the same, with the key escaped, duplicated, or behind a byte-order mark
    "json-escaped": ("application/json", '{"\\u005fmethod": "DELETE"}'),
    "json-duplicate": ("application/json", '{"_method": "GET", "_method": "DELETE"}'),
    "json-bom": ("application/json", '\ufeff{"_method": "DELETE"}'),
    # named in a way no parser here reads: never a read
    "unreadable": ("text/plain", "_method: DELETE"),
}


@pytest.mark.parametrize("case", list(OVERRIDES))
async def test_a_method_override_in_any_body_is_the_method(
    search: Harness, upstream: Upstream, case: str
) -> None:
    """Round 6 made `_method` in a form body or a JSON object body the method. The
    same JSON sent as a string body with `content-type: application/json` is parsed
    only as a form (`_http_rules.method_overrides`: `parse_qsl` of the text finds no
    `_method`), so a DELETE that Laravel routes runs at once as the "read" POST."""
    content_type, body = OVERRIDES[case]
    request = {
        "method": "POST",
        "path": "/patients/search",
        "headers": {"content-type": content_type},
        "body": body,
    }
    answer = await search.client.post(
        "/v1/actions",
        headers=search.auth("claims-bot"),
        json={"connection": "api", "request": request},
    )
    assert answer.status_code in (202, 403), (answer.status_code, answer.text[:300])
    assert upstream.seen == []


# ── grouping by an output column's position or name ─────────────────────────
# Patient 1's first SSN digit and a guess, as two rows; how many groups come back
# says whether they are equal.
BY_POSITION = (
    "SELECT x, count(*) AS n FROM (SELECT substr(ssn, 1, 1) AS x FROM patients WHERE id = 1"
    " UNION ALL SELECT '{guess}') t GROUP BY {grouping}"
)
BY_NAME = (
    "SELECT substr(k, 1, 1) AS d, count(*) AS n FROM (SELECT ssn AS k FROM patients"
    " WHERE id = 1 UNION ALL SELECT '{guess}') t GROUP BY {grouping}"
)
DISTINCT_ON_NAME = (
    "SELECT DISTINCT ON (d) substr(k, 1, 1) AS d FROM (SELECT ssn AS k FROM patients"
    " WHERE id = 1 UNION ALL SELECT '{guess}') t"
)


@pytest.mark.parametrize(
    "sql", [BY_POSITION.format(guess="5", grouping="1"), BY_NAME.format(guess="5", grouping="d")]
)
async def test_held_grouping_by_position_or_name_is_a_condition(harness: Harness, sql: str) -> None:
    answer = await harness.submit("claims-bot", sql)
    assert answer.status_code in (202, 403), answer.text[:300]


@pytest.mark.parametrize(
    "template",
    [
        BY_POSITION.replace("{grouping}", "ROLLUP(1)"),
        BY_POSITION.replace("{grouping}", "CUBE(1)"),
        BY_POSITION.replace("{grouping}", "GROUPING SETS ((1), ())"),
        BY_NAME.replace("{grouping}", "ROLLUP(d)"),
        DISTINCT_ON_NAME,
    ],
    ids=["rollup-1", "cube-1", "grouping-sets-1", "rollup-name", "distinct-on-name"],
)
async def test_grouping_by_an_output_column_is_a_condition(
    harness: Harness, ehr_dsn: str, template: str
) -> None:
    """`GROUP BY 1` and `GROUP BY d` (an output column's position or name) are held
    as a GROUP BY on ssn. PostgreSQL resolves positions and output names the same way
    inside ROLLUP, CUBE and GROUPING SETS, and output names in DISTINCT ON
    (`findTargetlistEntrySQL92`); the classifier reads `1` as a constant and `d` as
    no column of the input. The row count then says whether patient 1's first SSN
    digit equals the guess."""
    right = _first_digit(ehr_dsn)
    wrong = "1" if right != "1" else "2"
    answers = [await harness.submit("claims-bot", template.format(guess=g)) for g in (right, wrong)]
    if all(a.status_code in (202, 403) for a in answers):
        return
    counts = [a.json().get("result", {}).get("row_count") for a in answers]
    assert counts[0] == counts[1], [a.text[:200] for a in answers]


async def test_a_values_list_ordered_by_position_is_a_condition(harness: Harness) -> None:
    """`SELECT a, x FROM … ORDER BY 2` is held as an ORDER BY on ssn; the same order on
    a bare VALUES list runs at once, and the unmasked first column says whether
    patient 1's first SSN digit sorts before the guess."""
    sql = "VALUES (1, (SELECT substr(ssn, 1, 1) FROM patients WHERE id = 1)), (2, '5') ORDER BY 2"
    answer = await harness.submit("claims-bot", sql)
    assert answer.status_code in (202, 403), answer.text[:300]


# ── a recursive query's CYCLE and SEARCH clauses ────────────────────────────
CYCLE = (
    "WITH RECURSIVE t(k, n) AS (SELECT substr(ssn, 1, 1), 1 FROM patients WHERE id = 1"
    " UNION ALL SELECT '{guess}', n + 1 FROM t WHERE n < 3) CYCLE k SET c USING p"
    " SELECT n FROM t"
)
SEARCH = (
    "WITH RECURSIVE t(k, n) AS (SELECT substr(ssn, 1, 1), 1 FROM patients WHERE id = 1"
    " UNION ALL SELECT '{guess}', n + 1 FROM t WHERE n < 2) SEARCH BREADTH FIRST BY k SET o"
    " SELECT n FROM t ORDER BY o DESC"
)


@pytest.mark.parametrize("template", [CYCLE], ids=["cycle"])
async def test_a_recursive_querys_cycle_column_is_a_condition(
    harness: Harness, ehr_dsn: str, template: str
) -> None:
    """`CYCLE k` marks a row whose `k` equals one already on its path and stops there:
    an equality test on k. With patient 1's first SSN digit as the first k and the
    guess as the next, the query answers two rows when they are equal, three when not
    (the row count is not masked)."""
    right = _first_digit(ehr_dsn)
    wrong = "1" if right != "1" else "2"
    answers = [await harness.submit("claims-bot", template.format(guess=g)) for g in (right, wrong)]
    if all(a.status_code in (202, 403) for a in answers):
        return
    counts = [a.json().get("result", {}).get("row_count") for a in answers]
    assert counts[0] == counts[1], [a.text[:200] for a in answers]


async def test_a_recursive_querys_search_column_is_a_condition(
    harness: Harness, ehr_dsn: str
) -> None:
    """`SEARCH BREADTH FIRST BY k SET o` orders rows of one depth by k, as ORDER BY k
    would; ORDER BY ssn is held, this runs at once."""
    answer = await harness.submit("claims-bot", SEARCH.format(guess="5"))
    assert answer.status_code in (202, 403), answer.text[:300]


# ── the wire: an approved write after an error of the gateway's own making ────
BEFORE_THE_WRITE = {
    # a write that waits for approval (55000 after the session's short wait)
    "pending": codec.build_parse("q", "UPDATE claims SET status = 'void' WHERE id = 88")
    + bind("", "q")
    + codec.execute(""),
    "denied": codec.build_parse("q", "DROP TABLE claims") + bind("", "q") + codec.execute(""),
    "unknown-portal": codec.execute("nope"),
    "unknown-statement": bind("", "nostatement"),
}


@pytest.mark.parametrize("first", list(BEFORE_THE_WRITE))
async def test_held_a_write_after_a_refusal_in_its_batch_does_not_run(
    wire: Wire, client: RawClient, ehr_dsn: str, first: str
) -> None:
    """Held: the server skips everything up to Sync after an error, the gateway's own
    errors (pending, denied, no such portal or statement) included; the approved
    write sent after one in the same batch does not commit."""
    set_status(ehr_dsn, 85, "new")
    await ask_then_approve(wire, client, 85)
    client.send(BEFORE_THE_WRITE[first] + run("w", "paid", "85") + codec.SYNC)
    answers = await client.until(b"Z")
    assert "C" in error_fields(answers), answers
    assert status_of(ehr_dsn, 85) == "new"
