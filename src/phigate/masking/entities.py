"""The entity types the masking engine knows, and which of them are secrets.

An entity type is an upper-case name such as ``SSN``; it names the placeholder
(``[SSN]``), the key of the counts, and the key of operators in a profile.
Configuration may declare more types (custom identifiers).
"""

from __future__ import annotations

PERSON = "PERSON"
DATE = "DATE"
AGE = "AGE"
PHONE = "PHONE"
EMAIL = "EMAIL"
SSN = "SSN"
MRN = "MRN"
HEALTH_PLAN_ID = "HEALTH_PLAN_ID"
ACCOUNT_NUMBER = "ACCOUNT_NUMBER"
CREDIT_CARD = "CREDIT_CARD"
IBAN = "IBAN"
LICENSE = "LICENSE"
NPI = "NPI"
DEA = "DEA"
VEHICLE_ID = "VEHICLE_ID"
DEVICE_ID = "DEVICE_ID"
URL = "URL"
IP_ADDRESS = "IP_ADDRESS"
STREET_ADDRESS = "STREET_ADDRESS"
LOCATION = "LOCATION"
ZIP = "ZIP"
BIOMETRIC = "BIOMETRIC"
PROFESSION = "PROFESSION"
ID = "ID"
SECRET = "SECRET"  # noqa: S105 - an entity type name, not a password

PHI_TYPES: frozenset[str] = frozenset(
    {
        PERSON,
        DATE,
        AGE,
        PHONE,
        EMAIL,
        SSN,
        MRN,
        HEALTH_PLAN_ID,
        ACCOUNT_NUMBER,
        CREDIT_CARD,
        IBAN,
        LICENSE,
        NPI,
        DEA,
        VEHICLE_ID,
        DEVICE_ID,
        URL,
        IP_ADDRESS,
        STREET_ADDRESS,
        LOCATION,
        ZIP,
        BIOMETRIC,
        PROFESSION,
        ID,
    }
)

# Credentials are never revealed by a profile or an approval: whoever may see
# them is decided by the credential broker, not by masking.
SECRET_TYPES: frozenset[str] = frozenset({SECRET})

BUILTIN_TYPES: frozenset[str] = PHI_TYPES | SECRET_TYPES

# When detections of different types overlap, the merged span takes the type
# with the highest rank: the more specific and the more dangerous wins.
_RANKED = (
    SECRET,
    SSN,
    CREDIT_CARD,
    IBAN,
    DEA,
    NPI,
    MRN,
    HEALTH_PLAN_ID,
    ACCOUNT_NUMBER,
    LICENSE,
    VEHICLE_ID,
    DEVICE_ID,
    BIOMETRIC,
    EMAIL,
    URL,
    IP_ADDRESS,
    PHONE,
    STREET_ADDRESS,
    ZIP,
    LOCATION,
    DATE,
    AGE,
    PERSON,
    PROFESSION,
    ID,
)
RANK: dict[str, int] = {name: len(_RANKED) - i for i, name in enumerate(_RANKED)}


def rank(entity_type: str) -> int:
    """Priority of a type when overlapping detections merge (custom types rank highest)."""
    return RANK.get(entity_type, len(_RANKED) + 1)
