"""Masking nested JSON: keys hint at types, strings, numbers and keys are scanned,
FHIR identifiers are masked by their shape, depth is bounded."""

from __future__ import annotations

import functools
import urllib.parse
import weakref
from typing import NamedTuple

import re2

from phigate.masking import entities as e
from phigate.masking._hints import KEEP, TEXT, hint, normalise
from phigate.masking._json_seams import mask_seams
from phigate.masking.value_masker import ValueMasker

TOO_DEEP = "[REDACTED:TOO_DEEP]"
TOO_DEEP_ENTITY = "TOO_DEEP"  # how a withheld subtree is counted

# The key_type of what sits under an `identifier` key: a FHIR Identifier whose `value`
# is an identifier of the resource's subject, whatever key names it.
_IDENTIFIER = "FHIR_IDENTIFIER"

# A field name (`first_name`, `dateOfBirth`, `line1`): letters, `_` and `-`, then at
# most two digits. Every other key is scanned like a value.
_FIELD_NAME = re2.compile(r"[A-Za-z_][A-Za-z_-]{0,61}[0-9]{0,2}")

# FHIR identifier systems and HL7 v2 identifier type codes (table 0203) that name
# the identifier; any other is labelled by what `hint` reads in it, else ID.
_SYSTEMS = {
    "http://hl7.org/fhir/sid/us-ssn": e.SSN,
    "urn:oid:2.16.840.1.113883.4.1": e.SSN,
    "http://hl7.org/fhir/sid/us-npi": e.NPI,
    "urn:oid:2.16.840.1.113883.4.6": e.NPI,
    "http://hl7.org/fhir/sid/us-mbi": e.HEALTH_PLAN_ID,
    "http://hl7.org/fhir/sid/us-medicare": e.HEALTH_PLAN_ID,
}
# Resources that are not about a person: their identifiers are scanned like any value.
_IMPERSONAL = frozenset(
    {
        "Organization",
        "Location",
        "Endpoint",
        "HealthcareService",
        "Medication",
        "Substance",
        "CodeSystem",
        "ValueSet",
        "ConceptMap",
        "StructureDefinition",
        "Questionnaire",
        "PlanDefinition",
        "ActivityDefinition",
        "Library",
        "Measure",
    }
)
_V2_TYPES = {
    "SS": e.SSN,
    "SB": e.SSN,
    "MR": e.MRN,
    "MRT": e.MRN,
    "DL": e.LICENSE,
    "PPN": e.LICENSE,
    "MB": e.HEALTH_PLAN_ID,
    "MC": e.HEALTH_PLAN_ID,
    "MA": e.HEALTH_PLAN_ID,
    "SN": e.HEALTH_PLAN_ID,
    "NPI": e.NPI,
    "AN": e.ACCOUNT_NUMBER,
}


def mask_json(
    masker: ValueMasker,
    value: object,
    counts: dict[str, int],
    depth: int,
    key_type: str | None = None,
    keys_type: str | None = None,
) -> object:
    """Masked copy of `value`; subtrees nested deeper than `depth` are replaced whole.
    `key_type` is what the key holding `value` says (`hint`), or `_IDENTIFIER`;
    `keys_type` what it says about the keys of the object under it (`_keys_hint`)."""
    if depth < 0:
        counts[TOO_DEEP_ENTITY] = counts.get(TOO_DEEP_ENTITY, 0) + 1
        return TOO_DEEP
    if isinstance(value, dict):
        if key_type == _IDENTIFIER and "value" in value:
            return _mask_object(masker, value, counts, depth, None, _identifier_type(value))
        if not _entity(masker, key_type):
            value = _seamed_object(masker, value, counts)
        return _mask_object(masker, value, counts, depth, key_type, keys_type=keys_type)
    if isinstance(value, list | tuple):
        pairs = _pairs(value)
        if pairs == _PAIRS:
            return [_pair(masker, pair, counts, depth - 1) for pair in value]
        at, header = _header(value)
        if header is not None:
            above = [mask_json(masker, v, counts, depth - 1, key_type) for v in value[: at + 1]]
            if pairs == _EITHER:  # `[["first_name", "ada"], ["visits", 3]]`: mask both ways
                above[0] = _pair(masker, value[0], counts, depth - 1)
            return [*above, *_mask_rows(masker, value[at + 1 :], header, counts, depth)]
        if not _entity(masker, key_type):
            value = _seamed_items(masker, value, counts)
        return [mask_json(masker, v, counts, depth - 1, key_type) for v in value]
    return _mask_scalar(masker, value, counts, key_type)


