"""The hand-written turn rules: where the minutes name a speaker (markers.py), which lines are headings,
votes, captions, summaries or conclusions, and the segments these rules alone would cut.

They are features of the trained turn finder (turns.py), which learns when to trust them: exact on the
layouts they were written for, silent on the ones they were not. A line break alone never ends a turn.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from minutes_nlp.errors import NoSpeakers
from minutes_nlp.reading.text import UPPER
from minutes_nlp.segmentation.header import NUM, parse_header, parse_number
from minutes_nlp.segmentation.markers import _BULLET as _MARKER_BULLET
from minutes_nlp.segmentation.markers import (
    PRESENTING_VERBS,
    REPORTING_VERBS,
    TITLES,
    Marker,
    _read_name,
    _skip_spaces,
    parse_marker,
    verb_after,
)
from minutes_nlp.segmentation.phrases import Phrases, finditer_after
from minutes_nlp.segmentation.sentences import split_sentences
from minutes_nlp.types import Header, Segment, SegmentedDocument

_HEADING_WORDS = re.compile(
    r"(thảo luận|ý kiến tham gia|các ý kiến|ý kiến phát biểu|ý kiến đóng góp|tham gia ý kiến|ý kiến thảo luận|"
    r"phát biểu ý kiến|góp ý|kết luận|biểu quyết|diễn biến|nội dung|thủ tục|chương trình|thành phần|"
    r"phần mở đầu|khai mạc|bế mạc|kết thúc|chấm điểm|xếp loại|thông qua biên bản|tiến trình)",
    re.IGNORECASE,
)
_HEADING_PHRASES = Phrases(_HEADING_WORDS, tuple(_HEADING_WORDS.pattern.strip("()").split("|")))
_HEADING_PREFIX = re.compile(
    r"^\s*(?:[IVX]+[.)/]|\d{1,2}[.)/]|[a-zđ][.)]|[*#•►+-]|phần\s+[IVX\d]+[.:]?)?\s*", re.IGNORECASE
)
_DISCUSSION_HEADING = re.compile(
    r"thảo luận|ý kiến tham gia|các ý kiến|ý kiến phát biểu|ý kiến đóng góp|tham gia ý kiến|phát biểu ý kiến|góp ý",
    re.IGNORECASE,
)
_DISCUSSION_PHRASES = Phrases(_DISCUSSION_HEADING, tuple(_DISCUSSION_HEADING.pattern.split("|")))
_CONCLUSION_HEADING = re.compile(r"kết luận", re.IGNORECASE)
_CLOSING = re.compile(
    r"^\s*[-+*•]?\s*(?:\d+[.)]\s*)?(?:(?:chi bộ|hội nghị|đảng viên|các đồng chí)\s+(?:đã\s+)?(?:tiến hành\s+)?"
    r"(?:biểu quyết|bỏ phiếu)|bỏ phiếu|kết quả bỏ phiếu|biểu quyết|kết quả biểu quyết|cuộc họp kết thúc|buổi sinh hoạt kết thúc|"  # noqa: E501
    r"hội nghị kết thúc|buổi họp kết thúc|sinh hoạt kết thúc|biên bản (?:được|đã|này|kết thúc|lập xong)|"
    r"thông qua biên bản|chấm điểm|xếp loại|chi bộ tự (?:chấm|đánh giá|xếp)|ảnh\s*:|nguồn\s*:|"
    r"t/m|tm\.|nơi nhận|người ghi|thư ký\s{2,}|chủ trì\s{2,})",
    re.IGNORECASE,
)
_AGGREGATE = re.compile(
    r"(?:^|\W)(?:các (?:đồng chí|đ/c|đảng viên|ý kiến)|ý kiến khác|(?:đã )?có\s+" + NUM + r"\s*(?:lượt )?ý kiến|"
    r"nhận được\s+"
    + NUM
    + r"\s*(?:lượt )?ý kiến|"
    + NUM
    + r"\s*lượt (?:ý kiến|phát biểu)|phát biểu\s+"
    + NUM
    + r"\s*ý kiến|"
    r"tất cả (?:các )?đảng viên|(?:100\s*%|toàn thể) (?:đảng viên|đồng chí))",
    re.IGNORECASE,
)
# the leftmost match of _AGGREGATE if it starts within 30 characters: the search stops there
_AGGREGATE_EARLY = re.compile(r"(?s:.{0,30}?)(" + _AGGREGATE.pattern + ")", re.IGNORECASE)
_REMARK_COUNT = re.compile(r"(" + NUM + r")\s*(?:lượt )?(?:ý kiến|lượt phát biểu)", re.IGNORECASE)
_NAME_WORD = UPPER + r"[^\W\d_]*"
_NAMES = r"(?:" + _NAME_WORD + r")(?: " + _NAME_WORD + r")*"
_TITLE = r"(?:đồng chí|đ/c|ĐC|Đồng chí|Đ/c)"
# "Các đồng chí Hùng, Lan, Minh thống nhất…", "Đ/c Loan, đ/c Mai: …", "Đ/c Thông và đ/c Lựu nhất trí…"
_JOINT = re.compile(
    r"(?:(?:Các|các) " + _TITLE + r"\s+(" + _NAMES + r"(?:\s*(?:,|và)\s*" + _NAMES + r")+)"
    r"|" + _TITLE + r"\s+(" + _NAMES + r"(?:\s*(?:,|và)\s*" + _TITLE + r"\s+" + _NAMES + r")+))"
    r"\s*(?:\([^)]*\))?\s*(:)?\s*"
)
_BULLET_START = re.compile(r"[-+*•►–—]\s")
_CONCLUSION_LINE = re.compile(
    r"\s*(?:[IVX]{1,4}[./)]|\d{1,2}[./)]|[*+•-])?\s*(kết luận(?: của| hội nghị| buổi| cuộc| chung|,)?)[^:\n]{0,60}?[:,]?\s+\S",  # noqa: E501
    re.IGNORECASE,
)
_INLINE_HEADING = re.compile(r"\s*([^:\n]{1,40}):\s+")
# A sentence end, or a glued one ("tháng 5.Đồng chí Lan đề nghị…") right before a title.
_SENTENCE_START = re.compile(r"(?<=[.!?…;])[\"”’)]?\s+(?=\S)|(?<=[.!?])(?=(?:Đồng chí|Đ/c|ĐC|Đ/C)\s)")
_STOPS = ".!?…;"  # every match of _SENTENCE_START starts right after one of these
_GUEST_ROLE = re.compile(
    r"đại biểu|khách mời|quần chúng|cảm tình|ứng viên|người được|phụ trách chi bộ|"
    r"đảng ủy viên|đảng uỷ viên|thường vụ|thường trực đảng|đại diện (?:đảng|ubnd|mặt trận)|"
    r"cấp ủy cấp trên|bí thư đảng ủy|phó bí thư đảng ủy",
    re.IGNORECASE,
)
_COMMITTEE_ROLE = re.compile(
    r"phó bí thư|\bpbt\b|chi ủy viên|chi uỷ viên|\bcuv\b|ủy viên chi ủy|cấp ủy viên", re.IGNORECASE
)
_CHAIR_ROLE = re.compile(r"(?<!phó )bí thư|^bt\b|\bbt chi bộ|chủ trì|chủ tọa", re.IGNORECASE)
_SECRETARY_ROLE = re.compile(r"thư ký|thư kí", re.IGNORECASE)
_REPORT_OBJECT = re.compile(
    r"\s*(?:lại |sơ lược |tóm tắt |nhanh |toàn văn |các |những |nội dung |bản |một số |về )?(?:dự thảo|quá trình|hồ sơ|đơn|quyết định|công điện|thông tư|hướng dẫn|lý lịch|mục đích|tờ trình|nghị định|luật|nghị quyết|kế hoạch|báo cáo|chuyên đề|phương hướng|chương trình|văn bản|"  # noqa: E501
    r"chỉ thị|quy định|kết quả|tình hình|thời sự|nội dung)",
    re.IGNORECASE,
)


@dataclass
class _Turn:
    marker: Marker
    line: int
    mid_line: bool


@lru_cache(maxsize=4096)  # the rules and the unit features ask about the same lines
def _is_heading(line: str) -> bool:
    """A section title: capitals, or a heading word in a short line ending with ':' or numbered."""
    prefix = _HEADING_PREFIX.match(line)
    body = line[prefix.end() :].strip()
    if not body or len(body) > 90 or body.lower().startswith("về "):
        return False
    letters = sum(map(str.isalpha, body))
    if letters > 3 and sum(map(str.isupper, body)) / letters > 0.7:
        return True
    if not _HEADING_PHRASES.found(body):
        return False
    numbered = bool(line[: prefix.end()].strip()) and not _BULLET_START.match(line.strip())
    return body.endswith(":") or (numbered and len(body.split()) <= 10 and not body.endswith((".", "!", "?")))


@lru_cache(maxsize=4096)
def _is_aggregate(line: str) -> bool:
    """A secretary's unnamed summary of remarks ("Các ý kiến khác thống nhất…", "Đã có 6 ý kiến…")."""
    stripped = line.strip()
    if len(stripped) > 300 or _BULLET_START.match(stripped):
        return False
    m = _AGGREGATE_EARLY.match(stripped)
    # "Thống nhất với các ý kiến trên" is someone's remark, not a summary of remarks
    return bool(m) and not re.search(r"\b(?:với|theo|như|của|cùng|và)\s*$", stripped[: m.start(1) + 1])


