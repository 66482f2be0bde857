"""FHIR identifiers: what an Identifier's `value` is, by its system or type code,
and the identifiers in search parameters (`identifier=system|value`)."""

from __future__ import annotations

import urllib.parse

import re2

from phigate.masking import entities as e
from phigate.masking._hints import KEEP, TEXT, hint
from phigate.masking.value_masker import ValueMasker

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
IMPERSONAL = frozenset(
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


def identifier_type(value: dict[object, object]) -> str:
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


# A query parameter (FHIR search, any URL or `key=value` text): its name, with dotted
# chains and modifiers (`patient.identifier`, `identifier:of-type`), and its value up to
# the next parameter.
_PARAMETER = re2.compile(r"(?:^|[?&;,\s])([A-Za-z_][\w.:-]{0,80})=([^&#;\s\"']+)")


def mask_search_tokens(masker: ValueMasker, text: str, counts: dict[str, int]) -> str:
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
            if _searched_type(text, match.start(1)) in IMPERSONAL:
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
