"""Record MACs (phigate.audit.mac): which records a holder of the audit key wrote."""

from __future__ import annotations

import pytest

from phigate.audit.checkpoint import CheckpointSigner, generate_private_key_pem
from phigate.audit.mac import RecordMac

MAC = RecordMac.from_signing_key(CheckpointSigner.from_pem(generate_private_key_pem()).private_key)
GOOD = [(n, f"{n:064x}", MAC.of(f"{n:064x}")) for n in range(1, 4)]


@pytest.mark.parametrize(
    ("rows", "proven", "forged"),
    [
        (GOOD, 0, None),
        ([(1, "a" * 64, None), *GOOD[1:]], 1, None),  # before MACs, under a checkpoint
        ([(1, "a" * 64, None), *GOOD[1:]], 0, 1),  # no MAC and no checkpoint covers it
        ([*GOOD[:2], (3, "c" * 64, None)], 2, 3),  # missing after the checkpoint
        ([*GOOD[:1], (2, "b" * 64, GOOD[1][2])], 0, 2),  # another record's MAC
        ([(1, "a" * 64, RecordMac(b"k" * 32).of("a" * 64))], 0, 1),  # another key
        ([(1, "a" * 64, RecordMac(b"k" * 32).of("a" * 64))], 1, None),  # a replaced key's
        ([(1, "a" * 64, "é" * 64), *GOOD[1:]], 1, 1),  # garbled: never a gateway's
        ([(1, "a" * 64, b"\0" * 64)], 3, 1),
        ([(1, "a" * 64, "A" * 64)], 3, 1),
        ([(1, "a" * 64, GOOD[0][2][:-1])], 0, 1),
    ],
)
def test_the_first_record_not_written_with_the_key_is_named(
    rows: list[tuple[int, str, object]], proven: int, forged: int | None
) -> None:
    found = MAC.first_forged(rows, proven_until=proven)
    assert (found[0] if found else None) == forged
    assert found is None or found[1].startswith("FORGED: record")


def test_the_mac_key_is_not_the_signing_key_and_is_stable() -> None:
    pem = generate_private_key_pem()
    first = RecordMac.from_signing_key(CheckpointSigner.from_pem(pem).private_key)
    again = RecordMac.from_signing_key(CheckpointSigner.from_pem(pem).private_key)
    assert first.key == again.key and len(first.key) == 32
    assert first.of("0" * 64) == again.of("0" * 64) != MAC.of("0" * 64)
