"""Messages between people and machines: pager and secure chat, Slack threads with
stack traces, commit messages and CI logs, and PDF text with hyphenation and footers."""

from __future__ import annotations

import random

from phigate.masking.eval.casefile import _ids
from phigate.masking.eval.casefile._builder import Builder, D, P
from phigate.masking.eval.casefile._decoys import pick
from phigate.masking.eval.casefile._people import (
    clinician,
    event_day,
    hospital,
    ipv4,
    ipv6,
    person,
)


def pager_chat(rng: random.Random) -> Builder:
    p, b = person(rng), Builder("pager_secure_chat")
    first = clinician(rng).split()[0].lower()
    b.f(
        "[02:13] §: pt § rm 4 § again, §. ok to give §?\n",
        P("USERNAME", f"{first}.rn"),
        P("NAME", p.last.lower()),
        pick(rng, "vital"),
        pick(rng, "vital"),
        pick(rng, "drug"),
    )
    b.f(
        "[02:15] §: yes x1. whats her mrn, § or the other §?\n",
        P("USERNAME", "dr_" + p.last.lower()[:6] + "md"),
        P("MRN", p.mrn),
        P("NAME", p.first.lower()),
    )
    b.f(
        "[02:16] §: § — dob §. daughter § at bedside, cell §\n",
        P("USERNAME", f"{first}.rn"),
        P("MRN", p.mrn),
        P("DATE", p.dob.us_short()),
        P("NAME", rng.choice(("hope", "rose", "june"))),
        P("PHONE", p.phone),
    )
    b.f(
        "[02:20] §: page me if § or worse. going to § for a code\n",
        P("USERNAME", "dr_" + p.last.lower()[:6] + "md"),
        pick(rng, "vital"),
        pick(rng, "department"),
    )
    return b


def slack_thread(rng: random.Random) -> Builder:
    p, b = person(rng), Builder("slack_thread")
    b.f(
        "#eng-integrations  § \n@§: ingest job died on one record, see below\n```\n",
        pick(rng, "weekday"),
        P("USERNAME", f"{rng.choice(('kwon', 'mbeki', 'lind'))}.dev"),
    )
    b.f(
        'Traceback (most recent call last):\n  File "/srv/ingest/adt.py", line 212, in parse_pid\n'
        "ValueError: bad DOB '§' for patient '§' (MRN §)\n```\n",
        P("DATE", p.dob.compact()),
        P("NAME", f"{p.last}^{p.first}"),
        P("MRN", p.mrn),
    )
    b.f(
        "@§: repro with\n```sql\nSELECT * FROM adt_msgs WHERE mrn = '§' AND "
        "received_at > '§';\n```\n",
        P("USERNAME", f"{rng.choice(('ortiz', 'hagen', 'oye'))}_j"),
        P("MRN", p.mrn),
        pick(rng, "sw_timestamp"),
    )
    b.f(
        "upstream returned § on §, request §, pod § (§)\n",
        pick(rng, "http_status"),
        pick(rng, "port"),
        pick(rng, "request_id"),
        pick(rng, "uuid"),
        pick(rng, "version"),
    )
    b.f(
        "stack came from the portal page §\n",
        P("URL", f"https://portal.example-health.org/chart/{p.mrn}/summary"),
    )
    b.f(
        "also the sender IP was §, that's the patient's home router per "
        "portal logs, please scrub\n",
        P("IP", rng.choice((ipv4(rng), ipv6(rng)))),
    )
    return b


def git_ci(rng: random.Random) -> Builder:
    p, b = person(rng), Builder("git_ci_log")
    b.f(
        "commit §\nAuthor: ci-bot <ci@build.local>\nDate:   §\n\n",
        D("commit", _ids.hexid(rng, 40)),
        pick(rng, "sw_timestamp"),
    )
    b.f(
        "    fixtures: remove real patient from adt_sample.hl7 (§)\n\n    The "
        "fixture had § / DOB § / phone §;\n",
        pick(rng, "build_id"),
        P("NAME", p.full()),
        P("DATE", p.dob.us()),
        P("PHONE", p.phone),
    )
    b.f("    replaced with synthetic data. Bumps parser to §.\n\n", pick(rng, "version"))
    b.f(
        "CI § step test-fixtures: § — 212 passed, 1 failed in §\n",
        pick(rng, "build_id"),
        pick(rng, "sw_timestamp"),
        pick(rng, "duration"),
    )
    b.f(
        "FAILED tests/test_adt.py::test_pid_roundtrip - AssertionError: '§' != '§'\n",
        P("SSN", p.ssn),
        P("SSN", p.ssn.replace("-", "")),
    )
    b.f(
        "artifact upload to https://ci.internal/artifacts/§ (§)\n",
        pick(rng, "uuid"),
        pick(rng, "http_status"),
    )
    return b


def _hyphenate(word: str, rng: random.Random) -> str:
    cut = rng.randint(2, max(2, len(word) - 2))
    return f"{word[:cut]}-\n{word[cut:]}"


def pdf_text(rng: random.Random) -> Builder:
    p, b = person(rng), Builder("pdf_to_text")
    place = hospital(rng)
    b.f(
        "§\nDISCHARGE INSTRUCTIONS\nPatient: §    Acct: §\n",
        P("HOSPITAL", place),
        P("NAME", p.full()),
        P("ACCOUNT", _ids.account(rng)),
    )
    long_last = p.last if len(p.last) >= 5 else p.last + "son"
    b.f(
        "Mr./Ms. § was admitted with exacerba-\ntion of § and treated with §. "
        "Please call the clinic at\n"
        "§ if you have fever above 38.5 C. Your follow-\nup with Dr. § is on §.\n",
        P("NAME", _hyphenate(long_last, rng)),
        pick(rng, "eponym"),
        pick(rng, "drug"),
        P("PHONE", p.phone),
        P("NAME", clinician(rng).split()[1]),
        P("DATE", event_day(rng).long()),
    )
    b.f(
        "\n§  MRN §  Page 2 of 3   Printed § § by §\n\x0c",
        P("NAME", p.inverted()),
        P("MRN", p.mrn),
        pick(rng, "sw_timestamp"),
        pick(rng, "shift"),
        P("USERNAME", f"his_{p.user}"),
    )
    b.f(
        "Diet: low sodium (2 g). Activity as tolerated. § handout: §\n",
        pick(rng, "form_number"),
        pick(rng, "public_url"),
    )
    return b
