"""Masking of output that arrives in pieces: each piece seen with what came before it.

Detectors look across line ends — a label on one line and the value on the
next (`SSN:` then `123456789`), a private key from `BEGIN` to `END` — so a
block of new lines is scanned with the end of the same pipe's earlier output in
front of it (`CONTEXT_CHARS`, or from the start of a detection that was still
open when that output ended). Only detections reaching into the new block are
masked there; what lay in the context was masked when it was sent. What the
run's earlier output found (`Carried`: the words of the names, the values) is
masked in every later block, so a name found on the first line is masked where
it recurs a megabyte later. A CSV header whose rows are still running when a
block ends is read in front of the next block, with the rows from the start of
the line the context begins in (`mrn,visits` masks the MRNs of the millionth
row as of the first). Gateway-held secrets are scrubbed before anything is
scanned.

Between the scrubber and the masker, the block passes the byte guard HTTP and MCP
answers pass (`_byte_guard`): a run of bytes written out (hex in any layout, decimal,
base64) that reads as text still showing a held secret or PHI is withheld. It runs
before the masker, which would otherwise rewrite part of a run (dash-joined hex
pairs read as MAC-like device ids) and leave the rest too short to read. A run
reaching the end of a block may go on in the next (`od` prints as it reads), so its
lines are held back and read with that block, or at the end of the output
(`flush`); what is held is bounded by the connection's output cap. After the
masker, words joined by `_` are read as words (`_joined`), and each line that reads
as no language is withheld (`_unreadable`).
"""

from __future__ import annotations

from phigate.connectors._byte_guard import ByteGuard
from phigate.connectors._joined import joined_text
from phigate.connectors._secrets import GatewaySecrets
from phigate.connectors._unreadable import withheld_text
from phigate.core.byte_runs import byte_runs, may_hold
from phigate.masking._structure import open_header
from phigate.masking.detect import Carried, MaskingError
from phigate.masking.engine import Masker

# As far back as a label may stand from its value (`SSN:` a line or two above).
CONTEXT_CHARS = 256
# A detection still open at the end of a block (a private key whose END line has
# not come yet) is carried whole into the next block's context, up to this size.
OPEN_SPAN_CHARS = 65_536


class StreamMasker:
    """Scrubs and masks one run's output, block by block, per pipe."""

    def __init__(
        self,
        masker: Masker,
        secrets: GatewaySecrets,
        guard: ByteGuard | None = None,
        keep_text: bool = False,
    ) -> None:
        self.masker = masker
        self.secrets = secrets
        self.guard = guard
        # Masked lines that read as no language are withheld (`_unreadable`) unless kept.
        self.keep_text = keep_text
        # Per pipe: masked lines of a byte run that may go on in the next block.
        self._held: dict[str, str] = {}
        self.counts: dict[str, int] = {}
        self._tails: dict[str, str] = {}
        # Per pipe: the header of a CSV table whose rows run on into the next block.
        self._headers: dict[str, str] = {}
        # One run's output is one text: what stdout names, stderr names too.
        self._carried = Carried()

    def mask(self, pipe: str, text: str) -> str:
        """The block scrubbed, guarded and masked (less any byte run held back)."""
        return self._shown(self._masked(pipe, self._guarded(pipe, self._scrub(text))))

    def flush(self) -> dict[str, str]:
        """What each pipe held back, guarded and masked: the output has ended."""
        held, self._held = self._held, {}
        return {p: self._shown(self._masked(p, self._guard_text(t))) for p, t in held.items() if t}

    def _shown(self, masked: str) -> str:
        """Masked lines (blocks come as whole lines) with their `_`-joined words masked
        (`_joined`), and those that read as no language withheld."""
        masked = joined_text(self.masker, masked, self.counts)
        return masked if self.keep_text else withheld_text(masked, self.counts)

    def _guarded(self, pipe: str, text: str) -> str:
        if self.guard is None:
            return text
        pending = self._held.pop(pipe, "") + text
        cut = _open_run(pending)
        if cut < len(pending):
            self._held[pipe] = pending[cut:]
        return self._guard_text(pending[:cut])

    def _guard_text(self, text: str) -> str:
        return text if self.guard is None else self.guard.text(text, self.counts)

    def _masked(self, pipe: str, text: str) -> str:
        if not self.masker.types:  # nothing to mask for this caller (all revealed)
            return text
        header = self._headers.get(pipe, "")
        body = self._tails.get(pipe, "") + text
        whole = header + body
        try:
            spans = self.masker.spans(whole, self._carried)
            masked = self._apply(text, spans, len(whole) - len(text))
            self._headers[pipe] = header = _open_header(whole)
        except MaskingError:
            raise
        except Exception as exc:
            raise MaskingError(f"masking output failed: {type(exc).__name__}") from exc
        self._tails[pipe] = _context(body, spans, len(whole) - len(body), rows=bool(header))
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


def _context(body: str, spans: list[tuple[int, int, str]], shift: int, *, rows: bool) -> str:
    """What the next block is scanned with: the end of this one, or an open detection.

    `spans` are offsets in `body` plus `shift` (the carried header read before it).
    Under an open table (`rows`) the context starts where a line does: a row cut in
    its middle reads as a ragged row, and one of a single cell ends the table.
    """
    start = len(body) - CONTEXT_CHARS
    open_spans = [s - shift for s, e, _ in spans if e - shift >= len(body)]
    if open_spans:
        start = min(start, max(open_spans[0], len(body) - OPEN_SPAN_CHARS))
    start = max(0, start)
    if rows and start:
        low = max(0, start - OPEN_SPAN_CHARS)
        line = body.rfind("\n", low, start)
        start = line + 1 if line >= 0 or low == 0 else start
    return body[start:]


def _open_run(text: str) -> int:
    """Where the lines of a byte run reaching the end of `text` begin (len(text) when
    none does): they are read again with what follows."""
    if not may_hold(text):
        return len(text)
    runs = byte_runs(text)
    if not runs or text[runs[-1].end :].strip():
        return len(text)
    return text.rfind("\n", 0, runs[-1].start) + 1


def _open_header(whole: str) -> str:
    """The header of a CSV table whose rows run to the end of `whole`'s complete lines
    (`open_header`), or "": the next block's rows are read under it."""
    data = whole[: whole.rfind("\n") + 1].encode("utf-8", "surrogatepass")
    return open_header(data).decode("utf-8", "surrogatepass")
