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
from minutes_nlp.web.anonymize import PERSON, ExportCodes, Units, anonymize, redactions  # noqa: E402

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
        "meta_left_in_text": meta_left(records),
        "meetings": len(records),
        "gold_mentions": gold_total,
        "recall": round(gold_hit / gold_total, 4) if gold_total else None,
        "person_spans": person_spans,
        "person_spans_outside_gold": unmatched,
        "ms_per_meeting": round(1000 * seconds / max(1, len(records)), 1),
        "misses": misses,
        "outside_gold": extras,
    }


def _day_forms(date: str) -> list[str]:
    y, m, d = (int(x) for x in date.split("-"))
    return [rf"(?<!\d)0?{d}\s*[/.-]\s*0?{m}\s*[/.-]\s*{y}", rf"ngày\s+0?{d}\s+tháng\s+0?{m}\s+năm\s+{y}"]


def _time_forms(hhmm: str) -> list[str]:
    h, m = (int(x) for x in hhmm.split(":"))
    minute = rf"0?{m}" if m else r"(?:00?)?"
    return [rf"(?<!\d)0?{h}\s*(?:giờ|g|h|:)\s*{minute}(?!\d)"]


def meta_left(records: list[dict]) -> dict:
    """Meetings whose anonymised text still holds the annotated cell name, the day, or the start and end
    times in its first 1,000 characters or its closing line (an hour in the body is not the meeting's)."""
    import re

    left = {"cell": [], "date": [], "times": []}
    codes = ExportCodes()
    for record in records:
        meta = record["meta"]
        # the service redacts the cell's registered name too; the annotated name stands for it
        units = Units(cell_names=[meta["cell"]] if meta.get("cell") else [])
        out = anonymize(report_of(record), record["id"], codes, units)["text"]
        if meta.get("cell") and re.search(re.escape(meta["cell"]), out, re.IGNORECASE):
            left["cell"].append(record["id"])
        if meta.get("date") and any(re.search(f, out, re.IGNORECASE) for f in _day_forms(meta["date"])):
            left["date"].append(record["id"])
        times = [t for t in (meta.get("start_time"), meta.get("end_time")) if t]
        head = out[:1000] + "\n".join(ln for ln in out.splitlines() if re.search("kết thúc|bế mạc", ln, re.I))
        if any(re.search(f, head, re.IGNORECASE) for t in times for f in _time_forms(t)):
            left["times"].append(record["id"])
    return {k: {"meetings": len(v), "ids": v[:10]} for k, v in left.items()}


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
