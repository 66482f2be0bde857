"""Labelled numbers written from public form descriptions (round 9, part B): the
CMS-1500 boxes for the federal tax id (25) and prior authorisation (23), UB-04's
patient control number (3a), a payer's internal control number, a "Room/Bed"
field, and Spanish case and record numbers. Each value must be masked whole; the
things beside them that identify no one stay."""

from __future__ import annotations

import pytest

from phigate.masking.engine import Masker

WHOLE = [
    ("25. FEDERAL TAX I.D. NUMBER 12-3456789", "12-3456789"),
    ("Billing provider EIN 98-7654321, NPI 1234567893", "98-7654321"),
    ("Tax ID 12-3456789 | NPI 1234567893", "12-3456789"),
    ("23. PRIOR AUTHORIZATION NUMBER PA8812734", "PA8812734"),
    ("Auth no. 99812-33 valid through the end of the month", "99812-33"),
    ("3a PAT. CNTL # 448812", "448812"),
    ("ICN: 2024118800123", "2024118800123"),
    ("Room/Bed: 4127-02", "4127-02"),
    ("pt in rm 412b, afebrile overnight", "412b"),
    ("Collected by: RN  Room: 5W-412  Priority: routine", "5W-412"),
    ("| Patient | Room | Dx |\n|---|---|---|\n| J. Smith | 4127 | CHF |", "4127"),
    ("Caso No. 2024-7781", "2024-7781"),
    # Colombian numbered streets: the crossing street and the distance from it
    ("reside en Calle 45 # 12-34, Bogotá", "Calle 45 # 12-34"),
    ("Carrera 7 No. 32-16, Bogotá", "Carrera 7 No. 32-16"),
    ("domicilio: Calzada Independencia 1210, Guadalajara", "Calzada Independencia 1210"),
    # the pharmacy that filled a prescription, with its store number
    ("Pharmacy: CVS Pharmacy #2231, 12 Main St", "CVS Pharmacy #2231"),
    ("Dispensed by: Rite Aid Pharmacy 04412", "Rite Aid Pharmacy 04412"),
    ("Farmacia San Pablo, sucursal 12", "Farmacia San Pablo"),
    ("Atentamente, Dra. Lucía Fernández, Servicio de Neumología", "Lucía Fernández"),
    # a labelled address: the street, the town and the ZIP, not the state
    ("Insured's address: 14 Elm St, Quincy, MA 02169", "14 Elm St, Quincy"),
    ("Insured's address: 14 Elm St, Quincy, MA 02169", "02169"),
    ("Número de expediente: 448812", "448812"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "value"), WHOLE)
def test_masked_whole(safe_harbor: Masker, text: str, value: str) -> None:
    start = text.index(value)
    covered = bytearray(len(text))
    for s, e, _ in safe_harbor.spans(text):
        covered[s:e] = b"\x01" * (e - s)
    inside = range(start, start + len(value))
    leaked = [text[i] for i in inside if text[i].isalnum() and not covered[i]]
    assert not leaked, f"{''.join(leaked)!r} of {value!r} left visible"


KEPT = [
    # a room or a bed alone is a place anyone may be in
    ("Family met in conference room 3.", "room 3"),
    ("Authorization required for this service", "Authorization required"),
    ("Hospital in Texas (TIN registered)", "TIN registered"),
    # the state or country closing a labelled address (Safe Harbor keeps states)
    ("Insured's address: 14 Elm St, Quincy, MA 02169", " MA "),
    ("Address: 12 Elm St, Quincy, Massachusetts", "Massachusetts"),
    # a hospital's services as Spanish letters head them, beside a name that is masked
    ("Atentamente, Dra. Lucía Fernández, Servicio de Neumología", "Servicio de Neumología"),
    ("Departamento de Medicina Interna", "Departamento de Medicina Interna"),
    ("Unidad de Cuidados Intensivos Pediátricos", "Unidad de Cuidados Intensivos"),
    # a region named in several words, one of them a name (INEGI's state names)
    ("Trasladada desde Nuevo León el martes", "Nuevo León"),
    ("Estado: San Luis Potosí", "San Luis Potosí"),
    # a hospital's own pharmacy names no one's
    ("Send to Inpatient Pharmacy for verification.", "Inpatient Pharmacy"),
    ("Central Pharmacy hours 8-5", "Central Pharmacy"),
    # a claim form's own name and its approval number identify no one
    ("Form CMS-1500 (02-12)", "CMS-1500"),
    ("UB-04 CMS-1450", "CMS-1450"),
    ("OMB-0938-1197 FORM 1500 (02-12)", "OMB-0938-1197"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "kept"), KEPT)
def test_kept(safe_harbor: Masker, text: str, kept: str) -> None:
    assert kept in safe_harbor.mask_text(text).text