def _seamed_items(
    masker: ValueMasker, items: list[object] | tuple[object, ...], counts: dict[str, int]
) -> list[object] | tuple[object, ...]:
    """`items` with what is cut across neighbouring strings masked (`mask_seams`)."""
    texts = [item if isinstance(item, str) else None for item in items]
    seamed = mask_seams(masker, texts, counts) if len(texts) > 1 else {}
    if not seamed:
        return items
    return [seamed.get(i, item) for i, item in enumerate(items)]


def _seamed_object(
    masker: ValueMasker, value: dict[object, object], counts: dict[str, int]
) -> dict[object, object]:
    """`value` with what is cut across consecutive string values masked. Values under
    keys that say what they are (masked whole) or what they do (labels, `value`,
    columns: `_role`) are left to the walk, and cut the run."""
    texts: list[str | None] = []
    for key, item in value.items():
        fact = _facts(key if isinstance(key, str) else str(key))
        plain = isinstance(item, str) and not fact.role and not _entity(masker, fact.hint)
        texts.append(item if plain and isinstance(item, str) else None)
    seamed = mask_seams(masker, texts, counts) if len(texts) > 1 else {}
    if not seamed:
        return value
    return {key: seamed.get(i, item) for i, (key, item) in enumerate(value.items())}


def _mask_object(
    masker: ValueMasker,
    value: dict[object, object],
    counts: dict[str, int],
    depth: int,
    key_type: str | None,
    identifier: str | None = None,
    keys_type: str | None = None,
    columns: list[str | None] | None = None,
) -> dict[object, object]:
    """Keys are masked like values (`_new_key`); the items under them by what they
    say. In a FHIR Identifier (`identifier` is then what it identifies), `value` is an
    identifier of the resource's subject (a patient's SSN, MRN, member id) whatever its
    shape or key, masked whole and labelled by its `system` or `type`. Objects that
    say more than `key: value` (`_role`) are read first: a label beside a value
    (`{"name": "ssn", "valueString": …}`), a Quantity of years over 89, a columnar
    table (`{"columns": [...], "rows": [[...]]}`)."""
    facts = [_facts(key if isinstance(key, str) else str(key)) for key in value]
    # A key that names a type says so of everything under it (`{"ssn": {"0": …}}`,
    # `{"mrn": {"text": …}}`), but an index's values are records, not its keys' type.
    inherited = key_type if keys_type is None and _entity(masker, key_type) else None
    # A record whose own keys name types (a FHIR HumanName: `family`, `given`) says
    # what its fields are: only its value and text (`value`, `text`) take the type above.
    # An aggregation's bucket is none, whatever its sub-aggregations are named (`by_date`).
    record = (
        inherited is not None
        and "doc_count" not in value
        and any(_entity(masker, fact.hint) for fact in facts)
    )
    roles = 0
    for fact in facts:
        roles |= fact.role
    named, label_key, column_types = identifier, None, columns
    typed = False
    if roles:
        typed = roles & _TYPED != 0 and roles & _KIND != 0 and _typed(value) is not None
        if named is None and (roles & _VALUE or typed):
            named, label_key = _label(masker, value, counts)
        if named is None and roles & _UNIT and roles & _VALUE:
            named = _old_age(value)
        if roles & _COLUMNS and roles & _ROWS:
            column_types = _columns(value) or column_types
    items: list[tuple[object, str | None, object]] = []
    renamed = False
    for (key, item), fact in zip(value.items(), facts, strict=True):
        if named is not None and (fact.role & _VALUE or (typed and fact.role & _TYPED)):
            masked = _labelled(masker, item, named, counts, depth - 1)
        elif label_key is not None and key == label_key[0]:
            masked = label_key[1]  # a field name, not a person's (`{"name": "ssn", …}`)
        elif column_types is not None and fact.role & _ROWS and isinstance(item, list):
            masked = _mask_rows(masker, item, column_types, counts, depth - 1)
        elif column_types and fact.role & _ROWS and isinstance(item, dict) and depth > 0:
            # the rows one object down: Databricks' `{"result": {"data_array": [...]}}`
            masked = _mask_object(masker, item, counts, depth - 1, None, columns=column_types)
        else:
            child_type = fact.hint
            if key == "identifier" and value.get("resourceType") not in _IMPERSONAL:
                child_type = _IDENTIFIER
            elif child_type in (None, TEXT) and inherited is not None:
                if not record or child_type == TEXT or fact.role & _VALUE:
                    child_type = inherited
            elif fact.key in _AGGREGATION_KEYS and (key_type or keys_type) in masker.types:
                child_type = key_type if key_type in masker.types else keys_type
            keys = fact.keys_hint if isinstance(item, dict) else None
            masked = mask_json(masker, item, counts, depth - 1, child_type, keys)
        new_key = _new_key(masker, fact, counts, key_type, keys_type)
        renamed = renamed or new_key is not None
        items.append((key, new_key, masked))
    if not renamed:  # most objects: no key is masked, none can collide
        return {key: item for key, _, item in items}
    return _distinct(items)


