"""Re-render annotated meetings in other layouts, carrying every gold offset through.

Our corpus is written in a dozen layouts; secretaries use many more. Each template here rewrites the
speaker markers of a meeting's contributions (titles and honorifics, role before or after the name, in
brackets or after a dash, given names after the first mention, capitals, tables with "|" or tabs,
"Người phát biểu: … / Nội dung: …" blocks, numbered items with a) b) sub-items, several remarks in one
paragraph, the speaker named at the end), and modifiers vary the rest (hard-wrapped lines, notebook
abbreviations and missing final stops, names of other naming traditions, conclusion wordings and
assignments that name members, joint remarks, question-and-answer exchanges between two speakers). The
remarks' sentences and labels are kept, so a re-rendered record is as well annotated as its source.
``HELD_OUT`` templates are never trained on: the layout benchmark reports them apart, to measure
generalisation rather than memory.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

PARTY_TITLES = ("Đồng chí", "Đ/c", "đ/c", "ĐC", "Đ/C", "đồng chí")
ACADEMIC_TITLES = (
    "TS.",
    "ThS.",
    "PGS.TS.",
    "GS.TS.",
    "KS.",
    "BS.",
    "BS.CKI",
    "BS.CKII",
    "ĐD.",
    "DS.",
    "CN.",
    "Luật sư",
)
KIN_TITLES = ("Ông", "Bà", "Anh", "Chị", "Chú", "Cô", "Thầy", "Bác")
RANKS = ("Thượng tá", "Trung tá", "Thiếu tá", "Đại úy", "Thượng úy", "Trung úy", "Đại tá")
ROLE_PHRASES = {
    "chair": ("Bí thư chi bộ", "BT", "Bí thư", "Bí thư chi bộ, Trưởng khu phố"),
    "secretary": ("Thư ký", "thư ký cuộc họp", "Chi ủy viên, thư ký"),
    "committee": ("Chi ủy viên", "Phó Bí thư chi bộ", "PBT", "CUV", "Phó Bí thư", "chi ủy viên phụ trách tổ chức"),
    "guest": (
        "Đảng ủy viên, phụ trách chi bộ",
        "đại biểu Đảng ủy phường",
        "đại diện Đảng ủy xã",
        "khách mời",
        "ĐUV xã",
        "ĐUV phụ trách CB",
        "Phó Bí thư Đảng ủy xã, dự họp",
        "Phó Chủ tịch UBND xã",
        "ĐU xã",
        "Đảng ủy viên, Phó Chủ tịch xã",
        "Phó Bí thư Đảng ủy Cơ quan",
    ),
    "member": (
        "đảng viên",
        "Tổ 5",
        "tổ 3",
        "Tổ trưởng tổ dân phố số 4",
        "Bí thư Chi đoàn",
        "Chủ tịch Hội Cựu chiến binh",
        "Chi hội trưởng Phụ nữ",
        "Chủ tịch Công đoàn",
        "giáo viên",
        "Bác sĩ điều trị",
        "kế toán",
        "Trưởng ấp",
        "đảng viên dự bị",
        "Tổ trưởng tổ sản xuất",
        "chuyên viên",
        "Trưởng phòng Kỹ thuật",
        "CHT Hội PN",
        "BT Chi đoàn",
        "Trưởng thôn",
        "CT Hội ND",
        "Chi hội trưởng CCB",
        "Trưởng ban CTMT",
        "Công an viên",
        "Phó trưởng ấp",
        "Điều dưỡng trưởng khoa",
        "Chủ nhiệm HTX",
        "Đội trưởng Đội 2",
        "Tổ trưởng tổ tự quản",
        "giảng viên",
        "Trợ lý Chính trị",
    ),
}
PHRASES_FIRST = (
    "Phát biểu thêm",
    "Tham gia ý kiến",
    "Trả lời",
    "Giải đáp nội dung này",
    "Đồng tình",
    "Tiếp đó",
    "Phát biểu lần hai",
    "Góp ý vào dự thảo",
    "Về công tác phát triển đảng viên",
)
SPEECH_VERBS = (
    "phát biểu",
    "nêu ý kiến",
    "góp ý",
    "cho biết",
    "đề nghị",
    "tham gia ý kiến",
    "trình bày",
    "nêu",
    "hỏi",
    "trả lời",
    "nói thêm",
    "bổ sung",
    "giải trình",
    "có ý kiến",
    "phát biểu lại",
    "đề xuất",
    "phát biểu lần hai",
    "phát biểu bổ sung",
    "đọc bản tự kiểm điểm",
    "đọc bản tự báo cáo",
)
# "Góp ý của đ/c Quyết:", "Ý kiến đ/c Hạnh (tổ 3):": the remark named by what it is, then whose it is
POSSESSIVE = ("Ý kiến của", "Góp ý của", "Ý kiến", "Phát biểu của", "Ý kiến phát biểu của", "Ý kiến tham gia của")
CONCLUSIONS = (
    "Đồng chí chủ trì tiếp thu ý kiến và kết luận",
    "Đ/c chủ trì tiếp thu ý kiến và kết luận",
    "Đồng chí Bí thư tiếp thu các ý kiến và kết luận",
    "Chủ tọa tóm tắt, kết luận",
    "Chủ trì kết luận",
    "Thay mặt chi ủy, đồng chí Bí thư tóm tắt và kết luận",
    "KẾT LUẬN CỦA CHỦ TRÌ",
)
TASKS = (
    "chủ trì làm việc với tổ dân phố về việc thu quỹ",
    "theo dõi việc sửa đường điện hẻm 3",
    "phụ trách rà soát danh sách hộ nghèo",
    "hoàn thiện hồ sơ gửi Đảng ủy trước ngày 15",
    "phối hợp với Ban công tác Mặt trận vận động bà con",
    "kiểm tra việc thực hiện nghị quyết tháng",
)
FAMILY = (
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Đinh",
    "Trịnh",
    "Phan",
    "Huỳnh",
    "Mai",
    "Tô",
    "Lương",
    "Cao",
    "Tạ",
    "Kiều",
    "Chu",
    "Vương",
    "La",
    "Quách",
    "Thái",
    "Lâm",
    "Khúc",
)
MIDDLE = ("Văn", "Thị", "Hữu", "Minh", "Ngọc", "Thanh", "Đức", "Quốc", "Thị Thu", "Xuân", "Công")
GIVEN = (
    "Tuấn",
    "Hạnh",
    "Lộc",
    "Phúc",
    "Nga",
    "Khải",
    "Tâm",
    "Sơn",
    "Yến",
    "Hòa",
    "Bình",
    "Toàn",
    "Quyên",
    "Thắng",
    "Mỹ",
    "Dũng",
    "Trinh",
    "Khoa",
    "Quân",
    "Diệp",
    "Liêm",
    "Thơm",
    "Huệ",
    "Kiên",
    "Nhàn",
    "Vinh",
    "Oanh",
    "Tùng",
    "Xuyến",
    "Hiếu",
    "Lành",
)
ETHNIC = ("Y Bhim Niê", "H'Nga Ksor", "Ama Thuận", "Nay Blin", "Ksor Y Phi", "Rơ Châm Hmen", "Y Duăn Êban", "Siu H'Lin")
BIRTH_ORDER = ("Tư Sang", "Năm Lệ", "Sáu Lợi", "Ba Đực", "Út Thảo", "Bảy Hiền", "Hai Thành", "Chín Nhỏ")
# Parts that names of other traditions are composed from, so that the model meets many names it has never
# seen rather than learning a few by heart: Ê Đê and M'nông (Y / H' + given + clan), Jrai (clan + given),
# teknonyms (Ama / Ami + a child's name), Tày, Thái and H'Mông family and middle names, Khmer names, and
# birth-order names of the South.
EDE_GIVEN = ("Bhim", "Duăn", "Khum", "Phi", "Ngông", "Thuột", "Krông", "Jôk", "Đhăm", "Bơr", "Kông", "Wơn")
EDE_FEMALE = ("Nga", "Dung", "Lin", "Yơn", "Mai", "Hnoai", "Bia", "Hen", "Blưm", "Juê")
EDE_CLAN = ("Niê", "Êban", "Mlô", "Ksor", "Byă", "Adrơng", "Buôn Yă", "Hwing", "Knul", "Kbuôr", "Niê Kdăm")
JRAI_CLAN = ("Rơ Mah", "Ksor", "Siu", "Nay", "Rơ Châm", "Kpă", "Rahlan", "Puih", "Rơ Ô")
JRAI_GIVEN = ("Blin", "Nhiên", "Đớt", "Hyơn", "Ơi", "H'Lin", "Thuyết", "Tơng", "Dơk", "Kim")
NORTH_FAMILY = ("Lò", "Lường", "Cầm", "Vi", "Lang", "Nông", "Triệu", "Lục", "Hà", "Sầm", "Mè", "Hoàng", "Lộc")
NORTH_GIVEN = ("Chiến", "Dình", "Pằng", "Sáy", "Phóng", "Ún", "Tòng", "Khum", "Thắm", "Quyết", "Sinh", "Piếng")
HMONG = (
    ("Giàng", "Thào", "Sùng", "Vàng", "Mùa", "Lầu", "Hờ"),
    ("A", "Thị", "Seo", "Mí"),
    ("Páo", "Chớ", "Sình", "Dế", "Mỷ", "Của", "Pó"),
)
KHMER = (
    ("Thạch", "Danh", "Sơn", "Kim", "Lâm", "Châu", "Trà"),
    ("Thị", "", ""),
    ("Sa Rết", "Sóc", "Pho", "Sa Rinh", "Sà Phên", "Ni", "Chanh Đa"),
)
SOUTH_GIVEN = ("Em", "Lúa", "Nhỏ", "Đực", "Lệ", "Sang", "Lợi", "Hiền", "Bé", "Tới", "Nhung", "Cường")
ABBREVIATIONS = (
    ("báo cáo", "BC"),
    ("đảng viên", "ĐV"),
    ("chi bộ", "CB"),
    ("khu phố", "KP"),
    ("Ủy ban nhân dân", "UBND"),
    ("không", "ko"),
)
# A notebook's header and closing labels: "- TG: 14h00", "CT: đ/c …", "TK: …", "BQ: 17/17 nhất trí"
LABEL_ABBREVIATIONS = (
    ("Thời gian:", "TG:"),
    ("Địa điểm:", "ĐĐ:"),
    ("Chủ trì:", "CT:"),
    ("Thư ký:", "TK:"),
    ("Thành phần:", "TP:"),
    ("Biểu quyết:", "BQ:"),
    ("Phương hướng", "PH"),
    ("Nghị quyết", "NQ"),
    ("Đại biểu:", "ĐB:"),
)
# Offices written with the role before a name: "Chi ủy viên, Trưởng Bộ phận Một cửa PHAN ANH TUẤN:"
OFFICES = (
    "Trưởng Bộ phận Một cửa",
    "công chức Văn phòng",
    "kế toán cơ quan",
    "nhân viên lái xe",
    "chuyên viên tổng hợp",
    "Phó Trưởng phòng Nội vụ",
    "giáo viên Toán",
    "Trưởng trạm y tế",
    "điều dưỡng khoa Nội",
    "Tổ trưởng tổ chuyên môn",
    "Đội phó Đội 3",
    "Trưởng ban công tác Mặt trận",
)


ROLE_ORDER = ("chair", "secretary", "committee", "guest", "member")  # codebook §2 precedence


def _titled(rng: random.Random, name: str) -> str:
    """A table's name cell, often with a title before the name ("Cô Tôn Nữ Minh Thư", "ĐD. Lê Văn Quyết")."""
    if rng.random() < 0.5:
        return name
    return f"{rng.choice(ACADEMIC_TITLES + KIN_TITLES + RANKS + ('Đ/c', 'Đồng chí'))} {name}"


