"""The compatibility window: which builds of phigate may serve on the schema a store holds.

Every migration declares its kind in a module-level `compatibility`:

- `"expand-only"`: it only adds (tables, nullable columns or columns with a server
  default, indexes) and the code one revision older keeps working on the result;
- `"breaking"`: the code one revision older must not run on the result.

After every migration run, the build that migrated writes the window into the store
(table `schema_compatibility`): the store's revision, then each older revision whose
code can still run on it, newest first, down to the newest breaking migration. An
older build cannot know the newer migrations, but it can read the window they left
and start only if its own head is in it. See migrations/README.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext
from alembic.script import Script, ScriptDirectory

from phigate.core.errors import PhigateError
from phigate.store.tables import schema_compatibility

EXPAND_ONLY = "expand-only"
BREAKING = "breaking"
KINDS = (EXPAND_ONLY, BREAKING)


class MigrationDeclarationError(PhigateError):
    """A migration that does not say whether older code survives it is not run."""

    code = "migration_undeclared"


class SchemaTooNewError(PhigateError):
    """The store was migrated by a newer phigate than this one can serve or migrate."""

    code = "schema_too_new"
    http_status = 503


def kind_of(script: Script) -> str:
    """The declared kind of one migration; refuses a missing or misspelt declaration."""
    kind = getattr(script.module, "compatibility", None)
    if kind not in KINDS:
        raise MigrationDeclarationError(
            f"migration {script.revision} ({script.path}) must declare "
            f"compatibility = {EXPAND_ONLY!r} or {BREAKING!r}, not {kind!r}"
        )
    return str(kind)


def window(scripts: ScriptDirectory, revision: str) -> list[str]:
    """`revision`, then each older revision whose code can run on its schema, newest first.

    An expand-only migration lets its parent's code run; the walk stops at (and
    includes) the newest breaking migration, whose code is the oldest that fits.
    """
    revisions: list[str] = []
    for script in scripts.walk_revisions(base="base", head=revision):
        revisions.append(script.revision)
        if kind_of(script) == BREAKING:
            break
    return revisions


def record_window(connection: sa.Connection, scripts: ScriptDirectory) -> None:
    """Write the window of the revision the store is now at (no table yet: nothing to do).

    A store already holding that window is left alone: every replica that starts with
    `migrate_on_start` runs this, and most find the schema at head."""
    recorded = read_window(connection)
    if recorded is None:
        return
    revision = _current(connection)
    revisions = window(scripts, revision) if revision is not None else []
    if recorded == tuple(revisions):
        return
    connection.execute(schema_compatibility.delete())
    if revisions:
        rows = [{"revision": r, "age": age} for age, r in enumerate(revisions)]
        connection.execute(schema_compatibility.insert(), rows)


def read_window(connection: sa.Connection) -> tuple[str, ...] | None:
    """The recorded window, newest first; None when the store has no window table."""
    if not sa.inspect(connection).has_table(schema_compatibility.name):
        return None
    query = sa.select(schema_compatibility.c.revision).order_by(schema_compatibility.c.age)
    return tuple(connection.execute(query).scalars())


def _current(connection: sa.Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


@dataclass(frozen=True)
class Schema:
    """What a build found in its store: the store's revision and the build's own head.

    `newer` is set when the store is at a revision this build does not know (a newer
    build migrated it); `window` is then what that build recorded, newest first.
    """

    database: str | None
    build: str | None
    newer: bool = False
    window: tuple[str, ...] | None = None

    @property
    def serves(self) -> bool:
        """Whether this build may serve on the store: its own revision, or in the window."""
        if not self.newer:
            return self.database == self.build
        return self.build in (self.window or ())

    @property
    def oldest_compatible(self) -> str | None:
        return self.window[-1] if self.window else None

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"database": self.database, "build": self.build}
        if self.newer:
            body |= {"newer": True, "oldest_compatible": self.oldest_compatible}
            body["detail"] = self.newer_note()
        return body

    def newer_note(self) -> str:
        """The line an old build logs (and /readyz shows) when it serves on a newer schema."""
        return (
            f"state store at revision {self.database}, newer than this phigate ({self.build}); "
            f"its migrations since {self.build} are expand-only (oldest compatible: "
            f"{self.oldest_compatible}), so this phigate serves on it. "
            f"Finish the upgrade to the phigate that migrated it."
        )

    def refusal(self) -> SchemaTooNewError:
        """Why this build will not serve on a newer store, and what to do instead."""
        if not self.window:  # no table, or an empty one: nothing vouches for this build
            why = "and records no compatibility window (it was migrated by a phigate without one)"
        else:
            why = (
                f"and a migration since {self.build} is breaking: the oldest phigate that can "
                f"run on it is {self.oldest_compatible}"
            )
        needed = self.oldest_compatible or self.database
        return SchemaTooNewError(
            f"state store at revision {self.database}, newer than this phigate "
            f"({self.build}), {why}. Deploy a phigate at revision {needed} or newer; "
            "a migrated schema cannot be taken back by an older phigate "
            "(to go back, restore the backup taken before the migration)."
        )

    def no_downgrade(self) -> SchemaTooNewError:
        """Why `phigate migrate` from an older build does nothing to a newer store."""
        can = "can still serve on it" if self.serves else "cannot serve on it either"
        return SchemaTooNewError(
            f"state store at revision {self.database}, newer than this phigate "
            f"({self.build}): `phigate migrate` never downgrades a schema. Run migrations "
            f"with the newest phigate; this one {can} (oldest compatible: "
            f"{self.oldest_compatible or 'not recorded'})."
        )
