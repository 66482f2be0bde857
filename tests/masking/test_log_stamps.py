"""Stamps and ids of software logs (round 17): a syslog line's stamp, a bracketed,
zone-qualified stamp before a component's name, a Lambda START/END/REPORT line, a log
record's epoch under its time key, an HL7 message's control id (MSH-10), a psql table's
bookkeeping columns. Each stays visible; on a line that names a patient, in a patient's
table or field (MSH-7, PID-7, PV1-44), it stays masked."""

from __future__ import annotations

import pytest

from phigate.masking.engine import Masker

_JOBS = (
    "  id  |   name    | status  |         created_at         |         updated_at\n"
    "------+-----------+---------+----------------------------+----------------------------\n"
    "   17 | etl-daily | success | 2026-03-14 08:12:33.123+00 | 2026-03-14 08:15:02.456+00\n"
    "   18 | reindex-2 | failed  | 2026-03-14 09:00:00+00     | 2026-03-14 09:01:10+00\n"
)
_PATIENTS = (
    " mrn     | birth_date | created_at\n"
    "---------+------------+------------------------\n"
    " 4471902 | 1951-07-30 | 2026-03-14 08:12:33+00\n"
)

KEPT = [
    # syslog: month, day, time, host, program[pid]
    ("Mar 14 08:12:33 ip-10-0-1-12 kubelet[1234]: SyncLoop ADD source=api", "Mar 14"),
    ("Nov  2 23:01:09 db-primary postgres[88]: checkpoint complete", "Nov  2"),
    # a zone-qualified stamp opening a log line, bracketed or not
    ("[2026-03-14T08:12:33Z] worker-3 started", "2026-03-14"),
    ("2026-03-14T08:12:33.123+00:00\tSTART RequestId: 0b8d7b5e-2c1f-4f0e-9b77-6a1b2c3d4e5f",
     "2026-03-14"),
    ("[2025-10-01T22:40:05-04:00] [autoscaler] node drained", "2025-10-01"),
    # epoch seconds or millis under a log record's time key
    ('{"ts": 1773475953, "level": "info", "msg": "tick"}', "1773475953"),
    ('{"timestamp": 1773475953123, "message": "cache refreshed"}', "1773475953123"),
    # HL7: the message's control id
    ("MSH|^~\\&|EPIC|GENHOSP|LAB|GENHOSP|20260314081233||ADT^A01|MSG00001|P|2.5.1",
     "MSG00001"),
    ("PID|1||4471902^^^H^MR\rMSH|^~\\&|A|B|C|D|202603140812||ORU^R01|CTL-88213|P|2.3",
     "CTL-88213"),
    # ids a log prose names as a request's, or a tracer's long decimal ids
    ("2026-03-14 08:12:33 INFO [req:0b8d7b5e-2c1f-4f0e-9b77-6a1b2c3d4e5f] GET /health 200",
     "0b8d7b5e-2c1f-4f0e-9b77-6a1b2c3d4e5f"),
    ("2026-03-14 08:12:33 INFO dd.trace_id=4611686018427387904 dd.span_id=1152921504606846976 ok",
     "1152921504606846976"),
    # a psql table's bookkeeping columns, in a table about software objects
    (_JOBS, "2026-03-14 08:15:02"),
    (_JOBS, "2026-03-14 09:00:00"),
]  # fmt: skip


def _touched(masker: Masker, text: str, value: str) -> list[str]:
    start = text.index(value)
    return [t for s, e, t in masker.spans(text) if s < start + len(value) and e > start]


@pytest.mark.parametrize(("text", "value"), KEPT)
def test_kept(safe_harbor: Masker, text: str, value: str) -> None:
    assert not _touched(safe_harbor, text, value), f"{value!r} masked"


MASKED = [
    # a patient's word or value on the log line
    ("Mar 14 08:12:33 ehr-app audit[77]: patient MRN 4471902 chart opened", "Mar 14"),
    ("[2026-03-14T08:12:33Z] discharge summary signed for Dana Kowalski", "2026-03-14"),
    # a bare or a bracketed stamp before prose, not a component's name
    ("2025-10-01T22:40:05-04:00 Vitals taken, BP 150/90", "2025-10-01"),
    ("[2025-10-01T22:40:05Z] Vitals taken, BP 150/90", "2025-10-01"),
    ("2026-03-14T08:12 BP 150/90, repeat in an hour", "2026-03-14"),
    # an epoch-like number outside a log record's time key
    ('{"npi": 1234567893, "level": "info"}', "1234567893"),
    # HL7: the message's time (the date of the patient's event it reports), birth
    # date, admit time
    ("MSH|^~\\&|EPIC|GENHOSP|LAB|GENHOSP|20260314081233||ADT^A01|MSG00001|P|2.5.1",
     "20260314081233"),
    ("MSH|^~\\&|EPIC|GENHOSP|LAB|GENHOSP|20260314081233||ADT^A01|MSG00001|P|2.5.1\r"
     "PID|1||4471902^^^GENHOSP^MR||DOE^JANE||19510730|F", "19510730"),
    ("PV1|1|I|4W^412^1||||||||||||||||V1234|||||||||||||||||||||||||20260313221500",
     "20260313221500"),
    # a short number under a span key is not a tracer's
    ("2026-03-14 08:12:33 INFO dd.span_id=987654321 ok", "987654321"),
    # the same column in a table about patients, or with a person's name in its row
    (_PATIENTS, "2026-03-14"),
    (" id | name          | created_at\n----+---------------+------------------------\n"
     "  1 | Dana Kowalski | 2026-03-14 08:12:33+00\n", "2026-03-14"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "value"), MASKED)
def test_masked(safe_harbor: Masker, text: str, value: str) -> None:
    assert _touched(safe_harbor, text, value), f"{value!r} left visible"
