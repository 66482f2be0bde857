"""A random identifier (an API token's id, a request id: base62 or base64url, often
with a prefix and `_` or `-`) holds capitalised runs by chance; none of them is a
person's name. Names written with hyphens and field names beside names still are."""

from __future__ import annotations

import random
import string

import pytest

from phigate.masking.engine import Masker

_BASE62 = string.ascii_letters + string.digits
_BASE64URL = _BASE62 + "-_"
_PREFIXES = ("tok_", "req-", "sess_", "", "pat_", "key-")
_SENTENCES = (
    "API token {} is revoked",
    "refused: {} was presented after expiry",
    "id={} reports nothing",
    "{} is unknown",
)


def _ids(seed: int, n: int) -> list[str]:
    """Seeded random ids, replayable from `seed`."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        alphabet = _BASE64URL if rng.random() < 0.7 else _BASE62
        body = "".join(rng.choice(alphabet) for _ in range(rng.randint(16, 32)))
        out.append(rng.choice(_PREFIXES) + body)
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_no_random_identifier_reads_as_a_name(safe_harbor: Masker, seed: int) -> None:
    rng = random.Random(seed * 7919)
    for token_id in _ids(seed, 1500):
        text = rng.choice(_SENTENCES).format(token_id)
        named = [text[s:e] for s, e, t in safe_harbor.spans(text) if t == "PERSON"]
        assert not named, (seed, token_id, named)
        assert "[PERSON]" not in safe_harbor.mask_text(text).text, (seed, token_id)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Patient Maria Garcia-Lopez was seen today", "Garcia-Lopez"),
        ("Mary-Ann Smith reports chest pain", "Mary-Ann"),
        ("patient_name: Maria Okonkwo", "Maria"),
        ("Smith_John_MRI.pdf uploaded by the clinic", "Smith"),
        ("Garcia_Maria_MRN12345.pdf was attached", "Garcia"),
    ],
)
def test_names_beside_identifier_marks_still_mask(
    safe_harbor: Masker, text: str, name: str
) -> None:
    assert name not in safe_harbor.mask_text(text).text
