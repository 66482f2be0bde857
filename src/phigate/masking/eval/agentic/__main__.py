"""``python -m phigate.masking.eval.agentic --seed S --n N --out F.jsonl``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import to_jsonl


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the agentic PHI corpus as JSON lines.")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--n", type=int, default=600)
    parser.add_argument("--out", default="-", help="JSON lines file, or - for stdout")
    args = parser.parse_args(argv)
    text = to_jsonl(args.seed, args.n)
    if args.out == "-":
        sys.stdout.write(text)
    else:
        with open(args.out, "w", encoding="utf-8") as handle:
            handle.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
