"""ReviewerViews: what the audit log and reviewers see of a request. It owns the
audit masker and the scrubbed-statement cache; everything written to the audit log
or shown to a reviewer passes through `scrub`, `scrub_sql` or `scrub_params`.
Who may see an action at all is `phigate.reviewing.sight`."""

from __future__ import annotations

import hashlib
from typing import Any

from pglast import parser as pg_parser

from phigate.masking.engine import MaskingEngine

AUDIT_PROFILE = "hipaa-safe-harbor"
_SCRUB_CACHE_ENTRIES = 1024
_SCRUB_CACHE_MAX_TEXT = 8192

# Scanner tokens that carry data, not code: constants and comments.
_DATA_TOKENS = frozenset(
    {"SCONST", "USCONST", "BCONST", "XCONST", "ICONST", "FCONST", "C_COMMENT", "SQL_COMMENT"}
)


class ReviewerViews:
    """The scrubbed view of requests, for the audit log and for reviewers."""

    def __init__(self, masking: MaskingEngine) -> None:
        # One masker for everything written to the audit log or shown to reviewers.
        self._audit_masker = masking.masker(AUDIT_PROFILE)
        self._scrubbed_sql: dict[bytes, str] = {}  # hash of a statement text -> masked text

    def scrub(self, value: Any) -> Any:
        """Mask PHI and secrets in anything written to the audit log or shown to reviewers."""
        if isinstance(value, dict) and isinstance(value.get("sql"), str):
            # A statement's text repeats (prepared statements, ORMs); its parameters vary.
            rest, _counts = self._audit_masker.mask_json({k: value[k] for k in value if k != "sql"})
            assert isinstance(rest, dict)
            return {"sql": self.scrub_sql(value["sql"]), **rest}
        masked, _counts = self._audit_masker.mask_json(value)
        return masked

    def scrub_sql(self, text: str) -> str:
        """The statement text with PHI masked inside its constants and comments only
        (what reviewers and the audit log see), remembered under a hash of the text:
        the text itself may hold PHI and is not kept."""
        if len(text) > _SCRUB_CACHE_MAX_TEXT:
            return self._scrub_sql_uncached(text)
        key = hashlib.blake2b(text.encode(), digest_size=16).digest()
        masked = self._scrubbed_sql.get(key)
        if masked is None:
            masked = self._scrub_sql_uncached(text)
            if len(self._scrubbed_sql) >= _SCRUB_CACHE_ENTRIES:
                self._scrubbed_sql.clear()
            self._scrubbed_sql[key] = masked
        return masked

    def _scrub_sql_uncached(self, text: str) -> str:
        """Mask PHI inside each constant, quoted identifier and comment on its own, so
        the code around them reads as it runs: a detector must not see `12/04/2026`
        across two divisions and show a reviewer `2026`."""
        try:
            tokens = pg_parser.scan(text)
        except Exception:  # text PostgreSQL cannot scan: never run, shown masked whole
            return self._audit_masker.mask_text(text).text
        out, pos = [], 0
        for token in tokens:
            start, end = token.start, token.end + 1
            piece = text[start:end]
            if token.name in ("C_COMMENT", "SQL_COMMENT"):
                piece = self._audit_masker.mask_text(piece).text  # runs nothing
            elif token.name in _DATA_TOKENS or (token.name == "IDENT" and piece[:1] == '"'):
                piece = self._masked_constant(piece, token.name)
            out += [text[pos:start], piece]
            pos = end
        out.append(text[pos:])
        return "".join(out)

    def _masked_constant(self, piece: str, token: str) -> str:
        """A constant holding PHI, replaced whole by what it held (`'[DATE]'`): never a
        generalised value (`'2025'`) a reviewer could read as the one that runs."""
        masked = self._audit_masker.mask_text(piece)
        if masked.text == piece:
            return piece
        label = "[" + ",".join(sorted(masked.counts)) + "]" if masked.counts else "[MASKED]"
        return label if token in ("ICONST", "FCONST") else f"'{label}'"

    def scrub_params(self, params: Any) -> Any:
        """Statement parameters as reviewers see them: each one holding PHI replaced
        whole by what it held, like a constant in the text."""
        if not isinstance(params, list):
            return self.scrub(params)
        out = []
        for value in params:
            if isinstance(value, str):
                masked = self._audit_masker.mask_text(value)
                changed = masked.text != value
                value = "[" + ",".join(sorted(masked.counts)) + "]" if changed else value
            else:
                value = self.scrub(value)
            out.append(value)
        return out
