"""Taking uploads in: checks, zip unpacking, duplicate detection, storage of the original bytes, analysis.

    >>> outcomes = ingest(session, storage, analyzer, user, cell, "kp5-2024-03.docx", data, max_bytes)
    >>> [(o.name, o.status, o.document_id) for o in outcomes]     # status: created, duplicate, refused

Original bytes are kept in a content-addressed folder (``storage/ab/abcd….bin``,
the name is the SHA-256), so a file is written once however many cells hold it;
a zip's own bytes are kept too and its members point to it. A file is only
stored once it has been analysed: an unreadable file leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from minutes_nlp.errors import MinutesError, NeedsOCR, NoSpeakers
from minutes_nlp.i18n import _
from minutes_nlp.reports.supervise import read_zip
from minutes_nlp.web.db import Analysis, AnalysisFlag, Document, Unit, User
from minutes_nlp.web.sniff import SUFFIX_OF_KIND, UploadRefused, check

log = logging.getLogger("minutes_nlp.web")


def reason_for(exc: MinutesError) -> str:
    """Why an uploaded file could not be analysed, for pages and API answers, with a fix a secretary can apply."""
    if isinstance(exc, NeedsOCR):
        return _("the PDF is a scan without a text layer; send the .docx or a PDF exported from Word")
    if isinstance(exc, NoSpeakers):
        return _(
            "no contribution found (no line 'Đồng chí …:'); check that this is the minutes of a party cell meeting"
        )
    return exc.reason + (f" ({exc.fix})" if exc.fix else "")


@dataclass
class Outcome:
    """What became of one uploaded file: created, duplicate (of document_id) or refused (with reason, status)."""

    name: str
    status: str
    document_id: int | None = None
    reason: str | None = None
    http_status: int = 200
    flags: list[str] | None = None
    level: str | None = None

    def to_dict(self) -> dict:
        d: dict[str, object] = {"name": self.name, "status": self.status, "meeting_id": self.document_id}
        if self.reason:
            d["detail"] = self.reason
        if self.flags is not None:
            d["flags"], d["level"] = self.flags, self.level
        return d


class Storage:
    """Content-addressed storage of original bytes under one folder."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / f"{sha256}.bin"

    def put(self, data: bytes) -> str:
        """Store data (once) and return its SHA-256."""
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".up-")
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, target)  # atomic: a reader never sees half a file
        return digest

    def get(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()


_ANALYZER_LOCK = threading.Lock()  # underthesea's tokenizers are not documented as thread-safe


def analyze_bytes(analyzer, name: str, kind: str, data: bytes):
    """The Meeting of data read as a file of (sniffed) kind, named name; MinutesError if unreadable."""
    ext = SUFFIX_OF_KIND[kind]
    stem = PurePosixPath(name).stem or "bien-ban"
    with tempfile.TemporaryDirectory(prefix="minutes-nlp-web-") as tmp:
        path = Path(tmp) / f"upload{ext}"
        path.write_bytes(data)
        try:
            with _ANALYZER_LOCK:
                meeting = analyzer(path, stem)
        except MinutesError as exc:
            raise type(exc)(name, exc.reason, exc.fix) from None
    meeting.source_file = PurePosixPath(name).name
    return meeting


def analysis_row(document_id: int, meeting) -> Analysis:
    """A new current Analysis row holding meeting's report JSON and the columns filters use."""
    report = meeting.to_dict()
    date = meeting.meta.get("date")
    row = Analysis(
        document_id=document_id,
        model_name=meeting.model.get("name"),
        model_version=meeting.model.get("version") or "unknown",
        current=True,
        meeting_date=date,
        month=date[:7] if date else None,
        level=meeting.score.get("level"),
        score=meeting.score.get("substantive"),
        report=report,
    )
    row.flags = [AnalysisFlag(code=f.code, severity=f.severity) for f in meeting.flags]
    return row


def _members(name: str, data: bytes, max_bytes: int) -> list[tuple[str, bytes]]:
    """The minutes inside a zip upload, after supervise.read_zip's traversal and zip-bomb checks."""
    with tempfile.TemporaryDirectory(prefix="minutes-nlp-zip-") as tmp:
        path = Path(tmp) / "upload.zip"
        path.write_bytes(data)
        try:
            items = read_zip(path)
        except MinutesError as exc:
            raise UploadRefused(name, reason_for(exc), 422) from None
    prefix = str(path) + "/"
    members = [
        (f"{name}/{item_name.removeprefix(prefix)}", content)
        for item_name, content in items
        if isinstance(content, bytes)
    ]  # read_zip gives every member as bytes
    if not members:
        raise UploadRefused(name, _("the archive holds no minutes (.docx, .pdf, .txt, .html, .doc)"), 422)
    return members


def ingest(
    session: Session, storage: Storage, analyzer, user: User, cell: Unit, name: str, data: bytes, max_bytes: int
) -> list[Outcome]:
    """Check, analyse and store one uploaded file (a zip gives one outcome per member) for cell; commits."""
    name = safe_name(name)
    try:
        kind = check(name, data, max_bytes)
        if kind == "zip":
            members = _members(name, data, max_bytes)
            archive = storage.put(data)
            return [_ingest_one(session, storage, analyzer, user, cell, n, d, max_bytes, archive) for n, d in members]
    except UploadRefused as exc:
        return [Outcome(name, "refused", reason=exc.reason, http_status=exc.status)]
    return [_ingest_one(session, storage, analyzer, user, cell, name, data, max_bytes, None)]


def _ingest_one(
    session: Session,
    storage: Storage,
    analyzer,
    user: User,
    cell: Unit,
    name: str,
    data: bytes,
    max_bytes: int,
    archive: str | None,
) -> Outcome:
    try:
        kind = check(name, data, max_bytes)
    except UploadRefused as exc:
        return Outcome(name, "refused", reason=exc.reason, http_status=exc.status)
    digest = hashlib.sha256(data).hexdigest()
    existing = session.scalar(select(Document.id).where(Document.unit_id == cell.id, Document.sha256 == digest))
    if existing is not None:
        return _duplicate(name, existing)
    try:
        meeting = analyze_bytes(analyzer, name, kind, data)
    except MinutesError as exc:
        return Outcome(name, "refused", reason=reason_for(exc), http_status=422)
    except Exception:  # a reader bug on a malformed file must not become a 500 nor lose the others
        log.exception("analysis of %s failed", name)
        return Outcome(
            name,
            "refused",
            reason=_("the file could not be analysed (an error while reading it); save it again in Word and upload it"),
            http_status=422,
        )
    storage.put(data)
    doc = Document(
        unit_id=cell.id,
        sha256=digest,
        original_name=name,
        kind=kind,
        size=len(data),
        archive_sha256=archive,
        uploaded_by=user.id,
    )
    session.add(doc)
    try:
        session.flush()
        session.add(analysis_row(doc.id, meeting))
        session.commit()
    except IntegrityError:  # the same file reached the same cell in a concurrent request
        session.rollback()
        existing = session.scalar(select(Document.id).where(Document.unit_id == cell.id, Document.sha256 == digest))
        return _duplicate(name, existing)
    return Outcome(
        name,
        "created",
        doc.id,
        http_status=201,
        flags=[f.code for f in meeting.flags],
        level=meeting.score.get("level"),
    )


def _duplicate(name: str, document_id: int | None) -> Outcome:
    return Outcome(
        name,
        "duplicate",
        document_id,
        http_status=200,
        reason=_("this file was uploaded to the cell before (minutes number {id}); it is not stored again").format(
            id=document_id
        ),
    )


def safe_name(name: str | None) -> str:
    """The file's own name without any folder part or control characters (it is shown and stored, never a path)."""
    base = re.split(r"[/\\]", name or "")[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    return base[:200] or "tep-khong-ten"
