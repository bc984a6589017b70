"""The anonymised corpus for researchers: no person's name, no unit, place, day or hour; offsets kept exact.

People are found by the recogniser of person_names.py and called "Người 1", "Người 2"… in order of first
appearance, one pseudonym per person across full names, capitals and given-name mentions. What else
identifies a meeting is generalised: the cell and its committee become codes drawn from a key made for
each export and never stored (the same unit keeps its code within one export; no one can reverse it),
the date becomes its month, the place and the times are dropped. The text is redacted the same way
(the header lines carrying them, and their repeats), and every offset is moved to index the new text.
The record is corpus-format.md with the model's sentence labels; the file name and flags' evidence are
left out.
"""

from __future__ import annotations

import bisect
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field

from minutes_nlp.reading.text import UPPER
from minutes_nlp.web.person_names import find_people

PERSON = "Người {}"
PLACE = "[địa điểm]"
TIME = "[giờ]"
# The meta a researcher gets; everything else (place, times, province, file, layout) is dropped.
_KEPT_META = ("cell_type", "meeting_type", "members_total", "members_present", "members_absent",
              "members_absent_with_reason", "members_absent_without_reason", "members_exempt")  # fmt: skip
_UNIT_HEAD = re.compile(r"^(?:chi bộ|đảng bộ|đảng ủy|đảng uỷ|cb|đb)\s+", re.IGNORECASE)
# "Thái Bình, ngày 07 tháng 3 năm 2015": the place before the date line's day.
_DATELINE = re.compile(rf"((?:{UPPER}[^\W\d_]*\.?[ ]){{0,4}}{UPPER}[^\W\d_]*),[ \t]*(?=ngày[ \t]+\d)")
_CLOCK = re.compile(r"(?<!\d)(\d{1,2})\s*(?:giờ|g|h|:)(?:\s*(\d{1,2})(?:\s*(?:phút|p\b|'))?)?(?![\d/])", re.I)


class ExportCodes:
    """Codes for cells and committees: stable within one export, irreversible (a keyed hash, key unsaved)."""

    def __init__(self, key: bytes | None = None):
        self._key = key or secrets.token_bytes(16)

    def code(self, prefix: str, value: str) -> str:
        digest = hmac.new(self._key, " ".join(value.casefold().split()).encode(), hashlib.sha256)
        return f"{prefix}-{digest.hexdigest()[:8].upper()}"


@dataclass
class Units:
    """What the service knows of the meeting's cell and committee: ids that key the codes, names to redact.

    Without them the names the header gives are used for both.
    """

    cell_key: str | None = None
    committee_key: str | None = None
    cell_names: list[str] = field(default_factory=list)
    committee_names: list[str] = field(default_factory=list)

    def codes(self, meta: dict, codes: ExportCodes) -> tuple[str, str]:
        cell = self.cell_key or meta.get("cell") or ""
        committee = self.committee_key or meta.get("committee") or ""
        return codes.code("CB", cell), codes.code("ĐB", committee)


def _known_names(report: dict) -> list[str]:
    meta = report.get("meta", {})
    names = [meta.get("chair"), meta.get("secretary"), *(meta.get("guests") or [])]
    names += [s.get("speaker") for s in report.get("segments", [])]
    return [n for n in names if n and n.strip()]


def _literal(text: str, phrase: str) -> Iterable[re.Match]:
    words = phrase.split()
    if not words:
        return []
    return re.finditer(r"(?<!\w)" + r"\s+".join(re.escape(w) for w in words) + r"(?!\w)", text, re.IGNORECASE)


def _unit_phrases(names: Iterable[str | None]) -> list[str]:
    """A unit's name and its distinctive tail ("Tổ dân phố số 6" of "Chi bộ Tổ dân phố số 6")."""
    out = []
    for name in names:
        if not name or not name.strip():
            continue
        out.append(name.strip())
        tail = _UNIT_HEAD.sub("", name.strip())
        if tail != name.strip() and len(tail.split()) >= 2:
            out.append(tail)
    return sorted(set(out), key=len, reverse=True)


def _date_spans(text: str, date: str | None, head_end: int) -> list[tuple[int, int, str]]:
    """Days reduced to their month: every full date in the header (the one read may be wrong), and the
    meeting's day wherever it is written ("07/3/2015", "ngày 07 tháng 3 năm 2015")."""
    day = tuple(int(x) for x in date.split("-")) if date and re.fullmatch(r"\d{4}-\d{2}-\d{2}", date) else None
    numeric = r"(?:ngày\s+)?(?<!\d)(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*((?:19|20)\d{2})(?!\d)"
    worded = r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+((?:19|20)\d{2})"
    spans = []
    for pattern, form in ((numeric, "tháng {m}/{y}"), (worded, "tháng {m} năm {y}")):
        for x in re.finditer(pattern, text, re.IGNORECASE):
            d, m, y = int(x.group(1)), int(x.group(2)), int(x.group(3))
            if x.start() < head_end or (y, m, d) == day:
                spans.append((x.start(), x.end(), form.format(m=m, y=y)))
    return spans


def _time_spans(text: str, times: Iterable[str | None], head_end: int) -> list[tuple[int, int, str]]:
    """Clock times in the header, and the meeting's start and end times wherever they are written."""
    wanted = {t for t in times if t}
    spans = []
    for x in _CLOCK.finditer(text):
        hhmm = f"{int(x.group(1)):02d}:{int(x.group(2) or 0):02d}"
        clock = x.group(2) or re.match(r"\s*(?:giờ|h|g)", text[x.end(1) : x.end(1) + 4], re.I)
        if clock and int(x.group(1)) < 24 and (x.start() < head_end or hhmm in wanted):
            spans.append((x.start(), x.end(), TIME))
    return spans