def _is_procedural_line(line: str) -> bool:
    return bool(_CLOSING.match(line)) or _is_heading(line)


def _is_caption(text: str, m: Marker, line_end: int) -> bool:
    if m.colon:
        return False
    rest = text[m.start : line_end].rstrip()
    if rest.endswith((".", "!", "?", ":", ";", "…")) or len(rest) > 160:
        return False
    verb_at = rest.lower().rfind(m.verb) if m.verb else -1
    after = rest[verb_at + len(m.verb) :] if verb_at >= 0 else rest
    return len(after.split()) <= 6


def _joint_marker(text: str, start: int, end: int) -> Marker | None:
    """A remark attributed jointly by name (codebook §2): one segment, speakers separated by ', '."""
    pos = _MARKER_BULLET.match(text, start, end).end()
    m = _JOINT.match(text, pos, end)
    if not m:
        return None
    raw = m.group(1) or m.group(2)
    names = [re.sub(r"^" + _TITLE + r"\s+", "", n.strip()) for n in re.split(r",|\bvà\b", raw) if n.strip()]
    colon = bool(m.group(3))
    verb = None if colon else verb_after(text, m.end(), end)
    if len(names) < 2 or (not colon and verb is None):
        return None
    return Marker(
        start=start,
        content=m.end() if colon else start,
        speaker=", ".join(names),
        role_text="",
        verb=verb,
        colon=colon,
        has_title=True,
    )