# What a key does in an object that says more than `key: value` (bit flags, `_role`).
_LABEL = 1  # names the value beside it: `name`, `key`, `field`, `code`, `label`, …
_VALUE = 2  # the value a label names: `value`, FHIR `value[x]`, `val`, `answer`
_COLUMNS = 4  # the column names of a columnar table: `columns`, `fields`, `schema`, …
_ROWS = 8  # its rows: `rows`, `data`, `values`, `records`
_UNIT = 16  # a Quantity's unit: `unit`, `code`
_TYPED = 32  # what a typed identifier's kind names: `id`, `number` (`{"type": "SSN", "id": …}`)
_KIND = 64  # a label that says what kind of identifier sits beside it: `type`, `kind`, …

# Labels that say what kind of identifier sits beside them (`_typed`).
_KINDS = ("type", "kind", "system", "identifiertype", "idtype", "typecode")
# The identifier types a kind label may name for `id` or `number`: anything else
# (`{"type": "date", "id": 5}`, a schema) keeps its id.
_IDENTIFIERS = frozenset(
    [
        *(e.SSN, e.MRN, e.NPI, e.DEA, e.HEALTH_PLAN_ID, e.ACCOUNT_NUMBER, e.LICENSE),
        *(e.CREDIT_CARD, e.IBAN, e.VEHICLE_ID, e.DEVICE_ID, e.ID),
    ]
)
# The keys of a search engine's terms aggregation (`{"by_mrn": {"buckets": [{"key": …,
# "doc_count": 3}]}}`): structure, not values of the index's type, and its buckets'
# values are what the aggregation's name says.
_AGGREGATION_KEYS = frozenset(["buckets"])

# Label keys, the first found that names a type wins (`system` names a ContactPoint's
# value, `url` an extension's, `text` a questionnaire answer's).
# (written without `_` or `-`, any case: `field_name`, `attributeName`, `Key`).
_LABEL_KEYS = (
    "name",
    "key",
    "keyname",
    "field",
    "fieldname",
    "label",
    "code",
    "attribute",
    "attributename",
    "attrname",
    "property",
    "propertyname",
    "param",
    "paramname",
    "parametername",
    "variable",
    "varname",
    "metric",
    "metricname",
    "column",
    "columnname",
    "text",
    "question",
    "system",
    "type",
    "kind",
    "identifiertype",
    "idtype",
    "typecode",
    "url",
    "k",
)
_COLUMN_KEYS = frozenset(
    [
        "columns",
        "fields",
        "meta",
        "header",
        "headers",
        "schema",
        "column_names",
        "colnames",
        "resultsetmetadata",
        "manifest",
        "cols",
    ]
)
_ROW_KEYS = frozenset(["rows", "data", "values", "records", "rowset", "data_array", "result"])


@functools.lru_cache(maxsize=4096)
def _role(key: str) -> int:
    lower = key.lower()
    bare = _bare(key)
    if lower[:1] in ("#", "$") and bare in ("text", "value", ""):
        return _VALUE  # XML as JSON: the element's text (`#text`, BadgerFish's `$`)
    role = _LABEL if bare in _LABEL_KEYS else 0
    if bare.startswith("value") or bare.endswith("value") or bare in ("val", "answer", "v"):
        role |= _VALUE  # `value`, `valueString`, `attributeValue`, `field_value`, `v`
    if bare in ("id", "number", "num", "no", "identifier"):
        role |= _TYPED
    if bare in _KINDS:
        role |= _KIND
    if lower in _COLUMN_KEYS:
        role |= _COLUMNS
    if lower in _ROW_KEYS:
        role |= _ROWS
    if lower in ("unit", "units", "code"):
        role |= _UNIT
    return role


def _bare(key: str) -> str:
    """The key lower-cased without `_`, `-` and XML-as-JSON's attribute marks (`@name`)."""
    return key.lower().replace("_", "").replace("-", "").lstrip("@#$")


def _entity(masker: ValueMasker, key_type: str | None) -> bool:
    """Whether `key_type` is a type this masker masks (not KEEP, TEXT or a marker)."""
    return key_type is not None and key_type not in (KEEP, TEXT) and key_type in masker.types


def _typed(value: dict[object, object]) -> str | None:
    """The identifier type a kind label beside `id`/`number` names (`{"type": "SSN",
    "id": …}`, `{"identifierType": "MRN", "number": …}`), None when none does."""
    for key, label in value.items():
        if isinstance(key, str) and _bare(key) in _KINDS and isinstance(label, str):
            found = hint(label) if len(label) <= 128 else None
            if found in _IDENTIFIERS:
                return found
    return None


