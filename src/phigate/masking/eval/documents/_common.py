"""Pieces several styles share: address blocks, signatures, decoy sentences."""

from __future__ import annotations

from . import _decoys as dc
from ._values import Address, Name, Values
from ._writer import Writer

REGIONS = ("us", "us", "us", "pr", "uk", "ca", "au", "mx", "es", "de", "fr")
CREDENTIALS = ("MD", "DO", "RN", "NP", "PA-C", "MBBS, FRCP", "PharmD", "LCSW", "PhD")


def address_lines(w: Writer, a: Address, sep: str = "\n", country: bool = False) -> None:
    """Street, city, region and postcode in local order; the region (state) stays readable."""
    w.phi(a.street, "ADDRESS").t(sep)
    if a.country in ("United Kingdom",):
        w.phi(a.city, "CITY").t(sep).phi(a.postcode, "ZIP")
    elif a.country in ("México", "España", "Deutschland", "France"):
        w.phi(a.postcode, "ZIP").t(" ").phi(a.city, "CITY").t(", ").decoy(a.state, "STATE")
    else:
        w.phi(a.city, "CITY").t(", ").decoy(a.state, "STATE").t(
            "  " if a.country == "Canada" else " "
        ).phi(a.postcode, "ZIP")
    if country:
        w.t(sep).decoy(a.country, "COUNTRY")


def signature(w: Writer, v: Values, who: Name, role: bool = True) -> None:
    """A signature block: name with credentials, and sometimes a profession line or NPI."""
    w.t(v.pick(["Sincerely,\n", "Kind regards,\n", "Electronically signed by ", "— ", "Thanks,\n"]))
    w.phi(v.name_as(who, v.pick(["full", "full", "initial"])), "NAME").t(f", {v.pick(CREDENTIALS)}")
    if role and v.chance(0.4):
        w.t("\nNPI ").phi(v.npi(), "ID")
    w.t("\n")


def clinical_sentence(w: Writer, v: Values) -> None:
    """A line of clinical content carrying decoys only."""
    kind, value = dc.code(v)
    shape = v.rng.randrange(5)
    if shape == 0:
        w.t("Started ").decoy(dc.brand(v), "DRUG").t(" ").decoy(dc.dose(v), "DOSE").t(
            " daily; "
        ).decoy(dc.lab(v), "LAB").t(".\n")
    elif shape == 1:
        w.t("Hx of ").decoy(dc.eponym(v), "EPONYM").t(" (").decoy(value, kind).t("), dx ").decoy(
            v.year(), "YEAR"
        ).t(".\n")
    elif shape == 2:
        w.t("Seen by ").decoy(dc.department(v), "DEPARTMENT").t("; ").decoy(dc.lab(v), "LAB").t(
            ", "
        ).decoy(dc.lab(v), "LAB").t(".\n")
    elif shape == 3:
        w.t("Age ").decoy(v.young_age(), "AGE").t(" at onset; code ").decoy(value, kind).t(".\n")
    else:
        w.t("Continue ").decoy(dc.brand(v), "DRUG").t(" ").decoy(dc.dose(v), "DOSE").t(", ").decoy(
            dc.quantity(v), "QUANTITY"
        ).t(".\n")
