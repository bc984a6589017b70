"""The records every stage passes on; ``to_dict()`` gives the corpus-format / report-contract shape."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class Source:
    """Where a text came from and how it was decoded."""

    path: str | None = None
    format: str = "text"  # txt, docx, pdf, doc, html, text
    encoding: str | None = None  # byte encoding of a text file
    legacy_font: str | None = None  # "tcvn3" or "vni" when converted from a legacy font encoding
    repaired_mojibake: bool = False
    pages: int | None = None


@dataclass
class Document:
    """A read and normalised document: every offset in minutes_nlp indexes ``text``."""

    text: str
    source: Source = field(default_factory=Source)


@dataclass
class Sentence:
    start: int
    end: int
    label: str | None = None

    def to_dict(self) -> dict:
        d = {"start": self.start, "end": self.end}
        if self.label is not None:
            d["label"] = self.label
        return d


@dataclass
class Segment:
    start: int
    end: int
    kind: str  # procedural, chair_report, discussion, chair_conclusion
    speaker: str | None = None
    role: str | None = None
    sentences: list[Sentence] = field(default_factory=list)

    def to_dict(self) -> dict:
        d = {"start": self.start, "end": self.end, "kind": self.kind,
             "speaker": self.speaker, "role": self.role}
        if self.kind == "discussion":
            d["sentences"] = [s.to_dict() for s in self.sentences]
        return d


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

    def to_dict(self) -> dict:
        return asdict(self)


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
        return {"id": record_id, "text": self.text, "meta": meta,
                "segments": [s.to_dict() for s in self.segments]}
