"""Sentence-classifier metrics: per label, macro-F1, confusions, and cross-validation by meeting."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support
from sklearn.model_selection import StratifiedGroupKFold

from minutes_nlp.classifiers.inputs import LABELS
from minutes_nlp.extras import require


def metrics(gold, pred) -> dict:
    """Return per-label precision/recall/F1, macro-F1, accuracy, the confusion matrix and top confusions."""
    labels = [lab for lab in LABELS if lab in set(gold) | set(pred)]
    p, r, f, s = precision_recall_fscore_support(gold, pred, labels=labels, zero_division=0)
    cm = confusion_matrix(gold, pred, labels=labels)
    confusions = [
        {"gold": labels[i], "pred": labels[j], "count": int(cm[i, j])}
        for i in range(len(labels))
        for j in range(len(labels))
        if i != j and cm[i, j]
    ]
    confusions.sort(key=lambda c: -c["count"])
    return {
        "macro_f1": float(f1_score(gold, pred, labels=labels, average="macro", zero_division=0)),
        "accuracy": float(accuracy_score(gold, pred)),
        "n": len(gold),
        "per_label": {
            lab: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]), "support": int(s[i])}
            for i, lab in enumerate(labels)
        },
        "labels": labels,
        "confusion": cm.tolist(),
        "top_confusions": confusions[:5],
    }


def cross_validate(estimator, items, labels, groups, folds: int = 5, seed: int = 13) -> dict:
    """Macro-F1 over StratifiedGroupKFold folds: sentences of one meeting never straddle train and test."""
    y = np.asarray(labels)
    cv = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    scores = []
    for train_idx, test_idx in cv.split(np.zeros(len(y)), y, groups):
        model = clone(estimator).fit([items[i] for i in train_idx], y[train_idx])
        pred = model.predict([items[i] for i in test_idx])
        scores.append(float(f1_score(y[test_idx], pred, average="macro", zero_division=0)))
    return {
        "folds": folds,
        "macro_f1_mean": float(np.mean(scores)),
        "macro_f1_std": float(np.std(scores)),
        "macro_f1_per_fold": scores,
    }


def confusion_table(m: dict) -> str:
    """The confusion matrix as a terminal table (rows gold, columns predicted)."""
    labels = m["labels"]
    width = max(len(lab) for lab in labels) + 2
    lines = ["gold \\ pred".ljust(width) + "".join(lab[:9].rjust(10) for lab in labels)]
    for lab, row in zip(labels, m["confusion"]):
        lines.append(lab.ljust(width) + "".join(str(v).rjust(10) for v in row))
    return "\n".join(lines)


def report_table(m: dict) -> str:
    lines = [f"{'label':<12}{'precision':>10}{'recall':>10}{'F1':>10}{'support':>10}"]
    for lab, row in m["per_label"].items():
        lines.append(f"{lab:<12}{row['precision']:>10.3f}{row['recall']:>10.3f}{row['f1']:>10.3f}{row['support']:>10}")
    lines.append(f"{'macro-F1':<12}{m['macro_f1']:>30.3f}")
    lines.append(f"{'accuracy':<12}{m['accuracy']:>30.3f}")
    return "\n".join(lines)


def plot_confusion(m: dict, path: Path, title: str) -> Path:
    """Write the confusion matrix as a PNG heat map."""
    require("plots", str(path))
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cm = np.array(m["confusion"])
    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    ax.imshow(cm, cmap="Blues")
    ax.set_xticks(range(len(m["labels"])), m["labels"], rotation=35, ha="right")
    ax.set_yticks(range(len(m["labels"])), m["labels"])
    for i in range(cm.shape[0]):
        for j in range(cm.shape[1]):
            ax.text(
                j, i, str(cm[i, j]), ha="center", va="center", color="white" if cm[i, j] > cm.max() / 2 else "black"
            )
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
