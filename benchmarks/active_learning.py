"""Would an annotation queue beat random picks? Margin sampling with diversity across meetings vs random sentences.

Usage:
  python benchmarks/active_learning.py [--seeds 3] [--budgets 50 100 200]

For each seed, half of the train split's meetings (chosen by the seed) train the shipped linear
classifier (models/default's parameters); the other half is the pool. From that model, BUDGET pool
sentences are chosen (1) in the order the service's annotation queue serves them
(minutes_nlp.classifiers.selection: smallest margin between the two most probable labels, from the
meeting with the fewest sentences labelled so far), or (2) at random; their corpus
labels are added, the model is retrained and scored on the test split (macro-F1). Results in
benchmarks/results/active_learning.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from minutes_nlp.classifiers import get_classifier, sentence_items  # noqa: E402
from minutes_nlp.classifiers.evaluate import metrics  # noqa: E402
from minutes_nlp.classifiers.model_store import MODELS_DIR, read_card  # noqa: E402
from minutes_nlp.classifiers.selection import margins, queue_order  # noqa: E402
from minutes_nlp.corpus.dataset import load  # noqa: E402


def fit_score(params: dict, x: list, y: list, test_x: list, test_y: list):
    model = get_classifier("linear", **params)
    model.fit(x, y)
    return model, round(metrics(test_y, list(model.predict(test_x)))["macro_f1"], 4)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default="corpora/minutes/minutes.jsonl")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--budgets", type=int, nargs="+", default=[50, 100, 200])
    args = ap.parse_args()
    records = load(args.corpus)
    params = read_card(MODELS_DIR / "default")["params"]
    x, y, groups = sentence_items(records, "train")
    test_x, test_y, _ = sentence_items(records, "test")
    meetings = sorted(set(groups))
    runs = []
    started = time.perf_counter()
    for seed in range(args.seeds):
        rng = np.random.default_rng(seed)
        half = set(rng.permutation(meetings)[: len(meetings) // 2])
        base = [i for i, g in enumerate(groups) if g in half]
        pool = [i for i, g in enumerate(groups) if g not in half]
        params = {**params, "seed": seed}
        model, base_f1 = fit_score(params, [x[i] for i in base], [y[i] for i in base], test_x, test_y)
        proba = model.predict_proba([x[i] for i in pool])
        run = {"seed": seed, "base_sentences": len(base), "pool_sentences": len(pool), "base_macro_f1": base_f1}
        for budget in args.budgets:
            picks = {
                "queue": [pool[k] for k in queue_order(margins(proba), [groups[i] for i in pool], budget)],
                "random": [int(i) for i in rng.choice(pool, budget, replace=False)],
            }
            for name, chosen in picks.items():
                idx = base + chosen
                _, f1 = fit_score(params, [x[i] for i in idx], [y[i] for i in idx], test_x, test_y)
                run.setdefault(name, {})[str(budget)] = {
                    "macro_f1": f1,
                    "meetings": len({groups[i] for i in chosen}),
                }
        runs.append(run)
        print(json.dumps(run), file=sys.stderr)
    curves = {
        name: {str(b): round(float(np.mean([r[name][str(b)]["macro_f1"] for r in runs])), 4) for b in args.budgets}
        for name in ("queue", "random")
    }
    result = {
        "test_sentences": len(test_y),
        "seeds": args.seeds,
        "base_macro_f1_mean": round(float(np.mean([r["base_macro_f1"] for r in runs])), 4),
        "mean_macro_f1": curves,
        "seconds": round(time.perf_counter() - started, 1),
        "runs": runs,
    }
    out = Path(__file__).parent / "results" / "active_learning.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "runs"}, indent=2))


if __name__ == "__main__":
    main()
