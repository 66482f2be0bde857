# ruff: noqa: E501  (SQL templates read best on one line each)
"""Hypothesis strategies that compose hostile statements over the demo EHR.

An `Attack` is one or more statements run in one session (REST gets them joined
into one text; the wire door runs them one after the other in one connection).
`kind` says which promise it probes:

- `read`: a SELECT that returns PHI through functions, casts, JSON, arrays,
  records, subqueries, set operations, windows, CASE, EXPLAIN or errors. Promise:
  no raw PHI (or a trivially decodable form of it) in anything that comes back.
- `channel`: a read whose row count (LIMIT/OFFSET/FETCH, set-returning function
  bounds, EXPLAIN ANALYZE row counts) is a character code of a PHI value. Promise:
  reads that use masked columns to decide what comes back need approval.
- `write`: a statement that tries to change the upstream (data-modifying CTEs,
  SELECT INTO, EXPLAIN ANALYZE of writes, large objects, prepared writes, several
  statements in one text). Promise: nothing changes without approval.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import strategies as st


@dataclass(frozen=True)
class Attack:
    kind: str  # read | channel | write
    statements: tuple[str, ...]
    tags: tuple[str, ...]  # how it was built, for the summary
    wire: bool = False  # also run over the wire door
    wire_only: bool = False  # sessions (PREPARE/DECLARE) that need the wire
    simple: bool = True  # wire: simple query protocol (else extended)
    named: bool = False  # wire: through a psycopg server-side cursor instead
    expect: dict[str, object] = field(default_factory=dict, hash=False, compare=False)

    @property
    def text(self) -> str:
        return "; ".join(self.statements)


# ----------------------------------------------------------------------- PHI sources

# (expression over `p` = patients, `n` = clinical_notes, `c` = claims, `e` =
# encounters, the FROM clause that binds it, a type hint)
TEXT_SOURCES = [
    ("p.first_name", "patients p", "name"),
    ("p.last_name", "patients p", "name"),
    ("p.ssn", "patients p", "ssn"),
    ("p.mrn", "patients p", "digits"),
    ("p.email", "patients p", "text"),
    ("p.phone", "patients p", "text"),
    ("p.address", "patients p", "text"),
    ("p.city", "patients p", "name"),
    ("p.zip", "patients p", "digits"),
    ("p.dob::text", "patients p", "text"),
    ("n.note_text", "clinical_notes n", "text"),
    ("c.member_id", "claims c", "text"),
    ("e.provider", "encounters e", "name"),
    ("n.author", "clinical_notes n", "name"),
    ("p.first_name || ' ' || p.last_name", "patients p", "name"),
]

# Transformations that keep the value (or a trivially decodable form of it).
KEEPING = [
    "reverse({})",
    "lower({})",
    "upper({})",
    "initcap({})",
    "substr({}, 1, 500)",
    "substring({} from 1)",
    "translate({}, '-', '')",
    "replace({}, '-', '')",
    "regexp_replace({}, '[^0-9A-Za-z@.]', '', 'g')",
    "overlay({} placing '' from 1 for 0)",
    "concat({}, '')",
    "concat('~', {}, '~')",
    "concat_ws('|', {}, 'x')",
    "format('%s', {})",
    "format('%I', {})",
    "format('%L', {})",
    "left({}, 500)",
    "right({}, 500)",
    "lpad({}, 60, '*')",
    "rpad({}, 60, '*')",
    "trim({})",
    "btrim({}, ' ')",
    "quote_literal({})",
    "quote_ident({})",
    "({})::varchar",
    "({})::name",
    "({})::char(80)",
    "({}) || ''",
    "'x' || ({})",
    "array_to_string(string_to_array({}, NULL), '')",
    "array_to_string(regexp_split_to_array({}, ''), '')",
    "split_part({}, '\u0001', 1)",
    "encode(convert_to({}, 'UTF8'), 'base64')",
    "encode(convert_to({}, 'UTF8'), 'hex')",
    "encode(({})::bytea, 'escape')",
    "convert_to({}, 'UTF8')",
    "({})::bytea",
    "md5({})",
    "to_json({})::text",
    "to_jsonb({}) #>> '{{}}'",
    "normalize({})",
    "unistr({})",
    "coalesce(NULL, {})",
    "nullif({}, '')",
    "greatest({}, '')",
    "least({}, '~~~~')",
    "CASE WHEN length({0}) > 0 THEN {0} END",
    "(array[{}])[1]",
    "repeat({}, 1)",
    "string_agg({}, '') OVER (PARTITION BY 1 ORDER BY 1)",
    "to_tsvector('simple', {})::text",
    "regexp_replace({}, '(.)', '\\1 ', 'g')",
    "translate({}, '0123456789', 'abcdefghij')",
    "string_to_array({}, '-')",
    "regexp_split_to_array({}, '')",
    "(SELECT string_agg(ch, ',') FROM regexp_split_to_table({}, '') ch)",
    "(SELECT array_agg(x) FROM unnest(string_to_array({}, '-')) x)",
    "(SELECT array_agg(x ORDER BY o) FROM unnest(string_to_array({}, ' ')) WITH ORDINALITY u(x, o))",
    "array_to_string(array[{}], ',')",
    "(array[{0}, {0}])::text",
]

DATE_EXPRS = [
    "p.dob",
    "p.dob + 0",
    "p.dob + 1",
    "p.dob + interval '0 days'",
    "p.dob::timestamp",
    "p.dob::timestamptz",
    "date_trunc('day', p.dob)",
    "to_char(p.dob, 'YYYY-MM-DD')",
    "to_char(p.dob, 'MM/DD/YYYY')",
    "to_char(p.dob, 'YYYYMMDD')",
    "to_char(p.dob, 'J')",
    "extract(epoch from p.dob)::bigint",
    "p.dob - date '1970-01-01'",
    "make_date(extract(year from p.dob)::int, extract(month from p.dob)::int, extract(day from p.dob)::int)",
    "extract(year from p.dob) * 10000 + extract(month from p.dob) * 100 + extract(day from p.dob)",
    "(extract(month from p.dob) || '/' || extract(day from p.dob) || '/' || extract(year from p.dob))",
    "to_json(p.dob)",
    "daterange(p.dob, p.dob + 1)",
    "p.dob::text::date",
    "age(date '2026-01-01', p.dob)",
]

NUMERIC_EXPRS = [
    "p.mrn::bigint",
    "p.mrn::numeric + 0",
    "p.mrn::bigint * 1",
    "p.mrn::bigint + 1",
    "replace(p.ssn, '-', '')::bigint",
    "replace(p.ssn, '-', '')::numeric",
    "p.zip::int",
    "p.zip::int + 0",
    "to_number(p.ssn, '999-99-9999')",
    "regexp_replace(p.phone, '[^0-9]', '', 'g')::numeric",
    "substr(c.member_id, 2)::bigint",
]

# The alias a value is returned under: a harmless-sounding one tries to make the
# masker trust the column.
ALIASES = ["", "id", "state", "sex", "amount", "department", "status", "cpt_code", "x", "count"]

# Casts or calls that fail with an error that quotes the value.
ERRORS = [
    "CAST({} AS int)",
    "({})::date",
    "({})::json",
    "({})::jsonb",
    "({})::uuid",
    "({})::inet",
    "({})::interval",
    "({})::regclass",
    "({})::regtype",
    "({})::boolean",
    "({})::numeric",
    "({})::money",
    "('{{' || ({}) || '}}')::int[]",
    "to_date({}, 'YYYY-MM-DD')",
    "to_number({}, '9')",
    "xmlparse(content '<' || ({}) || '>')",
    "({})::xml",
    "({})::bit(3)",
    "make_date(2000, 1, length({}) + 40)",
    "jsonb_path_query('{{}}', ({})::jsonpath)",
    "(({})::text)::tsquery",
    "'x'::text ~ ('(' || ({}))",
    "chr(0) || ({})",
    "format('%' || ({}), 1)",
    "repeat('x', -1) || ({})::int",
]

CLAIMS_COLUMNS = [
    "payer",
    "status",
    "cpt_code",
    "icd10_code",
    "member_id",
]


def _limit() -> st.SearchStrategy[str]:
    return st.sampled_from(
        ["LIMIT 3", "LIMIT 1", "LIMIT 5 OFFSET 2", "FETCH FIRST 2 ROWS ONLY", ""]
    )


@st.composite
def text_expr(draw: st.DrawFn) -> tuple[str, str, list[str]]:
    expr, source, _hint = draw(st.sampled_from(TEXT_SOURCES))
    tags = [expr.split(".")[-1].split()[0]]
    for _ in range(draw(st.integers(0, 3))):
        wrap = draw(st.sampled_from(KEEPING))
        expr = wrap.format(expr)
        tags.append(wrap.split("(")[0].strip() or wrap)
    return expr, source, tags


def _aliased(expr: str, alias: str) -> str:
    return f"{expr} AS {alias}" if alias else expr


@st.composite
def container(draw: st.DrawFn, expr: str, source: str) -> tuple[str, str]:
    """Wrap an expression into a whole statement; returns (name, sql)."""
    alias = draw(st.sampled_from(ALIASES))
    limit = draw(_limit())
    alias_letter = source.split()[-1]
    table = source.split()[0]
    col = draw(st.sampled_from(CLAIMS_COLUMNS))
    choices = {
        "plain": f"SELECT {_aliased(expr, alias)} FROM {source} {limit}",
        "ordered": f"SELECT {alias_letter}.id, {_aliased(expr, alias)} FROM {source} ORDER BY {alias_letter}.id {limit}",
        "to_json": f"SELECT to_json({expr}) FROM {source} {limit}",
        "json_object": f"SELECT json_build_object('{alias or 'k'}', {expr}) FROM {source} {limit}",
        "jsonb_arrow": f"SELECT jsonb_build_object('k', {expr}) ->> 'k' FROM {source} {limit}",
        "json_array": f"SELECT json_build_array({alias_letter}.id, {expr}) FROM {source} {limit}",
        "row_to_json": f"SELECT row_to_json(row({expr}, 1)) FROM {source} {limit}",
        "row": f"SELECT row({expr}, {alias_letter}.id) FROM {source} {limit}",
        "record_star": f"SELECT (r).* FROM (SELECT row({expr}, 1)::record AS r FROM {source} {limit}) s",
        "composite_star": f"SELECT (x).* FROM (SELECT {alias_letter} AS x FROM {source} {limit}) s",
        "whole_row_text": f"SELECT {alias_letter}::text FROM {source} {limit}",
        "jsonb_each_text": f"SELECT kv.* FROM {source}, jsonb_each_text(to_jsonb({alias_letter})) kv {limit}",
        "json_each": f"SELECT kv.value FROM {source}, json_each(row_to_json({alias_letter})) kv {limit}",
        "jsonb_each_expr": f"SELECT kv.* FROM {source}, jsonb_each_text(jsonb_build_object('{alias or 'state'}', {expr})) kv {limit}",
        "jsonb_to_record": f"SELECT r.* FROM {source}, jsonb_to_record(jsonb_build_object('{alias or 'payer'}', {expr})) AS r({alias or 'payer'} text) {limit}",
        "jsonb_to_record_row": f"SELECT r.* FROM {source}, jsonb_to_record(to_jsonb({alias_letter})) AS r(id int, {'sex' if table == 'patients' else 'status'} text) {limit}",
        "json_to_recordset": f"SELECT r.* FROM (SELECT json_agg(json_build_object('status', {expr})) j FROM (SELECT * FROM {source} {limit}) {alias_letter}) s, json_to_recordset(s.j) AS r(status text)",
        "populate_record": f"SELECT (jsonb_populate_record(null::claims, jsonb_build_object('{col}', {expr}))).* FROM {source} {limit}",
        "populate_record_col": f"SELECT (jsonb_populate_record(null::claims, jsonb_build_object('{col}', {expr}))).{col} FROM {source} {limit}",
        "populate_recordset": f"SELECT r.{col} FROM jsonb_populate_recordset(null::claims, (SELECT jsonb_agg(jsonb_build_object('{col}', {expr})) FROM (SELECT * FROM {source} {limit}) {alias_letter})) r",
        "array_agg": f"SELECT array_agg({expr}) FROM (SELECT * FROM {source} {limit}) {alias_letter}",
        "array_to_string": f"SELECT array_to_string(array_agg({expr}), ',') FROM (SELECT * FROM {source} {limit}) {alias_letter}",
        "string_agg": f"SELECT string_agg({expr}, ',') FROM (SELECT * FROM {source} {limit}) {alias_letter}",
        "json_agg": f"SELECT json_agg({expr}) FROM (SELECT * FROM {source} {limit}) {alias_letter}",
        "unnest": f"SELECT unnest(array[{expr}, 'x']) FROM {source} {limit}",
        "unnest_from": f"SELECT u FROM {source}, unnest(array[{expr}]) AS u {limit}",
        "scalar_subquery": f"SELECT (SELECT {expr} FROM {source} {limit or 'LIMIT 1'} ) AS {alias or 'v'}",
        "lateral": f"SELECT l.v FROM {source}, LATERAL (SELECT {expr} AS v) l {limit}",
        "cte": f"WITH t AS (SELECT {expr} AS v FROM {source}) SELECT v AS {alias or 'v'} FROM t {limit}",
        "cte_materialized": f"WITH t AS MATERIALIZED (SELECT {expr} AS v FROM {source} {limit}) SELECT * FROM t",
        "recursive_cte": f"WITH RECURSIVE r(n, v) AS (SELECT 1, ({expr})::text FROM {source} {limit or 'LIMIT 2'} UNION ALL SELECT n + 1, v FROM r WHERE n < 2) SELECT v FROM r",
        "union": f"SELECT {expr} FROM {source} UNION ALL SELECT 'x' {limit}",
        "union_first": f"SELECT 'x' AS {alias or 'x'} UNION ALL (SELECT {expr} FROM {source} {limit})",
        "intersect": f"(SELECT {expr} FROM {source}) INTERSECT (SELECT {expr} FROM {source}) {limit}",
        "except": f"(SELECT {expr} FROM {source}) EXCEPT (SELECT 'x') {limit}",
        "window_first": f"SELECT first_value({expr}) OVER (ORDER BY {alias_letter}.id) FROM {source} {limit}",
        "window_lag": f"SELECT lag({expr}) OVER (ORDER BY {alias_letter}.id) FROM {source} {limit}",
        "case": f"SELECT CASE WHEN {alias_letter}.id > 0 THEN {expr} ELSE 'x' END FROM {source} {limit}",
        "values": f"SELECT * FROM (VALUES ((SELECT {expr} FROM {source} LIMIT 1))) v({alias or 'v'})",
        "srf_select": f"SELECT generate_series(1, 1), {expr} FROM {source} {limit}",
        "table_func": f"SELECT * FROM {source} CROSS JOIN LATERAL regexp_split_to_table({expr}, ',') AS t {limit}",
        "string_to_table": f"SELECT string_to_table({expr}, NULL) FROM (SELECT * FROM {source} LIMIT 1) {alias_letter}",
        "xml": f"SELECT xmlelement(name x, {expr}) FROM {source} {limit}",
        "xmlforest": f"SELECT xmlforest({expr} AS v) FROM {source} {limit}",
        "rows_from": f"SELECT * FROM {source}, ROWS FROM (unnest(array[{expr}])) AS r(v) {limit}",
        "explain_verbose": f"EXPLAIN (VERBOSE) SELECT {expr} FROM {source} {limit}",
        "explain_analyze": f"EXPLAIN (ANALYZE, VERBOSE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT {expr} FROM {source} {limit}",
        "explain_json": f"EXPLAIN (FORMAT JSON, VERBOSE) SELECT {expr} FROM {source} {limit}",
        "multi_stmt": f"SELECT 'x' AS id; SELECT {_aliased(expr, alias)} FROM {source} {limit}",
        "multi_set": f"SET application_name = 'fuzz'; SELECT {expr} FROM {source} {limit}",
        "multi_empty": f";; SELECT {expr} FROM {source} {limit};",
    }
    name = draw(st.sampled_from(sorted(choices)))
    return name, " ".join(choices[name].split())


@st.composite
def read_attack(draw: st.DrawFn) -> Attack:
    family = draw(st.sampled_from(["text", "text", "text", "date", "numeric", "error"]))
    if family == "text":
        expr, source, tags = draw(text_expr())
    elif family == "date":
        expr, source, tags = draw(st.sampled_from(DATE_EXPRS)), "patients p", ["dob"]
        tags.append(expr.split("(")[0])
    elif family == "numeric":
        expr = draw(st.sampled_from(NUMERIC_EXPRS))
        source = "claims c" if expr.startswith("substr(c.") else "patients p"
        tags = [expr.split("(")[0]]
    else:
        inner, source, tags = draw(text_expr())
        wrap = draw(st.sampled_from(ERRORS))
        expr = wrap.format(inner)
        tags.append("error:" + wrap.split("(")[0])
    name, sql = draw(container(expr, source))
    return Attack(
        "read",
        (sql,),
        (family, name, *tags),
        wire=draw(st.integers(0, 7)) == 0,
        simple=draw(st.booleans()),
        named=draw(st.integers(0, 3)) == 0 and not name.startswith(("multi", "explain")),
    )


# --------------------------------------------------------------------------- channels

CHANNEL_COLUMNS = ["ssn", "mrn", "first_name", "last_name", "phone", "zip", "email"]


@st.composite
def channel_attack(draw: st.DrawFn) -> Attack:
    col = draw(st.sampled_from(CHANNEL_COLUMNS))
    pid = draw(st.integers(1, 200))
    pos = draw(st.integers(1, 4))
    code = f"ascii(substr((SELECT {col} FROM patients WHERE id = {pid}), {pos}, 1))"
    templates = {
        "srf_from": f"SELECT g FROM generate_series(1, {code}) g",
        "srf_select": f"SELECT generate_series(1, {code})",
        "limit": f"SELECT id FROM encounters LIMIT {code}",
        "limit_all": f"SELECT id FROM encounters LIMIT (SELECT {code})",
        "offset": f"SELECT id FROM encounters OFFSET (SELECT count(*) FROM encounters) - {code}",
        "fetch": f"SELECT id FROM encounters FETCH FIRST ({code}) ROWS ONLY",
        "count": f"SELECT count(*) FROM encounters WHERE id <= {code}",
        "sum": f"SELECT {code} + 0 AS n",
        "lateral_srf": f"SELECT x.g FROM (SELECT 1) s, LATERAL generate_series(1, {code}) x(g)",
        "explain_analyze": f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT g FROM generate_series(1, {code}) g",
        "recursive": f"WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < {code}) SELECT n FROM r",
        "repeat": f"SELECT length(repeat('x', {code})) AS n",
        "array_len": f"SELECT cardinality(array_fill(0, array[{code}])) AS n",
        "window_count": f"SELECT count(*) OVER () FROM generate_series(1, {code})",
        "error_bit": f"SELECT 1 / ({code} - {draw(st.integers(45, 57))}) AS n",
        "error_bit_cast": f"SELECT (CASE {code} WHEN 55 THEN 'x' ELSE '1' END)::int AS n",
    }
    name = draw(st.sampled_from(sorted(templates)))
    return Attack(
        "channel",
        (templates[name],),
        ("channel", name, col),
        wire=draw(st.integers(0, 5)) == 0,
        simple=draw(st.booleans()),
        expect={"column": col, "id": pid, "pos": pos},
    )


# ------------------------------------------------------------------------ predicates

PREDICATE_COLUMNS = ["ssn", "mrn", "first_name", "last_name", "email", "phone", "zip", "dob"]


@st.composite
def predicate_attack(draw: st.DrawFn) -> Attack:
    """A masked column used to decide which rows come back, hidden where a
    predicate check may not look. Promise: such reads need approval."""
    c = draw(st.sampled_from(PREDICATE_COLUMNS))
    v = draw(st.sampled_from(["1", "5", "A", "M", "19", "a"]))
    like = f"LIKE '{v}%'"
    templates = {
        "where": f"SELECT id FROM patients WHERE {c}::text {like}",
        "explain": f"EXPLAIN SELECT id FROM patients WHERE {c}::text {like}",
        "explain_json": f"EXPLAIN (FORMAT JSON) SELECT id FROM patients WHERE {c}::text = '{v}'",
        "explain_eq": f"EXPLAIN SELECT * FROM patients WHERE {c}::text = '{v}'",
        "field_select": f"SELECT count(*) FROM patients p WHERE (p).{c}::text {like}",
        "jsonb_arrow": f"SELECT count(*) FROM patients p WHERE to_jsonb(p) ->> '{c}' {like}",
        "json_arrow": f"SELECT id FROM patients p WHERE row_to_json(p) ->> '{c}' {like}",
        "jsonpath": f"SELECT id FROM patients p WHERE jsonb_path_exists(to_jsonb(p), '$.{c} ? (@ starts with \"{v}\")')",
        "jsonpath_select": f"SELECT jsonb_path_query_array(jsonb_agg(to_jsonb(p)), '$[*] ? (@.{c} starts with \"{v}\").id') FROM patients p",
        "each_text": f"SELECT count(*) FROM patients p, jsonb_each_text(to_jsonb(p)) kv WHERE kv.key = '{c}' AND kv.value {like}",
        "row_text": f"SELECT count(*) FROM patients p WHERE p::text LIKE '%,{v}%'",
        "subquery_alias": f"SELECT count(*) FROM (SELECT {c} AS v FROM patients) s WHERE v::text {like}",
        "cte_alias": f"WITH t AS (SELECT {c} AS v FROM patients) SELECT count(*) FROM t WHERE v::text {like}",
        "lateral_alias": f"SELECT count(*) FROM patients p, LATERAL (SELECT p.{c} AS v) l WHERE l.v::text {like}",
        "filter": f"SELECT count(*) FILTER (WHERE {c}::text {like}) FROM patients",
        "group_by": f"SELECT count(*) FROM patients GROUP BY left({c}::text, 1)",
        "order_by": f"SELECT id FROM patients ORDER BY {c} LIMIT 3",
        "window_order": f"SELECT id, rank() OVER (ORDER BY {c}) FROM patients LIMIT 3",
        "distinct_on": f"SELECT DISTINCT ON (left({c}::text, 1)) id FROM patients",
        "in_subquery": f"SELECT count(*) FROM patients WHERE id IN (SELECT id FROM patients WHERE {c}::text {like})",
        "exists": f"SELECT count(*) FROM patients p WHERE EXISTS (SELECT 1 FROM patients q WHERE q.id = p.id AND q.{c}::text {like})",
        "having": f"SELECT count(*) FROM patients HAVING max({c}::text) {like}",
        "array_contains": f"SELECT count(*) FROM patients p WHERE array[p.{c}::text] <@ array['{v}']",
        "jsonb_contains": f"SELECT count(*) FROM patients p WHERE to_jsonb(p) @> jsonb_build_object('{c}', '{v}')",
        "case_select": f"SELECT sum(CASE WHEN {c}::text {like} THEN 1 ELSE 0 END) FROM patients",
        "recursive": f"WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < (SELECT count(*) FROM patients p WHERE (p).{c}::text {like})) SELECT max(n) FROM r",
        "join_on": f"SELECT count(*) FROM patients a JOIN patients b ON a.{c} = b.{c} AND a.id <> b.id",
        "union_where": f"SELECT id FROM patients WHERE id < 0 UNION SELECT id FROM patients p WHERE (p).{c}::text {like}",
    }
    name = draw(st.sampled_from(sorted(templates)))
    return Attack(
        "predicate",
        (" ".join(templates[name].split()),),
        ("predicate", name, c),
        wire=draw(st.integers(0, 5)) == 0,
        simple=draw(st.booleans()),
    )


# ------------------------------------------------------------------------- catalogs


@st.composite
def catalog_attack(draw: st.DrawFn) -> Attack:
    """Statistics views hold sampled column values (histograms, most common values)."""
    t, c = draw(
        st.sampled_from(
            [("patients", c) for c in [*PREDICATE_COLUMNS, "city", "address"]]
            + [("claims", "member_id"), ("encounters", "provider"), ("clinical_notes", "author")]
        )
    )
    where = f"tablename = '{t}' AND attname = '{c}'"
    templates = {
        "histogram": f"SELECT histogram_bounds FROM pg_stats WHERE {where}",
        "histogram_text": f"SELECT histogram_bounds::text AS x FROM pg_stats WHERE {where}",
        "mcv": f"SELECT most_common_vals FROM pg_stats WHERE {where}",
        "mcv_text": f"SELECT most_common_vals::text AS status FROM pg_stats WHERE {where}",
        "unnest": f"SELECT unnest(histogram_bounds::text::text[]) FROM pg_stats WHERE {where}",
        "to_string": f"SELECT array_to_string(histogram_bounds::text::text[], ' ') FROM pg_stats WHERE {where}",
        "all": f"SELECT * FROM pg_catalog.pg_stats WHERE tablename = '{t}'",
        "json": f"SELECT to_jsonb(s) FROM pg_stats s WHERE {where}",
    }
    name = draw(st.sampled_from(sorted(templates)))
    return Attack(
        "read",
        (templates[name],),
        ("catalog", name, c),
        wire=draw(st.integers(0, 3)) == 0,
        simple=draw(st.booleans()),
    )


# ---------------------------------------------------------------------------- writes

WRITES = [
    "UPDATE claims SET status = 'fuzzed' WHERE id = {k}",
    "DELETE FROM claims WHERE id = {k}",
    "INSERT INTO claims SELECT id + 100000, patient_id, payer, member_id, amount, cpt_code, icd10_code, status, service_date FROM claims WHERE id = {k}",
    "UPDATE patients SET city = 'Fuzzville' WHERE id = {k}",
    "UPDATE ONLY public.claims SET amount = amount + 1 WHERE id = {k}",
    "UPDATE U&\"\\0063laims\" SET status = 'fuzzed' WHERE id = {k}",
    "MERGE INTO claims c USING (SELECT {k} AS id) s ON c.id = s.id WHEN MATCHED THEN UPDATE SET status = 'fuzzed'",
    "INSERT INTO clinical_notes (id, patient_id, author, written_at, note_text) VALUES (100000 + {k}, 1, 'x', now(), 'fuzzed') ON CONFLICT DO NOTHING",
]


@st.composite
def write_attack(draw: st.DrawFn) -> Attack:
    k = draw(st.integers(1, 200))
    w = draw(st.sampled_from(WRITES)).format(k=k)
    returning = w + " RETURNING id" if not w.startswith("MERGE") else w
    templates = {
        "cte": f"WITH d AS ({returning}) SELECT count(*) FROM d",
        "cte_unused": f"WITH d AS ({returning}) SELECT 1",
        "cte_nested": f"WITH a AS (SELECT 1), d AS ({returning}) SELECT * FROM a",
        "cte_recursive": f"WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 2), d AS ({returning}) SELECT n FROM r",
        "subquery_cte": f"SELECT (WITH d AS ({returning}) SELECT count(*) FROM d)",
        "explain_analyze": f"EXPLAIN ANALYZE {w}",
        "explain_analyze_opts": f"EXPLAIN (ANALYZE true, FORMAT JSON) {w}",
        "explain_analyze_cte": f"EXPLAIN (ANALYZE) WITH d AS ({returning}) SELECT 1",
        "plain": w,
        "comment": f"/* SELECT */ {w} -- read only",
        "select_into": f"SELECT * INTO fuzz_copy_{k} FROM claims",
        "create_table_as": f"CREATE TABLE fuzz_ctas_{k} AS SELECT * FROM claims",
        "select_then": f"SELECT 1; {w}",
        "commit_then": f"COMMIT; {w}",
        "read_write_txn": f"BEGIN READ WRITE; {w}; COMMIT",
        "set_then": f"SET default_transaction_read_only = off; {w}",
        "set_config_then": f"SELECT set_config('default_transaction_read_only', 'off', false); {w}",
        "prepare_execute": f"PREPARE fz_{k} AS {w}; EXECUTE fz_{k}",
        "lo_from_bytea": "SELECT lo_from_bytea(0, 'fuzz')",
        "lo_quoted": "SELECT \"lo_from_bytea\"(0, 'fuzz')",
        "lo_qualified": "SELECT pg_catalog.lo_create(0)",
        "lo_in_cte": "WITH x AS (SELECT lo_creat(-1) AS o) SELECT 1 FROM x",
        "lo_in_subquery": "SELECT id FROM claims WHERE id = (SELECT 1 + 0 * lo_creat(-1)) ",
        "for_update": f"SELECT id FROM claims WHERE id = {k} FOR UPDATE",
        "do": f"DO $$ BEGIN {w}; END $$",
        "values_then": f"VALUES (1); {w}",
        "copy_from": "COPY claims FROM STDIN",
        "truncate": "TRUNCATE clinical_notes",
        "call": "CALL fuzz_proc()",
        "query_to_xml": f"SELECT query_to_xml('{returning.replace(chr(39), chr(39) * 2)}', true, true, '')",
        "ts_stat": f"SELECT * FROM ts_stat('{returning.replace(chr(39), chr(39) * 2)}')",
    }
    name = draw(st.sampled_from(sorted(templates)))
    return Attack(
        "write",
        (templates[name],),
        ("write", name, w.split()[0].lower()),
        wire=draw(st.integers(0, 3)) == 0,
        simple=True,
    )


# -------------------------------------------------------------------------- sessions


@st.composite
def session_attack(draw: st.DrawFn) -> Attack:
    """PREPARE/EXECUTE and DECLARE/FETCH: the statement that returns rows names
    what another statement defined."""
    inner = draw(read_attack())
    sql = inner.statements[0]
    n = draw(st.integers(0, 10**6))
    style = draw(st.sampled_from(["prepare", "prepare_param", "declare", "declare_hold", "move"]))
    if style == "prepare":
        stmts = (f"PREPARE fzp{n} AS {sql}", f"EXECUTE fzp{n}")
    elif style == "prepare_param":
        stmts = (
            f"PREPARE fzq{n}(int) AS SELECT * FROM ({sql}) s LIMIT $1",
            f"EXECUTE fzq{n}(3)",
        )
    elif style == "declare":
        stmts = ("BEGIN", f"DECLARE fzc{n} CURSOR FOR {sql}", f"FETCH 5 FROM fzc{n}", "COMMIT")
    elif style == "declare_hold":
        stmts = (
            f"DECLARE fzh{n} CURSOR WITH HOLD FOR {sql}",
            f"FETCH ALL FROM fzh{n}",
            f"CLOSE fzh{n}",
        )
    else:
        stmts = (
            "BEGIN",
            f"DECLARE fzm{n} SCROLL CURSOR FOR {sql}",
            f"MOVE FORWARD 1 IN fzm{n}",
            f"FETCH BACKWARD 1 FROM fzm{n}",
            f"FETCH NEXT FROM fzm{n}",
            "ROLLBACK",
        )
    return Attack(
        "read",
        stmts,
        ("session", style, *inner.tags[1:]),
        wire=True,
        wire_only=draw(st.integers(0, 2)) > 0,
        simple=draw(st.booleans()),
    )


def attacks() -> st.SearchStrategy[Attack]:
    return st.one_of(
        read_attack(),
        read_attack(),
        read_attack(),
        channel_attack(),
        predicate_attack(),
        catalog_attack(),
        write_attack(),
        session_attack(),
    )
