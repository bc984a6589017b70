"""Score the whole analysis against the annotated corpus, calibrate the score, and time a batch.

Usage:
  python benchmarks/analysis.py [--corpus corpora/minutes/minutes.jsonl] [--split test]
  python benchmarks/analysis.py --calibrate      # fit weights and curve on train+dev, print TOML and report

Reports contribution primary-label macro-F1 (predicted contributions matched
to gold ones by span overlap >= 50%), has-proposal accuracy, participation-rate
mean absolute error (meetings whose header gives members present), Spearman
correlation of the substantive score with the human rating, the level confusion (rated vs
scored, results in benchmarks/results/levels-SPLIT.json), throughput
(meetings/s, one process) and peak RSS for a 200-meeting batch, and the cost
of the whole analysis as a multiple of underthesea word segmentation alone.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from scipy.stats import spearmanr  # noqa: E402
from sklearn.metrics import f1_score  # noqa: E402
from underthesea import word_tokenize  # noqa: E402

from minutes_nlp.analysis.analyzer import Analyzer  # noqa: E402
from minutes_nlp.analysis.calibration import calibrate as fit_score  # noqa: E402
from minutes_nlp.analysis.calibration import component_row, to_toml  # noqa: E402
from minutes_nlp.analysis.measures import MEMBER_ROLES, member_speakers  # noqa: E402
from minutes_nlp.classifiers.inputs import primary_label  # noqa: E402
from minutes_nlp.errors import NoSpeakers  # noqa: E402
from minutes_nlp.segmentation.evaluate import overlap  # noqa: E402

LEVELS = ("tot", "kha", "trung_binh", "kem")
# the shipped weights before issue 12: the calibration's starting point (benchmarks/calibration.py uses them too)
BEFORE = {"participation": 0.0, "engagement": 0.28, "proposals": 0.45, "specific": 0.0, "problems": 0.0, "uptake": 0.0}


def gold_view(rec: dict) -> dict:
    contribs = [s for s in rec["segments"] if s["kind"] == "discussion"]
    prim = [primary_label([x["label"] for x in s["sentences"]]) for s in contribs]
    present = rec["meta"].get("members_present")
    speakers = member_speakers([s for s in contribs if s["role"] in MEMBER_ROLES])
    return {
        "contribs": contribs,
        "primary": prim,
        "has_proposal": "proposal" in prim,
        "participation": (min(len(speakers) / present, 1.0) if present else None),
    }


def evaluate(records: list[dict], analyzer: Analyzer) -> dict:
    gold_prim, pred_prim, hp_ok, part_err, scores, ratings, levels = [], [], 0, [], [], [], []
    matched = total = refused = 0
    for rec in records:
        g = gold_view(rec)
        try:
            m = analyzer(rec["text"], rec["id"])
        except NoSpeakers:  # a refused meeting counts as found nothing: no proposal, nobody spoke, score 0
            refused += 1
            total += len(g["contribs"])
            hp_ok += not g["has_proposal"]
            if g["participation"] is not None:
                part_err.append(g["participation"])
            if rec.get("rating"):
                scores.append(0.0)
                ratings.append(rec["rating"]["substantive"])
                levels.append((rec["rating"]["level"], "kem"))
            continue
        preds = m.contributions
        for gs, gp in zip(g["contribs"], g["primary"]):
            total += 1
            best = max(preds, key=lambda p: overlap((gs["start"], gs["end"]), (p.start, p.end)), default=None)
            if best is not None and overlap((gs["start"], gs["end"]), (best.start, best.end)) >= 0.5:
                matched += 1
                gold_prim.append(gp)
                pred_prim.append(best.primary_label)
        hp_ok += g["has_proposal"] == m.metrics["has_proposal"]
        if g["participation"] is not None:
            pred = m.metrics["participation_rate"]
            part_err.append(abs((pred if pred is not None else 0.0) - g["participation"]))
        if rec.get("rating"):
            scores.append(m.score["substantive"])
            ratings.append(rec["rating"]["substantive"])
            levels.append((rec["rating"]["level"], m.score["level"]))
    return {
        "meetings": len(records),
        "refused_no_speakers": refused,
        "contributions_matched": round(matched / max(total, 1), 4),
        "primary_label_macro_f1": round(f1_score(gold_prim, pred_prim, average="macro"), 4),
        "has_proposal_accuracy": round(hp_ok / max(len(records), 1), 4),
        "participation_mae": round(float(np.mean(part_err)), 4) if part_err else None,
        "participation_meetings": len(part_err),
        "score_spearman": round(float(spearmanr(scores, ratings).statistic), 4) if len(scores) > 2 else None,
        "level_confusion": level_confusion(levels),
    }


def level_confusion(pairs: list[tuple[str, str]]) -> dict:
    """Rated level -> scored level -> meetings, with each level's share among rated and scored meetings."""
    table = {r: {s: sum(p == (r, s) for p in pairs) for s in LEVELS} for r in LEVELS}
    n = max(len(pairs), 1)
    return {
        "rated_vs_scored": table,
        "rated_share": {lv: round(sum(r == lv for r, _ in pairs) / n, 3) for lv in LEVELS},
        "scored_share": {lv: round(sum(s == lv for _, s in pairs) / n, 3) for lv in LEVELS},
        "exact_agreement": round(sum(r == s for r, s in pairs) / n, 3),
    }


