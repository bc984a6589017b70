"""Person names in minutes text, for the anonymised corpus: a recogniser, not a list of names.

Evidence, strongest first: names the header and the segmentation already know (chair, secretary, guests,
speakers); a title, rank, honorific or kinship word before capitalised words ("đồng chí", "TS.",
"Thượng tá", "cô Hạnh", "chú Tư"); a family name followed by a middle name ("Hồ Văn Giang") or an
ethnic-minority name particle ("Ama Thuận", "Y Brơm Niê"); then the given name alone wherever a person
found so far is called by it. The lexicons are the turn finder's (segmentation/lexicon.py); underthesea's
word segmentation tells a given name from the first syllable of a compound ("Khoa học", "Công an").
Places, streets and public figures named in their usual context are kept ("tư tưởng Hồ Chí Minh"). A
capitalised sequence that only starts with a family name ("Hà Giang", "Kim Loan") is ambiguous and kept,
unless it opens a speaker marker; underthesea's NER can decide those (``use_ner``), but on the corpus it
took ten places for each name (benchmarks/README.md), so it is off by default. Every mention carries the
full name it refers to, so one person keeps one pseudonym across "Nguyễn Thị Hạnh", "NGUYỄN THỊ HẠNH"
and "cô Hạnh".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from minutes_nlp.segmentation.lexicon import BIRTH_ORDER, FAMILY_NAMES, MIDDLE_NAMES, NAME_PARTICLES, TITLE_FAMILIES
from minutes_nlp.segmentation.markers import _read_name

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_TITLES = sorted(
    {t for family in TITLE_FAMILIES.values() for t in family if not t.endswith(".")} | {"đảng viên"},
    key=len,
    reverse=True,
)
# Abbreviated degrees may end with a dot ("TS. Trần Văn Khoa"); "đ/c." ends a sentence ("52 đ/c. Có mặt").
_DOTTED = {t for family in ("academic", "medical") for t in TITLE_FAMILIES[family] if " " not in t}
_TITLE_ALT = "|".join(rf"{re.escape(t)}\.?" if t in _DOTTED else re.escape(t) for t in _TITLES)
_TITLE = re.compile(r"(?<![\w/.])(?:" + _TITLE_ALT + r")[ \t]+", re.IGNORECASE)
_TITLE_BEFORE = re.compile(r"(?<![\w/.])(?:" + _TITLE_ALT + r")[ \t]+$", re.IGNORECASE)
# Words before a capitalised sequence that make it a place, a street, an organisation or an idea.
_PLACE_BEFORE = re.compile(
    r"(?<!\w)(?:tỉnh|huyện|xã|phường|quận|thị xã|thị trấn|thành phố|tp\.?|thôn|ấp|bản|làng|buôn|xóm|khu|khối|"
    r"khu phố|tổ dân phố|đường|phố|ngõ|hẻm|kiệt|chợ|cầu|sông|suối|núi|đèo|hồ|đảo|vùng|miền|trường|"
    r"bệnh viện|tư tưởng|đạo đức|phong cách|tấm gương|lăng|chủ tịch|dân tộc|người|tiếng|đồng bào|"
    r"đoàn tncs|huyện ủy|tỉnh ủy|thành ủy|công ty|hợp tác xã|htx|nhà văn hóa|di tích|đền|chùa|đồn|biên phòng)[ \t]+$",
    re.IGNORECASE,
)
_MOTION_BEFORE = re.compile(r"(?<!\w)(?:đi|về|ở|tại|từ|đến|ra|vào|qua|quê)[ \t]+$", re.IGNORECASE)
# Public figures, streets and places that read like private persons' names.
PUBLIC_NAMES = {
    "hồ chí minh", "bác hồ", "nguyễn ái quốc", "nguyễn tất thành", "võ nguyên giáp", "tôn đức thắng",
    "lê duẩn", "trường chinh", "phạm văn đồng", "nguyễn văn linh", "nguyễn phú trọng", "trần hưng đạo",
    "lê lợi", "ngô quyền", "lý thường kiệt", "nguyễn trãi", "quang trung", "nguyễn huệ", "hai bà trưng",
    "trần phú", "lê hồng phong", "nguyễn thị minh khai", "võ thị sáu", "lý tự trọng", "nguyễn văn trỗi",
    "kim đồng", "nguyễn du", "phan bội châu", "phan chu trinh", "hoàng văn thụ", "lê thánh tông",
    "trần quốc toản", "tô hiến thành", "ngô gia tự", "nguyễn đình chiểu", "lê văn tám", "nguyễn văn cừ",
    "hà huy tập", "âu cơ", "lạc long quân", "bà rịa", "bà chiểu", "bà điểm", "bà đen", "ông ích khiêm",
    "cụ hồ", "việt nam", "tiếng việt", "khmer", "chăm",
}  # fmt: skip
_SENTENCE_START = re.compile(r"(?:^[ \t]*(?:[-–+•*]|\(?\w{1,3}[.)/]|\d+[.)/-]?)?|[.!?:;…][\"”)]*|\t|\|)[ \t]*$")


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    person: str  # the fullest form of the name known for this person


def _caps_line(text: str, pos: int) -> bool:
    line_start = text.rfind("\n", 0, pos) + 1
    line_end = text.find("\n", pos)
    letters = [c for c in text[line_start : line_end if line_end >= 0 else len(text)] if c.isalpha()]
    return len(letters) > 3 and sum(c.isupper() for c in letters) / len(letters) > 0.9


def _previous_word(text: str, pos: int) -> str:
    m = re.search(r"([^\W\d_]+)[ \t]+$", text[max(0, pos - 30) : pos])
    return m.group(1) if m else ""


def _ner_persons(sentences: list[str]) -> list[set[str]]:
    """underthesea's PER spans of each sentence, case-folded (imported lazily: it loads a model)."""
    from underthesea import ner

    found = []
    for sentence in sentences:
        names, current = set(), []
        for word, _pos, _chunk, tag in ner(sentence):
            if tag.endswith("PER") and (tag.startswith("I-") and current or tag.startswith("B-")):
                current = [*current, word] if tag.startswith("I-") else [word]
            else:
                if current:
                    names.add(" ".join(current).casefold())
                current = []
        if current:
            names.add(" ".join(current).casefold())
        found.append(names)
    return found


