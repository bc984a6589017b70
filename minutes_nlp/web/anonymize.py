"""The anonymised corpus for researchers: every person's name replaced by a pseudonym, offsets kept exact.

Per meeting, the chair, the secretary, the guests, every segment speaker and
every name written after a title ("đồng chí Nguyễn Văn A", "đ/c Lan") get
"Đảng viên 1", "Đảng viên 2"… in order of first appearance in the text;
a given-name mention after a title ("đồng chí Lan") takes the pseudonym of the
full name it ends. Names are replaced in the text (case-insensitively, so
signatures in capitals are caught too), in meta and in segments, and every
offset is moved to index the new text. The record is corpus-format.md with the
model's sentence labels; the file name and flags' evidence are left out.
"""

from __future__ import annotations

import bisect
import re

PSEUDONYM = "Đảng viên {}"
# A title, then two to four capitalised words: a person's name as minutes write it.
_TITLED = re.compile(
    r"(?:(?<=\W)|^)(?:đồng chí|đ/c|đ/c\.|ông|bà|anh|chị)\s+((?:[A-ZÀ-ỸĐ]\w*[ \t]?){1,4})", re.IGNORECASE
)
_NOT_NAMES = {"bí", "phó", "chi", "chủ", "thư", "tổ", "trưởng", "đảng", "ủy", "ban", "đại", "cán", "thường", "các"}


def _capitalised_words(span: str) -> list[str]:
    words = []
    for w in span.split():
        if not w[:1].isupper() or w.lower() in _NOT_NAMES:
            break
        words.append(w)
    return words


def person_names(meeting: dict) -> list[str]:
    """The distinct names of people in a report or corpus record, longest first."""
    meta = meeting.get("meta", {})
    names = {meta.get("chair"), meta.get("secretary"), *(meta.get("guests") or [])}
    names |= {s.get("speaker") for s in meeting.get("segments", [])}
    text = meeting.get("text", "")
    for m in _TITLED.finditer(text):
        words = _capitalised_words(m.group(1))
        if len(words) >= 2:
            names.add(" ".join(words))
    return sorted((n.strip() for n in names if n and n.strip()), key=lambda n: (-len(n), n))


def pseudonyms(meeting: dict) -> tuple[dict[str, str], list[tuple[int, int, str]]]:
    """The map name -> pseudonym (case-folded keys) and the (start, end, pseudonym) spans to replace in the text."""
    text = meeting.get("text", "")
    names = person_names(meeting)
    spans: list[tuple[int, int, str]] = []  # (start, end, canonical name)
    taken: list[tuple[int, int]] = []

    given: dict[str, str] = {}  # given name -> the full name it ends (first, i.e. longest, wins)
    for name in names:
        parts = name.split()
        if len(parts) >= 2:
            given.setdefault(parts[-1].casefold(), name)

    def canonical(name: str) -> str:
        return given.get(name.casefold(), name) if len(name.split()) == 1 else name

    def free(a: int, b: int) -> bool:
        return all(b <= x or a >= y for x, y in taken)

    for name in names:  # longest first, so "Nguyễn Thị Lan" wins over a speaker written "Lan"
        for m in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", text, re.IGNORECASE):
            if free(m.start(), m.end()):
                spans.append((m.start(), m.end(), canonical(name)))
                taken.append((m.start(), m.end()))
    for m in _TITLED.finditer(text):
        words = _capitalised_words(m.group(1))
        if len(words) == 1 and words[0].casefold() in given:
            a = m.start(1)
            if free(a, a + len(words[0])):
                spans.append((a, a + len(words[0]), given[words[0].casefold()]))
                taken.append((a, a + len(words[0])))
    spans.sort()
    mapping: dict[str, str] = {}
    for _, _, name in spans:
        if name.casefold() not in mapping:
            mapping[name.casefold()] = PSEUDONYM.format(len(mapping) + 1)
    numbered = len(set(mapping.values()))
    for name in names:  # named in fields but never in the text
        if name.casefold() not in mapping and not (len(name.split()) == 1 and name.casefold() in given):
            numbered += 1
            mapping[name.casefold()] = PSEUDONYM.format(numbered)
    for name in names:  # a speaker written by given name only takes the full name's pseudonym
        if len(name.split()) == 1 and name.casefold() in given:
            mapping[name.casefold()] = mapping[given[name.casefold()].casefold()]
    return mapping, [(a, b, mapping[name.casefold()]) for a, b, name in spans]


def anonymize(report: dict, record_id: str) -> dict:
    """The corpus-format record of report (docs/report.md) with every person's name pseudonymised."""
    text = report["text"]
    mapping, spans = pseudonyms(report)
    pieces, starts, shifts, pos, shift = [], [], [], 0, 0
    ends = []
    for a, b, new in spans:
        pieces.append(text[pos:a])
        pieces.append(new)
        starts.append(a)
        ends.append(b)
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
        return nb if is_end else na  # inside a name: take the whole pseudonym

    def who(name: str | None) -> str | None:
        return mapping.get(name.strip().casefold(), name) if name else name

    meta = {k: v for k, v in report.get("meta", {}).items()}
    for key in ("chair", "secretary"):
        if meta.get(key):
            meta[key] = who(meta[key])
    if meta.get("guests"):
        meta["guests"] = [who(g) for g in meta["guests"]]
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
