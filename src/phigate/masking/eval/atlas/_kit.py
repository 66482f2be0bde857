"""What every document writer draws from: one Random, its people and its decoys."""

from __future__ import annotations

from dataclasses import dataclass
from random import Random

from phigate.masking.eval.atlas._decoys import Decoys
from phigate.masking.eval.atlas._people import People


@dataclass(frozen=True)
class Person:
    first: str
    last: str

    @property
    def full(self) -> str:
        return f"{self.first} {self.last}"


class Kit:
    def __init__(self, r: Random) -> None:
        self.r = r
        self.p = People(r)
        self.d = Decoys(r)

    def person(self) -> Person:
        return Person(self.p.first(), self.p.last())

    def chance(self, share: float) -> bool:
        return self.r.random() < share

    def pick(self, *options: str) -> str:
        return self.r.choice(options)
