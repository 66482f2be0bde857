"""Benchmark: masking one text value of about 5 MB (masked in 1 MiB windows).

Prints, per input, its size and the best of `--repeat` runs in CPU ms (process time:
the machine may be shared): a note that names its patient once with a cue and again
every few hundred kilobytes (`names_few`), a note naming a new patient every 2 KB
(`names_many`: the carried set fills up to its cap), a CSV export with a header
and ~250 000 rows (`csv_export`), and a CSV export of 50 000 patients with name,
SSN and phone columns pasted into one note (`csv_patients`: each window finds
~30 000 distinct values, each masked wherever it recurs). Run it on two checkouts to compare them:

    PYTHONPATH=src .venv/bin/python bench/long_note_masking.py [--repeat 3]

Not part of the test suite.
"""

from __future__ import annotations

import argparse
import functools
import random
import time
from collections.abc import Callable

from phigate.masking.engine import MaskingEngine
from phigate.masking.settings import MaskingSettings

SIZE = 5_000_000
FILLER = "The wound was dressed and the dressing was changed as planned. "
SYLLABLES = ["zeb", "ul", "quar", "ring", "ton", "ada", "quill", "fea", "ther", "mor", "vek"]


def best(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.process_time()
        run()
        times.append(time.process_time() - started)
    return min(times) * 1000


def names_few() -> str:
    parts = ["Patient Zebulon Quarrington was seen today. "]
    while sum(map(len, parts)) < SIZE:
        parts.append(FILLER * 4000 + "Quarrington agreed. ")
    return "".join(parts)


def _name(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(3)).capitalize()


def names_many() -> str:
    rng = random.Random(20)
    parts: list[str] = []
    while sum(map(len, parts)) < SIZE:
        parts.append(f"Patient {_name(rng)} {_name(rng)} was seen. " + FILLER * 30)
    return "".join(parts)


def csv_export() -> str:
    rng = random.Random(20)
    rows = ["visit_id,patient,member,status\n"]
    size = len(rows[0])
    visit = 10_000
    while size < SIZE:
        visit += 1
        row = f"{visit},{_name(rng).lower()} {_name(rng).lower()},QX{visit},closed\n"
        rows.append(row)
        size += len(row)
    return "".join(rows)


def csv_patients() -> str:
    rng = random.Random(21)
    rows = ["patient_id,name,ssn,phone,comment\n"]
    for patient in range(50_000):
        ssn = f"{rng.randint(100, 665)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}"
        phone = f"({rng.randint(201, 989)}) {rng.randint(200, 999)}-{rng.randint(1000, 9999)}"
        comment = "follow-up booked and labs reviewed with family"
        rows.append(f"{patient},{_name(rng)} {_name(rng)},{ssn},{phone},{comment}\n")
    return "".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    masker = MaskingEngine(MaskingSettings(), b"bench-key-0123456789").masker("hipaa-safe-harbor")
    for build in (names_few, names_many, csv_export, csv_patients):
        text = build()
        ms = best(functools.partial(masker.mask_text, text), args.repeat)
        print(f"{build.__name__:12} {len(text) / 1e6:5.2f} MB {ms:9.0f} ms")


if __name__ == "__main__":
    main()
