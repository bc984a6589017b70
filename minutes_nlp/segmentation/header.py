"""Read the header facts of minutes: who, when, where, and attendance.

Only what the minutes state is returned; a fact they do not give, or a
template gap left unfilled ("……đ/c"), stays None. Numbers may be written
zero-padded ("08"), glued to their unit ("01đ/c"), as a fraction ("19/21")
or spelled out ("hai mươi mốt").
"""

from __future__ import annotations

import re

from minutes_nlp.segmentation.markers import _RANK, TITLES, _read_name, _role_then_name, _skip_spaces
from minutes_nlp.segmentation.phrases import Phrases
from minutes_nlp.types import Header, Person

_UNITS = {
    "không": 0,
    "một": 1,
    "mốt": 1,
    "hai": 2,
    "ba": 3,
    "bốn": 4,
    "tư": 4,
    "năm": 5,
    "lăm": 5,
    "sáu": 6,
    "bảy": 7,
    "bẩy": 7,
    "tám": 8,
    "chín": 9,
}
_SPELLED = "|".join(sorted(list(_UNITS) + ["mười", "mươi", "trăm", "linh", "lẻ"], key=len, reverse=True))
NUM = rf"(?:\d{{1,4}}|(?:(?:{_SPELLED})(?:\s+|(?=\W)|$)){{1,5}})"
_NUM_RE = re.compile(NUM, re.IGNORECASE)


def parse_number(token: str) -> int | None:
    """Return the value of '08', '21' or a spelled-out number up to 999 ('hai mươi mốt' → 21)."""
    token = token.strip().lower()
    if token.isdigit():
        return int(token)
    total, current = 0, 0
    words = token.split()
    if not words:
        return None
    for _i, w in enumerate(words):
        if w == "trăm":
            total += (current or 1) * 100
            current = 0
        elif w == "mười":
            current += 10
        elif w == "mươi":
            current = (current or 1) * 10
        elif w in ("linh", "lẻ"):
            continue
        elif w in _UNITS:
            current += _UNITS[w]
        else:
            return None
    return total + current


