"""Values that look like identifiers but name no one; a masker must leave them readable."""

from __future__ import annotations

from random import Random

from phigate.masking.eval.atlas import _ids
from phigate.masking.eval.atlas._builder import D

DRUGS = (
    ("atorvastatin", "40 mg"),
    ("lisinopril", "10 mg"),
    ("metformin ER", "750 mg"),
    ("apixaban", "5 mg"),
    ("sertraline", "50 mg"),
    ("levothyroxine", "88 mcg"),
    ("amoxicillin-clavulanate", "875-125 mg"),
    ("insulin glargine", "22 units"),
    ("semaglutide", "0.5 mg"),
    ("tacrolimus", "2 mg"),
    ("buprenorphine-naloxone", "8-2 mg"),
    ("albuterol HFA", "90 mcg/actuation"),
    ("prednisone", "20 mg"),
    ("gabapentin", "300 mg"),
    ("mycophenolate mofetil", "1000 mg"),
    ("latanoprost 0.005%", "1 drop"),
    ("chlorhexidine 0.12% rinse", "15 mL"),
    ("ibuprofen", "600 mg"),
    ("methylphenidate", "18 mg"),
)
EPONYMS = (
    "Hashimoto thyroiditis",
    "Bell's palsy",
    "Crohn disease",
    "Parkinson disease",
    "Graves disease",
    "Addison disease",
    "Murphy's sign",
    "Babinski sign",
    "Sjögren syndrome",
    "Down syndrome",
    "Marfan syndrome",
    "Guillain-Barré syndrome",
    "Kawasaki disease",
    "Huntington disease",
    "Lynch syndrome",
    "Osgood-Schlatter disease",
    "Cushing syndrome",
)
DEPARTMENTS = (
    "Cardiology",
    "Oral Surgery",
    "Retina Clinic",
    "Transplant Nephrology",
    "Pharmacy Services",
    "Revenue Cycle",
    "Health Information Management",
    "Interventional Radiology",
    "Medical Genetics",
    "Occupational Health",
    "Behavioral Health",
    "Patient Financial Services",
)
ICD10 = (
    "E11.9",
    "I10",
    "K02.52",
    "H52.13",
    "Z94.0",
    "J45.909",
    "F32.1",
    "M54.50",
    "Z13.79",
    "T86.11",
    "E03.9",
    "N18.4",
)
CPT = ("99213", "D4341", "92004", "80053", "70553", "81211", "99457", "D0150", "36415", "G0438")
LOINC = ("4548-4", "2345-7", "718-7", "2160-0", "14749-6", "33914-3", "6690-2", "1751-7")
NDC = (
    "0071-0155-23",
    "50090-2875-0",
    "0378-0213-01",
    "68180-0513-01",
    "0093-7214-56",
    "00002-8215-01",
)
RXNORM = ("RxCUI 617314", "RxCUI 860975", "RxCUI 197361", "RxCUI 313782", "RxCUI 2200644")
SNOMED = ("SNOMED 44054006", "SNOMED 38341003", "SNOMED 195967001", "SNOMED 80394007")
LABS = (
    "Hgb 11.2 g/dL (ref 12.0-15.5)",
    "creatinine 1.84 mg/dL (0.57-1.00)",
    "K+ 5.3 mmol/L",
    "TSH 6.21 uIU/mL (0.45-4.50)",
    "HbA1c 8.1%",
    "eGFR 38 mL/min/1.73m2",
    "INR 2.6",
    "tacrolimus trough 7.4 ng/mL",
    "WBC 3.1 x10^3/uL (4.0-11.0)",
    "LDL 142 mg/dL",
)
VITALS = (
    "BP 148/92",
    "HR 104 bpm",
    "SpO2 93%",
    "T 38.4 C",
    "RR 22",
    "BP 118/76",
    "HR 58",
    "weight 81.6 kg",
)
STATES = ("Washington", "Iowa", "Tennessee", "Louisiana", "Maine", "Arizona", "Oregon", "Texas")
COUNTRIES = ("Mexico", "Canada", "Philippines", "Vietnam", "Brazil", "India", "Germany", "Japan")
PLANS = (
    "Gold PPO 1500",
    "Bronze HSA 7000",
    "Medicare Advantage HMO",
    "Medicaid managed care",
    "Silver 70 EPO",
    "Part D Enhanced",
)
ROOMS = (
    "operatory 3",
    "exam lane 2",
    "CT room B",
    "negative-pressure room",
    "triage bay",
    "infusion chair 6",
)
SHIFTS = ("night shift", "day shift", "swing shift", "second shift", "weekend on-call")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
FORMS = (
    "CMS-1500",
    "UB-04",
    "NCPDP D.0",
    "HIPAA 837P",
    "X12 835",
    "OSHA 300",
    "DD Form 2807-1",
    "VA Form 10-5345",
)
GUIDELINES = (
    "https://www.cdc.gov/vaccines/hcp/acip-recs/index.html",
    "https://www.uspreventiveservicestaskforce.org/uspstf/recommendation-topics",
    "https://www.ada.org/resources/ada-library",
    "https://optn.transplant.hrsa.gov/policies-bylaws/policies/",
    "https://www.ncbi.nlm.nih.gov/clinvar/",
    "https://www.hl7.org/fhir/R4/patient.html",
)
ORG_TYPES = (
    "home health agency",
    "skilled nursing facility",
    "federally qualified health center",
    "specialty pharmacy",
    "organ procurement organization",
)