_TITLED = r"(?:đồng chí|đ/c|đc|ông|bà|anh|chị|thầy|cô)\s+"
# "Hỏi (đ/c Lê Văn Cường - xóm Đông): …", "Trả lời (đ/c Bí thư): …"
_EXCHANGE = re.compile(
    r"\s*(?:[-+*•]\s*)?(hỏi|trả lời|ý kiến|góp ý|kiến nghị|đề xuất|phát biểu)\s*\(\s*"
    + _TITLED
    + r"([^()\n]{1,60}?)\s*(?:[-–,][^()\n]*)?\)\s*:\s*",
    re.IGNORECASE,
)
# "- Nhất trí với dự thảo. (ý kiến đ/c Hùng)", "… (Bà Trương Thị Nghĩa)."
_TRAILING = re.compile(r"\((?:ý kiến\s+(?:của\s+)?)?" + _TITLED + r"([^()\n]{1,80})\)\s*[.;]?\s*$", re.IGNORECASE)


def _exchange_marker(text: str, start: int, end: int) -> Marker | None:
    m = _EXCHANGE.match(text, start, end)
    if not m:
        return None
    who = m.group(2).strip()
    name, _ = _read_name(who, 0, len(who))
    if name is None or name != who.split(" -")[0].strip():
        if not re.match(r"(?:bí thư|chủ trì|phó bí thư)", who, re.IGNORECASE):
            return None
        return Marker(
            start=start,
            content=m.end(),
            speaker=None,
            role_text=who.lower(),
            verb=m.group(1).lower(),
            colon=True,
            has_title=True,
            role_only=True,
        )
    return Marker(
        start=start, content=m.end(), speaker=name, role_text="", verb=m.group(1).lower(), colon=True, has_title=True
    )


