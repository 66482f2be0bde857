"""How fast the wire relay alone is: pgbench select-only through phigate with admission
cached in memory and result recording skipped, against direct, in one run.

An experiment, not a product path: it shows what bounds the wire front door once the
per-statement audit writes are taken away (the real gateway never skips them).
Run: .venv/bin/python bench/pgwire_relay_bound.py [--seconds 5] [--clients 4]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import pgwire_vs_direct as full
from phigate.gateway import Gateway, Outcome

_real_admit = Gateway.admit
_admitted: dict[str, Outcome] = {}


async def _cached_admit(self: Gateway, action: Any, **kwargs: Any) -> Outcome:
    text = action.body["sql"]
    if text not in _admitted:
        _admitted[text] = await _real_admit(self, action, **kwargs)
    return _admitted[text]


async def _no_finish(self: Gateway, record: Any, summary: Any, **kwargs: Any) -> None:
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    Gateway.admit = _cached_admit  # type: ignore[method-assign]
    Gateway.finish = _no_finish  # type: ignore[method-assign]
    asyncio.run(
        full.main(argparse.Namespace(seconds=args.seconds, clients=args.clients, rows=20_000))
    )


if __name__ == "__main__":
    main()
