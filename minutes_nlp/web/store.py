"""Taking uploads in: checks, zip unpacking, duplicate detection, storage of the original bytes, analysis.

    >>> outcomes = ingest(session, storage, pool, user, cell, [("kp5-2024-03.docx", data)], max_bytes)
    >>> [(o.name, o.status, o.document_id) for o in outcomes]     # status: created, duplicate, refused

Original bytes are kept in a content-addressed folder (``storage/ab/abcd….bin``,
the name is the SHA-256), so a file is written once however many cells hold it;
a zip's own bytes are kept too and its members point to it. A file is only
stored once it has been analysed (in a worker process, web/workers.py): an
unreadable file leaves nothing behind, and a request's files are stored in one
transaction, so a server killed mid-upload has saved none of them.

No stored file without its row: a request writes its files into its own
staging folder (``storage/.staging/<pid>-<start>-…``, same file system), and
moves them into place only after its transaction commits; a rollback removes
them (``finally``). At start-up ``Storage.recover`` finishes what a killed
process left: a staged file whose row was committed is moved into place, any
other is removed, and so is a stored file no Document row names (only when
older than a grace period: another server process of ``serve --workers N``
may be between its commit and its move, and it always moves after committing).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from minutes_nlp.errors import MinutesError, NeedsOCR, NoSpeakers
from minutes_nlp.i18n import _
from minutes_nlp.reports.supervise import read_zip
from minutes_nlp.web.db import Analysis, AnalysisFlag, Document, Unit, User
from minutes_nlp.web.sniff import UploadRefused, check
from minutes_nlp.web.workers import InlineAnalysis, owner_alive, process_tag

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


STAGING = ".staging"


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Staging:
    """One request's files, written beside the storage until its transaction commits."""

    def __init__(self, storage: Storage):
        self.storage = storage
        base = storage.root / STAGING
        base.mkdir(parents=True, exist_ok=True)
        self.folder = Path(tempfile.mkdtemp(dir=base, prefix=f"{process_tag()}-"))
        self.committed = False  # once rows name these files, only Storage.recover may remove them

    def put(self, data: bytes) -> str:
        """Write data (once per request), on disk before the transaction that names it commits; its SHA-256."""
        digest = hashlib.sha256(data).hexdigest()
        target = self.folder / f"{digest}.bin"
        if not target.exists():
            with open(target, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            _fsync_dir(self.folder)
        return digest

    def publish(self, digests: set[str]) -> None:
        """Move the staged files of digests (now committed) into place; always replace, never skip an existing
        name: a recovery sweep may be removing an old unreferenced copy of the same bytes at this moment."""
        for digest in digests:
            target = self.storage.path(digest)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.folder / f"{digest}.bin", target)
        self.committed = False

    def discard(self) -> None:
        """Remove what was not moved into place, unless a commit may name it (then the next start-up decides)."""
        if not self.committed:
            shutil.rmtree(self.folder, ignore_errors=True)