def _trailing_marker(text: str, start: int, end: int) -> Marker | None:
    """A remark whose speaker is named at its end; the remark starts at the line (after its bullet)."""
    m = _TRAILING.search(text, start, end)
    if not m:
        return None
    inside = m.group(1)
    name, name_end = _read_name(inside, 0, len(inside))
    rest = inside[name_end:].strip()
    # the name, then nothing, a separator and a role, or lower-case words ("tổ 5", "bổ sung")
    if not name or (rest and not (rest[0] in "-–,(" or rest[0].islower() or rest[0].isdigit())):
        return None
    content = _MARKER_BULLET.match(text, start, end).end()
    return Marker(start=start, content=content, speaker=name, role_text="", verb=None, colon=True, has_title=True)


def _line_marker(text: str, start: int, end: int) -> Marker | None:
    return _joint_marker(text, start, end) or parse_marker(text, start, end) or _exchange_marker(text, start, end)


def _mid_line_markers(text: str, start: int, end: int, inline_heading: bool = True) -> list[Marker]:
    """Turns that start inside a line: after a sentence end, or after a heading such as 'Thảo luận:'."""
    found = []
    starts = [m.end() for m in finditer_after(_SENTENCE_START, text, start, end, _STOPS)]
    lead = _INLINE_HEADING.match(text, start, end)
    if inline_heading and lead and _HEADING_PHRASES.found(lead.group(1)):
        starts.insert(0, lead.end())
    for pos in starts:
        if text.count("(", start, pos) > text.count(")", start, pos):
            continue  # inside brackets: "(đ/c Bình - đi công tác; đ/c Sơn - đang học)"
        mk = _joint_marker(text, pos, end) or parse_marker(text, pos, end, require_title=True)
        if mk and mk.speaker and (mk.verb or mk.colon):
            found.append(mk)
    return found


class _People:
    """Names seen so far, so a given name resolves to the one full name it ends with."""

    def __init__(self, header: Header):
        self.header = header
        self.roles: dict[str, str] = {}
        self.full: list[str] = []
        self.by_given: dict[str, list[str]] = {}  # the full names by their last word, lower case
        for name in [header.chair, header.secretary, *header.guests]:
            if name:
                self.add(name)

    def add(self, name: str) -> None:
        if len(name.split()) >= 2 and name not in self.full:
            self.full.append(name)
            self.by_given.setdefault(name.split()[-1].lower(), []).append(name)

    def resolve(self, name: str) -> str:
        if len(name.split()) >= 2:
            return name
        matches = self.by_given.get(name.lower(), [])
        return matches[0] if len(matches) == 1 else name

    @staticmethod
    def _same(a: str | None, b: str | None) -> bool:
        return bool(a and b) and a.lower() == b.lower()

    def role(self, name: str | None, role_text: str) -> str:
        h = self.header
        full = self.resolve(name) if name else None
        if full and self._same(full, h.chair):
            return "chair"
        if full and self._same(full, h.secretary):
            return "secretary"
        if full and any(self._same(full, g) for g in h.guests):
            return "guest"
        if full in self.roles and not role_text:
            return self.roles[full]
        if _GUEST_ROLE.search(role_text):
            role = "guest"
        elif _COMMITTEE_ROLE.search(role_text):
            role = "committee"
        elif _CHAIR_ROLE.search(role_text):
            role = "chair" if not h.chair or name is None else "committee"
        elif _SECRETARY_ROLE.search(role_text):
            role = "secretary"
        else:
            role = self.roles.get(full, "member") if full else "member"
        if full:
            self.roles.setdefault(full, role)
        return role


