"""ReviewerViews: what the audit log and reviewers see of a request. It owns the
audit masker and the scrubbed-statement cache; everything written to the audit log
or shown to a reviewer passes through `scrub`, `scrub_sql` or `scrub_params`.
Who may see an action at all is `phigate.reviewing.sight`."""

from __future__ import annotations

import hashlib
from typing import Any

from pglast import parser as pg_parser

from phigate.masking.engine import Masker, MaskingEngine

AUDIT_PROFILE = "hipaa-safe-harbor"
_SCRUB_CACHE_ENTRIES = 1024
_SCRUB_CACHE_MAX_TEXT = 8192

# Scanner tokens that carry data, not code: constants and comments.
_DATA_TOKENS = frozenset(
    {"SCONST", "USCONST", "BCONST", "XCONST", "ICONST", "FCONST", "C_COMMENT", "SQL_COMMENT"}
)


def audit_masker(masking: MaskingEngine) -> Masker:
    """The one masker for what people read about a request (the audit log, reviewers,
    upstream texts an operator pins): the audit profile's types, each value shown as
    its label (`[DATE]`), never a generalised value (`2024`) that reads as another
    request than the one that runs (docs/security.md)."""
    return masking.label_masker(AUDIT_PROFILE)


class ReviewerViews:
    """The scrubbed view of requests, for the audit log and for reviewers."""

    def __init__(self, masking: MaskingEngine) -> None:
        # One masker for everything written to the audit log or shown to reviewers.
        self._audit_masker = audit_masker(masking)
        self._scrubbed_sql: dict[bytes, str] = {}  # hash of a statement text -> masked text
        self._scrubbed_text: dict[bytes, str] = {}  # hash of a free text -> masked text

    def scrub(self, value: Any) -> Any:
        """Mask PHI and secrets in anything written to the audit log or shown to reviewers."""
        if isinstance(value, dict) and isinstance(value.get("sql"), str):
            # A statement's text repeats (prepared statements, ORMs); its parameters vary.
            rest, _counts = self._audit_masker.mask_json({k: value[k] for k in value if k != "sql"})
            assert isinstance(rest, dict)
            return {"sql": self.scrub_sql(value["sql"]), **rest}
        masked, _counts = self._audit_masker.mask_json(value)
        return masked

    def scrub_text(self, text: str) -> str:
        """Free text (a reason, a comment) masked for the audit log, remembered under
        a hash of the text like `scrub_sql`: the gateway's own reasons repeat on every
        statement, and the text itself may hold PHI and is not kept."""
        if not text or len(text) > _SCRUB_CACHE_MAX_TEXT:
            return self._audit_masker.mask_text(text).text if text else text
        key = hashlib.blake2b(text.encode(), digest_size=16).digest()
        masked = self._scrubbed_text.get(key)
        if masked is None:
            masked = self._audit_masker.mask_text(text).text
            if len(self._scrubbed_text) >= _SCRUB_CACHE_ENTRIES:
                self._scrubbed_text.clear()
            self._scrubbed_text[key] = masked
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
        """A constant holding PHI, each detected value in it replaced by what it held
        (`'{1,2,[PHONE]}'`): never a generalised value (`'2025'`) a reviewer could
        read as the one that runs, and never the values around it hidden with it
        (the ids 1 and 2 a write reaches are no PHI)."""
        if token in ("ICONST", "FCONST"):
            return self._labelled(piece)
        plain = token == "SCONST"  # noqa: S105 (a scanner token's name, not a secret)
        if plain and piece[:1] == piece[-1:] == "'" and len(piece) > 1:
            return f"'{self._labelled(piece[1:-1])}'"  # a plain '…' literal
        masked = self._audit_masker.mask_text(piece)  # E'…', U&'…', "…": whole
        if masked.text == piece:
            return piece
        return f"'{self._whole_label(masked.counts)}'"

    def _labelled(self, text: str) -> str:
        """`text` with each value the audit masker detects replaced by `[ENTITY]`; the
        whole text as one label when masking changes it in a way no span explains."""
        masked = self._audit_masker.mask_text(text)
        if masked.text == text:
            return text
        out, at = [], 0
        for start, end, entity in sorted(self._audit_masker.spans(text)):
            if start >= at:
                out += [text[at:start], f"[{entity}]"]
                at = end
        labelled = "".join([*out, text[at:]])
        if at == 0 or self._audit_masker.mask_text(labelled).text != labelled:
            return self._whole_label(masked.counts)
        return labelled

    @staticmethod
    def _whole_label(counts: dict[str, int]) -> str:
        return "[" + ",".join(sorted(counts)) + "]" if counts else "[MASKED]"

    def scrub_params(self, params: Any) -> Any:
        """Statement parameters as reviewers see them: each value holding PHI shown
        with what it held (`[SSN]`) in its place, like a constant in the text."""
        if not isinstance(params, list):
            return self.scrub(params)
        out = []
        for value in params:
            out.append(self._labelled(value) if isinstance(value, str) else self.scrub(value))
        return out