def _at_marker(text: str, start: int, end: int) -> bool:
    """text[start:end] opens a line (after a bullet) or a clause and is followed by ':' or '(': a speaker marker."""
    before = text[text.rfind("\n", 0, start) + 1 : start]
    return bool(re.fullmatch(r"(?:[ \t]*(?:[-–+•*]|\d+[.)])?|.*[;.][ \t]*)[ \t]*", before)) and bool(
        re.match(r"[ \t]*[:(]", text[end : end + 3])
    )


def _titled_somewhere(text: str, word: str) -> bool:
    """A one-word speaker is a given name only if a title stands before it somewhere or it opens a speaker
    marker ("- Phước (TT tổ 3): …"); "Trong" read as a speaker is not a name."""
    return any(
        _TITLE_BEFORE.search(text[max(0, m.start() - 30) : m.start()]) or _at_marker(text, m.start(), m.end())
        for m in re.finditer(rf"(?<!\w){re.escape(word)}(?!\w)", text)
    )


# Capitalised words that open the next cell of a table row ("Trước 25/3", "Từ 16/8", "Cả tháng"), never a name.
_NOT_NAME_WORDS = {
    "trước",
    "từ",
    "trong",
    "tuần",
    "tháng",
    "ngày",
    "cả",
    "đến",
    "quý",
    "dự",
    "thứ",
    "tối",
    "sau",
    "hết",
}


def _cut_at_cell(text: str, start: int, name: str | None, end: int) -> tuple[str | None, int]:
    """A name ends at a tab or a run of spaces: the next table cell is not part of it."""
    if not name:
        return name, end
    cut = re.search(r"\t| {2,}", text[start:end])
    if cut:
        end = start + cut.start()
    for w in list(_WORD.finditer(text, start, end))[1:]:
        if w.group().casefold() in _NOT_NAME_WORDS:  # "đ/c Khang Trước 10/5" in a table row
            end = text.rfind(" ", start, w.start()) if text.rfind(" ", start, w.start()) > start else w.start()
            end = len(text[:end].rstrip())
            break
    name = " ".join(text[start:end].split()) or None
    return name, end


def _plausible(text: str, title: re.Match, name: str, end: int) -> bool:
    """A name after a title, unless it is a rank or a compound word ("Hạ sĩ", "Hồi sức"), a letter or a place."""
    words = name.split()
    if len(words[0]) < 2 and words[0].casefold() not in NAME_PARTICLES | {"a"}:
        return False  # "Đ/c" read as "Đ"
    if len(words[0]) == 1 and len(words) == 1:
        return False
    first = words[0].casefold()
    if (
        first in _TITLES
        or first in _DOTTED
        or (len(words) == 1 and words[0].isupper() and len(words[0]) <= 3 and first not in NAME_PARTICLES)
    ):
        return False  # "Đ/c TS. Phan Thị Hoa" read as "TS"; "các đ/c ĐV"
    if _PLACE_BEFORE.search(text[max(0, title.start() - 30) : title.start()]):
        return False  # "núi Ông Bụt"
    nxt = re.match(r"[ \t]+([^\W\d_]+)", text[end : end + 30])
    if len(words) == 1 and nxt and nxt.group(1).islower():
        if f"{words[0]} {nxt.group(1)}".casefold() in _TITLES:
            return False
        if title.group().strip().casefold() not in TITLE_FAMILIES["party"] + ("đảng viên",):
            return _stands_alone(text, end - len(words[0]), end)
    return True