_ROLE_LINE = {  # at a line or sentence start, or after a dash on the other's line ("… – Thư ký: …")
    "chair": re.compile(
        r"(?:(?:^|\n|[.;]\s)\s*[-+*•]?\s*(?:(?:Người chủ trì|Chủ trì|Chủ tọa)"
        r"(?:\s+(?:hội nghị|cuộc họp|buổi sinh hoạt|buổi họp))?\s*:?|CT\s*:)|\s[-–—]\s*(?:Chủ trì|Chủ tọa|CT)\s*:)\s*",
        re.IGNORECASE,
    ),
    "secretary": re.compile(
        r"(?:(?:^|\n|[.;]\s)\s*[-+*•]?\s*"
        r"(?:(?:Thư ký|Thư kí)(?: ghi biên bản| cuộc họp| hội nghị| buổi sinh hoạt)?\s*:?|TK\s*:)|"
        r"\s[-–—]\s*(?:Thư ký|Thư kí|TK)\s*:)\s*",
        re.IGNORECASE,
    ),
}
_ROLE_INLINE = {
    "chair": re.compile(r"(?:do|Chủ trì là|chủ trì:?)\s+(?=(?:đồng chí|đ/c)\s)", re.IGNORECASE),
}
_GUEST_LINE = re.compile(
    r"(?:^|\n)\s*[-+*•]?\s*"
    r"(?:Đại biểu(?: dự| tham dự| mời)?|Khách mời|Mời dự|ĐB(?=\s*:)|Tham dự[^:\n]{0,60}?có)\s*:?\s*([^\n]*)",
    re.IGNORECASE,
)
# Inside a sentence of the header: "…, vắng 02; đại biểu có đồng chí Bùi Văn Ngọ, Phó Chủ tịch UBND huyện; …",
# read up to the clause's end (";" or a sentence end), where the next person's part begins.
_GUEST_INLINE = re.compile(
    r"(?:[,;]|[.:]\s)\s*(?:đại biểu|khách mời)(?: dự| tham dự| mời dự)?\s+(?:có|gồm)\s*:?\s*((?:[^;\n.]|\.(?!\s))*)",
    re.IGNORECASE,
)
_TITLE_NAME = re.compile(r"(?<!\w)(?:đồng chí|đ/c|ĐC|ông|bà|thầy|cô|anh|chị)\s+", re.IGNORECASE)
# Degrees and professions written before a name: "BS.CKII", "BsCKII", "PGS.TS.", "ĐD.", "ThS."
_DEGREE = re.compile(
    r"(?:(?:GS|PGS|TS|ThS|Ths|Th\.S|CN|KS|BS|Bs|DS|ĐD|NCS|CK|Bác sĩ|Kỹ sư|Luật sư)(?:I{1,2}|[12])?\.?\s*)+"
    r"(?=\s*[A-ZĐÀ-Ỹ])"
)
_DATE_NUM = re.compile(r"(?<!\d)(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*((?:19|20)\d{2})(?!\d)")
_DATE_WORDS = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+((?:19|20)\d{2})", re.IGNORECASE)
_TIME = re.compile(
    r"(?<![\d/])(\d{1,2})\s*(?:giờ|g|h|:)\s*(\d{1,2})?\s*(?:phút|p)?(?:\s*(?:\(|,)?\s*(sáng|trưa|chiều|tối|đêm))?(?![\d/])",
    re.IGNORECASE,
)
_DAYPART_BEFORE = re.compile(r"\b(sáng|trưa|chiều|tối)\b(?!.*\b(?:sáng|trưa|chiều|tối)\b)[^\n]{0,60}$", re.IGNORECASE)
_END_TIME = re.compile(r"(?:kết thúc|bế mạc)[^\n.]{0,25}?(?:lúc|hồi|vào)?\s*(?=\d)", re.IGNORECASE)
_END_TIMES = Phrases(_END_TIME, ("kết thúc", "bế mạc"))
_START_CUE = re.compile(r"(?:thời gian|hôm nay|vào lúc|vào hồi|bắt đầu|lúc|hồi|khai mạc|sáng|chiều|tối)", re.IGNORECASE)
_PLACE = re.compile(
    r"(?:Địa điểm|Tại)\s*:\s*([^\n]+)|(?<=\s)tại\s+((?:nhà|hội trường|phòng|trụ sở|văn phòng|trường|trạm|"
    r"bệnh viện|khoa|sân|đơn vị|doanh trại|nhà văn hóa|UBND|Ủy ban|Hội trường|Phòng|Trụ sở|Văn phòng|Nhà)"
    r"[^.;\n]*?)(?=[.;\n]|,\s*(?:Chi bộ|chi bộ|Đảng|ngày)|$)",
    re.IGNORECASE,
)
_TYPES = (
    ("ket_nap", re.compile(r"kết nạp", re.IGNORECASE)),
    ("kiem_diem", re.compile(r"kiểm điểm", re.IGNORECASE)),
    ("chuyen_de", re.compile(r"chuyên đề", re.IGNORECASE)),
    (
        "thuong_ky",
        re.compile(r"thường kỳ|định kỳ|thường lệ|hằng tháng|hàng tháng|chi bộ tháng|tháng\s+\d{1,2}", re.IGNORECASE),
    ),
)
_TITLE_AREA = re.compile(r"(?:biên bản|sinh hoạt|họp chi bộ|hội nghị)", re.IGNORECASE)


def _number_after(pattern: str, text: str) -> int | None:
    m = re.search(pattern + rf"\s*(?:là|gồm|:|-)?\s*({NUM})(?!\s*/)", text, re.IGNORECASE)
    return parse_number(m.group(1)) if m else None


_UNIT = r"(?:đồng chí|đ/c|đảng viên|ĐV)"
_PRESENT = r"(?:có mặt|hiện diện|tham dự|dự họp|tham gia)"
ATTENDANCE_LINE = re.compile(
    r"có mặt|vắng|tổng số|hiện diện|dự họp|tham dự|miễn sinh hoạt|MSH|tỷ lệ|hiện có\s+\d|"
    r"\d+\s*/\s*\d+\s*" + _UNIT + r"|(?:^|[-+*•]\s*)(?:ĐV|đảng viên)\s*:?\s*\d",
    re.IGNORECASE,
)


