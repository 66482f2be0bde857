"""CPU per row of masking, on the wire, a result whose text columns are kept by name.

    PYTHONPATH=src .venv/bin/python bench/checked_columns.py [--rows 20000]

`claims.status`, `cpt_code`, `state` (and, in the second shape, a text key
`claim_id` holding `CLM-000123`-like values) are CHECKED columns
(docs/masking.md, "Rows"): this times `ResultMasker.run_rows` over reads of 500
rows, the best of five runs, and prints microseconds of process CPU per row for
each shape. Run it on two checkouts to compare.
"""

from __future__ import annotations

import argparse
import random
import time

from phigate.doors.pgwire import _codec as codec
from phigate.doors.pgwire._wiremask import ResultMasker
from phigate.masking.engine import MaskingEngine
from phigate.masking.settings import MaskingSettings

_READ = 500


def _rows(n: int, text_keys: bool) -> list[bytes]:
    rng = random.Random(5)
    return [
        codec.build_data_row(
            [
                str(i).encode(),
                rng.choice([b"paid", b"denied", b"pending"]),
                rng.choice([b"99213", b"99214", b"E11.9", b"J45.909"]),
                b"CLM-%06d" % i if text_keys else str(i).encode(),
                rng.choice([b"CA", b"NY", b"TX"]),
            ]
        )
        for i in range(n)
    ]


def per_row_us(n: int, text_keys: bool) -> tuple[list[str], float]:
    engine = MaskingEngine(MaskingSettings(), b"k" * 32)
    key = ("claim_id", 1043) if text_keys else ("claim_no", 23)
    names = [("id", 23), ("status", 25), ("cpt_code", 25), key, ("state", 25)]
    fields = [codec.Field(name, 0, 0, oid, -1, -1, 0) for name, oid in names]
    lineage = [{"output": name, "sources": [f"claims.{name}"], "statement": 0} for name, _ in names]
    rows = _rows(n, text_keys)
    best = float("inf")
    for _ in range(5):
        masker = ResultMasker(engine.masker("hipaa-safe-harbor"), fields, lineage)
        out: list[bytes] = []
        started = time.process_time()
        for lo in range(0, n, _READ):
            masker.run_rows(codec.RowRun.of(rows[lo : lo + _READ]), out)
        best = min(best, time.process_time() - started)
    return list(masker.rows.plan), best / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    args = parser.parse_args()
    for label, text_keys in (("codes only", False), ("codes and text keys", True)):
        plan, us = per_row_us(args.rows, text_keys)
        print(f"{label:20} plan {plan}: {us:.2f} us/row")


if __name__ == "__main__":
    main()
