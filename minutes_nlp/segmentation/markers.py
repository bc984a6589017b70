"""Recognise speaker markers: the words that open a member's turn in minutes.

formats.md lists the shapes: a bullet or number, a title (Đồng chí, Đ/c,
ĐC...), a name, an optional role (in brackets, after a dash or comma, or
just following), then a colon or a speech verb. Role-first markers
("Chi ủy viên Nguyễn Văn Tư:") and phrase-first openings ("Phát biểu tại
buổi sinh hoạt, đồng chí Tâm đánh giá…") are recognised too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from minutes_nlp.reading.text import LOWER, UPPER

TITLES = ("đồng chí", "đ/c", "đc", "đ.c", "ông", "bà", "anh", "chị", "thầy", "cô")
# Capitalised words that start a role, never a name, when they follow a name.
ROLE_WORDS = {
    "bí",
    "chủ",
    "trưởng",
    "tổ",
    "đảng",
    "giám",
    "ủy",
    "kế",
    "bác",
    "điều",
    "giáo",
    "khu",
    "ấp",
    "thôn",
    "phòng",
    "ubnd",
    "mttq",
    "bt",
    "pbt",
    "cuv",
    "đuv",
    "cán",
    "quần",
    "kỹ",
    "dược",
    "cựu",
    "buôn",
    "xã",
    "phường",
    "ccb",
    "đội",
    "trợ",
    "tp",
    "phụ",
    "trực",
    "đồn",
    "giảng",
    "cảm",
    "xưởng",
    "bộ",
    "sở",
    "viện",
    "trạm",
    "kho",
    "lái",
    "thượng",
    "thiếu",
    "hiệu",
    "uỷ",
    "chỉ",
    "tiểu",
    "trung",
    "đại",
    "thư",
}
# Words that are given names too ("Thư", "Trung", "Đại") are role words only before these.
_NAME_OR_ROLE = {
    "thư": {"ký"},
    "trung": {"úy", "tá", "đội", "đoàn", "tâm", "sĩ"},
    "đại": {"úy", "tá", "biểu", "đội", "diện", "sứ"},
    "hiệu": {"trưởng", "phó"},
    "phó": {
        "bí",
        "chủ",
        "giám",
        "trưởng",
        "hiệu",
        "ban",
        "tổng",
        "chánh",
        "chỉ",
        "đội",
        "khoa",
        "phòng",
        "giáo",
        "viện",
        "thủ",
        "quản",
        "chính",
        "trạm",
        "tiểu",
        "trung",
        "đại",
        "ấp",
        "thôn",
        "khu",
        "bản",
        "tổ",
        "hội",
        "chi",
        "đoàn",
        "văn",
        "cục",
        "công",
        "bt",
        "ct",
        "gđ",
    },
    "chi": {"ủy", "uỷ", "bộ", "hội", "đoàn", "đội", "nhánh", "cục"},
    "sĩ": {"quan"},
    "quản": {"đốc", "lý", "trị", "giáo", "ca"},
    "nguyên": {"bí", "chủ", "giám", "trưởng", "phó", "hiệu", "chánh", "cán"},
    "ban": {"chỉ", "giám", "điều", "quản", "thường"},
    "tiểu": {"đội", "đoàn", "ban", "khu"},
    "chỉ": {"huy"},
}
_ROLE_BIGRAMS = {
    "công": {"an", "đoàn", "nhân", "chức"},
    "chính": {"trị"},
    "nhân": {"viên", "dân"},
    "bảo": {"vệ"},
    "khoa": {"nội", "ngoại", "nhi", "sản", "dược", "khám"},
    "đoàn": {"thanh", "viên", "trưởng"},
    "hội": {"trưởng", "viên", "phụ", "cựu", "nông", "người"},
    "chiến": {"sĩ"},
    "y": {"sĩ", "tá", "tế", "bác"},
    "văn": {"thư", "phòng"},
    "học": {"sinh", "viên"},
    "hợp": {"tác"},
    "lớp": {"trưởng"},
    "ca": {"trưởng"},
    "kiểm": {"soát", "tra"},
    "thủ": {"quỹ", "kho", "trưởng"},
    "hưu": {"trí"},
    "giáo": {"viên", "vụ"},
}
# Verbs of speech; the longest match wins. Verbs that present a document mark a chair_report.
SPEECH_VERBS = (
    "phát biểu",
    "trình bày",
    "triển khai",
    "kết luận",
    "đánh giá",
    "đề nghị",
    "cho biết",
    "cho rằng",
    "nêu",
    "phản ánh",
    "nhất trí",
    "thống nhất",
    "bổ sung",
    "đề xuất",
    "kiến nghị",
    "góp ý",
    "thông qua",
    "quán triệt",
    "thông tin",
    "báo cáo",
    "tham gia",
    "chia sẻ",
    "đồng tình",
    "tán thành",
    "đồng ý",
    "hỏi",
    "nhấn mạnh",
    "khẳng định",
    "cho hay",
    "bày tỏ",
    "lưu ý",
    "tiếp thu",
    "giải trình",
    "tự kiểm điểm",
    "kiểm điểm",
    "nhận xét",
    "phổ biến",
    "đọc",
    "giới thiệu",
    "truyền đạt",
    "tóm tắt",
    "tổng hợp",
    "nói",
    "thừa nhận",
    "trao đổi",
    "ghi nhận",
    "biểu dương",
    "nhắc",
    "đặt vấn đề",
    "băn khoăn",
    "lo lắng",
    "thắc mắc",
    "đề cập",
    "cũng nêu",
    "cũng cho rằng",
    "cũng đề nghị",
    "cũng phản ánh",
    "tiếp lời",
    "chất vấn",
    "góp thêm",
    "phân tích",
    "khái quát",
    "chỉ ra",
    "xin",
    "tự nhận",
    "nêu ý kiến",
    "có ý kiến",
    "ý kiến",
    "cảm ơn",
    "trả lời",
    "nói thêm",
    "hứa",
    "cam kết",
    "mong",
    "đồng tình",
    "phát biểu thêm",
    "thông báo",
    "kể",
    "trình bày thêm",
    "giải thích",
    "nhận",
    "đăng ký",
    "tâm sự",
    "chia sẻ thêm",
    "đề đạt",
    "kiến nghị thêm",
    "bổ sung thêm",
    "tán thành",
    "báo cáo thêm",
    "hoan nghênh",
    "liên hệ",
    "tự liên hệ",
    "chúc mừng",
    "nhận khuyết điểm",
    "nhận trách nhiệm",
    "phê bình",
    "đặt câu hỏi",
)
# Verbs that present a document: always a report before the discussion.
PRESENTING_VERBS = ("triển khai", "thông qua", "quán triệt", "phổ biến", "đọc", "truyền đạt")
# Verbs that present only with a document or the unit's results as object.
REPORTING_VERBS = ("trình bày", "thông tin", "giới thiệu", "tóm tắt", "báo cáo", "thông báo", "đánh giá")
ROLE_FIRST = (
    "phó bí thư chi bộ",
    "phó bí thư",
    "bí thư chi bộ",
    "bí thư",
    "chi ủy viên",
    "chi uỷ viên",
    "đảng viên",
    "đại biểu",
    "thư ký",
    "chủ trì",
    "chủ tọa",
    "ủy viên",
    "cuv",
    "pbt",
    "bt",
    "quần chúng",
    "đối tượng",
    "cảm tình đảng",
    "tổ trưởng",
    "tổ phó",
    "trưởng thôn",
    "trưởng ấp",
    "trưởng khoa",
    "phó trưởng khoa",
    "trưởng phòng",
    "phó trưởng phòng",
    "giám đốc",
    "phó giám đốc",
    "hiệu trưởng",
    "phó hiệu trưởng",
    "chủ tịch",
    "phó chủ tịch",
    "bác sĩ",
    "giáo viên",
    "chuyên viên",
    "kế toán",
    "chi hội trưởng",
    "trưởng ban",
    "phó ban",
    "đội trưởng",
    "quản đốc",
    "trưởng khu phố",
)
_BULLET = re.compile(
    r"\s*(?:[-+*•►–—·]+\s*|\d{1,2}(?:\.\d{1,2})+\.?\s+|[IVX]{1,4}[.)/]\s+|\d{1,2}/\s+|\(?\d{1,2}[.)]\s*(?!\d)|\(\d{1,2}\)\s*|[a-zđ][.)]\s+)?"
)
# Words that lead into a marker: "Tham gia ý kiến, đồng chí …", "Theo đồng chí …", "Ý kiến của đ/c …".
# The first form (up to eight words, a comma, then a title) backtracks heavily, so it has its own pattern,
# tried only where such a comma occurs in the line; the others are anchored and cheap.
_LEAD_TITLES = r"(?:đồng chí|đ/c|ĐC|đảng viên|quần chúng|chi ủy viên|phó bí thư|bí thư)\s"
_LEAD_WORDS = re.compile(
    r"(?!(?:đồng chí|đ/c|đc|ông|bà|chi ủy viên|phó bí thư|bí thư|đảng viên)\s)(?:[^\W\d][^\s,.:;\d]*\s*){1,8},\s+(?="
    + _LEAD_TITLES
    + ")",
    re.IGNORECASE,
)
_COMMA_TITLE = re.compile(r",\s+" + _LEAD_TITLES, re.IGNORECASE)
_LEAD_PHRASES = re.compile(
    r"(?:theo\s+(?=(?:đồng chí|đ/c)\s)|ý kiến (?:tham gia |phát biểu |góp ý )?(?:của )?|(?:bài )?tham luận (?:của )?"
    r"|phát biểu của |tham gia ý kiến,?\s+|tiếp (?:đó|theo),?\s+"
    r"|sau đó,?\s+|cuối cùng,?\s+|cũng tại buổi \w+(?: \w+)?,?\s+|phát biểu[^,.:;\n]{0,60},\s+"
    r"|góp ý[^,.:;\n]{0,40},\s+|thảo luận[^,.:;\n]{0,40},\s+|về [^,.:;\n]{1,50},\s+|đồng thời,?\s+|ngoài ra,?\s+)",
    re.IGNORECASE,
)


def _lead(text: str, pos: int, end: int) -> re.Match | None:
    """The lead-in words at pos, as one alternation would find them: the comma form first."""
    if _COMMA_TITLE.search(text, pos, end):
        m = _LEAD_WORDS.match(text, pos, end)
        if m:
            return m
    return _LEAD_PHRASES.match(text, pos, end)


_QUALIFIER = re.compile(r"(?:\s+(?:" + LOWER + r"|\d)[^\s:,]*){1,4}(?=\s+(?:" + UPPER + r"|đồng chí|đ/c))")
_RANK = re.compile(
    r"(?:Thiếu|Trung|Thượng|Đại) (?:úy|uý|tá|tướng)\s+(?:QNCN\s+)?|(?:Binh nhất|Binh nhì|Hạ sĩ|Trung sĩ|Thượng sĩ)\s+(?:QNCN\s+)?|"  # noqa: E501
    r"(?:(?:Bác sĩ|Kỹ sư|GS|PGS|TS|ThS|Ths|Th\.S|CN|KS|BS|BSCKI+|DS|NCS|ĐD)\.?\s*)+\s(?=" + UPPER + ")"
)
# "Đ/c Phạm Quang Vịnh thanh tra viên, tự kiểm điểm:": up to four lower-case role words, then ',' or ':'.
_NOT_ROLE = r"(?:cần|phải|đã|sẽ|đang|không|chưa|được|có|là|rất|cũng|luôn|vẫn|mới|còn|và|với|thì|đi|về|xin|nói)\b"
_LOWER_ROLE = re.compile(r"(?!" + _NOT_ROLE + r")(?:" + LOWER + r"[^\s:,.;]*\s*){1,4}[,:]")
_POINTS = re.compile(r"(?:có|nêu|gồm|với)\s+(?:\d+|hai|ba|bốn|năm|một số)\s+(?:ý|nội dung|vấn đề)(?:\s+kiến)?\s*:")
_ADVERB = re.compile(r"(?:cũng|đã|lại|tiếp tục|thì|còn|liền|nghiêm túc)\s+")
_DASH_CONTENT = re.compile(r"\s*[-–—]\s+")
_COLON_AFTER_VERB = re.compile(r"[^.;!?:\n]{0,30}?:")
_ROLE_THEN_TITLE = re.compile(r"([^:.;\n]{1,50}?)\s*[-–,]?\s*(?=(?:đồng chí|đ/c|Đồng chí|Đ/c|ĐC)\s)")
# Capitalised words that open a job title in a role-first marker without a title.
ROLE_STARTS = {
    "chuyên",
    "kế",
    "chánh",
    "phó",
    "trưởng",
    "giám",
    "bác",
    "điều",
    "giáo",
    "cán",
    "nhân",
    "kỹ",
    "thủ",
    "văn",
    "chủ",
    "tổ",
    "đội",
    "trợ",
    "thư",
    "hiệu",
    "chi",
    "bí",
    "ủy",
    "đại",
    "thượng",
    "trung",
    "thiếu",
    "quản",
    "khối",
    "thôn",
    "ấp",
    "công",
    "kiểm",
    "thanh",
    "dược",
    "y",
    "hộ",
    "lái",
    "bảo",
    "giảng",
}
CHAIR_ROLES = ("bí thư", "chủ trì", "chủ tọa", "thư ký")
_WORD = re.compile(r"[^\W\d_](?:[^\W_]|['’](?=[^\W\d_]))*|\d+", re.UNICODE)


@dataclass(frozen=True)
class Marker:
    """A speaker marker found at ``start``; the remark's own words begin at ``content``."""

    start: int
    content: int
    speaker: str | None  # as written, without title and role; None when only a role is named
    role_text: str  # the role words written in the marker, lower case
    verb: str | None  # the speech verb, None for a colon marker
    colon: bool
    has_title: bool
    role_only: bool = False  # "Đồng chí chủ trì", "Bí thư chi bộ" with no name


