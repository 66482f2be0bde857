"""Software objects' ids and stamps, and payer codes, in the text an agent reads (round
19b): a helpdesk's ticket and attachment ids, a chat's session, a portal's transaction
and reference, a calendar event's UID, an agent API's kind-prefixed ids, a ticket's
created/updated stamps to the second, a portal's "Last refreshed", a tool log's "ts",
a payer's identifier. Each stays visible; the same shapes tied to a patient stay
masked."""

from __future__ import annotations

import pytest

from phigate.masking.engine import Masker

UUID = "5d0c7a1e-93b2-4f6d-8e4a-1b2c3d4e5f60"

KEPT = [
    # a helpdesk's objects (Jira, Zendesk)
    (f"Ticket ID: {UUID}\nStatus: Open", UUID),
    (f"Attachment ID: {UUID}", UUID),
    (f"issue_id={UUID}", UUID),
    (f"Ticket #: {UUID}", UUID),
    # a chat's session and conversation, named in prose
    (f"conversation {UUID} closed", UUID),
    (f"Chat ID: {UUID}", UUID),
    (f"message {UUID} delivered", UUID),
    (f"Inquiry ID: {UUID}", UUID),
    # a portal's transaction and its UUID reference
    (f"Transaction ID: {UUID}", UUID),
    (f"Reference #: {UUID}", UUID),
    # a calendar event's own UID
    (f"BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:{UUID}\nSUMMARY:Clinic\nEND:VEVENT", UUID),
    # an agent API's object, its kind as the id's prefix, under a bare "id"
    (f'{{"id": "call_{UUID}", "type": "function"}}', f"call_{UUID}"),
    (f'{{"id": "run-{UUID}"}}', f"run-{UUID}"),
    # a ticket's stamps, written to the second
    ("Ticket 4471\nCreated: 2026-03-14 09:12:33 UTC\nUpdated: 2026-03-15T10:01:02Z",
     "2026-03-14 09:12:33"),
    ("Ticket 4471\nCreated: 2026-03-14 09:12:33 UTC\nUpdated: 2026-03-15T10:01:02Z",
     "2026-03-15T10:01:02Z"),
    # a portal page's own clock
    ("Eligibility results\nLast refreshed: 03/14/2026 9:12 AM", "03/14/2026"),
    # a tool log's generic time key, beside the tool it called
    ('{"ts": "2026-03-14T09:12:33Z", "tool": "search_formulary", "ok": true}',
     "2026-03-14T09:12:33Z"),
    ('{"ts": "2026-03-14T09:12:33Z", "tool_name": "get_weather"}', "2026-03-14T09:12:33Z"),
    # a software table's bookkeeping columns in a SQL dump: COPY rows, an INSERT
    ("COPY public.sync_jobs (id, kind, created_at, updated_at) FROM stdin;\n"
     "1\tnightly\t2026-03-14 09:12:33+00\t2026-03-14 09:20:00+00\n\\.\n",
     "2026-03-14 09:20:00"),
    ("INSERT INTO public.jobs (id, name, created_at) VALUES (7, 'etl-nightly', "
     "'2026-03-14 09:12:33');", "2026-03-14 09:12:33"),
    # a payer's public identifier, under its longer labels
    ("Payer identifier: 62308", "62308"),
    ("Payer number: SX141", "SX141"),
    ("Payor #: 77012", "77012"),
    ("Payer ID (PI): 77012", "77012"),
    ("TRN: 1987654321", "1987654321"),
    # a plan's product name under its label: a tier as its last word, a benefit's kind
    ("Plan: Acme Vision Basic", "Acme Vision Basic"),
    ("Vision plan: Lumen Insight", "Lumen Insight"),
    ("Plan: Tricare Prime", "Tricare Prime"),
    ("3. Company/Plan Name: Summit Dental of Ohio", "Summit Dental"),
    # a remittance's reason code after its kind's acronym is no number plate
    ("CARC CO-45: charge exceeds fee schedule", "CO-45"),
]  # fmt: skip


def _touched(masker: Masker, text: str, value: str) -> list[str]:
    start = text.index(value)
    return [t for s, e, t in masker.spans(text) if s < start + len(value) and e > start]


@pytest.mark.parametrize(("text", "value"), KEPT)
def test_kept(safe_harbor: Masker, text: str, value: str) -> None:
    assert not _touched(safe_harbor, text, value), f"{value!r} masked"


MASKED = [
    # a record's bare id, a claim's and a patient's keys stay masked
    (f'{{"resourceType": "Patient", "id": "{UUID}"}}', UUID),
    (f"Claim ID: {UUID}", UUID),
    (f"patient_id: {UUID}", UUID),
    # a contact card's UID names a person's card
    (f"BEGIN:VCARD\nFN:Orla Brennan\nUID:{UUID}\nEND:VCARD", UUID),
    # a bare "session" holds a user's session (a token that follows one person)
    ('{"path": "/api/v2/labs", "session": "4c1d8e0f2a9b7c3d5e6f7a8b"}',
     "4c1d8e0f2a9b7c3d5e6f7a8b"),
    # a reference number in digits is an authorisation's
    ("Reference #: 884512907731", "884512907731"),
    # "Created:" without seconds heads a note; a stamp on a line naming someone
    ("Created: 03/14/2026 by Dr. Omar Haddad", "03/14/2026"),
    ("Updated: 2026-03-15 10:01:02 by Orla Brennan", "2026-03-15"),
    # a tool log naming the patient keeps its stamp masked
    ('{"ts": "2026-03-14T09:12:33Z", "tool": "lookup", "patient": "Orla Brennan"}',
     "2026-03-14"),
    # a dump's bookkeeping column in a patients' table, or in a row naming someone
    ("COPY public.patients (id, full_name, created_at) FROM stdin;\n"
     "1\tOrla Brennan\t2026-03-14 09:12:33+00\n\\.\n", "2026-03-14"),
    ("COPY public.notes (id, created_at, body) FROM stdin;\n"
     "1\t2026-03-14 09:12:33+00\tcalled Orla Brennan back\n\\.\n", "2026-03-14"),
    ("INSERT INTO visits (id, created_at) VALUES (7, '2026-03-14 09:12:33');", "2026-03-14"),
    # a name under "Plan:" with no product word, under "Insurance:" or "Carrier:"
    ("Plan: Orla Brennan to call back Friday", "Orla Brennan"),
    ("Insurance: Brennan Mutual Vision", "Brennan Mutual"),
    # a plate after its cue word
    ("car CO 4512", "CO 4512"),
    # a member id beside the payer's label is still the member's
    ("Member number: W884512907", "W884512907"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "value"), MASKED)
def test_masked(safe_harbor: Masker, text: str, value: str) -> None:
    assert _touched(safe_harbor, text, value), f"{value!r} kept"
