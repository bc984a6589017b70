"""A transparent cue-lexicon baseline: no training, every decision explained by its cues.

Each label has cue patterns; a sentence takes the highest label by the
codebook's precedence (proposal > complaint > report > agreement > other)
among the labels whose cues it contains, after the codebook's hard cases
that turn a cue word into something else (§4.8 and §4.12).
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from minutes_nlp.classifiers.cues import CUES, OVERRIDES, cues, rule_label
from minutes_nlp.classifiers.inputs import LABELS, as_items

__all__ = ["CUES", "OVERRIDES", "RuleClassifier", "cues", "rule_label"]


class RuleClassifier(ClassifierMixin, BaseEstimator):
    """Cue-lexicon classifier with the codebook's precedence; ``fit`` learns nothing.

    ``confidence`` is the probability given to the chosen label; the rest is
    spread evenly, so ``predict_proba`` is a valid (if crude) distribution.
    """

    def __init__(self, confidence: float = 0.7):
        self.confidence = confidence

    def fit(self, X, y=None):
        self.classes_ = np.array(LABELS)
        return self

    def predict_proba(self, X) -> np.ndarray:
        items = as_items(X)
        k = len(LABELS)
        proba = np.full((len(items), k), (1.0 - self.confidence) / (k - 1))
        for i, item in enumerate(items):
            proba[i, LABELS.index(rule_label(item["text"]))] = self.confidence
        return proba

    def predict(self, X) -> np.ndarray:
        return np.array([rule_label(item["text"]) for item in as_items(X)])

    def explain(self, X) -> list[list[str]]:
        """The cues behind each decision, highest precedence first."""
        return [[f"{lab}: {cue}" for lab, cue in cues(item["text"])] for item in as_items(X)]