def _kind(m: Marker, role: str, in_discussion: bool, after_conclusion_heading: bool, text: str) -> str:
    """chair_conclusion for a conclusion; chair_report for presenting a document or the month's results."""
    verb = m.verb or ""
    if "kết luận" in verb or (after_conclusion_heading and role == "chair"):
        return "chair_conclusion"
    if verb in PRESENTING_VERBS or verb in REPORTING_VERBS:
        tail = text[m.start : m.start + 250]
        at = tail.lower().find(verb)
        presents = at >= 0 and bool(_REPORT_OBJECT.match(tail, at + len(verb)))
        leading = role in ("chair", "committee")
        if not in_discussion and (verb in PRESENTING_VERBS or presents or leading):
            return "chair_report"
        if in_discussion and presents and leading and verb in PRESENTING_VERBS:
            return "chair_report"
    if not in_discussion and m.role_only:
        return "chair_report"
    return "discussion"


def _conclusion_line(text: str, start: int, end: int, chair: str | None) -> Segment | None:
    """A line opening the chair's conclusion: "3. Kết luận của đồng chí chủ trì: …", "Kết luận, đồng chí X …"."""
    m = _CONCLUSION_LINE.match(text, start, end)
    if not m:
        return None
    speaker = chair
    t = re.compile(r"(?:" + "|".join(TITLES) + r")\s+", re.IGNORECASE).search(text, m.start(1), min(end, m.end() + 40))
    if t:
        name, _ = _read_name(text, _skip_spaces(text, t.end(), end), end)
        if name:
            speaker = name
    return Segment(start, end, "chair_conclusion", speaker, "chair")


