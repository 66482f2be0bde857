"""What one text's earlier parts found is masked in its later parts (`Carried`): a
value over a window (1 MiB) is masked as if it were one text, within a bounded memory."""

from __future__ import annotations

from phigate.masking.detect import CARRIED_LIMIT, Carried
from phigate.masking.engine import Masker, MaskingEngine

FILLER = "The wound was dressed and the dressing was changed. "
WINDOWS = 21_000  # lines of FILLER: over 1 MiB, so masked in two windows


def test_a_name_found_in_the_first_window_is_masked_in_the_last(safe_harbor: Masker) -> None:
    text = "Patient Zebulon Quarrington was seen. " + FILLER * WINDOWS + "Quarrington agreed."
    masked = safe_harbor.mask_text(text).text
    assert "Quarrington" not in masked and masked.endswith("[PERSON] agreed.")
    assert masked.count("[PERSON]") == 2  # the same two the short text masks


def test_a_value_found_in_the_first_window_is_masked_in_the_last(safe_harbor: Masker) -> None:
    text = "Member ID: QX77812. " + FILLER * WINDOWS + "Card QX77812 returned."
    masked = safe_harbor.mask_text(text).text
    assert "QX77812" not in masked


def test_a_csv_header_names_the_columns_of_rows_past_the_first_window(
    safe_harbor: Masker,
) -> None:
    head = "visit_id,patient,member,status\n10001,zebulon quarrington,QX77812,closed\n"
    rows = "10002,n/a,n/a,open\n" * 60_000  # over 1 MiB: the last row is in another window
    masked = safe_harbor.mask_text(head + rows + "10003,ada quillfeather,QX99123,closed\n").text
    assert masked.endswith(",[PERSON],[HEALTH_PLAN_ID],closed\n"), masked[-60:]


def test_a_csv_table_that_ended_carries_no_header(safe_harbor: Masker) -> None:
    """Prose after the table is read as prose: the header is carried only while its
    rows run to the window's end."""
    head = "visit_id,patient,member,status\n10001,zebulon quarrington,QX77812,closed\n"
    text = head + FILLER * WINDOWS + "\nsmith,ready,go,now\n"
    assert safe_harbor.mask_text(text).text.endswith("\nsmith,ready,go,now\n")


def test_what_is_carried_is_bounded() -> None:
    """Past the limit, what a part finds is masked in that part (`find` looks for it
    there) but not carried on; what was carried first stays, built once."""
    carried = Carried()
    first = {f"name{i:05d}".encode(): "PERSON" for i in range(CARRIED_LIMIT)}
    carried.parts.add(first)
    carried.parts.add({b"latecomer": "PERSON"})
    assert carried.parts.items == first
    assert carried.parts.words is not None and not carried.parts.loose
    assert carried.parts.words.spans(b"x name04095 latecomer") == [(2, 11)]


def test_a_late_part_still_masks_what_it_finds_past_the_limit(
    engine: MaskingEngine, safe_harbor: Masker
) -> None:
    text = "Patient Zebulon Quarrington was seen. " + FILLER * 10 + "Quarrington agreed."
    carried = Carried()
    carried.parts.add({f"name{i:05d}".encode(): "PERSON" for i in range(CARRIED_LIMIT)})
    spans = engine.finder(safe_harbor.types).find(text.encode(), None, carried)
    assert sum(1 for s in spans if s.entity == "PERSON") == 2
    assert b"quarrington" not in carried.parts.items