def _label(
    masker: ValueMasker, value: dict[object, object], counts: dict[str, int]
) -> tuple[str | None, tuple[str, object] | None]:
    """What a sibling label says the `value*` keys hold (an entity type, or None), and
    the label key with its shown value when the label is a field name (`ssn`, `MRN`),
    not to be masked as a person's name under `name`. A label only adds masking: one
    that reads as KEEP or TEXT leaves the value to be scanned as usual."""
    named: str | None = None
    label_key: tuple[str, object] | None = None
    keys = {_bare(k): k for k in value if isinstance(k, str) and _role(k) & _LABEL}
    for lower in _LABEL_KEYS:
        key = keys.get(lower)
        if key is None:
            continue
        label = value[key]
        if isinstance(label, dict):
            if lower in ("code", "type") and _is_age_code(label):
                return e.AGE, label_key
            continue
        if not isinstance(label, str) or len(label) > 256:
            continue
        found = hint(label)
        if found is None:
            continue
        if label_key is None and _field_name(label):
            shown = _person_key(masker, label, counts)
            label_key = (key, label if shown is None else shown)
        if named is None and found not in (KEEP, TEXT):
            named = found
    return named, label_key


# LOINC codes of a person's age: 30525-0 Age, 21612-7 Age - Reported, 29553-5 Age
# calculated, 21611-9 Age - estimated, 63900-5 Current age or age at death.
_AGE_CODES = frozenset({"30525-0", "21612-7", "29553-5", "21611-9", "63900-5"})


def _is_age_code(concept: dict[object, object]) -> bool:
    """A CodeableConcept that says "age": a LOINC age code, or text that reads as age."""
    codings = concept.get("coding")
    for coding in codings if isinstance(codings, list) else []:
        if isinstance(coding, dict):
            if coding.get("code") in _AGE_CODES:
                return True
            display = coding.get("display")
            if isinstance(display, str) and len(display) <= 64 and hint(display) == e.AGE:
                return True
    text = concept.get("text")
    return isinstance(text, str) and len(text) <= 64 and hint(text) == e.AGE


# A Quantity's unit (UCUM code or word) as years per unit.
_YEARS = {
    **dict.fromkeys(("a", "y", "yr", "yrs", "year", "years", "ann", "jahre"), 1.0),
    **dict.fromkeys(("mo", "mos", "month", "months"), 1 / 12),
    **dict.fromkeys(("wk", "wks", "week", "weeks"), 7 / 365.25),
    **dict.fromkeys(("d", "day", "days"), 1 / 365.25),
}


def _old_age(value: dict[object, object]) -> str | None:
    """AGE when the object is a Quantity of time over 89 years (`{"value": 93, "unit":
    "years"}`, a FHIR Age): Safe Harbor makes such an age an identifier, whatever
    key holds it. Younger ages and other quantities stay."""
    lowered = {k.lower(): v for k, v in value.items() if isinstance(k, str)}
    number = lowered.get("value")
    if isinstance(number, str):
        try:
            number = float(number)
        except ValueError:
            return None
    if not isinstance(number, int | float) or isinstance(number, bool):
        return None
    for key in ("unit", "code", "units"):
        unit = lowered.get(key)
        factor = _YEARS.get(unit.strip().lower()) if isinstance(unit, str) else None
        if factor is not None:
            return e.AGE if number * factor >= 90 else None
    return None


def _labelled(
    masker: ValueMasker, item: object, entity: str, counts: dict[str, int], depth: int
) -> object:
    """`item` masked as what its label (or column) names: a scalar whole, the `value*`
    of an object under it whole, the items of a list each so."""
    if depth < 0 or item is None or isinstance(item, bool):
        return mask_json(masker, item, counts, depth)
    if isinstance(item, dict):  # everything under the value is what its label names
        return _mask_object(masker, item, counts, depth, entity, entity)
    if isinstance(item, list | tuple):
        return [_labelled(masker, v, entity, counts, depth - 1) for v in item]
    if _is_scalar(item):
        return masker.whole(entity, item, counts)
    return mask_json(masker, item, counts, depth)


def _column_type(name: object) -> str | None:
    """The entity type a column name says its cells are; KEEP and TEXT say nothing
    here (a cell is scanned as any value is)."""
    if isinstance(name, dict):  # `{"name": …}`, Google DataTable's `{"id": "A", "label": …}`
        for key in ("name", "Name", "label", "field", "key", "title", "id"):
            found = _column_type(name.get(key)) if isinstance(name.get(key), str) else None
            if found is not None:
                return found
        return None
    if not isinstance(name, str) or len(name) > 128:
        return None
    found = hint(name)
    return None if found in (KEEP, TEXT) else found


