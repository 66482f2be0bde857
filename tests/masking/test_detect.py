"""Detection: each identifier kind is found, each decoy is left alone."""

from __future__ import annotations

import pytest

from phigate.masking.engine import Masker

FOUND = [
    ("SSN 123-45-6789 on file", "123-45-6789", "SSN"),
    ("social security number: 123456789.", "123456789", "SSN"),
    ("call (617) 555-0134 today", "(617) 555-0134", "PHONE"),
    ("cell 617.555.0134x123", "617.555.0134x123", "PHONE"),
    ("fax: +1-617-555-0199", "+1-617-555-0199", "PHONE"),
    ("write to jane.doe@example.org now", "jane.doe@example.org", "EMAIL"),
    ("see https://portal.example.com/p/123?x=1.", "https://portal.example.com/p/123?x=1", "URL"),
    ("from 192.168.10.7 at night", "192.168.10.7", "IP_ADDRESS"),
    ("via 2001:db8::8a2e:370:7334 too", "2001:db8::8a2e:370:7334", "IP_ADDRESS"),
    ("seen 03/14/2021 in clinic", "03/14/2021", "DATE"),
    ("seen 2021-03-14 in clinic", "2021-03-14", "DATE"),
    ("seen March 14, 2021 in clinic", "March 14, 2021", "DATE"),
    ("since 3/14 worse", "3/14", "DATE"),
    ("a 93-year-old woman", "93", "AGE"),
    ("MRN: A123456 admitted", "A123456", "MRN"),
    ("member ID XJH123456789 active", "XJH123456789", "HEALTH_PLAN_ID"),
    ("card 4111 1111 1111 1111 charged", "4111 1111 1111 1111", "CREDIT_CARD"),
    ("IBAN GB82 WEST 1234 5698 7654 32 ok", "GB82 WEST 1234 5698 7654 32", "IBAN"),
    ("NPI 1234567893 listed", "1234567893", "NPI"),
    ("DEA AB1234563 listed", "AB1234563", "DEA"),
    ("VIN 1HGCM82633A004352 towed", "1HGCM82633A004352", "VEHICLE_ID"),
    ("pacemaker serial no. PM-88213X placed", "PM-88213X", "DEVICE_ID"),
    ("lives at 42 Elm Street, Apt 3 now", "42 Elm Street, Apt 3", "STREET_ADDRESS"),
    ("Springfield, IL 62704", "Springfield", "LOCATION"),
    ("Springfield, IL 62704", "62704", "ZIP"),
    ("key AKIAIOSFODNN7EXAMPLE used", "AKIAIOSFODNN7EXAMPLE", "SECRET"),
    ("token ghp_" + "a" * 36 + " leaked", "ghp_" + "a" * 36, "SECRET"),
    ("xoxb-123456789012-abcdefghij in chat", "xoxb-123456789012-abcdefghij", "SECRET"),
    ("postgres://app:s3cr3t@db:5432/x", "s3cr3t", "SECRET"),
    ("password=hunter2; next", "hunter2", "SECRET"),
    ("auth eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig_nature", "eyJhbGciOiJIUzI1NiJ9", "SECRET"),
    ("Patient John Smith presents", "John Smith", "PERSON"),
    ("Seen by Dr. Kowalczyk today", "Kowalczyk", "PERSON"),
    ("Her daughter Ngozi called", "Ngozi", "PERSON"),
    ("Mr. Parkinson came back", "Parkinson", "PERSON"),
    ("Electronically signed by Đặng Văn", "Đặng Văn", "PERSON"),
    ("Nurse John Key was called", "John Key", "PERSON"),  # a plan word, and a surname
    # identifier shapes without a label, census shorthand, calls, lists and scans
    ("pump PJN123456R replaced", "PJN123456R", "ID"),
    ("pump RNB-104237H replaced", "RNB-104237H", "ID"),
    ("UDI (01) 00884521234567 (17) 250101", "(01) 00884521234567 (17) 250101", "DEVICE_ID"),
    ("Rm 412 | Adm 03/01 | Dr. Osei", "03/01", "DATE"),
    ("moved to Tues 3/19 at 2pm", "3/19", "DATE"),
    ("Rm 412 | WHITFIELD, DOLORES | 94F", "94F", "AGE"),
    ("that's W-H-I-T-F-I-E-L-D", "W-H-I-T-F-I-E-L-D", "PERSON"),
    ("Rm 414 | Mbeki, Thabo | 66M", "Thabo", "PERSON"),
    ("- Mbeki (66M) pneumonia", "Mbeki", "PERSON"),
    ("hi is this dr osei office", "osei", "PERSON"),
    ("PATIENT NAME: WH1TFIELD, D0LORES", "WH1TFIELD", "PERSON"),
    ("D.O.B: O3/O3/l941", "O3/O3/l941", "DATE"),
    ("Boston MA 02118", "Boston", "LOCATION"),
    ("Toronto, ON M5V 2T6", "Toronto", "LOCATION"),
    ("Spoke with Marie by phone", "Marie", "PERSON"),
    ("Seen at Riverside Medical Center today", "Riverside Medical Center", "LOCATION"),
    ("transferred to the Hospital of the University of Pennsylvania", "Pennsylvania", "LOCATION"),
    ("He works as a bus driver for the county.", "bus driver", "PROFESSION"),
    ("Occupation: welder", "welder", "PROFESSION"),
    ("Sent: Thursday, March 14, 2024 9:02 AM", "Thursday, March 14, 2024 9:02 AM", "DATE"),
    ("record 3f2b8c1e-9a4d-4e21-b7c3-0d5e6f7a8b9c done", "3f2b8c1e-9a4d-4e21-b7c3-0d5e6f7a8b9c",
     "ID"),
    ('"reference": "Patient/58812"', "58812", "ID"),
    # tables and forms: units in headers, foreign column names, header-less rows
    ("Name,Zip Code,City,Weight (kg)\nAna Ruiz,78040,Laredo,71.2", "78040", "ZIP"),
    ("#,Name,City,ZIP\n1,Ana Ruiz,Laredo,78040", "Laredo", "LOCATION"),
    ("Nachname;Vorname;PLZ;Ort\nHuber;Anna;80331;Sendling", "Sendling", "LOCATION"),
    ("Prénom: Élodie", "Élodie", "PERSON"),
    ("x,y,z,w\nRuiz,Ana,Laredo,78040\nLee,Bo,Dayton,45402", "Dayton", "LOCATION"),
    ("a,b,c,d\nRuiz,123-45-6789,x,1\nLee,987654321,y,2", "987654321", "SSN"),
    ("Occupation,Employer,Age\nwelder,Acme Corp,93", "Acme Corp", "LOCATION"),
    ("DL#: S530-4417-9921", "S530-4417-9921", "LICENSE"),
    ('{"doc": "65f1a2b3c4d5e6f7a8b9c0d1", "op": "read"}', "65f1a2b3c4d5e6f7a8b9c0d1", "ID"),
    ("valet ticket for AB12 CDE at 10:22", "AB12 CDE", "VEHICLE_ID"),
    ("car plate XYZ 12345 towed", "XYZ 12345", "VEHICLE_ID"),
    ('{"valueAge": {"value": 91, "unit": "years"}}', "91", "AGE"),
    ("PATIENT NAME:____Maria Lopez-Garcia    DOB:__03/05/1952", "Maria Lopez-Garcia", "PERSON"),
    ("PATIENT NAME:____Maria Lopez-Garcia    DOB:__03/05/1952", "03/05/1952", "DATE"),
    ("thanks, maría josé garcía", "maría josé garcía", "PERSON"),
    ("hi josé, see you", "josé", "PERSON"),
    ("regards, maría de la cruz", "maría de la cruz", "PERSON"),
    ('{"code": {"text": "Age"}, "valueQuantity": {"value": 93, "unit": "a"}}', "93", "AGE"),
    ("I'm 93 and I live alone", "93", "AGE"),
    ("she'll be 94 in May", "94", "AGE"),
    ("he just turned ninety", "ninety", "AGE"),
    ("my mother, 93, lives with me", "93", "AGE"),
    ("| Age | 95 |", "95", "AGE"),
    ("Age...........92", "92", "AGE"),
    ("OBX|3|NM|30525-0^Age^LN||93|a^years^UCUM|||||F", "93", "AGE"),
    ("une patiente de 93 ans", "93", "AGE"),
    ("eine 94-jährige Patientin", "94", "AGE"),
    ("Edad: 96", "96", "AGE"),
    ("PLZ 80331 München", "80331", "ZIP"),
    ("Postcode: 30-001 Kraków", "30-001", "ZIP"),
    ("thanks, ana maría lopez. by phone", "ana maría lopez", "PERSON"),
    ("dictated by dr kim", "kim", "PERSON"),
    ('{"performer": [{"display": "Ana Ruiz"}]}', "Ana Ruiz", "PERSON"),
    ('{"reference": "Organization/9", "display": "St Mary Clinic"}', "St Mary Clinic", "LOCATION"),
    # phones on scanned forms: digits read as letters, dashes as other strokes
    ("Phone (617) S55-0l23 home", "(617) S55-0l23", "PHONE"),
    ("Phone; 617~555-0123", "617~555-0123", "PHONE"),
    ("Ph: 617—555—0123", "617—555—0123", "PHONE"),
    # exported tables' abbreviated headers
    ("MedRecNum,PtName,City\n448812,Ana Ruiz,Quincy", "448812", "ID"),
    ("SocSecNo|Zip5\n123-45-6789|02169", "123-45-6789", "SSN"),
    ("Phone1\tAddr1\tCity\n617 555 0134\t12 Elm St\tQuincy", "617 555 0134", "PHONE"),
    # a row cut from an export, without its header
    ("4481234,Ana Ruiz,Quincy,MA,02169", "4481234", "MRN"),
    ("4481234,Ana Ruiz,Quincy,MA,02169", "02169", "ZIP"),
    ("Quincy;Massachusetts;02169", "02169", "ZIP"),
    ("Quincy, Mass. 02169", "02169", "ZIP"),
    ("Ana Ruiz,4481234", "4481234", "MRN"),
    ("Smith_John_MRI.pdf uploaded", "John", "PERSON"),
    ('"Ruiz, Ana",4481234,Quincy', "4481234", "MRN"),
    ("EMPI|Name|City\nA4481234|Ana Ruiz|Quincy", "A4481234", "MRN"),
    ("external_id,post_code,dept\nX-448812,SW1A 2AA,ICU", "X-448812", "MRN"),
    ("quincy, ny 10001", "10001", "ZIP"),
    ("FacilityName,Dept,Room\nOakvale Infirmary,ICU,12", "Oakvale Infirmary", "LOCATION"),
    # round 19b finding 7: the `@` escaped, Han numerals, Roman-numeral and CJK dates
    ("email jo.ng%40example.org ok", "jo.ng%40example.org", "EMAIL"),
    ("email jo.ng&#64;example.org ok", "jo.ng&#64;example.org", "EMAIL"),
    ("email jo.ng&#x40;example.org ok", "jo.ng&#x40;example.org", "EMAIL"),
    ("SSN 七〇六-五六-七七〇五 on file", "七〇六-五六-七七〇五", "SSN"),
    ("SSN 七〇六五六七七〇五 on file", "七〇六五六七七〇五", "SSN"),
    ("DOB 14.III.1980, seen", "14.III", "DATE"),
    ("DOB 3-XII-80 seen", "3-XII-80", "DATE"),
    ("DOB 昭和55年3月14日.", "昭和55年3月14日", "DATE"),
    ("受診 2024年３月５日", "2024年３月５日", "DATE"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "value", "entity"), FOUND)