def _attendance(text: str, h: Header) -> None:
    """Read the attendance figures; a figure the minutes do not give stays None.

    Forms: "Tổng số đảng viên: 41; có mặt: 33; vắng: 08 (…)", "có mặt 19/21",
    "ĐV: 19/21", "Hiện diện 17, vắng 3" (total = present + absent), "với sự tham
    dự của toàn bộ 25 đảng viên" (all present), "13/13 đảng viên của chi bộ tham dự".
    """
    lines = [
        ln
        for ln in text.split("\n")
        if re.search(
            r"có mặt|vắng|tổng số|đảng viên|tham dự|hiện diện|dự họp|miễn|MSH|đ/c|đồng chí|ĐV", ln, re.IGNORECASE
        )
    ]
    att = "\n".join(ln for ln in lines if ATTENDANCE_LINE.search(ln.strip()))
    if not att:
        return
    frac = (
        re.search(_PRESENT + r"(?:[^\d\n]|\d{1,3}\s*%){0,20}?(\d{1,3})\s*/\s*(\d{1,3})", att, re.IGNORECASE)
        or re.search(
            r"(\d{1,3})\s*/\s*(\d{1,3})\s*" + _UNIT + r"?(?:\s+(?:của|trong)\s+chi bộ)?\s*" + _PRESENT,
            att,
            re.IGNORECASE,
        )
        or re.search(
            r"(?:^|\n|[-+*•]\s*)(?:quân số|sĩ số|số lượng)?\s*(?:ĐV|đảng viên|dự|quân số|sĩ số)"
            r"\s*:\s*(\d{1,3})\s*/\s*(\d{1,3})",
            att,
            re.IGNORECASE,
        )
        # any "09/11 đ/c" on an attendance line ("Quân số đảng viên: 09/11 đ/c (02 đ/c đang làm nhiệm vụ)")
        or re.search(r"(?<![\d/])(\d{1,3})\s*/\s*(\d{1,3})\s*" + _UNIT + r"\b", att, re.IGNORECASE)
    )
    if frac:
        h.members_present, h.members_total = int(frac.group(1)), int(frac.group(2))
    parts = re.search(
        r"chính thức[^\d\n]{0,10}(\d{1,3})\s*/\s*(\d{1,3})[^\d\n]{0,15}dự bị[^\d\n]{0,10}(\d{1,3})\s*/\s*(\d{1,3})",
        att,
        re.IGNORECASE,
    )
    if parts:  # "Đảng viên chính thức 20/22, dự bị 2/2 có mặt"
        h.members_present = int(parts.group(1)) + int(parts.group(3))
        h.members_total = int(parts.group(2)) + int(parts.group(4))
        frac = parts
    total = _number_after(
        r"(?:tổng số(?: đảng viên| ĐV)?(?: của chi bộ| chi bộ| trong chi bộ)?|"
        r"chi bộ (?:hiện )?có(?: tổng số| tất cả| tổng cộng)?|hiện có|"
        r"tổng cộng|quân số(?: đảng viên)?|(?:^|\n|[-+*•]\s*)đảng viên(?: của| trong)?(?: chi bộ)?\s*:?)"
        rf"(?=\s*(?:là|gồm|:|-)?\s*{NUM}\s*(?:{_UNIT}|[,;.(]|$))",
        att,
    )
    if total is None:
        parts = re.search(rf"chính thức\s*:?\s*({NUM})[^\n\d]{{0,12}}?dự bị\s*:?\s*({NUM})", att, re.IGNORECASE)
        if parts and not re.search(r"(?:có mặt|tham dự|hiện diện)[^\n]{0,40}$", att[: parts.start()], re.IGNORECASE):
            total = (parse_number(parts.group(1)) or 0) + (parse_number(parts.group(2)) or 0)
    if total is not None and not (frac and total == h.members_present):
        h.members_total = total
    everyone = False
    if h.members_present is None:
        m = re.search(
            _PRESENT + r"(?:\s+(?:đầy đủ|đông đủ))?(?:\s+của)?(?:\s+(toàn bộ|toàn thể|tất cả|cả))?"
            rf"\s*(?:là|:|-)?\s*(?:đủ\s+)?({NUM})(?!\s*/|\s*%)",
            att,
            re.IGNORECASE,
        )
        if m:
            h.members_present, everyone = parse_number(m.group(2)), m.group(1) is not None
    absent = re.search(rf"(?:^|[(,;:]\s*)({NUM})\s*{_UNIT}?\s*vắng", att, re.IGNORECASE) or re.search(
        rf"vắng(?: mặt)?\s*(?:là|:|-)?\s*({NUM})", att, re.IGNORECASE
    )
    if absent:
        h.members_absent = parse_number(absent.group(1))
    elif re.search(r"vắng(?: mặt)?\s*(?::|-)?\s*(?:không|0)\b", att, re.IGNORECASE):
        h.members_absent = 0
    h.members_absent_with_reason = _number_after(r"(?<!không )có lý do", att)
    h.members_absent_without_reason = _number_after(r"không (?:có )?lý do", att)
    h.members_exempt = _number_after(r"(?:miễn sinh hoạt|MSH|miễn SH|được miễn(?: sinh hoạt)?)", att)
    if h.members_exempt is None:
        m = re.search(
            rf"({NUM})\s*(?:đ/c|đồng chí|ĐV|đảng viên)?[^;()\n\d]{{0,60}}?(?:được )?(?:miễn sinh hoạt|MSH)",
            att,
            re.IGNORECASE,
        )
        if m:
            h.members_exempt = parse_number(m.group(1))
    full = everyone or re.search(r"100\s*%|đầy đủ", att, re.IGNORECASE)
    if full and h.members_present is not None and h.members_total is None and h.members_absent in (None, 0):
        h.members_total = h.members_present
        h.members_absent = 0
    if h.members_total is None and h.members_present is not None and h.members_absent is not None:
        h.members_total = h.members_present + h.members_absent  # "Hiện diện 17, vắng 3"
    if h.members_absent is None and h.members_total is not None and h.members_present is not None:
        h.members_absent = h.members_total - h.members_present


