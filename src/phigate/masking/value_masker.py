"""The seam between the engine and the walkers that mask rows and JSON.

`Masker` (in `engine`) builds a `RowMasker` (in `columns`) and calls the JSON
walker (in `_json`); those in turn call back into the masker for single
values. They depend on this protocol, not on `engine`, so the engine can
import them and the import graph has no cycle.
"""

from __future__ import annotations

from typing import Protocol

from phigate.masking.operators import Operators
from phigate.masking.settings import MaskingSettings


class ValueMasker(Protocol):
    """What the row and JSON walkers need from one profile's masker."""

    @property
    def types(self) -> frozenset[str]:
        """The entity types masked for this caller (revealed ones left out)."""
        ...

    @property
    def settings(self) -> MaskingSettings: ...

    @property
    def operators(self) -> Operators: ...

    def mask_str(self, text: str, counts: dict[str, int], subject: str = "") -> str:
        """Mask a string, adding to `counts`."""
        ...

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """Detected spans of `text` as character offsets and entity types."""
        ...

    def mask_json(self, value: object) -> tuple[object, dict[str, int]]:
        """A masked copy of a parsed JSON value, with counts."""
        ...

    def whole(
        self, entity: str, value: object, counts: dict[str, int], subject: str = ""
    ) -> object:
        """Mask a whole value known to be `entity`."""
        ...

    def classify_value(self, text: str) -> str | None:
        """The entity type of a value that is one entity as a whole, else None."""
        ...
