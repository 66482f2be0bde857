"""When a system acted, not when a patient was seen: a date that stamps a machine's
own act (a log line's stamp, a webhook's delivery, a calendar file's creation, a
commit) is no date of the patient's and stays visible.

Each rule reads only the line the date stands on and asks for two things at once:
a shape only software writes (a key named for a transport's act, a log level after
the stamp, a commit header) and no word of a patient's on the same line. A log line
that says whose chart was opened keeps its stamp masked: the stamp then dates an
event in that patient's record.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

import re2

from phigate.masking.entities import DATE, IP_ADDRESS, SECRET, URL

# A key that names a machine's act, just before the value: "delivered_at",
# "publishedAt", "DTSTAMP:", "LAST-MODIFIED:", "CommitDate:". Keys of a patient's
# events ("admitted_at", "seen_at") and generic ones ("ts", "date") are not here: a
# generic key dates whatever its record is about.
_ACT_KEY = re2.compile(
    rb"(?i:(?:^|[^a-z])(?:delivered|dispatched|enqueued|queued|published|emitted|acked"
    rb"|retried|processed|committed|pushed|merged|indexed|synced|ingested|polled)"
    rb"(?:_?at|_?time|_?ts)?|^[ \t]*(?:author|commit)date)[\"']?\s*[:=]\s*[\"']?$"
    # a calendar file's own stamps, written in capitals ("Created:" heads notes too)
    rb"|^(?:DTSTAMP|LAST-MODIFIED|CREATED)(?:;[^:\n]*)?:$"
)
# A stamp that opens a log line: optional bracket, the date (the caller's span) and,
# after its time, a level or a bracketed thread/process name.
_LEVEL_AFTER = re2.compile(
    rb"^[^\n]{0,40}?[\]\s|]\s*\[?(?i:trace|debug|info|notice|warn|warning|error|err|fatal"
    rb"|critical|crit|alert|emerg)\b"
)
# A commit's header: "Date:" under "commit <sha>" or "Author:" in the lines just above.
_COMMIT_ABOVE = re2.compile(rb"(?m:^(?:commit [0-9a-f]{7,40}\b|Author:[^\n]*<))")
# Mail a machine sent: its sender's address names a service, not a person
# ("no-reply@", "notifications@", "MAILER-DAEMON@"), on a header line of the same block.
_MACHINE_SENDER = re2.compile(
    rb"(?im:^(?:from|sender|return-path):[^\n]*?[<\s:](?:[a-z0-9+-]+[._])?(?:no-?reply"
    rb"|do-?not-?reply|notifications?|notify|alerts?|mailer-daemon|postmaster|bounces?"
    rb"|automated|daemon|robot)(?:[._+-][a-z0-9._+-]*)?@)"
)
# How far a mail's header block is read either side of its Date line.
_HEADERS = 480
# A patient's word on the line makes the stamp the time of an event in a record.
_PATIENT_WORDS = re2.compile(
    rb"(?i:patient|\bpt\b|\bmrn\b|chart|\bdob\b|birth|admi[st]|discharg|encounter|visit"
    rb"|appointment|appt|member|subject|person)"
)

# How far a rule looks along the date's line: a stamp opens its line within a few
# characters, and a long line is read no further, so no text costs more than linear.
_BACK = 64
_LINE = 2048

# Found values that name no one: another date, a machine's address, a secret.
_IMPERSONAL = frozenset((DATE, IP_ADDRESS, URL, SECRET))


def _someone_on(
    spans: Sequence[tuple[int, int, str]], starts: Sequence[int], first: int, last: int
) -> bool:
    """Whether a span between `first` and `last` names someone (not a date, an address
    of a machine or a secret)."""
    at = bisect.bisect_left(starts, first)
    while at < len(starts) and starts[at] < last:
        if spans[at][2] not in _IMPERSONAL:
            return True
        at += 1
    return False


def system_time(
    data: bytes,
    start: int,
    end: int,
    spans: Sequence[tuple[int, int, str]] = (),
    starts: Sequence[int] = (),
) -> bool:
    """Whether the date at data[start:end] stamps a machine's act (see module doc)."""
    back = max(0, start - _BACK)
    line_start = data.rfind(b"\n", back, start) + 1 or back
    before = data[line_start:start]
    if _ACT_KEY.search(before) is not None:
        return True
    if line_start == back and back > 0:
        return False  # the line starts further back: no stamp opening it
    if _commit_date(data, line_start, before) or _machine_mail_date(data, line_start, before):
        return True
    if before.strip(b" \t[") or _LEVEL_AFTER.search(data[end : end + 48]) is None:
        return False
    line_end = data.find(b"\n", end, end + _LINE)
    line = data[line_start : end + _LINE if line_end < 0 else line_end]
    if _someone_on(spans, starts, line_start, line_start + len(line)):
        return False
    return _PATIENT_WORDS.search(line) is None


def _commit_date(data: bytes, line_start: int, before: bytes) -> bool:
    """A "Date:" line of a commit's header (git log, git show)."""
    if not before.lower().lstrip().startswith(b"date:") or len(before) > 12:
        return False
    above = data[max(0, line_start - 240) : line_start]
    return _COMMIT_ABOVE.search(above) is not None


def _machine_mail_date(data: bytes, line_start: int, before: bytes) -> bool:
    """A "Date:" header of mail a machine sent: its header block, up to the blank line
    either side, has a sender that is a service's address."""
    if not before.lower().startswith(b"date:") or len(before) > 12:
        return False
    top = data.rfind(b"\n\n", max(0, line_start - _HEADERS), line_start)
    bottom = data.find(b"\n\n", line_start, line_start + _HEADERS)
    first = top + 1 if top >= 0 else max(0, line_start - _HEADERS)
    last = bottom if bottom >= 0 else line_start + _HEADERS
    return _MACHINE_SENDER.search(data[first:last]) is not None
