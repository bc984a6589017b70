"""Does `minutes-nlp calibrate` help on ratings it has not seen? Fit on one half of the corpus ratings, score the other.

Usage:
  python benchmarks/calibration.py [--corpus corpora/minutes/minutes.jsonl] [--seeds 5]

Every rated meeting is analysed once with the shipped model; for each seed the meetings are cut in two
random halves, `calibrate` (minutes_nlp/analysis/calibration.py, the CLI's code) is fitted on one half
starting from the weights before issue 12 (engagement 0.28, proposals 0.45, no curve), and the other
half is scored before and after: Spearman with the ratings, exact level agreement, the shares of tot and kem,
the share of kem-rated meetings scored kem, and how many of the four levels are produced.
Results in benchmarks/results/calibration.json.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from minutes_nlp.analysis.analyzer import Analyzer  # noqa: E402
from minutes_nlp.analysis.calibration import calibrate, component_row, scores, spearman  # noqa: E402
from minutes_nlp.analysis.score import level_of  # noqa: E402

MEASURES = ("spearman", "level_agreement", "tot_share", "kem_share", "kem_found", "levels_reached")
BEFORE = {"participation": 0.0, "engagement": 0.28, "proposals": 0.45, "specific": 0.0, "problems": 0.0, "uptake": 0.0}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default="corpora/minutes/minutes.jsonl")
    ap.add_argument("--seeds", type=int, default=5)
    args = ap.parse_args()
    records = [json.loads(line) for line in open(args.corpus, encoding="utf-8") if line.strip()]
    records = [r for r in records if r.get("rating")]
    analyzer = Analyzer()
    cfg = analyzer.config["score"]
    prior = {**cfg, "weights": BEFORE, "agreement_penalty": 0.0, "curve": None}
    x = np.array([component_row(analyzer(r["text"], r["id"]).metrics, cfg) for r in records])
    y = np.array([r["rating"]["substantive"] for r in records], dtype=float)
    rated = [r["rating"]["level"] for r in records]
    runs = []
    for seed in range(args.seeds):
        order = np.random.default_rng(seed).permutation(len(y))
        fit_half, held = order[: len(y) // 2], order[len(y) // 2 :]
        fit = calibrate(x[fit_half], y[fit_half], prior)
        n_kem = sum(rated[i] == "kem" for i in held)
        run = {"seed": seed, "fit_meetings": len(fit_half), "held_out_meetings": len(held)}
        for name, (w, p, c) in {
            "before": (BEFORE, 0.0, None),
            "after": (fit["weights"], fit["agreement_penalty"], fit["curve"]),
        }.items():
            s = scores(x[held], w, p, c)
            levels = [level_of(v, cfg["levels"]) for v in s]
            run[name] = {
                "spearman": round(spearman(s, y[held]), 3),
                "level_agreement": round(float(np.mean([a == rated[i] for a, i in zip(levels, held)])), 3),
                "tot_share": round(levels.count("tot") / len(levels), 3),
                "kem_share": round(levels.count("kem") / len(levels), 3),
                "kem_found": round(sum(a == rated[i] == "kem" for a, i in zip(levels, held)) / max(n_kem, 1), 3),
                "levels_reached": len(set(levels)),
            }
        run["rated_tot_share"] = round(float(np.mean([rated[i] == "tot" for i in held])), 3)
        run["rated_kem_share"] = round(n_kem / len(held), 3)
        run["cv_on_fit_half"] = fit["report"]
        runs.append(run)
    summary = {k: {m: round(float(np.mean([r[k][m] for r in runs])), 3) for m in MEASURES} for k in ("before", "after")}
    for k in ("rated_tot_share", "rated_kem_share"):
        summary[k] = round(float(np.mean([r[k] for r in runs])), 3)
    result = {"meetings": len(y), "seeds": args.seeds, "mean_over_seeds": summary, "runs": runs}
    out = Path(__file__).parent / "results" / "calibration.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({"meetings": len(y), "mean_over_seeds": summary}, indent=2))


if __name__ == "__main__":
    main()
