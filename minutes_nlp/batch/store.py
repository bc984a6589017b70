"""The Parquet datasets of ``minutes-nlp batch``: one file per chunk and dataset, each written atomically.

``OUT/<dataset>/part-<start>-<digest>.parquet``: start names the place of the
chunk in the input (the source before it, and the model version), digest the
whole list of its sources. A part
is written to a hidden temporary file and renamed into place, so a reader never
sees half a file and a worker killed mid-write leaves only a hidden file that
readers skip. The meetings part is written last: its presence marks the chunk
done. A chunk run again (after a crash, or on a worker that was thought dead)
writes the same names with the same rows, so nothing is duplicated. When the
input grows, the chunk a new file falls in gets a new digest under the same
start; once it is written, the parts of the old digest are removed.
"""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from minutes_nlp.codebook import LABELS

_KEY = [("content_hash", pa.string()), ("model_version", pa.string())]
_I = pa.int32()
_F = pa.float64()
_S = pa.string()

SCHEMAS = {
    "contributions": pa.schema(
        _KEY
        + [("source", _S), ("index", _I), ("speaker", _S), ("role", _S), ("primary_label", _S), ("labels", _S)]
        + [("sentences", _I), ("start", _I), ("end", _I), ("text", _S)]
    ),
    "sentences": pa.schema(
        _KEY
        + [("source", _S), ("contribution", _I), ("index", _I), ("label", _S), ("confidence", _F)]
        + [("specific", pa.bool_()), ("start", _I), ("end", _I), ("text", _S)]
    ),
    "flags": pa.schema(_KEY + [("source", _S), ("code", _S), ("severity", _S), ("message", _S)]),
    "errors": pa.schema(_KEY + [("source", _S), ("kind", _S), ("reason", _S), ("message", _S)]),
    "meetings": pa.schema(
        _KEY
        + [("source", _S), ("meeting_id", _S), ("committee", _S), ("cell", _S), ("cell_type", _S)]
        + [("date", _S), ("meeting_type", _S), ("members_total", _I), ("members_present", _I)]
        + [("attendance_rate", _F), ("participation_rate", _F), ("duration_minutes", _F)]
        + [("contributions", _I), ("member_speakers", _I)]
        + [(f"share_{label}", _F) for label in LABELS]
        + [("proposal_count", _I), ("specific_proposal_count", _I), ("has_proposal", pa.bool_())]
        + [("has_conclusion", pa.bool_()), ("score", _F), ("level", _S), ("flags", _S), ("characters", pa.int64())]
    ),
}
DATASETS = tuple(SCHEMAS)  # in writing order: meetings last
_PART = re.compile(r"^part-([0-9a-f]+)-([0-9a-f]+)\.parquet$")


def part_name(start: str, digest: str) -> str:
    return f"part-{start}-{digest}.parquet"


def prepare(out: Path) -> None:
    """Create OUT and one folder per dataset."""
    for name in DATASETS:
        (out / name).mkdir(parents=True, exist_ok=True)


def write_chunk(out: Path, part: str, rows: dict[str, list[dict]]) -> None:
    """Write one part per dataset (an empty one too, so every dataset can be read), meetings last."""
    for name in DATASETS:
        folder = out / name
        tmp = folder / f".{part}.{uuid.uuid4().hex}.tmp"
        try:
            pq.write_table(pa.Table.from_pylist(rows.get(name, []), schema=SCHEMAS[name]), tmp)
            os.replace(tmp, folder / part)
        finally:
            tmp.unlink(missing_ok=True)


def done(out: Path) -> dict[str, set[str]]:
    """The chunks already written: start → the digests with a meetings part."""
    found: dict[str, set[str]] = {}
    folder = out / "meetings"
    if folder.is_dir():
        for entry in os.scandir(folder):
            m = _PART.match(entry.name)
            if m:
                found.setdefault(m.group(1), set()).add(m.group(2))
    return found


def remove_stale(out: Path, start: str, keep: str) -> None:
    """Remove the parts of chunk start written for another list of sources than keep (the input has changed)."""
    for name in DATASETS:
        for path in (out / name).glob(f"part-{start}-*.parquet"):
            m = _PART.match(path.name)
            if m and m.group(2) != keep:
                path.unlink(missing_ok=True)
