"""Words joined by `_` in an answer are read as words (`_joined`): what they show is
masked where it stands; identifiers and secrets the masker read as written stay as
it left them."""

from __future__ import annotations

import pytest

from phigate.connectors._byte_guard import GuardedMasker
from phigate.connectors._joined import joined_text
from phigate.connectors._secrets import GatewaySecrets
from phigate.masking.engine import Masker, MaskingEngine
from phigate.masking.settings import MaskingSettings

NOTE = (
    "Patient_Aisha_El-Amin,_born_18_Mar_1939,_Social_Security_number_796-95-9345,"
    "_phone_630-992-0874"
)


@pytest.fixture(scope="module")
def masker() -> Masker:
    return MaskingEngine(MaskingSettings(), b"test-key-0123456789abcdef").masker(
        "hipaa-safe-harbor"
    )


def test_a_note_joined_by_underscores_is_masked_where_it_stands(masker: Masker) -> None:
    counts: dict[str, int] = {}
    shown = GuardedMasker(masker, GatewaySecrets([]), keep_blobs=False).text(NOTE, counts)
    assert not [w for w in ("796-95-9345", "630-992-0874", "18_Mar_1939") if w in shown], shown
    assert shown.startswith("Patient_"), shown
    assert counts.get("SSN") == 1, counts


def test_the_same_note_in_json_is_masked(masker: Masker) -> None:
    counts: dict[str, int] = {}
    guarded = GuardedMasker(masker, GatewaySecrets([]), keep_blobs=False)
    shown = guarded.json({"notes": [NOTE]}, counts)["notes"][0]
    assert "796-95-9345" not in shown and "630-992-0874" not in shown, shown


@pytest.mark.parametrize(
    "text",
    [
        "def get_patient_name_by_id(patient_id): return lookup_table[patient_id]",
        "SELECT first_name, last_name FROM patient_visit_log WHERE visit_id = 3",
        "__init__ __main__ _private_helper_function_name",
    ],
)
def test_identifiers_pass_as_written(masker: Masker, text: str) -> None:
    counts: dict[str, int] = {}
    assert joined_text(masker, text, counts) == text
    assert counts == {}


def test_a_secret_masked_as_written_stays_masked(masker: Masker) -> None:
    key = "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"
    counts: dict[str, int] = {}
    guarded = GuardedMasker(masker, GatewaySecrets([]), keep_blobs=False)
    shown = guarded.text(f"stripe_key_for_billing_job={key}", counts)
    assert key not in shown and "4eC39HqLyjWDarjtT1zdp7dc" not in shown, shown