def _is_name_word(word: str, next_word: str) -> bool:
    """A capitalised word that is part of a name, not the first word of a role."""
    plain = word.replace("'", "").replace("’", "")
    if not (word[:1].isupper() and plain.isalpha()) or (len(plain) > 2 and plain[1:].isupper()):
        return False
    low, nxt = word.lower(), next_word.lower()
    if low in _NAME_OR_ROLE:
        return nxt not in _NAME_OR_ROLE[low]
    if low in _ROLE_BIGRAMS and nxt in _ROLE_BIGRAMS[low]:
        return False
    return low not in ROLE_WORDS


def _role_follows(text: str, pos: int, end: int) -> bool:
    first = _WORD.match(text, pos, end)
    if not first:
        return False
    second = _WORD.match(text, _skip_spaces(text, first.end(), end), end)
    word = first.group()
    return word.isupper() or not _is_name_word(word, second.group() if second else "") and word[:1].isupper()


def _by_first_letter(options: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    index: dict[str, list[str]] = {}
    for opt in options:
        index.setdefault(opt[:1], []).append(opt)
    return {first: tuple(opts) for first, opts in index.items()}


# the word lists _match_words is given, by their first letter (none of them is empty)
_OPTIONS_BY_FIRST = {id(o): (o, _by_first_letter(o)) for o in (TITLES, ROLE_FIRST)}


def _match_words(text: str, pos: int, options: tuple[str, ...]) -> int:
    """Return the end of the longest option matching at pos (case-insensitive, word-bounded), or -1."""
    low = text[pos : pos + 40].lower()
    best = -1
    known = _OPTIONS_BY_FIRST.get(id(options))
    if known is not None and known[0] is options:  # only the options that start with the text's first letter
        options = known[1].get(low[:1], ()) if low else options
    for opt in options:
        if low.startswith(opt) and (len(low) == len(opt) or not low[len(opt)].isalnum()):
            best = max(best, pos + len(opt))
    return best


def _skip_spaces(text: str, pos: int, end: int) -> int:
    while pos < end and text[pos] in " \t":
        pos += 1
    return pos


def _read_name(text: str, pos: int, end: int, upper: bool = False) -> tuple[str | None, int]:
    """Read up to five capitalised name words at pos; return (name, end of name).

    ``upper``: the marker is written in capitals ("ĐỒNG CHÍ NGUYỄN VĂN AN:"), so capital words are names.
    """
    words: list[str] = []
    name_end = pos
    cur = pos
    while len(words) < 7:  # "Công Tằng Tôn Nữ Minh Châu"
        cur = _skip_spaces(text, cur, end)
        m = _WORD.match(text, cur, end)
        if not m:
            break
        if upper and words and (_find_verb(text, cur, end)[0] or _match_words(text, cur, ROLE_FIRST) > 0):
            break  # "ĐỒNG CHÍ PHẠM VĂN THUẤN KẾT LUẬN:"
        nxt = _WORD.match(text, _skip_spaces(text, m.end(), end), end)
        word = m.group().capitalize() if upper and m.group().isupper() else m.group()
        following = nxt.group().lower() if nxt else ""
        if not _is_name_word(word, following):
            break
        # "Thị" and "Văn" are ordinary middle names; a role word stops the name.
        words.append(m.group())
        name_end = cur = m.end()
        if cur < end and text[cur] not in " \t":
            break
    if not words:
        return None, pos
    return " ".join(words), name_end


_LOWER_NAME = re.compile(r"([^\W\d_]+(?: [^\W\d_]+)?)\s*:")
_VERB_COLON = re.compile(r"(?: [^\W\d_]+)?\s*:")
_ROLE_SEP = re.compile(r"[,–-]\s*")
_SENTENCE_PUNCT = re.compile(r"[.;!?]")


def _read_lower_name(text: str, pos: int, end: int) -> tuple[str | None, int]:
    """A sloppy 'đ/c lan:' marker: one or two lower-case words right before a colon, or one word, a speech
    verb and at most one more word before it ('đ/c bảo phát biểu lại:')."""
    m = _LOWER_NAME.match(text, pos, end)
    if m and len(m.group(1)) <= 20:
        return m.group(1), m.end(1)
    m = _FIRST_WORD.match(text, pos, end)
    if m and len(m.group()) <= 10:
        verb, v_end = _find_verb(text, _skip_spaces(text, m.end(), end), end)
        if verb and _VERB_COLON.match(text, v_end, end):
            return m.group(), m.end()
    return None, pos


_FIRST_WORD = re.compile(r"[^\W\d_]+")
# Speech verbs by their first word, longest first: one dictionary lookup instead of a scan of the list.
_VERBS_BY_FIRST: dict[str, list[str]] = {}
for _verb in sorted(set(SPEECH_VERBS), key=len, reverse=True):
    _VERBS_BY_FIRST.setdefault(_verb.split()[0], []).append(_verb)


def _find_verb(text: str, pos: int, end: int) -> tuple[str | None, int]:
    """Return the longest speech verb at pos (case-insensitive, word-bounded) and its end, or (None, -1)."""
    low = text[pos : pos + 40].lower()
    first = _FIRST_WORD.match(low)
    if not first:
        return None, -1
    for verb in _VERBS_BY_FIRST.get(first.group(), ()):
        if low.startswith(verb) and (len(low) == len(verb) or not low[len(verb)].isalnum()):
            return verb, pos + len(verb)
    return None, -1


@lru_cache(maxsize=8192)
def parse_marker(text: str, pos: int, end: int, *, require_title: bool = False) -> Marker | None:
    """Return the speaker marker that opens text[pos:end], or None.

    ``end`` is the end of the line; a marker never spans lines.
    """
    start = pos
    pos = _BULLET.match(text, pos, end).end()
    lead = _lead(text, pos, end)
    if lead:
        pos = lead.end()
    role_first = ""
    r_end = _match_words(text, pos, ROLE_FIRST)
    if r_end > 0:
        q = _QUALIFIER.match(text, r_end, end)
        if q:
            r_end = q.end()
        role_first = text[pos:r_end].lower()
        pos = _skip_spaces(text, r_end, end)
        sep = _ROLE_SEP.match(text, pos, end)
        r2 = _match_words(text, sep.end(), ROLE_FIRST) if sep else -1
        if r2 > 0:  # "Chi ủy viên, thư ký Huỳnh Thị Nga:"
            role_first += " " + text[sep.end() : r2].lower()
            pos = _skip_spaces(text, r2, end)
        if pos < end and text[pos] in "-–,":
            pos = _skip_spaces(text, pos + 1, end)
    t_start = pos
    t_end = _match_words(text, pos, TITLES)
    if t_end < 0 and role_first and _read_name(text, pos, end)[0] is None:
        # "Đại biểu Đảng ủy phường - đồng chí Lê Văn Tám:"
        m = _ROLE_THEN_TITLE.match(text, pos, end)
        if m:
            role_first += " " + m.group(1).lower()
            pos = m.end(1)
            pos = _skip_spaces(text, pos, end)
            if pos < end and text[pos] in "-–,":
                pos = _skip_spaces(text, pos + 1, end)
            t_start, t_end = pos, _match_words(text, pos, TITLES)
    has_title = t_end > 0
    if has_title:
        pos = _skip_spaces(text, t_end, end)
        rank = _RANK.match(text, pos, end)
        if rank:
            pos = rank.end()
    elif require_title:
        return None
    elif role_first and _read_name(text, pos, end)[0] is None and (more := _role_then_name(text, pos, end)):
        # "Phó Bí thư Đảng ủy Cơ quan chính quyền huyện Đinh Công Sơn:"
        role_first, pos = role_first + " " + more[0], more[2] - len(more[1])
    elif not role_first:
        first = _WORD.match(text, pos, end)
        between = (
            _role_then_name(text, pos, end)
            if first and first.group()[:1].isupper() and first.group().lower() in ROLE_STARTS
            else None
        )
        if between is None:
            return _bare_name_marker(text, start, pos, end)
        # "3.2. Chuyên viên tổng hợp Nguyễn Hữu Phước:": the role, then the name
        role_first, pos = between[0], between[2] - len(between[1])
    upper = has_title and text[t_start:t_end].isupper() and len(text[t_start:t_end]) > 2
    name, pos = _read_name(text, pos, end, upper)
    role_only = False
    if name is None and has_title:
        between = _role_then_name(text, pos, end)
        if between:  # "Đồng chí Tổ trưởng tổ Khoa học Tự nhiên Trần Thị Mơ nêu:"
            role, name, pos = between
            role_first = (role_first + " " + role).strip()
    if name is None and has_title:
        # "Đồng chí chủ trì", "Đồng chí Bí thư", "đồng chí Phó Bí thư chi bộ"
        r2 = _match_words(text, pos, ROLE_FIRST)
        if r2 > 0:
            role_first = (role_first + " " + text[pos:r2].lower()).strip()
            pos, role_only = r2, True
        else:
            name, pos = _read_lower_name(text, pos, end)
            if name is None:
                return None
    elif name is None:
        role_only = True
    # Role after the name: brackets, dash, comma, or role words directly.
    role_parts = [role_first] if role_first else []
    scan = _skip_spaces(text, pos, end)
    if scan < end and text[scan] == "(":
        close = text.find(")", scan, end)
        if close < 0 or close - scan > 80:
            return None
        role_parts.append(text[scan + 1 : close].lower())
        scan = _skip_spaces(text, close + 1, end)
    points = _POINTS.match(text, scan, end)
    if points and name:  # "Đ/c Duyên (Kế toán trưởng) có 3 ý:"
        return Marker(
            start=start,
            content=_skip_spaces(text, points.end(), end),
            speaker=name,
            role_text=" ".join(role_parts),
            verb="nêu",
            colon=True,
            has_title=has_title,
        )
    adverb = _ADVERB.match(text, scan, end)
    verb, v_end = _find_verb(text, adverb.end() if adverb else scan, end)
    colon = scan < end and text[scan] == ":"
    if verb is None and lead and lead.group().lower().startswith("theo") and name:
        # "Theo đồng chí Lan, tình hình …": the whole sentence is her remark
        return Marker(
            start=start,
            content=start,
            speaker=name,
            role_text=" ".join(role_parts),
            verb="theo",
            colon=False,
            has_title=has_title,
        )
    dash = _DASH_CONTENT.match(text, scan, end)
    if not colon and verb is None and name and dash and not _role_follows(text, dash.end(), end):
        # "1) đ/c Bình – Tôi thấy ...": the dash ends the marker.
        return Marker(
            start=start,
            content=dash.end(),
            speaker=name,
            role_text=" ".join(role_parts),
            verb=None,
            colon=True,
            has_title=has_title,
        )
    if not colon and verb is None:
        # Role words follow (after '-', '–', ',' or nothing) until a colon or a speech verb.
        probe = scan
        if probe < end and text[probe] in "-–,":
            probe = _skip_spaces(text, probe + 1, end)
        limit = min(end, probe + 90)
        first = _WORD.match(text, probe, end)
        if first is None or (
            first.group().lower() not in ROLE_WORDS
            and not first.group().isupper()
            and text[scan] not in "-–,"
            and not _LOWER_ROLE.match(text, probe, end)
        ):
            return None
        cur = probe
        while cur < limit:
            if text[cur] == ":":
                colon = True
                break
            if text[cur] in ".;!?\n":
                return None
            if cur == probe or text[cur - 1] in " (":
                verb, v_end = _find_verb(text, cur, end)
                if verb is not None:
                    break
            cur += 1
        else:
            return None
        if not colon and verb is None:
            return None
        role_parts.append(text[probe:cur].strip(" ,-–").lower())
        scan = cur
    if colon:
        content = _skip_spaces(text, scan + 1, end)
    else:
        tail = _COLON_AFTER_VERB.match(text, v_end, end)
        if tail:
            colon, content = True, _skip_spaces(text, tail.end(), end)
        else:
            content = start  # reported speech: the whole sentence is the contribution
    if role_only and name is None and (verb is None or not any(r in role_first for r in CHAIR_ROLES)):
        return None
    return Marker(
        start=start,
        content=content,
        speaker=name,
        role_text=" ".join(p for p in role_parts if p),
        verb=verb,
        colon=colon,
        has_title=has_title,
        role_only=role_only,
    )


# Common Vietnamese family names: a title-less "Name: …" line counts as a turn only when the name
# starts with one, so header fields ("Địa Điểm:") and headings never do.
SURNAMES = set(
    """nguyễn trần lê phạm hoàng huỳnh phan vũ võ đặng bùi đỗ hồ ngô dương lý đinh đoàn trương lâm
mai cao lương lưu tạ châu thái quách tô từ hà la kiều khúc hứa âu mạc triệu chu vương tăng lục thân nông
giáp lò quàng cầm sầm hầu ma vi bế tống văn kha ninh đàm doãn đào diệp khổng lã lạc ông phùng quan
tiêu trịnh thạch danh kim sơn y""".split()
)


_PARTY_TITLE = re.compile(r"(?:đồng chí|đ/c)\b", re.IGNORECASE)


def _role_then_name(text: str, pos: int, end: int, stops: str = ":(-–,") -> tuple[str, str, int] | None:
    """Role words, then a name starting with a family name: (role, name, end of name), or None.

    Only when the role is followed by the name and then ':', '(', '-', ',' or a speech verb.
    """
    limit = min(end, pos + 90)
    for m in _WORD.finditer(text, pos, limit):
        if text[pos : m.start()].count(":") or _SENTENCE_PUNCT.search(text, pos, m.start()):
            return None
        if m.group().lower() in ("đồng", "đ") and _PARTY_TITLE.match(text, m.start()):
            return None  # "Đồng chí thừa nhận … như đồng chí Lan nêu": a second title names someone else
        if m.start() == pos or m.group().lower() not in SURNAMES or not m.group()[:1].isupper():
            continue
        name, name_end = _read_name(text, m.start(), end)
        if name is None or len(name.split()) < 2:
            continue
        after = _skip_spaces(text, name_end, end)
        if after >= end and "\n" in stops:
            return text[pos : m.start()].strip(" ,-–").lower(), name, name_end
        if after < end and (text[after] in stops or _find_verb(text, after, end)[0]):
            return text[pos : m.start()].strip(" ,-–").lower(), name, name_end
        return None
    return None


def _bare_name_marker(text: str, start: int, pos: int, end: int) -> Marker | None:
    """A line opening with a full name and a colon, no title: "Nguyễn Văn Hùng (Tổ 5): …"."""
    name, after = _read_name(text, pos, end)
    if name is None or len(name.split()) < 2 or name.split()[0].lower() not in SURNAMES:
        return None
    scan = _skip_spaces(text, after, end)
    role = ""
    if scan < end and text[scan] == "(":
        close = text.find(")", scan, min(end, scan + 80))
        if close < 0:
            return None
        role, scan = text[scan + 1 : close].lower(), _skip_spaces(text, close + 1, end)
    if scan >= end or text[scan] != ":":
        return None
    return Marker(
        start=start,
        content=_skip_spaces(text, scan + 1, end),
        speaker=name,
        role_text=role,
        verb=None,
        colon=True,
        has_title=False,
    )


def verb_after(text: str, pos: int, end: int) -> str | None:
    """Return the speech verb opening text[pos:end], if any (for 'X phát biểu:' style colons)."""
    return _find_verb(text, _skip_spaces(text, pos, end), end)[0]
