"""What a sibling says a JSON object's value holds: a label (`{"name": "ssn",
"value": …}`), a typed identifier's kind (`{"type": "SSN", "id": …}`), a Quantity
of years over 89."""

from __future__ import annotations

from phigate.masking import entities as e
from phigate.masking._hints import KEEP, TEXT, hint
from phigate.masking._json_keys import (
    KINDS,
    LABEL,
    LABEL_KEYS,
    bare_key,
    is_field_name,
    key_role,
    person_key,
)
from phigate.masking.value_masker import ValueMasker

# The identifier types a kind label may name for `id` or `number`: anything else
# (`{"type": "date", "id": 5}`, a schema) keeps its id.
_IDENTIFIERS = frozenset(
    [
        *(e.SSN, e.MRN, e.NPI, e.DEA, e.HEALTH_PLAN_ID, e.ACCOUNT_NUMBER, e.LICENSE),
        *(e.CREDIT_CARD, e.IBAN, e.VEHICLE_ID, e.DEVICE_ID, e.ID),
    ]
)


def typed_identifier(value: dict[object, object]) -> str | None:
    """The identifier type a kind label beside `id`/`number` names (`{"type": "SSN",
    "id": …}`, `{"identifierType": "MRN", "number": …}`), None when none does."""
    for key, label in value.items():
        if isinstance(key, str) and bare_key(key) in KINDS and isinstance(label, str):
            found = hint(label) if len(label) <= 128 else None
            if found in _IDENTIFIERS:
                return found
    return None


def sibling_label(
    masker: ValueMasker, value: dict[object, object], counts: dict[str, int]
) -> tuple[str | None, tuple[str, object] | None]:
    """What a sibling label says the `value*` keys hold (an entity type, or None), and
    the label key with its shown value when the label is a field name (`ssn`, `MRN`),
    not to be masked as a person's name under `name`. A label only adds masking: one
    that reads as KEEP or TEXT leaves the value to be scanned as usual."""
    named: str | None = None
    label_key: tuple[str, object] | None = None
    keys = {bare_key(k): k for k in value if isinstance(k, str) and key_role(k) & LABEL}
    for lower in LABEL_KEYS:
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
        if label_key is None and is_field_name(label):
            shown = person_key(masker, label, counts)
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


def old_age(value: dict[object, object]) -> str | None:
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