def calibrate(records: list[dict], analyzer: Analyzer, prior_strength: float | None) -> dict:
    """Weights and curve fitted to the ratings (minutes_nlp/analysis/calibration.py) from the pipeline's output.

    The prior is the weights before issue 12 with no curve (a weak prior: strength in meetings' worth), so
    that refitting does not start from its own last result.
    """
    rows, target = [], []
    cfg = analyzer.config["score"]
    for rec in records:
        if not rec.get("rating"):
            continue
        m = analyzer(rec["text"], rec["id"])
        rows.append(component_row(m.metrics, cfg))
        target.append(rec["rating"]["substantive"])
    prior = {**cfg, "weights": BEFORE, "agreement_penalty": 0.0, "curve": None}
    return fit_score(rows, target, prior, strength=prior_strength)


def timing(records: list[dict], analyzer: Analyzer, batch: int = 200) -> dict:
    texts = [records[i % len(records)]["text"] for i in range(batch)]
    t0 = time.perf_counter()
    for i, t in enumerate(texts):
        analyzer(t, f"m{i}")
    total = time.perf_counter() - t0
    t0 = time.perf_counter()
    for t in texts:
        for line in t.split("\n"):
            if line.strip():
                word_tokenize(line)
    seg = time.perf_counter() - t0
    return {
        "batch": batch,
        "meetings_per_s": round(batch / total, 2),
        "seconds": round(total, 1),
        "word_segmentation_seconds": round(seg, 1),
        "cost_vs_word_segmentation": round(total / seg, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default="corpora/minutes/minutes.jsonl")
    ap.add_argument("--split", default="test")
    ap.add_argument("--model", default="default")
    ap.add_argument("--config", help="TOML file overriding score weights (as minutes-nlp analyze --config)")
    ap.add_argument("--calibrate", action="store_true", help="fit weights and curve on train+dev and print the TOML")
    ap.add_argument("--prior-strength", type=float, default=None, help="shrinkage (meetings); default: by CV")
    ap.add_argument("--no-timing", action="store_true")
    args = ap.parse_args()
    with open(args.corpus, encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    analyzer = Analyzer(args.model, config=args.config)
    if args.calibrate:
        chosen = [r for r in records if r["meta"].get("split") in ("train", "dev")]
        fit = calibrate(chosen, analyzer, args.prior_strength)
        print(json.dumps(fit["report"], indent=2), file=sys.stderr)
        print(to_toml(fit, f"corpus train+dev ({fit['report']['meetings']} meetings)"))
        return
    chosen = [r for r in records if args.split == "all" or r["meta"].get("split") == args.split]
    result = evaluate(chosen, analyzer)
    out = Path(__file__).parent / "results" / f"levels-{args.split}.json"
    out.write_text(json.dumps({"split": args.split, **result["level_confusion"]}, indent=2) + "\n", encoding="utf-8")
    if not args.no_timing:
        result.update(timing(chosen, analyzer))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
