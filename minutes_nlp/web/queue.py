"""The annotation queue: researchers label the sentences the model is least sure of, some of them twice.

Sentences come from the current analyses of the meetings in the researcher's corpus reach
(access.corpus_units), anonymised (web/anonymize.py), from discussion contributions. Each
sentence's margin is the gap between the model's two most probable labels. The next item for a
researcher is, among the sentences of current analyses, in order: a double item waiting for its
second label (so agreement can be measured), then the meeting with the fewest labelled items
(diversity across meetings), then the smallest margin (margin sampling). A share of items
(``Settings.queue_double_share``) goes to two researchers; Cohen's kappa per label compares the
first two labels of those items, and the items where they differ are listed for adjudication.

| action | who |
|---|---|
| next item, label, skip, adjudicate | a researcher, for meetings in their corpus reach |
| agreement (kappa, disagreements) | a researcher (their reach) or an administrator (all) |
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from pathlib import Path
from typing import Annotated, Literal

import numpy as np
from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from minutes_nlp.classifiers.selection import margins, priority
from minutes_nlp.codebook import LABELS
from minutes_nlp.i18n import N_, _
from minutes_nlp.web.access import corpus_units, require
from minutes_nlp.web.anonymize import anonymize
from minutes_nlp.web.db import Analysis, Document, QueueItem, QueueLabel, User
from minutes_nlp.web.deps import DB, ApiUser, PageUser, csrf
from minutes_nlp.web.params import MAX_ID, PathId

LABELLERS = ("researcher",)
AGREEMENT_READERS = ("researcher", "admin")
KEYS = {str(k): label for k, label in enumerate(LABELS, start=1)}  # 1 proposal … 5 other

router = APIRouter(prefix="/api/queue", tags=["api"])
pages = APIRouter(include_in_schema=False)


def _in_scope(query, units: set[int] | None):
    return query if units is None else query.where(Document.unit_id.in_(units or {-1}))


def is_double(analysis_id: int, segment: int, sentence: int, share: float) -> bool:
    """Whether a sentence goes to two researchers: a stable draw, the same on every run and server."""
    digest = hashlib.sha256(f"{analysis_id}:{segment}:{sentence}".encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32 < share


def fill(session: Session, analyzer, units: set[int] | None, share: float) -> int:
    """Add the sentences of current analyses in units that the queue does not hold yet; return how many."""
    pooled = select(QueueItem.analysis_id).distinct()
    query = _in_scope(
        select(Analysis.id, Analysis.document_id, Analysis.report)
        .join(Document, Analysis.document_id == Document.id)
        .where(Analysis.current.is_(True), Analysis.id.not_in(pooled)),
        units,
    )
    added = 0
    for analysis_id, doc_id, report in session.execute(query).all():
        record = anonymize(report, f"meeting-{doc_id}")
        text, places, items = record["text"], [], []
        for i, seg in enumerate(record["segments"]):
            sents = seg.get("sentences") or []
            for k, x in enumerate(sents):
                prev = text[sents[k - 1]["start"] : sents[k - 1]["end"]] if k else ""
                items.append(
                    {
                        "text": text[x["start"] : x["end"]],
                        "prev": prev,
                        "position": k,
                        "n": len(sents),
                        "role": seg.get("role") or "",
                    }
                )
                places.append((i, k))
        if not items:
            continue
        proba = np.asarray(analyzer.classifier.predict_proba(items))
        classes = [str(c) for c in analyzer.classifier.classes_]
        for (i, k), item, row, gap in zip(places, items, proba, margins(proba)):
            session.add(
                QueueItem(
                    document_id=doc_id,
                    analysis_id=analysis_id,
                    segment=i,
                    sentence=k,
                    text=item["text"],
                    context=item["prev"] or None,
                    model_label=classes[int(row.argmax())],
                    margin=float(gap),
                    double=is_double(analysis_id, i, k, share),
                )
            )
            added += 1
    session.commit()
    return added


def _items(session: Session, units: set[int] | None) -> tuple[list[QueueItem], dict[int, list[QueueLabel]]]:
    items = list(
        session.scalars(_in_scope(select(QueueItem).join(Document, QueueItem.document_id == Document.id), units))
    )
    answers: dict[int, list[QueueLabel]] = defaultdict(list)
    ids = [x.id for x in items]
    for start in range(0, len(ids), 500):
        for a in session.scalars(
            select(QueueLabel).where(QueueLabel.item_id.in_(ids[start : start + 500])).order_by(QueueLabel.id)
        ):
            answers[a.item_id].append(a)
    return items, answers


def next_item(session: Session, app_state, user: User) -> tuple[QueueItem | None, int]:
    """The item user should label next (None when the queue holds nothing for them) and how many remain."""
    require(user, LABELLERS)
    units = corpus_units(session, user)
    fill(session, app_state.analyzer, units, app_state.settings.queue_double_share)
    items, answers = _items(session, units)
    labelled_in: Counter = Counter()
    for x in items:
        if any(a.label for a in answers[x.id]):
            labelled_in[x.document_id] += 1
    current = set(session.scalars(select(QueueItem.analysis_id).join(Analysis).where(Analysis.current.is_(True))))
    open_items = []
    for x in items:
        given = [a for a in answers[x.id] if a.label]
        if (
            x.analysis_id not in current
            or x.final_label
            or any(a.user_id == user.id for a in answers[x.id])
            or len(given) >= (2 if x.double else 1)
        ):
            continue
        waiting_second = x.double and len(given) == 1
        open_items.append(((priority(x.margin, labelled_in[x.document_id], waiting_second), x.id), x))
    if not open_items:
        return None, 0
    return min(open_items, key=lambda t: t[0])[1], len(open_items)


def _item_in_reach(session: Session, user: User, item_id: int) -> QueueItem:
    item = session.get(QueueItem, item_id) if 0 < item_id <= MAX_ID else None
    units = corpus_units(session, user)
    if item is None or (units is not None and session.get(Document, item.document_id).unit_id not in units):
        raise HTTPException(404, _("Queue item {id} is not within what you may see").format(id=item_id))
    return item


def answer(session: Session, user: User, item_id: int, label: str | None) -> QueueLabel:
    """Store user's label of an item (None: skipped); 409 if they answered it already or it needs no more labels."""
    require(user, LABELLERS)
    item = _item_in_reach(session, user, item_id)
    if label is not None and label not in LABELS:
        raise HTTPException(422, _("unknown label {label}").format(label=repr(label)))
    given = list(session.scalars(select(QueueLabel).where(QueueLabel.item_id == item.id)))
    if any(a.user_id == user.id for a in given):
        raise HTTPException(409, _("You have already answered this item"))
    if label is not None and sum(1 for a in given if a.label) >= (2 if item.double else 1):
        raise HTTPException(409, _("This item has all the labels it needs"))
    row = QueueLabel(item_id=item.id, user_id=user.id, label=label)
    session.add(row)
    session.commit()
    return row


