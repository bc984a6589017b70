"""Read, validate, split and count the annotated corpus (corpus-format.md).

One meeting per JSON line; every offset is a ``str`` index into the record's
``text``. ``validate`` checks every rule of corpus-format.md and reports each
break as a :class:`Violation` (meeting id, rule code, message, span); the rule
codes are listed in :data:`RULES`.
"""

from __future__ import annotations

import json
import math
import random
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from minutes_nlp.codebook import (
    CELL_TYPES,
    KINDS,
    LABELS,
    LEVEL_BANDS,
    META_INT_FIELDS,
    META_TEXT_FIELDS,
    ROLES,
    primary_label,
)
from minutes_nlp.errors import CorpusError, reason_of
from minutes_nlp.i18n import _
from minutes_nlp.reading.text import normalize

if TYPE_CHECKING:
    import pandas as pd

SOURCES = ("written", "real", "converted")
SPLITS = ("train", "dev", "test")
SPLIT_SHARES = {"train": 0.70, "dev": 0.15, "test": 0.15}

RULES = {
    "missing-field": "a required field is absent",
    "field-type": "a field has the wrong type",
    "duplicate-id": "two meetings share an id",
    "text-not-nfc": "text is not Unicode NFC",
    "text-not-normalized": "text differs from minutes_nlp.reading.text.normalize(text)",
    "cell-type": "meta.cell_type is not one of the 7 cell types",
    "source": "meta.source is not written, real or converted",
    "members": "a meta.members_* field is neither an integer nor null",
    "date": "meta.date is not YYYY-MM-DD",
    "split": "meta.split is not train, dev or test",
    "span-bounds": "a span is empty or reaches outside the text",
    "span-whitespace": "a span starts or ends with whitespace",
    "segment-order": "segments are not in document order",
    "segment-overlap": "two segments overlap",
    "segment-kind": "segment kind is not one of the 4 kinds",
    "role": "role is not chair, secretary, committee, member, guest or null",
    "speaker-missing": "a non-procedural segment has no speaker or no role",
    "speaker-empty": "speaker is an empty string",
    "speaker-title": "speaker starts with a title (Đồng chí, Đ/c)",
    "speaker-role": "speaker ends with a role in brackets",
    "sentences-not-allowed": "sentences on a segment that is not a discussion",
    "sentences-missing": "a discussion segment has no sentences",
    "sentence-outside": "a sentence is not inside its segment",
    "sentence-order": "sentences are not in order",
    "sentence-overlap": "two sentences overlap",
    "sentence-label": "label is not one of the five labels",
    "sentence-gap": "words between two sentences are in no sentence",
    "sentence-tail": "words after the last sentence are in no sentence",
    "rating-substantive": "rating.substantive is not an integer 0-100",
    "rating-level": "rating.level is not tot, kha, trung_binh or kem",
    "rating-band": "rating.level disagrees with the codebook band of rating.substantive",
}

_TITLES = ("đồng chí ", "đ/c", "đc ")
_BRACKETED_END = re.compile(r"\([^()]*\)\s*$")
# A lettered bullet ("a)", "b.") may sit between two sentences of a list of remarks.
_LETTER_BULLET = re.compile(r"(?<!\w)[^\W\d_][.)](?=\s|$)")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Violation:
    """One broken rule of corpus-format.md in one meeting."""

    meeting_id: str
    rule: str
    message: str
    span: tuple[int, int] | None = None

    def __str__(self) -> str:
        where = f"[{self.span[0]}:{self.span[1]}]" if self.span else "[-]"
        return f"{self.meeting_id}  {self.rule}  {where}  {self.message}"


# --- reading and writing --------------------------------------------------------


def load(path: str | Path) -> list[dict]:
    """Return the records of a JSONL corpus file; a bad line raises CorpusError naming it."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").split("\n")
    except FileNotFoundError:
        raise CorpusError(str(path), _("file not found")) from None
    except UnicodeDecodeError as exc:
        raise CorpusError(str(path), _("not UTF-8 (at byte {position})").format(position=exc.start)) from None
    except OSError as exc:
        raise CorpusError(str(path), _("cannot be read ({reason})").format(reason=reason_of(exc))) from None
    records = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CorpusError(
                f"{path}:{number}",
                _("not valid JSON (at column {column})").format(column=exc.colno),
            ) from None
        if not isinstance(record, dict):
            raise CorpusError(f"{path}:{number}", _("a line must be one JSON object (one meeting)"))
        records.append(record)
    return records


def write(records: list[dict], path: str | Path) -> None:
    """Write records as JSONL (UTF-8, one meeting per line), creating the folder."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        for record in records:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")


