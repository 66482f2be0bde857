"""Round 10: a promises-only attack on phigate, after round 9's fixes.

Each test goes through a real front door (REST here) against a real local upstream
and asserts a promise. Open findings are `xfail(strict=True)` (`finding`): the mark
comes off when the finding is fixed. Attacks that held stay as ordinary tests.
"""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import psycopg
import pytest
import yaml
from psycopg import sql as pgsql

from phigate.ops.pgserver import EmbeddedPostgres
from tests.adversarial.harness import http_upstream, json_documents
from tests.adversarial.test_findings_round8 import _shown, search
from tests.conftest import DEMO_POLICY, Harness, demo_config, make_harness
from tests.connectors.support import harness_with, http_api
from tests.connectors.test_exec import exec_connection
from tests.connectors.test_http import Upstream, upstream

__all__ = ["search", "upstream"]  # fixtures of round 8 and tests/connectors

SSN_DIGITS = "536228471"  # an SSN as most systems store it: nine bare digits
MRN = "40123456"
SURNAME = "Okonkwo"

# The credential of the `api` connection, and the forms an upstream echoes it in:
# percent-encoded (a header copied into a link or a redirect), a hex dump of the
# request (debug endpoints, WAF logs), lower-cased (header values normalised), base32.
CREDENTIAL = "gw-S3cr3t-Token-7f3a9c2e1b"
ECHOES = {
    "percent-encoded": "".join(f"%{b:02X}" for b in CREDENTIAL.encode()),
    "hex": CREDENTIAL.encode().hex(),
    "lower-case": CREDENTIAL.lower(),
    "base32": base64.b32encode(CREDENTIAL.encode()).decode(),
}

