"""One file in, one corpus-format record out: read, normalise, segment."""

from __future__ import annotations

from pathlib import Path

from minutes_nlp.reading.documents import read
from minutes_nlp.reading.ocr import Progress
from minutes_nlp.segmentation.turns import segment
from minutes_nlp.types import SegmentedDocument


def segment_document(path: str | Path, ocr: str = "auto", progress: Progress | None = None) -> SegmentedDocument:
    """Return the segmented document of the minutes file at path (raises MinutesError); ocr and progress as read()."""
    doc = read(path, ocr=ocr, progress=progress)
    result = segment(doc.text, str(path))
    result.source = doc.source
    return result


def segment_file(path: str | Path, ocr: str = "auto", progress: Progress | None = None) -> dict:
    """Return the corpus-format record of the minutes file at path, with ``source_file`` and header facts."""
    result = segment_document(path, ocr, progress)
    record = result.to_record(Path(path).stem)
    record = {"id": record["id"], "source_file": Path(path).name, **{k: v for k, v in record.items() if k != "id"}}
    if result.stated_remarks is not None:
        record["meta"]["stated_remarks"] = result.stated_remarks
    return record
