"""When a system acted, not when a patient was seen: a date that stamps a machine's
own act (a log line's stamp, a webhook's delivery, a calendar file's creation, a
commit) is no date of the patient's and stays visible.

Each rule reads only the line the date stands on and asks for two things at once:
a shape only software writes (a key named for a transport's act, a log level after
the stamp, a commit header) and no word of a patient's on the same line. A log line
that says whose chart was opened keeps its stamp masked: the stamp then dates an
event in that patient's record.

The same holds for the ids a system gives its own acts: a UUID under a key named for
a request, trace, job or version ("request_id", "X-Request-Id:", "traceId") names
that act, not a patient, and stays visible; a record's bare "id" is not among them.

Log formats read so far: a level after the stamp, a container runtime's stream, a
function runtime's request id, syslog's "host program[pid]:", a bracketed zoned stamp
before a component's name, an access log, epoch time under a log record's time key,
the bookkeeping columns of a psql table naming no one, an HL7 message's control id.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

import re2

from phigate.masking._sql_dump import dump_column
from phigate.masking.entities import DATE, ID, IP_ADDRESS, PERSON, SECRET, URL

# A key that names a machine's act, just before the value: "delivered_at",
# "publishedAt", "DTSTAMP:", "LAST-MODIFIED:", "CommitDate:". Keys of a patient's
# events ("admitted_at", "seen_at") and generic ones ("ts", "date") are not here: a
# generic key dates whatever its record is about.
_ACT_KEY = re2.compile(
    rb"(?i:(?:^|[^a-z])(?:delivered|dispatched|enqueued|queued|published|emitted|acked"
    rb"|retried|processed|committed|pushed|merged|indexed|synced|ingested|polled"
    # a portal page's own clock: when its data was last fetched ("Last refreshed:")
    rb"|refreshed|fetched|scraped)"
    rb"(?:_?at|_?time|_?ts)?|^[ \t]*(?:author|commit)date)[\"']?\s*[:=]\s*[\"']?$"
    # a calendar file's own stamps, written in capitals ("Created:" heads notes too)
    rb"|^(?:DTSTAMP|LAST-MODIFIED|CREATED)(?:;[^:\n]*)?:$"
)
# A stored object's own bookkeeping: when its row or resource was written. In a
# record about a patient (a Patient resource, a row with a birth date) it dates that
# patient's chart and stays masked.
# A helpdesk ticket's or an issue's own stamps, as a label on their line; read so only
# with a time to the second, as software writes (a note's "Created: 3/14" may be a visit).
_TICKET_STAMP_KEY = re2.compile(
    rb"^[ \t*|]*(?i:created|updated|modified|last[ _]updated|resolved|closed)[ \t*]*:[ \t]*$"
)
_SECONDS = re2.compile(rb"\d[T ]\d\d:\d\d:\d\d")
_BOOKKEEPING_KEY = re2.compile(
    rb"(?i:(?:created|updated|modified|deleted)_?at|last_?(?:updated|modified))"
    rb"[\"']?\s*[:=]\s*[\"']?$"
)
# A stamp that opens a log line: optional bracket, the date (the caller's span) and,
# after its time, a level or a bracketed thread/process name.
_LEVEL_AFTER = re2.compile(
    rb"^[^\n]{0,40}?[\]\s|]\s*\[?(?i:trace|debug|info|notice|warn|warning|error|err|fatal"
    rb"|critical|crit|alert|emerg)\b"
)
# A generic key of time ("ts", "time", "@timestamp") dates a log record's own event
# when the record around it is a log's: it has a level or a message key.
_STAMP_KEY = re2.compile(
    rb"(?i:(?:^|[^a-z_])@?(?:timestamp|ts|time|logged_?at|event_?time)[\"']?\s*[:=]\s*[\"']?$)"
)
_LOG_KEY = re2.compile(
    rb"(?i:(?:^|[^a-z_@])(?:level|lvl|severity|log_?level|msg|message|logger|caller"
    # an access log's record: its latency in a unit, or an answer's numeric status (a
    # clinical resource's "status" is a word: "final")
    rb"|latency_?ms|duration_?ms"
    # an agent's tool log: the tool it called, the call's or the run's id
    rb"|tool(?:_?name|_?call_?id)?|run_?id)[\"']?\s*[:=]"
    rb"|(?:^|[^a-z_@])status(?:_?code)?[\"']?\s*[:=]\s*[\"']?[1-5]\d\d\b)"
)
# A stamp only software writes (seconds and a fraction or a zone, "T" between date and
# time) opening a line that goes on as a log's does: a stream name (a container
# runtime's "stdout F"), a request's UUID (a function runtime's), a JSON payload.
_SOFTWARE_STAMP = re2.compile(
    rb"^\[?\d{4}-\d\d-\d\d(?:T\d\d:\d\d:\d\d(?:[.,]\d{1,9})?(?:Z|[+-]\d\d:?\d\d)?"
    rb"| \d\d:\d\d:\d\d[.,]\d{3,9})"
)
_LOG_AFTER = re2.compile(
    rb"^\]?[ \t]+(?:std(?:out|err)\b|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
    rb"[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b|\{\s*\"|(?:START|END|REPORT) RequestId:)"
)
# A bracketed stamp with seconds and a zone, then the name of the component that
# logged ("[…Z] [worker-3]", "[…Z] worker-3 started"). A bare stamp before prose
# ("…Z Vitals taken") may open an exported chart's entry and is not read so.
_ZONED_STAMP = re2.compile(
    rb"^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[.,]\d{1,9})?(?:Z|[+-]\d\d:?\d\d)$"
)
# A CI runner's stamp (a fraction of a second and a zone, no bracket) before a step's
# or a component's bracket ("…1234567Z ##[group]Run …", "…123Z [runner] job …").
_FRACTION_STAMP = re2.compile(rb"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[.,]\d{3,9}(?:Z|[+-]\d\d:?\d\d)$")
_BRACKET_AFTER = re2.compile(rb"^[ \t]+(?:##)?\[[^\]\n]{1,64}\]")
_TEXT_AFTER = re2.compile(rb"^\][ \t]+(?:\[[^\]\n]{1,64}\]|[a-z0-9]+(?:[-_.:/][a-z0-9]+)+:?[ \t])")
# A syslog line (RFC 3164): "Mar 14 08:12:33 host program[pid]: " -- the found date
# may end anywhere inside the time, so the rest of the time is read after it.
_SYSLOG_STAMP = re2.compile(rb"^[A-Z][a-z]{2} [ \d]\d")
_SYSLOG_AFTER = re2.compile(
    rb"^(?: \d\d)?(?::\d\d){0,2}(?:\.\d{1,6})? [A-Za-z0-9._-]{1,64}"
    rb" [A-Za-z0-9_./-]{1,64}(?:\[\d{1,10}\])?: "
)
# A key that names a system's own act or object, just before an id: a request, a
# trace or span, a job, a message on a queue, a version of a resource.
_SOFTWARE_ID_KEY = re2.compile(
    rb"(?i:(?:^|[^a-z])(?:x-(?:amzn-)?)?(?:request|req|trace|span|parent_?span|correlation"
    rb"|corr|causation|job|task|run|execution|invocation|operation|message|msg|event"
    rb"|delivery|webhook|idempotency|batch|pipeline|workflow|build|deploy(?:ment)?"
    rb"|container|pod|instance|session|version|revision|tool[-_ ]?call|call|tool[-_ ]?use"
    rb"|resource|object|attempt|thread|conversation|upload|export|queue|stream|connection"
    # a helpdesk's objects (Jira, Zendesk), a chat's, a portal's transaction or inquiry
    rb"|ticket|attachment|issue|comment|transaction|txn|chat|interaction|inquiry|step)"
    rb"[-_ ]?(?:id|uuid|#)"
    rb"|(?:^|[^a-z])(?:etag|resource_?version|traceparent))[\"']?\s*[:=]?\s*(?:W/)?[\"'`]?$"
    # a log's prose or bare key naming the act before its id: "job 9e8d…", "request:
    # 01HQ…", "trace":"…"; a bare "session" is not one: it holds a user's session token
    rb"|(?i:(?:^|[^a-z])(?:request|req|job|task|trace|span|invocation|execution"
    rb"|conversation|ticket|message|chat"
    # a CI system's objects, named in its log's or a chat's prose ("Run <uuid> started")
    rb"|run|build|pipeline|workflow|deployment|commit)[\"']?"
    rb"\s*[:#=]?\s*[\"'`]?$)"
    # a collection of software objects in a path ("/v2/jobs/<id>"), or the object's
    # kind as the id's prefix ("req-<id>"); "/patients/<id>" is no such collection
    rb"|(?i:/(?:jobs|runs|requests|tasks|messages|builds|deployments|deploys|sessions"
    rb"|operations|executions|pipelines|workflows|webhooks|events|batches|threads"
    rb"|conversations|tool_?calls|traces|spans|uploads|exports|queues)/$)"
    rb"|(?:^|[^A-Za-z0-9])(?:call|req|run|job|msg|evt|task|span|trace|sess|op|exec)[-_]$"
    # an iCalendar event's own UID, written in capitals at a line's start
    rb"|^UID(?:;[^:\n]*)?:$"
)
# A UUID whose own prefix names its software kind, as agent APIs write their objects'
# ids ("call_<uuid>", "run-<uuid>"): under a bare "id" key it is still the object's.
_KIND_PREFIXED = re2.compile(
    rb"^(?:call|req|run|job|msg|evt|task|span|trace|sess|op|exec|thread|asst|toolu|conv)[-_]"
    rb"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
# A key whose UUID is a software record's reference ("Reference #: <uuid>"): only a
# UUID, since a reference number in digits is a prior authorisation's or a claim's;
# and only under a label (`#`, `no`, `id`, a colon): a bare "ref <uuid>" says nothing.
_UUID_REFERENCE_KEY = re2.compile(
    rb"(?i:(?:^|[^a-z])(?:reference|ref|confirmation)\s*(?:(?:#|no\.?|id)[\"']?\s*[:=]?|[\"']?\s*[:=])"
    rb"\s*[\"']?$)"
)
_UUID = re2.compile(
    rb"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
# A function runtime's line: its stamp, then the request's id, then a level.
_RUNTIME_LINE = re2.compile(
    rb"^\[?\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[.,]\d{1,9})?(?:Z|[+-]\d\d:?\d\d)?\]?[ \t]+$"
)
# An access log's line (common log format): client, identity and user, then the
# bracketed stamp, then the quoted request line.
_ACCESS_BEFORE = re2.compile(rb"^\S{1,64} \S{1,64} \S{1,64} \[$")
_ACCESS_AFTER = re2.compile(rb"^\] \"[A-Z]{3,7} \S")
# An HTTP message's head: a status line or a request line.
_HTTP_HEAD = re2.compile(
    rb"(?m:^(?:HTTP/\d(?:\.\d)? \d{3}\b|(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) \S+ HTTP/\d))"
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


# A value shaped as a machine's id: a UUID, a long hex string, a ULID, "req_…".
_MACHINE_ID = re2.compile(
    rb"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    rb"|[0-9a-fA-F]{16,64}|[0-9A-HJKMNP-TV-Z]{26}|[a-z]{2,8}_[A-Za-z0-9]{8,40}"
    # a tracer's 64-bit id in decimal (Datadog's "dd.trace_id")
    rb"|\d{15,20})$"
)
# How far around a generic key a log record is read when its line holds no log key
# (a pretty-printed record spreads over lines), up to the blank line either side.
_RECORD = 512


def _someone_on(
    data: bytes,
    spans: Sequence[tuple[int, int, str]],
    starts: Sequence[int],
    first: int,
    last: int,
    skip: int = -1,
) -> bool:
    """Whether a span between `first` and `last` (but the one at `skip`, the value being
    judged) names someone (not a date, an address of a machine, a secret or the id of a
    system's own act)."""
    at = bisect.bisect_left(starts, first)
    while at < len(starts) and starts[at] < last:
        start, end, entity = spans[at]
        if start == skip:
            pass
        elif entity not in _IMPERSONAL and not (entity == ID and system_id(data, start, end)):
            return True
        at += 1
    return False


def system_id(data: bytes, start: int, end: int) -> bool:
    """Whether the id at data[start:end] names a system's own act or object: a machine's
    id under a key named for one, or a function runtime's request id on its log line."""
    if _msh_field(data, start, 10):
        return True  # an HL7 message's control id
    if _bundle_entry_address(data, start, end):
        return True
    value = data[start:end]
    if 38 < end - start <= 46 and _KIND_PREFIXED.search(value) is not None:
        return True
    if _MACHINE_ID.search(value) is None:
        return False
    back = max(0, start - _BACK)
    line_start = data.rfind(b"\n", back, start) + 1 or back
    before = data[line_start:start]
    if _SOFTWARE_ID_KEY.search(before) is not None:
        return _calendar_uid(data, start) if before.startswith(b"UID") else True
    if _UUID_REFERENCE_KEY.search(before) is not None and _UUID.search(value) is not None:
        return True
    if line_start == back and back > 0:
        return False
    opening = _RUNTIME_LINE.search(before) is not None
    return opening and _LEVEL_AFTER.search(data[end : end + 48]) is not None


# A FHIR Bundle entry's own address ("fullUrl": "urn:uuid:…", `<fullUrl value="…"/>`,
# YAML's "fullUrl: urn:uuid:…"): a transaction's temporary id for the entry, which other
# entries point at. The Patient's entry is the patient's: its address stays masked.
_FULL_URL_KEY = re2.compile(rb"(?i:fullurl)[\"']?\s*(?:[:=]|\s+value\s*=)\s*[\"']?(?:urn:uuid:)?$")
_URN_UUID = re2.compile(
    rb"^(?:urn:uuid:)?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
_PERSON_RESOURCE = re2.compile(
    rb"(?i:resourceType)[\"']?\s*[:=]?\s*(?:value\s*=\s*)?[\"']?"
    rb"(?:Patient|Person|RelatedPerson)\b|<(?:Patient|Person|RelatedPerson)\b"
)
# How far after an entry's address its resource's type is looked for.
_ENTRY = 480


def _bundle_entry_address(data: bytes, start: int, end: int) -> bool:
    """Whether data[start:end] is a Bundle entry's fullUrl UUID, in an entry whose
    resource is no person's."""
    if b"uuid" not in data[max(0, start - 9) : end] or _URN_UUID.search(data[start:end]) is None:
        return False  # what every such address holds: most ids end here, unsearched
    line_start = data.rfind(b"\n", max(0, start - _BACK), start) + 1
    if _FULL_URL_KEY.search(data[line_start:start]) is None:
        return False
    after = data[end : end + _ENTRY]
    cut = after.lower().find(b"fullurl")
    return _PERSON_RESOURCE.search(after if cut < 0 else after[:cut]) is None


# How far above a UID line its calendar component's BEGIN is looked for.
_COMPONENT = 4096


def _calendar_uid(data: bytes, start: int) -> bool:
    """Whether a UID line stands in a calendar's event, to-do or journal (its id names
    the entry) rather than in a contact's card (whose UID names a person's card)."""
    floor = max(0, start - _COMPONENT)
    opened = max(
        data.rfind(b"BEGIN:VEVENT", floor, start), data.rfind(b"BEGIN:VTODO", floor, start)
    )
    return opened > data.rfind(b"BEGIN:VCARD", floor, start)


# A mail's own id and the ids it answers: "Message-ID: <…@host>", "References: <…> <…>".
_MESSAGE_ID_HEADER = re2.compile(
    rb"^(?i:message-id|in-reply-to|references|content-id|resent-message-id)[ \t]*:[^\n]*<$"
)


def message_id(data: bytes, start: int) -> bool:
    """Whether an address found at `start` is a mail's own id in its header (the
    sending system named the message, no one's mailbox is there)."""
    back = max(0, start - _LINE)
    line_start = data.rfind(b"\n", back, start) + 1 or back
    return _MESSAGE_ID_HEADER.search(data[line_start:start]) is not None


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
    if _STAMP_KEY.search(before) is not None:
        return _log_record_stamp(data, start, end, spans, starts)
    if _BOOKKEEPING_KEY.search(before) is not None:
        first, last = _record(data, start, end)
        return _impersonal(data, spans, starts, first, last)
    if b"|" in before and _table_bookkeeping(data, start, end, spans, starts):
        return True
    # a dump's value follows a tab (COPY) or opens its quote (INSERT); cheap tests first,
    # as most dates stand in neither
    if (b"\t" in before or before.endswith(b"'")) and _dump_bookkeeping(
        data, start, end, spans, starts
    ):
        return True
    if before.rstrip(b" \t*").endswith(b":") and _TICKET_STAMP_KEY.search(before) is not None:
        return _ticket_stamp(data, line_start, end, spans, starts)
    if line_start == back and back > 0:
        return False  # the line starts further back: no stamp opening it
    if _commit_date(data, line_start, before) or _header_date(
        data, line_start, before, _MACHINE_SENDER
    ):
        return True
    if _header_date(data, line_start, before, _HTTP_HEAD) or _access_log_stamp(
        data, line_start, before, end, spans, starts
    ):
        return True
    if before.strip(b" \t[") or not _log_opening(data, line_start, end):
        return False
    line_end = data.find(b"\n", end, end + _LINE)
    return _impersonal(data, spans, starts, line_start, end + _LINE if line_end < 0 else line_end)


def _ticket_stamp(
    data: bytes,
    line_start: int,
    end: int,
    spans: Sequence[tuple[int, int, str]],
    starts: Sequence[int],
) -> bool:
    """A ticket's own created/updated stamp: a time to the second after the date, and
    no one named on its line."""
    if _SECONDS.search(data[line_start : end + 12]) is None:
        return False
    line_end = data.find(b"\n", end, end + _LINE)
    return _impersonal(data, spans, starts, line_start, end + _LINE if line_end < 0 else line_end)


def _access_log_stamp(
    data: bytes,
    line_start: int,
    before: bytes,
    end: int,
    spans: Sequence[tuple[int, int, str]],
    starts: Sequence[int],
) -> bool:
    """A web server's access log stamp, on a line that names no one (its user field
    is "-", its path no patient's)."""
    if _ACCESS_BEFORE.search(before) is None or _ACCESS_AFTER.search(data[end : end + 12]) is None:
        return False
    line_end = data.find(b"\n", end, end + _LINE)
    return _impersonal(data, spans, starts, line_start, end + _LINE if line_end < 0 else line_end)


def _log_opening(data: bytes, line_start: int, end: int) -> bool:
    """Whether the stamp opening a line goes on as a log line's: a level, or a stamp
    only software writes followed by a stream, a request id or a JSON payload."""
    after = data[end : end + 48]
    if _LEVEL_AFTER.search(after) is not None:
        return True
    stamp = data[line_start:end]
    if _ZONED_STAMP.search(stamp) is not None and _TEXT_AFTER.search(after) is not None:
        return True
    if _FRACTION_STAMP.search(stamp) is not None and _BRACKET_AFTER.search(after) is not None:
        return True
    if _SYSLOG_STAMP.search(stamp) is not None and _SYSLOG_AFTER.search(data[end : end + 160]):
        return True
    return _SOFTWARE_STAMP.search(stamp) is not None and _LOG_AFTER.search(after) is not None


def _impersonal(
    data: bytes,
    spans: Sequence[tuple[int, int, str]],
    starts: Sequence[int],
    first: int,
    last: int,
    skip: int = -1,
) -> bool:
    """Whether data[first:last] names no one: no patient's word, no found value of
    someone's (but the one at `skip`)."""
    if _someone_on(data, spans, starts, first, last, skip):
        return False
    return _PATIENT_WORDS.search(data[first:last]) is None


def _log_record_stamp(
    data: bytes,
    start: int,
    end: int,
    spans: Sequence[tuple[int, int, str]],
    starts: Sequence[int],
    skip: int = -1,
) -> bool:
    """A generic key of time in a log record: its line, or (pretty-printed) its block
    up to a blank line, has a level or message key and names no one."""
    first = data.rfind(b"\n", max(0, start - _LINE), start) + 1
    last = data.find(b"\n", end, end + _LINE)
    last = end + _LINE if last < 0 else last
    if _LOG_KEY.search(data[first:last]) is None:
        first, last = _record(data, start, end)
        if _LOG_KEY.search(data[first:last]) is None:
            return False
    return _impersonal(data, spans, starts, first, min(last, len(data)), skip)


def _record(data: bytes, start: int, end: int) -> tuple[int, int]:
    """The record around a value: up to `_RECORD` bytes either side, cut at a blank line."""
    top = data.rfind(b"\n\n", max(0, start - _RECORD), start)
    first = top + 2 if top >= 0 else max(0, start - _RECORD)
    bottom = data.find(b"\n\n", end, end + _RECORD)
    return first, bottom if bottom >= 0 else min(len(data), end + _RECORD)


def _commit_date(data: bytes, line_start: int, before: bytes) -> bool:
    """A "Date:" line of a commit's header (git log, git show)."""
    if not before.lower().lstrip().startswith(b"date:") or len(before) > 12:
        return False
    above = data[max(0, line_start - 240) : line_start]
    return _COMMIT_ABOVE.search(above) is not None


def _header_date(data: bytes, line_start: int, before: bytes, head: re2._Regexp) -> bool:
    """A "Date:" header of a message a machine wrote: its header block, up to the blank
    line either side, has `head` (a service's sender address, an HTTP status line)."""
    if not before.lower().startswith(b"date:") or len(before) > 12:
        return False
    top = data.rfind(b"\n\n", max(0, line_start - _HEADERS), line_start)
    bottom = data.find(b"\n\n", line_start, line_start + _HEADERS)
    first = top + 1 if top >= 0 else max(0, line_start - _HEADERS)
    last = bottom if bottom >= 0 else line_start + _HEADERS
    return head.search(data[first:last]) is not None


# Epoch seconds or milliseconds between 2001 and 2033: a log record's own clock.
_EPOCH = re2.compile(rb"^1\d{9}(?:\d{3})?$")
# How far back an MSH segment's start is looked for (its first nine fields).
_MSH_BACK = 256


def system_number(
    data: bytes,
    start: int,
    end: int,
    spans: Sequence[tuple[int, int, str]],
    starts: Sequence[int],
) -> bool:
    """Whether a found number is a system's own: an HL7 message's control id (MSH-10),
    or epoch time under a log record's time key ("ts": 1773475953). An HL7 message's
    own time (MSH-7) stays masked: the tuning corpora read it as the date of the
    patient's event the message reports (an ADT^A01 sent at admission)."""
    if data[start - 1 : start] == b"|":
        return _msh_field(data, start, 10)
    if end - start not in (10, 13) or _EPOCH.search(data[start:end]) is None:
        return False
    line_start = data.rfind(b"\n", max(0, start - _BACK), start) + 1
    if _STAMP_KEY.search(data[line_start:start]) is None:
        return False
    return _log_record_stamp(data, start, end, spans, starts, skip=start)


def _msh_field(data: bytes, start: int, number: int) -> bool:
    """Whether data[start:] opens field `number` of an HL7 MSH segment (MSH-1 being the
    field separator, field n follows the segment's (n-1)th bar)."""
    floor = max(0, start - _MSH_BACK)
    segment = max(data.rfind(b"\n", floor, start), data.rfind(b"\r", floor, start)) + 1
    if segment == 0 and floor > 0:
        return False
    before = data[segment:start]
    return before.startswith(b"MSH|") and before.endswith(b"|") and before.count(b"|") == number - 1


# A psql table's bookkeeping column ("created_at", "updatedAt", "last_modified").
_BOOKKEEPING_COLUMN = re2.compile(
    rb"^(?i:(?:created|updated|modified|deleted|inserted)_?(?:at|on|time)?"
    rb"|last_?(?:updated|modified)(?:_?at)?)$"
)
# A software object's name: lower case words joined by "-", "_" or "." ("etl-daily").
_SLUG = re2.compile(rb"^[a-z0-9]+(?:[-_.][a-z0-9]+)+$")
# How far above a row its table's rule ("----+----") is looked for.
_TABLE = 4096


def _table_bookkeeping(
    data: bytes,
    start: int,
    end: int,
    spans: Sequence[tuple[int, int, str]],
    starts: Sequence[int],
) -> bool:
    """A date under a bookkeeping column of a psql table that names no one: its header
    has no patient's word ("mrn", "birth_date"), its row no one's found value."""
    row = data.rfind(b"\n", max(0, start - _LINE), start) + 1
    header = _table_header(data, row)
    if header is None or _PATIENT_WORDS.search(header) is not None:
        return False
    cells = header.split(b"|")
    column = data.count(b"|", row, start)
    if column >= len(cells) or _BOOKKEEPING_COLUMN.search(cells[column].strip()) is None:
        return False
    row_end = data.find(b"\n", end, end + _LINE)
    row_end = end + _LINE if row_end < 0 else row_end
    return _row_names_no_one(data, row, row_end, spans, starts)


def _dump_bookkeeping(
    data: bytes,
    start: int,
    end: int,
    spans: Sequence[tuple[int, int, str]],
    starts: Sequence[int],
) -> bool:
    """A date under a bookkeeping column of a SQL dump's table (COPY rows, an INSERT's
    values) whose columns and row name no one."""
    column = dump_column(data, start, end)
    if column is None or _PATIENT_WORDS.search(column.head) is not None:
        return False
    if _BOOKKEEPING_COLUMN.search(column.name) is None:
        return False
    return _row_names_no_one(data, column.row, column.row_end, spans, starts)


def _row_names_no_one(
    data: bytes,
    row: int,
    row_end: int,
    spans: Sequence[tuple[int, int, str]],
    starts: Sequence[int],
) -> bool:
    """Whether a table's row has no patient's word and no one's found value."""
    if _PATIENT_WORDS.search(data[row:row_end]) is not None:
        return False
    at = bisect.bisect_left(starts, row)
    while at < len(starts) and starts[at] < row_end:
        first, last, entity = spans[at]
        at += 1
        if entity == PERSON and _SLUG.search(data[first:last]) is not None:
            continue  # a job's or a deploy's name under "name", read as a person's
        if _someone_on(data, spans, starts, first, first + 1):
            return False
    return True


def _table_header(data: bytes, row: int) -> bytes | None:
    """The header line of the psql table whose row starts at `row`: the line above
    the nearest rule ("----+----") above it, with no blank line between."""
    floor = max(0, row - _TABLE)
    mark = data.rfind(b"-+-", floor, row)
    if mark < 0 or data.find(b"\n\n", mark, row) >= 0:
        return None
    rule = data.rfind(b"\n", floor, mark) + 1
    rule_end = data.find(b"\n", mark, row)
    if (rule == 0 and floor > 0) or rule_end < 0 or data[rule:rule_end].strip(b"-+ \r"):
        return None
    top = data.rfind(b"\n", max(0, rule - 1 - _LINE), max(0, rule - 1)) + 1
    return data[top : max(top, rule - 1)]