def kappa(pairs: list[tuple[str, str]]) -> float | None:
    """Cohen's kappa of paired labels; None when chance agreement is total (kappa undefined)."""
    if not pairs:
        return None
    n = len(pairs)
    observed = sum(a == b for a, b in pairs) / n
    first, second = Counter(a for a, _b in pairs), Counter(b for _a, b in pairs)
    expected = sum(first[c] * second[c] for c in set(first) | set(second)) / n**2
    if expected >= 1:
        return None
    return round((observed - expected) / (1 - expected), 3)


def agreement(session: Session, user: User) -> dict:
    """Kappa over the items two researchers labelled (overall, and per label against the rest); the disagreements."""
    require(user, AGREEMENT_READERS)
    items, answers = _items(session, corpus_units(session, user))
    pairs, disagreements = [], []
    for x in items:
        given = [a for a in answers[x.id] if a.label]
        if not x.double or len(given) < 2:
            continue
        a, b = given[0], given[1]
        pairs.append((a.label, b.label))
        if a.label != b.label:
            disagreements.append(
                {
                    "item_id": x.id,
                    "text": x.text,
                    "context": x.context,
                    "labels": {a.user.username: a.label, b.user.username: b.label},
                    "final_label": x.final_label,
                }
            )
    per_label = {c: kappa([(a == c, b == c) for a, b in pairs]) for c in LABELS}
    return {
        "pairs": len(pairs),
        "agreed": sum(a == b for a, b in pairs),
        "kappa": kappa(pairs),
        "per_label": per_label,
        "disagreements": disagreements,
        "labelled": sum(1 for x in items if any(a.label for a in answers[x.id])),
    }


