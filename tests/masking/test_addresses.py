"""The parts of an address after its street line, in the orders other countries
write them; examples written from postal format descriptions (UPU, Royal Mail,
Deutsche Post, Vietnam Post)."""

from __future__ import annotations

import pytest

from phigate.masking._addresses import address_parts
from phigate.masking.engine import Masker

FOUND = [
    ("lives at 4 Elm Row, Leith, Edinburgh EH7 4AA, Scotland.", "Leith", "LOCATION"),
    ("lives at 4 Elm Row, Leith, Edinburgh EH7 4AA, Scotland.", "Edinburgh", "LOCATION"),
    ("lives at 4 Elm Row, Leith, Edinburgh EH7 4AA, Scotland.", "EH7 4AA", "ZIP"),
    ("addr 12 Nguyễn Huệ, Bến Nghé, Quận 1, Hồ Chí Minh", "Bến Nghé", "LOCATION"),
    ("addr 12 Nguyễn Huệ, Bến Nghé, Quận 1, Hồ Chí Minh", "Hồ Chí Minh", "LOCATION"),
    ("sent to Hauptstraße 5, 10115 Berlin, Germany", "10115", "ZIP"),
    ("sent to Hauptstraße 5, 10115 Berlin, Germany", "Berlin", "LOCATION"),
    ("write to 88 Calle Mayor, 28013 Madrid", "Madrid", "LOCATION"),
    ("4521 Oak Hollow Ln, Maplewood, NJ 07040", "07040", "ZIP"),
    (
        "at 12 Nguyễn Huệ, Thành phố Hồ Chí Minh 700000, Vietnam",
        "Thành phố Hồ Chí Minh",
        "LOCATION",
    ),
    ("at 12 Nguyễn Huệ, Thành phố Hồ Chí Minh 700000, Vietnam", "700000", "ZIP"),
    ("she moved to Stratford upon Avon last year", "Stratford upon Avon", "LOCATION"),
    # A country closing an address whose town or postcode was masked is its last line.
    ("lives at 4 Elm Row, Leith, Edinburgh EH7 4AA, Scotland.", "Scotland", "LOCATION"),
    ("sent to Hauptstraße 5, 10115 Berlin, Germany", "Germany", "LOCATION"),
    ("12 rue de Rivoli, 75001 Paris, France.", "France", "LOCATION"),
    ("14 King St W, Toronto, ON M5H 1A1, Canada", "Canada", "LOCATION"),
]


@pytest.mark.parametrize(("text", "value", "entity"), FOUND)
def test_parts_after_a_street_are_found(
    safe_harbor: Masker, text: str, value: str, entity: str
) -> None:
    start = text.index(value)
    spans = safe_harbor.spans(text)
    covering = [s for s in spans if s[0] <= start and s[1] >= start + len(value)]
    assert covering, f"{value!r} not covered in {spans}"
    assert covering[0][2] == entity


KEPT = [
    # A country alone, or after a street with no masked town or postcode, stays.
    ("Country: Germany; lives in Lyon, France", "France"),
    ("moved to 5 West Cardiology, Germany", "Germany"),
    ("4521 Oak Hollow Ln, Maplewood, NJ 07040", "NJ"),
    ("4521 Oak Hollow Ln, Maplewood, NJ 07040", "NJ"),
    ("BP 120/80, HR 88, RR 16, Temp 98.6", "RR 16"),
    ("moved to 5 West Cardiology, Main Campus", "Main Campus"),
    ("took 2 Tylenol, and she felt better", "and she"),
]


@pytest.mark.parametrize(("text", "value"), KEPT)
def test_states_countries_and_lists_of_readings_stay(
    safe_harbor: Masker, text: str, value: str
) -> None:
    assert value in safe_harbor.mask_text(text).text


def test_a_day_and_a_month_are_no_street() -> None:
    assert list(address_parts(b"On 12 March, Springfield called back")) == []