def _given(name: str) -> str:
    """The name a notebook keeps: the given name, or "Y Bhim", "H'Nga", "Ama Thuận" for names that open so."""
    words = name.split()
    if words[0] in ("Y", "Ama", "Ami") and len(words) > 1:
        return " ".join(words[:2])
    if words[0].startswith("H'"):
        return words[0]
    return words[-1]


class _Out:
    """The new text, built piece by piece; pos is the offset of the next piece."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0

    def add(self, piece: str) -> int:
        self.parts.append(piece)
        self.pos += len(piece)
        return self.pos

    def text(self) -> str:
        return "".join(self.parts)


def _wrap(s: str, rng: random.Random, width: int) -> str:
    """Hard-wrap a sentence at spaces about every width characters, as typed minutes often are."""
    out, col = [], 0
    for i, word in enumerate(s.split(" ")):
        if i and col + len(word) > width and rng.random() < 0.9:
            out.append("\n")
            col = 0
        elif i:
            out.append(" ")
            col += 1
        out.append(word)
        col += len(word)
    return "".join(out)


class Template:
    """A way of writing a contribution's marker; render() returns (marker, speaker as written, suffix)."""

    name = "base"
    one_paragraph = False
    joiner = " "  # what joins one remark to the next in one paragraph
    reported = False
    conclusions = CONCLUSIONS
    free_separator = True  # the colon after the name may be a dash or a stop in this layout
    table_head: str | None = None

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.seen: set[str] = set()
        self.bullet = rng.choice(("- ", "+ ", "– ", "* ", "• ", ""))
        self.title = rng.choice(PARTY_TITLES)
        # what ends the marker: mostly a colon, sometimes a dash or a stop ("1) đ/c Bình – Tôi thấy…")
        self.sep = rng.choice((": ", ": ", ": ", ": ", " – ", " - ", ". "))

    def name_of(self, speaker: str) -> str:
        return speaker

    def role_phrase(self, role: str) -> str:
        return self.rng.choice(ROLE_PHRASES.get(role, ROLE_PHRASES["member"]))

    def render(self, i: int, speaker: str, role: str) -> tuple[str, str, str]:
        name = self.name_of(speaker)
        return f"{self.bullet}{self.title} {name}: ", name, ""

    def sentence(self, j: int, s: str) -> str:
        return s

    def chair_opening(self, name: str, role: str) -> tuple[str, str]:
        """How this layout opens the chair's report or conclusion: (title and name, speaker as written)."""
        return f"{self.rng.choice(PARTY_TITLES)} {name}", name

    def procedural(self, body: str) -> str:
        return body

    def close(self, piece: str, suffix: str) -> str:
        """The remark's last sentence with what the marker leaves for its end (a speaker named after it); in
        one paragraph, no stop where a semicolon or a dash brings the next remark."""
        if self.one_paragraph and self.joiner != " ":
            piece = piece.rstrip(".")
        return piece + suffix