def _stands_alone(text: str, start: int, end: int) -> bool:
    """The word at text[start:end] is a word of its own, not the first syllable of a compound."""
    from underthesea import word_tokenize

    line_end = text.find("\n", end)
    tokens = word_tokenize(text[start : line_end if line_end >= 0 else min(len(text), end + 60)][:80])
    return bool(tokens) and tokens[0] == text[start:end]


def _sentence_around(text: str, start: int, end: int) -> str:
    a = max(text.rfind("\n", 0, start), *(text.rfind(p, 0, start) for p in ". ;")) + 1
    bs = [i for i in (text.find("\n", end), text.find(". ", end), text.find(";", end)) if i >= 0]
    return text[a : min(bs) if bs else len(text)].strip()


def find_people(text: str, known: Iterable[str] = (), use_ner: bool = False) -> list[Mention]:
    """Every mention of a person in text, in order, not overlapping; known: names already found elsewhere."""
    spans: dict[int, tuple[int, str]] = {}  # start -> (end, name as written)
    taken = bytearray(len(text) + 1)

    def add(a: int, b: int, name: str) -> bool:
        if any(taken[a:b]):  # a longer name swallows the shorter ones inside it ("Sa Ly" in "Thạch Thị Sa Ly")
            overlapping = [x for x, (y, _) in spans.items() if x < b and y > a]
            if not overlapping or any(x < a or spans[x][0] > b for x in overlapping):
                return False
            for x in overlapping:
                del spans[x]
        spans[a] = (b, name)
        taken[a:b] = b"\x01" * (b - a)
        return True

    full: list[str] = []  # full names found, in order of evidence
    known = sorted({" ".join(n.split()) for n in known if n and n.strip()}, key=len, reverse=True)
    for name in known:  # a one-word name is found below as a given name, where its context says so
        if len(name.split()) < 2:
            continue
        full.append(name)
        pattern = r"(?<!\w)" + r"\s+".join(re.escape(w) for w in name.split()) + r"(?!\w)"
        for m in re.finditer(pattern, text, re.IGNORECASE):
            written = m.group().split()
            if all(w.istitle() for w in written) or all(w.isupper() for w in written):
                add(m.start(), m.end(), name)  # never "được" for a speaker written "Được"

    ambiguous: list[tuple[int, int, str]] = []
    # A title, rank, honorific or kinship word, then capitalised words.
    for m in _TITLE.finditer(text):
        upper = m.group().strip().isupper() and len(m.group().strip()) > 2
        name, end = _read_name(text, m.end(), len(text), upper=upper)
        name, end = _cut_at_cell(text, m.end(), name, end)
        if name and name.split()[0].casefold() in _NOT_NAME_WORDS:
            continue  # "Các đ/c bác sĩ | Từ 16/8": a table's next cell
        if not name or taken[m.end()] and m.end() not in spans or not _plausible(text, m, name, end):
            continue
        if upper and (len(name.split()) < 2 or name.split()[0].casefold() not in FAMILY_NAMES | NAME_PARTICLES):
            continue  # "ĐẢNG VIÊN NĂM 2015": in a heading in capitals only a full name is a name
        title_and_name = (m.group().strip().rstrip(".") + " " + name).casefold()
        if name.casefold() in PUBLIC_NAMES or title_and_name in PUBLIC_NAMES:
            continue
        add(m.end(), end, name)
    # A family name or a name particle starting a capitalised sequence.
    for m in _WORD.finditer(text):
        low = m.group().casefold()
        if taken[m.start()] or not m.group()[:1].isupper() or low not in FAMILY_NAMES | NAME_PARTICLES | BIRTH_ORDER:
            continue
        prev = _previous_word(text, m.start())
        nxt = re.match(r"[ \t]+([^\W\d_]+)", text[m.end() : m.end() + 20])
        caps = _caps_line(text, m.start()) or (
            len(m.group()) > 1 and m.group().isupper() and bool(nxt) and nxt.group(1).isupper()
        )  # "…, BÙI THỊ YẾN: thống nhất"
        name, end = _read_name(text, m.start(), len(text), upper=caps)
        name, end = _cut_at_cell(text, m.start(), name, end)
        if not name or len(name.split()) < 2 or any(taken[m.start() : end]):
            continue
        words = name.casefold().split()
        strong = len(words) >= 3 and words[1] in MIDDLE_NAMES
        inside = prev[:1].isupper() and not _TITLE_BEFORE.search(text[max(0, m.start() - 30) : m.start()])
        if inside and not caps and not strong:
            continue  # inside a longer proper noun: "Ban Quản Lý", "Trường Nguyễn Trãi"
        if " ".join(words) in PUBLIC_NAMES or _PLACE_BEFORE.search(text[max(0, m.start() - 30) : m.start()]):
            continue
        if strong or (low in NAME_PARTICLES and not caps) or _at_marker(text, m.start(), end):
            add(m.start(), end, name)
        elif caps or low in BIRTH_ORDER and low not in FAMILY_NAMES:
            continue  # "Ba Đình", "Năm Căn": a birth-order name only after a title or as a speaker marker
            continue
        elif not _MOTION_BEFORE.search(text[max(0, m.start() - 10) : m.start()]):
            ambiguous.append((m.start(), end, name))
    if ambiguous and use_ner:
        sentences = [_sentence_around(text, a, b) for a, b, _ in ambiguous]
        for (a, b, name), persons in zip(ambiguous, _ner_persons(sentences)):
            if any(name.casefold() in p or p in name.casefold() and len(p.split()) >= 2 for p in persons):
                add(a, b, name)
    full += [n for _, (_, n) in sorted(spans.items()) if len(n.split()) >= 2 and n not in full]

    # The given name alone, where a person found above is called by it.
    short = {n.casefold(): n for n in known if len(n) > 1 and n.istitle() and _titled_somewhere(text, n)}
    for name in full:
        words = name.split()
        forms = [words[-1]]
        if words[0].casefold() in NAME_PARTICLES:
            forms.append(words[1])
        for form in forms:
            short.setdefault(form.casefold(), name)
    for m in _WORD.finditer(text):
        word = m.group()
        if taken[m.start()] or word.casefold() not in short or not (word.istitle() or word.isupper()):
            continue
        before = text[max(0, m.start() - 30) : m.start()]
        titled = bool(_TITLE_BEFORE.search(before))
        prev = _previous_word(text, m.start())
        nxt = re.match(r"[ \t]+([^\W\d_]+)", text[m.end() : m.end() + 30])
        if not titled and (prev[:1].isupper() or (nxt and nxt.group(1)[:1].isupper())):
            continue  # part of another proper noun: "Thái Bình", "Bình Dương"
        if (
            not titled
            and _SENTENCE_START.search(text[text.rfind("\n", 0, m.start()) + 1 : m.start()])
            and not _stands_alone(text, m.start(), m.end())
        ):
            continue  # "Thảo luận", "Chi bộ", "Lực lượng" open sentences too
        at_start = _SENTENCE_START.search(text[text.rfind("\n", 0, m.start()) + 1 : m.start()])
        if not titled and at_start and re.match(r"[ \t]*\d", text[m.end() : m.end() + 3]):
            continue  # "Trước 15/3", "Ngày 23/5" in a table's deadline column
        if not titled and nxt and nxt.group(1).casefold() in {"ủy", "uỷ", "hội", "ương", "bộ"}:
            continue  # "Chi ủy viên", "Quốc hội", "Trung ương", "Chi bộ"
        if not titled and nxt and nxt.group(1).islower() and not _stands_alone(text, m.start(), m.end()):
            continue  # "Khoa học", "Công an", "Nghị quyết", "Thanh tra"
        add(m.start(), m.end(), word)

    # Each mention points at the fullest name it shortens: the nearest full name before it, else after.
    placed = sorted(spans.items())
    full_at = [(a, n) for a, (_, n) in placed if len(n.split()) >= 2]
    mentions = []
    for a, (b, name) in placed:
        mentions.append(Mention(a, b, _fullest(name, a, full_at)))
    return mentions


def _fullest(name: str, at: int, full_at: list[tuple[int, str]]) -> str:
    words = name.casefold().split()
    candidates = [(a, n) for a, n in full_at if n.casefold().split()[-len(words) :] == words]
    if words and not candidates:  # "Brơm" for "Y Brơm Niê"
        candidates = [
            (a, n)
            for a, n in full_at
            if n.split()[0].casefold() in NAME_PARTICLES and n.casefold().split()[1] == words[0]
        ]
    if not candidates:
        return name
    before = [c for c in candidates if c[0] <= at]
    best = before[-1] if before else candidates[0]
    longest = max((n for _, n in candidates if n.casefold().endswith(best[1].casefold())), key=len)
    return longest