# What healthcare APIs answer, in shapes of the families docs/masking.md#json reads
# (name/value pairs, columnar tables, identifiers), spelled as other tools spell them.
DOCUMENTS: dict[str, object] = {
    # Object.entries / dict.items() / Go and Elixir keyword lists: an array of pairs
    "/pairs": {"fields": [["ssn", SSN_DIGITS], ["mrn", MRN]]},
    # a typed identifier whose value sits under `id` or `number` (Epic, Cerner, MPIs)
    "/typed-id": {"identifiers": [{"type": "SSN", "id": SSN_DIGITS}, {"type": "MRN", "id": MRN}]},
    "/typed-number": {
        "ids": [{"type": "SSN", "number": SSN_DIGITS}, {"type": "MRN", "number": MRN}]
    },
    # name/value pairs spelled k/v, a value wrapped in an object, and XML turned JSON
    # (xml2js / BadgerFish: attributes as `@name`, text as `#text`)
    "/kv": {"fields": [{"k": "ssn", "v": SSN_DIGITS}]},
    "/wrapped-value": {"fields": [{"name": "ssn", "value": {"text": SSN_DIGITS}}]},
    "/xml-as-json": {"record": {"field": [{"@name": "ssn", "#text": SSN_DIGITS}]}},
    # Google Charts / Sheets DataTable: cols with labels, rows of {"c": [{"v": …}]}
    "/datatable": {"cols": [{"id": "A", "label": "ssn"}], "rows": [{"c": [{"v": SSN_DIGITS}]}]},
    # a sheet whose first row is a title, the header second (every exported report)
    "/titled-sheet": [["Patient export"], ["ssn", "mrn"], [SSN_DIGITS, MRN]],
    # CSV and XML carried in a JSON string (export jobs, SOAP bridges)
    "/csv-in-json": {"csv": f"ssn,mrn\n{SSN_DIGITS},{MRN}\n"},
    "/xml-in-json": {"xml": f"<Patient><ssn>{SSN_DIGITS}</ssn><mrn>{MRN}</mrn></Patient>"},
    # tables in free text: what psql, CSV and TSV exports, Markdown and HTML print
    "/markdown-table": {"note": f"| MRN | SSN |\n|---|---|\n| {MRN} | {SSN_DIGITS} |"},
    "/tsv-table": {"note": f"mrn\tssn\n{MRN}\t{SSN_DIGITS}"},
    "/csv-table": {"note": f"mrn,ssn\n{MRN},{SSN_DIGITS}"},
    "/html-table": {
        "note": f"<tr><th>MRN</th><th>SSN</th></tr><tr><td>{MRN}</td><td>{SSN_DIGITS}</td></tr>"
    },
    # the label after the value, and a JSON record escaped inside a log line
    "/label-after": {"note": f"{SSN_DIGITS} (SSN), {MRN} (MRN)"},
    "/escaped-json": {
        "log": 'saved {\\"mrn\\": \\"' + MRN + '\\", \\"ssn\\": \\"' + SSN_DIGITS + '\\"}'
    },
    # an SSN in fullwidth digits (East Asian input methods; NFKC reads it as ASCII)
    "/fullwidth": {"note": "SSN: ５３６-２２-８４７１"},
    **{f"/echo/{form}": {"you_sent": echo} for form, echo in ECHOES.items()},
    "/echo/held": {
        "you_sent": f"Bearer {CREDENTIAL}",
        "b64": base64.b64encode(CREDENTIAL.encode()).decode(),
    },
    # an MRN under its label as YAML writes it (kubectl get -o yaml, Helm values), and
    # pipe-separated (psql -A, HL7 v2-like exports)
    "/yaml-list": {"note": f"mrn:\n- {MRN}\n"},
    "/yaml-block": {"note": f"mrn: |\n  {MRN}\n"},
    "/pipes": {"note": f"mrn|{MRN}|ssn|{SSN_DIGITS}"},
    # pandas' DataFrame.to_json() default (orient="columns"): column -> {row: value}
    "/pandas-columns": {"ssn": {"0": SSN_DIGITS}, "mrn": {"0": MRN}},
    # a type's key over an object holding the value
    "/wrapped-under-key": {"ssn": {"value": SSN_DIGITS}, "mrn": {"text": MRN}},
    # a type's key in the plural, over a list
    "/plural-keys": {"ssns": [SSN_DIGITS], "mrns": [MRN]},
    # Elasticsearch/OpenSearch terms aggregations: buckets of {"key": value, "doc_count"}
    # under the aggregation's name (the field, or a name saying what it groups by)
    "/es-terms": {"aggregations": {"ssn": {"buckets": [{"key": SSN_DIGITS, "doc_count": 1}]}}},
    "/es-terms-by": {"aggregations": {"by_mrn": {"buckets": [{"key": MRN, "doc_count": 1}]}}},
    # held: the same values in the shapes round 8 pinned, and other held spellings
    "/held": {
        "plain": {"ssn": SSN_DIGITS, "mrn": MRN, "family": SURNAME},
        "graphql": {"data": {"p1": {"socialSecurityNumber": SSN_DIGITS}}},
        "odata": {"value": [{"Name": "MRN", "Value": MRN}]},
        "columnar": {"COLUMNS": ["SSN", "MRN"], "ROWS": [[SSN_DIGITS, MRN]]},
        "index": {"byLastName": {SURNAME: {"visits": 3}}},
        "json-in-json": json.dumps({"ssn": SSN_DIGITS, "mrn": MRN}),
        "hal": {"_links": {"self": {"href": f"/patients?ssn={SSN_DIGITS}&mrn={MRN}"}}},
        "float": {"ssn": float(SSN_DIGITS)},
        "pandas-list": {"ssn": [SSN_DIGITS], "mrn": [[MRN]]},
    },
}


@pytest.fixture(scope="module")
def documents() -> Iterator[str]:
    with http_upstream(json_documents(DOCUMENTS), "documents") as address:
        yield address


@pytest.fixture
async def api(tmp_path: Path, documents: str) -> AsyncIterator[Harness]:
    async with http_api(tmp_path, documents, CREDENTIAL) as harness:
        yield harness


def _assert_masked(shown: str) -> None:
    for value in (SSN_DIGITS, MRN, SURNAME):
        assert value not in shown, shown


