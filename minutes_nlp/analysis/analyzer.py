"""Wire the stages: read → segment → classify sentences → measures → score, flags, criteria.

An :class:`Analyzer` loads the model once and analyses one meeting (``__call__``)
or many (``pipe``); :func:`analyze` is the one-call shortcut.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from minutes_nlp.analysis import measures as M
from minutes_nlp.analysis.config import load_config
from minutes_nlp.analysis.criteria import DEFAULT_PROFILE, evaluate_criteria, load_profile
from minutes_nlp.analysis.flags import SEVERITY_ORDER, ocr_flag
from minutes_nlp.analysis.flags import flags as find_flags
from minutes_nlp.analysis.score import score as score_meeting
from minutes_nlp.classifiers.labels import load_model
from minutes_nlp.classifiers.model_store import read_card, resolve
from minutes_nlp.errors import MinutesError
from minutes_nlp.reading.documents import read
from minutes_nlp.reading.ocr import Progress
from minutes_nlp.reading.text import normalize, unwrap
from minutes_nlp.segmentation.sentences import split_sentences
from minutes_nlp.segmentation.turns import segment
from minutes_nlp.types import Document, Header, Meeting, Segment, SegmentedDocument, Sentence

if TYPE_CHECKING:
    import pandas as pd

_VOTE = re.compile(
    r"biểu quyết|tán thành|\b\d+/\d+\s*(?:đồng chí|đ/c|đảng viên)?\s*(?:nhất trí|tán thành|đồng ý)", re.IGNORECASE
)
_TASKS = re.compile(r"\b(?:giao|phân công|chịu trách nhiệm|thời hạn|hoàn thành trước|giao cho)\b", re.IGNORECASE)
_CELL_TYPES = (
    ("school", r"trường|thcs|thpt|tiểu học|mầm non|mẫu giáo|đại học|cao đẳng|khoa .*(?:cntt|sư phạm)"),
    (
        "health",
        r"bệnh viện|trạm y tế|trung tâm y tế|y tế|khoa (?:nội|ngoại|nhi|sản|khám|dược|cấp cứu|xét nghiệm)|phòng khám",
    ),
    ("armed", r"đại đội|tiểu đoàn|trung đoàn|đồn biên phòng|công an|quân sự|ban chỉ huy|quân đội|hải đội|trung đội"),
    ("enterprise", r"công ty|nhà máy|xí nghiệp|phân xưởng|doanh nghiệp|tổng công ty|chi nhánh ngân hàng"),
    ("residential", r"khu phố|tổ dân phố|\bấp\b|thôn|\bbản\b|buôn|khóm|khu dân cư|\bxóm\b|làng"),
    ("agency", r"ubnd|ủy ban|văn phòng|phòng |sở |cơ quan|ban quản lý|hđnd|kho bạc|chi cục|trung tâm"),
)


def cell_type_of(cell: str | None) -> str | None:
    """The corpus cell type its name says (codebook/corpus-format), or None when the name is not telling."""
    if not cell:
        return None
    low = cell.lower()
    for kind, pattern in _CELL_TYPES:
        if re.search(pattern, low):
            return kind
    return None


def ocr_report(doc: Document, low: float) -> dict:
    """The report's ``ocr`` object: pages OCR read, its mean confidence, and the lines below low (offsets of text)."""
    lines = doc.ocr_lines
    return {
        "pages": doc.source.ocr_pages,
        "confidence": round(doc.source.ocr_confidence or 0.0, 3),
        "lines": len(lines),
        "low_confidence_threshold": low,
        "low_confidence_lines": [
            {"start": x.start, "end": x.end, "confidence": round(x.confidence, 3)} for x in lines if x.confidence < low
        ],
    }


def _span(text: str, start: int, end: int) -> dict:
    return {"start": start, "end": end, "text": text[start:end]}


