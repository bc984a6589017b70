"""The records every stage passes on; ``to_dict()`` gives the corpus-format / docs/report.md shape."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from minutes_nlp.codebook import LABELS


@dataclass
class Source:
    """Where a text came from and how it was decoded."""

    path: str | None = None
    format: str = "text"  # txt, docx, pdf, doc, html, text, image (page images read by OCR)
    encoding: str | None = None  # byte encoding of a text file
    legacy_font: str | None = None  # "tcvn3" or "vni" when converted from a legacy font encoding
    repaired_mojibake: bool = False
    pages: int | None = None
    ocr_pages: int = 0  # pages whose text OCR read (a scan or photo)
    ocr_confidence: float | None = None  # OCR's mean confidence over those pages' text, 0-1


@dataclass
class OcrLine:
    """A line of ``Document.text[start:end]`` that OCR read, with Tesseract's confidence in it (0-1)."""

    start: int
    end: int
    confidence: float


@dataclass
class TableCell:
    """One non-empty cell of a table row: its text is ``Document.text[start:end]``."""

    start: int
    end: int
    index: int = 0  # grid column, counted from 0; a cell merged across columns has the first one's
    header: str | None = None  # the text of the header row's cell above it, when the table has one
    column: str | None = None  # "number", "speaker", "role" or "remark" when that header names one


@dataclass
class TableRow:
    """A table row, written in ``Document.text`` as one line with its cells joined by " | "."""

    start: int
    end: int
    table: int  # which table of the document, counted from 0 in body order
    cells: list[TableCell] = field(default_factory=list)
    is_header: bool = False  # the row that names the columns


@dataclass
class Document:
    """A read and normalised document: every offset in minutes_nlp indexes ``text``."""

    text: str
    source: Source = field(default_factory=Source)
    tables: list[TableRow] = field(default_factory=list)  # rows of .docx, .pdf and .html tables, in text order
    ocr_lines: list[OcrLine] = field(default_factory=list)  # the lines OCR read, in text order


@dataclass
class Sentence:
    start: int
    end: int
    label: str | None = None
    confidence: float | None = None
    specific: bool | None = None  # set on proposals only

    def to_dict(self) -> dict:
        d: dict = {"start": self.start, "end": self.end}
        if self.label is not None:
            d["label"] = self.label
        if self.confidence is not None:
            d["confidence"] = round(self.confidence, 4)
        if self.specific is not None:
            d["specific"] = self.specific
        return d


@dataclass
class Segment:
    start: int
    end: int
    kind: str  # procedural, chair_report, discussion, chair_conclusion
    speaker: str | None = None
    role: str | None = None
    sentences: list[Sentence] = field(default_factory=list)

    @property
    def labels(self) -> list[str]:
        """The labels of this contribution's sentences other than 'other', in precedence order (codebook §5)."""
        found = {s.label for s in self.sentences}
        return [lab for lab in LABELS[:-1] if lab in found]

    @property
    def primary_label(self) -> str:
        return self.labels[0] if self.labels else "other"

    def to_dict(self) -> dict:
        d = {"start": self.start, "end": self.end, "kind": self.kind, "speaker": self.speaker, "role": self.role}
        if self.kind == "discussion":
            if any(s.label for s in self.sentences):
                d["labels"] = self.labels
                d["primary_label"] = self.primary_label
            d["sentences"] = [s.to_dict() for s in self.sentences]
        return d


@dataclass
class Person:
    """Someone the header names, with the role they hold in this meeting (codebook §2)."""

    name: str  # as written, without title, rank or degree
    role: str  # chair, secretary, committee, member or guest
    office: str | None = None  # the offices written with the name: "Bí thư chi bộ, Trưởng phòng", "Bí thư Chi đoàn"


@dataclass
class Header:
    """Facts the minutes state about the meeting; None where they do not say."""

    committee: str | None = None
    cell: str | None = None
    meeting_type: str | None = None  # thuong_ky, chuyen_de, kiem_diem, ket_nap, other
    date: str | None = None  # YYYY-MM-DD
    start_time: str | None = None  # HH:MM
    end_time: str | None = None
    place: str | None = None
    chair: str | None = None
    secretary: str | None = None
    guests: list[str] = field(default_factory=list)
    members_total: int | None = None
    members_present: int | None = None
    members_absent: int | None = None
    members_absent_with_reason: int | None = None
    members_absent_without_reason: int | None = None
    members_exempt: int | None = None
    # everyone the header names (chair, secretary, committee, guests), for the segmenter; not a meta field
    people: list[Person] = field(default_factory=list)

    def to_dict(self) -> dict:
        d = asdict(self)
        del d["people"]
        return d


@dataclass
class SegmentedDocument:
    """A document cut into segments, with its header facts and stated remark count."""

    text: str
    header: Header
    segments: list[Segment]
    stated_remarks: int | None = None  # "đã có 6 ý kiến phát biểu"
    source: Source = field(default_factory=Source)

    @property
    def contributions(self) -> list[Segment]:
        return [s for s in self.segments if s.kind == "discussion"]

    def to_record(self, record_id: str) -> dict:
        """Return the corpus-format record (labels left out where not known)."""
        meta = {k: v for k, v in self.header.to_dict().items() if v not in (None, [])}
        return {"id": record_id, "text": self.text, "meta": meta, "segments": [s.to_dict() for s in self.segments]}


@dataclass
class Flag:
    """A finding a supervisor should see; ``code`` is a stable identifier (docs/flags.md)."""

    code: str
    severity: str  # "warning" or "info"
    message: str  # Vietnamese, with the numbers
    evidence: list[dict] = field(default_factory=list)  # {"start", "end", "text"} or {"note"}

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Meeting:
    """One analysed meeting; ``to_dict()`` is docs/report.md."""

    id: str
    text: str
    meta: dict
    segments: list[Segment]
    metrics: dict
    score: dict
    flags: list[Flag]
    criteria: dict
    model: dict
    source_file: str | None = None
    ocr: dict | None = None  # when OCR read the text: pages, confidence, low-confidence lines (docs/report.md)

    @property
    def contributions(self) -> list[Segment]:
        return [s for s in self.segments if s.kind == "discussion"]

    def to_dict(self) -> dict:
        return {
            "schema_version": 1,
            "id": self.id,
            "source_file": self.source_file,
            "text": self.text,
            "meta": self.meta,
            "segments": [s.to_dict() for s in self.segments],
            "metrics": self.metrics,
            "score": self.score,
            "flags": [f.to_dict() for f in self.flags],
            "criteria": self.criteria,
            "model": self.model,
            **({"ocr": self.ocr} if self.ocr else {}),
        }
