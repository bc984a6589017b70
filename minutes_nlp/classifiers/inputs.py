"""What a sentence classifier sees: the sentence, and optionally its place in the contribution.

Classifiers take a list whose items are either plain strings or dicts with
``text`` and any of ``prev`` (the previous sentence of the contribution),
``position`` (0-based index in the contribution), ``n`` (sentences in it) and
``role`` (the speaker's role). Plain strings mean "no context".
"""

from __future__ import annotations

from collections.abc import Iterable

from minutes_nlp.codebook import LABELS, primary_label

__all__ = ["LABELS", "as_items", "primary_label", "sentence_items"]


def as_items(X: Iterable) -> list[dict]:
    """Return X as a list of dicts with every context key present."""
    items = []
    for x in X:
        if isinstance(x, str):
            items.append({"text": x, "prev": "", "position": 0, "n": 1, "role": ""})
        elif isinstance(x, dict):
            items.append(
                {
                    "text": str(x.get("text", "")),
                    "prev": str(x.get("prev") or ""),
                    "position": int(x.get("position") or 0),
                    "n": int(x.get("n") or 1),
                    "role": str(x.get("role") or ""),
                }
            )
        else:
            raise TypeError(f"a sentence must be a str or a dict with 'text', got {type(x).__name__}")
    return items


def sentence_items(records: Iterable[dict], split: str | None = None) -> tuple[list[dict], list[str], list[str]]:
    """Return (items, labels, meeting ids) for every labelled sentence of the corpus records."""
    items, labels, groups = [], [], []
    for rec in records:
        if split and rec.get("meta", {}).get("split") != split:
            continue
        text = rec["text"]
        for seg in rec["segments"]:
            sents = seg.get("sentences") or []
            for i, s in enumerate(sents):
                items.append(
                    {
                        "text": text[s["start"] : s["end"]],
                        "prev": text[sents[i - 1]["start"] : sents[i - 1]["end"]] if i else "",
                        "position": i,
                        "n": len(sents),
                        "role": seg.get("role") or "",
                    }
                )
                labels.append(s["label"])
                groups.append(rec["id"])
    return items, labels, groups
