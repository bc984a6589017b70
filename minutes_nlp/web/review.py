"""Corrections in the browser: the meeting page's correction forms, both versions and their difference.

The forms post to ``/meetings/{id}/corrections`` (CSRF-checked) and call the same
``corrections.correct`` the API calls, so who may correct and what a change does are one rule.
Plain forms, one per contribution and per sentence: tab to a field, change it, press Enter.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from minutes_nlp.codebook import KINDS, LABELS, ROLES
from minutes_nlp.i18n import _
from minutes_nlp.reports.html import render_html
from minutes_nlp.vocabulary import KIND_NAMES, LABEL_NAMES, ROLE_NAMES, name_of
from minutes_nlp.web.access import READERS, require
from minutes_nlp.web.corrections import CORRECTORS, correct, corrections_of, latest
from minutes_nlp.web.db import Analysis, User
from minutes_nlp.web.deps import DB, PageUser, csrf
from minutes_nlp.web.feedback import CorrectionIn
from minutes_nlp.web.params import PathId
from minutes_nlp.web.service import pick_analysis, readable_document

router = APIRouter(include_in_schema=False)
FormText = Annotated[str, Form()]
MaybeText = Annotated[str | None, Form()]  # absent (None) differs from sent empty ("" clears the field)


def describe(change: dict) -> str:
    """One Vietnamese line saying what a correction did (segments and sentences counted from 1)."""
    op, n = change.get("op"), (change.get("index") or 0) + 1
    if op == "label":
        return _("sentence {k} of contribution {n}: label {label}").format(
            k=(change.get("sentence") or 0) + 1, n=n, label=name_of(LABEL_NAMES, change.get("label"))
        )
    if op == "split":
        return _("contribution {n} split before its sentence {k}").format(n=n, k=(change.get("sentence") or 0) + 1)
    if op == "merge":
        return _("contributions {n} and {m} merged").format(n=n, m=n + 1)
    parts = []
    if "speaker" in change:
        parts.append(_("speaker {name}").format(name=change["speaker"] or "-"))
    if "role" in change:
        parts.append(_("role {role}").format(role=name_of(ROLE_NAMES, change["role"]) or "-"))
    if "kind" in change:
        parts.append(_("kind {kind}").format(kind=name_of(KIND_NAMES, change["kind"])))
    return _("contribution {n}: {what}").format(n=n, what=", ".join(parts))


def _rows(report: dict, auto: dict) -> list[dict]:
    """The segments of report for the forms, each sentence with its text and the automatic label where it differs."""
    text = report["text"]
    auto_labels = {(x["start"], x["end"]): x.get("label") for s in auto["segments"] for x in s.get("sentences") or []}
    auto_segments = {s["start"]: s for s in auto["segments"]}
    rows = []
    for i, seg in enumerate(report["segments"]):
        before = auto_segments.get(seg["start"])
        sentences = []
        for k, x in enumerate(seg.get("sentences") or []):
            was = auto_labels.get((x["start"], x["end"]))
            sentences.append(
                {
                    "k": k,
                    "text": text[x["start"] : x["end"]],
                    "label": x.get("label"),
                    "auto": was,
                    "changed": was != x.get("label"),
                }
            )
        rows.append(
            {
                "i": i,
                "kind": seg["kind"],
                "speaker": seg.get("speaker") or "",
                "role": seg.get("role") or "",
                "excerpt": "" if sentences else text[seg["start"] : seg["end"]][:160],
                "sentences": sentences,
                "changed": before is None
                or before["end"] != seg["end"]
                or any(before.get(key) != seg.get(key) for key in ("speaker", "role", "kind")),
                "auto": before,
            }
        )
    return rows


def review_context(session: Session, user: User, shown: Analysis) -> dict:
    """What the meeting page shows of corrections: versions, the difference, and the forms' rows."""
    history = corrections_of(session, shown)
    auto = shown.report
    last = history[-1] if history else None
    working = last.report if last else auto
    difference = None
    if last:
        before = {f["code"] for f in auto["flags"]}
        after = {f["code"] for f in last.report["flags"]}
        a, b = auto["score"].get("substantive"), last.report["score"].get("substantive")
        difference = {
            "auto_score": a,
            "auto_level": auto["score"].get("level"),
            "score": b,
            "level": last.report["score"].get("level"),
            "delta": None if a is None or b is None else round(b - a, 1),
            "flags_added": sorted(after - before),
            "flags_removed": sorted(before - after),
            "flags_kept": sorted(before & after),
        }
    return {
        "corrections": [
            {
                "version": c.version,
                "by": c.user.username,
                "when": c.created_at,
                "what": describe(c.change),
                "score": c.score,
                "level": c.level,
            }
            for c in history
        ],
        "difference": difference,
        "can_correct": user.role in CORRECTORS and shown.current,
        "review_rows": _rows(working, auto) if user.role in CORRECTORS and shown.current else [],
        "label_choices": [(x, LABEL_NAMES[x]) for x in LABELS],
        "role_choices": [(x, ROLE_NAMES[x]) for x in ROLES],
        "kind_choices": [(x, KIND_NAMES[x]) for x in KINDS],
        "label_names": LABEL_NAMES,
        "speaker_role_names": ROLE_NAMES,
    }


@router.post("/meetings/{meeting_id}/corrections", dependencies=[Depends(csrf)])
def correct_page(
    request: Request,
    meeting_id: PathId,
    *,
    op: FormText = "",
    index: FormText = "",
    sentence: FormText = "",
    label: FormText = "",
    speaker: MaybeText = None,
    role: MaybeText = None,
    kind: FormText = "",
    user: PageUser,
    session: DB,
) -> RedirectResponse:
    """One correction from the meeting page's forms, as the API would make it."""
    require(user, CORRECTORS)
    doc = readable_document(session, user, meeting_id)
    change: dict = {"op": op, "index": index}
    if sentence:
        change["sentence"] = sentence
    if label:
        change["label"] = label
    if op in ("segment", "split"):
        if speaker is not None:
            change["speaker"] = speaker.strip() or None
        if role is not None:
            change["role"] = role or None
    if kind:
        change["kind"] = kind
    try:
        body = CorrectionIn.model_validate(change)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise HTTPException(422, _("Invalid correction: {problems}").format(problems=problems)) from None
    analysis = pick_analysis(session, doc)
    change = body.model_dump(exclude_unset=True)
    if op == "segment":  # the form sends every field; keep only what the person changed
        previous = latest(session, analysis)
        segments = (previous.report if previous else analysis.report)["segments"]
        if body.index < len(segments):
            seg = segments[body.index]
            change = {k: v for k, v in change.items() if k in ("op", "index") or seg.get(k) != v}
        if len(change) == 2:
            return RedirectResponse(f"/meetings/{doc.id}#seg-{body.index}", status_code=303)
    correct(session, request.app.state.analyzer, user, doc, analysis, change)
    return RedirectResponse(f"/meetings/{doc.id}#seg-{body.index}", status_code=303)


@router.get("/meetings/{meeting_id}/corrected-report")
def corrected_report_page(*, meeting_id: PathId, user: PageUser, session: DB):
    """The full report of the latest corrected version (404 when nobody corrected the current analysis)."""
    from minutes_nlp.web.queries import meeting_from_dict

    require(user, READERS)
    history = corrections_of(session, pick_analysis(session, readable_document(session, user, meeting_id)))
    if not history:
        raise HTTPException(404, _("This analysis has not been corrected"))
    return HTMLResponse(render_html(meeting_from_dict(history[-1].report)))
