"""CLI: write the corpus as JSON lines (see the package docstring)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import documents_corpus, to_json


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="A third independent labelled PHI corpus (forms, letters, shorthand)."
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--n", type=int, default=600)
    parser.add_argument("--out", default="-", help="JSON lines file, or - for stdout")
    args = parser.parse_args(argv)
    body = "".join(to_json(doc) + "\n" for doc in documents_corpus(args.seed, args.n))
    if args.out == "-":
        sys.stdout.write(body)
    else:
        with open(args.out, "w", encoding="utf-8") as handle:
            handle.write(body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