# --- validation -----------------------------------------------------------------


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class _Checker:
    """Collects the violations of one record."""

    def __init__(self, record_id: str, text: str):
        self.id, self.text, self.found = record_id, text, []

    def add(self, rule: str, message: str, span: tuple[int, int] | None = None) -> None:
        self.found.append(Violation(self.id, rule, message, span))

    def span(self, obj: dict, where: str) -> tuple[int, int] | None:
        """Return (start, end) if they are a non-empty span inside the text, else report and None."""
        start, end = obj.get("start"), obj.get("end")
        if not (_is_int(start) and _is_int(end)):
            self.add("field-type", f"{where}: start and end must be integers, got {start!r}, {end!r}")
            return None
        if not 0 <= start < end <= len(self.text):
            self.add(
                "span-bounds", f"{where}: span is empty or outside the text (length {len(self.text)})", (start, end)
            )
            return None
        piece = self.text[start:end]
        if piece[0].isspace() or piece[-1].isspace():
            self.add("span-whitespace", f"{where}: span starts or ends with whitespace", (start, end))
        return start, end


def _check_meta(c: _Checker, meta: object) -> None:
    if not isinstance(meta, dict):
        c.add("field-type", f"meta must be an object, got {type(meta).__name__}")
        return
    for key in ("cell_type", "source"):
        if key not in meta:
            c.add("missing-field", f"meta.{key} is required")
    if "cell_type" in meta and meta["cell_type"] not in CELL_TYPES:
        c.add("cell-type", f"meta.cell_type {meta['cell_type']!r} is not one of {', '.join(CELL_TYPES)}")
    if "source" in meta and meta["source"] not in SOURCES:
        c.add("source", f"meta.source {meta['source']!r} is not one of {', '.join(SOURCES)}")
    for key in META_INT_FIELDS:
        if key in meta and meta[key] is not None and not _is_int(meta[key]):
            c.add("members", f"meta.{key} must be an integer or null, got {meta[key]!r}")
    for key in META_TEXT_FIELDS:
        if meta.get(key) is not None and not isinstance(meta[key], str):
            c.add("field-type", f"meta.{key} must be a string or null, got {meta[key]!r}")
    if isinstance(meta.get("date"), str) and not _DATE.match(meta["date"]):
        c.add("date", f"meta.date {meta['date']!r} is not YYYY-MM-DD")
    if "split" in meta and meta["split"] not in SPLITS:
        c.add("split", f"meta.split {meta['split']!r} is not one of {', '.join(SPLITS)}")


def _check_speaker(c: _Checker, seg: dict, where: str, span: tuple[int, int] | None) -> None:
    speaker, role, kind = seg.get("speaker"), seg.get("role"), seg.get("kind")
    if role is not None and role not in ROLES:
        c.add("role", f"{where}: role {role!r} is not one of {', '.join(ROLES)} or null", span)
    if speaker is not None:
        if not isinstance(speaker, str):
            c.add("field-type", f"{where}: speaker must be a string or null, got {speaker!r}", span)
            return
        if not speaker.strip():
            c.add("speaker-empty", f"{where}: speaker is empty; use null when no one is named", span)
            return
        if speaker.casefold().startswith(_TITLES):
            c.add("speaker-title", f"{where}: speaker {speaker!r} keeps the title; write the name only", span)
        if _BRACKETED_END.search(speaker):
            c.add("speaker-role", f"{where}: speaker {speaker!r} ends with a bracketed role; drop it", span)
    if kind in KINDS and kind != "procedural" and (speaker is None or role is None):
        c.add("speaker-missing", f"{where}: a {kind} segment needs a speaker and a role", span)


def _words(piece: str) -> bool:
    """True when piece holds a letter that is not a lettered bullet."""
    return any(ch.isalpha() for ch in _LETTER_BULLET.sub("", piece))