# ── JSON masking: the same families, other spellings ────────────────────────
async def test_held_the_shapes_read_so_far_are_masked(api: Harness) -> None:
    _assert_masked(await _shown(api, "/held"))


async def test_an_array_of_name_value_pairs_is_masked_by_its_names(api: Harness) -> None:
    """`[["ssn", "536228471"], ["mrn", "40123456"]]` is what `Object.entries`,
    `dict.items()` and keyword lists serialise to. Both values come back as sent: the
    first pair is read as a columnar header (all strings, `ssn` names a type), so the
    second pair's label `mrn` is masked as an `[SSN]` and its MRN shown under it."""
    _assert_masked(await _shown(api, "/pairs"))


@pytest.mark.parametrize("path", ["/typed-id", "/typed-number"])
async def test_a_typed_identifier_is_masked_by_its_type(api: Harness, path: str) -> None:
    """`{"type": "SSN", "id": "536228471"}` names its value by a sibling label the
    name/value reading knows (`type`), but the value key is `id` or `number`, not
    one of `value*`/`*Value`/`val`/`answer`, so the SSN comes back (under `id` it is
    not even scanned: ids are kept)."""
    _assert_masked(await _shown(api, path))


@pytest.mark.parametrize("path", ["/kv", "/wrapped-value", "/xml-as-json"])
async def test_other_spellings_of_name_value_pairs_are_masked(api: Harness, path: str) -> None:
    """The same pair as `{"name": "ssn", "value": "…"}`, which is masked, spelled as
    key/value stores (`k`/`v`), XML-to-JSON converters (`@name`/`#text`) and a value
    wrapped in an object (`{"value": {"text": …}}`) write it: the SSN comes back."""
    _assert_masked(await _shown(api, path))


@pytest.mark.parametrize("path", ["/datatable", "/titled-sheet"])
async def test_other_columnar_tables_are_masked_by_their_columns(api: Harness, path: str) -> None:
    """Google's DataTable JSON (`cols[].label`, `rows[].c[].v`) and a sheet whose
    header is its second row (a title above it) carry the same table as
    `{"columns": …, "rows": …}`, which is masked; here the SSN and MRN come back."""
    _assert_masked(await _shown(api, path))


@pytest.mark.parametrize("path", ["/csv-in-json", "/xml-in-json"])
async def test_a_labelled_mrn_in_csv_or_xml_text_is_masked(api: Harness, path: str) -> None:
    """JSON strings are scanned like text; `ssn` before nine digits is found in both,
    but `<mrn>40123456</mrn>` and a CSV row under the header `ssn,mrn` keep the MRN:
    the text scanner's MRN label needs the label right before the value."""
    _assert_masked(await _shown(api, path))


# ── HTTP: method overrides other frameworks read ────────────────────────────
OVERRIDES = {
    # Salesforce's REST API: "POST …?_HttpMethod=PATCH" (for clients without PATCH)
    "salesforce-query": ({"_HttpMethod": "DELETE"}, "application/json", "{}"),
    "salesforce-form": ({}, "application/x-www-form-urlencoded", "_HttpMethod=DELETE"),
    # ASP.NET MVC's HttpRequestBase.GetHttpMethodOverride reads X-HTTP-Method-Override
    # from the headers, then the form, then the query string
    "aspnet-form": ({}, "application/x-www-form-urlencoded", "X-HTTP-Method-Override=DELETE"),
    "aspnet-query": ({"X-HTTP-Method-Override": "DELETE"}, "application/json", "{}"),
}


async def test_a_method_override_in_an_array_body_is_the_method(
    search: Harness, upstream: Upstream
) -> None:
    """docs/http.md: "every `_method` key counts, escaped, repeated or nested". The body
    `[{"_method": "DELETE"}]` sent as a JSON string is held for approval; the same body sent
    as JSON (`"body": [...]`, which the gateway serialises itself) reaches the upstream
    at once as the "read" POST."""
    request = {"method": "POST", "path": "/patients/search", "body": [{"_method": "DELETE"}]}
    answer = await search.client.post(
        "/v1/actions",
        headers=search.auth("claims-bot"),
        json={"connection": "api", "request": request},
    )
    assert answer.status_code in (202, 403), (answer.status_code, answer.text[:300])
    assert upstream.seen == []


