"""Record MACs (phigate.audit.mac): which records a holder of the audit key wrote."""

from __future__ import annotations

import pytest

from phigate.audit.checkpoint import CheckpointSigner, generate_private_key_pem
from phigate.audit.mac import RecordMac

MAC = RecordMac.from_signing_key(CheckpointSigner.from_pem(generate_private_key_pem()).private_key)
GOOD = [(n, f"{n:064x}", MAC.of(f"{n:064x}")) for n in range(1, 4)]


@pytest.mark.parametrize(
    ("rows", "begun", "forged"),
    [
        (GOOD, False, None),
        ([(1, "a" * 64, None), *GOOD[1:]], False, None),  # written before MACs existed
        ([*GOOD[:2], (3, "c" * 64, None)], False, 3),  # missing after one carried a MAC
        ([(1, "a" * 64, None)], True, 1),  # missing after the checkpointed record's MAC
        ([*GOOD[:1], (2, "b" * 64, GOOD[1][2])], False, 2),  # another record's MAC
        ([(1, "a" * 64, RecordMac(b"k" * 32).of("a" * 64))], False, 1),  # another key
    ],
)
def test_the_first_record_not_written_with_the_key_is_named(
    rows: list[tuple[int, str, str | None]], begun: bool, forged: int | None
) -> None:
    found = MAC.first_forged(rows, macs_begun=begun)
    assert (found[0] if found else None) == forged
    assert found is None or found[1].startswith("FORGED: record")


def test_the_mac_key_is_not_the_signing_key_and_is_stable() -> None:
    pem = generate_private_key_pem()
    first = RecordMac.from_signing_key(CheckpointSigner.from_pem(pem).private_key)
    again = RecordMac.from_signing_key(CheckpointSigner.from_pem(pem).private_key)
    assert first.key == again.key and len(first.key) == 32
    assert first.of("0" * 64) == again.of("0" * 64) != MAC.of("0" * 64)
