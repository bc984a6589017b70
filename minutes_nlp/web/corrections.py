"""Corrected analyses: a person changes a contribution or a sentence label, the report is recomputed and kept.

Each correction is one operation on the latest version of a meeting's report (the automatic
analysis, or the last correction of it); the result is stored as a new version with who and when,
and the automatic analysis stays as it was. Operations (``index`` counts the report's segments from 0,
``sentence`` the sentences of that segment):

| op | fields | effect |
|---|---|---|
| ``segment`` | index, any of speaker, role, kind | set the contribution's speaker, role or kind |
| ``label`` | index, sentence, label | set a sentence's label |
| ``split`` | index, sentence, speaker (optional), role (optional) | a new contribution starts at that sentence |
| ``merge`` | index | the contribution and the next one become one (the first's speaker and role) |

Who may correct: a secretary the meetings of their own cell, a supervisor those of the cells in
their scope, an administrator any (the reach of :func:`access.readable_units`).
"""

from __future__ import annotations

import copy

from fastapi import HTTPException
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from minutes_nlp.codebook import KINDS, LABELS, ROLES
from minutes_nlp.i18n import _
from minutes_nlp.web.db import Analysis, Correction, CorrectionFlag, Document, User

CORRECTORS = ("secretary", "supervisor", "admin")
OPS = ("segment", "label", "split", "merge")


class CorrectionError(ValueError):
    """An operation that does not fit the report (answered with 422)."""


def latest(session: Session, analysis: Analysis) -> Correction | None:
    """The newest correction of analysis, or None."""
    return session.scalar(
        select(Correction).where(Correction.analysis_id == analysis.id).order_by(Correction.version.desc()).limit(1)
    )


def corrections_of(session: Session, analysis: Analysis) -> list[Correction]:
    return list(
        session.scalars(select(Correction).where(Correction.analysis_id == analysis.id).order_by(Correction.version))
    )


def _segment(report: dict, index) -> dict:
    if not isinstance(index, int) or not 0 <= index < len(report["segments"]):
        raise CorrectionError(_("there is no segment number {index}").format(index=index))
    return report["segments"][index]


def _sentence_index(seg: dict, sentence) -> int:
    if not isinstance(sentence, int) or not 0 <= sentence < len(seg.get("sentences") or []):
        raise CorrectionError(_("the segment has no sentence number {index}").format(index=sentence))
    return sentence


def apply(report: dict, change: dict) -> dict:
    """A copy of report with the change applied to its segments (measures are not recomputed here)."""
    out = copy.deepcopy(report)
    op = change.get("op")
    seg = _segment(out, change.get("index"))
    if op == "segment":
        if "kind" in change:
            if change["kind"] not in KINDS:
                raise CorrectionError(_("unknown kind {kind}").format(kind=repr(change["kind"])))
            seg["kind"] = change["kind"]
        if "role" in change:
            if change["role"] is not None and change["role"] not in ROLES:
                raise CorrectionError(_("unknown role {role}").format(role=repr(change["role"])))
            seg["role"] = change["role"]
        if "speaker" in change:
            seg["speaker"] = (change["speaker"] or "").strip() or None
        if seg["kind"] == "discussion" and not seg.get("sentences"):
            raise CorrectionError(_("a contribution needs sentences; this segment has none"))
    elif op == "label":
        k = _sentence_index(seg, change.get("sentence"))
        if change.get("label") not in LABELS:
            raise CorrectionError(_("unknown label {label}").format(label=repr(change.get("label"))))
        seg["sentences"][k] = {**seg["sentences"][k], "label": change["label"], "confidence": 1.0}  # a person's
    elif op == "split":
        k = _sentence_index(seg, change.get("sentence"))
        if k == 0:
            raise CorrectionError(_("a split must leave at least one sentence before it"))
        sents = seg["sentences"]
        second = {
            "start": sents[k]["start"],
            "end": seg["end"],
            "kind": seg["kind"],
            "speaker": change.get("speaker", seg.get("speaker")),
            "role": change.get("role", seg.get("role")),
            "sentences": sents[k:],
        }
        if second["role"] is not None and second["role"] not in ROLES:
            raise CorrectionError(_("unknown role {role}").format(role=repr(second["role"])))
        seg["sentences"], seg["end"] = sents[:k], sents[k - 1]["end"]
        out["segments"].insert(change["index"] + 1, second)
    elif op == "merge":
        nxt = _segment(out, change["index"] + 1)
        seg["end"] = nxt["end"]
        seg["sentences"] = (seg.get("sentences") or []) + (nxt.get("sentences") or [])
        del out["segments"][change["index"] + 1]
    else:
        raise CorrectionError(_("unknown correction {op}; use one of {ops}").format(op=repr(op), ops=", ".join(OPS)))
    for s in out["segments"]:  # the derived per-contribution fields follow the sentences
        s.pop("labels", None)
        s.pop("primary_label", None)
    return out


def correct(session: Session, analyzer, user: User, doc: Document, analysis: Analysis, change: dict) -> Correction:
    """Apply change to the latest version of analysis, recompute the report and store it as a new version."""
    previous = latest(session, analysis)
    try:
        report = apply(previous.report if previous else analysis.report, change)
    except CorrectionError as exc:
        raise HTTPException(422, str(exc)) from None
    meeting = analyzer.rescore(report)
    fresh = meeting.to_dict()
    fresh["correction"] = {
        "version": (previous.version if previous else 0) + 1,
        "analysis_id": analysis.id,
        "by": user.username,
    }
    number = session.scalar(select(func.count(Correction.id)).where(Correction.analysis_id == analysis.id)) or 0
    row = Correction(
        document_id=doc.id,
        analysis_id=analysis.id,
        version=number + 1,
        user_id=user.id,
        change=change,
        level=meeting.score.get("level"),
        score=meeting.score.get("substantive"),
        report=fresh,
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError:  # another person stored this version first: their change must not be overwritten
        session.rollback()
        raise HTTPException(
            409, _("Someone else corrected this meeting at the same moment; reload it and apply your change again")
        ) from None
    session.add_all(CorrectionFlag(correction_id=row.id, code=f["code"]) for f in fresh["flags"])
    session.commit()
    return row


def newest_corrections(session: Session, units: set[int] | None = None) -> list[tuple[Correction, int]]:
    """The latest correction of every corrected analysis in units (None: all), with how many versions it has."""
    query = select(Correction).order_by(Correction.analysis_id, Correction.version)
    if units is not None:
        query = query.join(Document, Correction.document_id == Document.id).where(Document.unit_id.in_(units or {-1}))
    newest: dict[int, Correction] = {}
    counts: dict[int, int] = {}
    for c in session.scalars(query):
        newest[c.analysis_id] = c
        counts[c.analysis_id] = counts.get(c.analysis_id, 0) + 1
    return [(c, counts[a]) for a, c in sorted(newest.items(), key=lambda kv: (kv[1].document_id, kv[0]))]


def export_records(session: Session) -> list[dict]:
    """The latest corrected version of every corrected meeting, anonymised, as corpus-format records.

    Every sentence carries a label (the model's where nobody changed it, which the corrector saw and
    left); the records go to the train split, and ``meta.corrections`` counts the changes behind them.
    ``admin install-model`` scores models on them; the export with the queue's labels is
    web/training_data.py.
    """
    from minutes_nlp.web.anonymize import anonymize

    records = []
    for c, versions in newest_corrections(session):
        record = anonymize(c.report, f"corrected-{c.document_id}-{c.analysis_id}")
        record.pop("model", None)
        record["meta"]["split"] = "train"
        record["meta"]["corrections"] = versions
        records.append(record)
    return records
