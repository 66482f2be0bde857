"""`SET phigate.reveal`: recognised by the server's grammar in every spelling it reads
as that setting; text that cannot name it is passed over without parsing."""

from __future__ import annotations

import pytest

from phigate.sql.runtime_reveal import reveal_setting


@pytest.mark.parametrize(
    ("sql", "reveal"),
    [
        ("SET phigate.reveal = 'date'", ("DATE",)),
        ("set PHIGATE.REVEAL to 'person, date'", ("DATE", "PERSON")),
        ('SET "phigate"."reveal" = \'PERSON\'', ("PERSON",)),
        ("SET \"phigate.reveal\" = 'PERSON'", ("PERSON",)),
        ("SET phigate./* a comment */reveal = 'DATE'", ("DATE",)),
        ("SET phigate.U&\"\\0072eveal\" = 'DATE'", ("DATE",)),
        ("SET phigate.u&\"r\\0065v\\0065al\" = 'DATE'", ("DATE",)),
        ("RESET phigate.reveal", ()),
        ("SET phigate.reveal TO DEFAULT", ()),
    ],
)
def test_every_spelling_of_the_setting_is_recognised(sql: str, reveal: tuple[str, ...]) -> None:
    assert reveal_setting(sql) == reveal


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT abalance FROM pgbench_accounts WHERE aid = 42",
        "SET LOCAL phigate.reveal = 'DATE'",
        "SET phigate.reveal = 'DATE'; SELECT 1",
        "SET phigate.\"REVEAL\" = 'DATE'",  # quoted: another name
        "SELECT 'phigate.reveal'",
        "SET phigate.unmask = 'DATE'",
    ],
)
def test_anything_else_is_an_ordinary_statement(sql: str) -> None:
    assert reveal_setting(sql) is None
