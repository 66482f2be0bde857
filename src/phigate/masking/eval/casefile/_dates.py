"""Calendar dates written the many ways records write them."""

from __future__ import annotations

import random
from dataclasses import dataclass

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
ES = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)
HT = (
    "janvye",
    "fevriye",
    "mas",
    "avril",
    "me",
    "jen",
    "jiyè",
    "out",
    "septanm",
    "oktòb",
    "novanm",
    "desanm",
)
PL = (
    "stycznia",
    "lutego",
    "marca",
    "kwietnia",
    "maja",
    "czerwca",
    "lipca",
    "sierpnia",
    "września",
    "października",
    "listopada",
    "grudnia",
)
RU = (
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)


@dataclass(frozen=True)
class Day:
    y: int
    m: int
    d: int

    def us(self) -> str:
        return f"{self.m:02d}/{self.d:02d}/{self.y}"

    def us_short(self) -> str:
        return f"{self.m}/{self.d}/{self.y % 100:02d}"

    def iso(self) -> str:
        return f"{self.y}-{self.m:02d}-{self.d:02d}"

    def compact(self) -> str:
        return f"{self.y}{self.m:02d}{self.d:02d}"

    def long(self) -> str:
        return f"{MONTHS[self.m - 1]} {self.d}, {self.y}"

    def abbr(self) -> str:
        return f"{MONTHS[self.m - 1][:3]} {self.d}, {self.y}"

    def dmy(self) -> str:
        return f"{self.d} {MONTHS[self.m - 1][:3]} {self.y}"

    def oracle(self) -> str:
        return f"{self.d:02d}-{MONTHS[self.m - 1][:3].upper()}-{self.y}"

    def dotted(self) -> str:
        return f"{self.d:02d}.{self.m:02d}.{self.y}"

    def month_year(self) -> str:
        return f"{MONTHS[self.m - 1]} {self.y}"

    def month_day(self) -> str:
        return f"{self.m}/{self.d}"

    def cjk(self) -> str:
        return f"{self.y}年{self.m}月{self.d}日"

    def korean(self) -> str:
        return f"{self.y}년 {self.m}월 {self.d}일"

    def spanish(self) -> str:
        return f"{self.d} de {ES[self.m - 1]} de {self.y}"

    def creole(self) -> str:
        return f"{self.d} {HT[self.m - 1]} {self.y}"

    def polish(self) -> str:
        return f"{self.d} {PL[self.m - 1]} {self.y}"

    def russian(self) -> str:
        return f"{self.d} {RU[self.m - 1]} {self.y}"

    def stamp(self, rng: random.Random) -> str:
        """An ISO date-time with offset, as FHIR and eICR carry it."""
        return f"{self.iso()}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00-05:00"

    def hl7_time(self, rng: random.Random) -> str:
        return f"{self.compact()}{rng.randint(0, 23):02d}{rng.randint(0, 59):02d}"


ENGLISH_STYLES = ("us", "us", "us_short", "iso", "long", "abbr", "dmy", "oracle")


def day(rng: random.Random, first: int, last: int) -> Day:
    # Day 28 at most keeps every month valid without a calendar table.
    return Day(rng.randint(first, last), rng.randint(1, 12), rng.randint(1, 28))


def english(rng: random.Random, when: Day) -> str:
    style: str = rng.choice(ENGLISH_STYLES)
    text: str = getattr(when, style)()
    return text
