"""Look-alikes in lab messages, public links and remittances (round 20e): the code of
an HL7 test (OBR-4, OBX-3), a public page named after a word of persons, a past
tense in a column after a procedure code. Each stays visible; the same shapes tied
to a patient stay masked."""

from __future__ import annotations

import pytest

from phigate.masking.engine import Masker

KEPT = [
    # the code of what was ordered or observed, whatever it reads as
    ("OBX|4|NM|00071-0155-23^Creatinine^LN||1.84|mg/dL|0.6-1.2\r", "00071-0155-23"),
    ("OBX|1|NM|80053^Glucose^LN||143|mg/dL|70-99\r", "80053"),
    ("OBX|3|NM|0074-4339-02||TSH 6.2 mIU/L (0.4-4.0)||||F\r", "0074-4339-02"),
    ("OBR|1||ZK34565465|44054006^Panel|||20241018\r", "44054006"),
    ("OBR|1|PL7781|FL99120|312961^Lipid panel^L|||20250707\n", "312961"),
    # a public page about a kind of person, with no one's id in its link
    ("Field mapping: https://www.hl7.org/fhir/R4/patient.html\n",
     "https://www.hl7.org/fhir/R4/patient.html"),
    ("see https://www.cdc.gov/flu/member-faq.pdf for details", "https://www.cdc.gov/flu/member-faq.pdf"),
    # a guideline on a British organisation's site, as on an American one's
    ("see https://www.nice.org.uk/guidance/ng28\n", "https://www.nice.org.uk/guidance/ng28"),
    # a remittance's line: a CPT code, then its past-tense column
    ("CLAIM 8812\n  80053  BILLED $1,158.55  ALLOWED $312.00\n", "80053"),
    # the status a server answered after a request's path
    ("INFO GET /api/v2/patients/91026598/chart 200 622ms\n", "200"),
    ("GET /fhir/Patient/8812/records 404\n", "404"),
    # an amount of money under a payer's label
    ("Insurance paid (Caremark): $1,776.71\nYOU OWE: $1,451.54\n", "$1,776.71"),
    ("Insurance: $250.00 applied\n", "$250.00"),
    # a plan's name after a lower-case "plan" run into the text
    ("VISION CLAIM CLM-727511329  plan Vision Plus 130\nMember: Ana Ruiz\n", "Vision Plus"),
    # a plan's product name, a whole cell under a "Plan" header
    ('#,Name,DOB,Plan,Member ID\n1,"Okafor, Rain",01/26/1985,Tricare Prime,WPE564487612\n',
     "Tricare Prime"),
    ("Name\tHealth Plan\tCopay\nJohn Smith\tSummit Choice\t$20\n", "Summit Choice"),
]  # fmt: skip

MASKED = [
    # the same fields' other values, a patient's record number as a code's twin
    ("OBR|1||ZK34565465|44054006^Panel|||20241018\r", "ZK34565465"),
    ("PID|1||8812345^^^MRN||DOE^JANE\rOBX|1|ST|8812345^Id^L||x\r", "8812345^Id"),
    # an observation's value is the patient's, not a code
    ("OBX|1|ST|11368-8^Address^LN||12 Elm Street^^Boston^MA^02118\r", "12 Elm Street"),
    # a person's page: an id in its name, a folder of theirs, a query with a number
    ("https://www.cdc.gov/patient-88124.html", "https://www.cdc.gov/patient-88124.html"),
    ("https://www.hl7.org/patients/jdoe/summary.html", "https://www.hl7.org/patients/jdoe"),
    ("https://www.cdc.gov/patient.html?id=88124", "https://www.cdc.gov/patient.html?id=88124"),
    ("https://www.nice.org.uk/patients/jdoe", "https://www.nice.org.uk/patients/jdoe"),
    ("https://clinic.co.uk/guidance/ng28", "https://clinic.co.uk/guidance/ng28"),
    # a postcode then its town stays a place
    ("Adresse:\n75001 Paris\n", "75001"),
    ("Anschrift\n10115 Berlin\n", "10115"),
    # the patient's id in the same request line, a chart number under its label
    ("INFO GET /api/v2/patients/91026598/chart 200 622ms\n", "91026598"),
    ("Chart 200-114 reviewed", "200-114"),
    ("chart # 20041 reviewed", "20041"),
    # a plan's or an account's number, not money, under the same labels
    ("Insurance: Medicaid 8CQ4-ET8-HR98\n", "8CQ4-ET8-HR98"),
    ("Member ID: $1234567\n", "$1234567"),
    ("VISION CLAIM CLM-727511329  plan Vision Plus 130\nMember: Ana Ruiz\n", "Ana Ruiz"),
    ("We discussed the care plan with John Smith today.", "John Smith"),
    # beside a plan's column, the member's name and a payer's name (a firm) stay masked
    ('#,Name,DOB,Plan,Member ID\n1,"Okafor, Rain",01/26/1985,Tricare Prime,WPE564487612\n',
     "Okafor, Rain"),
    ("Name\tPlan\tPayer\nLaura Plant\tTricare Prime\tDelta Dental\n", "Laura Plant"),
    ("Name\tPlan\tPayer\nLaura Plant\tTricare Prime\tDelta Dental\n", "Delta Dental"),
]  # fmt: skip


def _touched(masker: Masker, text: str, value: str) -> list[str]:
    start = text.index(value)
    return [t for s, e, t in masker.spans(text) if s < start + len(value) and e > start]


@pytest.mark.parametrize(("text", "value"), KEPT)
def test_kept(safe_harbor: Masker, text: str, value: str) -> None:
    assert not _touched(safe_harbor, text, value), f"{value!r} masked"


@pytest.mark.parametrize(("text", "value"), MASKED)
def test_masked(safe_harbor: Masker, text: str, value: str) -> None:
    assert _touched(safe_harbor, text, value), f"{value!r} left"