def _check_sentences(c: _Checker, seg: dict, where: str, span: tuple[int, int] | None) -> None:
    if seg.get("kind") != "discussion":
        if "sentences" in seg:
            c.add("sentences-not-allowed", f"{where}: only discussion segments have sentences", span)
        return
    sentences = seg.get("sentences")
    if sentences is None or sentences == []:
        c.add("sentences-missing", f"{where}: a discussion segment needs its labelled sentences", span)
        return
    if not isinstance(sentences, list):
        c.add("field-type", f"{where}: sentences must be a list", span)
        return
    prev_end = None
    for j, sent in enumerate(sentences):
        here = f"{where} sentence {j}"
        if not isinstance(sent, dict):
            c.add("field-type", f"{here}: must be an object")
            continue
        s = c.span(sent, here)
        if "label" not in sent:
            c.add("missing-field", f"{here}: label is required", s)
        elif sent["label"] not in LABELS:
            c.add("sentence-label", f"{here}: label {sent['label']!r} is not one of {', '.join(LABELS)}", s)
        if s is None:
            continue
        if span and not (span[0] <= s[0] and s[1] <= span[1]):
            c.add("sentence-outside", f"{here}: not inside its segment [{span[0]}:{span[1]}]", s)
            continue
        if prev_end is not None:
            if s[0] < prev_end:
                rule = "sentence-order" if s[1] <= prev_end else "sentence-overlap"
                c.add(rule, f"{here}: starts at {s[0]} before the previous sentence ends at {prev_end}", s)
            elif _words(c.text[prev_end : s[0]]):
                c.add(
                    "sentence-gap",
                    f"{here}: words {c.text[prev_end : s[0]].strip()[:40]!r} before it are in no sentence",
                    (prev_end, s[0]),
                )
        prev_end = s[1] if prev_end is None else max(prev_end, s[1])
    if span and prev_end is not None and prev_end <= span[1] and _words(c.text[prev_end : span[1]]):
        c.add(
            "sentence-tail",
            f"{where}: words {c.text[prev_end : span[1]].strip()[:40]!r} after the last sentence are in no sentence",
            (prev_end, span[1]),
        )


def _check_segments(c: _Checker, segments: object) -> None:
    if not isinstance(segments, list):
        c.add("field-type", f"segments must be a list, got {type(segments).__name__}")
        return
    prev_end = None
    for i, seg in enumerate(segments):
        where = f"segment {i}"
        if not isinstance(seg, dict):
            c.add("field-type", f"{where}: must be an object")
            continue
        for key in ("start", "end", "kind", "speaker", "role"):
            if key not in seg:
                c.add("missing-field", f"{where}: {key} is required (null allowed for speaker and role)")
        if "kind" in seg and seg["kind"] not in KINDS:
            c.add("segment-kind", f"{where}: kind {seg['kind']!r} is not one of {', '.join(KINDS)}")
        span = c.span(seg, where)
        if span and prev_end is not None and span[0] < prev_end:
            rule = "segment-order" if span[1] <= prev_end else "segment-overlap"
            c.add(rule, f"{where}: starts at {span[0]} before the previous segment ends at {prev_end}", span)
        if span:
            prev_end = span[1] if prev_end is None else max(prev_end, span[1])
        _check_speaker(c, seg, where, span)
        _check_sentences(c, seg, where, span)


def _check_rating(c: _Checker, rating: object) -> None:
    if not isinstance(rating, dict):
        c.add("field-type", "rating must be an object")
        return
    score, level = rating.get("substantive"), rating.get("level")
    score_ok = _is_int(score) and 0 <= score <= 100
    if not score_ok:
        c.add("rating-substantive", f"rating.substantive must be an integer 0-100, got {score!r}")
    if level not in LEVEL_BANDS:
        c.add("rating-level", f"rating.level {level!r} is not one of {', '.join(LEVEL_BANDS)}")
    elif score_ok:
        low, high = LEVEL_BANDS[level]
        if not low <= score <= high:
            c.add("rating-band", f"rating {score} is outside the {level} band {low}-{high} (codebook §6)")
    if rating.get("by") is not None and not isinstance(rating["by"], str):
        c.add("field-type", "rating.by must be a string")


