"""Fit the score to people's ratings: weights of the components, and a monotone curve onto 0-100.

The score is ``100 · curve(index)`` where ``index = Σ weight · component − agreement_penalty ·
agreement-only share`` (clipped to 0..1). Weights are non-negative least squares of rating/100 on the
components, shrunk towards a prior (the shipped weights) so a small sample cannot move them far, then
divided by their sum so that every component at its maximum gives index 1. The curve maps index
quantiles onto rating quantiles (equipercentile), anchored at (0, 0) and (1, 100): it is monotone, so
it keeps the ranking the weights give, and it makes the share of each level follow the ratings'.

    >>> fit = calibrate(rows, ratings, prior=load_config()["score"])
    >>> fit["weights"], fit["curve"], fit["report"]["after"]["spearman"]
"""

from __future__ import annotations

import json

import numpy as np
from scipy.optimize import nnls
from scipy.stats import spearmanr

from minutes_nlp.analysis.score import COMPONENTS, components, index_of, map_curve

CURVE_PROBABILITIES = (0.1, 0.25, 0.5, 0.75, 0.9, 0.97)
STRENGTHS = (0.5, 2.0, 8.0, 32.0)  # prior strength, in meetings' worth, tried by cross-validation


def component_row(metrics: dict, cfg: dict) -> list[float]:
    """The six components of a meeting and its agreement-only share (the regression's columns)."""
    comps = components(metrics, cfg)
    shares = metrics["label_shares"]
    return [comps[c] for c in COMPONENTS] + [shares["agreement"] + shares["other"]]


def fit_weights(x: np.ndarray, y: np.ndarray, prior: dict, strength: float) -> tuple[dict, float]:
    """Weights (summing to 1) and agreement penalty: NNLS of y (0..1) on x, shrunk towards prior.

    The prior enters as ``strength`` pseudo-meetings per coefficient (ridge towards the prior's
    weights, rescaled to the same sum as a free fit), so with few ratings the prior dominates.
    """
    cols = np.hstack([x[:, :-1], -x[:, -1:]])
    w0 = np.array([prior["weights"].get(c, 0.0) for c in COMPONENTS] + [prior.get("agreement_penalty", 0.0)])
    free, _ = nnls(cols, y) if len(y) else (np.zeros(len(w0)), 0.0)
    scale = free[:-1].sum() / w0[:-1].sum() if w0[:-1].sum() and free[:-1].sum() else 1.0
    k = np.sqrt(strength)
    a = np.vstack([cols, k * np.eye(len(w0))])
    b = np.concatenate([y, k * w0 * scale])
    coef, _ = nnls(a, b)
    total = coef[:-1].sum()
    if total <= 0:  # nothing to learn: keep the prior
        coef, total = w0, w0[:-1].sum() or 1.0
    return {c: float(w / total) for c, w in zip(COMPONENTS, coef[:-1])}, float(coef[-1] / total)


LEVEL_ANCHORS = {"tot": 75, "kha": 40, "trung_binh": 20}  # codebook §6, as in analysis.toml [score] levels
ORDER = ("kem", "trung_binh", "kha", "tot")
# what a cut point pays per meeting between the count it puts below and the count rated below; chosen among
# 0.25, 0.5, 0.75 and 1 as the one whose scored shares of kem and tot on train+dev come nearest the rated ones
COUNT_WEIGHT = 0.75