class DashTitleColon(Template):
    name = "dash_title_colon"


class Numbered(Template):
    name = "numbered"

    def render(self, i, speaker, role):
        num = self.rng.choice((f"{i}. ", f"{i}) ", f"({i}) ", f"{i}/ ", f"{i}- "))
        return f"{num}{self.title} {speaker}: ", speaker, ""


class RoleAfterDash(Template):
    name = "role_after_dash"
    free_separator = False

    def render(self, i, speaker, role):
        sep = self.rng.choice((" - ", " – ", ", ", " "))
        return f"{self.bullet}{self.title} {speaker}{sep}{self.role_phrase(role)}: ", speaker, ""


class RoleInBrackets(Template):
    name = "role_in_brackets"

    def render(self, i, speaker, role):
        title = self.rng.choice((self.title, ""))
        lead = f"{title} " if title else ""
        return f"{self.bullet}{lead}{speaker} ({self.role_phrase(role)}): ", speaker, ""


class RoleFirst(Template):
    name = "role_first"

    def __init__(self, rng: random.Random):
        super().__init__(rng)
        self.numbered = rng.random() < 0.3  # "3.1. Chi ủy viên, Trưởng Bộ phận Một cửa PHAN ANH TUẤN:"
        self.capitals = rng.random() < 0.3

    def render(self, i, speaker, role):
        phrase = self.role_phrase(role) if role != "guest" or self.rng.random() < 0.6 else "Đại biểu"
        phrase = phrase[:1].upper() + phrase[1:]
        if self.rng.random() < 0.4:
            phrase += ", " + self.rng.choice(OFFICES)
        name = speaker.upper() if self.capitals else speaker
        lead = f"3.{i}. " if self.numbered else self.bullet
        return f"{lead}{phrase} {name}: ", name, ""


class SpeechVerb(Template):
    name = "speech_verb"

    def render(self, i, speaker, role):
        verb = self.rng.choice(SPEECH_VERBS)
        return f"{self.bullet}{self.title} {speaker} {verb}: ", speaker, ""


class AcademicTitles(Template):
    name = "academic_titles"

    def chair_opening(self, name, role):
        return f"{self.rng.choice(ACADEMIC_TITLES)} {name}", name

    def render(self, i, speaker, role):
        title = self.rng.choice(ACADEMIC_TITLES)
        if self.rng.random() < 0.5:
            return f"{self.bullet}{title} {speaker} ({self.role_phrase(role)}): ", speaker, ""
        return f"{self.bullet}{title} {speaker}: ", speaker, ""


class KinTitles(Template):
    name = "kin_titles"

    def chair_opening(self, name, role):
        return f"{self.rng.choice(KIN_TITLES)} {name}", name

    def render(self, i, speaker, role):
        title = self.rng.choice(KIN_TITLES)
        verb = self.rng.choice(("", "", " phát biểu", " nói", " hỏi", " nói thêm"))
        return f"{self.bullet}{title} {speaker}{verb}: ", speaker, ""


class Possessive(Template):
    """The remark named first, then whose it is: "Góp ý của đ/c Quyết:", "Ý kiến đ/c Hạnh (tổ 3):"."""

    name = "possessive"

    def __init__(self, rng: random.Random):
        super().__init__(rng)
        self.head = rng.choice(POSSESSIVE)

    def render(self, i, speaker, role):
        head = self.head if self.rng.random() < 0.8 else self.rng.choice(POSSESSIVE)
        title = self.rng.choice((self.title, self.title, "ông", "bà", "chị", "anh", ""))
        who = f"{title} {speaker}" if title else speaker
        stated = f" ({self.role_phrase(role)})" if self.rng.random() < 0.3 else ""
        marker = f"{self.bullet}{head} {who}{stated}: "
        return (marker.upper() if self.rng.random() < 0.1 else marker), speaker, ""


class GivenAfterFirst(Template):
    name = "given_after_first"

    def name_of(self, speaker):
        if speaker in self.seen or len(speaker.split()) < 2:
            given = _given(speaker)
            return given.lower() if self.rng.random() < 0.1 else given  # typed in a hurry: "- đ/c bảo: …"
        self.seen.add(speaker)
        return speaker


