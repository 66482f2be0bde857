"""The demo's clinical notes read through the gateway keep no place, date or record
number of their patients: the masked rows are compared with the upstream text."""

from __future__ import annotations

import re

import psycopg

from tests.conftest import Harness

# Every date shape the demo writes into a note: 03/14/2024, March 14, 2024, 1950-03-14.
_DATES = re.compile(r"\b\d{2}/\d{2}/\d{4}\b|\b[A-Z][a-z]+ \d{1,2}, \d{4}\b|\b\d{4}-\d{2}-\d{2}\b")


def _upstream(dsn: str) -> list[tuple[int, str, str, str, str]]:
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT n.id, n.note_text, p.city, p.zip, p.mrn FROM clinical_notes n "
            "JOIN patients p ON p.id = n.patient_id ORDER BY n.id"
        ).fetchall()
    return [(int(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4])) for r in rows]


def _leaks(original: str, masked: str, values: tuple[str, ...]) -> list[str]:
    found = [v for v in values if v in original and re.search(rf"\b{re.escape(v)}\b", masked)]
    found.extend(d for d in _DATES.findall(original) if d in masked)
    return found


async def test_demo_notes_keep_no_place_date_or_record_number(
    harness: Harness, ehr_dsn: str
) -> None:
    response = await harness.submit("dana", "SELECT id, note_text FROM clinical_notes ORDER BY id")
    assert response.status_code == 200, response.text
    masked = {int(row[0]): str(row[1]) for row in response.json()["result"]["rows"]}
    upstream = _upstream(ehr_dsn)
    assert len(masked) == len(upstream) > 100
    leaked = {
        note_id: found
        for note_id, text, city, zip_code, mrn in upstream
        if (found := _leaks(text, masked[note_id], (city, zip_code, mrn)))
    }
    assert leaked == {}