def fit_cuts(index, ratings, levels: dict | None = None) -> list[float]:
    """The index cut points between kem|trung_binh, trung_binh|kha and kha|tot: an ordinal fit of the levels.

    Each cut is the one that costs least, where the cost is the meetings it puts on the wrong side
    (rated below the boundary and scored above it, or the reverse) plus COUNT_WEIGHT × the difference
    between how many it puts below and how many are rated below. The first term reproduces the rated levels; the second
    keeps a rare level (kem: one meeting in twenty) from being never produced because calling no meeting
    kem misclassifies fewest, and keeps each level's share near the ratings'. Equally cheap cuts: the
    middle one. Cuts lie halfway between distinct index values, and rise.
    """
    levels = levels or LEVEL_ANCHORS
    index, ratings = np.asarray(index, dtype=float), np.asarray(ratings, dtype=float)
    values = np.unique(index)
    if not len(values):
        return []
    candidates = np.concatenate([[values[0] - 1e-3], (values[:-1] + values[1:]) / 2, [values[-1] + 1e-3]])
    below = index[None, :] < candidates[:, None]  # candidate × meeting
    cuts = []
    for name in ORDER[1:]:
        rated_low = ratings < levels[name]
        wrong = (below & ~rated_low).sum(1) + (~below & rated_low).sum(1)
        cost = wrong + COUNT_WEIGHT * np.abs(below.sum(1) - rated_low.sum())
        best = candidates[cost == cost.min()]
        cut = float(best[(len(best) - 1) // 2])
        cuts.append(max(cut, cuts[-1] + 1e-4) if cuts else cut)
    return cuts


def prior_cuts(prior_curve: list | None, levels: dict | None = None) -> list[float]:
    """Where the prior curve crosses each level's lower bound (the identity without a curve)."""
    levels = levels or LEVEL_ANCHORS
    bounds = [levels[name] for name in ORDER[1:]]
    if not prior_curve:
        return [b / 100 for b in bounds]
    xs, ys = zip(*prior_curve)
    return [float(np.interp(b, ys, xs)) for b in bounds]


def fit_curve(
    index: np.ndarray,
    ratings: np.ndarray,
    prior_curve: list | None = None,
    strength: float = 0.0,
    levels: dict | None = None,
) -> list:
    """Knots [[index, score], ...] from (0, 0) to (1, 100): the level cut points, and percentiles between them.

    The cut points (fit_cuts) carry the level boundaries: (cut, 20), (cut, 40), (cut, 75), so the
    levels the score gives are those the ordinal fit chose. Between them, each index percentile maps
    to the ratings' quantile (equipercentile), held inside the level band its index falls in. A value
    shared by several meetings takes the percentile of their middle (mid-rank), so a crowd of ties
    (meetings without proposals) lands at its own place in the ratings, not at one edge. With a prior
    curve, each cut is the mean of the fitted one (weight n) and the prior's (weight strength), and each
    percentile knot's score likewise, so a handful of ratings bends the shipped curve only a little.
    """
    levels = levels or LEVEL_ANCHORS
    index, ratings = np.asarray(index, dtype=float), np.asarray(ratings, dtype=float)
    n = len(index)
    bounds = [0.0] + [float(levels[name]) for name in ORDER[1:]] + [100.0]
    cuts = fit_cuts(index, ratings, levels) if n else prior_cuts(prior_curve, levels)
    if prior_curve and strength and n:
        cuts = [(n * c + strength * p) / (n + strength) for c, p in zip(cuts, prior_cuts(prior_curve, levels))]
    cuts = [min(max(c, 1e-3 * (k + 1)), 1 - 1e-3 * (3 - k)) for k, c in enumerate(cuts)]  # inside (0, 1), rising
    edges = [0.0, *cuts, 1.0]
    knots = {0.0: 0.0, 1.0: 100.0}
    values = np.unique(index)
    for k, (cut, bound) in enumerate(zip(cuts, bounds[1:-1])):
        # a shoulder just below the cut, so that a meeting below it cannot round up to the boundary (19.97 → 20.0)
        lower = values[values < cut]
        shoulder = max(float(lower[-1]) if len(lower) else 0.0, cut - 2e-3, (edges[k] + cut) / 2)
        knots[shoulder], knots[cut] = bound - 0.1, bound
    mid = np.array([(np.sum(index < v) + np.sum(index == v) / 2) / n for v in values]) if n else np.array([])
    chosen = sorted({int(np.argmin(np.abs(mid - p))) for p in CURVE_PROBABILITIES}) if n else []
    for i in chosen:
        x, y = float(values[i]), float(np.quantile(ratings, mid[i]))
        if prior_curve and strength:
            y = (n * y + strength * 100 * map_curve(x, prior_curve)) / (n + strength)
        if not 0.0 < x < 1.0 or min(abs(x - k) for k in knots) < 1e-3:
            continue
        band = int(np.searchsorted(edges, x, side="right")) - 1  # edges[band] <= x < edges[band + 1]
        knots[x] = min(max(y, bounds[band]), bounds[band + 1] - 0.5)  # inside its level's band
    out, top = [], 0.0
    for x in sorted(knots):
        top = max(top, knots[x])
        out.append([round(x, 5), round(min(top, 100.0), 2)])
    return out


def scores(x: np.ndarray, weights: dict, penalty: float, curve: list | None) -> np.ndarray:
    """The 0..100 scores of the rows of x under weights, penalty and curve."""
    cfg = {"weights": weights, "agreement_penalty": penalty, "curve": curve}
    return np.array([100 * map_curve(index_of(dict(zip(COMPONENTS, row[:-1])), row[-1], cfg), curve) for row in x])


def spearman(a, b) -> float:
    value = spearmanr(a, b).statistic if len(a) > 2 else float("nan")
    return 0.0 if np.isnan(value) else float(value)


def bootstrap_interval(pred, ratings, n: int = 1000, seed: int = 7) -> list[float]:
    """The 95% percentile bootstrap interval of the Spearman correlation (meetings resampled)."""
    pred, ratings = np.asarray(pred), np.asarray(ratings)
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(n):
        pick = rng.integers(0, len(pred), len(pred))
        values.append(spearman(pred[pick], ratings[pick]))
    return [round(float(np.percentile(values, 2.5)), 3), round(float(np.percentile(values, 97.5)), 3)]


def _folds(n: int, k: int, seed: int) -> list[np.ndarray]:
    order = np.random.default_rng(seed).permutation(n)
    return [order[i::k] for i in range(k)]


def _rounded(weights: dict, penalty: float) -> tuple[dict, float]:
    """Weights and penalty as the settings file writes them: rounding must not cost the top of the scale."""
    rounded = {c: round(w, 3) for c, w in weights.items()}
    top = max(rounded, key=rounded.get)  # the sum stays exactly 1
    rounded[top] = round(1 - sum(w for c, w in rounded.items() if c != top), 3)
    return rounded, round(penalty, 3)


def _fit(x, y, prior, strength):
    """Weights, penalty and curve; the curve is fitted on the index of the rounded weights the file will hold
    (the level cut points may lie a ten-thousandth apart among meetings without proposals)."""
    weights, penalty = _rounded(*fit_weights(x, y / 100, prior, strength))
    cfg = {"weights": weights, "agreement_penalty": penalty}
    idx = np.array([index_of(dict(zip(COMPONENTS, row[:-1])), row[-1], cfg) for row in x])
    curve = fit_curve(idx, y, prior.get("curve"), strength, prior.get("levels"))
    return weights, penalty, curve


def out_of_fold(x, y, prior, strength, k: int, seed: int = 7) -> np.ndarray:
    """The index of each meeting under weights fitted on the other folds.

    The index, not the score: each fold's curve is monotone, so the index ranks meetings as the
    score does, and indices of different folds are on one scale (weights summing to 1) where
    scores of different folds' curves are not.
    """
    pred = np.zeros(len(y))
    for test in _folds(len(y), k, seed):
        train = np.setdiff1d(np.arange(len(y)), test)
        weights, penalty = fit_weights(x[train], y[train] / 100, prior, strength)
        cfg = {"weights": weights, "agreement_penalty": penalty}
        pred[test] = [index_of(dict(zip(COMPONENTS, row[:-1])), row[-1], cfg) for row in x[test]]
    return pred


def calibrate(rows, ratings, prior: dict, folds: int = 5, strength: float | None = None) -> dict:
    """Fit weights and curve to (component rows, 0-100 ratings); report cross-validated Spearman before and after.

    ``prior`` is the [score] table in force (its weights, penalty and curve are "before" and the
    shrinkage target); ``strength`` is chosen by cross-validation among STRENGTHS when not given.
    """
    x, y = np.asarray(rows, dtype=float), np.asarray(ratings, dtype=float)
    k = max(2, min(folds, len(y) // 4))
    before = scores(x, prior["weights"], prior.get("agreement_penalty", 0.0), prior.get("curve"))
    if strength is None:
        strength = max(STRENGTHS, key=lambda s: spearman(out_of_fold(x, y, prior, s, k), y))
    cv = out_of_fold(x, y, prior, strength, k)
    weights, penalty, curve = _fit(x, y, prior, strength)
    return {
        "weights": weights,
        "agreement_penalty": penalty,
        "curve": curve,
        "report": {
            "meetings": len(y),
            "folds": k,
            "prior_strength": strength,
            "before": {"spearman": round(spearman(before, y), 3), "interval": bootstrap_interval(before, y)},
            "after": {"spearman": round(spearman(cv, y), 3), "interval": bootstrap_interval(cv, y)},
        },
    }


def to_toml(fit: dict, name: str) -> str:
    """The [score] table of a settings file (analyze --config, the service's MINUTES_NLP_CONFIG)."""
    r = fit["report"]
    weights = ", ".join(f"{c} = {fit['weights'][c]}" for c in COMPONENTS)
    curve = ", ".join(f"[{x}, {y}]" for x, y in fit["curve"])
    return (
        f"# Written by minutes-nlp calibrate from {r['meetings']} rated meetings.\n"
        f"# Cross-validated Spearman ({r['folds']} folds): before {r['before']['spearman']} "
        f"{r['before']['interval']}, after {r['after']['spearman']} {r['after']['interval']} (95% bootstrap).\n"
        "[score]\n"
        f"calibration = {json.dumps(name, ensure_ascii=False)}\n"
        f"weights = {{ {weights} }}\n"
        f"agreement_penalty = {fit['agreement_penalty']}\n"
        f"curve = [{curve}]\n"
    )