def _person_after(text: str, pos: int) -> tuple[str | None, str | None]:
    """The full name written after "Chủ trì:" (with or without a title, rank, degree or role), and its office."""
    end = text.find("\n", pos)
    end = len(text) if end < 0 else end
    name, after, office = _person_at(text, pos, end)
    if name is None or len(name.split()) < 2:
        return None, None
    return name, _office_after(text, after, end) or office


def _person_at(text: str, pos: int, end: int) -> tuple[str | None, int, str | None]:
    """Read one person at pos: (name as written, end of name, office written before the name)."""
    title = _TITLE_NAME.match(text, pos, end)
    start = pos = title.end() if title else pos
    for rx in (_RANK, _DEGREE):  # "Đồng chí Thiếu tá Vương Đình Khải", "ĐD. Nguyễn Thị Diệu Hiền"
        m = rx.match(text, _skip_spaces(text, pos, end), end)
        if m:
            pos = m.end()
    pos = _skip_spaces(text, pos, end)
    words = re.match(r"(\w+)\s+(\w+)", text[pos:end])
    caps = bool(words) and all(len(w) > 1 and w.isupper() for w in words.groups())
    name, after = _read_name(text, pos, end, upper=caps)  # "Thầy ĐẬU VĂN THÀNH"
    if name is not None and title and pos == start and name.split()[0] in ("Thị", "Văn"):
        name, _ = _read_name(text, title.start(), end)  # "Ông Thị Kim Hoa": Ông is the family name
    if name is not None:
        return name, after, None
    role = _role_then_name(text, pos, end, stops=":(-–,.;\n")  # "Bí thư chi bộ Huỳnh Tấn Lộc, Giám đốc …"
    if role:
        return role[1], role[2], text[pos : text.find(role[1], pos)].strip(" ,-–") or None
    return None, pos, None


_OFFICE_END = re.compile(r"\.(?:\s|$)|;|\n")
_NEXT_LABEL = re.compile(r"(?:^|\s)[-–—]?\s*(?:Thư ký|Thư kí|TK|Chủ trì|Chủ tọa|CT)\s*:")


