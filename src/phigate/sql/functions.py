"""The function lists: which PostgreSQL functions are side-effect free, which are dangerous.

A function call is classified by its resolved name (see `function_key`):

* names in `SAFE_FUNCTIONS` (built-in, side-effect free) are `read`;
* names in `DANGEROUS_FUNCTIONS` get the class listed there;
* names a library caller passes to `classify(..., extra_functions=...)` get the
  class given there (phigate.yaml has no such setting: the gateway classifies
  with the built-in lists only);
* everything else is `unknown`, because a user-defined function can do anything.

Only unqualified names and names qualified with `pg_catalog` can match the
built-in lists: `public.upper(x)` is somebody's function, not the built-in one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from phigate.core.risk import RiskClass

_STRING = """
ascii bit_length btrim char_length character_length chr concat concat_ws convert convert_from
convert_to decode encode format initcap left length lower lpad ltrim md5 normalize is_normalized
octet_length overlay parse_ident position quote_ident quote_literal quote_nullable regexp_count
regexp_instr regexp_like regexp_match regexp_matches regexp_replace regexp_split_to_array
regexp_split_to_table regexp_substr repeat replace reverse right rpad rtrim split_part starts_with
string_to_array string_to_table strpos substr substring to_ascii to_hex translate trim upper
unistr casefold sha224 sha256 sha384 sha512 crc32 crc32c get_bit get_byte set_bit set_byte
bit_count text textlen like_escape similar_escape similar_to_escape to_bin to_oct
"""

_MATH = """
abs cbrt ceil ceiling degrees div exp factorial floor gcd lcm ln log log10 min_scale mod pi power
radians round scale sign sqrt trim_scale trunc width_bucket acos acosd asin asind atan atan2
atan2d atand cos cosd cot cotd sin sind tan tand sinh cosh tanh asinh acosh atanh erf erfc
random random_normal setseed numeric int2 int4 int8 float4 float8 gamma lgamma
"""

_DATETIME = """
age clock_timestamp current_date current_time current_timestamp date_add date_bin date_part
date_subtract date_trunc extract isfinite justify_days justify_hours justify_interval localtime
localtimestamp make_date make_interval make_time make_timestamp make_timestamptz now
statement_timestamp timeofday transaction_timestamp to_timestamp to_char to_date to_number
timezone overlaps
"""

_AGGREGATE = """
array_agg avg bit_and bit_or bit_xor bool_and bool_or count every json_agg jsonb_agg
json_object_agg jsonb_object_agg json_agg_strict jsonb_agg_strict json_object_agg_strict
jsonb_object_agg_strict json_object_agg_unique jsonb_object_agg_unique
json_object_agg_unique_strict jsonb_object_agg_unique_strict json_arrayagg json_objectagg
max min range_agg range_intersect_agg string_agg sum xmlagg any_value corr covar_pop covar_samp
regr_avgx regr_avgy regr_count regr_intercept regr_r2 regr_slope regr_sxx regr_sxy regr_syy
stddev stddev_pop stddev_samp variance var_pop var_samp mode percentile_cont percentile_disc
rank dense_rank percent_rank cume_dist grouping
"""

_WINDOW = """
row_number ntile lag lead first_value last_value nth_value
"""

_JSON = """
to_json to_jsonb array_to_json row_to_json json_build_array jsonb_build_array json_build_object
jsonb_build_object json_object jsonb_object json_array_length jsonb_array_length json_each
jsonb_each json_each_text jsonb_each_text json_extract_path jsonb_extract_path
json_extract_path_text jsonb_extract_path_text json_object_keys jsonb_object_keys
json_populate_record jsonb_populate_record json_populate_recordset jsonb_populate_recordset
json_array_elements jsonb_array_elements json_array_elements_text jsonb_array_elements_text
json_typeof jsonb_typeof json_to_record jsonb_to_record json_to_recordset jsonb_to_recordset
json_strip_nulls jsonb_strip_nulls jsonb_set jsonb_set_lax jsonb_insert jsonb_pretty
jsonb_path_exists jsonb_path_match jsonb_path_query jsonb_path_query_array
jsonb_path_query_first jsonb_path_exists_tz jsonb_path_match_tz jsonb_path_query_tz
jsonb_path_query_array_tz jsonb_path_query_first_tz json_scalar json_serialize
json_populate_record_valid jsonb_populate_record_valid
"""

_ARRAY_AND_SETS = """
array_append array_cat array_dims array_fill array_length array_lower array_ndims array_position
array_positions array_prepend array_remove array_replace array_sample array_shuffle
array_to_string array_upper cardinality trim_array unnest generate_series generate_subscripts
array_reverse array_sort
"""

_CONDITIONAL_AND_INFO = """
coalesce nullif greatest least num_nonnulls num_nulls current_database current_catalog
current_schema current_schemas current_user current_role session_user user system_user version
pg_typeof format_type pg_column_size pg_size_pretty pg_size_bytes current_setting
pg_backend_pid inet_client_addr inet_client_port inet_server_addr inet_server_port
pg_postmaster_start_time pg_conf_load_time pg_is_in_recovery pg_get_viewdef pg_get_ruledef
pg_get_indexdef pg_get_constraintdef pg_get_functiondef pg_get_function_arguments
pg_get_function_result pg_get_function_identity_arguments pg_get_triggerdef pg_get_expr
pg_get_keywords pg_get_serial_sequence pg_get_userbyid pg_get_statisticsobjdef
pg_table_is_visible pg_type_is_visible pg_function_is_visible obj_description col_description
shobj_description has_table_privilege has_column_privilege has_schema_privilege
has_database_privilege has_function_privilege has_sequence_privilege has_any_column_privilege
pg_has_role pg_relation_size pg_total_relation_size pg_table_size pg_indexes_size
pg_database_size pg_encoding_to_char pg_char_to_encoding pg_client_encoding
pg_current_xact_id_if_assigned pg_input_is_valid pg_input_error_info pg_jit_available
pg_trigger_depth txid_current_if_assigned to_regclass to_regtype to_regproc to_regprocedure
to_regnamespace to_regrole to_regoper to_regtypemod currval lastval gen_random_uuid uuidv4
uuidv7 uuid_extract_timestamp uuid_extract_version quote_all_identifiers
"""

# What psql's \d commands, SQLAlchemy's reflection and other schema browsers call:
# descriptions of catalog objects, visibility and privilege checks. No data.
_CATALOG = """
pg_partition_ancestors pg_partition_root pg_partition_tree pg_get_partkeydef
pg_get_partition_constraintdef pg_get_statisticsobjdef_columns
pg_get_statisticsobjdef_expressions pg_relation_is_publishable pg_available_extensions
pg_available_extension_versions pg_get_replica_identity_index
pg_options_to_table pg_describe_object pg_identify_object pg_identify_object_as_address
pg_get_function_sqlbody pg_collation_is_visible pg_conversion_is_visible
pg_opclass_is_visible pg_operator_is_visible pg_opfamily_is_visible
pg_statistics_obj_is_visible pg_ts_config_is_visible pg_ts_dict_is_visible
pg_ts_parser_is_visible pg_ts_template_is_visible pg_index_column_has_property
pg_index_has_property pg_indexam_has_property pg_get_acl aclexplode acldefault
has_tablespace_privilege has_type_privilege has_foreign_data_wrapper_privilege
has_server_privilege has_language_privilege has_parameter_privilege
pg_settings_get_flags pg_get_publication_tables
"""

_XML_AND_MISC = """
xmlcomment xmlconcat xmlelement xmlforest xmlpi xmlroot xmlexists xml_is_well_formed
xml_is_well_formed_document xml_is_well_formed_content xpath xpath_exists xmlparse
xmlserialize xmltext collation_for host hostmask masklen netmask network abbrev broadcast family
inet_merge inet_same_family set_masklen bool int4range int8range numrange
tsrange tstzrange daterange lower_inc upper_inc lower_inf upper_inf isempty range_merge
multirange to_tsvector to_tsquery plainto_tsquery phraseto_tsquery websearch_to_tsquery
ts_rank ts_rank_cd ts_headline setweight strip numnode querytree
"""

SAFE_FUNCTIONS: frozenset[str] = frozenset(
    " ".join(
        (
            _STRING,
            _MATH,
            _DATETIME,
            _AGGREGATE,
            _WINDOW,
            _JSON,
            _ARRAY_AND_SETS,
            _CONDITIONAL_AND_INFO,
            _CATALOG,
            _XML_AND_MISC,
        )
    ).split()
)


def words(text: str) -> frozenset[str]:
    """The whitespace-separated words of `text`, for long name lists."""
    return frozenset(text.split())


# The allowed functions that return a set of rows (pg_proc.proretset; a test checks
# this list against the server's catalog): how many rows they yield depends on
# their arguments, so lineage counts those arguments as predicates.
SET_RETURNING = words(
    """
    regexp_matches regexp_split_to_table string_to_table json_each jsonb_each json_each_text
    jsonb_each_text json_object_keys jsonb_object_keys json_populate_recordset
    jsonb_populate_recordset json_array_elements jsonb_array_elements json_array_elements_text
    jsonb_array_elements_text json_to_recordset jsonb_to_recordset jsonb_path_query
    jsonb_path_query_tz unnest generate_series generate_subscripts pg_get_keywords
    pg_options_to_table pg_partition_ancestors pg_partition_tree aclexplode
    pg_available_extensions pg_available_extension_versions pg_get_publication_tables
    """
)


# Functions that return a value for every value of some of their arguments (given the
# constant arguments a caller writes). Any other argument may fail on some values (ln
# of zero, a zero field number, a format string, a unit, an encoding name, a regular
# expression or an object key taken from a value, an interval sum out of range), and
# whether it fails answers a question about it as a WHERE would: lineage counts it as
# a predicate (`total_argument`). An argument is listed only if NO value of its type
# can make the call fail, resource limits included; when in doubt it is left out. Each
# entry says why (a test checks that every one does).
#
# The rule for lengths: every value is capped at 1 GB, so a call fails when its
# result would be longer. An argument is total only if the result's length is at
# most a constant (written in the query) times the length of that argument plus the
# lengths of the others: `upper`, `left(x, 3)`, `substr`, `concat`, `quote_literal`.
# Such growth adds; it reaches the cap from one value only next to a string the
# query already built near it (docs/security.md says so). An argument is NOT total
# when the result's length is a product in which it takes part, directly or through
# any computation inside it (`left('a', strpos(ssn, '7'))`): the count and text of
# `repeat`, every argument of `lpad`/`rpad`/`overlay`/`array_fill`/`regexp_replace`,
# the search and replacement of `replace` and `translate` (and the text of `replace`
# unless both are constants that cannot lengthen it), the count of `left`/`right`
# (a value choosing how much of a long string to keep), a `format` width, a
# `to_char` format that is not a constant, the delimiter of `array_to_string`, and
# what `string_agg`, `json_agg` and `json_object_agg` join over rows a join can
# multiply. Those are left out. Also not listed, on purpose: `sum`/`avg` (an interval
# or money sum overflows), `array_agg` (arrays of unequal dimensions, a NULL array),
# `date_trunc` (`'millennium'` of 4713 BC is out of range), the `jsonb` builders (a
# `json` value holding `\u0000` cannot be converted), `length(bytes, encoding)`
# (bytes invalid in the encoding, a name that is no encoding), `format`'s format string.


@dataclass(frozen=True)
class Totality:
    """Which arguments of one function no value can make fail, and why."""

    reason: str
    positions: frozenset[int] | None = None  # 0-based; None: every argument
    arity: int | None = None  # only calls with this many arguments
    odd_only: bool = False  # `key, value, key, value`: only the values
    # Orders or compares the argument: total only for a value lineage proves is a
    # scalar of a type with an order (`lineage._Builder._scalar`). A record, or an
    # array of them, is compared field by field, and PostgreSQL looks up a field's
    # comparison only when the fields before it are equal: `(ssn, NULL::json)` fails
    # exactly when the SSNs are equal.
    compares: bool = False
    # Positions that must be string constants for the entry to hold (`to_char`'s
    # format: a format built from a value, or repeated, can be any length).
    constant: frozenset[int] = frozenset()


def _every(reason: str, arity: int | None = None) -> Totality:
    return Totality(reason, arity=arity)


def _at(reason: str, *positions: int) -> Totality:
    return Totality(reason, positions=frozenset(positions))


_PRINTS = "prints each value with its type's output function, which never fails"
_COUNTS = "counts or tests without failing: every value is counted, every boolean is one"
_ORDERS = "compares without failing when the value is a scalar of a type with an order"
_CLOCK = "takes no value from a row"
_OBJECT_VALUES = "a NULL key fails and keys are compared; a value is printed as it is"
_FIELD = "the field name is a unit (a constant); every timestamp, date or interval has the field"

TOTAL: Mapping[str, Totality] = {
    **dict.fromkeys(
        words(
            "lower upper initcap char_length character_length octet_length bit_length md5 reverse "
            "quote_literal quote_ident quote_nullable"
        ),
        _every("maps one string to another or to a count; no string is refused"),
    ),
    "length": _every("length(text) and length(bytea) count; the 2-argument form parses", 1),
    **dict.fromkeys(
        words("btrim ltrim rtrim trim strpos position"),
        _every("removes or finds characters of a set; any two strings have a result"),
    ),
    **dict.fromkeys(
        words("left right"),
        _at("any string has a prefix and a suffix no longer than itself; the count picks", 0),
    ),
    "concat": _every(_PRINTS),
    "concat_ws": _every(_PRINTS + "; a NULL separator gives NULL"),
    **dict.fromkeys(words("count every bool_and bool_or any_value"), _every(_COUNTS)),
    **dict.fromkeys(words("min max"), Totality(_ORDERS, compares=True)),
    **dict.fromkeys(words("to_json row_to_json json_build_array"), _every(_PRINTS)),
    "json_build_object": Totality(_OBJECT_VALUES, odd_only=True),
    "array_to_string": _at("prints each element, a constant factor longer at most", 0),
    "array_length": _every("a missing dimension gives NULL"),
    "cardinality": _every("counts the elements of any array"),
    "age": _every("every pair of timestamps in range has an interval in range, infinity too"),
    **dict.fromkeys(
        words(
            "now current_date current_timestamp localtimestamp clock_timestamp statement_timestamp "
            "transaction_timestamp"
        ),
        _every(_CLOCK),
    ),
    **dict.fromkeys(
        words("substr substring"),
        _at("any string has a substring; the start and the length can fail", 0),
    ),
    "translate": _at(
        "maps each character to one character or none; the sets can lengthen a long text", 0
    ),
    # `replace` is read with its constants (`replace_total_arguments`).
    "split_part": _at("any string splits; a zero field number fails", 0),
    "to_char": Totality(
        "prints any number, timestamp or interval (infinity as NULL, ### past "
        "the mask) as long as a constant format allows; the format can fail",
        positions=frozenset({0}),
        constant=frozenset({1}),
    ),
    "encode": _at("any bytes encode; the encoding name can fail", 0),
    **dict.fromkeys(words("date_part extract"), _at(_FIELD, 1)),
}


def total_argument(key: str, index: int, constants: Sequence[str | None]) -> bool:
    """Whether function `key` returns a value for every value of argument `index`
    (0-based) in a call whose arguments are `constants` (each a string constant or
    None): if not, whether it fails is an answer about that argument."""
    if key == "format":
        return index in format_total_arguments(constants)
    if key == "convert_to":
        # Every text a UTF8 server holds has a UTF-8 form; another target can fail.
        target = constants[1] if len(constants) == 2 else None
        return index == 0 and (target or "").lower().replace("-", "") in ("utf8", "unicode")
    if key == "replace":
        return index == 0 and replace_cannot_grow(constants)
    total = TOTAL.get(key)
    if total is None or (total.arity is not None and total.arity != len(constants)):
        return False
    if any(i >= len(constants) or constants[i] is None for i in total.constant):
        return False
    if total.odd_only:
        return index % 2 == 1
    return total.positions is None or index in total.positions


def replace_cannot_grow(constants: Sequence[str | None]) -> bool:
    """Whether `replace(text, search, replacement)` with these constant arguments is
    no longer than its text: a search and a replacement that are both constants, the
    replacement no longer in characters or in UTF-8 bytes. Any other replacement
    multiplies the text's length by a number of matches a value decides (the search,
    the replacement or the text itself), and so can pass the 1 GB cap on one value
    and not another."""
    if len(constants) != 3 or constants[1] is None or constants[2] is None:
        return False
    search, replacement = constants[1], constants[2]
    return len(replacement) <= len(search) and len(replacement.encode()) <= len(search.encode())


def compares_argument(key: str) -> bool:
    """Whether function `key` orders its arguments, and so is total in one only when
    that argument is a scalar with an order (`Totality.compares`)."""
    total = TOTAL.get(key)
    return total is not None and total.compares


# Functions whose result is a scalar of a type with an order (text, a number, a date,
# a boolean) whatever their arguments: comparing their results cannot fail on a value.
# `min`, `max`, `any_value` and `coalesce` return their argument's type, and the JSON
# builders `json`, which has no order; those are not listed.
SCALAR_RESULTS = words(
    """
    lower upper initcap char_length character_length octet_length bit_length md5 reverse
    quote_literal quote_ident quote_nullable length btrim ltrim rtrim trim strpos position
    left right concat concat_ws count every bool_and bool_or string_agg array_to_string
    array_length cardinality age now current_date current_timestamp localtimestamp
    clock_timestamp statement_timestamp transaction_timestamp substr substring replace
    translate split_part lpad rpad to_char encode date_part extract
    """
)


# One format() specifier phigate reads: `%%`, or `%[n$][-][width]type` printing an
# argument with `%s`, `%L` or `%I` (PostgreSQL's syntax, without `*` widths).
_FORMAT_SPEC = re.compile(r"%(?:%|(?:([1-9][0-9]*)\$)?-?([0-9]*)([sIL]))")


def format_total_arguments(constants: Sequence[str | None]) -> frozenset[int]:
    """The arguments of `format(fmt, ...)` that no value can make fail: those only
    printed by `%s` or `%L` with no width. A `*` width casts an argument to integer,
    `%I` refuses NULL, a width pads a value to a length the query chooses, whatever
    the value's bytes (one near 1 GB fails on a value with more multi-byte
    characters), and a format string that is not a constant phigate reads could do
    any of these, so then none is total."""
    fmt = constants[0] if constants else None
    if fmt is None or "*" in fmt:
        return frozenset()
    printed: set[int] = set()
    refused: set[int] = set()
    following = 1
    at = 0
    while (start := fmt.find("%", at)) >= 0:
        spec = _FORMAT_SPEC.match(fmt, start)
        if spec is None:
            return frozenset()
        at = spec.end()
        if spec.group(0) == "%%":
            continue
        argument = int(spec.group(1)) if spec.group(1) else following
        following = argument + 1
        plain = spec.group(3) in ("s", "L") and not spec.group(2)
        (printed if plain else refused).add(argument)
    return frozenset(printed - refused) & frozenset(range(1, len(constants)))


def _mapped(names: str, risk: RiskClass) -> dict[str, RiskClass]:
    return dict.fromkeys(names.split(), risk)


DANGEROUS_FUNCTIONS: Mapping[str, RiskClass] = {
    # Changing the data, or state other sessions see.
    **_mapped(
        "nextval setval pg_notify pg_advisory_lock pg_advisory_lock_shared pg_advisory_xact_lock "
        "pg_advisory_xact_lock_shared pg_try_advisory_lock pg_try_advisory_lock_shared "
        "pg_try_advisory_xact_lock pg_try_advisory_xact_lock_shared pg_advisory_unlock "
        "pg_advisory_unlock_shared pg_advisory_unlock_all txid_current pg_current_xact_id "
        "lo_create lo_creat lo_unlink lo_put lo_from_bytea lowrite lo_truncate lo_truncate64 "
        "pg_export_snapshot",
        RiskClass.WRITE,
    ),
    # Reading large objects or whole schemas in bulk.
    **_mapped(
        "lo_get loread lo_open table_to_xml table_to_xmlschema table_to_xml_and_xmlschema "
        "schema_to_xml schema_to_xmlschema schema_to_xml_and_xmlschema database_to_xml "
        "database_to_xmlschema database_to_xml_and_xmlschema",
        RiskClass.EXPORT,
    ),
    # Role and session identity.
    **_mapped("set_config", RiskClass.PRIVILEGE),
    # Server files, programs, other servers, other backends, configuration.
    **_mapped(
        "pg_read_file pg_read_binary_file pg_ls_dir pg_stat_file pg_ls_logdir pg_ls_waldir "
        "pg_ls_tmpdir pg_ls_archive_statusdir pg_ls_logicalsnapdir pg_ls_logicalmapdir "
        "pg_ls_replslotdir pg_ls_summariesdir lo_import lo_export pg_file_write pg_file_unlink "
        "pg_file_rename pg_file_sync pg_logdir_ls pg_terminate_backend pg_cancel_backend "
        "pg_reload_conf pg_rotate_logfile pg_promote pg_switch_wal pg_create_restore_point "
        "pg_backup_start pg_backup_stop pg_start_backup pg_stop_backup pg_wal_replay_pause "
        "pg_wal_replay_resume pg_create_physical_replication_slot "
        "pg_create_logical_replication_slot pg_drop_replication_slot "
        "pg_copy_physical_replication_slot "
        "pg_copy_logical_replication_slot pg_logical_slot_get_changes "
        "pg_logical_slot_peek_changes pg_logical_slot_get_binary_changes "
        "pg_logical_slot_peek_binary_changes pg_replication_slot_advance pg_logical_emit_message "
        "pg_replication_origin_create pg_replication_origin_drop pg_replication_origin_advance "
        "pg_replication_origin_session_setup pg_stat_reset pg_stat_reset_shared "
        "pg_stat_reset_single_table_counters pg_stat_reset_single_function_counters "
        "pg_stat_reset_slru pg_stat_reset_replication_slot pg_stat_reset_subscription_stats "
        "pg_stat_statements_reset pg_log_backend_memory_contexts pg_import_system_collations "
        "pg_sleep pg_sleep_for pg_sleep_until pg_log_standby_snapshot pg_sync_replication_slots "
        "pg_read_server_files pg_current_logfile",
        RiskClass.ADMIN,
    ),
    # Dynamic SQL: the text of the query is data, the gateway cannot see what runs.
    **_mapped(
        "query_to_xml query_to_xmlschema query_to_xml_and_xmlschema cursor_to_xml "
        "cursor_to_xmlschema",
        RiskClass.UNKNOWN,
    ),
}

# Functions whose result is read from storage, not computed from their arguments: the
# stored text they return (a large object's bytes, a comment, a server file) is a
# source of its own, as a free-text column is, so a computation over it is withheld
# like one over `clinical_notes.note_text` and a condition on it is held. Each names
# what it reads, as lineage writes a column (`stored_source`).
READS_STORAGE: Mapping[str, str] = {
    **dict.fromkeys(("lo_get", "loread"), "pg_catalog.pg_largeobject.data"),
    **dict.fromkeys(
        ("obj_description", "col_description"), "pg_catalog.pg_description.description"
    ),
    "shobj_description": "pg_catalog.pg_shdescription.description",
    **dict.fromkeys(("pg_read_file", "pg_read_binary_file"), "pg_read_file.?stored"),
}
_STATE_CHANGES = (RiskClass.WRITE, RiskClass.PRIVILEGE)
# The column name of stored text whose origin is not known: a function off the
# allow-list, a relation whose rows lineage cannot follow. No name judges it.
STORED = "?stored"


def stored_source(key: str) -> str | None:
    """The source a call of function `key` reads its result from, or None when the
    result is computed from its arguments alone (an allow-listed built-in). A function
    off the allow-list (somebody's, or a dangerous built-in) may return anything it
    reads: fail closed, its result is stored text of unknown origin. A listed one that
    changes state (`nextval`, `set_config`) answers with what it was given or made."""
    if key in READS_STORAGE:
        return READS_STORAGE[key]
    if key in SAFE_FUNCTIONS or DANGEROUS_FUNCTIONS.get(key) in _STATE_CHANGES:
        return None
    return f"{key}.{STORED}"


# `dblink*` functions open connections and run arbitrary SQL elsewhere (or on the
# same server, behind the gateway's back).
DANGEROUS_PREFIXES: Mapping[str, RiskClass] = {"dblink": RiskClass.ADMIN}

BUILTIN_SCHEMA = "pg_catalog"


def function_key(name_parts: tuple[str, ...]) -> str:
    """The lookup key of a function name as the parser gives it.

    The parser has already folded unquoted identifiers to lower case and decoded
    `U&"..."` escapes, so quoted names keep their case and `"Upper"` is not `upper`.
    `pg_catalog.x` is the built-in `x`; other qualified names keep their schema.
    """
    if len(name_parts) >= 2 and name_parts[-2] == BUILTIN_SCHEMA:
        return name_parts[-1]
    return ".".join(name_parts[-2:])


def function_risk(key: str, extra: Mapping[str, RiskClass]) -> tuple[RiskClass, str]:
    """The class of a function call and the reason for it."""
    configured = extra.get(key, extra.get(f"public.{key}"))
    if configured is not None:
        return configured, f"function {key} is listed in the configuration as {configured}"
    if key in DANGEROUS_FUNCTIONS:
        risk = DANGEROUS_FUNCTIONS[key]
        return risk, f"function {key} is known to be {risk}"
    for prefix, risk in DANGEROUS_PREFIXES.items():
        if key.startswith(prefix):
            return risk, f"function {key} is known to be {risk}"
    if key in SAFE_FUNCTIONS:
        return RiskClass.READ, ""
    return RiskClass.UNKNOWN, f"function {key} is not on the allow-list"


def normalise_extra(extra: Mapping[str, RiskClass | str] | None) -> dict[str, RiskClass]:
    """Configuration names, lower-cased, with `pg_catalog.` dropped, mapped to classes."""
    result: dict[str, RiskClass] = {}
    for name, risk in (extra or {}).items():
        parts = tuple(name.strip().lower().split("."))
        result[function_key(parts)] = RiskClass(risk)
    return result