class Notebook(Template):
    """Given names only, abbreviations, no final stops: typed from a notebook."""

    name = "notebook"

    def render(self, i, speaker, role):
        name = _given(speaker)
        if self.rng.random() < 0.15:  # typed in a hurry: "- đ/c bảo phát biểu lại: …"
            name = name.lower()
            return f"- đ/c {name}{self.rng.choice(('', ' phát biểu lại', ' nói thêm', ' bổ sung'))}: ", name, ""
        if self.rng.random() < 0.25:  # "- Tơng nói thêm: …", "- Út Em (tổ 2) hỏi: …"
            stated = f" ({self.role_phrase(role)})" if self.rng.random() < 0.3 else ""
            return (
                f"- {name}{stated} {self.rng.choice(('hỏi', 'nói thêm', 'bổ sung', 'trả lời', 'ý kiến'))}: ",
                name,
                "",
            )
        return f"- {name}: ", name, ""

    def sentence(self, j, s):
        s = self.procedural(s)
        return s.rstrip(".") if self.rng.random() < 0.7 else s

    def procedural(self, body):
        for long, short in ABBREVIATIONS:
            if self.rng.random() < 0.6:
                body = body.replace(long, short).replace(long[:1].upper() + long[1:], short)
        for long, short in LABEL_ABBREVIATIONS:
            if self.rng.random() < 0.5:
                body = body.replace(long, short)
        if self.rng.random() < 0.5:  # "tháng 8" -> "T8"
            body = re.sub(r"\b[Tt]háng (\d{1,2})\b", r"T\1", body)
        return body

    def chair_opening(self, name, role):
        given = _given(name)
        return f"{'BT' if role == 'chair' else 'PBT'} {given}", given

    conclusions = ("BT kết luận", "BT tổng hợp, kết luận", "Chủ trì KL", "BT tiếp thu, KL")


class NotebookParagraph(Notebook):
    """A notebook's discussion as one paragraph: given names between semicolons (formats.md)."""

    name = "notebook_paragraph"
    one_paragraph = True

    def __init__(self, rng: random.Random):
        super().__init__(rng)
        self.joiner = rng.choice(("; ", "; ", " - ", ". "))

    def render(self, i, speaker, role):
        marker, name, suffix = super().render(i, speaker, role)
        return marker.removeprefix("- "), name, suffix


class Capitals(Template):
    name = "capitals"

    def chair_opening(self, name, role):
        return f"{self.title.upper()} {name.upper()}", name.upper()

    def render(self, i, speaker, role):
        name = speaker.upper()
        title = self.rng.choice((self.title, self.title.upper()))
        return f"{self.bullet}{title} {name}: ", name, ""


class PipeTable(Template):
    name = "pipe_table"
    free_separator = False
    table_head = "TT | Người phát biểu | Chức vụ | Nội dung ý kiến"

    def render(self, i, speaker, role):
        return f"{i} | {_titled(self.rng, speaker)} | {self.role_phrase(role)} | ", speaker, ""


class NumberedSubitems(Template):
    name = "numbered_subitems"
    free_separator = False

    def __init__(self, rng: random.Random):
        super().__init__(rng)
        self.items = rng.choice(("letters", "- ", "+ "))  # "a) …", "- …" or "+ …" under the speaker's line
        self.numbered = rng.random() < 0.6

    def render(self, i, speaker, role):
        name = speaker.upper() if self.rng.random() < 0.2 else speaker
        if not self.numbered:
            return f"{self.title} {name}:\n", name, ""
        return f"3.{i}. {self.title} {name} ({self.role_phrase(role)}):\n", name, ""

    def sentence(self, j, s):
        return f"{'abcdefghik'[j % 10]}) {s}" if self.items == "letters" else f"{self.items}{s}"


class ReportedSpeech(Template):
    """The speaker, a title and a speech verb open the remark's first sentence: no colon, no bullet."""

    name = "reported_speech"
    reported = True

    def render(self, i, speaker, role):
        title = self.rng.choice(("Đồng chí", "Đ/c", "Ông", "Bà", "Chị", "Anh", "Chú", "Cô"))
        if role == "guest" and self.rng.random() < 0.4:  # the candidate of an admission meeting
            title = "Quần chúng"
        verb = self.rng.choice(("cho biết", "cho rằng", "nói", "nêu", "phản ánh", "bày tỏ", "nói thêm là"))
        if self.rng.random() < 0.4:  # a phrase first: "Phát biểu thêm, đồng chí Được cho biết …"
            phrase = self.rng.choice(PHRASES_FIRST)
            if self.rng.random() < 0.3:  # the role between title and name
                return f"{phrase}, đồng chí {self.role_phrase(role)} {speaker} {verb} ", speaker, ""
            return f"{phrase}, {title.lower()} {speaker} {verb} ", speaker, ""
        return f"{title} {speaker} {verb} ", speaker, ""

    def sentence(self, j, s):
        if j == 0 and len(s) > 1 and s[1:2].islower():
            return s[0].lower() + s[1:]
        return s


class OneParagraph(Template):
    """Several remarks in one paragraph, each opened mid-line; in a notebook, given names between semicolons
    ("- Phong: đồng ý BC; Nhân: không có ý kiến thêm; Út Em: xin …")."""

    free_separator = False
    name = "one_paragraph"
    one_paragraph = True

    def __init__(self, rng: random.Random):
        super().__init__(rng)
        self.joiner = rng.choice((" ", " ", "; ", "; ", " - "))
        self.given = self.joiner != " " and rng.random() < 0.7

    def render(self, i, speaker, role):
        if self.given and ", " not in speaker:
            name = _given(speaker)
            return f"{name}: ", name, ""
        title = self.rng.choice(("đ/c", "Đ/c", "đồng chí", "Đồng chí"))
        verb = self.rng.choice(("", " nêu", " cho rằng", " phát biểu"))
        return f"{title} {speaker}{verb}: ", speaker, ""


# Held out from training: the layout benchmark reports them apart.
class TabTable(Template):
    name = "tab_table"
    free_separator = False
    table_head = "STT\tHọ tên\tChức vụ\tÝ kiến"

    def render(self, i, speaker, role):
        return f"{i}\t{_titled(self.rng, speaker)}\t{self.role_phrase(role)}\t", speaker, ""