def _office_after(text: str, pos: int, end: int) -> str | None:
    """The office written right after a name: " – Bí thư chi bộ, Trưởng phòng.", " (BT chi bộ)", " (Hai Nhựt), BT"."""
    parts = []
    m = re.match(r"\s*\(([^()\n]{1,80})\)", text[pos:end])
    if m:
        parts.append(m.group(1).strip())
        pos += m.end()
    m = re.match(r"\s*[-–—,:]\s*", text[pos:end])
    if m:
        start = pos + m.end()
        stop = _OFFICE_END.search(text, start, end)
        tail = text[start : stop.start() if stop else end]
        label = _NEXT_LABEL.search(tail)  # "(Bí thư chi bộ) – Thư ký: …" on the same line
        tail = tail[: label.start() if label else len(tail)].strip(" ,-–—:")
        if 0 < len(tail) <= 120 and tail[:1].isalpha():
            parts.append(tail)
    return ", ".join(p for p in parts if p) or None


_LABEL_LINE = re.compile(
    r"\s*[-+*•]?\s*(?:(?:người chủ trì|chủ trì|chủ tọa|thư ký|thư kí|TK|CT)"
    r"(?:\s+(?:hội nghị|cuộc họp|buổi sinh hoạt|buổi họp|ghi biên bản))?"
    r"|(?P<guest>đại biểu|khách mời|mời dự|ĐB))\s*:\s*",
    re.IGNORECASE,
)


def role_label_line(text: str, start: int, end: int) -> bool:
    """A header line that only says who chairs, records or attends as a guest ("TK: Dương Thị Thu", "Chủ trì:
    đồng chí Lê Văn Tám - Bí thư chi bộ. Thư ký: …", "ĐB: đ/c Khánh, ĐUV"): the label, a name, its office,
    nothing said."""
    m = _LABEL_LINE.match(text, start, end)
    if not m:
        return False
    name, after, _office = _person_at(text, m.end(), end)
    if name is None or (len(name.split()) < 2 and not (m.group("guest") and _TITLE_NAME.match(text, m.end()))):
        return False
    rest = text[after:end]
    label = _NEXT_LABEL.search(rest)
    rest = rest[: label.start() if label else len(rest)].strip()
    return not rest or (rest[0] in "-–—,(." and ":" not in rest)


# "Đ/c Trần Văn Nhượng - Bí thư chi bộ chủ trì; đ/c Vũ Thị Thơm ghi biên bản."; the words between the title and
# the verb never hold another title: in "do đồng chí A, Bí thư, chủ trì, đồng chí B làm thư ký" the secretary is B.
_ONE_PERSON = r"(?:(?!đồng chí|đ/c)[^;.\n]){3,80}?"
_INLINE_ROLE = {
    "chair": re.compile(r"(?:đồng chí|đ/c)\s+(" + _ONE_PERSON + r")\s+(?:làm\s+)?chủ trì\b", re.IGNORECASE),
    "secretary": re.compile(
        r"(?:đồng chí|đ/c)\s+(" + _ONE_PERSON + r")\s+(?:ghi biên bản|làm thư ký)\b", re.IGNORECASE
    ),
}

# Offices of the cell itself (codebook §2); "Bí thư Chi đoàn", "Chủ tịch Hội" and "Tổ trưởng" are not.
_CELL = r"(?:\s+(?:chi bộ|CB)\b|(?=\s*(?:$|kiêm\b|[(,;:.])))"
_OFFICE_ROLES = (
    (
        "guest",
        re.compile(
            r"đại biểu|khách mời|quần chúng|cảm tình|đảng ủy viên|\bĐUV\b|thường vụ|"
            r"(?:bí thư|phó bí thư|\bP?BT)\s+(?:thường trực\s+)?(?:đảng|huyện ủy|quận ủy|thị ủy|tỉnh ủy|thành ủy)",
            re.IGNORECASE,
        ),
    ),
    ("committee", re.compile(r"^\s*(?:phó bí thư|phó BT|PBT)" + _CELL, re.IGNORECASE)),
    ("committee", re.compile(r"chi ủy viên|\bCUV\b|ủy viên chi ủy|cấp ủy viên", re.IGNORECASE)),
    ("chair", re.compile(r"^\s*(?:bí thư|BT)" + _CELL, re.IGNORECASE)),
    ("secretary", re.compile(r"^\s*(?:thư ký|thư kí)(?:\s+(?:cuộc họp|hội nghị|chi bộ))?\s*$", re.IGNORECASE)),
    ("member", re.compile(r"^\s*(?:đảng viên|ĐV)\b", re.IGNORECASE)),
)
_PRECEDENCE = ("chair", "secretary", "committee", "member", "guest")


