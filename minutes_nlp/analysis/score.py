"""The substantive-discussion score (0-100) and its level, with the evidence behind each component.

participation = min(participation_rate / participation_full, 1)
                (or member_speakers / speakers_full when attendance is not written)
engagement    = min(share of contributions that report, raise a problem or propose / engagement_full, 1)
proposals     = min(share of contributions with primary label proposal / proposals_full, 1)
specific      = min(specific proposals / specific_full, 1)
problems      = min(share of contributions with primary label complaint / problems_full, 1)
uptake        = proposals taken up by the conclusion / proposals (0 without proposals)
index         = Σ weight · component − agreement_penalty · (share of contributions that only agree
                or say nothing else), clipped to 0..1; the weights sum to 1, so every component at its
                maximum gives 1
substantive   = 100 · curve(index): the piecewise-linear monotone curve through the knots ``curve``
                (from (0, 0) to (1, 100)), fitted to ratings by analysis/calibration.py; no curve is
                the identity
level         = tot ≥ 75 > kha ≥ 40 > trung_binh ≥ 20 > kem   (codebook §6 anchors)
"""

from __future__ import annotations

import numpy as np

COMPONENTS = ("participation", "engagement", "proposals", "specific", "problems", "uptake")


def level_of(score: float, levels: dict) -> str:
    """The level name for a score, by the thresholds in levels (tot, kha, trung_binh)."""
    for name in ("tot", "kha", "trung_binh"):
        if score >= levels[name]:
            return name
    return "kem"


def components(metrics: dict, cfg: dict) -> dict[str, float]:
    """The score components (each 0..1) of a meeting's metrics, by the module formula."""
    shares = metrics["label_shares"]
    if metrics["participation_rate"] is not None:
        participation = min(metrics["participation_rate"] / cfg["participation_full"], 1.0)
    else:
        participation = min(metrics["member_speakers"] / cfg["speakers_full"], 1.0)
    uptake = metrics["conclusion_uptake"]
    return {
        "participation": participation,
        "engagement": min((shares["proposal"] + shares["complaint"] + shares["report"]) / cfg["engagement_full"], 1.0),
        "proposals": min(shares["proposal"] / cfg["proposals_full"], 1.0),
        "specific": min(metrics["specific_proposal_count"] / cfg["specific_full"], 1.0),
        "problems": min(shares["complaint"] / cfg["problems_full"], 1.0),
        "uptake": (uptake["taken_up"] / uptake["proposals"]) if uptake["proposals"] else 0.0,
    }


def index_of(comps: dict[str, float], agreement_only_share: float, cfg: dict) -> float:
    """The weighted sum of the components less the agreement penalty, clipped to 0..1."""
    total = sum(cfg["weights"].get(k, 0.0) * v for k, v in comps.items())
    total -= cfg.get("agreement_penalty", 0.0) * agreement_only_share
    return max(0.0, min(1.0, total))


def map_curve(index: float, curve: list | None) -> float:
    """The curve's value (0..1) at index: linear between its knots [[index, score 0-100], ...]."""
    if not curve:
        return index
    xs, ys = zip(*curve)
    return float(np.interp(index, xs, ys)) / 100


def substantive(comps: dict[str, float], agreement_only_share: float, cfg: dict) -> float:
    """Combine components into the 0..100 score (module formula)."""
    value = 100 * map_curve(index_of(comps, agreement_only_share, cfg), cfg.get("curve"))
    return round(max(0.0, min(100.0, value)), 1)


def score(metrics: dict, evidence: dict[str, list[dict]], cfg: dict) -> dict:
    """Return {"substantive", "level", "components": {name: {value, weight, points, evidence}}}."""
    comps = components(metrics, cfg)
    agreement_only = metrics["label_shares"]["agreement"] + metrics["label_shares"]["other"]
    value = substantive(comps, agreement_only, cfg) if metrics["contributions"] else 0.0
    raw = sum(cfg["weights"][k] * v for k, v in comps.items()) - cfg["agreement_penalty"] * agreement_only
    scale = value / (100 * raw) if raw > 0 else 0.0  # points share the score in proportion to weight · value
    detail = {
        name: {
            "value": round(v, 4),
            "weight": cfg["weights"][name],
            "points": round(100 * cfg["weights"][name] * v * scale, 1),
            "evidence": evidence.get(name, []),
        }
        for name, v in comps.items()
    }
    detail["agreement_only"] = {
        "value": round(agreement_only, 4),
        "weight": -cfg["agreement_penalty"],
        "points": round(-100 * cfg["agreement_penalty"] * agreement_only * scale, 1),
        "evidence": evidence.get("agreement_only", []),
    }
    out = {"substantive": value, "level": level_of(value, cfg["levels"]), "components": detail}
    if cfg.get("calibration"):
        out["calibration"] = cfg["calibration"]
    return out
