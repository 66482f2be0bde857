"""python -m phigate.masking.eval.fieldwork --seed S --n N --out FILE.jsonl"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from phigate.masking.eval.corpus import Document
from phigate.masking.eval.fieldwork import generate


def to_json(doc: Document) -> str:
    return json.dumps(
        {
            "kind": doc.kind,
            "text": doc.text,
            "phi": [list(s) for s in doc.phi],
            "decoys": [list(s) for s in doc.decoys],
        },
        ensure_ascii=False,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m phigate.masking.eval.fieldwork")
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    lines = [to_json(doc) + "\n" for doc in generate(args.seed, args.n)]
    args.out.write_text("".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