def _columns(value: dict[object, object]) -> list[str | None] | None:
    """The types of a columnar table's columns (`columns`/`fields`/`meta`/`header`, or
    nested: `schema.fields`, Snowflake's `resultSetMetaData.rowType`, Databricks'
    `manifest.schema.columns`), None when no column name names a type."""
    for key, item in value.items():
        if isinstance(key, str) and _role(key) & _COLUMNS:
            types = _column_list(item, 3)
            if types is not None:
                return types
    return None


def _column_list(item: object, levels: int) -> list[str | None] | None:
    if isinstance(item, dict) and levels > 0:
        for key in ("fields", "columns", "rowType", "schema"):
            types = _column_list(item.get(key), levels - 1)
            if types is not None:
                return types
        return None
    if isinstance(item, list) and item:
        types = [_column_type(name) for name in item]
        if any(types):
            return types
    return None


def _header(value: list[object] | tuple[object, ...]) -> tuple[int, list[str | None] | None]:
    """Where the header of a table written as a list of lists sits, with its column
    types (CSV as JSON, spreadsheet APIs): the first of its first rows whose cells all
    read as column names (`_column_name`) and one names a type, a title above it
    included. None when it is no table or no column name names a type."""
    if len(value) < 2 or not isinstance(value[1], list | tuple):
        return 0, None
    for at, row in enumerate(value[:_TITLE_ROWS]):
        if not isinstance(row, list | tuple) or len(row) > 4096:
            return 0, None
        if row and at + 1 < len(value) and all(_column_name(name) for name in row):
            types = [_column_type(name) for name in row]
            if any(types):  # else a one-word title (`Export`), or a header naming no type
                return at, types
    return 0, None


# How many rows a table's header may sit below (a title, a blank row, a subtitle).
_TITLE_ROWS = 4


def _column_name(name: object) -> bool:
    """A cell that reads as a column name: a field name (`ssn`, `dateOfBirth`) or a
    short label a hint reads (`Date of Birth`); values (`536228471`) and titles
    (`Patient export`) do not."""
    if not isinstance(name, str) or not name or len(name) > 128:
        return False
    return _field_name(name) or hint(name) is not None


# What `_pairs` reads a list of two-cell lists as.
_NO_PAIRS, _PAIRS, _EITHER = 0, 1, 2


def _pairs(value: list[object] | tuple[object, ...]) -> int:
    """Whether a list is `[name, value]` pairs (`Object.entries`, `dict.items()`,
    keyword lists): at least two rows of two cells, every first cell a label
    (`_pair_label`), the first row's second cell naming no type (`["name", "ssn"]`
    heads a table). When every label is also a hint (`ssn`, `status`) or the first
    row is no header naming a type, they are pairs; otherwise (`[["first_name",
    "ada"], ["visits", 3]]` is pairs, `[["name", "visits"], ["okonkwo", 3]]` a table)
    either reading may be the true one, and both mask (`_EITHER`)."""
    if len(value) < 2:
        return _NO_PAIRS
    hinted = True
    for pair in value:
        if not isinstance(pair, list | tuple) or len(pair) != 2 or not _pair_label(pair[0]):
            return _NO_PAIRS
        hinted = hinted and hint(str(pair[0])) is not None
    label, first = value[0][0], value[0][1]  # type: ignore[index]
    if _column_type(first) is not None:
        return _NO_PAIRS
    if hinted or not (_column_name(first) and _column_type(label) is not None):
        return _PAIRS
    return _EITHER


def _pair_label(label: object) -> bool:
    """A field name or a label a hint reads (`ssn`, `visits`, `Date of Birth`), not a
    capitalised word that may be a person's name (`Okonkwo`)."""
    if not isinstance(label, str) or not label or len(label) > 128:
        return False
    if hint(label) is not None:
        return True
    return _field_name(label) and not _maybe_a_name(label)


def _pair(
    masker: ValueMasker, pair: list[object] | tuple[object, ...], counts: dict[str, int], depth: int
) -> list[object]:
    """One `[name, value]` pair: the name stays, the value is masked as it names."""
    label, item = pair[0], pair[1]
    entity = hint(str(label))
    if _entity(masker, entity):
        return [label, _labelled(masker, item, str(entity), counts, depth - 1)]
    return [label, mask_json(masker, item, counts, depth - 1, entity)]


