"""Masking nested JSON: keys hint at types, strings, numbers and keys are scanned,
FHIR identifiers are masked by their shape, depth is bounded."""

from __future__ import annotations

import functools

import re2

from phigate.masking import entities as e
from phigate.masking._hints import KEEP, TEXT, hint
from phigate.masking.value_masker import ValueMasker

TOO_DEEP = "[REDACTED:TOO_DEEP]"

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
) -> object:
    """Masked copy of `value`; subtrees nested deeper than `depth` are replaced whole.
    `key_type` is what the key holding `value` says (`hint`), or `_IDENTIFIER`."""
    if depth < 0:
        counts["TOO_DEEP"] = counts.get("TOO_DEEP", 0) + 1
        return TOO_DEEP
    if isinstance(value, dict):
        if key_type == _IDENTIFIER and "value" in value:
            return _mask_object(masker, value, counts, depth, None, _identifier_type(value))
        return _mask_object(masker, value, counts, depth, key_type)
    if isinstance(value, list | tuple):
        return [mask_json(masker, v, counts, depth - 1, key_type) for v in value]
    return _mask_scalar(masker, value, counts, key_type)


def _mask_object(
    masker: ValueMasker,
    value: dict[object, object],
    counts: dict[str, int],
    depth: int,
    key_type: str | None,
    identifier: str | None = None,
) -> dict[object, object]:
    """Keys are masked like values (`_mask_key`); the items under them by what they
    say. In a FHIR Identifier (`identifier` is then what it identifies), `value` is an
    identifier of the resource's subject (a patient's SSN, MRN, member id) whatever its
    shape or key, masked whole and labelled by its `system` or `type`."""
    items: list[tuple[object, str | None, object]] = []
    renamed = False
    for key, item in value.items():
        key_text = str(key)
        child_type = hint(key_text)
        if key_text == "identifier" and value.get("resourceType") not in _IMPERSONAL:
            child_type = _IDENTIFIER
        if identifier is not None and key_text == "value" and _is_scalar(item):
            masked = masker.whole(identifier, item, counts)
        else:
            masked = mask_json(masker, item, counts, depth - 1, child_type)
        new_key = None if _field_name(key_text) else _mask_key(masker, key_text, counts, key_type)
        renamed = renamed or new_key is not None
        items.append((key, new_key, masked))
    if not renamed:  # most objects: no key is masked, none can collide
        return {key: item for key, _, item in items}
    return _distinct(items)


@functools.lru_cache(maxsize=4096)
def _field_name(key: str) -> bool:
    """Field names (`first_name`, `dateOfBirth`, `line1`) carry no PHI and are most
    keys; the answer is kept, since the same keys recur in every object of a result."""
    return len(key) <= 64 and _FIELD_NAME.fullmatch(key) is not None


def _mask_key(
    masker: ValueMasker, key: str, counts: dict[str, int], parent_type: str | None
) -> str | None:
    """The masked key, or None when it stays. An index keyed by identifiers
    (`{"by_mrn": {"40123456": …}}`) says what its keys are: a key with digits under a
    key that names a type is masked whole as that type. Other keys are scanned like
    text (field names are not: `_field_name`)."""
    if parent_type is not None and parent_type in masker.types and _has_digit(key):
        shown = masker.whole(parent_type, key, counts)
        masked = "" if shown is None else str(shown)  # `drop` leaves an empty key, not "None"
    else:
        masked = masker.mask_str(key, counts)
    return None if masked == key else masked


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
        return masker.mask_str(value, counts)
    if isinstance(value, int | float) and key_type != KEEP:
        text = str(value)
        masked = masker.mask_str(text, counts)
        return value if masked == text else masked
    return value
