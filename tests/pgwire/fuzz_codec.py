"""An atheris target for the wire codec; run by hand (atheris is not a dependency):

pip install atheris && python tests/pgwire/fuzz_codec.py -max_total_time=600
"""

from __future__ import annotations

import sys


def main() -> None:
    import atheris  # type: ignore[import-not-found]

    with atheris.instrument_imports():
        from tests.pgwire.test_codec_fuzz import consume

    def one(data: bytes) -> None:
        consume(data[1:], (data[0] if data else 1) % 64 + 1, bool(data and data[0] & 0x80))

    atheris.Setup(sys.argv, one)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
