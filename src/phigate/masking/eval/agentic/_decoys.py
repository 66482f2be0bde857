"""Look-alikes that are not PHI and must stay readable after masking.

Codes with digits (CPT, LOINC, NDC, ICD-10), doses and lab values, versions,
eponyms and brand names that read like surnames, generic departments, interface
vocabulary (HL7 segments, FHIR resource types) and what Safe Harbor lets through
on purpose (a state, a country, a year alone, an age of 89 or less).
"""

from __future__ import annotations

import random

from ._doc import D, Tag

_DRUGS = [
    ("metformin", "500 mg"),
    ("lisinopril", "10 mg"),
    ("apixaban", "5 mg"),
    ("insulin glargine", "22 units"),
    ("atorvastatin", "40 mg"),
    ("levothyroxine", "75 mcg"),
    ("furosemide", "40 mg"),
    ("nitroglycerin", "0.4 mg"),
    ("amoxicillin", "875 mg"),
    ("sertraline", "50 mg"),
]
_BRANDS = [
    "Lasix",
    "Norvasc",
    "Eliquis",
    "Jardiance",
    "Lyrica",
    "Humira",
    "Flomax",
    "Ambien",
    "Seroquel",
    "Keppra",
    "Allegra",
    "Coreg",
    "Zyprexa",
    "Tresiba",
]
_EPONYMS = [
    "Parkinson's disease",
    "Hodgkin lymphoma",
    "Crohn's disease",
    "Bell's palsy",
    "Graves' disease",
    "Cushing syndrome",
    "Apgar",
    "Hashimoto thyroiditis",
    "Glasgow Coma Scale",
    "Alzheimer's dementia",
    "Babinski sign",
    "Wells score",
    "Barrett's esophagus",
]
_ICD = [
    ("E11.9", "type 2 diabetes"),
    ("I10", "essential hypertension"),
    ("J45.909", "asthma, uncomplicated"),
    ("N18.3", "CKD stage 3"),
    ("F32.1", "major depressive disorder"),
    ("M54.5", "low back pain"),
    ("I48.91", "atrial fibrillation"),
    ("Z79.01", "long-term anticoagulant use"),
]
_CPT = ["99213", "99214", "93000", "80053", "36415", "71046", "99497", "G0439"]
_LOINC = [
    ("4548-4", "HbA1c", "%", 5.4, 11.9),
    ("2160-0", "Creatinine", "mg/dL", 0.6, 2.8),
    ("2823-3", "Potassium", "mmol/L", 3.1, 5.9),
    ("718-7", "Hemoglobin", "g/dL", 8.0, 16.5),
    ("2345-7", "Glucose", "mg/dL", 68, 310),
]
_DEPARTMENTS = [
    "Cardiology",
    "Radiology",
    "Oncology",
    "Patient Access",
    "Revenue Cycle",
    "Emergency Department",
    "Pharmacy",
    "Medical Records",
    "Physical Therapy",
    "Endocrinology",
]
_FHIR = [
    "Patient",
    "Observation",
    "Encounter",
    "MedicationRequest",
    "Coverage",
    "AllergyIntolerance",
    "DiagnosticReport",
]
_HL7 = ["PID", "PV1", "OBX", "MSH", "ORC", "IN1"]
_COUNTRIES = ["Canada", "Australia", "United Kingdom", "Mexico", "Germany", "Viet Nam", "Ireland"]
_STATES = ["Ohio", "Texas", "California", "MA", "NY", "Ontario", "Queensland", "NSW", "Bavaria"]


class Decoys:
    """Decoy source, sharing the corpus's random stream."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def drug_dose(self) -> tuple[Tag, Tag]:
        drug, dose = self.rng.choice(_DRUGS)
        return D(drug, "DRUG"), D(dose, "DOSE")

    def brand(self) -> Tag:
        return D(self.rng.choice(_BRANDS), "DRUG")

    def eponym(self) -> Tag:
        return D(self.rng.choice(_EPONYMS), "EPONYM")

    def icd(self) -> tuple[Tag, str]:
        code, text = self.rng.choice(_ICD)
        return D(code, "ICD10"), text

    def cpt(self) -> Tag:
        return D(self.rng.choice(_CPT), "CPT")

    def lab(self) -> tuple[str, Tag, Tag]:
        """(name, LOINC code, value with unit)."""
        code, name, unit, low, high = self.rng.choice(_LOINC)
        value = round(self.rng.uniform(low, high), 1)
        joiner = "" if unit == "%" else " "
        return name, D(code, "LOINC"), D(f"{value}{joiner}{unit}", "LAB_VALUE")

    def ndc(self) -> Tag:
        r = self.rng.randint
        return D(f"{r(0, 99999):05d}-{r(0, 9999):04d}-{r(0, 99):02d}", "NDC")

    def quantity(self) -> Tag:
        return D(
            self.rng.choice(["#30", "qty 90", "x 3 refills", "#60", "1 box (100 ct)"]), "QUANTITY"
        )

    def version(self) -> Tag:
        r = self.rng.randint
        return D(
            self.rng.choice(
                [
                    f"v{r(1, 9)}.{r(0, 30)}.{r(0, 12)}",
                    f"{r(1, 4)}.{r(0, 9)}.{r(0, 40)}-rc{r(1, 5)}",
                    f"2026.{r(1, 11)}.{r(100, 999)}",
                ]
            ),
            "VERSION",
        )

    def build_time(self) -> Tag:
        r = self.rng.randint
        return D(
            f"2026-{r(1, 11):02d}-{r(1, 28):02d}T{r(0, 23):02d}:{r(0, 59):02d}:{r(0, 59):02d}Z",
            "BUILD_TIMESTAMP",
        )

    def department(self) -> Tag:
        return D(self.rng.choice(_DEPARTMENTS), "DEPARTMENT")

    def fhir(self) -> Tag:
        return D(self.rng.choice(_FHIR), "FHIR_RESOURCE")

    def hl7(self) -> Tag:
        return D(self.rng.choice(_HL7), "HL7_SEGMENT")

    def country(self) -> Tag:
        return D(self.rng.choice(_COUNTRIES), "COUNTRY")

    def state(self) -> Tag:
        return D(self.rng.choice(_STATES), "STATE")

    def http(self) -> Tag:
        return D(str(self.rng.choice([400, 404, 409, 422, 500, 502, 503])), "HTTP_STATUS")
