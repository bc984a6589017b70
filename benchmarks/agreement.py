"""Inter-annotator agreement on corpora/agreement/: Cohen's kappa overall and per label.

Usage: python benchmarks/agreement.py [--corpus-src corpora/src]

The first annotator's labels are read from the authored corpus (by meeting id,
segment and sentence index recorded in sample.jsonl); the second annotator's
from relabel.jsonl, made from the text alone. Per-label kappa treats the label
as a yes/no decision. Disagreements are listed in adjudication.jsonl.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sklearn.metrics import cohen_kappa_score, confusion_matrix  # noqa: E402

from minutes_nlp.classifiers.inputs import LABELS  # noqa: E402
from minutes_nlp.corpus.markup import build  # noqa: E402

HERE = Path(__file__).resolve().parents[1] / "corpora" / "agreement"


def first_labels(sample: list[dict], src: Path) -> list[str]:
    records = {r["id"]: r for r in build(src)}
    return [records[s["meeting_id"]]["segments"][s["segment"]]["sentences"][s["sentence"]]["label"] for s in sample]


def apply_adjudication(src: Path) -> int:
    """Rewrite the first annotator's label in the authored files where adjudication chose another; return count."""
    import re

    from minutes_nlp.reading.text import normalize

    changed = 0
    for line in open(HERE / "adjudication.jsonl", encoding="utf-8"):
        adj = json.loads(line)
        if adj["adjudicated"] == adj["first"]:
            continue
        files = [p for p in src.rglob("*.txt") if f"id: {adj['meeting_id']}\n" in p.read_text(encoding="utf-8")]
        raw = files[0].read_text(encoding="utf-8")
        marks = list(re.finditer(r"\{(" + "|".join(LABELS) + r")\}", raw))
        hits = []
        for i, m in enumerate(marks):
            end = marks[i + 1].start() if i + 1 < len(marks) else len(raw)
            following = normalize(re.sub(r"\[\[[^\]]*\]\]", "", raw[m.end() : end])).strip()
            if following.startswith(adj["sentence_text"][:60]):
                hits.append(m)
        if len(hits) != 1:
            print(f"{adj['meeting_id']} item {adj['item']}: {len(hits)} matches, not changed", file=sys.stderr)
            continue
        m = hits[0]
        if m.group(1) == adj["adjudicated"]:
            continue
        raw = raw[: m.start()] + "{" + adj["adjudicated"] + "}" + raw[m.end() :]
        files[0].write_text(raw, encoding="utf-8")
        changed += 1
    return changed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus-src", default=str(Path(__file__).resolve().parents[1] / "corpora" / "src"))
    ap.add_argument("--apply", action="store_true", help="write adjudicated labels back into the authored files")
    ap.add_argument("--first", help="JSONL of {item, label} for the first annotator instead of the corpus")
    args = ap.parse_args()
    if args.apply:
        print(f"{apply_adjudication(Path(args.corpus_src))} labels changed")
        return
    sample = [json.loads(line) for line in open(HERE / "sample.jsonl", encoding="utf-8")]
    second = {r["item"]: r for r in (json.loads(line) for line in open(HERE / "relabel.jsonl", encoding="utf-8"))}
    if args.first:
        first_map = {r["item"]: r["label"] for r in (json.loads(line) for line in open(args.first, encoding="utf-8"))}
        a = [first_map[s["item"]] for s in sample]
    else:
        a = first_labels(sample, Path(args.corpus_src))
    b = [second[s["item"]]["label"] for s in sample]
    result = {
        "items": len(a),
        "observed_agreement": round(sum(x == y for x, y in zip(a, b)) / len(a), 4),
        "kappa": round(cohen_kappa_score(a, b), 4),
        "per_label": {
            lab: {
                "kappa": round(cohen_kappa_score([x == lab for x in a], [y == lab for y in b]), 4),
                "first": a.count(lab),
                "second": b.count(lab),
            }
            for lab in LABELS
        },
    }
    result["confusion"] = {
        "labels": list(LABELS),
        "rows_first_cols_second": confusion_matrix(a, b, labels=list(LABELS)).tolist(),
    }
    result["disagreement_pairs"] = Counter(f"{x}->{y}" for x, y in zip(a, b) if x != y).most_common()
    print(json.dumps(result, ensure_ascii=False, indent=2))
    with open(HERE / "disagreements.jsonl", "w", encoding="utf-8") as out:
        for s, x, y in zip(sample, a, b):
            if x != y:
                out.write(
                    json.dumps(
                        {
                            "item": s["item"],
                            "meeting_id": s["meeting_id"],
                            "segment": s["segment"],
                            "sentence": s["sentence"],
                            "contribution": s["contribution"],
                            "sentence_text": s["sentence_text"],
                            "first": x,
                            "second": y,
                            "second_note": second[s["item"]].get("note", ""),
                        },
                        ensure_ascii=False,
                    )
                    + "\n"
                )


if __name__ == "__main__":
    main()