class SpeakerBlock(Template):
    name = "speaker_block"
    free_separator = False

    def chair_opening(self, name, role):
        return f"{self.rng.choice(ACADEMIC_TITLES + PARTY_TITLES)} {name}", name

    def render(self, i, speaker, role):
        title = self.rng.choice(ACADEMIC_TITLES + PARTY_TITLES)
        return f"Người phát biểu: {title} {speaker} – {self.role_phrase(role)}\nNội dung: ", speaker, ""


class SpeakerAtEnd(Template):
    """The speaker named after the remark, in brackets or after a dash: "… (ý kiến của đ/c Tâm)", "… – Hạnh"."""

    name = "speaker_at_end"
    ATTRIBUTIONS = (
        " (ý kiến {who}{role})",
        " (ý kiến của {who}{role})",
        " (Ý kiến của {who}{role})",
        " ({who}{role})",
        " [{who}]",
        " – {who}{role}",
        " — {who}",
        " - {who}{role}",
        " ({who} phát biểu)",
        " ({who} nêu)",
        " (Ý kiến: {who})",
        " (theo ý kiến {who})",
    )

    def __init__(self, rng: random.Random):
        super().__init__(rng)
        self.form = rng.choice(self.ATTRIBUTIONS)  # a secretary mostly keeps one wording
        self.title = rng.choice(("đ/c", "Đ/c", "đồng chí", "Đồng chí", "ĐC", "đ/c", "Đ/c"))
        self.drop_stop = rng.random() < 0.3  # "… chưa thấy sửa (đ/c Khải)." rather than "… sửa. (đ/c Khải)"

    def render(self, i, speaker, role):
        rng = self.rng
        name = _given(speaker) if rng.random() < 0.5 and ", " not in speaker else speaker
        pick = rng.random()
        if pick < 0.1:
            who = name
        elif pick < 0.2:
            who = f"{rng.choice(ACADEMIC_TITLES + KIN_TITLES)} {name}"
        else:
            who = f"{self.title} {name}"
        stated = ""
        if rng.random() < 0.25:  # "(đ/c Tâm, chi ủy viên)", "– Đ/c Hạnh - tổ 3"
            stated = rng.choice((", ", " - ")) + self.role_phrase(role)
        form = self.form if rng.random() < 0.8 else rng.choice(self.ATTRIBUTIONS)
        return self.bullet or "- ", name, form.format(who=who, role=stated)

    def joint(self, speaker, other):
        first = speaker.split(", ")[0]
        who = self.rng.choice((f"các đ/c {speaker}", f"{self.title} {first} và {self.title} {other}", f"Đ/c {speaker}"))
        return self.bullet or "- ", speaker, self.form.format(who=who, role="")

    def close(self, piece: str, suffix: str) -> str:
        if self.drop_stop and piece.endswith("."):
            return piece[:-1] + suffix + "."
        return piece + suffix


class MilitaryRanks(Template):
    name = "military_ranks"

    def chair_opening(self, name, role):
        return f"{self.rng.choice(RANKS)} {name}", name

    def render(self, i, speaker, role):
        rank = self.rng.choice(RANKS)
        unit = self.rng.choice(("Công an phường", "Ban Chỉ huy quân sự", "Đồn Biên phòng", "Đội Cảnh sát"))
        pick = self.rng.random()
        if pick < 0.3:  # "Đồng chí Trung tá Nguyễn Mạnh Cường, Chỉ huy trưởng, Phó Bí thư chi bộ: …"
            return f"{self.bullet}Đồng chí {rank} {speaker}, {unit}, {self.role_phrase(role)}: ", speaker, ""
        if pick < 0.55:  # "Thiếu tá Nông Văn Chiến trả lời: …"
            verb = self.rng.choice(("trả lời", "phát biểu", "báo cáo", "đề xuất", "nêu ý kiến", "hỏi"))
            return f"{self.bullet}{rank} {speaker} {verb}: ", speaker, ""
        return f"{self.bullet}{rank} {speaker} ({unit}): ", speaker, ""


class Mixed(Template):
    """Each remark in another template's style, as minutes written over a long meeting drift between styles."""

    name = "mixed"
    POOL = (
        "dash_title_colon",
        "role_after_dash",
        "role_in_brackets",
        "role_first",
        "speech_verb",
        "academic_titles",
        "kin_titles",
        "notebook",
        "possessive",
        "military_ranks",
        "given_after_first",
    )

    def __init__(self, rng: random.Random):
        super().__init__(rng)
        self.styles = [TEMPLATES[name](rng) for name in rng.sample(self.POOL, 3)]

    def render(self, i, speaker, role):
        return self.rng.choice(self.styles).render(i, speaker, role)


TEMPLATES: dict[str, Callable[[random.Random], Template]] = {
    t.name: t
    for t in (
        DashTitleColon,
        Numbered,
        RoleAfterDash,
        RoleInBrackets,
        RoleFirst,
        SpeechVerb,
        AcademicTitles,
        KinTitles,
        GivenAfterFirst,
        Notebook,
        NotebookParagraph,
        Capitals,
        ReportedSpeech,
        PipeTable,
        NumberedSubitems,
        OneParagraph,
        Possessive,
        Mixed,
        TabTable,
        SpeakerBlock,
        SpeakerAtEnd,
        MilitaryRanks,
    )
}
HELD_OUT = ("tab_table", "speaker_block", "speaker_at_end", "military_ranks")
TRAINING = tuple(name for name in TEMPLATES if name not in HELD_OUT)


