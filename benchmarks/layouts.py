"""Layout benchmark: the corpus test split re-rendered in every layout template, scored per layout.

Usage: python benchmarks/layouts.py [--model models/segmenter] [--held-out-model DIR | --no-held-out]

Two models are measured. The shipped one (trained on train+dev re-rendered in every template) on the
test split as written and in each template: mean and worst-layout contribution F1, speaker, role and
attendance accuracy. And, to measure generalisation rather than memory, a model trained without the
held-out templates (layouts.HELD_OUT), scored on those templates it never saw; it is trained here with
`minutes-nlp train-segmenter --held-out` unless --held-out-model names one already trained.
The test split is rendered with a seed the training never used, so names and markers differ.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from minutes_nlp.corpus.dataset import load  # noqa: E402
from minutes_nlp.segmentation.evaluate import score  # noqa: E402
from minutes_nlp.segmentation.layouts import HELD_OUT, TEMPLATES, render  # noqa: E402
from minutes_nlp.segmentation.turn_model import TurnFinder, train_from_corpus  # noqa: E402

RENDER_SEED = 101
KEYS = ("contribution_f1", "speaker_accuracy", "role_accuracy", "attendance_field_accuracy")


def per_layout(finder: TurnFinder, test: list[dict], templates) -> dict[str, dict]:
    seg = lambda text, rid: finder(text, rid, sentences=False)  # noqa: E731
    rows = {"as_written": score(test, seg)[0]}
    for t in templates:
        rows[t] = score([render(r, t, RENDER_SEED) for r in test], seg)[0]
    return rows


def summary(rows: dict[str, dict]) -> dict:
    f1 = {k: v["contribution_f1"] for k, v in rows.items()}
    worst = min(f1, key=f1.get)
    return {
        "layouts": len(rows),
        "mean_contribution_f1": round(sum(f1.values()) / len(f1), 4),
        "worst_contribution_f1": f1[worst],
        "worst_layout": worst,
        "mean_speaker_accuracy": round(sum(v["speaker_accuracy"] for v in rows.values()) / len(rows), 4),
        "mean_role_accuracy": round(sum(v["role_accuracy"] for v in rows.values()) / len(rows), 4),
        "mean_attendance_field_accuracy": round(
            sum(v["attendance_field_accuracy"] for v in rows.values()) / len(rows), 4
        ),
    }


def table(rows: dict[str, dict]) -> str:
    lines = ["| layout | contribution F1 | speaker | role | attendance |", "|---|---|---|---|---|"]
    for name, v in rows.items():
        mark = " (held out)" if name in HELD_OUT else ""
        lines.append(f"| {name}{mark} | " + " | ".join(f"{v[k]:.3f}" for k in KEYS) + " |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default="corpora/minutes/minutes.jsonl")
    ap.add_argument("--model", default="models/segmenter")
    ap.add_argument("--held-out-model", help="a model trained with --held-out (trained here when absent)")
    ap.add_argument("--no-held-out", action="store_true", help="skip the generalisation run")
    args = ap.parse_args()
    records = load(args.corpus)
    test = [r for r in records if r["meta"].get("split") == "test"]
    shipped = per_layout(TurnFinder(args.model), test, TEMPLATES)
    result = {"shipped": {"summary": summary(shipped), "layouts": shipped}}
    print("## Shipped model, every layout\n")
    print(table(shipped))
    print("\n" + json.dumps(result["shipped"]["summary"], indent=2))
    if not args.no_held_out:
        with tempfile.TemporaryDirectory() as tmp:
            model = args.held_out_model
            if not model:
                model = str(Path(tmp) / "held-out")
                train_from_corpus(args.corpus, model, held_out=True)
            gen = per_layout(TurnFinder(model), test, HELD_OUT)
        result["held_out"] = {"summary": summary({k: v for k, v in gen.items() if k in HELD_OUT}), "layouts": gen}
        print("\n## Model trained without the held-out templates, on those templates\n")
        print(table(gen))
        print("\n" + json.dumps(result["held_out"]["summary"], indent=2))
    Path("benchmarks/results").mkdir(parents=True, exist_ok=True)
    Path("benchmarks/results/layouts.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
