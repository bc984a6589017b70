"""How many person names the researcher's anonymised corpus hides, what else it hides, and how fast.

Usage: python benchmarks/anonymize.py [--corpus FILE ...] [--no-ner] [--limit N] [--show N]
       [--out benchmarks/results/anonymize.json]

Each meeting goes through what the service does: the turn finder reads the header and the speakers
(nothing from the annotation), then minutes_nlp.web.anonymize.redactions. The gold is
minutes_nlp.corpus.names.gold_mentions (annotated people, their names in any case and their given-name
mentions). Recall: gold mentions wholly inside a replaced span. Over-replacement: person spans that
touch no gold mention, listed with their context so they can be read (many are real names the annotation
does not carry: absentees, people talked about); the ones that are place or organisation names are
counted from the review list below. Time: redactions per meeting (segmentation excluded).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from minutes_nlp.corpus.names import gold_mentions  # noqa: E402
from minutes_nlp.errors import MinutesError  # noqa: E402
from minutes_nlp.segmentation.turns import segment  # noqa: E402
from minutes_nlp.web.anonymize import PERSON, ExportCodes, redactions  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CORPORA = [
    "corpora/minutes/minutes.jsonl",
    *sorted(str(p.relative_to(ROOT)) for p in ROOT.glob("corpora/challenge/*.jsonl")),
]
PERSON_PREFIX = PERSON.split("{")[0]


def report_of(record: dict) -> dict:
    """The report fields anonymisation reads, predicted as the service would (header, speakers)."""
    try:
        predicted = segment(record["text"], record["id"]).to_record(record["id"])
    except MinutesError:
        predicted = {"text": record["text"], "meta": {}, "segments": []}
    return predicted


def score_file(path: str, use_ner: bool, limit: int | None) -> dict:
    records = [json.loads(line) for line in open(ROOT / path, encoding="utf-8") if line.strip()][:limit]
    gold_total = gold_hit = person_spans = unmatched = 0
    seconds = 0.0
    misses, extras = [], []
    codes = ExportCodes()
    for record in records:
        text = record["text"]
        report = report_of(record)
        t0 = time.perf_counter()
        _, spans = redactions(report, codes, use_ner=use_ner)
        seconds += time.perf_counter() - t0
        gold = gold_mentions(record)
        covered = bytearray(len(text) + 1)
        for a, b, _ in spans:
            covered[a:b] = b"\x01" * (b - a)
        for a, b in gold:
            gold_total += 1
            if all(covered[a:b]):
                gold_hit += 1
            else:
                misses.append({"id": record["id"], "name": text[a:b], "context": text[max(0, a - 40) : b + 30]})
        gold_cover = bytearray(len(text) + 1)
        for a, b in gold:
            gold_cover[a:b] = b"\x01" * (b - a)
        for a, b, new in spans:
            if not new.startswith(PERSON_PREFIX):
                continue
            person_spans += 1
            if not any(gold_cover[a:b]):
                unmatched += 1
                extras.append({"id": record["id"], "name": text[a:b], "context": text[max(0, a - 40) : b + 30]})
    return {
        "corpus": path,
        "meetings": len(records),
        "gold_mentions": gold_total,
        "recall": round(gold_hit / gold_total, 4) if gold_total else None,
        "person_spans": person_spans,
        "person_spans_outside_gold": unmatched,
        "ms_per_meeting": round(1000 * seconds / max(1, len(records)), 1),
        "misses": misses,
        "outside_gold": extras,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", nargs="*", default=CORPORA)
    ap.add_argument("--no-ner", action="store_true", help="rules and lexicons only, no underthesea NER")
    ap.add_argument("--limit", type=int, default=None, help="first N meetings of each file")
    ap.add_argument("--show", type=int, default=15, help="misses and outside-gold spans printed per file")
    ap.add_argument("--out", default=None, help="write the full result (with every miss) as JSON")
    args = ap.parse_args()
    results = [score_file(path, not args.no_ner, args.limit) for path in args.corpus]
    summary = [{k: v for k, v in r.items() if k not in ("misses", "outside_gold")} for r in results]
    for r, s in zip(results, summary):
        s["misses_shown"] = r["misses"][: args.show]
        s["outside_gold_shown"] = r["outside_gold"][: args.show]
    print(json.dumps(summary, ensure_ascii=False, indent=1))
    if args.out:
        Path(args.out).write_text(
            json.dumps({"ner": not args.no_ner, "results": results}, ensure_ascii=False, indent=1)
        )


if __name__ == "__main__":
    main()
