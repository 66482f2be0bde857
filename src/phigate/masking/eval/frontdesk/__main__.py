"""python -m phigate.masking.eval.frontdesk --seed S --n N --out FILE.jsonl"""

from __future__ import annotations

import argparse
from pathlib import Path

from phigate.masking.eval.frontdesk import generate, to_json


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m phigate.masking.eval.frontdesk")
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    lines = [to_json(doc) + "\n" for doc in generate(args.seed, args.n)]
    args.out.write_text("".join(lines), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
