"""Score segmentation and header reading against the annotated corpus, and time them.

Usage: python benchmarks/segmentation.py [--corpus corpora/minutes/minutes.jsonl] [--split test|dev|train|all]
       [--src corpora/src] [--errors N]

Contribution F1: a predicted contribution matches a gold one when the speakers
are equal (case-insensitive) and the spans overlap by at least half of the
longer one; matching is one-to-one. Speaker accuracy: share of gold
contributions whose overlapping prediction names the same speaker.
Attendance accuracy: share of (meeting, field) pairs with the gold value, over
members_total, members_present, members_absent, members_exempt where the gold
record states the field (null included). Throughput reads each meeting from a
.txt file and segments it, on one core; peak memory is the process's maximum RSS.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from minutes_nlp.errors import MinutesError  # noqa: E402
from minutes_nlp.reading.documents import read  # noqa: E402
from minutes_nlp.segmentation.turns import segment  # noqa: E402

FIELDS = ("members_total", "members_present", "members_absent", "members_exempt")


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    return inter / max(a[1] - a[0], b[1] - b[0], 1)


def _same(a: str | None, b: str | None) -> bool:
    """Equal names, or a given name and the full name it ends with (codebook §2: the same person)."""
    a, b = (a or "").casefold().strip(), (b or "").casefold().strip()
    if a == b:
        return True
    short, full = sorted((a, b), key=lambda x: len(x.split()))
    return bool(short) and len(short.split()) == 1 and full.split()[-1] == short


def score_meeting(gold: dict, pred) -> dict:
    g = [s for s in gold["segments"] if s["kind"] == "discussion"]
    p = [s for s in pred.segments if s.kind == "discussion"]
    used: set[int] = set()
    tp = speaker_ok = role_ok = 0
    errors = []
    for gs in g:
        best, best_ov = None, 0.0
        for j, ps in enumerate(p):
            ov = _overlap((gs["start"], gs["end"]), (ps.start, ps.end))
            if ov > best_ov:
                best, best_ov = j, ov
        if best is not None and best_ov >= 0.5:
            ps = p[best]
            if _same(ps.speaker, gs["speaker"]):
                speaker_ok += 1
                role_ok += ps.role == gs["role"]
                if best not in used:
                    used.add(best)
                    tp += 1
                    continue
            errors.append(("speaker", gs["speaker"], ps.speaker, gold["text"][gs["start"] : gs["start"] + 70]))
        else:
            errors.append(("missed", gs["speaker"], None, gold["text"][gs["start"] : gs["start"] + 70]))
    for j, ps in enumerate(p):
        if j not in used and not any(_overlap((gs["start"], gs["end"]), (ps.start, ps.end)) >= 0.5 for gs in g):
            errors.append(("spurious", None, ps.speaker, gold["text"][ps.start : ps.start + 70]))
    att_total = att_ok = 0
    for f in FIELDS:
        if f in gold["meta"]:
            att_total += 1
            ok = getattr(pred.header, f) == gold["meta"][f]
            att_ok += ok
            if not ok:
                errors.append(("header", f, getattr(pred.header, f), gold["meta"][f]))
    return {
        "gold": len(g),
        "pred": len(p),
        "tp": tp,
        "speaker_ok": speaker_ok,
        "role_ok": role_ok,
        "att_total": att_total,
        "att_ok": att_ok,
        "errors": errors,
    }


def load(args) -> list[dict]:
    if args.src:
        from minutes_nlp.corpus.markup import build

        return build(Path(args.src))
    with open(args.corpus, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default="corpora/minutes/minutes.jsonl")
    ap.add_argument("--src", help="score the authored files under this folder instead of the built corpus")
    ap.add_argument("--split", default="test")
    ap.add_argument("--errors", type=int, default=0, help="print this many errors")
    args = ap.parse_args()
    records = load(args)
    if args.split != "all" and not args.src:
        records = [r for r in records if r["meta"].get("split") == args.split]
    totals = {"gold": 0, "pred": 0, "tp": 0, "speaker_ok": 0, "role_ok": 0, "att_total": 0, "att_ok": 0}
    errors = []
    for r in records:
        try:
            pred = segment(r["text"], r["id"])
        except MinutesError as exc:
            print(f"{r['id']}: {exc}", file=sys.stderr)
            totals["gold"] += sum(s["kind"] == "discussion" for s in r["segments"])
            continue
        res = score_meeting(r, pred)
        for k in totals:
            totals[k] += res[k]
        errors += [(r["id"], *e) for e in res["errors"]]
    prec = totals["tp"] / max(totals["pred"], 1)
    rec = totals["tp"] / max(totals["gold"], 1)
    f1 = 2 * prec * rec / max(prec + rec, 1e-9)
    # Throughput: read each meeting from a .txt file and segment it.
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for r in records:
            path = Path(tmp) / f"{r['id']}.txt"
            path.write_text(r["text"], encoding="utf-8")
            paths.append(path)
        size = sum(p.stat().st_size for p in paths)
        t0 = time.perf_counter()
        for path in paths:
            try:
                segment(read(path).text, str(path))
            except MinutesError:
                pass
        elapsed = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {
        "split": args.split,
        "meetings": len(records),
        "gold_contributions": totals["gold"],
        "predicted_contributions": totals["pred"],
        "contribution_precision": round(prec, 4),
        "contribution_recall": round(rec, 4),
        "contribution_f1": round(f1, 4),
        "speaker_accuracy": round(totals["speaker_ok"] / max(totals["gold"], 1), 4),
        "role_accuracy": round(totals["role_ok"] / max(totals["gold"], 1), 4),
        "attendance_field_accuracy": round(totals["att_ok"] / max(totals["att_total"], 1), 4),
        "meetings_per_s": round(len(records) / elapsed, 1),
        "mb_per_s": round(size / 1e6 / elapsed, 3),
        "peak_rss_mb": round(peak_mb, 1),
    }
    print(json.dumps(result, indent=2, ensure_ascii=False))
    for e in errors[: args.errors]:
        print(*e, sep=" | ")


if __name__ == "__main__":
    main()