def test_found(safe_harbor: Masker, text: str, value: str, entity: str) -> None:
    start = text.index(value)
    spans = safe_harbor.spans(text)
    covering = [s for s in spans if s[0] <= start and s[1] >= start + len(value)]
    assert covering, f"{value!r} not covered in {spans}"
    assert covering[0][2] == entity


DECOYS = [
    "Diagnosed with Parkinson's disease in 2019.",
    "History of Crohn's disease; Apgar 9 at birth.",
    "ICD-10 E11.9 and I10, CPT 99213, LOINC 4548-4.",
    "BP 120/80, HR 72, T 98.6, SpO2 97%, A1c 7.2%.",
    "Take metformin 500 mg twice daily at 10:30.",
    "A 45-year-old man from Texas, moved from New York in 2015.",
    "Will follow up in May. Hope to taper. Mark the site.",
    "Potassium 4.1 mmol/L, creatinine 1.2 mg/dL.",
    "std::vector and a::b are code, not addresses.",
    # EXPLAIN output is free text too: its node names read like pairs of unknown names
    "Seq Scan on public.patients  (cost=0.00..25.00 rows=1000 width=4)",
    "Index Scan using patients_pkey on public.patients patients_1",
    "Index Cond: (patients_1.id = 1)",
    "Rows Removed by Join Filter: 999",
    "Bitmap Heap Scan on encounters; Recheck Cond: (patient_id = 3)",
    "Nested Loop Left Join; Hash Anti Join; Parallel Seq Scan on claims",
    "Workers Planned: 2, Workers Launched: 2, Heap Fetches: 0",
    "Planning Time: 0.100 ms, Execution Time: 0.200 ms",
    "Covid-19 and SARS-CoV-2 tests; ISO-27001 audit; NCT01234567 enrolment.",
    "Comparison: prior CT; charcot-marie-tooth is ruled out.",
    "Pain 10/10 at 1/2 tab; potassium 4.1 mmol/L came back.",
    '{"valueQuantity": {"value": 105, "unit": "mg/dL"}}',
    "Planned to visit Missouri; ms symptoms improved.",
    "Seen in the Cardiology Clinic and the Emergency Department.",
    "service started, build=2024-03-01T12:00:00Z",
    "Started Eliquis and Lipitor; apixaban held; Guillain-Barré ruled out.",
    "Moved from Ontario to Bavaria.",
    "Address: Ohio",  # a state alone says no more than the state
    "commit 3f9a2c1d7e6b5a4f3e2d1c0b9a8f7e6d5c4b3a29 (a SHA-1 is no record id)",
    '{"code": {"coding": [{"display": "Glucose"}]}, "valueQuantity": {"value": 95}}',
    "spoke with them, called back",
    "I'm 100% sure she is 45; he's 98.6 today; Mom (45) fell; Age | 45",
    "Patient Age: 45, Patient Sex: F, Patient Weight: 70 kg",
    "Started Januvia and Jardiance; continue Trulicity.",
    '{"state": "Georgia"}',
    "licensed in Virginia since 2011",
    "Signature: ______________ Date: __________",
    "year,count,rate,unit\n2019,12,0.5,mg\n2020,14,0.7,mg",
    "Work: SIB-SOB-BOSS",  # a label before letters alone is no phone
    "1712345678,INFO,Started worker pool,x,y",  # an epoch leads a log line
    "4481234,Build,ok",  # two cells after a number are no row of people
    "In total, in 12345 cases",  # "in" is a word before it is Indiana
    "name,count\nBoston,1234567",  # under a header, the header judges
    "Total,12345678,Revenue",  # dictionary words beside a number are no person
    "Subject: visit 12 moved",  # "subject" names a record only before "id"
    "threshold MAX_Value=120 exceeded",  # a setting's name, not Max
    "Given 2 IV 10 mg; chapter 3 IV 2020 edition; grade II-III.",  # no Roman-numeral date
    "Take 5年 follow-up; SSN area 九六六-五六-七七〇五 is none",  # no month; area 9xx
    "100%40 mix; a&#64;b",  # no domain after the escaped `@`
]


