"""Word families the turn finder uses as features: titles of every kind, name particles, role and speech words.

These lists are features for a trained model, not rules: a word missing here is still learnt from its
shape and context (a capitalised run before a colon, a table cell, a position after a bullet). Add a
family, not a single document's word.
"""

from __future__ import annotations

from minutes_nlp.segmentation.markers import SPEECH_VERBS, SURNAMES

# Lower-cased titles, by family; multi-word titles are matched word by word.
TITLE_FAMILIES: dict[str, tuple[str, ...]] = {
    "party": ("đồng chí", "đ/c", "đc", "đ.c", "đ/c.", "các đồng chí", "các đ/c"),
    "academic": (
        "ts",
        "ths",
        "pgs",
        "gs",
        "tskh",
        "cn",
        "ks",
        "kts",
        "ncs",
        "pgs.ts",
        "gs.ts",
        "ts.bs",
        "ths.bs",
        "gv",
        "gvc",
    ),
    "medical": (
        "bs",
        "bs.cki",
        "bs.ckii",
        "bscki",
        "bsckii",
        "đd",
        "ds",
        "ktv",
        "ys",
        "nhs",
        "lương y",
        "bác sĩ",
        "dược sĩ",
    ),
    "military": (
        "đại tướng",
        "thượng tướng",
        "trung tướng",
        "thiếu tướng",
        "đại tá",
        "thượng tá",
        "trung tá",
        "thiếu tá",
        "đại úy",
        "thượng úy",
        "trung úy",
        "thiếu úy",
        "đại uý",
        "thượng uý",
        "trung uý",
        "thiếu uý",
        "binh nhất",
        "hạ sĩ",
        "trung sĩ",
        "thượng sĩ",
        "chiến sĩ",
    ),
    "professional": ("luật sư", "nhà giáo", "nghệ nhân", "kỹ sư", "kiến trúc sư", "giáo sư", "tiến sĩ", "thạc sĩ"),
    "kinship": (
        "ông",
        "bà",
        "anh",
        "chị",
        "chú",
        "cô",
        "bác",
        "thầy",
        "cậu",
        "dì",
        "em",
        "cháu",
        "già làng",
        "trưởng bản",
        "bố",
        "mẹ",
        "cụ",
    ),
}
# Particles that open ethnic-minority names (Ê Đê, Jrai, Ba Na, M'nông…) and birth-order names in the South.
NAME_PARTICLES = {"y", "h'", "ama", "ami", "nay", "ksor", "rơ", "siu", "rah", "kpă", "niê", "byă", "mlô", "êban"}
BIRTH_ORDER = {"hai", "ba", "tư", "năm", "sáu", "bảy", "tám", "chín", "mười", "út"}
FAMILY_NAMES = SURNAMES | {"rơ", "siu", "ksor", "nay", "kpă", "rah", "h'", "ama", "ami"}
# Middle names: after a family name they make a capitalised sequence a person's name ("Hồ Văn Giang"),
# where "Hà Nội" or "Lâm Đồng" stay ambiguous.
MIDDLE_NAMES = set(
    """văn thị hữu đình đức minh ngọc thanh quang xuân công quốc duy bá kim thu hồng thành tiến trọng anh
mạnh huy tuấn việt phương thái gia khánh như bảo diệu mỹ lệ hải trung hoài thúy thùy phúc chí đăng tấn
trí quý nhật hoàng thế viết sỹ sĩ khắc đắc trường vĩnh phú tường cẩm bích thảo mai lan hương""".split()
)
# Syllables common as the last (given) part of a Vietnamese name. A capitalised one before a colon, a verb
# or a bracket is most often a person ("Lụa: không có ý kiến thêm"), where "Nhiệm vụ:" or "Tổ 3:" are not.
GIVEN_NAMES = set(
    """an anh ánh bảo bích bình bông cầm chi chinh chiến chính chung chúc cúc cường dân diễm diệp diệu dịu doan
dung dũng duy duyên dương đào đạt điệp định đông đức được giang giao hà hải hạnh hào hạ hằng hân hậu hiền hiệp
hiếu hiển hòa hoa hoài hoan hoàn hoàng hồng hợp huấn huệ hùng hưng hương hường huy huyền kha khang khanh khánh
khải khiêm khoa khôi khuê kiên kiều kim kỳ lai lam lan lành lâm lân lệ liên liêm liễu linh loan lộc lợi long
luân lụa lực lương lượng lưu ly lý mai mạnh mẫn mến minh mơ mùi my mỹ na nam nga ngà ngân nghĩa ngọc nguyên
nguyệt nhàn nhân nhật nhi nhiên nhung như nhựt nở nụ oanh phát phong phú phúc phụng phương phượng quang quân
quế quốc quý quyên quyết quỳnh sang sáng sen sinh sơn sương tài tâm tân tấn thạch thái thanh thành thảo thắm
thắng thân thế thi thịnh thoa thông thu thuận thục thúy thùy thủy thư thương tiên tiến tiệp tín toàn toản
trà trâm trang trí trinh trọng trung trúc trường tú tuấn tuệ tùng tuyên tuyết tuyền tư tường út uyên vân văn
vi việt vinh vĩnh võ vũ vui vy xuân xuyến yên yến""".split()
)
# Words that open a role phrase ("Bí thư", "Chi ủy viên", "Tổ trưởng"); a role is read from these.
ROLE_HEADS = {
    "bí",
    "phó",
    "chi",
    "cuv",
    "pbt",
    "bt",
    "ủy",
    "uỷ",
    "tổ",
    "trưởng",
    "chủ",
    "giám",
    "hiệu",
    "đảng",
    "thư",
    "đại",
    "quần",
    "kế",
    "chuyên",
    "giáo",
    "điều",
    "cán",
    "nhân",
    "bác",
    "dược",
    "kỹ",
    "đội",
    "quản",
    "trợ",
    "văn",
    "thủ",
    "công",
}
SPEECH_FIRST_WORDS = {v.split()[0] for v in SPEECH_VERBS}
SPEECH_PHRASES = set(SPEECH_VERBS)
# Words that open a question or an answer, never a name: "Hỏi (đ/c Lê Văn Cường):", "Đáp (đ/c Bí thư):"
ASKING_WORDS = {"hỏi", "đáp", "trả", "lời"}
# Headers of a discussion kept as a table, by column.
TABLE_HEADS = ("tt", "stt", "người phát biểu", "họ tên", "họ và tên", "chức vụ", "nội dung", "ý kiến")


_FAMILY_OF = {title: family for family, titles in TITLE_FAMILIES.items() for title in titles}
TITLE_FIRST_WORDS = {title.split()[0] for title in _FAMILY_OF}  # a title can start only at these words


def title_family(words: list[str], i: int) -> tuple[str | None, int]:
    """The title family of the title starting at words[i] (lower-cased) and how many words it spans."""
    if i >= len(words) or words[i].rstrip(".") not in TITLE_FIRST_WORDS:
        return None, 0
    for n in (3, 2, 1):
        if len(words) - i < n:
            continue
        family = _FAMILY_OF.get(" ".join(words[i : i + n]).rstrip("."))
        if family:
            return family, n
    return None, 0