def validate(records: list[dict]) -> list[Violation]:
    """Return every violation of corpus-format.md in records, in record order."""
    found: list[Violation] = []
    seen: set[str] = set()
    for n, record in enumerate(records):
        record_id = record.get("id")
        name = record_id if isinstance(record_id, str) and record_id else f"<record {n + 1}>"
        text = record.get("text")
        c = _Checker(name, text if isinstance(text, str) else "")
        for key in ("id", "text", "meta", "segments"):
            if key not in record:
                c.add("missing-field", f"{key} is required")
        if "id" in record and not (isinstance(record_id, str) and record_id):
            c.add("field-type", f"id must be a non-empty string, got {record_id!r}")
        elif isinstance(record_id, str):
            if record_id in seen:
                c.add("duplicate-id", f"id {record_id!r} is used by an earlier meeting")
            seen.add(record_id)
        if "text" in record and not isinstance(text, str):
            c.add("field-type", f"text must be a string, got {type(text).__name__}")
        elif isinstance(text, str):
            if not unicodedata.is_normalized("NFC", text):
                c.add("text-not-nfc", "text is not NFC; pass it through minutes_nlp.reading.text.normalize")
            elif normalize(text) != text:
                first = next((i for i, (a, b) in enumerate(zip(text, normalize(text))) if a != b), None)
                span = (first, first + 1) if first is not None else None
                c.add(
                    "text-not-normalized",
                    "text differs from normalize(text) (tone placement, spaces, "
                    "line ends); pass it through minutes_nlp.reading.text.normalize",
                    span,
                )
        if "meta" in record:
            _check_meta(c, record["meta"])
        if "segments" in record:
            _check_segments(c, record["segments"])
        if "rating" in record:
            _check_rating(c, record["rating"])
        found.extend(c.found)
    return found


# --- splits ---------------------------------------------------------------------


def _stratum(record: dict) -> str:
    meta = record.get("meta") or {}
    return str(meta.get("cell_type") or "other")


def _pick(stratum_counts: Counter, global_counts: Counter) -> str:
    """Return the split furthest below its share, in this stratum and overall together."""
    n_stratum = sum(stratum_counts.values()) + 1
    n_global = sum(global_counts.values()) + 1

    def deficit(name: str) -> float:
        share = SPLIT_SHARES[name]
        return (share * n_stratum - stratum_counts[name]) + (share * n_global - global_counts[name])

    return max(SPLITS, key=lambda name: (deficit(name), SPLIT_SHARES[name]))


def assign_splits(records: list[dict], existing: dict[str, str], seed: int = 13) -> dict[str, str]:
    """Return existing assignments plus a split for each record id not in them.

    New ids are taken stratum by stratum (meta.cell_type) in a seeded shuffle and
    each goes to the split furthest below its 70/15/15 share, counting both its
    stratum and the whole corpus, so strata and totals both stay near 70/15/15.
    """
    result = dict(existing)
    by_stratum: dict[str, list[str]] = defaultdict(list)
    global_counts: Counter = Counter()
    stratum_counts: dict[str, Counter] = defaultdict(Counter)
    for record in records:
        rid, stratum = record["id"], _stratum(record)
        if rid in existing:
            global_counts[existing[rid]] += 1
            stratum_counts[stratum][existing[rid]] += 1
        else:
            by_stratum[stratum].append(rid)
    rng = random.Random(seed)
    for stratum in sorted(by_stratum):
        ids = sorted(set(by_stratum[stratum]))
        rng.shuffle(ids)
        for rid in ids:
            name = _pick(stratum_counts[stratum], global_counts)
            result[rid] = name
            stratum_counts[stratum][name] += 1
            global_counts[name] += 1
    return result


def split(records: list[dict], seed: int = 13) -> dict[str, str]:
    """Return {meeting id: train|dev|test}, 70/15/15 by meeting, stratified by meta.cell_type."""
    return assign_splits(records, {}, seed)


def read_splits(path: str | Path) -> dict[str, str]:
    """Return the id -> split table of a splits.tsv (``id<TAB>split`` with a header line)."""
    result = {}
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or (number == 1 and line.startswith("id\t")):
            continue
        rid, _, name = line.partition("\t")
        if name.strip() not in SPLITS:
            raise CorpusError(f"{path}:{number}", f"expected 'id<TAB>train|dev|test', got {line!r}")
        result[rid.strip()] = name.strip()
    return result