class Analyzer:
    """Analyse minutes with one loaded model; ``__call__`` for one meeting, ``pipe`` for many."""

    def __init__(
        self,
        model="default",
        config: str | Path | dict | None = None,
        profile: str | Path = DEFAULT_PROFILE,
        ocr: str = "auto",
    ):
        self.model_dir = resolve(model) if isinstance(model, (str, Path)) else None
        self.classifier = load_model(model) if isinstance(model, (str, Path)) else model
        card = read_card(self.model_dir) if self.model_dir else {}
        self.model_info = {
            "name": card.get("name", type(self.classifier).__name__),
            "classifier": card.get("classifier"),
            "version": (card.get("model_sha256") or "")[:12] or None,
        }
        self.config = config if isinstance(config, dict) else load_config(config)
        self.profile = load_profile(profile)
        self.ocr = ocr  # when scanned pages are read by OCR: auto, always, never (reading.documents.read)

    def __call__(self, source: str | Path, source_id: str | None = None, progress: Progress | None = None) -> Meeting:
        """Analyse a minutes file (path) or minutes text; raises MinutesError for bad input.

        progress is called with (pages done, pages in all) while OCR reads a scan or photos.
        """
        seg, meeting_id, source_file, doc = self._segmented(source, source_id, progress)
        return self._with_ocr(self.analyze_segmented(seg, meeting_id, source_file), doc)

    def _segmented(
        self, source: str | Path, source_id: str | None = None, progress: Progress | None = None
    ) -> tuple[SegmentedDocument, str, str | None, Document | None]:
        """Read (a path) or normalise (a text) and segment; return the segments, meeting id, file name and the
        read Document (None for text)."""
        if isinstance(source, Path) or (
            isinstance(source, str)
            and "\n" not in source
            and len(source) < 4096
            and Path(source).suffix
            and Path(source).exists()
        ):
            path = Path(source)
            doc = read(path, ocr=self.ocr, progress=progress)
            return segment(doc.text, str(path)), source_id or path.stem, path.name, doc
        text = unwrap(normalize(source))
        return segment(text, source_id or "<text>"), source_id or "text", None, None

    def analyze_document(self, doc: Document, meeting_id: str, source_file: str | None) -> Meeting:
        """Segment and analyse a read Document; what OCR read carries its confidence and may raise a flag."""
        seg = segment(doc.text, doc.source.path or meeting_id)
        return self._with_ocr(self.analyze_segmented(seg, meeting_id, source_file), doc)

    def _with_ocr(self, meeting: Meeting, doc: Document | None) -> Meeting:
        """The meeting with the report's ocr object and its flag, when OCR read the document."""
        if doc is not None and doc.source.ocr_pages:
            meeting.ocr = ocr_report(doc, self.config["flags"]["ocr_low_line"])
            found = ocr_flag(meeting.ocr, doc.text, self.config["flags"])
            if found:
                meeting.flags = sorted([*meeting.flags, found], key=lambda f: SEVERITY_ORDER[f.severity])
        return meeting

    def pipe(self, sources: Iterable[str | Path], batch_size: int = 64) -> Iterator[Meeting | MinutesError]:
        """Analyse many sources in order, yielding a Meeting or the MinutesError of a bad one.

        Sentences of up to batch_size meetings are labelled in one call of the classifier, which
        costs far less than one call per meeting.
        """
        batch: list = []
        for src in sources:
            try:
                batch.append(self._segmented(src))
            except MinutesError as exc:
                batch.append(exc)
            if len(batch) >= batch_size:
                yield from self._finish(batch)
                batch = []
        yield from self._finish(batch)

    def _finish(self, batch: list) -> Iterator[Meeting | MinutesError]:
        done = [b for b in batch if not isinstance(b, MinutesError)]
        self._label_all([b[0] for b in done])
        for b in batch:
            if isinstance(b, MinutesError):
                yield b
                continue
            try:
                seg, meeting_id, source_file, doc = b
                yield self._with_ocr(self.analyze_segmented(seg, meeting_id, source_file, labelled=True), doc)
            except MinutesError as exc:
                yield exc

    def label(self, seg: SegmentedDocument) -> None:
        """Give every sentence of every contribution a label and a confidence, in one batch."""
        self._label_all([seg])

    def _label_all(self, docs: list[SegmentedDocument]) -> None:
        items, where = [], []
        for seg in docs:
            for c in seg.contributions:
                for i, s in enumerate(c.sentences):
                    items.append(
                        {
                            "text": seg.text[s.start : s.end],
                            "position": i,
                            "n": len(c.sentences),
                            "prev": seg.text[c.sentences[i - 1].start : c.sentences[i - 1].end] if i else "",
                            "role": c.role or "",
                        }
                    )
                    where.append(s)
        if not items:
            return
        proba = self.classifier.predict_proba(items)
        classes = [str(c) for c in self.classifier.classes_]
        for s, k, p, item in zip(where, proba.argmax(axis=1).tolist(), proba.max(axis=1).tolist(), items):
            s.label, s.confidence = classes[k], p
            s.specific = M.is_specific(item["text"]) if s.label == "proposal" else None

    def rescore(self, report: dict) -> Meeting:
        """Measure, score and flag a report's segments and sentence labels as they stand (a corrected analysis).

        Nothing is read, segmented or labelled again: the segments, speakers, roles and labels are
        the report's own, so a person's corrections decide the measures.
        """
        meta = report.get("meta", {})
        fields = {f.name for f in dataclasses.fields(Header)} - {"people"}
        header = Header(**{k: v for k, v in meta.items() if k in fields})
        segments = [
            Segment(
                s["start"],
                s["end"],
                s["kind"],
                s.get("speaker"),
                s.get("role"),
                [
                    Sentence(x["start"], x["end"], x.get("label"), x.get("confidence"), x.get("specific"))
                    for x in s.get("sentences", [])
                ],
            )
            for s in report["segments"]
        ]
        for seg in segments:
            for x in seg.sentences:
                x.specific = M.is_specific(report["text"][x.start : x.end]) if x.label == "proposal" else None
        seg = SegmentedDocument(report["text"], header, segments, meta.get("stated_remarks"))
        meeting = self.analyze_segmented(seg, report["id"], report.get("source_file"), labelled=True)
        meeting.model = report.get("model", meeting.model)  # the labels are still that model's, as corrected
        return meeting

    def analyze_segmented(
        self, seg: SegmentedDocument, meeting_id: str, source_file: str | None, labelled: bool = False
    ) -> Meeting:
        """Label (unless labelled already), measure, score and flag a segmented document."""
        if not labelled:
            self.label(seg)
        text, h = seg.text, seg.header
        meta = {k: v for k, v in h.to_dict().items() if v not in (None, [])}
        kind = cell_type_of(h.cell)
        if kind:
            meta["cell_type"] = kind
        if seg.stated_remarks is not None:
            meta["stated_remarks"] = seg.stated_remarks
        contribs = seg.contributions
        metrics, evidence = self.measure(text, seg.segments, contribs, h)
        metrics["stated_remarks"] = seg.stated_remarks
        cfg = self.config
        result_score = score_meeting(metrics, evidence, cfg["score"])
        found = find_flags(metrics, meta, evidence, cfg["flags"])
        criteria = evaluate_criteria(metrics, meta, self.profile)
        return Meeting(
            id=meeting_id,
            source_file=source_file,
            text=text,
            meta=meta,
            segments=seg.segments,
            metrics=metrics,
            score=result_score,
            flags=found,
            criteria=criteria,
            model=self.model_info,
        )

    def measure(self, text: str, segments: list[Segment], contribs: list[Segment], h) -> tuple[dict, dict]:
        """Return the codebook §6 measures and the evidence spans behind them."""
        cdicts = [{"start": c.start, "end": c.end, "speaker": c.speaker, "role": c.role} for c in contribs]
        speakers = M.member_speakers(cdicts)
        primaries = [c.primary_label for c in contribs]
        proposals = [(c, s) for c in contribs for s in c.sentences if s.label == "proposal"]
        conclusions = [s for s in segments if s.kind == "chair_conclusion"]
        concl_sents = [text[x.start : x.end] for c in conclusions for x in split_sentences(text, c.start, c.end)]
        up_cfg = self.config["uptake"]
        concl_words = [M.content_words(x) for x in concl_sents] if proposals else []
        pairs, missed = [], []
        for _c, s in proposals:
            hit = M.taken_up(
                text[s.start : s.end], concl_sents, up_cfg["min_shared_words"], up_cfg["min_overlap"], concl_words
            )
            (pairs if hit else missed).append((s, hit))
        disc_chars = sum(c.end - c.start for c in contribs) or 1
        chair_chars = sum(c.end - c.start for c in contribs if c.role == "chair")
        procedural = " ".join(text[s.start : s.end] for s in segments if s.kind == "procedural")
        metrics = {
            "attendance_rate": M.attendance_rate(h.members_present, h.members_total, h.members_exempt),
            "participation_rate": M.participation_rate(len(speakers), h.members_present),
            "duration_minutes": M.duration_minutes(h.start_time, h.end_time),
            "contributions": len(contribs),
            "member_speakers": len(speakers),
            "guest_contributions": sum(c.role == "guest" for c in contribs),
            "stated_remarks": None,
            "label_shares": M.label_shares(primaries),
            "proposal_count": sum(p == "proposal" for p in primaries),
            "proposal_sentences": len(proposals),
            "specific_proposal_count": sum(1 for _, s in proposals if s.specific),
            "has_proposal": any(p == "proposal" for p in primaries),
            "talk_share": M.talk_share(cdicts),
            "chair_share": round(chair_chars / disc_chars, 4) if contribs else None,
            "has_conclusion": bool(conclusions),
            "has_vote": bool(_VOTE.search(procedural)) or any(_VOTE.search(text[c.start : c.end]) for c in conclusions),
            "has_tasks": any(_TASKS.search(s) for s in concl_sents),
            "conclusion_uptake": {
                "proposals": len(proposals),
                "taken_up": len(pairs),
                "evidence": [{"proposal": _span(text, s.start, s.end), "conclusion": hit} for s, hit in pairs],
            },
        }
        evidence = {
            "participation": [{"note": ", ".join(speakers)}] if speakers else [],
            "engagement": [
                _span(text, c.start, c.end)
                for c, p in zip(contribs, primaries)
                if p in ("proposal", "complaint", "report")
            ],
            "proposals": [_span(text, s.start, s.end) for _, s in proposals],
            "specific": [_span(text, s.start, s.end) for _, s in proposals if s.specific],
            "problems": [_span(text, s.start, s.end) for c in contribs for s in c.sentences if s.label == "complaint"],
            "uptake": [_span(text, s.start, s.end) for s, _ in pairs],
            "not_taken_up": [_span(text, s.start, s.end) for s, _ in missed],
            "agreement_only": [
                _span(text, c.start, c.end) for c, p in zip(contribs, primaries) if p in ("agreement", "other")
            ],
            "contributions": [_span(text, c.start, c.end) for c in contribs],
        }
        return metrics, evidence


