"""python -m phigate.masking.eval.atlas --seed S --n N --out FILE.jsonl"""

from __future__ import annotations

import argparse
from pathlib import Path

from phigate.masking.eval.atlas import generate, to_jsonl


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m phigate.masking.eval.atlas")
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    args.out.write_text(to_jsonl(generate(args.seed, args.n)), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