def adjudicate(session: Session, user: User, item_id: int, label: str) -> QueueItem:
    """Settle a disagreement: the item's final label."""
    require(user, LABELLERS)
    item = _item_in_reach(session, user, item_id)
    if label not in LABELS:
        raise HTTPException(422, _("unknown label {label}").format(label=repr(label)))
    item.final_label = label
    session.commit()
    return item


def item_dict(item: QueueItem, remaining: int) -> dict:
    return {
        "item_id": item.id,
        "meeting": f"meeting-{item.document_id}",
        "text": item.text,
        "context": item.context,
        "double": item.double,
        "remaining": remaining,
        "keys": KEYS,
    }


# ---------------------------------------------------------------- API


class LabelIn(BaseModel):
    label: Literal["proposal", "complaint", "report", "agreement", "other"] | None = None
    skip: bool = False


class AdjudicateIn(BaseModel):
    label: Literal["proposal", "complaint", "report", "agreement", "other"]


@router.get("/next", summary=N_("The next sentence to label in the annotation queue (anonymised)"))
def api_next(request: Request, user: ApiUser, session: DB) -> dict:
    item, remaining = next_item(session, request.app.state, user)
    return {"item": item_dict(item, remaining) if item else None, "remaining": remaining}


@router.post("/{item_id}/label", summary=N_("Label a queued sentence, or skip it"), status_code=201)
def api_label(item_id: PathId, body: LabelIn, user: ApiUser, session: DB) -> dict:
    if body.label is None and not body.skip:
        raise HTTPException(422, _("Give a label, or skip: true"))
    row = answer(session, user, item_id, None if body.skip else body.label)
    return {"item_id": item_id, "label": row.label, "skipped": row.label is None, "by": user.username}


@router.get("/agreement", summary=N_("Agreement between researchers: Cohen's kappa per label and the disagreements"))
def api_agreement(user: ApiUser, session: DB) -> dict:
    return agreement(session, user)


@router.post("/{item_id}/adjudicate", summary=N_("Settle a disagreement with the final label"))
def api_adjudicate(item_id: PathId, body: AdjudicateIn, user: ApiUser, session: DB) -> dict:
    item = adjudicate(session, user, item_id, body.label)
    return {"item_id": item.id, "final_label": item.final_label, "by": user.username}


# ---------------------------------------------------------------- page

FormText = Annotated[str, Form()]
SCRIPT = Path(__file__).with_name("static") / "queue.js"


@pages.get("/queue")
def queue_page(request: Request, user: PageUser, session: DB):
    from minutes_nlp.vocabulary import LABEL_NAMES
    from minutes_nlp.web.pages import render

    require(user, AGREEMENT_READERS)
    item, remaining = next_item(session, request.app.state, user) if user.role in LABELLERS else (None, 0)
    mine = session.scalar(
        select(func.count(QueueLabel.id)).where(QueueLabel.user_id == user.id, QueueLabel.label.is_not(None))
    )
    return render(
        request,
        "queue.html",
        user,
        item=item,
        remaining=remaining,
        mine=mine,
        keys=[(k, code, LABEL_NAMES[code]) for k, code in KEYS.items()],
        label_names=LABEL_NAMES,
        stats=agreement(session, user),
        can_label=user.role in LABELLERS,
    )


@pages.post("/queue/{item_id}", dependencies=[Depends(csrf)])
def queue_answer(item_id: PathId, *, label: FormText = "", skip: FormText = "", user: PageUser, session: DB):
    if not skip and label not in LABELS:
        raise HTTPException(422, _("unknown label {label}").format(label=repr(label)))
    answer(session, user, item_id, None if skip else label)
    return RedirectResponse("/queue", status_code=303)


@pages.post("/queue/{item_id}/adjudicate", dependencies=[Depends(csrf)])
def queue_adjudicate(item_id: PathId, *, label: FormText = "", user: PageUser, session: DB):
    adjudicate(session, user, item_id, label)
    return RedirectResponse("/queue#disagreements", status_code=303)


@pages.get("/static/queue.js")
def queue_script() -> Response:
    return Response(SCRIPT.read_bytes(), media_type="text/javascript; charset=utf-8")