def _new_name(rng: random.Random) -> str:
    """A name composed from parts: Kinh, Ê Đê, Jrai, teknonym, northern, H'Mông, Khmer or birth order."""
    pool = rng.random()
    c = rng.choice
    if pool < 0.1:
        return c(ETHNIC)
    if pool < 0.18:
        return f"Y {c(EDE_GIVEN)} {c(EDE_CLAN)}" if rng.random() < 0.5 else f"H'{c(EDE_FEMALE)} {c(EDE_CLAN)}"
    if pool < 0.25:
        return f"{c(JRAI_CLAN)} {c(JRAI_GIVEN)}"
    if pool < 0.3:
        return f"{c(('Ama', 'Ami', 'Ama', 'Amí'))} {c(EDE_GIVEN + JRAI_GIVEN)}"
    if pool < 0.4:
        return f"{c(NORTH_FAMILY)} {c(('Văn', 'Thị', 'Văn', 'Thị', 'Đức', 'Minh'))} {c(NORTH_GIVEN)}"
    if pool < 0.45:
        return " ".join(c(part) for part in HMONG)
    if pool < 0.5:
        return " ".join(w for w in (c(part) for part in KHMER) if w)
    if pool < 0.62:
        return f"{c(('Hai', 'Ba', 'Tư', 'Năm', 'Sáu', 'Bảy', 'Tám', 'Chín', 'Mười', 'Út'))} {c(SOUTH_GIVEN + GIVEN)}"
    if rng.random() < 0.15:  # two-word names: "Lê Hùng", "Tôn Nữ Minh Thư"
        return f"{c(FAMILY)} {c(GIVEN)}" if rng.random() < 0.7 else f"Tôn Nữ {c(MIDDLE)} {c(GIVEN)}"
    return f"{c(FAMILY)} {c(MIDDLE)} {c(GIVEN)}"


def render(
    record: dict,
    template: str,
    seed: int = 0,
    *,
    wrap: float = 0.2,
    rename: float = 0.5,
    conclusion: float = 0.5,
    joint: float = 0.06,
    caption: float = 0.04,
    qa: float = 0.05,
    groups: float = 0.15,
) -> dict:
    """Return record re-rendered with template; offsets, speakers, roles and labels follow the new text.

    Contributions in reported speech (no marker before the first sentence) are kept as written.
    """
    rng = random.Random(f"{record['id']}/{template}/{seed}")
    tpl = TEMPLATES[template](rng)
    text = record["text"]
    meta = record.get("meta", {})
    keep = {n for n in (meta.get("chair"), meta.get("secretary")) if n}
    renames: dict[str, str] = {}
    members = {
        s["speaker"]: s["role"]
        for s in record["segments"]
        if s["kind"] == "discussion" and s.get("speaker") and ", " not in s["speaker"] and s.get("role") in ROLE_ORDER
    }

    def renamed(seg: dict) -> str:
        speaker = seg["speaker"]
        if speaker not in keep and seg["role"] in ("member", "committee") and ", " not in speaker:
            if speaker not in renames:  # decided once per person: an exchange names the next speaker early
                renames[speaker] = _new_name(rng) if rng.random() < rename else speaker
            speaker = renames[speaker]
        return speaker

    ordered = sorted(record["segments"], key=lambda s: s["start"])
    exchanges = not tpl.table_head and template not in ("speaker_block", "speaker_at_end")
    answer: tuple[str, str] | None = None  # the title and verb that open the answer to the question just rendered
    do_wrap = rng.random() < wrap and template not in ("pipe_table", "tab_table")
    width = rng.randint(55, 95)
    out = _Out()
    segments: list[dict] = []
    prev_end = 0
    prev_kind = None
    number = 0
    head_done = False
    for n_seg, seg in enumerate(ordered):
        gap = text[prev_end : seg["start"]]
        sents = seg.get("sentences") or []
        marker_text = text[seg["start"] : sents[0]["start"]] if sents else ""
        rewrite = seg["kind"] == "discussion" and sents and marker_text.strip() and seg.get("speaker")
        if rewrite and tpl.table_head and not head_done:
            out.add(gap)
            a = out.pos
            segments.append(
                {"start": a, "end": out.add(tpl.table_head), "kind": "procedural", "speaker": None, "role": None}
            )
            gap = "\n"
            head_done = True
        if rewrite and not tpl.table_head and rng.random() < caption:  # a photo caption of a web write-up
            who = seg["speaker"]
            out.add(gap)
            a = out.pos
            line = rng.choice(
                (
                    f"Đồng chí {who} - {tpl.role_phrase(seg['role'])} phát biểu thảo luận",
                    f"Ảnh: Đồng chí {who} phát biểu tại buổi sinh hoạt.",
                    "Ảnh: Quang cảnh buổi sinh hoạt",
                    f"Đồng chí {who} phát biểu tại buổi sinh hoạt. Ảnh: {rng.choice(GIVEN)}",
                )
            )
            segments.append({"start": a, "end": out.add(line), "kind": "procedural", "speaker": None, "role": None})
            gap = "\n"
        if rewrite and tpl.one_paragraph and prev_kind == "discussion" and gap == "\n":
            gap = tpl.joiner
        out.add(gap)
        prev_end = seg["end"]
        prev_kind = seg["kind"] if rewrite else None
        if not rewrite:
            body = text[seg["start"] : seg["end"]]
            new = dict(seg)
            if seg["kind"] in ("chair_report", "chair_conclusion") and seg.get("speaker"):
                body, new["speaker"] = _chair_opening(body, seg, tpl)
                if isinstance(tpl, Capitals) and 0 <= body.find(":") < 90:
                    body = body[: body.find(":")].upper() + body[body.find(":") :]
            if seg["kind"] == "chair_conclusion" and rng.random() < conclusion:
                body = _conclusion(body, rng, record, tpl.conclusions, seg.get("speaker"))
            if seg["kind"] == "chair_report" and not sents and rng.random() < groups:
                body = _group_lines(body, rng)
            if seg["kind"] != "discussion":
                body = tpl.procedural(body)
            new["start"] = out.pos
            shift = out.pos - seg["start"]
            new["end"] = out.add(body)
            if sents:
                new["sentences"] = [dict(s, start=s["start"] + shift, end=s["end"] + shift) for s in sents]
            segments.append(new)
            continue
        number += 1
        speaker = renamed(seg)
        role = seg["role"]
        others = [m for m in members if m != speaker]
        nxt = ordered[n_seg + 1] if n_seg + 1 < len(ordered) else None
        if answer and ", " not in speaker:  # the answer to the question just rendered (formats.md)
            title, verb, bracketed = answer
            if title == "Quần chúng":  # the candidate of an admission meeting is a guest (codebook §2)
                role = "guest"
            if bracketed:  # "Trả lời (đ/c Bí thư Thuận): …"
                marker = f"{tpl.bullet}{verb[:1].upper()}{verb[1:]} ({title.lower()} {speaker}): "
            else:
                marker = f"{tpl.bullet}{title} {speaker} {verb}: "
            written, suffix = speaker, ""
            answer = None
        elif others and not tpl.table_head and rng.random() < joint:  # a joint remark (codebook §2, ruling 23)
            if hasattr(tpl, "joint"):  # a layout that names its joint speakers its own way (after the remark)
                other = rng.choice(others)
                speaker = f"{speaker}, {other}"
                role = min((role, members[other]), key=ROLE_ORDER.index)
                marker, written, suffix = tpl.joint(speaker, other)
            else:
                marker, speaker, role = _joint(rng, tpl.bullet, speaker, role, others, members)
                written, suffix = speaker, ""
        elif (
            exchanges
            and ", " not in speaker
            and nxt is not None
            and nxt["kind"] == "discussion"
            and nxt.get("speaker")
            and ", " not in nxt["speaker"]
            and nxt.get("sentences")
            and text[nxt["start"] : nxt["sentences"][0]["start"]].strip()
            and rng.random() < qa
        ):  # a question to the next speaker, who answers: "Đồng chí A hỏi quần chúng Tư: …" / "Quần chúng B trả lời: …"
            addressee = renamed(nxt)
            title = rng.choice(("Quần chúng", "Quần chúng", "Đồng chí", "Đ/c", "Ông", "Bà", "Chị", "Anh"))
            bracketed = rng.random() < 0.35  # "Hỏi (đ/c Lê Văn Cường - xóm Đông): …" / "Trả lời (đ/c Bí thư): …"
            if bracketed:
                title = rng.choice(("Đồng chí", "Đ/c", "Ông", "Bà", "Chị", "Anh"))
            answer = (title, rng.choice(("trả lời", "trả lời", "giải trình", "trả lời thêm")), bracketed)
            named = addressee if rng.random() < 0.4 else _given(addressee)
            asked = rng.choice(("hỏi", "hỏi", "đặt câu hỏi với", "hỏi lại"))
            role_part = f", {tpl.role_phrase(role)}," if rng.random() < 0.4 else ""
            title_a = rng.choice(("Đồng chí", "Đ/c", "đ/c"))
            if bracketed:
                place = f" - {tpl.role_phrase(role)}" if rng.random() < 0.5 else ""
                asked = rng.choice(("Hỏi", "Hỏi", "Câu hỏi", "Ý kiến hỏi"))
                marker = f"{tpl.bullet}{asked} ({title_a.lower()} {speaker}{place}): "
            else:
                marker = f"{tpl.bullet}{title_a} {speaker}{role_part} {asked} {title.lower()} {named}: "
            written, suffix = speaker, ""
        else:
            marker, written, suffix = tpl.render(number, speaker, role)
            if marker.endswith(": ") and tpl.free_separator and written.lower() in marker[-len(written) - 3 :].lower():
                marker = marker[:-2] + tpl.sep
        start = out.pos
        out.add(marker)
        new_sents = []
        pos = sents[0]["start"]
        for j, s in enumerate(sents):
            out.add(text[pos : s["start"]] if j else "")
            piece = tpl.sentence(j, text[s["start"] : s["end"]])
            if isinstance(tpl, NumberedSubitems) and j:
                out.parts[-1] = "\n" if out.parts[-1] in (" ", "") else out.parts[-1]
                out.pos = sum(len(p) for p in out.parts)
            if do_wrap:
                piece = _wrap(piece, rng, width)
            if j == len(sents) - 1:
                piece = tpl.close(piece, suffix)
            a = out.pos
            if isinstance(tpl, NumberedSubitems):
                label_len = 3 if tpl.items == "letters" else 2  # the item's letter or bullet is not the sentence
                out.add(piece)
                new_sents.append(dict(s, start=a + label_len, end=out.pos))
            else:
                new_sents.append(dict(s, start=a, end=out.add(piece)))
            pos = s["end"]
        out.add(text[pos : seg["end"]])
        if tpl.reported:
            new_sents[0]["start"] = start
        segments.append(dict(seg, start=start, end=out.pos, speaker=written, role=role, sentences=new_sents))
    out.add(text[prev_end:])
    new_text = out.text()
    return {
        "id": f"{record['id']}~{template}",
        "text": new_text,
        "meta": dict(meta, layout=template),
        "segments": segments,
        **({"rating": record["rating"]} if "rating" in record else {}),
    }