def _mask_rows(
    masker: ValueMasker,
    rows: list[object] | tuple[object, ...],
    types: list[str | None],
    counts: dict[str, int],
    depth: int,
) -> list[object]:
    """Each row's cells masked by their column's type, as rows through the SQL door
    are; a row that is no list (BigQuery's `{"f": [{"v": …}]}` included) is read as
    its shape says."""
    out: list[object] = []
    for row in rows:
        if depth - 1 < 0:
            out.append(mask_json(masker, row, counts, depth - 1))
        elif isinstance(row, list | tuple):
            out.append(
                [_cell(masker, cell, types, i, counts, depth - 2) for i, cell in enumerate(row)]
            )
        elif isinstance(row, dict) and _cells_key(row) is not None:
            # BigQuery's `{"f": [{"v": …}]}`, Google DataTable's `{"c": [{"v": …}], "p": …}`
            out.append(_dict_row(masker, row, types, counts, depth - 1))
        else:
            out.append(mask_json(masker, row, counts, depth - 1))
    return out


def _cells_key(row: dict[object, object]) -> str | None:
    for key in ("f", "c"):
        if isinstance(row.get(key), list):
            return key
    return None


def _dict_row(
    masker: ValueMasker,
    row: dict[object, object],
    types: list[str | None],
    counts: dict[str, int],
    depth: int,
) -> dict[object, object]:
    cells_key = _cells_key(row)
    out: dict[object, object] = {}
    for key, item in row.items():
        if key == cells_key and isinstance(item, list):
            out[key] = [_cell(masker, c, types, i, counts, depth - 1) for i, c in enumerate(item)]
        else:
            out[key] = mask_json(masker, item, counts, depth - 1)
    return out


def _cell(
    masker: ValueMasker,
    cell: object,
    types: list[str | None],
    i: int,
    counts: dict[str, int],
    depth: int,
) -> object:
    entity = types[i] if i < len(types) else None
    if isinstance(cell, dict) and "v" in cell:  # BigQuery {"v": …}; DataTable's `f` formats it
        return {
            key: _cell(masker, item, types, i, counts, depth - 1)
            if key in ("v", "f")
            else mask_json(masker, item, counts, depth - 1)
            for key, item in cell.items()
        }
    if entity is None:
        return mask_json(masker, cell, counts, depth)
    return _labelled(masker, cell, entity, counts, depth)


@functools.lru_cache(maxsize=4096)
def _field_name(key: str) -> bool:
    """Field names (`first_name`, `dateOfBirth`, `line1`) carry no PHI and are most
    keys; the answer is kept, since the same keys recur in every object of a result."""
    return len(key) <= 64 and _FIELD_NAME.fullmatch(key) is not None


def _new_key(
    masker: ValueMasker,
    fact: _Facts,
    counts: dict[str, int],
    key_type: str | None,
    keys_type: str | None,
) -> str | None:
    """The masked key, or None when it stays. Under a key that says what its keys are
    (`by_surname`, `by_mrn`, `patients_by_name`: `_keys_hint`), a key is a value of
    that type, masked whole, unless it is a field name that says what it is (`total`).
    Elsewhere field names stay, but a capitalised word the name detector reads as a
    person's name (`Okonkwo`) is scanned (`_person_key`); other keys are scanned."""
    key = fact.key
    if (
        keys_type is not None
        and keys_type in masker.types
        and not (fact.field_name and fact.hint is not None)
        and key not in _AGGREGATION_KEYS
    ):
        shown = masker.whole(keys_type, key, counts)
        masked = "" if shown is None else str(shown)
        return None if masked == key else masked
    if fact.field_name:
        return _person_key(masker, key, counts) if fact.maybe_a_name else None
    return _mask_key(masker, key, counts, key_type)


class _Facts(NamedTuple):
    """What a key's text says, computed once per distinct key (`_facts`)."""

    key: str
    hint: str | None
    role: int
    field_name: bool
    keys_hint: str | None
    maybe_a_name: bool


@functools.lru_cache(maxsize=8192)
def _facts(key: str) -> _Facts:
    """Everything the walk asks of a key, in one cache lookup: keys recur in every
    object of a result, and JSON masking sits in the response path."""
    return _Facts(key, hint(key), _role(key), _field_name(key), _keys_hint(key), _maybe_a_name(key))


def _maybe_a_name(key: str) -> bool:
    """A letters-only capitalised key with no field-name reading (not snake or camel
    case, no `hint`, not a known field word): names are written so, field names
    rarely."""
    return (
        key[:1].isupper()
        and key[1:].islower()
        and key.isalpha()
        and key.lower() not in _FIELD_WORDS
        and hint(key) is None
    )


