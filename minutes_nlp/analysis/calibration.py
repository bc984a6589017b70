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


def fit_curve(index: np.ndarray, ratings: np.ndarray, prior_curve: list | None = None, strength: float = 0.0) -> list:
    """Knots [[index, score], ...] from (0, 0) to (1, 100) mapping each index's percentile to the ratings' quantile.

    A value shared by several meetings takes the percentile of their middle (mid-rank), so a crowd of
    ties (meetings without proposals) lands at its own place in the ratings, not at one edge. Knots
    are the distinct index values nearest CURVE_PROBABILITIES. With a prior curve, each knot's score
    is the mean of the fitted one (weight n) and the prior's at the same index (weight strength), so a
    handful of ratings bends the shipped curve only a little.
    """
    index, ratings = np.asarray(index, dtype=float), np.asarray(ratings, dtype=float)
    n = len(index)
    values = np.unique(index)
    mid = np.array([(np.sum(index < v) + np.sum(index == v) / 2) / n for v in values]) if n else np.array([])
    chosen = sorted({int(np.argmin(np.abs(mid - p))) for p in CURVE_PROBABILITIES}) if n else []
    knots = [(0.0, 0.0)]
    for i in chosen:
        x, y = float(values[i]), float(np.quantile(ratings, mid[i]))
        if prior_curve and strength:
            y = (n * y + strength * 100 * map_curve(x, prior_curve)) / (n + strength)
        if 0.0 < x < 1.0 and x > knots[-1][0] + 1e-3:
            knots.append((x, max(y, knots[-1][1])))
    knots.append((1.0, 100.0))
    return [[round(x, 4), round(min(y, 100.0), 2)] for x, y in knots]


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


def _fit(x, y, prior, strength):
    weights, penalty = fit_weights(x, y / 100, prior, strength)
    cfg = {"weights": weights, "agreement_penalty": penalty}
    idx = np.array([index_of(dict(zip(COMPONENTS, row[:-1])), row[-1], cfg) for row in x])
    curve = fit_curve(idx, y, prior.get("curve"), strength)
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
    rounded = {c: round(w, 3) for c, w in weights.items()}
    top = max(rounded, key=rounded.get)  # rounding must not cost the top of the scale: the sum stays exactly 1
    rounded[top] = round(1 - sum(w for c, w in rounded.items() if c != top), 3)
    return {
        "weights": rounded,
        "agreement_penalty": round(penalty, 3),
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
