"""Move corpus records to and from annotation and training tools.

Exports: ``csv`` (one row per sentence, with its context), ``spacy`` (a DocBin
of one Doc per sentence, ``doc.cats`` one-hot over the five labels),
``doccano`` (JSONL, one meeting per line, sentence spans as ``label``) and
``label-studio`` (a JSON list of tasks with the sentence spans as
annotations). Doccano and Label Studio files carry the segments, meta and
rating along, so :func:`import_records` rebuilds the exact records.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from minutes_nlp.corpus.dataset import LABELS
from minutes_nlp.errors import CorpusError, UnsupportedFormat, reason_of
from minutes_nlp.extras import require
from minutes_nlp.i18n import _
from minutes_nlp.spreadsheet import csv_cell

if TYPE_CHECKING:
    import pandas as pd

EXPORT_FORMATS = ("csv", "spacy", "doccano", "label-studio")
IMPORT_FORMATS = ("doccano", "label-studio")
SEGMENT_KEYS = ("start", "end", "kind", "speaker", "role")
CSV_COLUMNS = [
    "meeting_id",
    "split",
    "segment",
    "speaker",
    "role",
    "start",
    "end",
    "text",
    "label",
    "prev_text",
    "position",
    "n_sentences",
]

# Label Studio labelling config for the exported tasks (paste into the project settings).
LABEL_STUDIO_CONFIG = (
    """<View>
  <Labels name="label" toName="text">
"""
    + "".join(f'    <Label value="{label}"/>\n' for label in LABELS)
    + """  </Labels>
  <Text name="text" value="$text"/>
