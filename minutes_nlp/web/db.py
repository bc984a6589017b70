"""The database: units, users, API tokens, sign-in sessions, sign-in limits, the audit trail,
stored uploads (documents) and their versioned analyses.

A document is one uploaded minutes file (its bytes live in the storage folder,
named by SHA-256); an analysis is the report JSON of one model version over a
document. Re-analysis adds a row and moves ``current``; nothing is deleted.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    text,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    mapped_column,
    relationship,
    sessionmaker,
)

ROLES = ("secretary", "supervisor", "researcher", "admin")
UNIT_KINDS = ("committee", "cell")


def now() -> datetime:
    return datetime.now(UTC)


def aware(moment: datetime | None) -> datetime | None:
    """moment with its UTC zone (SQLite hands datetimes back without it)."""
    return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=UTC)


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 with the UTC offset (SQLite hands datetimes back without their zone)."""
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


class Base(DeclarativeBase):
    pass


class Unit(Base):
    """A party committee (đảng bộ, may contain committees and cells) or a party cell (chi bộ)."""

    __tablename__ = "units"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    parent: Mapped[Unit | None] = relationship(remote_side="Unit.id")
    __table_args__ = (UniqueConstraint("parent_id", "name", name="uq_units_parent_name"),)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    full_name: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    unit: Mapped[Unit | None] = relationship()


class ApiToken(Base):
    """A bearer token; only the SHA-256 of the token is kept, the token itself is shown once."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    user: Mapped[User] = relationship()


class WebSession(Base):
    """A signed-in browser; the cookie holds a random key, the table its SHA-256, so a session can be ended."""

    __tablename__ = "web_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    address: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ended_reason: Mapped[str | None] = mapped_column(String(30))
    user: Mapped[User] = relationship()


class SignInLimit(Base):
    """Failed sign-ins counted per account name or per client address; version makes each update compare-and-set."""

    __tablename__ = "sign_in_limits"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # account, address
    key: Mapped[str] = mapped_column(String(100))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    next_allowed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    locked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    __table_args__ = (UniqueConstraint("kind", "key", name="uq_sign_in_limits_kind_key"),)


class AuditEvent(Base):
    """One line of the audit trail: when, what happened, to whom, by whom, from where."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now, index=True)
    event: Mapped[str] = mapped_column(String(30), index=True)
    username: Mapped[str | None] = mapped_column(String(100), index=True)
    actor: Mapped[str | None] = mapped_column(String(100))
    address: Mapped[str | None] = mapped_column(String(64))
    target: Mapped[str | None] = mapped_column(String(300))
    detail: Mapped[str | None] = mapped_column(String(500))


class Document(Base):
    """One uploaded minutes file of one cell; the same bytes are stored once per cell."""

    __tablename__ = "documents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    original_name: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(10))  # sniffed: docx, pdf, doc, html, txt
    size: Mapped[int] = mapped_column(Integer)
    archive_sha256: Mapped[str | None] = mapped_column(String(64))  # the zip it came in, also stored
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now, index=True)
    unit: Mapped[Unit] = relationship()
    uploader: Mapped[User] = relationship()
    __table_args__ = (UniqueConstraint("unit_id", "sha256", name="uq_documents_unit_sha256"),)


class Analysis(Base):
    """The report JSON (docs/report.md) of one model version over a document, with columns to filter on."""

    __tablename__ = "analyses"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    model_name: Mapped[str | None] = mapped_column(String(100))
    model_version: Mapped[str] = mapped_column(String(64))
    current: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    meeting_date: Mapped[str | None] = mapped_column(String(10))  # YYYY-MM-DD as the minutes state it
    month: Mapped[str | None] = mapped_column(String(7), index=True)
    level: Mapped[str | None] = mapped_column(String(20), index=True)
    score: Mapped[float | None] = mapped_column(Float)
    report: Mapped[dict] = mapped_column(JSON)
    document: Mapped[Document] = relationship()
    flags: Mapped[list[AnalysisFlag]] = relationship(cascade="all, delete-orphan")
    __table_args__ = (UniqueConstraint("document_id", "model_version", name="uq_analyses_document_version"),)


class AnalysisFlag(Base):
    __tablename__ = "analysis_flags"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    analysis_id: Mapped[int] = mapped_column(ForeignKey("analyses.id"), index=True)
    code: Mapped[str] = mapped_column(String(50), index=True)
    severity: Mapped[str] = mapped_column(String(10))


