"""Scoring masking against the labelled corpus, on letters and digits only.

- entity recall: share of labelled entities whose every letter and digit is masked;
- character leak rate: share of PHI letters and digits left unmasked;
- decoy over-masking: share of decoy letters and digits that were masked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from phigate.masking.eval.corpus import Document


@dataclass
class Score:
    entities: int = 0
    recalled: int = 0
    phi_chars: int = 0
    leaked_chars: int = 0
    decoy_chars: int = 0
    masked_decoy_chars: int = 0
    per_type: dict[str, list[int]] = field(
        default_factory=dict
    )  # type -> [n, recalled, chars, leaked]
    per_decoy: dict[str, list[int]] = field(default_factory=dict)  # kind -> [chars, masked]
    # document kind -> [PHI chars, leaked, decoy chars, masked decoy chars]
    per_kind: dict[str, list[int]] = field(default_factory=dict)

    @property
    def recall(self) -> float:
        return self.recalled / self.entities if self.entities else 1.0

    @property
    def leak_rate(self) -> float:
        return self.leaked_chars / self.phi_chars if self.phi_chars else 0.0

    @property
    def over_masking(self) -> float:
        return self.masked_decoy_chars / self.decoy_chars if self.decoy_chars else 0.0

    def lines(self) -> list[str]:
        out = [
            f"  entity recall {self.recall:7.2%}   char leak rate {self.leak_rate:7.2%}"
            f"   decoy over-masking {self.over_masking:7.2%}"
        ]
        for name, (n, rec, chars, leaked) in sorted(self.per_type.items()):
            out.append(
                f"    {name:<16} n={n:<5} recall {rec / n:7.2%}  leak {leaked / max(chars, 1):7.2%}"
                f"  ({leaked} of {chars} chars)"
            )
        for kind, (chars, masked) in sorted(self.per_decoy.items()):
            out.append(
                f"    decoy {kind:<16} over-masked {masked / max(chars, 1):7.2%}"
                f"  ({masked} of {chars} chars)"
            )
        for kind, (chars, leaked, decoy, masked) in sorted(self.per_kind.items()):
            out.append(
                f"    document {kind:<16} leak {leaked / max(chars, 1):7.2%}"
                f"  decoys over-masked {masked / max(decoy, 1):7.2%}"
            )
        return out


def _covered(spans: Sequence[tuple[int, int, str]], length: int) -> bytearray:
    mask = bytearray(length)
    for start, end, _ in spans:
        mask[max(0, start) : min(length, end)] = b"\x01" * (min(length, end) - max(0, start))
    return mask


def score(docs: Sequence[Document], detected: Sequence[Sequence[tuple[int, int, str]]]) -> Score:
    """Score detected character spans (one list per document) against the labels."""
    result = Score()
    for doc, spans in zip(docs, detected, strict=True):
        mask = _covered(spans, len(doc.text))
        by_kind = result.per_kind.setdefault(doc.kind or "-", [0, 0, 0, 0])
        for start, end, entity in doc.phi:
            chars = [i for i in range(start, end) if doc.text[i].isalnum()]
            leaked = sum(1 for i in chars if not mask[i])
            row = result.per_type.setdefault(entity, [0, 0, 0, 0])
            row[0] += 1
            row[1] += leaked == 0
            row[2] += len(chars)
            row[3] += leaked
            result.entities += 1
            result.recalled += leaked == 0
            result.phi_chars += len(chars)
            result.leaked_chars += leaked
            by_kind[0] += len(chars)
            by_kind[1] += leaked
        for start, end, kind in doc.decoys:
            chars = [i for i in range(start, end) if doc.text[i].isalnum()]
            masked = sum(1 for i in chars if mask[i])
            row = result.per_decoy.setdefault(kind, [0, 0])
            row[0] += len(chars)
            row[1] += masked
            result.decoy_chars += len(chars)
            result.masked_decoy_chars += masked
            by_kind[2] += len(chars)
            by_kind[3] += masked
    return result