def _joint(
    rng: random.Random, bullet: str, speaker: str, role: str, others: list[str], members: dict[str, str]
) -> tuple[str, str, str]:
    """A remark attributed jointly to two or three members (codebook §2): (marker, speaker, role by ruling 23).

    Full names or given names only ("Các đồng chí Tư, Hoàng, Liên nhất trí …"), party or kin titles
    ("Các ông Y Ngông Êban, Nay Blin và bà H'Dung Mlô: …"), "và" or a comma before the last name.
    """
    group = [speaker, *rng.sample(others, min(len(others), rng.choice((1, 1, 2))))]
    role = min([role, *(members[o] for o in group[1:])], key=ROLE_ORDER.index)
    names = [_given(n) for n in group] if rng.random() < 0.3 else group
    last = rng.choice((", ", " và "))
    listed = ", ".join(names[:-1]) + last + names[-1]
    form = rng.randrange(5)
    if form == 0:
        marker = f"{bullet}Các đồng chí {listed}: "
    elif form == 1:
        marker = f"{bullet}Các đ/c {listed} {rng.choice(('thống nhất', 'nhất trí', 'cùng thống nhất'))}: "
    elif form == 2:
        marker = f"{bullet}" + ", ".join(f"đ/c {n}" for n in names[:-1]) + f" và đ/c {names[-1]}: "
        marker = marker[len(bullet)].upper().join((marker[: len(bullet)], marker[len(bullet) + 1 :]))
    elif form == 3:
        kin = [rng.choice(("ông", "bà")) for _ in names]
        marker = f"{bullet}Các {kin[0]} " + ", ".join(names[:-1]) + f" và {kin[-1]} {names[-1]} cùng thống nhất: "
    else:
        marker = f"{bullet}CÁC Đ/C {listed.upper()}: "
        names = [n.upper() for n in names]
    return marker, ", ".join(names), role


_PARTY_TITLE = re.compile(r"(\s*(?:\d+[.)/]\s*|[-+*•–]\s*)?)(?:Đồng chí|đồng chí|Đ/c|đ/c|ĐC|Đ/C)\s+")