class Rating(Base):
    """A supervisor's own judgement of a meeting (level and 0-100, with a note); every rating is kept."""

    __tablename__ = "ratings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    analysis_id: Mapped[int | None] = mapped_column(ForeignKey("analyses.id"))  # the report the supervisor saw
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    level: Mapped[str] = mapped_column(String(20))
    substantive: Mapped[float] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    user: Mapped[User] = relationship()


class Correction(Base):
    """A corrected version of a meeting's analysis: one person's change on top of the previous version.

    ``report`` is the whole report recomputed from the corrected segments and labels (measures,
    score, flags, criteria); the automatic analysis it started from stays in ``analyses``.
    """

    __tablename__ = "corrections"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    analysis_id: Mapped[int] = mapped_column(ForeignKey("analyses.id"))  # the automatic analysis corrected
    version: Mapped[int] = mapped_column(Integer)  # 1, 2, ... per automatic analysis
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    change: Mapped[dict] = mapped_column(JSON)  # the operation that made this version from the previous one
    level: Mapped[str | None] = mapped_column(String(20))
    score: Mapped[float | None] = mapped_column(Float)
    report: Mapped[dict] = mapped_column(JSON)
    user: Mapped[User] = relationship()
    __table_args__ = (UniqueConstraint("analysis_id", "version", name="uq_corrections_analysis_version"),)


class CorrectionFlag(Base):
    """A flag a corrected version raises: lets lists filter by the corrected flags, like analysis_flags."""

    __tablename__ = "correction_flags"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    correction_id: Mapped[int] = mapped_column(ForeignKey("corrections.id"), index=True)
    code: Mapped[str] = mapped_column(String(50), index=True)


class QueueItem(Base):
    """A sentence offered to researchers for labelling, anonymised, with the model's label and top-two margin.

    ``double`` items are labelled by two researchers (their agreement is measured); ``final_label``
    is set when a researcher adjudicates a disagreement.
    """

    __tablename__ = "queue_items"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    analysis_id: Mapped[int] = mapped_column(ForeignKey("analyses.id"), index=True)
    segment: Mapped[int] = mapped_column(Integer)
    sentence: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)  # the anonymised sentence
    context: Mapped[str | None] = mapped_column(Text)  # the anonymised sentence before it
    model_label: Mapped[str] = mapped_column(String(20))
    margin: Mapped[float] = mapped_column(Float)
    double: Mapped[bool] = mapped_column(Boolean, default=False)
    final_label: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    __table_args__ = (UniqueConstraint("analysis_id", "segment", "sentence", name="uq_queue_items_sentence"),)


class QueueLabel(Base):
    """One researcher's answer on a queue item: a label, or a skip (label None)."""

    __tablename__ = "queue_labels"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("queue_items.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    label: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    user: Mapped[User] = relationship()
    __table_args__ = (UniqueConstraint("item_id", "user_id", name="uq_queue_labels_item_user"),)


def make_engine(url: str) -> Engine:
    """An engine for url; SQLite gets WAL and a busy timeout so concurrent uploads wait instead of failing."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):
            cur = dbapi_connection.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    # Uploads wait for their analyses without a connection, so 30 per server process is plenty
    # (2 processes stay well under PostgreSQL's default 100).
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=25)


def make_sessionmaker(engine: Engine) -> sessionmaker:
    return sessionmaker(engine, expire_on_commit=False)


MIGRATIONS = Path(__file__).with_name("migrations")
MIGRATION_LOCK = 4_242_001  # PostgreSQL advisory lock held while migrating


def alembic_config(url: str):
    """The Alembic configuration of the migration scripts shipped inside the package."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def migrate(url: str, revision: str = "head") -> str | None:
    """Upgrade the database at url to revision; return the revision it is at afterwards."""
    from alembic import command

    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    if not url.startswith("postgresql"):
        command.upgrade(alembic_config(url), revision)  # SQLite: the migration's transaction locks the file
        return schema_revision(url)
    # PostgreSQL: servers starting together take turns, the later ones find the schema at head and do nothing.
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
            try:
                command.upgrade(alembic_config(url), revision)
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
                conn.commit()
    finally:
        engine.dispose()
    return schema_revision(url)


def schema_revision(url: str) -> str | None:
    """The Alembic revision the database at url is at (None for an empty database)."""
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
