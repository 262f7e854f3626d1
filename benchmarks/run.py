"""Accuracy and speed of piiscan against Presidio's defaults, on one labelled corpus.

    python benchmarks/run.py [--scale N] [--out benchmarks/out/results.json]

1. generates the corpus (benchmarks/corpus.py) in every format the
   installed readers can read;
2. reads it once with piiscan's readers to collect the extracted text;
3. scans it with piiscan's real engine (Scanner, registry from entry points);
4. runs Presidio's AnalyzerEngine with its default recognizers (offline
   spaCy engine, en + fr, batched) on the same extracted text;
5. scores both (benchmarks/score.py), prints one table, writes it as JSON.
Model loading is done before the clocks start, for both.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import corpus  # noqa: E402
from benchmarks.score import Prediction, Score, score  # noqa: E402

# Which reader plugin reads which corpus format.
READER_FOR = {"txt": "text", "csv": "csv", "json": "json", "html": "markup", "docx": "word",
              "xlsx": "spreadsheet", "pdf": "pdf"}
# Presidio's entity names → piiscan's, where Presidio has an equivalent. Presidio
# has no date-of-birth type: DATE_TIME is what a Presidio user would look at.
PRESIDIO_TYPES = {"PERSON": "PERSON", "EMAIL_ADDRESS": "EMAIL_ADDRESS", "CREDIT_CARD": "CREDIT_CARD",
                  "PHONE_NUMBER": "PHONE_NUMBER", "IBAN_CODE": "IBAN_CODE",
                  "IP_ADDRESS": "IP_ADDRESS", "CA_SIN": "CA_SIN", "CA_POSTAL_CODE": "CA_POSTAL_CODE",
                  "US_PASSPORT": "PASSPORT", "DATE_TIME": "DATE_OF_BIRTH"}
TARGETS = {"CA_SIN": 0.97, "CREDIT_CARD": 0.97, "EMAIL_ADDRESS": 0.97, "PASSPORT": 0.97,
           "PERSON_en": 0.90, "PERSON_fr": 0.90}


def _items(share: Path):  # type: ignore[no-untyped-def]
    from piiscan.model import Item, ItemInfo

    for path in sorted(p for p in share.rglob("*") if p.is_file()):
        st = path.stat()
        yield Item(location=path.relative_to(share).as_posix(), name=path.name,
                   open=lambda p=path: open(p, "rb"), info=ItemInfo(size=st.st_size,
                                                                   mtime=st.st_mtime))


def extract(registry: Any, share: Path) -> tuple[list[Any], float]:
    """Every segment piiscan's readers produce, and how long reading took."""
    from piiscan.engine import Scanner, ScanOptions
    from piiscan.redact import Redactor
    from piiscan.registry import Registry

    readers_only = Registry(readers=dict(registry.readers))
    segments: list[Any] = []
    start = time.perf_counter()
    with Scanner(readers_only, Redactor(b"k" * 32), ScanOptions(),
                 observers=[segments.append]) as scanner:
        for _ in scanner.scan_items(_items(share)):
            pass
    return segments, time.perf_counter() - start


def run_piiscan(registry: Any, share: Path) -> tuple[list[Prediction], float]:
    from piiscan.engine import Scanner, ScanOptions
    from piiscan.language import guess_language
    from piiscan.model import Finding
    from piiscan.redact import Redactor

    preds = []
    start = time.perf_counter()
    with Scanner(registry, Redactor(b"k" * 32, reveal=True), ScanOptions(reveal=True),
                 language=guess_language) as scanner:
        for event in scanner.scan_items(_items(share)):
            if isinstance(event, Finding):
                preds.append(Prediction(event.location, str(event.entity_type), event.value or ""))
    return preds, time.perf_counter() - start


def run_presidio(analyzer: Any, segments: list[Any]) -> tuple[list[Prediction], float]:
    from presidio_analyzer import BatchAnalyzerEngine

    from piiscan.language import guess_language

    batch = BatchAnalyzerEngine(analyzer_engine=analyzer)
    preds = []
    start = time.perf_counter()
    by_lang: dict[str, list[Any]] = {}
    for seg in segments:  # Presidio needs a language: give it the one piiscan would use
        by_lang.setdefault(seg.language or guess_language(seg.text) or "en", []).append(seg)
    for lang, segs in by_lang.items():
        results = batch.analyze_iterator([s.text for s in segs], lang, batch_size=64)
        for seg, found in zip(segs, results):
            for r in found:
                entity = PRESIDIO_TYPES.get(r.entity_type, r.entity_type)
                preds.append(Prediction(seg.location, entity, seg.text[r.start:r.end]))
    return preds, time.perf_counter() - start


