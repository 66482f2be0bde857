"""Free text in audit records: what a person or an agent typed, masked before it is
written (the request's reason, a vote's comment, a refusal's detail, an error).

Records are masked before they are hashed and written. The action's own text
(statement, parameters, arguments) is masked where the record is built
(`core.action_store.audit_fields`); everything else a person or an agent could have
typed sits in a few known places, masked here in one pass for every record:

* every text under `why`, except its structural keys (`rule`, `code`);
* texts named like free text (`reason`, `comment`, `description`, `detail`,
  `error`, `note`) at the top of a record or in its `result` or `token` section,
  and in the sections nested in those (a late or unrecorded outcome).

Ids, hashes, sequence numbers, event names, subjects and groups are never touched.
A record without free text is returned as it came (no copy): the wire writes
records for every statement.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

FREE_TEXT_KEYS = frozenset({"reason", "comment", "description", "detail", "error", "note"})
# Under `why` everything is free text but these (what the gateway names, not prose).
STRUCTURAL_WHY = frozenset({"rule", "code"})
_SECTIONS = frozenset({"why", "result", "token"})


def mask_free_text(fields: Mapping[str, Any], mask: Callable[[str], str]) -> Mapping[str, Any]:
    """`fields` with every free text masked by `mask`; `fields` itself when none changed."""
    out: dict[str, Any] | None = None
    for key, value in fields.items():
        if key in _SECTIONS and isinstance(value, dict):
            new: Any = _section(value, mask, everything=key == "why")
        elif key in FREE_TEXT_KEYS and isinstance(value, str):
            new = mask(value)
        else:
            continue
        if new != value:
            out = dict(fields) if out is None else out
            out[key] = new
    return fields if out is None else out


def _section(
    section: dict[str, Any], mask: Callable[[str], str], *, everything: bool
) -> dict[str, Any]:
    out: dict[str, Any] | None = None
    for key, value in section.items():
        if isinstance(value, str):
            free = key not in STRUCTURAL_WHY if everything else key in FREE_TEXT_KEYS
            new: Any = mask(value) if free else value
        elif isinstance(value, dict):
            new = _section(value, mask, everything=everything)
        else:
            continue
        if new != value:
            out = dict(section) if out is None else out
            out[key] = new
    return section if out is None else out
