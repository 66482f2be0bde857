"""What one text's earlier parts found is masked in its later parts (`Carried`): a
value over a window (1 MiB) is masked as if it were one text, within a bounded memory."""

from __future__ import annotations

from phigate.masking.detect import CARRIED_LIMIT, Carried
from phigate.masking.engine import Masker

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
    """Past the limit, what a part finds is masked in that part (it is in the result)
    but not carried on; what was carried first stays."""
    carried = Carried()
    first = {f"name{i:05d}".encode() for i in range(CARRIED_LIMIT)}
    assert carried.with_parts(first) == first
    late = {b"latecomer"}
    assert carried.with_parts(late) == first | late
    assert carried.parts == first
    values = {f"value{i:05d}".encode(): "ID" for i in range(CARRIED_LIMIT + 10)}
    assert carried.with_values(values) == values
    assert len(carried.values) == CARRIED_LIMIT