class Storage:
    """Content-addressed storage of original bytes under one folder."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def staging(self) -> Staging:
        return Staging(self)

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / f"{sha256}.bin"

    def sweep(self, older_than: float = 3600) -> int:
        """Remove half-written files (``.up-*``) left by a server killed while writing, older than older_than s."""
        removed, limit = 0, time.time() - older_than
        for tmp in self.root.glob("*/.up-*"):
            try:
                if tmp.stat().st_mtime < limit:
                    tmp.unlink()
                    removed += 1
            except FileNotFoundError:
                pass
        return removed

    def get(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()

    def recover(self, sessions: sessionmaker, grace: float = 600) -> tuple[int, int]:
        """After a crash: (staged files moved into place, files removed), see the module docstring.

        Stored files older than grace seconds are listed before the database is read, so a file
        moved in after that read is never a candidate; a candidate is first renamed away and put back
        if the name meanwhile holds a fresh copy (same bytes: the content names the file)."""
        moved = removed = 0
        limit = time.time() - grace
        candidates = {}
        for path in self.root.glob("??/*.bin"):
            try:
                info = path.stat()
            except FileNotFoundError:
                continue
            if info.st_mtime < limit:
                candidates[path] = info.st_ino
        base = self.root / STAGING
        leftovers = [f for f in base.iterdir() if f.is_dir() and not owner_alive(f.name)] if base.is_dir() else []
        with sessions() as s:
            rows = s.execute(select(Document.sha256, Document.archive_sha256)).all()
        named = {d for row in rows for d in row if d}
        for folder in leftovers:
            for staged in folder.glob("*.bin"):
                try:
                    if staged.stem in named:
                        self.path(staged.stem).parent.mkdir(parents=True, exist_ok=True)
                        os.replace(staged, self.path(staged.stem))
                        moved += 1
                    else:
                        staged.unlink()
                        removed += 1
                except FileNotFoundError:  # another process starting at the same time got there first
                    pass
            shutil.rmtree(folder, ignore_errors=True)
        trash = self.staging()
        try:
            for path, inode in candidates.items():
                if path.stem in named:
                    continue
                away = trash.folder / path.name
                try:
                    os.rename(path, away)
                except FileNotFoundError:
                    continue
                if away.stat().st_ino == inode:
                    away.unlink()
                    removed += 1
                else:  # a request committed and moved this file in after the listing: put it back
                    os.replace(away, path)
        finally:
            trash.discard()
        return moved, removed


def analyze_bytes(analyzer, name: str, kind: str, data: bytes):
    """The Meeting of data read as a file of (sniffed) kind, named name, in this process; MinutesError if unreadable."""
    return InlineAnalysis(analyzer).analyze(name, kind, data)


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


def _members(name: str, data: bytes) -> list[tuple[str, bytes]]:
    """The minutes inside a zip upload, after supervise.read_zip's traversal and zip-bomb checks (in memory)."""
    try:
        items = read_zip(name, data)
    except MinutesError as exc:
        raise UploadRefused(name, reason_for(exc), 422) from None
    longest = Document.original_name.property.columns[0].type.length
    # read_zip gives every member as bytes; a long member path is shortened to fit its column
    members = [(fit_name(item_name, longest), content) for item_name, content in items if isinstance(content, bytes)]
    if not members:
        raise UploadRefused(name, _("the archive holds no minutes (.docx, .pdf, .txt, .html, .doc)"), 422)
    return members


@dataclass
class _Ready:
    """A file analysed and waiting for the request's one transaction."""

    outcome: Outcome
    data: bytes
    kind: str
    digest: str
    meeting: object
    archive: bytes | None
    twins: list[Outcome]  # the same bytes again in this request: duplicates of this one


def ingest(
    session: Session,
    storage: Storage,
    analysis,
    user: User,
    cell: Unit,
    files: list[tuple[str, bytes]],
    max_bytes: int,
) -> list[Outcome]:
    """Check, analyse and store uploaded files (a zip gives one outcome per member) for cell.

    Every file is checked and analysed first; then all that can be kept are
    stored in one transaction. A server killed before the commit has saved
    nothing of the request; the outcomes say exactly which files were saved
    (created), which were already there (duplicate) and which were refused, and why.
    """
    session.commit()  # end the transaction the access checks opened: its connection goes back to the pool
    outcomes: list[Outcome] = []
    ready: dict[str, _Ready] = {}

    def one(name: str, data: bytes, archive: bytes | None) -> None:
        try:
            kind = check(name, data, max_bytes)
        except UploadRefused as exc:
            outcomes.append(Outcome(name, "refused", reason=exc.reason, http_status=exc.status))
            return
        digest = hashlib.sha256(data).hexdigest()
        if digest in ready:
            outcomes.append(_duplicate(name, None))
            ready[digest].twins.append(outcomes[-1])
            return
        existing = session.scalar(select(Document.id).where(Document.unit_id == cell.id, Document.sha256 == digest))
        session.commit()  # no transaction stays open while the file is analysed
        if existing is not None:
            outcomes.append(_duplicate(name, existing))
            return
        try:
            meeting = analysis.analyze(name, kind, data)
        except MinutesError as exc:
            outcomes.append(Outcome(name, "refused", reason=reason_for(exc), http_status=422))
            return
        outcomes.append(Outcome(name, "created", http_status=201))
        ready[digest] = _Ready(outcomes[-1], data, kind, digest, meeting, archive, [])

    for raw_name, data in files:
        name = safe_name(raw_name)
        try:
            if check(name, data, max_bytes) == "zip":
                for member, content in _members(name, data):
                    one(member, content, data)
                continue
        except UploadRefused as exc:
            outcomes.append(Outcome(name, "refused", reason=exc.reason, http_status=exc.status))
            continue
        one(name, data, None)
    _save(session, storage, user, cell, list(ready.values()))
    return outcomes


