"""Does training on minutes by other hands help the turn finder on a hand it has not seen? Leave one set out.

For each challenge set k: a turn finder trained on the corpus alone, and one trained on the corpus plus every
other challenge set (`train-segmenter --extra`), both scored on set k, which neither saw. Each set was written
by writers who saw none of the others, so set k stands for the next user's minutes. Both are also scored on
the corpus test split.

Usage: python benchmarks/other_hands.py [--sets 8 7 6] [--work DIR]

About three minutes of training per set on one core (and as long again for the corpus-only model once).
Results: benchmarks/results/other-hands.json.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from minutes_nlp.corpus.dataset import load  # noqa: E402
from minutes_nlp.segmentation.evaluate import score  # noqa: E402
from minutes_nlp.segmentation.turn_model import TurnFinder, train_from_corpus  # noqa: E402

CORPUS = ROOT / "corpora" / "minutes" / "minutes.jsonl"
KEYS = ("contribution_f1", "speaker_accuracy", "role_accuracy", "attendance_field_accuracy")


def challenge_sets() -> dict[int, Path]:
    """Set number -> file: challenge.jsonl is set 1, challengeN.jsonl set N."""
    out = {}
    for path in sorted((ROOT / "corpora" / "challenge").glob("challenge*.jsonl")):
        tail = path.stem.removeprefix("challenge")
        out[int(tail or 1)] = path
    return out


def measure(model: Path, records: list[dict]) -> dict:
    finder = TurnFinder(model)
    result, _errors = score(records, lambda text, rid: finder(text, rid, sentences=False))
    return {k: result[k] for k in KEYS}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sets", type=int, nargs="*", help="the sets to leave out in turn (default: all)")
    ap.add_argument("--work", default="/tmp/other-hands", help="where the trained models go")
    args = ap.parse_args()
    sets = challenge_sets()
    work = Path(args.work)
    test = [r for r in load(CORPUS) if r["meta"].get("split") == "test"]
    alone = work / "corpus-only"
    if not (alone / "card.json").exists():
        train_from_corpus(CORPUS, alone)
    rows = {"corpus_only_test_split": measure(alone, test)}
    for k in args.sets or sorted(sets):
        model = work / f"without-{k}"
        if not (model / "card.json").exists():
            train_from_corpus(CORPUS, model, extra=[p for j, p in sets.items() if j != k])
        held = load(sets[k])
        rows[f"set{k}"] = {
            "meetings": len(held),
            "corpus_only": measure(alone, held),
            "with_other_sets": measure(model, held),
            "with_other_sets_test_split": measure(model, test),
        }
        print(f"set {k}", json.dumps(rows[f"set{k}"]), flush=True)
    done = [v for k, v in rows.items() if k.startswith("set")]
    rows["mean"] = {
        side: {key: round(sum(v[side][key] for v in done) / len(done), 4) for key in KEYS}
        for side in ("corpus_only", "with_other_sets", "with_other_sets_test_split")
    }
    print(json.dumps(rows["mean"], indent=2))
    out = ROOT / "benchmarks" / "results" / "other-hands.json"
    out.write_text(json.dumps(rows, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