def office_role(office: str | None) -> str | None:
    """Return the cell role an office names ("Phó Bí thư chi bộ" → committee, "BT" → chair), or None.

    Each office of a list ("Bí thư chi bộ, Giám đốc") is read on its own; the
    highest cell role wins (codebook §2: chair > secretary > committee > member),
    and guest only when no cell role is named. Offices of other organisations
    ("Bí thư Chi đoàn", "Chủ tịch Hội Nông dân", "Tổ trưởng tổ dân phố") name none.
    """
    found = set()
    for part in re.split(r"[,;/()]|\s+kiêm\s+|\s+[-–—]\s+", office or ""):
        for role, rx in _OFFICE_ROLES:
            if part.strip() and rx.search(part.strip()):
                found.add(role)
                break
    cell = [r for r in _PRECEDENCE[:-1] if r in found]
    return cell[0] if cell else ("guest" if "guest" in found else None)


def _listed(line: str) -> list[tuple[str, str | None]]:
    """The people of a list line ("đ/c Lợi (BT), đ/c Hà (PBT)"; "A - Bí thư; B - Phó Bí thư"): (name, office)."""
    items = re.split(r";|\s+và\s+", line) if ";" in line else re.split(r",|\s+và\s+", line)
    people: list[tuple[str, str | None]] = []
    for item in items:
        item = item.strip(" .-+*•\t")
        name, after, before = _person_at(item, 0, len(item)) if item else (None, 0, None)
        if name is None:
            if people and item and not people[-1][1]:  # "Nguyễn Văn A, Bí thư, …": the office of the one before
                people[-1] = (people[-1][0], item)
            continue
        people.append((name, _office_after(item, after, len(item)) or before))
    return people


_COMMITTEE_LINE = re.compile(
    r"(?:^|\n)\s*[-+*•]?\s*(?:Ban\s+)?(?:Chi ủy|Chi uỷ|Cấp ủy|Cấp uỷ)(?:\s+viên)?(?:\s+chi bộ)?"
    r"(?:\s+(?:gồm|có))?(?:\s+(?:có\s+)?các)?(?:\s+(?:đồng chí|đ/c))?\s*:\s*([^\n]+)",
    re.IGNORECASE,
)


def _committee(text: str) -> list[Person]:
    """The committee members a "Chi ủy gồm: …" line lists; an office there may make one the chair."""
    found: list[Person] = []
    for m in _COMMITTEE_LINE.finditer(text):
        for name, office in _listed(m.group(1)):
            role = office_role(office)
            found.append(Person(name, role if role in ("chair", "secretary") else "committee", office))
    return found


def _guests(text: str) -> list[tuple[str, str | None]]:
    people: list[tuple[str, str | None]] = []
    for m in [*_GUEST_LINE.finditer(text), *_GUEST_INLINE.finditer(text)]:
        line = m.group(1)
        for t in _TITLE_NAME.finditer(line):
            name, after, _ = _person_at(line, t.start(), len(line))
            if name and name not in [p[0] for p in people]:
                people.append((name, _office_after(line, after, len(line))))
    return people


def _merge(people: list[Person]) -> list[Person]:
    """One entry per name; a name listed twice keeps its highest role (codebook §2) and first office."""
    out: dict[str, Person] = {}
    for p in people:
        key = p.name.casefold()
        if key not in out:
            out[key] = Person(p.name, p.role, p.office)
        elif _PRECEDENCE.index(p.role) < _PRECEDENCE.index(out[key].role):
            out[key].role = p.role
        out[key].office = out[key].office or p.office
    return list(out.values())


def _date(text: str) -> str | None:
    candidates = []
    for rx in (_DATE_WORDS, _DATE_NUM):
        for m in rx.finditer(text):
            d, mo, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
            if 1 <= d <= 31 and 1 <= mo <= 12:
                before = text[max(0, m.start() - 40) : m.start()].lower()
                cited = re.search(r"(?:số|ct/tw|nq/tw|hd/btctw|qđ/tw|kl/tw|-[a-zđ]+/[a-zđ]+)[^\n]{0,25}$", before)
                candidates.append((cited is not None, m.start(), f"{y:04d}-{mo:02d}-{d:02d}"))
    return min(candidates)[2] if candidates else None