def _save(session: Session, storage: Storage, user: User, cell: Unit, items: list[_Ready]) -> None:
    """Store items in one transaction; an item another request stored meanwhile becomes a duplicate of it."""
    staging = storage.staging()
    try:
        staging.publish(_commit(session, staging, user, cell, items))
    finally:
        staging.discard()  # after a rollback: no staged copy stays behind
    for item in items:
        if item.outcome.status == "created":
            item.outcome.flags = [f.code for f in item.meeting.flags]
            item.outcome.level = item.meeting.score.get("level")
        for twin in item.twins:
            twin.document_id, twin.reason = item.outcome.document_id, _duplicate("", item.outcome.document_id).reason


def _commit(session: Session, staging: Staging, user: User, cell: Unit, items: list[_Ready]) -> set[str]:
    """Stage items' bytes and commit their rows; the SHA-256 of the files the committed rows name."""
    for item in items:
        if item.archive is not None:
            staging.put(item.archive)
        staging.put(item.data)
    pending = list(items)
    while pending:
        try:
            for item in pending:
                doc = Document(
                    unit_id=cell.id,
                    sha256=item.digest,
                    original_name=item.outcome.name[:500],
                    kind=item.kind,
                    size=len(item.data),
                    archive_sha256=hashlib.sha256(item.archive).hexdigest() if item.archive is not None else None,
                    uploaded_by=user.id,
                )
                session.add(doc)
                session.flush()
                session.add(analysis_row(doc.id, item.meeting))
                item.outcome.document_id = doc.id
            session.commit()
            staging.committed = True  # from here on the staged files are kept if moving them fails
            archives = {hashlib.sha256(i.archive).hexdigest() for i in pending if i.archive is not None}
            return {i.digest for i in pending} | archives
        except IntegrityError:  # the same file reached the same cell in a concurrent request
            session.rollback()
            digests = [i.digest for i in pending]
            query = select(Document.sha256, Document.id).where(
                Document.unit_id == cell.id, Document.sha256.in_(digests)
            )
            taken = dict(session.execute(query).all())
            session.commit()
            if not taken:
                raise
            for item in pending:
                if item.digest in taken:
                    dup = _duplicate(item.outcome.name, taken[item.digest])
                    item.outcome.status, item.outcome.http_status = dup.status, dup.http_status
                    item.outcome.document_id, item.outcome.reason = dup.document_id, dup.reason
            pending = [i for i in pending if i.digest not in taken]
    return set()


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
    return fit_name(base, 200) or "tep-khong-ten"


def fit_name(name: str, limit: int) -> str:
    """name cut to at most limit characters in the middle, keeping its extension (which says how it is read)."""
    if len(name) <= limit:
        return name
    suffix = PurePosixPath(name).suffix
    suffix = suffix if len(suffix) <= 16 else ""
    return name[: limit - len(suffix) - 1] + "…" + suffix