def _lines(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for line in text.split("\n"):
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def rule_segments(text: str, source: str = "<text>", sentences: bool = True) -> SegmentedDocument:
    """Return the segments, header facts and stated remark count the rules alone find.

    Raises NoSpeakers when no speaker turn is found.
    """
    lines = _lines(text)
    # Pass 1: which lines open a turn, which are procedural, which continue.
    line_kind: list[str] = []  # "turn", "proc", "cont", "blank"
    turns: dict[int, list[_Turn]] = {}
    for i, (a, b) in enumerate(lines):
        raw = text[a:b]
        if not raw.strip():
            line_kind.append("blank")
            continue
        mk = _line_marker(text, a, b)
        if _CONCLUSION_LINE.match(text, a, b) and not _is_heading(raw) and not (mk and mk.colon):
            line_kind.append("concl")
            continue
        if mk and _is_caption(text, mk, b):
            line_kind.append("proc")
            continue
        if mk is None and _is_procedural_line(raw):
            line_kind.append("proc")
            continue
        found = [_Turn(mk, i, False)] if mk else []
        found += [_Turn(x, i, True) for x in _mid_line_markers(text, a, b, inline_heading=mk is None)]
        if found:
            turns[i] = found
            line_kind.append("turn")
        elif _is_aggregate(raw):
            line_kind.append("agg")
        else:
            line_kind.append("cont")
    first_turn = min(turns) if turns else None
    header_end = lines[first_turn][0] if first_turn is not None else len(text)
    header = parse_header(text, header_end)
    if not turns:
        raise NoSpeakers(
            source,
            "no speaker turn found (no 'Đồng chí …:' or reported speech)",
            "check that the file is meeting minutes",
        )
    people = _People(header)
    for found in turns.values():
        for t in found:
            if t.marker.speaker and "," not in t.marker.speaker:
                people.add(t.marker.speaker)

    segments: list[Segment] = []
    stated = None
    open_seg: Segment | None = None
    proc_start: int | None = None
    in_discussion = False
    after_conclusion = False
    conclusion_pending = False  # the previous line was a "Kết luận" heading

    def close_proc(end: int) -> None:
        nonlocal proc_start
        if proc_start is not None:
            s, e = _trimmed(text, proc_start, end)
            if s < e:
                segments.append(Segment(s, e, "procedural"))
            proc_start = None

    def close_open(end: int) -> None:
        nonlocal open_seg
        if open_seg is not None:
            s, e = _trimmed(text, open_seg.start, end)
            open_seg.start, open_seg.end = s, e
            if s < e:
                segments.append(open_seg)
            open_seg = None

    contents: dict[int, int] = {}
    for i, (a, b) in enumerate(lines):
        kind = line_kind[i]
        raw = text[a:b]
        if kind == "blank":
            continue
        if kind in ("proc", "agg"):
            close_open(a)
            if proc_start is None:
                proc_start = a
            if _DISCUSSION_PHRASES.found(raw) and _is_heading(raw):
                in_discussion = True
            conclusion_pending = bool(_CONCLUSION_HEADING.search(raw) and _is_heading(raw))
            after_conclusion = after_conclusion or conclusion_pending
            count = _REMARK_COUNT.search(raw) if kind == "agg" or _DISCUSSION_PHRASES.found(raw) else None
            if count:
                stated = parse_number(count.group(1))
            continue
        if kind == "concl":
            close_open(a)
            close_proc(a)
            open_seg = _conclusion_line(text, a, b, header.chair)
            contents[id(open_seg)] = a
            after_conclusion = True
            conclusion_pending = False
            continue
        if kind == "cont":
            pending, conclusion_pending = conclusion_pending, False
            trailing = _trailing_marker(text, a, b) if in_discussion and not after_conclusion else None
            if trailing:  # "- Nhất trí với dự thảo. (ý kiến đ/c Hùng)"
                close_open(a)
                close_proc(a)
                people.add(trailing.speaker)
                open_seg = Segment(a, b, "discussion", trailing.speaker, people.role(trailing.speaker, ""))
                contents[id(open_seg)] = trailing.content
                continue
            if open_seg is None and pending and header.chair:
                close_proc(a)
                open_seg = Segment(a, b, "chair_conclusion", header.chair, "chair")
                contents[id(open_seg)] = a
            elif open_seg is None and proc_start is None:
                proc_start = a
            continue
        conclusion_pending = False
        for t in turns[i]:
            m = t.marker
            name = m.speaker if m.speaker else (header.chair if m.role_only else None)
            role = people.role(m.speaker, m.role_text) if m.speaker else "chair"
            seg_kind = _kind(m, role, in_discussion, after_conclusion, text)
            if (
                t.mid_line
                and open_seg is not None
                and name
                and people.resolve(name) == people.resolve(open_seg.speaker or "")
            ):
                continue  # the same speaker named again inside their own turn
            if t.mid_line and open_seg is not None and open_seg.kind == "chair_conclusion":
                continue  # the conclusion mentions a member ("Đ/c Trường hỏi về quỹ…: đã nộp đủ")
            close_open(m.start)
            close_proc(m.start)
            open_seg = Segment(m.start, b, seg_kind, name, role)
            contents[id(open_seg)] = m.content
            if seg_kind == "discussion":
                in_discussion = True
            elif seg_kind == "chair_conclusion":
                after_conclusion = True
    close_open(len(text))
    close_proc(len(text))
    segments.sort(key=lambda s: s.start)
    for seg in segments:
        if seg.kind == "discussion" and sentences:
            start = max(contents.get(id(seg), seg.start), seg.start)
            seg.sentences = split_sentences(text, start, seg.end)
    return SegmentedDocument(text=text, header=header, segments=segments, stated_remarks=stated)