@pytest.mark.parametrize("case", list(OVERRIDES))
async def test_a_method_override_other_frameworks_read_is_the_method(
    search: Harness, upstream: Upstream, case: str
) -> None:
    """docs/http.md: a method override is classified as the method it asks for, and
    lists `_method` (query, form, JSON) and three headers. Salesforce routes
    `_HttpMethod=DELETE` and ASP.NET MVC routes an `X-HTTP-Method-Override` form or
    query field as a DELETE; the gateway reads neither, so a POST a rule calls a read
    reaches the upstream at once."""
    query, content_type, body = OVERRIDES[case]
    request = {
        "method": "POST",
        "path": "/patients/search",
        "query": query,
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


# ── free text: labels that are not right before their value ────────────────
@pytest.mark.parametrize("path", ["/markdown-table", "/tsv-table", "/csv-table", "/html-table"])
async def test_a_table_in_text_is_masked_by_its_header(api: Harness, path: str) -> None:
    """The text scanner masks `MRN: 40123456` and `MRN` then `40123456` on the next
    line, but not the rows of a table whose header names the columns: what psql,
    spreadsheets and reports print (and an exec command's output, masked by the same
    scanner). Both the MRN and the nine-digit SSN come back."""
    _assert_masked(await _shown(api, path))


@pytest.mark.parametrize("path", ["/label-after", "/escaped-json"])
async def test_a_label_after_its_value_or_escaped_json_is_masked(api: Harness, path: str) -> None:
    """`536228471 (SSN)` names its value after it; `{\\"mrn\\": \\"40123456\\"}` is a
    JSON record as a log line quotes it (the unescaped one is masked). The first
    keeps the SSN (the MRN after it is masked), the second the MRN (the SSN is found
    by its shape after the label)."""
    _assert_masked(await _shown(api, path))


async def test_an_ssn_in_fullwidth_digits_is_masked(api: Harness) -> None:
    """`SSN: ５３６-２２-８４７１` is the same SSN in another Unicode form (NFKC makes it
    ASCII, as phigate does for subjects); its digits come back."""
    shown = await _shown(api, "/fullwidth")
    assert "８４７１" not in shown, shown


@pytest.fixture
async def shell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Harness]:
    """tests/connectors' exec connection, where `cat` is a read."""
    monkeypatch.setenv("PHIGATE_TEST_EXEC_SECRET", "not-a-real-secret-4711")
    harness = await harness_with(tmp_path, {"k8s": exec_connection(tmp_path)})
    try:
        yield harness
    finally:
        await harness.client.aclose()
        await harness.gateway.close()


async def test_a_table_in_a_commands_output_is_masked_by_its_header(shell: Harness) -> None:
    """The same through the exec door: `psql -A -F$'\\t'` or `cut` print a header line,
    then rows; a read (`cat` here) answers them as they came."""
    table = f"mrn\tssn\n{MRN}\t{SSN_DIGITS}\n"
    body = {"connection": "k8s", "argv": ["cat"], "stdin": table}
    answer = await shell.client.post("/v1/actions", headers=shell.auth("claims-bot"), json=body)
    assert answer.status_code == 200, answer.text
    stdout = answer.json()["result"]["stdout"]
    assert stdout.startswith("mrn"), stdout
    _assert_masked(stdout)


# ── the gateway's own credential, echoed ────────────────────────────────────
async def test_held_an_echoed_credential_and_its_base64_are_scrubbed(api: Harness) -> None:
    shown = await _shown(api, "/echo/held")
    assert CREDENTIAL not in shown and "REDACTED" in shown, shown


