"""Gold person-name mentions of an annotated meeting, to measure how many names anonymisation hides.

Every name in the corpus is invented and the chair, the secretary and each speaker are annotated, so the
mentions are: every capitalised occurrence of those names (signatures in capitals too), and every
capitalised occurrence of a full name's given name (and, for names opening with an ethnic-minority
particle, its second word) that is not part of another proper noun ("Thái Bình" is not "Bình") nor, by
underthesea's word segmentation, of a longer word ("Chi bộ" is not "Chi").
Names the annotation does not carry (absentees, people only talked about) are not in this gold.
"""

from __future__ import annotations

import re

from minutes_nlp.segmentation.lexicon import NAME_PARTICLES, TITLE_FAMILIES

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_TITLE_WORDS = {w for family in TITLE_FAMILIES.values() for t in family for w in re.split(r"[ /.]", t) if w}
_COMPOUND_NEXT = {"ủy", "uỷ", "hội", "ương", "tâm", "đoàn", "đội"}  # "Thành ủy", "Quốc hội", "Trung ương"


def _compound(text: str, start: int, end: int) -> bool:
    """The word at text[start:end] is the first syllable of a longer word (underthesea's word segmentation)."""
    from underthesea import word_tokenize

    line_end = text.find("\n", end)
    tokens = word_tokenize(text[start : line_end if line_end >= 0 else len(text)][:80])
    return bool(tokens) and tokens[0] != text[start:end]


def annotated_names(record: dict) -> list[str]:
    """The chair, the secretary and the speakers of record, spaces normalised."""
    meta = record.get("meta", {})
    names = [meta.get("chair"), meta.get("secretary"), *(s.get("speaker") for s in record.get("segments", []))]
    return sorted({" ".join(n.split()) for n in names if n and n.strip()}, key=len, reverse=True)


def gold_mentions(record: dict) -> list[tuple[int, int]]:
    """The (start, end) of every mention of an annotated person in record's text, in order."""
    text = record["text"]
    taken = bytearray(len(text) + 1)
    spans = []

    def add(a: int, b: int) -> None:
        if not any(taken[a:b]):
            spans.append((a, b))
            taken[a:b] = b"\x01" * (b - a)

    names = annotated_names(record)
    for name in names:
        if len(name.split()) < 2:
            continue  # a speaker written by given name alone: found below, as a given name
        pattern = r"(?<!\w)" + r"\s+".join(re.escape(w) for w in name.split()) + r"(?!\w)"
        for m in re.finditer(pattern, text, re.IGNORECASE):
            if all(w.istitle() or w.isupper() for w in m.group().split()):
                add(m.start(), m.end())
    forms = {n.casefold() for n in names if len(n.split()) == 1}
    for name in names:
        words = name.split()
        if len(words) >= 2:
            forms.add(words[-1].casefold())
            if words[0].casefold() in NAME_PARTICLES:
                forms.add(words[1].casefold())
    for m in _WORD.finditer(text):
        word = m.group()
        if word.casefold() not in forms or not (word.istitle() or word.isupper()) or taken[m.start()]:
            continue
        prev = re.search(r"([^\W\d_]+)[ \t]+$", text[max(0, m.start() - 30) : m.start()])
        nxt = re.match(r"[ \t]+([^\W\d_]+)", text[m.end() : m.end() + 30])
        if prev and prev.group(1)[:1].isupper() and prev.group(1).casefold() not in _TITLE_WORDS:
            continue
        if nxt and (nxt.group(1)[:1].isupper() or nxt.group(1).casefold() in _COMPOUND_NEXT):
            continue
        if nxt and _compound(text, m.start(), m.end()):
            continue  # "Chi bộ", "Thảo luận", "Sinh hoạt" for people called Chi, Thảo, Sinh
        add(m.start(), m.end())
    return sorted(spans)