def _person_key(masker: ValueMasker, key: str, counts: dict[str, int]) -> str | None:
    """`key` scanned when it may be a person's name (`_maybe_a_name`), or None when it
    stays. Whether the scan changes it is remembered per masker and key."""
    if not _maybe_a_name(key) or _quiet_key(masker, key):
        return None
    masked = masker.mask_str(key, counts)
    return None if masked == key else masked


def _quiet_key(masker: ValueMasker, key: str) -> bool:
    """Whether scanning `key` leaves it as is, remembered per masker (bounded)."""
    known = _QUIET.get(masker)
    if known is None:
        known = _QUIET[masker] = {}
    quiet = known.get(key)
    if quiet is None:
        if len(known) >= 4096:
            known.clear()
        quiet = known[key] = masker.mask_str(key, {}) == key
    return quiet


_QUIET: weakref.WeakKeyDictionary[ValueMasker, dict[str, bool]] = weakref.WeakKeyDictionary()


# Capitalised field names of common JSON (C#/.NET and Go APIs write keys so) that the
# name detector also reads as names: they stay keys.
_FIELD_WORDS = frozenset(["meta", "branch", "topic"])


_INDEX_SUBJECTS = {
    "patient": e.PERSON,
    "person": e.PERSON,
    "people": e.PERSON,
    "user": e.PERSON,
    "name": e.PERSON,
    "names": e.PERSON,
    "surnames": e.PERSON,
    "patient_name": e.PERSON,
}


@functools.lru_cache(maxsize=4096)
def _keys_hint(key: str) -> str | None:
    """What a key says about the keys of the object under it: an index keyed by its
    subject (`by_surname`, `per_patient`, `patients_by_name`, `mrn_index`) keys
    values of that type. None when it says nothing, KEEP or TEXT."""
    normal = normalise(key)
    subject = ""
    at = normal.rfind("by_")
    if at == 0 or (at > 0 and normal[at - 1] == "_"):
        subject = normal[at + 3 :]
    elif normal.startswith("per_"):
        subject = normal[4:]
    else:
        for suffix in ("_index", "_map", "_lookup", "_dict"):
            if normal.endswith(suffix):
                subject = normal[: -len(suffix)]
    if not subject:
        return None
    found = _INDEX_SUBJECTS.get(subject) or _INDEX_SUBJECTS.get(subject.rstrip("s"))
    found = found or hint(subject)
    return None if found in (KEEP, TEXT) else found


def _mask_key(
    masker: ValueMasker, key: str, counts: dict[str, int], parent_type: str | None
) -> str | None:
    """A key that is no field name: one with digits under a key that names a type
    (`{"by_mrn": {"40123456": …}}`) is masked whole as that type; others are scanned
    like text."""
    if parent_type is not None and parent_type in masker.types and _row_label(key):
        return None  # pandas' `{"ssn": {"0": …}}`: the row's label, not a value
    if parent_type is not None and parent_type in masker.types and _has_digit(key):
        shown = masker.whole(parent_type, key, counts)
        masked = "" if shown is None else str(shown)  # `drop` leaves an empty key, not "None"
    else:
        masked = masker.mask_str(key, counts)
    return None if masked == key else masked


def _row_label(key: str) -> bool:
    """A short row number (`0`, `17`): no identifier of a person is five digits or less."""
    return len(key) <= 5 and key.isdigit()


def _has_digit(key: str) -> bool:
    return any(c.isdigit() for c in key)


def _distinct(items: list[tuple[object, str | None, object]]) -> dict[object, object]:
    """The object with its masked keys. Masked keys that collide (two SSNs both read
    `[SSN]`) stay distinct as `[SSN]`, `[SSN] #2`, …: no value is lost or merged into
    another, and a key that was not masked is never renamed. Each name's next number
    is remembered, so an object of many colliding keys costs linear time, not square."""
    taken: set[object] = {key for key, masked, _ in items if masked is None}
    following: dict[str, int] = {}
    out: dict[object, object] = {}
    for key, masked, item in items:
        if masked is None:
            out[key] = item
            continue
        n = following.get(masked, 1)
        name = masked if n == 1 else f"{masked} #{n}"
        while name in taken:
            n += 1
            name = f"{masked} #{n}"
        following[masked] = n + 1
        taken.add(name)
        out[name] = item
    return out


def _is_scalar(value: object) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def _identifier_type(value: dict[object, object]) -> str:
    """What the identifier is, from its `system`, its type's codes or text, else ID. A
    known type the caller may see (revealed) stays shown, as it would under its key."""
    system = value.get("system")
    if isinstance(system, str):
        if system in _SYSTEMS:
            return _SYSTEMS[system]
        named = _named(system.rstrip("/").rsplit("/", 1)[-1])
        if named is not None:
            return named
    kind = value.get("type")
    if isinstance(kind, dict):
        codings = kind.get("coding")
        for coding in codings if isinstance(codings, list) else []:
            code = coding.get("code") if isinstance(coding, dict) else None
            if isinstance(code, str) and code in _V2_TYPES:
                return _V2_TYPES[code]
        text = kind.get("text")
        named = _named(text) if isinstance(text, str) else None
        if named is not None:
            return named
    return e.ID