@pytest.mark.parametrize("form", list(ECHOES))
async def test_the_connections_credential_never_comes_back_in_any_form(
    api: Harness, form: str
) -> None:
    """docs/http.md: every credential is scrubbed "in every form an upstream could echo
    it" — as written, its token, `Basic` decoded, and base64 at any alignment. An
    upstream that copies the header into a link (percent-encoded), dumps the request
    in hex, or normalises header values to lower case hands the bearer token back to
    the agent, which the gateway exists to keep it from."""
    shown = await _shown(api, f"/echo/{form}")
    assert ECHOES[form] not in shown, shown


# ── a key that names a type, over something other than a value ─────────────
@pytest.mark.parametrize("path", ["/pandas-columns", "/wrapped-under-key"])
async def test_a_key_that_names_a_type_masks_the_values_inside_its_object(
    api: Harness, path: str
) -> None:
    """`{"ssn": ["536228471"]}` is masked, `{"ssn": {"0": "536228471"}}` is not:
    that is what pandas' `DataFrame.to_json()` writes by default (orient "columns").
    The hint reaches the object's keys (the row label `0` comes back as `[SSN]`) but
    not its values; `{"ssn": {"value": …}}` and `{"mrn": {"text": …}}` keep theirs."""
    _assert_masked(await _shown(api, path))


async def test_a_plural_key_names_the_same_type(api: Harness) -> None:
    """`{"ssn": [...]}` masks each value; `{"ssns": [...]}` and `{"mrns": [...]}`, the
    names a list of them gets, leave nine and eight bare digits, which the scanner
    does not recognise without a label."""
    _assert_masked(await _shown(api, "/plural-keys"))


@pytest.mark.parametrize("path", ["/es-terms", "/es-terms-by"])
async def test_search_engine_aggregation_buckets_are_masked(api: Harness, path: str) -> None:
    """A terms aggregation answers `{"aggregations": {NAME: {"buckets": [{"key": V,
    "doc_count": N}]}}}`: each bucket's `key` is a value of the field NAME says. Under
    `ssn` the SSN comes back; under `by_mrn` the index reading masks the key
    `buckets` as `[MRN]` and keeps the MRN inside."""
    _assert_masked(await _shown(api, path))


# ── held: SQL whose failure, row count or order depends on a PHI value ──────
CONDITIONS = [
    # a range whose bounds are out of order fails
    "SELECT int4range(ascii(substr(ssn, 1, 1)), {code}) AS r FROM patients WHERE id = 1",
    # a tsquery that does not parse fails
    "SELECT to_tsquery('x' || translate(substr(ssn, 1, 1), '{guess}', '&')) AS q"
    " FROM patients WHERE id = 1",
    # a negative LIMIT fails; any LIMIT sets the row count
    "SELECT id FROM claims LIMIT (SELECT ascii(substr(ssn, 1, 1)) - {code} FROM patients"
    " WHERE id = 1)",
    # a set-returning function in the select list: its row count is the digit
    "SELECT generate_series(1, ascii(substr(ssn, 1, 1)) - {code}) AS n FROM patients WHERE id = 1",
    # a negative window frame offset fails
    "SELECT sum(id) OVER (ORDER BY id ROWS BETWEEN (SELECT ascii(substr(ssn, 1, 1)) - {code}"
    " FROM patients WHERE id = 1) PRECEDING AND CURRENT ROW) AS s FROM claims",
    # an invalid regular expression fails
    "SELECT 'a' ~ translate(substr(ssn, 1, 1), '{guess}', '(') AS m FROM patients WHERE id = 1",
    # chr(0) fails
    "SELECT chr(ascii(substr(ssn, 1, 1)) - ascii('{guess}')) AS c FROM patients WHERE id = 1",
    # EXPLAIN ANALYZE counts the rows a condition on the SSN keeps
    "EXPLAIN ANALYZE SELECT 1 FROM patients WHERE ssn LIKE '{guess}%'",
]


def _first_digit(dsn: str) -> str:
    with psycopg.connect(dsn) as conn:
        row = conn.execute("SELECT substr(ssn, 1, 1) FROM patients WHERE id = 1").fetchone()
    assert row is not None
    return str(row[0])