def _chair_opening(body: str, seg: dict, tpl: Template) -> tuple[str, str]:
    """The chair's report or conclusion opened in the layout's own way ("TS. Hà Văn Lực", "BT Sáu")."""
    m = _PARTY_TITLE.match(body)
    name = seg["speaker"]
    if not m or not body.startswith(name, m.end()):
        return body, name
    opening, written = tpl.chair_opening(name, seg.get("role") or "chair")
    return body[: m.end(1)] + opening + body[m.end() + len(name) :], written


_CONCLUSION_MARK = re.compile(r"^[^\n:]{0,110}?(?:kết luận|tiếp thu)[^\n:]{0,60}:", re.IGNORECASE)


def _conclusion(
    body: str, rng: random.Random, record: dict, wordings: tuple[str, ...], speaker: str | None = None
) -> str:
    """Another wording of the conclusion's opening, and assignments that name members inside it."""
    m = _CONCLUSION_MARK.match(body)
    if m:
        number = re.match(r"\s*(?:\d+[.)/]|[IVX]+\.|[A-Da-d][.)])\s*", body)
        if number and rng.random() < 0.4:  # sections are numbered many ways: "3.", "III.", "C.", "c)"
            number = rng.choice(("3. ", "III. ", "C. ", "c) ", "4/ ", "Phần 3. "))
        else:
            number = number.group() if number else ""
        wording = rng.choice(wordings)
        chair = record.get("meta", {}).get("chair")
        if chair and speaker == chair and rng.random() < 0.3:  # "Đồng chí Hà Văn Thịnh, Bí thư chi bộ, thay mặt …"
            said = rng.choice(
                ("thay mặt chi ủy tiếp thu và kết luận", "tiếp thu ý kiến, kết luận", "tổng hợp ý kiến và kết luận")
            )
            wording = f"{rng.choice(PARTY_TITLES[:2])} {chair}, {rng.choice(ROLE_PHRASES['chair'])}, {said}"
        body = number + wording + ":" + body[m.end() :]
    members = [s["speaker"] for s in record["segments"] if s["kind"] == "discussion" and s.get("speaker")]
    pick = rng.random()
    if members and pick < 0.45:
        lines = []
        for i, who in enumerate(rng.sample(members, min(len(members), rng.randint(1, 3))), start=1):
            lines.append(f"{i}. {rng.choice(('Đồng chí', 'Giao đồng chí', 'Đ/c'))} {who} {rng.choice(TASKS)}.")
        body = body.rstrip() + "\n" + "\n".join(lines)
    elif members and pick < 0.65:  # a table of tasks: what, who, by when
        sep = rng.choice((" | ", "\t"))
        head = rng.choice(("TT|Nội dung công việc|Người phụ trách|Thời hạn", "STT|Việc|Người thực hiện|Thời gian"))
        lines = [head.replace("|", sep)]
        for i, who in enumerate(rng.sample(members, min(len(members), rng.randint(2, 4))), start=1):
            task = rng.choice(TASKS)
            task = task[:1].upper() + task[1:]
            when = rng.choice(("30/9", "trước 15/10", "tháng 11", "thường xuyên", "quý IV"))
            lines.append(sep.join((str(i), task, f"{rng.choice(('đ/c ', 'Đ/c ', ''))}{who}", when)))
        body = body.rstrip() + "\n" + "\n".join(lines)
    if members and rng.random() < 0.3:  # a member mentioned mid-line, answered in the conclusion
        who = rng.choice(members)
        body = body.rstrip() + f" Đ/c {who} hỏi về {rng.choice(('quỹ', 'đèn đường', 'hồ sơ'))}: chi bộ đã trả lời."
    return body


GROUP_NEWS = (
    "đã thu xong quỹ an ninh quốc phòng",
    "100% hộ đã tiêm phòng cho gia súc đợt 1",
    "còn 3 hộ chưa nộp quỹ khuyến học",
    "tổ chức tổng vệ sinh đường làng 2 lần",
    "vận động được 5 hộ hiến đất mở đường",
    "hoàn thành 12/15 chỉ tiêu của tháng",
    "chưa có hộ nào đăng ký mô hình mới",
)


def _group_lines(body: str, rng: random.Random) -> str:
    """The chair's report listing what each group, hamlet or team did ("- Tổ 1: …", "- T3: …", "+ Thôn 2: …")."""
    unit = rng.choice(("Tổ ", "T", "Thôn ", "Đội ", "Ấp ", "Khối "))
    bullet = rng.choice(("- ", "+ ", "* "))
    count = rng.randint(2, 4)
    news = rng.sample(GROUP_NEWS, count)
    lines = [
        f"{bullet}{unit}{n}: {said}{rng.choice(('.', ';', ''))}"
        for n, said in zip(sorted(rng.sample(range(1, 9), count)), news)
    ]
    return body.rstrip() + "\n" + "\n".join(lines) + ("\n" if body.endswith("\n") else "")


def excerpt(record: dict, seed: int = 0) -> dict:
    """A short version of the meeting: its header and report, one to three remarks, and its closing lines.

    Minutes kept in a notebook are often this short; a model that only saw whole meetings would take the
    position of a line in the document for a sign of what it is.
    """
    rng = random.Random(f"{record['id']}/excerpt/{seed}")
    segs = sorted(record["segments"], key=lambda s: s["start"])
    disc = [i for i, s in enumerate(segs) if s["kind"] == "discussion"]
    if not disc:
        return record
    first = rng.randrange(len(disc))
    keep_disc = set(disc[first : first + rng.randint(1, 3)])
    keep = [i for i, s in enumerate(segs) if i < disc[0] or i in keep_disc or i > disc[-1]]
    if rng.random() < 0.5:  # sometimes without the conclusion and closing
        keep = [i for i in keep if i <= max(keep_disc)]
    text = record["text"]
    out = _Out()
    new = []
    for n, i in enumerate(keep):
        seg = segs[i]
        if n:
            out.add("\n")
        shift = out.pos - seg["start"]
        out.add(text[seg["start"] : seg["end"]])
        moved = dict(seg, start=seg["start"] + shift, end=seg["end"] + shift)
        if seg.get("sentences"):
            moved["sentences"] = [dict(x, start=x["start"] + shift, end=x["end"] + shift) for x in seg["sentences"]]
        new.append(moved)
    return dict(record, id=record["id"] + "~excerpt", text=out.text() + "\n", segments=new)