def analyze(source: str | Path, model="default", **options) -> Meeting:
    """Analyse one minutes file or text with a fresh Analyzer (use Analyzer for many)."""
    return Analyzer(model, **options)(source)


def contributions_frame(meetings: Iterable[Meeting]) -> pd.DataFrame:
    """One row per contribution: meeting, speaker, role, primary label, labels, sentences, text."""
    import pandas as pd

    rows = []
    for m in meetings:
        for i, c in enumerate(m.contributions):
            rows.append(
                {
                    "meeting_id": m.id,
                    "cell": m.meta.get("cell"),
                    "date": m.meta.get("date"),
                    "index": i,
                    "speaker": c.speaker,
                    "role": c.role,
                    "primary_label": c.primary_label,
                    "labels": ", ".join(c.labels),
                    "sentences": len(c.sentences),
                    "specific_proposals": sum(bool(s.specific) for s in c.sentences),
                    "text": m.text[c.start : c.end],
                }
            )
    return pd.DataFrame(rows)


def meetings_frame(meetings: Iterable[Meeting]) -> pd.DataFrame:
    """One row per meeting: header facts, measures, score, level and flag codes."""
    import pandas as pd

    rows = []
    for m in meetings:
        x = m.metrics
        rows.append(
            {
                "meeting_id": m.id,
                "source_file": m.source_file,
                "committee": m.meta.get("committee"),
                "cell": m.meta.get("cell"),
                "cell_type": m.meta.get("cell_type"),
                "date": m.meta.get("date"),
                "meeting_type": m.meta.get("meeting_type"),
                "members_total": m.meta.get("members_total"),
                "members_present": m.meta.get("members_present"),
                "attendance_rate": x["attendance_rate"],
                "participation_rate": x["participation_rate"],
                "duration_minutes": x["duration_minutes"],
                "contributions": x["contributions"],
                "member_speakers": x["member_speakers"],
                **{f"share_{k}": v for k, v in x["label_shares"].items()},
                "proposal_count": x["proposal_count"],
                "specific_proposal_count": x["specific_proposal_count"],
                "has_proposal": x["has_proposal"],
                "score": m.score["substantive"],
                "level": m.score["level"],
                "flags": ", ".join(f.code for f in m.flags),
            }
        )
    return pd.DataFrame(rows)
