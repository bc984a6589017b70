"""Training data from people's work in the service: corrected meetings and the annotation queue's labels.

``corrections export`` and the researcher page write them as corpus JSONL (corpus-format.md),
anonymised by web/anonymize.py, for ``minutes-nlp train --extra``:

- a **corrected** meeting (``corrected-DOC-ANALYSIS``) is its latest corrected version, every sentence
  labelled (the model's label where nobody changed it, which the corrector saw and left);
- a meeting with **queue labels** (``queue-DOC-ANALYSIS``) keeps its whole anonymised text, but its
  segments are only the runs of consecutive labelled sentences of each contribution, each run a
  discussion segment of that contribution's speaker and role. The format asks every sentence of a
  segment to carry a label; the researchers labelled a few sentences of a meeting, not all, and the
  model's labels of the others are not data a person checked, so they are left out rather than
  trained on as if they were. A run keeps its sentences' order, so a labelled sentence after a
  labelled one keeps it as its previous sentence; a run's first sentence loses the context before it.
- when a meeting has both, the queue's labels go into the corrected record, on the sentences whose
  label the corrector left as the model's (a corrector's own label stands).

A queue item's label: the adjudicated one; else the label two researchers agreed on; else the one
researcher's label. Skipped items and disagreements nobody settled give none.
"""

from __future__ import annotations

import copy
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from minutes_nlp.web.anonymize import ExportCodes, anonymize
from minutes_nlp.web.corrections import newest_corrections
from minutes_nlp.web.db import Analysis, Document, QueueItem, QueueLabel
from minutes_nlp.web.service import known_units


def item_label(item: QueueItem, given: list[str | None]) -> str | None:
    """The label a queue item holds, from its final label and the researchers' answers (None: skipped)."""
    if item.final_label:
        return item.final_label
    labels = [x for x in given if x]
    if len(labels) == 1:
        return labels[0]
    if len(labels) >= 2 and labels[0] == labels[1]:
        return labels[0]
    return None  # nobody labelled it, or two researchers disagree and nobody settled it


def queue_labels(session: Session, units: set[int] | None = None) -> dict[int, dict[tuple[int, int], str]]:
    """analysis id -> {(segment, sentence): label} of the queue items that hold a label, in units (None: all)."""
    query = select(QueueItem).join(Document, QueueItem.document_id == Document.id).order_by(QueueItem.id)
    if units is not None:
        query = query.where(Document.unit_id.in_(units or {-1}))
    items = list(session.scalars(query))
    answers: dict[int, list[str | None]] = defaultdict(list)
    ids = [x.id for x in items]
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for item_id, label in session.execute(
            select(QueueLabel.item_id, QueueLabel.label).where(QueueLabel.item_id.in_(chunk)).order_by(QueueLabel.id)
        ):
            answers[item_id].append(label)
    out: dict[int, dict[tuple[int, int], str]] = defaultdict(dict)
    for item in items:
        label = item_label(item, answers[item.id])
        if label:
            out[item.analysis_id][(item.segment, item.sentence)] = label
    return dict(out)


def _span_labels(report: dict, places: dict[tuple[int, int], str]) -> dict[tuple[int, int], tuple[str, str]]:
    """(start, end) in the report's text -> (the model's label, the queue's label) of each labelled place."""
    out = {}
    for (i, k), label in places.items():
        segments = report.get("segments", [])
        sents = (segments[i].get("sentences") or []) if 0 <= i < len(segments) else []
        if 0 <= k < len(sents):
            out[(sents[k]["start"], sents[k]["end"])] = (sents[k].get("label"), label)
    return out


def _into_corrected(corrected: dict, automatic: dict, places: dict[tuple[int, int], str]) -> int:
    """Put queue labels into a corrected report where the corrector left the model's label; return how many."""
    spans = _span_labels(automatic, places)
    applied = 0
    for seg in corrected.get("segments", []):
        if seg.get("kind") != "discussion":
            continue
        for sent in seg.get("sentences") or []:
            model_label, label = spans.get((sent["start"], sent["end"]), (None, None))
            if label and sent.get("label") == model_label:
                sent["label"] = label
                applied += 1
    return applied


def _labelled_runs(segments: list[dict], places: dict[tuple[int, int], str]) -> list[dict]:
    """The runs of consecutive labelled sentences of each contribution, as discussion segments."""
    out = []
    for i, seg in enumerate(segments):
        if seg.get("kind") != "discussion" or not seg.get("speaker") or not seg.get("role"):
            continue  # the format needs a discussion segment's speaker and role
        run: list[dict] = []
        for k, sent in enumerate([*(seg.get("sentences") or []), None]):
            label = places.get((i, k)) if sent is not None else None
            if label:
                run.append({"start": sent["start"], "end": sent["end"], "label": label})
                continue
            if run:
                out.append(
                    {
                        "start": run[0]["start"],
                        "end": run[-1]["end"],
                        "kind": "discussion",
                        "speaker": seg["speaker"],
                        "role": seg["role"],
                        "sentences": run,
                    }
                )
                run = []
    return out


def export_records(session: Session, units: set[int] | None = None) -> tuple[list[dict], dict[str, int]]:
    """Corrected meetings and queue-labelled sentences in units (None: all), anonymised corpus records.

    Returns the records (train split) and counts: corrected meetings, queue meetings, queue labels.
    """
    codes = ExportCodes()  # one key for the export: a cell keeps its code across the file
    labels = queue_labels(session, units)
    counts = {"corrected": 0, "queue_meetings": 0, "queue_labels": 0}
    records = []
    for c, versions in newest_corrections(session, units):
        report = copy.deepcopy(c.report)
        places = labels.pop(c.analysis_id, {})
        applied = _into_corrected(report, session.get(Analysis, c.analysis_id).report, places) if places else 0
        doc = session.get(Document, c.document_id)
        known = known_units(session, doc.unit_id)
        record = anonymize(report, f"corrected-{c.document_id}-{c.analysis_id}", codes, known)
        record.pop("model", None)
        record["meta"]["split"] = "train"
        record["meta"]["corrections"] = versions
        if applied:
            record["meta"]["queue_labels"] = applied
        counts["corrected"] += 1
        counts["queue_labels"] += applied
        records.append(record)
    for analysis_id, places in sorted(labels.items()):
        analysis = session.get(Analysis, analysis_id)
        doc = session.get(Document, analysis.document_id)
        record = anonymize(analysis.report, f"queue-{doc.id}-{analysis_id}", codes, known_units(session, doc.unit_id))
        record.pop("model", None)
        record["segments"] = _labelled_runs(record["segments"], places)
        n = sum(len(s["sentences"]) for s in record["segments"])
        if not n:
            continue
        record["meta"]["split"] = "train"
        record["meta"]["queue_labels"] = n
        counts["queue_meetings"] += 1
        counts["queue_labels"] += n
        records.append(record)
    return records, counts
