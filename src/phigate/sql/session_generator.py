"""The session's random number generator: which statements may leave data in it.

PostgreSQL keeps one generator per backend. `setseed(x)` sets its state and every
`random()`, `random_normal()`, `random(min, max)`, `array_shuffle` and
`array_sample` draws from it and moves it on; the state outlives the statement.
A later `SELECT random()` reads no table, so what it returns is not masked: the
state is a channel from one statement to the next. It carries data when a seed is
computed (`setseed(dob - date '1900-01-01')`, classified a write of session state by
`phigate.sql._tree`) or when a statement that reads a relation draws a number of
times that depends on the rows (`coalesce(email, random()::text)` draws only for a
NULL e-mail; `WHERE ssn LIKE '1%' AND random() < 2` draws once per match).

Such a statement runs where the agent cannot draw afterwards: the wire door runs it
on the gateway's own connection (the writer path), not in the client's session, and
the connector reseeds that pooled connection from the gateway's own randomness
before anybody else uses it. A constant seed and draws in a statement that reads no
relation (`SELECT setseed(0.5)`, `SELECT random()`) stay in the session: they carry
nothing the caller did not write.
"""

from __future__ import annotations

from phigate.core.actions import Description
from phigate.core.risk import RiskClass
from phigate.sql.functions import words

# Built-ins that read or move the seeded state (`gen_random_uuid` and `uuidv4` draw
# from the operating system's source and are not seeded).
GENERATOR_FUNCTIONS = words("random random_normal setseed array_shuffle array_sample")


def seeds_from_data(description: Description) -> bool:
    """Whether running the statement may leave state computed from data in the session's
    generator: it calls a generator function and reads a relation, or is more than a
    read (a computed seed). Unknown statements are refused before they run."""
    if GENERATOR_FUNCTIONS.isdisjoint(description.functions):
        return False
    return bool(description.tables) or description.risk is not RiskClass.READ