def table(rows: list[str], ours: Score, theirs: Score, gold_counts: dict[str, int]) -> str:
    head = (f"{'entity':<18}{'gold':>6}  {'piiscan P':>9}{'R':>7}{'F1':>7}  "
            f"{'Presidio P':>10}{'R':>7}{'F1':>7}")
    lines = [head, "-" * len(head)]
    for r in rows:
        a, b = ours.per_type[r], theirs.per_type[r]
        lines.append(f"{r:<18}{gold_counts.get(r, 0):>6}  {a.precision:>9.3f}{a.recall:>7.3f}"
                     f"{a.f1:>7.3f}  {b.precision:>10.3f}{b.recall:>7.3f}{b.f1:>7.3f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="piiscan vs Presidio on a labelled synthetic corpus")
    ap.add_argument("--scale", type=float, default=1.0, help="corpus size (1 ≈ 100 files)")
    ap.add_argument("--seed", type=int, default=20261101)
    ap.add_argument("--out", type=Path, default=Path("benchmarks/out/results.json"))
    ap.add_argument("--work", type=Path, help="keep the corpus here (default: a temp dir)")
    args = ap.parse_args(argv)
    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)

    from piiscan import nlp
    from piiscan.presidio_bridge import offline_analyzer
    from piiscan.registry import Registry

    registry = Registry.from_entry_points()
    broken = [f"{p.name}: {p.error}" for p in registry.plugins if p.error]
    formats = [f for f, reader in READER_FOR.items() if reader in registry.readers]
    with tempfile.TemporaryDirectory(prefix="piiscan-bench-") as tmp:
        work = args.work or Path(tmp)
        gold = corpus.generate(work, args.scale, args.seed, formats)
        share = work / "share"

        t0 = time.perf_counter()
        for lang in nlp.PIPELINES:  # load once, off the clock
            nlp.pipeline(lang)
        nlp.common_words()
        piiscan_load = time.perf_counter() - t0
        t0 = time.perf_counter()
        analyzer = offline_analyzer(("en", "fr"))
        presidio_load = time.perf_counter() - t0

        segments, read_s = extract(registry, share)
        chars = sum(len(s.text) for s in segments)
        ours_preds, ours_s = run_piiscan(registry, share)
        theirs_preds, theirs_s = run_presidio(analyzer, segments)

    ours, theirs = score(gold, ours_preds), score(gold, theirs_preds)
    gold_counts: dict[str, int] = {}
    for g in gold:
        gold_counts[g.entity_type] = gold_counts.get(g.entity_type, 0) + 1
        if g.entity_type == "PERSON":
            key = f"PERSON_{g.language}"
            gold_counts[key] = gold_counts.get(key, 0) + 1
    rows = sorted(t for t in ours.per_type if not t.startswith("PERSON_")) + ["PERSON_en", "PERSON_fr"]
    text = table(rows, ours, theirs, gold_counts)
    presidio_total = read_s + theirs_s
    timing = (f"wall time  piiscan (read + detect): {ours_s:.1f} s, {chars / ours_s:,.0f} chars/s\n"
              f"           Presidio (read {read_s:.1f} s + analyze {theirs_s:.1f} s): "
              f"{presidio_total:.1f} s, {chars / presidio_total:,.0f} chars/s\n"
              f"model load (not timed above): piiscan {piiscan_load:.1f} s, Presidio "
              f"{presidio_load:.1f} s")
    negatives = (f"hard negatives reported: piiscan {sum(ours.hard_negatives.values())}, "
                 f"Presidio {sum(theirs.hard_negatives.values())} "
                 f"(of {sum(ours.hard_negative_total.values())})")
    files = len({g.location for g in gold})
    print(f"corpus: {files} files ({', '.join(formats)}), {chars:,} characters, "
          f"{len(segments)} segments, scale {args.scale:g}, seed {args.seed}")
    print(text)
    print(negatives)
    print(timing)
    passed = {k: ours.per_type[k].f1 >= v for k, v in TARGETS.items() if k in ours.per_type}
    failing = [k for k, ok in passed.items() if not ok]
    worse = [r for r in rows if ours.per_type[r].f1 <= theirs.per_type[r].f1]
    print("targets: " + ("all met" if not failing else "missed: " + ", ".join(failing))
          + ("; not better than Presidio on: " + ", ".join(worse) if worse else ""))
    if broken:
        print("plugins that did not load: " + "; ".join(broken))

    result = {
        "command": "python benchmarks/run.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "corpus": {"scale": args.scale, "seed": args.seed, "formats": formats, "files": files,
                   "segments": len(segments), "characters": chars, "gold": gold_counts},
        "piiscan": {**ours.as_dict(), "seconds": round(ours_s, 2),
                    "chars_per_second": round(chars / ours_s), "load_seconds": round(piiscan_load, 2)},
        "presidio": {**theirs.as_dict(), "seconds": round(presidio_total, 2),
                     "analyze_seconds": round(theirs_s, 2), "read_seconds": round(read_s, 2),
                     "chars_per_second": round(chars / presidio_total),
                     "load_seconds": round(presidio_load, 2)},
        "targets": {k: {"target": TARGETS[k], "f1": round(ours.per_type[k].f1, 4), "met": ok}
                    for k, ok in passed.items()},
        "table": text,
        "unavailable_plugins": broken,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    errors = {"piiscan": {"false_positives": ours.false_positives,
                          "false_negatives": ours.false_negatives},
              "presidio": {"false_positives": theirs.false_positives,
                           "false_negatives": theirs.false_negatives}}
    args.out.with_name(args.out.stem + ".errors.json").write_text(
        json.dumps(errors, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
