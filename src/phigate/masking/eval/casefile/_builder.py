"""Assembling one labelled document: text pieces with exact PHI and decoy spans."""

from __future__ import annotations

from dataclasses import dataclass, field

MARK = "§"


@dataclass(frozen=True)
class Piece:
    """A value inside a template: PHI of `label` when `phi`, else a decoy of kind `label`."""

    value: str
    label: str
    phi: bool


def P(label: str, value: str) -> Piece:
    return Piece(value, label, True)


def D(label: str, value: str) -> Piece:
    return Piece(value, label, False)


Slot = Piece | str


@dataclass
class Builder:
    """Text grows left to right; every labelled value records its own offsets."""

    kind: str
    parts: list[str] = field(default_factory=list)
    size: int = 0
    phi: list[tuple[int, int, str]] = field(default_factory=list)
    decoys: list[tuple[int, int, str]] = field(default_factory=list)

    def add(self, text: str) -> Builder:
        self.parts.append(text)
        self.size += len(text)
        return self

    def put(self, slot: Slot) -> Builder:
        if isinstance(slot, str):
            return self.add(slot)
        # A label must cover the value exactly, so surrounding blanks are a generator bug.
        if not slot.value or slot.value != slot.value.strip():
            raise ValueError(f"untrimmed value {slot.value!r} for {slot.label}")
        target = self.phi if slot.phi else self.decoys
        target.append((self.size, self.size + len(slot.value), slot.label))
        return self.add(slot.value)

    def f(self, template: str, *slots: Slot) -> Builder:
        """Fill each § in `template` with the next slot, in order."""
        chunks = template.split(MARK)
        if len(chunks) != len(slots) + 1:
            raise ValueError(f"{len(chunks) - 1} marks for {len(slots)} slots in {template!r}")
        for chunk, slot in zip(chunks, slots, strict=False):
            self.add(chunk).put(slot)
        return self.add(chunks[-1])

    def text(self) -> str:
        return "".join(self.parts)

    def record(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "text": self.text(),
            "phi": [list(s) for s in self.phi],
            "decoys": [list(s) for s in self.decoys],
        }