def _named(text: str) -> str | None:
    """The entity type a label names (`us-ssn`, "Medical Record Number"), if any."""
    found = hint(text)
    return None if found in (None, KEEP, TEXT) else found


def _mask_scalar(
    masker: ValueMasker, value: object, counts: dict[str, int], key_type: str | None
) -> object:
    """Strings are scanned; a number is scanned as its JSON text (a phone number or a
    date as an integer is the same value as the string) and comes back as a string
    when masked. Numbers under keys that say they are not PHI (ids, counts, amounts)
    are kept, as the same column's values are in rows."""
    if value is None or isinstance(value, bool):
        return value
    if key_type is not None and key_type not in (KEEP, TEXT) and key_type in masker.types:
        return masker.whole(key_type, value, counts)
    if isinstance(value, str):
        if "=" in value:  # cheap: most strings hold no search token
            value = _mask_search_tokens(masker, value, counts)
        return masker.mask_str(value, counts)
    if isinstance(value, int | float) and key_type != KEEP:
        text = str(value)
        masked = masker.mask_str(text, counts)
        return value if masked == text else masked
    return value


# A query parameter (FHIR search, any URL or `key=value` text): its name, with dotted
# chains and modifiers (`patient.identifier`, `identifier:of-type`), and its value up to
# the next parameter.
_PARAMETER = re2.compile(r"(?:^|[?&;,\s])([A-Za-z_][\w.:-]{0,80})=([^&#;\s\"']+)")


def _mask_search_tokens(masker: ValueMasker, text: str, counts: dict[str, int]) -> str:
    """`text` with the value of each query parameter that names its type masked whole.
    An identifier search token (`identifier=system|value`) is an identifier whatever
    its system, labelled by it as `identifier[].value` is (unknown: ID): a conditional
    reference or `ifNoneExist` carries the same SSN or MRN as the resource's
    `identifier`. Other parameters are read by `hint` (`family=`, `birthdate=`,
    `phone=`, `ssn=`); one that says KEEP or TEXT leaves its value to the scan."""
    out: list[str] = []
    last = 0
    for match in _PARAMETER.finditer(text):
        name = match.group(1).lower()
        start, end = match.span(2)
        if "identifier" in name.replace(":", ".").split("."):
            if _searched_type(text, match.start(1)) in _IMPERSONAL:
                continue  # `Organization?identifier=…` is scanned as an org's identifier is
            tokens = text[start:end].split(",")
            masked = ",".join(_mask_token(masker, t, counts) for t in tokens)
        else:
            entity = hint(name.rsplit(".", 1)[-1].split(":", 1)[0])
            if entity in (None, KEEP, TEXT):
                continue
            shown = masker.whole(str(entity), text[start:end], counts)
            masked = "" if shown is None else str(shown)
        out += [text[last:start], masked]
        last = end
    if not out:
        return text
    out.append(text[last:])
    return "".join(out)


def _searched_type(text: str, at: int) -> str:
    """The resource type a search is on (`Organization` in `Organization?identifier=`),
    empty when the parameter does not follow one directly."""
    mark = text.rfind("?", max(0, at - 128), at)  # bounded: linear in long text
    if mark < 0 or any(c in "& \t\n" for c in text[mark:at]):
        return ""
    start = mark
    while start > 0 and text[start - 1].isalpha():
        start -= 1
    return text[start:mark]


def _mask_token(masker: ValueMasker, token: str, counts: dict[str, int]) -> str:
    """One `system|value` (or bare `value`; `|` may be written `%7C`)."""
    lower = token.lower()
    bar, encoded = token.rfind("|"), lower.rfind("%7c")
    cut, width = (bar, 1) if bar >= encoded else (encoded, 3)
    system, value = (token[:cut], token[cut + width :]) if cut >= 0 else ("", token)
    if not value:
        return token
    system = urllib.parse.unquote(system)
    code = ""
    if "|" in system:  # identifier:of-type=system|code|value
        system, code = system.rsplit("|", 1)
    entity = _V2_TYPES.get(code) or _SYSTEMS.get(system)
    if entity is None and system:
        entity = _named(system.rstrip("/").rsplit("/", 1)[-1])
    shown = masker.whole(entity or e.ID, value, counts)
    prefix = token[: cut + width] if cut >= 0 else ""
    return prefix + ("" if shown is None else str(shown))
