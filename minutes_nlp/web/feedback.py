"""People's feedback on reports: supervisors' ratings and corrected analyses (API under /api and the rating form).

| action | who |
|---|---|
| rate a meeting | a supervisor, for the cells in their scope |
| read a meeting's ratings | whoever may read the meeting |
| correct an analysis | a secretary (own cell), a supervisor (cells in scope), an administrator |
| read corrections | whoever may read the meeting |

A meeting out of the user's reach is answered as not found (404), a role not allowed with 403.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from minutes_nlp.analysis.config import load_config
from minutes_nlp.analysis.score import level_of
from minutes_nlp.i18n import N_, _
from minutes_nlp.web.access import READERS, require
from minutes_nlp.web.corrections import CORRECTORS, correct, corrections_of
from minutes_nlp.web.db import Document, Rating, User, iso
from minutes_nlp.web.deps import DB, ApiUser, PageUser, csrf
from minutes_nlp.web.params import PathId
from minutes_nlp.web.service import pick_analysis, readable_document

RATERS = ("supervisor",)
LEVELS = ("tot", "kha", "trung_binh", "kem")

router = APIRouter(prefix="/api", tags=["api"])
pages = APIRouter(include_in_schema=False)


def record_rating(
    session: Session, user: User, doc: Document, substantive: float, level: str | None, note: str | None
) -> Rating:
    """Store user's rating of doc's current report; the level follows the score's bands when not given."""
    require(user, RATERS)
    if not 0 <= substantive <= 100:
        raise HTTPException(422, _("The rating must be between 0 and 100"))
    expected = level_of(substantive, load_config()["score"]["levels"])
    if level and level != expected:
        raise HTTPException(
            422,
            _("The level {level} does not match the rating {value} (tốt ≥ 75, khá ≥ 40, trung bình ≥ 20)").format(
                level=level, value=substantive
            ),
        )
    rating = Rating(
        document_id=doc.id,
        analysis_id=pick_analysis(session, doc).id,
        user_id=user.id,
        level=expected,
        substantive=float(substantive),
        note=(note or "").strip() or None,
    )
    session.add(rating)
    session.commit()
    return rating


def ratings_of(session: Session, doc: Document) -> list[Rating]:
    return list(session.scalars(select(Rating).where(Rating.document_id == doc.id).order_by(Rating.id)))


def rating_dict(r: Rating) -> dict:
    return {
        "rating_id": r.id,
        "meeting_id": r.document_id,
        "analysis_id": r.analysis_id,
        "level": r.level,
        "substantive": r.substantive,
        "note": r.note,
        "by": r.user.username,
        "created_at": iso(r.created_at),
    }


class RatingIn(BaseModel):
    substantive: float = Field(ge=0, le=100, description=N_("The supervisor's rating, 0-100"))
    level: Literal["tot", "kha", "trung_binh", "kem"] | None = None
    note: str | None = Field(default=None, max_length=2000)


class CorrectionIn(BaseModel):
    op: Literal["segment", "label", "split", "merge"]
    index: int = Field(ge=0, le=100_000, description=N_("Number of the segment in the report, from 0"))
    sentence: int | None = Field(
        default=None, ge=0, le=100_000, description=N_("Number of the sentence in the segment, from 0")
    )
    label: Literal["proposal", "complaint", "report", "agreement", "other"] | None = None
    speaker: str | None = Field(default=None, max_length=200)
    role: Literal["chair", "secretary", "committee", "member", "guest"] | None = None
    kind: Literal["procedural", "chair_report", "discussion", "chair_conclusion"] | None = None


@router.post("/meetings/{meeting_id}/ratings", summary=N_("Record a supervisor's rating of a meeting"), status_code=201)
def add_rating(meeting_id: PathId, body: RatingIn, user: ApiUser, session: DB) -> dict:
    require(user, RATERS)
    doc = readable_document(session, user, meeting_id)
    return rating_dict(record_rating(session, user, doc, body.substantive, body.level, body.note))


@router.get("/meetings/{meeting_id}/ratings", summary=N_("Supervisors' ratings of a meeting"))
def list_ratings(meeting_id: PathId, user: ApiUser, session: DB) -> list[dict]:
    require(user, READERS)
    return [rating_dict(r) for r in ratings_of(session, readable_document(session, user, meeting_id))]


@router.post(
    "/meetings/{meeting_id}/corrections",
    summary=N_("Correct the analysis: a contribution's speaker, role or kind, a sentence's label, split or merge"),
    status_code=201,
)
def add_correction(request: Request, meeting_id: PathId, body: CorrectionIn, user: ApiUser, session: DB) -> dict:
    require(user, CORRECTORS)
    doc = readable_document(session, user, meeting_id)
    analysis = pick_analysis(session, doc)
    change = body.model_dump(exclude_unset=True)
    row = correct(session, request.app.state.analyzer, user, doc, analysis, change)
    return {
        "meeting_id": doc.id,
        "analysis_id": analysis.id,
        "version": row.version,
        "by": user.username,
        "created_at": iso(row.created_at),
        "automatic": {"score": analysis.score, "level": analysis.level},
        "corrected": {"score": row.score, "level": row.level, "flags": [f["code"] for f in row.report["flags"]]},
    }


@router.get("/meetings/{meeting_id}/corrections", summary=N_("The corrected versions of the current analysis"))
def list_corrections(meeting_id: PathId, user: ApiUser, session: DB) -> list[dict]:
    require(user, READERS)
    doc = readable_document(session, user, meeting_id)
    return [
        {
            "version": c.version,
            "by": c.user.username,
            "created_at": iso(c.created_at),
            "change": c.change,
            "score": c.score,
            "level": c.level,
        }
        for c in corrections_of(session, pick_analysis(session, doc))
    ]


@router.get("/meetings/{meeting_id}/corrected-report", summary=N_("The latest corrected report (JSON)"))
def corrected_report(meeting_id: PathId, user: ApiUser, session: DB) -> dict:
    require(user, READERS)
    found = corrections_of(session, pick_analysis(session, readable_document(session, user, meeting_id)))
    if not found:
        raise HTTPException(404, _("This analysis has not been corrected"))
    return found[-1].report


FormText = Annotated[str, Form()]


@pages.post("/meetings/{meeting_id}/rating", dependencies=[Depends(csrf)])
def rate_page(
    meeting_id: PathId,
    *,
    substantive: FormText = "",
    level: FormText = "",
    note: FormText = "",
    user: PageUser,
    session: DB,
) -> RedirectResponse:
    """The rating form of the meeting page (supervisors)."""
    require(user, RATERS)
    doc = readable_document(session, user, meeting_id)
    try:
        value = float(substantive.replace(",", "."))
    except ValueError:
        raise HTTPException(422, _("The rating must be between 0 and 100")) from None
    record_rating(session, user, doc, value, level if level in LEVELS else None, note)
    return RedirectResponse(f"/meetings/{doc.id}#ratings", status_code=303)


def rated_reports(session: Session) -> list[tuple[dict, float]]:
    """(report, mean rating) of every rated meeting: the report its supervisors saw, their ratings averaged."""
    from minutes_nlp.web.db import Analysis

    by_analysis: dict[int, list[float]] = {}
    for r in session.scalars(select(Rating).where(Rating.analysis_id.is_not(None))):
        by_analysis.setdefault(r.analysis_id, []).append(r.substantive)
    out = []
    for analysis_id, values in sorted(by_analysis.items()):
        analysis = session.get(Analysis, analysis_id)
        out.append((analysis.report, sum(values) / len(values)))
    return out