@pytest.mark.parametrize("template", CONDITIONS)
async def test_held_a_computation_that_can_fail_on_phi_waits_for_approval(
    harness: Harness, ehr_dsn: str, template: str
) -> None:
    guess = _first_digit(ehr_dsn)
    sql = template.format(guess=guess, code=ord(guess))
    answer = await harness.submit("claims-bot", sql)
    assert answer.status_code in (202, 403), answer.text[:300]


# ── held: replicas on one PostgreSQL state ──────────────────────────────────
@pytest.fixture
async def replicas(
    tmp_path: Path, ehr_dsn: str, pg_server: EmbeddedPostgres
) -> AsyncIterator[tuple[Harness, Harness]]:
    """Two gateways over one PostgreSQL state; writes need two data owners."""
    state = f"state_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_server.dsn(), autocommit=True) as conn:
        conn.execute(pgsql.SQL("CREATE DATABASE {}").format(pgsql.Identifier(state)))
    text = DEMO_POLICY.read_text().format(state_db="-", http_port=0, secrets_dir="-")
    policy = yaml.safe_load(text)["policy"]
    for rule in policy["rules"]:
        if rule["name"] == "writes-and-exports-need-a-data-owner":
            rule["approvals"]["count"] = 2
    settings = demo_config(
        tmp_path, ehr_dsn, overrides={"state": {"url": pg_server.dsn(state)}, "policy": policy}
    )
    first = await make_harness(settings)
    second = await make_harness(settings.model_copy())
    second.tokens = first.tokens
    try:
        yield first, second
    finally:
        for harness in (first, second):
            await harness.client.aclose()
            await harness.gateway.close()


async def test_held_one_human_voting_on_two_replicas_at_once_is_one_vote(
    replicas: tuple[Harness, Harness], ehr_dsn: str
) -> None:
    """alice votes on replica A and B at the same moment on a write that needs two
    data owners: one vote counts; with bob's it runs once, whichever replica and
    however many resubmissions ask."""
    a, b = replicas
    bump = "UPDATE claims SET amount = amount + 1 WHERE id = 43"
    with psycopg.connect(ehr_dsn) as conn:
        before = conn.execute("SELECT amount FROM claims WHERE id = 43").fetchone()
    asked = await a.submit("claims-bot", bump)
    assert asked.status_code == 202, asked.text
    approval, action = asked.json()["approval"]["id"], asked.json()["id"]
    votes = await asyncio.gather(
        *(
            h.client.post(f"/v1/approvals/{approval}/approve", headers=h.auth("alice"), json={})
            for h in (a, b)
        )
    )
    assert sorted(v.status_code for v in votes) == [200, 403], [v.text for v in votes]
    assert a.gateway.approval(approval).state == "pending"
    voted = await b.client.post(f"/v1/approvals/{approval}/approve", headers=b.auth("bob"), json={})
    assert voted.status_code == 200 and a.gateway.approval(approval).state == "approved"
    runs = await asyncio.gather(
        *(
            h.client.post(f"/v1/actions/{action}/run", headers=h.auth("claims-bot"), json={})
            for h in (a, b, a, b)
        )
    )
    assert sorted(r.status_code for r in runs) == [200, 409, 409, 409], [r.text for r in runs]
    with psycopg.connect(ehr_dsn) as conn:
        after = conn.execute("SELECT amount FROM claims WHERE id = 43").fetchone()
    assert before is not None and after is not None and after[0] == before[0] + 1


@pytest.mark.parametrize("path", ["/yaml-list", "/yaml-block", "/pipes"])
async def test_an_mrn_under_its_label_in_yaml_or_pipes_is_masked(api: Harness, path: str) -> None:
    """`mrn: 40123456`, `mrn = 40123456` and `MRN:` then the number on the next line are
    masked; the same MRN as YAML writes a list or a block scalar under the key, or in
    a pipe-separated line (the SSN after `ssn|` is masked, by its shape), is not."""
    _assert_masked(await _shown(api, path))
