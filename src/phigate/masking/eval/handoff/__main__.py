"""python -m phigate.masking.eval.handoff --seed S --n N --out FILE.jsonl"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence

from phigate.masking.eval.handoff import generate


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m phigate.masking.eval.handoff")
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--out", required=True, help="JSON Lines file to write")
    args = parser.parse_args(argv)
    with open(args.out, "w", encoding="utf-8", newline="\n") as out:
        for doc in generate(args.seed, args.n):
            record = {
                "kind": doc.kind,
                "text": doc.text,
                "phi": [list(span) for span in doc.phi],
                "decoys": [list(span) for span in doc.decoys],
            }
            out.write(json.dumps(record, ensure_ascii=False, sort_keys=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
