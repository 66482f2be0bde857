"""Benchmark: the credential scrubber on 1 MB of upstream output.

Prints, per input, its size and the best of `--repeat` runs in CPU ms (process time:
the machine may be shared): plain prose, prose dense with escapes the view decodes
(`%20`, `&amp;`, `\\"`, `+`), a parsed JSON document of strings and numbers, and a
text cut near its end (`scrub_cut`, what a capped response or a cut line costs), the
same prose wrapped and folded as base64 is (76 columns, `> ` quoted, lines joined by a
space), and 1 MB of binary (`scrub_binary`: half random bytes, half UTF-16LE prose).

    .venv/bin/python bench/scrub_cost.py [--repeat 5]

Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Callable

from phigate.connectors._secrets import GatewaySecrets

SECRETS = GatewaySecrets(
    [("api", 'gw/S3cr3t&Token"7f3a<9c2e1b'), ("pass", "correct horse battery staple 42")]
)
WORDS = ["patient", "claim", "amount", "status", "visit", "note"]
ESCAPED = ["x+y", "a&amp;b", 'q\\"z', "%20", "1234"]


def best(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.process_time()
        run()
        times.append(time.process_time() - started)
    return min(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    repeat = parser.parse_args().repeat
    rng = random.Random(7)
    plain = " ".join(rng.choice(WORDS) for _ in range(150_000))[:1_000_000]
    dense = " ".join(rng.choice(WORDS + ESCAPED) for _ in range(150_000))[:1_000_000]
    doc = [{"id": i, "n": 8402719365518273 + i, "t": rng.choice(WORDS)} for i in range(30_000)]
    raw = plain.encode()
    wrapped = "".join(f"> {plain[i : i + 76]}\n" for i in range(0, len(plain), 76))
    folded = plain.replace(" ", "")
    folded = " ".join(folded[i : i + 76] for i in range(0, len(folded), 76))[:1_000_000]
    binary = rng.randbytes(500_000) + plain[:250_000].encode("utf-16-le")
    cases: list[tuple[str, int, Callable[[], object]]] = [
        ("plain", len(plain), lambda: SECRETS.scrub(plain, {})),
        ("escapes", len(dense), lambda: SECRETS.scrub(dense, {})),
        ("json", len(json.dumps(doc)), lambda: SECRETS.scrub_json(doc, {})),
        ("cut", len(raw), lambda: SECRETS.scrub_cut(raw, len(raw) - SECRETS.reach, {})),
        ("wrapped", len(wrapped), lambda: SECRETS.scrub(wrapped, {})),
        ("folded", len(folded), lambda: SECRETS.scrub(folded, {})),
        ("binary", len(binary), lambda: SECRETS.scrub_binary(binary, {})),
    ]
    for name, size, run in cases:
        print(f"{name:8s} {size / 1e6:.2f} MB  {best(run, repeat):7.1f} ms CPU")


if __name__ == "__main__":
    main()
