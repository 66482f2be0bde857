"""Masking of output that arrives in pieces: each piece seen with what came before it.

Detectors look across line ends — a label on one line and the value on the
next (`SSN:` then `123456789`), a private key from `BEGIN` to `END` — so a
block of new lines is scanned with the end of the same pipe's earlier output in
front of it (`CONTEXT_CHARS`, or from the start of a detection that was still
open when that output ended). Only detections reaching into the new block are
masked there; what lay in the context was masked when it was sent. What the
run's earlier output found (`Carried`: the words of the names, the values) is
masked in every later block, so a name found on the first line is masked where
it recurs a megabyte later. Gateway-held secrets are scrubbed before anything is
scanned.
"""

from __future__ import annotations

from phigate.connectors._secrets import GatewaySecrets
from phigate.masking.detect import Carried, MaskingError
from phigate.masking.engine import Masker

# As far back as a label may stand from its value (`SSN:` a line or two above).
CONTEXT_CHARS = 256
# A detection still open at the end of a block (a private key whose END line has
# not come yet) is carried whole into the next block's context, up to this size.
OPEN_SPAN_CHARS = 65_536


class StreamMasker:
    """Scrubs and masks one run's output, block by block, per pipe."""

    def __init__(self, masker: Masker, secrets: GatewaySecrets) -> None:
        self.masker = masker
        self.secrets = secrets
        self.counts: dict[str, int] = {}
        self._tails: dict[str, str] = {}
        # One run's output is one text: what stdout names, stderr names too.
        self._carried = Carried()

    def mask(self, pipe: str, text: str) -> str:
        text = self._scrub(text)
        if not self.masker.types:  # nothing to mask for this caller (all revealed)
            return text
        tail = self._tails.get(pipe, "")
        whole = tail + text
        try:
            spans = self.masker.spans(whole, self._carried)
            masked = self._apply(text, spans, len(tail))
        except MaskingError:
            raise
        except Exception as exc:
            raise MaskingError(f"masking output failed: {type(exc).__name__}") from exc
        self._tails[pipe] = _context(whole, spans)
        return masked

    def _apply(self, text: str, spans: list[tuple[int, int, str]], offset: int) -> str:
        out: list[str] = []
        pos = 0
        for start, end, entity in spans:
            if end <= offset:
                continue  # wholly in the context: already masked when it was sent
            # A detection begun in the context is masked from where this block starts.
            start, end = max(start - offset, pos), end - offset
            if start >= end:
                continue
            out.append(text[pos:start])
            out.append(self.masker.operators.text(entity, text[start:end]))
            self._count(entity)
            pos = end
        out.append(text[pos:])
        return "".join(out)

    def _scrub(self, text: str) -> str:
        """The same scrubber as every other door's: every form, escaped or not."""
        return self.secrets.scrub(text, self.counts)

    def _count(self, entity: str, hits: int = 1) -> None:
        self.counts[entity] = self.counts.get(entity, 0) + hits


def _context(whole: str, spans: list[tuple[int, int, str]]) -> str:
    """What the next block is scanned with: the end of this one, or an open detection."""
    start = len(whole) - CONTEXT_CHARS
    open_spans = [s for s, e, _ in spans if e >= len(whole)]
    if open_spans:
        start = min(start, max(open_spans[0], len(whole) - OPEN_SPAN_CHARS))
    return whole[max(0, start) :]
