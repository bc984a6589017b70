"""What the API and the pages both do for a signed-in user: find a readable meeting, upload, export the corpus."""

from __future__ import annotations

import functools
import json

from fastapi import HTTPException
from sqlalchemy import select
from sqlalchemy.orm import Session

from minutes_nlp.i18n import _
from minutes_nlp.web.access import UPLOADERS, corpus_units, readable_units, require
from minutes_nlp.web.anonymize import ExportCodes, Units, anonymize
from minutes_nlp.web.db import Analysis, Document, Unit, User
from minutes_nlp.web.params import MAX_ID
from minutes_nlp.web.store import Outcome, ingest


def readable_document(session: Session, user: User, document_id: int) -> Document:
    """The document if user may read it; 404 otherwise (a meeting out of reach is not said to exist)."""
    units = readable_units(session, user)
    doc = session.get(Document, document_id) if 0 < document_id <= MAX_ID else None  # no id is larger
    if doc is None or (units is not None and doc.unit_id not in units):
        raise HTTPException(404, _("Minutes number {id} is not within what you may see").format(id=document_id))
    return doc


def analyses_of(session: Session, doc: Document) -> list[Analysis]:
    """Every analysis of doc, newest first."""
    return list(
        session.scalars(
            select(Analysis)
            .where(Analysis.document_id == doc.id)
            .order_by(Analysis.created_at.desc(), Analysis.id.desc())
        )
    )


def pick_analysis(session: Session, doc: Document, analysis_id: int | None = None) -> Analysis:
    """The current analysis of doc, or the one with analysis_id among its own; 404 when there is none."""
    query = select(Analysis).where(Analysis.document_id == doc.id)
    query = query.where(Analysis.id == analysis_id) if analysis_id else query.where(Analysis.current.is_(True))
    found = session.scalar(query)
    if found is None:
        raise HTTPException(404, _("This analysis was not found"))
    return found


def upload_cell(session: Session, user: User, unit_id: int | None) -> Unit:
    """The cell an upload goes to: a secretary's own cell; the cell an admin names."""
    require(user, UPLOADERS)
    if user.role == "secretary":
        if unit_id is not None and unit_id != user.unit_id:
            raise HTTPException(403, _("A cell secretary uploads minutes only to their own cell"))
        unit = session.get(Unit, user.unit_id)
    else:
        if unit_id is None:
            raise HTTPException(422, _("Choose the party cell the minutes belong to (unit_id)"))
        unit = session.get(Unit, unit_id)
    if unit is None or unit.kind != "cell":
        raise HTTPException(422, _("Minutes can only be uploaded to a party cell"))
    return unit


def upload_files(session: Session, app_state, user: User, cell: Unit, files: list[tuple[str, bytes]]) -> list[Outcome]:
    """Ingest every (name, bytes) for cell; one outcome per minutes file (a zip gives several)."""
    settings = app_state.settings
    if len(files) > settings.max_files:
        raise HTTPException(413, _("At most {n} files per upload").format(n=settings.max_files))
    return ingest(session, app_state.storage, app_state.analysis, user, cell, files, settings.max_upload_bytes)


async def in_upload_thread(request, session: Session, fn, *args):
    """fn(*args) in a thread of the uploads' own limiter: uploads waiting for their analyses never hold
    the threads that sign-ins and pages need, nor a database connection (the sign-in check's
    transaction is ended first, so a waiting upload does not keep one from the pool)."""
    import anyio

    await anyio.to_thread.run_sync(session.commit)
    state = request.app.state
    if getattr(state, "upload_limiter", None) is None:
        state.upload_limiter = anyio.CapacityLimiter(UPLOAD_THREADS)
    return await anyio.to_thread.run_sync(functools.partial(fn, *args), limiter=state.upload_limiter)


UPLOAD_THREADS = 32  # uploads handled at once per server process; more wait their turn without a thread


def known_units(session: Session, unit_id: int | None) -> Units:
    """What the service knows of a meeting's cell and committee, for the anonymiser to key codes and redact names."""
    cell = session.get(Unit, unit_id) if unit_id is not None else None
    committee = session.get(Unit, cell.parent_id) if cell and cell.parent_id is not None else None
    return Units(
        cell_key=f"unit {unit_id}",
        committee_key=f"unit {committee.id}" if committee else None,
        cell_names=[cell.name] if cell else [],
        committee_names=[committee.name] if committee else [],
    )


def corpus_jsonl(session: Session, user: User) -> str:
    """The anonymised corpus (current analyses in the researcher's reach), one JSON record a line."""
    units = corpus_units(session, user)
    query = (
        select(Analysis.document_id, Analysis.report, Document.unit_id)
        .join(Document, Analysis.document_id == Document.id)
        .where(Analysis.current.is_(True))
        .order_by(Document.id)
    )
    if units is not None:
        query = query.where(Document.unit_id.in_(units or {-1}))
    codes = ExportCodes()  # a new key per export: codes are not comparable across exports
    lines = []
    for doc_id, report, unit_id in session.execute(query):
        record = anonymize(report, f"meeting-{doc_id}", codes, known_units(session, unit_id))
        lines.append(json.dumps(record, ensure_ascii=False))
    return "\n".join(lines) + ("\n" if lines else "")


def training_jsonl(session: Session, user: User) -> str:
    """Corrected meetings and queue labels in the researcher's reach, anonymised, one record a line."""
    from minutes_nlp.web.training_data import export_records

    records, _counts = export_records(session, corpus_units(session, user))
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