def test_a_state_in_an_address_line_stays(safe_harbor: Masker) -> None:
    text = "Address: 12 Oak St, Dayton, Ohio 45402"
    masked = safe_harbor.mask_text(text).text
    assert "Ohio" in masked
    assert "Oak" not in masked and "Dayton" not in masked and "45402" not in masked


@pytest.mark.parametrize("text", DECOYS)
def test_decoys_are_not_masked(safe_harbor: Masker, text: str) -> None:
    assert safe_harbor.mask_text(text).text == text


def test_check_digits_reject_lookalikes(safe_harbor: Masker) -> None:
    # Wrong Luhn, wrong DEA check digit, impossible SSN area, out-of-range IP.
    text = "ref 4111 1111 1111 1112, AB1234560, 666-12-3456, 300.1.2.3"
    assert safe_harbor.spans(text) == []


def test_spans_are_character_offsets_for_non_ascii(safe_harbor: Masker) -> None:
    text = "Naïve café: SSN 123-45-6789"
    start, end, entity = safe_harbor.spans(text)[0]
    assert (text[start:end], entity) == ("123-45-6789", "SSN")


def test_a_plate_ends_at_its_last_group(safe_harbor: Masker) -> None:
    text = "WARN unknown plate 8XYZ991 at gate 3"
    assert safe_harbor.mask_text(text).text.endswith(" at gate 3")


def test_a_tab_separates_a_name_from_the_next_field(safe_harbor: Masker) -> None:
    masked = safe_harbor.mask_text("Name\tCity\tState\nJane Doe\tAtlanta\tGeorgia").text
    assert masked.endswith("\tGeorgia") and "Jane" not in masked and "Atlanta" not in masked