def write_splits(splits: dict[str, str], path: str | Path) -> None:
    """Write the id -> split table as splits.tsv, sorted by id."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["id\tsplit"] + [f"{rid}\t{splits[rid]}" for rid in sorted(splits)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# --- statistics -----------------------------------------------------------------


def _contributions(record: dict) -> list[dict]:
    return [s for s in record.get("segments", []) if s.get("kind") == "discussion"]


def _year(record: dict) -> str | None:
    date = (record.get("meta") or {}).get("date")
    return date[:4] if isinstance(date, str) and date[:4].isdigit() else None


def _count_by(records: list[dict], key, name: str) -> pd.DataFrame:
    import pandas as pd

    rows: dict[str, Counter] = defaultdict(Counter)
    for record in records:
        value = key(record)
        row = rows["(none)" if value is None else str(value)]
        contributions = _contributions(record)
        row["meetings"] += 1
        row["contributions"] += len(contributions)
        row["sentences"] += sum(len(s.get("sentences", [])) for s in contributions)
        row["with_proposal"] += any(
            primary_label([x["label"] for x in s.get("sentences", [])]) == "proposal" for s in contributions
        )
    frame = pd.DataFrame.from_dict(
        rows, orient="index", columns=["meetings", "contributions", "sentences", "with_proposal"]
    )
    frame = frame.fillna(0).astype(int).sort_index()
    frame.index.name = name
    return frame


def _split_of(record: dict, splits: dict[str, str] | None) -> str | None:
    if splits and record.get("id") in splits:
        return splits[record["id"]]
    return (record.get("meta") or {}).get("split")


def stats(records: list[dict], splits: dict[str, str] | None = None, threshold: float = 0.8) -> dict[str, pd.DataFrame]:
    """Return the corpus counts as named DataFrames.

    ``labels``: sentences and contributions (by primary label, codebook §5) per label;
    ``cell_type``, ``split``, ``layout``, ``meeting_type``, ``year``, ``province``:
    meetings, contributions, sentences and meetings with a proposal per value;
    ``totals``: one ``value`` column; ``near_duplicates``: sentence pairs whose
    character 5-gram Jaccard similarity is at least ``threshold``, with their splits.
    The split is ``splits[id]`` when given, else ``meta.split``.
    """
    import pandas as pd

    sentence_labels: Counter = Counter()
    primary: Counter = Counter()
    n_contributions = n_without_proposal = 0
    for record in records:
        has_proposal = False
        for seg in _contributions(record):
            labels = [x["label"] for x in seg.get("sentences", [])]
            sentence_labels.update(labels)
            label = primary_label(labels)
            primary[label] += 1
            n_contributions += 1
            has_proposal = has_proposal or label == "proposal"
        n_without_proposal += not has_proposal
    labels = pd.DataFrame(
        {"sentences": [sentence_labels[x] for x in LABELS], "contributions": [primary[x] for x in LABELS]},
        index=list(LABELS),
    )
    labels.index.name = "label"

    pairs = near_duplicates(records, threshold)
    split_of = {r["id"]: _split_of(r, splits) for r in records}
    pairs["split_a"] = [split_of.get(x) for x in pairs["meeting_a"]]
    pairs["split_b"] = [split_of.get(x) for x in pairs["meeting_b"]]
    pairs["train_test"] = [{a, b} == {"train", "test"} for a, b in zip(pairs["split_a"], pairs["split_b"])]
    pairs["stock_formula"] = _stock_formulas(pairs)

    meetings = len(records)
    totals = {
        "meetings": meetings,
        "contributions": n_contributions,
        "labelled_sentences": sum(sentence_labels.values()),
        "rated_meetings": sum(1 for r in records if r.get("rating")),
        "meetings_without_proposal": n_without_proposal,
        "share_without_proposal": round(n_without_proposal / meetings, 4) if meetings else 0.0,
        "near_duplicate_pairs": len(pairs),
        "near_duplicate_pairs_train_test": int(pairs["train_test"].sum()),
        "near_duplicate_pairs_train_test_beyond_stock_formulas": int(
            (pairs["train_test"] & ~pairs["stock_formula"]).sum()
        ),
    }

    def meta(key: str):
        return lambda record: (record.get("meta") or {}).get(key)

    return {
        "totals": pd.DataFrame({"value": pd.Series(totals, dtype=object)}),
        "labels": labels,
        "cell_type": _count_by(records, meta("cell_type"), "cell_type"),
        "split": _count_by(records, lambda r: _split_of(r, splits), "split"),
        "layout": _count_by(records, meta("layout"), "layout"),
        "meeting_type": _count_by(records, meta("meeting_type"), "meeting_type"),
        "year": _count_by(records, _year, "year"),
        "province": _count_by(records, meta("province"), "province"),
        "near_duplicates": pairs,
    }


# --- near-duplicate sentences ---------------------------------------------------

STOCK_MAX_WORDS = 12
STOCK_MIN_MEETINGS = 3


def _stock_formulas(pairs: pd.DataFrame) -> list[bool]:
    """Mark pairs of stock formulas: short sentences (< STOCK_MAX_WORDS words) whose group of
    near-duplicates (connected through the pairs) spans at least STOCK_MIN_MEETINGS meetings
    ("Nhất trí với báo cáo.", "Tôi tự xếp loại hoàn thành nhiệm vụ."). Real minutes repeat these
    everywhere, so they are reported but not counted as train/test leakage."""
    parent: dict = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    nodes = list(zip(zip(pairs["meeting_a"], pairs["start_a"]), zip(pairs["meeting_b"], pairs["start_b"])))
    for a, b in nodes:
        parent[find(a)] = find(b)
    meetings: dict = defaultdict(set)
    for a, b in nodes:
        meetings[find(a)] |= {a[0], b[0]}
    short = [
        len(ta.split()) < STOCK_MAX_WORDS and len(tb.split()) < STOCK_MAX_WORDS
        for ta, tb in zip(pairs["text_a"], pairs["text_b"])
    ]
    return [ok and len(meetings[find(a)]) >= STOCK_MIN_MEETINGS for ok, (a, _) in zip(short, nodes)]


def shingles(sentence: str, n: int = 5) -> set[str]:
    """Return the character n-grams of the sentence, lower-cased with spaces collapsed."""
    s = " ".join(normalize(sentence).lower().split())
    if len(s) <= n:
        return {s} if s else set()
    return {s[i : i + n] for i in range(len(s) - n + 1)}


def similar_pairs(texts: list[str], threshold: float = 0.8) -> list[tuple[int, int, float]]:
    """Return (i, j, jaccard) for every pair i < j of texts with shingle Jaccard >= threshold.

    Exact, by prefix filtering: with each shingle set sorted rarest first, two
    sets with Jaccard >= t share a shingle among the first |x| - ceil(t|x|) + 1
    of each, so only pairs that meet in that prefix index are compared.
    """
    raw = [shingles(t) for t in texts]
    freq: Counter = Counter(g for s in raw for g in s)
    # Shingles become ints numbered rarest first, so a sorted set starts with its rarest shingles.
    rank = {g: i for i, (g, _) in enumerate(sorted(freq.items(), key=lambda item: (item[1], item[0])))}
    sets = [frozenset(rank[g] for g in s) for s in raw]
    ordered = [sorted(s) for s in sets]
    index: dict[int, list[int]] = defaultdict(list)
    found = []
    for i in sorted(range(len(sets)), key=lambda i: len(sets[i])):  # shortest first
        size = len(sets[i])
        if not size:
            continue
        prefix = ordered[i][: size - math.ceil(threshold * size - 1e-9) + 1]
        candidates: set[int] = set()
        for g in prefix:
            candidates.update(index[g])
        for j in candidates:
            if len(sets[j]) < threshold * size:
                continue
            inter = len(sets[i] & sets[j])
            jac = inter / (size + len(sets[j]) - inter)
            if jac >= threshold:
                found.append((min(i, j), max(i, j), round(jac, 4)))
        for g in prefix:
            index[g].append(i)
    return sorted(found)


def near_duplicates(records: list[dict], threshold: float = 0.8) -> pd.DataFrame:
    """Return the near-duplicate sentence pairs of the corpus, one row per pair."""
    import pandas as pd

    where, texts = [], []
    for record in records:
        for seg in _contributions(record):
            for sent in seg.get("sentences", []):
                where.append((record["id"], sent["start"]))
                texts.append(record["text"][sent["start"] : sent["end"]])
    rows = [
        {
            "meeting_a": where[i][0],
            "start_a": where[i][1],
            "meeting_b": where[j][0],
            "start_b": where[j][1],
            "jaccard": jac,
            "text_a": texts[i],
            "text_b": texts[j],
        }
        for i, j, jac in similar_pairs(texts, threshold)
    ]
    columns = ["meeting_a", "start_a", "meeting_b", "start_b", "jaccard", "text_a", "text_b"]
    return pd.DataFrame(rows, columns=columns)
