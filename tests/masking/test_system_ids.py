"""A system's own stamps and ids in machine-written text (round 15): log records'
generic time keys, a stored object's bookkeeping stamps, an HTTP answer's Date, the
ids of requests, traces and jobs. Each stays visible; a patient's resource id, a
care event's time and a log line about a patient stay masked."""

from __future__ import annotations

import pytest

from phigate.masking.engine import Masker

UUID = "7f3a9c2e-4b1d-4e8a-9f0c-2d5e6a7b8c9d"

KEPT = [
    # a generic time key in a log record (a level, message or status key beside it)
    ('{"@timestamp":"2026-03-14T08:12:33.123Z","level":"error","message":"upstream 503"}',
     "2026-03-14T08:12:33.123Z"),
    ("level=info ts=2026-03-14T08:12:33.123456789Z caller=main.go:88 msg=\"reloaded\"",
     "2026-03-14T08:12:33.123456789Z"),
    ('{"time": "2026-03-14T08:12:33Z", "status": 404, "path": "/api/v2/things"}',
     "2026-03-14T08:12:33Z"),
    ('{\n  "timestamp": "2026-03-14T08:12:33Z",\n  "severity": "WARNING"\n}',
     "2026-03-14T08:12:33Z"),
    # a stored object's bookkeeping
    ('"meta": {"versionId": "3", "lastUpdated": "2026-03-14T08:12:33.123+00:00"}',
     "2026-03-14T08:12:33.123+00:00"),
    ('{"kind": "export", "created_at": "2026-03-14T08:12:33Z"}',
     "2026-03-14T08:12:33Z"),
    ("updatedAt: 2026-03-14T09:00:01Z", "2026-03-14T09:00:01Z"),
    # a log line's leading stamp, shaped as software writes it, then a stream or payload
    ('2026-03-14T08:12:33.123Z stdout F {"msg":"GET /healthz 200"}', "2026-03-14T08:12:33"),
    ("2026-03-14 08:12:33,123 - worker - WARNING - cache flushed", "2026-03-14 08:12:33"),
    # an HTTP answer's own Date header
    ("HTTP/1.1 503 Service Unavailable\nDate: Sat, 14 Mar 2026 08:12:33 GMT\n", "14 Mar 2026"),
    # a web server's access log, and an HTTP status read as a street
    ('10.0.0.5 - - [14/Mar/2026:08:12:33 +0000] "GET /fhir/metadata HTTP/1.1" 200 5123',
     "14/Mar/2026"),
    ("upstream answered: 502 Bad Gateway", "502 Bad Gateway"),
    # ids of a system's requests, traces, jobs
    (f'{{"level":"error","request_id":"{UUID}"}}', UUID),
    (f"X-Request-Id: {UUID}", UUID),
    (f"correlation_id={UUID} status=200", UUID),
    (f'"traceId": "{UUID}"', UUID),
    (f"WARNING - job {UUID} retried", UUID),
    (f"2026-03-14T08:12:33.123Z {UUID} INFO Task timed out", UUID),
    (f"2026-03-14T08:12:33.123Z {UUID} INFO Task timed out", "2026-03-14T08:12:33"),
]  # fmt: skip


def _touched(masker: Masker, text: str, value: str) -> list[str]:
    start = text.index(value)
    return [t for s, e, t in masker.spans(text) if s < start + len(value) and e > start]


@pytest.mark.parametrize(("text", "value"), KEPT)
def test_kept(safe_harbor: Masker, text: str, value: str) -> None:
    assert not _touched(safe_harbor, text, value), f"{value!r} masked"


MASKED = [
    # a patient's or encounter's own id, and the time of a care event
    (f'{{"resourceType": "Patient", "id": "{UUID}"}}', UUID),
    (f'{{"resourceType": "Encounter", "id": "{UUID}", "period": {{"start": '
     '"2026-03-14T08:12:33Z"}}', UUID),
    ('{"resourceType": "Encounter", "period": {"start": "2026-03-14T08:12:33Z"}}',
     "2026-03-14T08:12:33Z"),
    (f"patient_id={UUID}", UUID),
    (f"encounter {UUID} admitted", UUID),
    ('{"resourceType": "Patient", "meta": {"lastUpdated": "2026-03-14T08:12:33Z"}}',
     "2026-03-14T08:12:33Z"),
    # a generic time key outside a log record, or in one that names a patient
    ('{"time": "2026-03-14T08:12:33Z", "note": "seen in clinic"}', "2026-03-14T08:12:33Z"),
    ('{"ts": "2026-03-14T08:12:33Z", "level": "info", "msg": "chart opened", "mrn": "4471902"}',
     "2026-03-14T08:12:33Z"),
    ('{"resourceType": "Observation", "status": "final", "note": [{"time": '
     '"2026-03-14T08:12:33Z", "text": "repeat in 2h"}]}', "2026-03-14T08:12:33Z"),
    # a leading stamp on a line that is no log's, or names a patient
    ("2026-03-14T08:12:33Z Vitals taken, BP 120/80", "2026-03-14T08:12:33Z"),
    ('2026-03-14T08:12:33.123Z stdout F {"msg":"patient MRN 4471902 discharged"}',
     "2026-03-14T08:12:33"),
    ('10.0.0.5 - - [14/Mar/2026:08:12:33 +0000] "GET /patients/4471902/chart HTTP/1.1" 200',
     "14/Mar/2026"),
    ("Lives at 502 Gateway Blvd, Springfield", "502 Gateway Blvd"),
    # a Date header outside an HTTP answer
    ("From: Dr. Osei\nDate: Tue, 11 Feb 2025 08:14:55 +0100\nSubject: labs", "11 Feb 2025"),
    # a note's "Created:" heading dates the note
    ("Created: 02/11/2025 by the admitting nurse", "02/11/2025"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "value"), MASKED)
def test_masked(safe_harbor: Masker, text: str, value: str) -> None:
    start = text.index(value)
    covered = bytearray(len(text))
    for s, e, _ in safe_harbor.spans(text):
        covered[s:e] = b"\x01" * (e - s)
    leaked = [text[i] for i in range(start, start + len(value)) if not covered[i]]
    assert not [c for c in leaked if c.isalnum()], f"{value!r} left visible"
