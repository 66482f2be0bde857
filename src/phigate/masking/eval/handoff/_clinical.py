"""Decoy pools: clinical and technical values that look like identifiers but are not.

Each pool entry is written as it appears in text; the decoy kind names what the
value is, so a report can say which family of look-alikes a detector over-masks.
"""

from __future__ import annotations

# Brand names chosen because they read like given names, towns or surnames.
DRUGS_NAMELIKE = (
    "Keppra",
    "Xarelto",
    "Eliquis",
    "Allegra",
    "Lyrica",
    "Ativan",
    "Haldol",
    "Norco",
    "Zofran",
    "Lasix",
    "Valium",
    "Celexa",
    "Abilify",
    "Seroquel",
    "Lucentis",
    "Jardiance",
    "Ozempic",
    "Trulicity",
    "Dilaudid",
    "Bactrim",
    "Brilinta",
    "Entresto",
    "Farxiga",
    "Humira",
    "Lantus",
    "Levemir",
    "Marinol",
    "Narcan",
    "Plavix",
    "Rexulti",
    "Tessalon",
    "Xanax",
)
DRUGS_GENERIC = (
    "metoprolol",
    "lisinopril",
    "apixaban",
    "levetiracetam",
    "sertraline",
    "quetiapine",
    "furosemide",
    "amoxicillin-clavulanate",
    "buprenorphine-naloxone",
    "insulin glargine",
    "atorvastatin",
    "gabapentin",
    "lithium carbonate",
    "chlorhexidine",
    "ondansetron",
    "warfarin",
)
DOSES = (
    "500 mg PO BID",
    "25 mg daily",
    "5 mg PO q12h",
    "40 mg IV once",
    "10 units SC qHS",
    "0.5 mg PO q8h PRN anxiety",
    "1 tab PO q6h PRN pain",
    "81 mg daily",
    "2 mg/kg",
    "150 mg BID",
    "12.5 mg",
    "4 mg ODT",
)
EPONYMS = (
    "Parkinson disease",
    "Hodgkin lymphoma",
    "Apgar",
    "Crohn's disease",
    "Graves disease",
    "Hashimoto thyroiditis",
    "Addison's disease",
    "Cushing syndrome",
    "Bell's palsy",
    "Guillain-Barré syndrome",
    "Alzheimer dementia",
    "Murphy's sign",
    "Babinski",
    "Homans sign",
    "Trendelenburg gait",
    "Glasgow Coma Scale",
    "Foley",
    "Whipple",
    "Nissen fundoplication",
    "Barrett esophagus",
    "Raynaud phenomenon",
    "Sjögren syndrome",
    "Kawasaki disease",
    "Ménière disease",
    "Tourette syndrome",
    "Wilson disease",
    "Bishop score",
    "Wells score",
    "Ludwig's angina",
    "Bennett fracture",
)
DEPARTMENTS = (
    "Cardiology",
    "Oncology",
    "4 West Med-Surg",
    "Emergency Department",
    "Radiology",
    "Labor & Delivery",
    "Behavioral Health",
    "Pharmacy",
    "Patient Access",
    "Revenue Cycle",
    "Health Information Management",
    "Endodontics",
    "Nephrology",
    "Case Management",
)
ICD10 = (
    "E11.9",
    "I10",
    "J44.1",
    "F32.A",
    "N18.4",
    "I48.91",
    "G40.909",
    "K50.90",
    "F10.20",
    "K02.52",
)
CPT = ("99214", "93000", "99285", "90837", "D2740", "80053", "71046", "36415", "99223", "D0150")
LOINC = ("4548-4", "2345-7", "2160-0", "718-7", "2823-3", "2951-2", "1742-6", "6690-2")
NDC = ("0002-1433-80", "50090-3467-0", "0378-3512-93", "68180-0513-03", "0093-7146-56")
RXNORM = ("860975", "197361", "617314", "1049221", "311036", "313782")
LAB_VALUES = (
    "Na 138 mmol/L",
    "K 5.6 mmol/L",
    "Hgb 9.8 g/dL",
    "Cr 1.42 mg/dL",
    "WBC 14.2 K/uL",
    "INR 2.7",
    "A1c 8.1%",
    "TSH 0.02 mIU/L",
    "glucose 312 mg/dL",
    "lactate 4.1 mmol/L",
    "troponin 0.08 ng/mL",
    "eGFR 38 mL/min/1.73m2",
)
VITALS = (
    "BP 164/92",
    "HR 112",
    "SpO2 91% RA",
    "T 38.6 C",
    "RR 24",
    "BP 98/54",
    "Temp 101.3 F",
    "wt 72.4 kg",
    "pain 7/10",
    "GCS 14",
)
ROOM_TYPES = (
    "negative-pressure isolation room",
    "private room",
    "step-down unit",
    "ICU",
    "observation bay",
    "semi-private room",
    "seclusion room",
    "operatory",
)
SHIFTS = ("night shift", "day shift", "evening shift", "0700-1900", "1900-0700", "swing shift")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
PLAN_NAMES = (
    "Medicare Advantage HMO",
    "Medicaid managed care",
    "Blue Shield PPO",
    "Aetna Choice POS II",
    "Tricare Select",
    "high-deductible HSA plan",
    "Delta Dental PPO",
)
GUIDELINE_URLS = (
    "https://www.cdc.gov/vaccines/hcp/imz-schedules/index.html",
    "https://www.uspreventiveservicestaskforce.org/uspstf/recommendation-topics",
    "https://www.ncbi.nlm.nih.gov/books/NBK430685/",
    "https://www.heart.org/en/health-topics/high-blood-pressure",
    "https://www.ada.org/resources/ada-library/oral-health-topics",
    "https://www.cms.gov/medicare/coverage/prior-authorization",
)
DURATIONS = ("x 10 days", "for 6 weeks", "x3 days", "for 14 days", "over 48 hours", "for 3 months")
QUANTITIES = ("#30", "#90", "qty 60", "disp 1 pen", "#14", "120 mL", "3 refills")
VERSIONS = ("v2.14.3", "4.0.1-rc2", "v11.2", "1.8.0", "3.12.4", "22.04")
