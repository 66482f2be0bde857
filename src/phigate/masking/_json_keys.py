"""What a JSON key says (its role beside its siblings, the type it hints, whether
it is a field name or an index's subject), and how a key that holds a value is masked."""

from __future__ import annotations

import functools
import weakref
from typing import NamedTuple

import re2

from phigate.masking import entities as e
from phigate.masking._hints import KEEP, TEXT, hint, normalise
from phigate.masking.value_masker import ValueMasker

# A field name (`first_name`, `dateOfBirth`, `line1`): letters, `_` and `-`, then at
# most two digits. Every other key is scanned like a value.
_FIELD_NAME = re2.compile(r"[A-Za-z_][A-Za-z_-]{0,61}[0-9]{0,2}")

# What a key does in an object that says more than `key: value` (bit flags, `key_role`).
LABEL = 1  # names the value beside it: `name`, `key`, `field`, `code`, `label`, …
VALUE = 2  # the value a label names: `value`, FHIR `value[x]`, `val`, `answer`
COLUMNS = 4  # the column names of a columnar table: `columns`, `fields`, `schema`, …
ROWS = 8  # its rows: `rows`, `data`, `values`, `records`
UNIT = 16  # a Quantity's unit: `unit`, `code`
TYPED = 32  # what a typed identifier's kind names: `id`, `number` (`{"type": "SSN", "id": …}`)
KIND = 64  # a label that says what kind of identifier sits beside it: `type`, `kind`, …

# Labels that say what kind of identifier sits beside them (`typed_identifier`).
KINDS = ("type", "kind", "system", "identifiertype", "idtype", "typecode")
# The keys of a search engine's terms aggregation (`{"by_mrn": {"buckets": [{"key": …,
# "doc_count": 3}]}}`): structure, not values of the index's type, and its buckets'
# values are what the aggregation's name says.
AGGREGATION_KEYS = frozenset(["buckets"])

# Label keys, the first found that names a type wins (`system` names a ContactPoint's
# value, `url` an extension's, `text` a questionnaire answer's).
# (written without `_` or `-`, any case: `field_name`, `attributeName`, `Key`).
LABEL_KEYS = (
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
def key_role(key: str) -> int:
    lower = key.lower()
    bare = bare_key(key)
    if lower[:1] in ("#", "$") and bare in ("text", "value", ""):
        return VALUE  # XML as JSON: the element's text (`#text`, BadgerFish's `$`)
    role = LABEL if bare in LABEL_KEYS else 0
    if bare.startswith("value") or bare.endswith("value") or bare in ("val", "answer", "v"):
        role |= VALUE  # `value`, `valueString`, `attributeValue`, `field_value`, `v`
    if bare in ("id", "number", "num", "no", "identifier"):
        role |= TYPED
    if bare in KINDS:
        role |= KIND
    if lower in _COLUMN_KEYS:
        role |= COLUMNS
    if lower in _ROW_KEYS:
        role |= ROWS
    if lower in ("unit", "units", "code"):
        role |= UNIT
    return role


def bare_key(key: str) -> str:
    """The key lower-cased without `_`, `-` and XML-as-JSON's attribute marks (`@name`)."""
    return key.lower().replace("_", "").replace("-", "").lstrip("@#$")


@functools.lru_cache(maxsize=4096)
def is_field_name(key: str) -> bool:
    """Field names (`first_name`, `dateOfBirth`, `line1`) carry no PHI and are most
    keys; the answer is kept, since the same keys recur in every object of a result."""
    return len(key) <= 64 and _FIELD_NAME.fullmatch(key) is not None


def masked_key(
    masker: ValueMasker,
    fact: KeyFacts,
    counts: dict[str, int],
    key_type: str | None,
    keys_type: str | None,
) -> str | None:
    """The masked key, or None when it stays. Under a key that says what its keys are
    (`by_surname`, `by_mrn`, `patients_by_name`: `_keys_hint`), a key is a value of
    that type, masked whole, unless it is a field name that says what it is (`total`).
    Elsewhere field names stay, but a capitalised word the name detector reads as a
    person's name (`Okonkwo`) is scanned (`person_key`); other keys are scanned."""
    key = fact.key
    if (
        keys_type is not None
        and keys_type in masker.types
        and not (fact.field_name and fact.hint is not None)
        and key not in AGGREGATION_KEYS
    ):
        shown = masker.whole(keys_type, key, counts)
        masked = "" if shown is None else str(shown)
        return None if masked == key else masked
    if fact.field_name:
        return person_key(masker, key, counts) if fact.maybe_a_name else None
    return _mask_key(masker, key, counts, key_type)


class KeyFacts(NamedTuple):
    """What a key's text says, computed once per distinct key (`key_facts`)."""

    key: str
    hint: str | None
    role: int
    field_name: bool
    keys_hint: str | None
    maybe_a_name: bool


@functools.lru_cache(maxsize=8192)
def key_facts(key: str) -> KeyFacts:
    """Everything the walk asks of a key, in one cache lookup: keys recur in every
    object of a result, and JSON masking sits in the response path."""
    return KeyFacts(
        key, hint(key), key_role(key), is_field_name(key), _keys_hint(key), maybe_a_name(key)
    )


def maybe_a_name(key: str) -> bool:
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


def person_key(masker: ValueMasker, key: str, counts: dict[str, int]) -> str | None:
    """`key` scanned when it may be a person's name (`maybe_a_name`), or None when it
    stays. Whether the scan changes it is remembered per masker and key."""
    if not maybe_a_name(key) or _quiet_key(masker, key):
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


def with_distinct_keys(items: list[tuple[object, str | None, object]]) -> dict[object, object]:
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