class Decoys:
    """Draws decoys from one Random; each call returns a labelled piece."""

    def __init__(self, r: Random) -> None:
        self.r = r

    def drug(self) -> tuple[D, D]:
        name, dose = self.r.choice(DRUGS)
        return D(name, "drug"), D(dose, "dose")

    def dosed(self) -> tuple[D, str, D]:
        """A drug and its dose as they are written in a sentence."""
        name, dose = self.drug()
        return name, " ", dose

    def pick(self, kind: str) -> D:
        table = {
            "eponym": EPONYMS,
            "department": DEPARTMENTS,
            "icd10": ICD10,
            "cpt": CPT,
            "loinc": LOINC,
            "ndc": NDC,
            "rxnorm": RXNORM,
            "snomed": SNOMED,
            "lab": LABS,
            "vital": VITALS,
            "state": STATES,
            "country": COUNTRIES,
            "plan": PLANS,
            "room": ROOMS,
            "shift": SHIFTS,
            "weekday": WEEKDAYS,
            "form": FORMS,
            "url": GUIDELINES,
            "org_type": ORG_TYPES,
        }[kind]
        return D(self.r.choice(table), kind)

    def age(self) -> D:
        return D(str(self.r.randint(1, 89)), "age")

    def year(self) -> D:
        return D(str(self.r.randint(1998, 2026)), "year")

    def money(self) -> D:
        return D(f"${self.r.randint(5, 9999):,}.{self.r.randint(0, 99):02d}", "money")

    def quantity(self) -> D:
        return D(
            f"{self.r.choice([30, 60, 90, 28, 14, 120])} "
            f"{self.r.choice(['tablets', 'capsules', 'mL', 'pens'])}",
            "quantity",
        )

    def duration(self) -> D:
        return D(
            f"{self.r.randint(2, 90)} {self.r.choice(['days', 'minutes', 'weeks', 'hours'])}",
            "duration",
        )

    def version(self) -> D:
        r = self.r
        return D(f"v{r.randint(1, 12)}.{r.randint(0, 30)}.{r.randint(0, 99)}", "version")

    def commit(self) -> D:
        return D(_ids.hex_string(self.r, self.r.choice([7, 12, 40])), "commit")

    def build(self) -> D:
        return D(
            f"build-{self.r.randint(2019, 2026)}{self.r.randint(1, 12):02d}"
            f".{self.r.randint(100, 9999)}",
            "build",
        )

    def request_id(self) -> D:
        return D(
            f"req_{_ids.alnum(self.r, 20, 'abcdefghijklmnopqrstuvwxyz0123456789')}", "request_id"
        )

    def uuid(self) -> D:
        return D(_ids.uuid(self.r), "uuid")

    def timestamp(self) -> D:
        r = self.r
        return D(
            f"{r.randint(2024, 2026)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}"
            f"T{r.randint(0, 23):02d}:{r.randint(0, 59):02d}:{r.randint(0, 59):02d}"
            f".{r.randint(0, 999):03d}Z",
            "timestamp",
        )

    def http(self) -> D:
        return D(
            str(self.r.choice([200, 201, 204, 400, 401, 403, 404, 409, 429, 500, 502, 503])),
            "http_status",
        )

    def port(self) -> D:
        return D(str(self.r.choice([443, 5432, 8080, 6379, 9090, 11112, 104, 2575])), "port")

    def tooth(self) -> D:
        return D(f"#{self.r.randint(1, 32)}", "tooth")

    def diopter(self) -> D:
        r = self.r
        return D(
            f"{r.choice(['-', '+'])}{r.randint(0, 8)}.{r.choice(['00', '25', '50', '75'])}",
            "diopter",
        )

    def dicom_tag(self) -> D:
        return D(
            self.r.choice(
                ["(0008,0060)", "(0018,0050)", "(0028,0010)", "(0008,1030)", "(0020,0011)"]
            ),
            "dicom_tag",
        )

    def software_uid(self) -> D:
        return D(_ids.dicom_uid(self.r), "software_uid")