def _clock(m: re.Match, context: str) -> str | None:
    hour, minute = int(m.group(1)), int(m.group(2) or 0)
    part = (m.group(3) or "").lower()
    if not part:
        b = _DAYPART_BEFORE.search(context)
        part = b.group(1).lower() if b else ""
    if part in ("chiều", "tối", "đêm") and hour < 12:
        hour += 12
    if hour > 23 or minute > 59:
        return None
    return f"{hour:02d}:{minute:02d}"


def _start_time(header: str) -> str | None:
    for line in header.split("\n"):
        if not _START_CUE.search(line) or re.search(r"kết thúc|bế mạc", line, re.IGNORECASE):
            continue
        for m in _TIME.finditer(line):
            if m.group(2) is None and not re.match(r"\s*(?:giờ|g|h)", line[m.end(1) :]):
                continue
            value = _clock(m, line[: m.start()])
            if value:
                return value
    return None


def _end_time(text: str) -> str | None:
    found = None
    for m in _END_TIMES.finditer(text):
        t = _TIME.match(text, m.end())
        if t and (t.group(2) is not None or re.match(r"\s*(?:giờ|g|h)", text[t.end(1) :])):
            found = _clock(t, text[max(0, m.start() - 30) : m.end()]) or found
    return found


def parse_header(text: str, header_end: int | None = None) -> Header:
    """Return the header facts of the minutes; ``header_end`` bounds where attendance and roles are read."""
    region = text[: header_end if header_end is not None else min(len(text), 3000)]
    h = Header()
    lines = [ln.strip() for ln in region.split("\n") if ln.strip()]
    for ln in lines[:12]:
        for part in re.split(r"\s{2,}|\t|\s\|\s", ln):
            up = part.strip()
            if h.committee is None and re.match(r"^(?:ĐẢNG BỘ|Đảng bộ|ĐẢNG ỦY|Đảng ủy|ĐẢNG UỶ)\b", up):
                h.committee = up
            elif h.cell is None and re.match(r"^(?:CHI BỘ|Chi bộ)\b", up) and len(up) < 90:
                h.cell = up
    if h.cell is None:
        m = re.search(r"\b(Chi bộ [^,.;:\n]{2,60}?)(?= tiến hành| tổ chức| họp| sinh hoạt|[,.;\n])", region)
        if m:
            h.cell = m.group(1).strip()
    title = "\n".join(ln for ln in lines[:15] if _TITLE_AREA.search(ln)) or "\n".join(lines[:8])
    for code, rx in _TYPES:
        if rx.search(title):
            h.meeting_type = code
            break
    h.date = _date(region)
    h.start_time = _start_time(region)
    h.end_time = _end_time(text)
    pm = _PLACE.search(region)
    if pm:
        h.place = (pm.group(1) or pm.group(2)).strip().rstrip(".,;")
    people: list[Person] = []
    for role, rx in _ROLE_LINE.items():
        m = rx.search(region)
        if m:
            name, office = _person_after(region, m.end())
            setattr(h, role, name)
            if name:
                people.append(Person(name, role, office))
    if h.chair is None:
        m = _ROLE_INLINE["chair"].search(region)
        if m:
            h.chair, office = _person_after(region, m.end())
            if h.chair:
                people.append(Person(h.chair, "chair", office))
    for role, rx in _INLINE_ROLE.items():
        if getattr(h, role) is None:
            m = rx.search(region)
            said = m.group(1) if m else ""
            name, after, _ = _person_at(said, 0, len(said))
            if name and len(name.split()) >= 2:
                setattr(h, role, name)
                people.append(Person(name, role, _office_after(said, after, len(said))))
    guests = _guests(region)
    h.guests = [name for name, _ in guests]
    people += _committee(region) + [Person(name, "guest", office) for name, office in guests]
    h.people = _merge(people)
    _attendance(region, h)
    return h


__all__ = ["parse_header", "parse_number", "office_role", "role_label_line", "TITLES"]