</View>
"""
)


def sentence_rows(records: list[dict]) -> pd.DataFrame:
    """Return one row per labelled sentence with its meeting, contribution and context."""
    import pandas as pd

    rows = []
    for record in records:
        text, split = record["text"], (record.get("meta") or {}).get("split")
        for index, seg in enumerate(record["segments"]):
            sentences = seg.get("sentences") or []
            prev = ""
            for position, sent in enumerate(sentences, 1):
                piece = text[sent["start"] : sent["end"]]
                rows.append(
                    {
                        "meeting_id": record["id"],
                        "split": split,
                        "segment": index,
                        "speaker": seg.get("speaker"),
                        "role": seg.get("role"),
                        "start": sent["start"],
                        "end": sent["end"],
                        "text": piece,
                        "label": sent.get("label"),
                        "prev_text": prev,
                        "position": position,
                        "n_sentences": len(sentences),
                    }
                )
                prev = piece
    return pd.DataFrame(rows, columns=CSV_COLUMNS)


def to_csv(records: list[dict], out: str | Path) -> None:
    """Write the sentence rows as UTF-8 CSV; text a spreadsheet would run as a formula gets a leading apostrophe."""
    sentence_rows(records).map(csv_cell).to_csv(out, index=False, encoding="utf-8")


def to_spacy(records: list[dict], out: str | Path) -> None:
    """Write a .spacy DocBin: one Doc per sentence, cats one-hot over the five labels.

    Uses spacy.blank("xx"): spaCy's own "vi" needs pyvi. Each Doc's user_data
    keeps meeting_id, split, segment, start and end.
    """
    require("spacy", str(out))
    import spacy
    from spacy.tokens import DocBin

    nlp = spacy.blank("xx")
    docs = DocBin(store_user_data=True)
    for row in sentence_rows(records).itertuples(index=False):
        doc = nlp.make_doc(row.text)
        doc.cats = {label: float(label == row.label) for label in LABELS}
        doc.user_data.update(
            {
                "meeting_id": row.meeting_id,
                "split": row.split,
                "segment": int(row.segment),
                "start": int(row.start),
                "end": int(row.end),
            }
        )
        docs.add(doc)
    docs.to_disk(out)


def _carried(record: dict) -> dict:
    """The parts of a record the span tools do not hold: segments without sentences, meta, rating."""
    carried = {
        "meta": record.get("meta", {}),
        "segments": [{k: seg.get(k) for k in SEGMENT_KEYS} for seg in record["segments"]],
    }
    if "rating" in record:
        carried["rating"] = record["rating"]
    return carried


def _sentences(record: dict) -> list[dict]:
    return [sent for seg in record["segments"] for sent in seg.get("sentences") or []]


def to_doccano(records: list[dict], out: str | Path) -> None:
    """Write doccano sequence-labelling JSONL: {"id", "text", "label": [[start, end, label]], ...}.

    The other keys (meeting_id, meta, segments, rating) are metadata to doccano.
    """
    with open(out, "w", encoding="utf-8") as f:
        for record in records:
            # doccano replaces "id" with its own number on export; meeting_id survives as metadata.
            line = {
                "id": record["id"],
                "meeting_id": record["id"],
                "text": record["text"],
                "label": [[s["start"], s["end"], s["label"]] for s in _sentences(record)],
            }
            line.update(_carried(record))
            f.write(json.dumps(line, ensure_ascii=False) + "\n")


def _utf16_offsets(text: str) -> list[int]:
    """Return the UTF-16 offset of each str index (Label Studio counts in JavaScript code units)."""
    offsets, pos = [], 0
    for ch in text:
        offsets.append(pos)
        pos += 2 if ord(ch) > 0xFFFF else 1
    offsets.append(pos)
    return offsets


def to_label_studio(records: list[dict], out: str | Path) -> None:
    """Write a Label Studio JSON task list; sentence spans are one annotation per meeting."""
    tasks = []
    for record in records:
        text = record["text"]
        u16 = _utf16_offsets(text)
        result = [
            {
                "id": f"s{i}",
                "from_name": "label",
                "to_name": "text",
                "type": "labels",
                "value": {
                    "start": u16[s["start"]],
                    "end": u16[s["end"]],
                    "text": text[s["start"] : s["end"]],
                    "labels": [s["label"]],
                },
            }
            for i, s in enumerate(_sentences(record))
        ]
        data = {"text": text, "meeting_id": record["id"]}
        data.update(_carried(record))
        tasks.append({"data": data, "annotations": [{"result": result}]})
    Path(out).write_text(json.dumps(tasks, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def export(records: list[dict], fmt: str, out: str | Path) -> None:
    """Write records to out in fmt, one of csv, spacy, doccano, label-studio."""
    writers = {"csv": to_csv, "spacy": to_spacy, "doccano": to_doccano, "label-studio": to_label_studio}
    if fmt not in writers:
        raise UnsupportedFormat(str(out), f"unknown export format {fmt!r}", f"use one of {', '.join(writers)}")
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    writers[fmt](records, out)


# --- import ---------------------------------------------------------------------


def _rebuild(source: str, rid: str, text: str, carried: dict, spans: list[tuple[int, int, str]]) -> dict:
    """Return the corpus record: carried segments with each span put into the discussion that holds it."""
    if not isinstance(carried.get("segments"), list):
        raise CorpusError(source, f"meeting {rid!r} has no segments field; export it with minutes-nlp corpus export")
    segments = [dict(seg) for seg in carried["segments"]]
    for seg in segments:
        if seg.get("kind") == "discussion":
            seg["sentences"] = []
    for start, end, label in sorted(spans):
        home = next(
            (
                seg
                for seg in segments
                if seg.get("kind") == "discussion" and seg["start"] <= start and end <= seg["end"]
            ),
            None,
        )
        if home is None:
            raise CorpusError(source, f"meeting {rid!r}: span [{start}:{end}] {label} lies in no discussion segment")
        home["sentences"].append({"start": start, "end": end, "label": label})
    record = {"id": rid, "text": text, "meta": carried.get("meta", {}), "segments": segments}
    if "rating" in carried:
        record["rating"] = carried["rating"]
    return record


def _doccano_spans(line: dict) -> list[tuple[int, int, str]]:
    # doccano writes [start, end, label] lists in "label"; newer exports use "entities" objects.
    if "entities" in line:
        return [(e["start_offset"], e["end_offset"], e["label"]) for e in line["entities"]]
    return [(s, e, label) for s, e, label in line.get("label", [])]


def from_doccano(path: str | Path) -> list[dict]:
    """Return the corpus records of a doccano JSONL export written by :func:`to_doccano`."""
    records = []
    for number, line in enumerate(_read_lines(path), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            rid = item.get("meeting_id", item["id"])
            records.append(_rebuild(f"{path}:{number}", rid, item["text"], item, _doccano_spans(item)))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise CorpusError(f"{path}:{number}", f"not a doccano line ({type(exc).__name__}: {exc})") from None
    return records


def _chosen_result(task: dict) -> list[dict]:
    """The latest annotation that was not cancelled, else the first prediction, else nothing."""
    kept = [a for a in task.get("annotations") or [] if not a.get("was_cancelled")]
    if kept:
        return kept[-1].get("result", [])
    predictions = task.get("predictions") or []
    return predictions[0].get("result", []) if predictions else []


def from_label_studio(path: str | Path) -> list[dict]:
    """Return the corpus records of a Label Studio JSON (task list) or JSONL export."""
    raw = _read_lines(path)
    whole = "\n".join(raw).strip()
    try:
        tasks = json.loads(whole) if whole.startswith("[") else [json.loads(x) for x in raw if x.strip()]
    except json.JSONDecodeError as exc:
        raise CorpusError(str(path), f"not Label Studio JSON or JSONL ({exc.msg}, line {exc.lineno})") from None
    records = []
    for number, task in enumerate(tasks, 1):
        where = f"{path} task {number}"
        try:
            data = task["data"]
            text = data["text"]
            back = {u: i for i, u in enumerate(_utf16_offsets(text))}
            spans = [
                (back[r["value"]["start"]], back[r["value"]["end"]], r["value"]["labels"][0])
                for r in _chosen_result(task)
                if r.get("type") == "labels"
            ]
            records.append(_rebuild(where, data["meeting_id"], text, data, spans))
        except (KeyError, TypeError, IndexError) as exc:
            raise CorpusError(where, f"not a task exported by minutes-nlp ({type(exc).__name__}: {exc})") from None
    return records


def _read_lines(path: str | Path) -> list[str]:
    try:
        return Path(path).read_text(encoding="utf-8").split("\n")
    except FileNotFoundError:
        raise CorpusError(str(path), _("file not found")) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CorpusError(str(path), _("cannot be read ({reason})").format(reason=reason_of(exc))) from None


def import_records(path: str | Path, fmt: str) -> list[dict]:
    """Return corpus records read from a doccano or label-studio export."""
    readers = {"doccano": from_doccano, "label-studio": from_label_studio}
    if fmt not in readers:
        raise UnsupportedFormat(str(path), f"unknown import format {fmt!r}", f"use one of {', '.join(readers)}")
    return readers[fmt](path)