def _header_end(report: dict) -> int:
    """Where the header ends: the first turn or report, at most 1,500 characters in."""
    starts = [s["start"] for s in report.get("segments", []) if s.get("kind") != "procedural"]
    return min([1500, *starts[:1]])


def redactions(
    report: dict, codes: ExportCodes, units: Units | None = None, use_ner: bool = False
) -> tuple[dict[str, str], list[tuple[int, int, str]]]:
    """(person -> pseudonym, the (start, end, replacement) spans of the text), spans in order, disjoint."""
    text = report.get("text", "")
    meta = report.get("meta", {})
    units = units or Units()
    cell_code, committee_code = units.codes(meta, codes)
    unit_names, committee_names = units.cell_names, units.committee_names
    candidates: list[tuple[int, int, str]] = []
    for phrase in _unit_phrases([meta.get("cell"), *unit_names]):
        candidates += [(x.start(), x.end(), cell_code) for x in _literal(text, phrase)]
    for phrase in _unit_phrases([meta.get("committee"), *committee_names]):
        candidates += [(x.start(), x.end(), committee_code) for x in _literal(text, phrase)]
    if meta.get("place"):
        candidates += [(x.start(), x.end(), PLACE) for x in _literal(text, meta["place"])]
    head = text[:600]
    candidates += [(x.start(1), x.end(1), PLACE) for x in _DATELINE.finditer(head)]
    head_end = _header_end(report)
    candidates += _date_spans(text, meta.get("date"), head_end)
    candidates += _time_spans(text, (meta.get("start_time"), meta.get("end_time")), head_end)

    mapping: dict[str, str] = {}
    people = find_people(text, _known_names(report), use_ner=use_ner)
    for p in people:
        key = p.person.casefold()
        if key not in mapping:
            mapping[key] = PERSON.format(len(mapping) + 1)
    spans = [(p.start, p.end, mapping[p.person.casefold()]) for p in people]
    taken = bytearray(len(text) + 1)
    for a, b, _ in spans:
        taken[a:b] = b"\x01" * (b - a)
    for a, b, new in sorted(candidates, key=lambda s: (s[0], -s[1])):
        if not any(taken[a:b]):
            spans.append((a, b, new))
            taken[a:b] = b"\x01" * (b - a)
    for name in _known_names(report):  # named in fields but never in the text
        key = " ".join(name.split()).casefold()
        if key not in mapping:
            owner = next((p.person.casefold() for p in people if p.person.casefold().endswith(" " + key)), None)
            mapping[key] = mapping[owner] if owner else PERSON.format(len(set(mapping.values())) + 1)
    return mapping, sorted(spans)


def anonymize(
    report: dict, record_id: str, codes: ExportCodes | None = None, units: Units | None = None, use_ner: bool = False
) -> dict:
    """The corpus-format record of report (docs/report.md) with people, units, place, day and hours hidden."""
    codes = codes or ExportCodes()
    units = units or Units()
    text = report["text"]
    mapping, spans = redactions(report, codes, units, use_ner=use_ner)
    pieces, starts, shifts, pos, shift = [], [], [], 0, 0
    for a, b, new in spans:
        pieces.append(text[pos:a])
        pieces.append(new)
        starts.append(a)
        shifts.append((a, b, a + shift, a + shift + len(new)))
        shift += len(new) - (b - a)
        pos = b
    pieces.append(text[pos:])
    new_text = "".join(pieces)

    def move(p: int, is_end: bool) -> int:
        k = bisect.bisect_right(starts, p) - 1  # last replacement starting at or before p
        if k < 0:
            return p
        a, b, na, nb = shifts[k]
        if p >= b:
            return nb + (p - b)
        if p == a:
            return na
        return nb if is_end else na  # inside a replaced span: take the whole replacement

    def who(name: str | None) -> str | None:
        return mapping.get(" ".join(name.split()).casefold(), PERSON.format(0)) if name else name

    old = report.get("meta", {})
    meta = {k: old[k] for k in _KEPT_META if k in old}
    cell_code, committee_code = units.codes(old, codes)
    meta["cell"] = cell_code
    if old.get("committee") or units.committee_key:
        meta["committee"] = committee_code
    if isinstance(old.get("date"), str) and re.match(r"\d{4}-\d{2}", old["date"]):
        meta["month"] = old["date"][:7]
    for key in ("chair", "secretary"):
        if old.get(key):
            meta[key] = who(old[key])
    if old.get("guests"):
        meta["guests"] = [who(g) for g in old["guests"]]
    meta.setdefault("cell_type", "other")
    meta["source"] = "real"
    segments = []
    for s in report["segments"]:
        seg = {
            "start": move(s["start"], False),
            "end": move(s["end"], True),
            "kind": s["kind"],
            "speaker": who(s.get("speaker")),
            "role": s.get("role"),
        }
        if s["kind"] == "discussion":
            seg["sentences"] = [
                {"start": move(x["start"], False), "end": move(x["end"], True), "label": x.get("label") or "other"}
                for x in s.get("sentences", [])
            ]
        segments.append(seg)
    return {"id": record_id, "text": new_text, "meta": meta, "segments": segments, "model": report.get("model", {})}
