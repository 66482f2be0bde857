"""Decoys: values shaped like identifiers that are not PHI and must stay readable.

Doses, lab values, billing and terminology codes, software versions, years and
ages up to 89 (Safe Harbor keeps both), states and countries (larger than the
subdivisions Safe Harbor removes), generic departments, eponyms and brand
names that read like surnames.
"""

from __future__ import annotations

from ._values import Values


def dose(v: Values) -> str:
    return v.pick(
        [
            f"{v.pick(['5', '10', '20', '40', '81', '250', '500', '1000'])} mg",
            f"{v.rng.randint(1, 30)} units",
            "0.125 mg",
            "2 mg/kg",
            "1 g IV q8h",
            "50 mcg",
            "17 g",
            "100 mL/hr",
            "0.9% NaCl",
        ]
    )


def lab(v: Values) -> str:
    return v.pick(
        [
            f"Na {v.rng.randint(128, 148)} mmol/L",
            f"K {v.rng.randint(30, 55) / 10} mmol/L",
            f"Hgb {v.rng.randint(70, 160) / 10} g/dL",
            f"Cr {v.rng.randint(5, 40) / 10} mg/dL",
            f"WBC {v.rng.randint(20, 180) / 10} x10^9/L",
            f"A1c {v.rng.randint(50, 120) / 10}%",
            f"INR {v.rng.randint(9, 40) / 10}",
            f"TSH {v.rng.randint(1, 90) / 10} mIU/L",
            f"BNP {v.rng.randint(20, 2400)} pg/mL",
        ]
    )


def code(v: Values) -> tuple[str, str]:
    """A terminology or billing code and its kind."""
    return v.pick_pair(
        [
            (
                "ICD10",
                v.pick(
                    [
                        "E11.9",
                        "I10",
                        "J44.1",
                        "N18.4",
                        "F32.1",
                        "Z79.4",
                        "S72.001A",
                        "C81.90",
                        "G20",
                        "F10.20",
                    ]
                ),
            ),
            (
                "CPT",
                v.pick(["99213", "99223", "93000", "80053", "85025", "71046", "90834", "97110"]),
            ),
            ("LOINC", v.pick(["2345-7", "4548-4", "718-7", "2160-0", "6690-2", "33914-3"])),
            (
                "NDC",
                v.pick(
                    [
                        "0093-7146-56",
                        "0378-1805-10",
                        "50090-2875-0",
                        "0173-0682-20",
                        "68180-0513-03",
                    ]
                ),
            ),
            ("HCPCS", v.pick(["J1885", "G0439", "E0601", "A4253"])),
            ("REV_CODE", v.pick(["0450", "0250", "0301", "0636"])),
        ]
    )


def version(v: Values) -> str:
    return v.pick(
        [
            f"v{v.rng.randint(1, 12)}.{v.rng.randint(0, 20)}.{v.rng.randint(0, 9)}",
            f"build {v.rng.randint(1000, 9999)}",
            f"Epic {v.pick(['2023', '2024'])}.{v.rng.randint(1, 4)}",
            f"ver. {v.rng.randint(2, 9)}.{v.rng.randint(0, 9)}",
        ]
    )


def quantity(v: Values) -> str:
    return v.pick(
        [
            f"#{v.pick(['30', '60', '90', '14', '120'])}",
            f"qty {v.rng.randint(1, 100)}",
            f"{v.rng.randint(1, 12)} refills",
            f"{v.pick(['30', '90'])}-day supply",
            f"x{v.rng.randint(2, 10)}",
        ]
    )


def department(v: Values) -> str:
    return v.pick(
        [
            "Cardiology",
            "Emergency Department",
            "Radiology",
            "Oncology",
            "Pharmacy",
            "Medical Records",
            "Social Work",
            "Nephrology",
            "Labor & Delivery",
            "Pediatrics",
            "Urgencias",
            "Medicina Interna",
        ]
    )


def eponym(v: Values) -> str:
    return v.pick(
        [
            "Parkinson's disease",
            "Hodgkin lymphoma",
            "Apgar",
            "Glasgow Coma Scale",
            "Foley",
            "Crohn's disease",
            "Alzheimer's",
            "Graves' disease",
            "Bell's palsy",
            "Cushing syndrome",
            "Babinski",
            "Murphy's sign",
            "Down syndrome",
            "Addison's disease",
            "Wells score",
            "Swan-Ganz",
        ]
    )


def brand(v: Values) -> str:
    """Drug names that could pass for surnames or given names."""
    return v.pick(
        [
            "Allegra",
            "Lyrica",
            "Celexa",
            "Paxil",
            "Norco",
            "Keppra",
            "Ativan",
            "Bactrim",
            "Lasix",
            "Flomax",
            "Humira",
            "Xarelto",
            "Eliquis",
            "Abilify",
            "Zyprexa",
            "Lipitor",
            "Cozaar",
            "Brilinta",
            "Jardiance",
        ]
    )


def ndc(v: Values) -> str:
    """A National Drug Code in one of its 4-4-2, 5-3-2 and 5-4-1 groupings."""
    return v.pick(["0093-7146-56", "0378-1805-10", "50090-2875-0", "0173-0682-20", "68180-513-03"])
