"""Segmentation metrics against annotated records: contribution F1, speaker, role and attendance accuracy.

A predicted contribution matches a gold one when the speakers are equal (case-insensitive, or a given name
and the full name it ends with) and the spans overlap by at least half of the longer one; matching is
one-to-one. Speaker accuracy: share of gold contributions whose overlapping prediction names the same
speaker. Attendance accuracy: share of (meeting, field) pairs with the gold value, over the fields the
gold record states (null included).
"""

from __future__ import annotations

from collections.abc import Callable

from minutes_nlp.errors import MinutesError
from minutes_nlp.types import SegmentedDocument

FIELDS = ("members_total", "members_present", "members_absent", "members_exempt")


def overlap(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    return inter / max(a[1] - a[0], b[1] - b[0], 1)


def same_speaker(a: str | None, b: str | None) -> bool:
    """Equal names, or a given name and the full name it ends with (codebook §2: the same person)."""
    a, b = (a or "").casefold().strip(), (b or "").casefold().strip()
    if a == b:
        return True
    short, full = sorted((a, b), key=lambda x: len(x.split()))
    return bool(short) and len(short.split()) == 1 and full.split()[-1] == short


def score_meeting(gold: dict, pred: SegmentedDocument) -> dict:
    """Counts for one meeting, and its errors as (kind, gold, predicted, text) tuples."""
    g = [s for s in gold["segments"] if s["kind"] == "discussion"]
    p = [s for s in pred.segments if s.kind == "discussion"]
    used: set[int] = set()
    tp = speaker_ok = role_ok = 0
    errors = []
    for gs in g:
        best, best_ov = None, 0.0
        for j, ps in enumerate(p):
            ov = overlap((gs["start"], gs["end"]), (ps.start, ps.end))
            if ov > best_ov:
                best, best_ov = j, ov
        if best is not None and best_ov >= 0.5:
            ps = p[best]
            if same_speaker(ps.speaker, gs["speaker"]):
                speaker_ok += 1
                role_ok += ps.role == gs["role"]
                if ps.role != gs["role"]:
                    errors.append(("role", gs["role"], ps.role, gold["text"][gs["start"] : gs["start"] + 70]))
                if best not in used:
                    used.add(best)
                    tp += 1
                    continue
            errors.append(("speaker", gs["speaker"], ps.speaker, gold["text"][gs["start"] : gs["start"] + 70]))
        else:
            errors.append(("missed", gs["speaker"], None, gold["text"][gs["start"] : gs["start"] + 70]))
    for j, ps in enumerate(p):
        if j not in used and not any(overlap((gs["start"], gs["end"]), (ps.start, ps.end)) >= 0.5 for gs in g):
            errors.append(("spurious", None, ps.speaker, gold["text"][ps.start : ps.start + 70]))
    att_total = att_ok = 0
    for f in FIELDS:
        if f in gold["meta"]:
            att_total += 1
            ok = getattr(pred.header, f) == gold["meta"][f]
            att_ok += ok
            if not ok:
                errors.append(("header", f, getattr(pred.header, f), gold["meta"][f]))
    return {
        "gold": len(g),
        "pred": len(p),
        "tp": tp,
        "speaker_ok": speaker_ok,
        "role_ok": role_ok,
        "att_total": att_total,
        "att_ok": att_ok,
        "errors": errors,
    }


def score(records: list[dict], segment: Callable[[str, str], SegmentedDocument]) -> tuple[dict, list[tuple]]:
    """Totals and rates over records, and every error prefixed with its meeting id."""
    totals = {"gold": 0, "pred": 0, "tp": 0, "speaker_ok": 0, "role_ok": 0, "att_total": 0, "att_ok": 0}
    errors: list[tuple] = []
    refused = 0
    for r in records:
        try:
            pred = segment(r["text"], r["id"])
        except MinutesError as exc:
            refused += 1
            totals["gold"] += sum(s["kind"] == "discussion" for s in r["segments"])
            errors.append((r["id"], "refused", None, None, str(exc)))
            continue
        res = score_meeting(r, pred)
        for k in totals:
            totals[k] += res[k]
        errors += [(r["id"], *e) for e in res["errors"]]
    prec = totals["tp"] / max(totals["pred"], 1)
    rec = totals["tp"] / max(totals["gold"], 1)
    return {
        "meetings": len(records),
        "refused": refused,
        "gold_contributions": totals["gold"],
        "predicted_contributions": totals["pred"],
        "contribution_precision": round(prec, 4),
        "contribution_recall": round(rec, 4),
        "contribution_f1": round(2 * prec * rec / max(prec + rec, 1e-9), 4),
        "speaker_accuracy": round(totals["speaker_ok"] / max(totals["gold"], 1), 4),
        "role_accuracy": round(totals["role_ok"] / max(totals["gold"], 1), 4),
        "attendance_field_accuracy": round(totals["att_ok"] / max(totals["att_total"], 1), 4),
    }, errors
