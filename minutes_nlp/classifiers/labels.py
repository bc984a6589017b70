"""Label sentences with a trained model: the library side of ``minutes-nlp classify``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from minutes_nlp.classifiers import model_store


@lru_cache(maxsize=4)
def _cached(path: str):
    return model_store.load(path)


def load_model(name_or_dir: str | Path = "default"):
    """Return the classifier saved under a model name (models/NAME) or directory; loaded once per process."""
    return _cached(str(model_store.resolve(name_or_dir).resolve()))


def classify(sentences, model="default", explain: bool = False) -> list[dict]:
    """Return {"text", "label", "confidence", "scores"} (and "explain") for each sentence.

    ``sentences`` are strings or dicts with context (see classify.inputs);
    ``model`` is a name, a directory or a fitted estimator.
    """
    estimator = load_model(model) if isinstance(model, (str, Path)) else model
    sentences = list(sentences)
    if not sentences:
        return []
    proba = estimator.predict_proba(sentences)
    classes = [str(c) for c in estimator.classes_]
    reasons = estimator.explain(sentences) if explain and hasattr(estimator, "explain") else None
    out = []
    for i, sent in enumerate(sentences):
        scores = {c: round(float(p), 4) for c, p in zip(classes, proba[i])}
        label = max(scores, key=scores.get)
        row = {
            "text": sent if isinstance(sent, str) else sent["text"],
            "label": label,
            "confidence": scores[label],
            "scores": scores,
        }
        if reasons is not None:
            row["explain"] = reasons[i]
        out.append(row)
    return out
