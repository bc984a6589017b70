"""Turns the trained turn finder missed on the corpus test split and challenge set 3 (issue 9): joint remarks
by given names, a candidate's remark ("Quần chúng …"), question-and-answer exchanges, a lower-case name,
an anaphoric "Đồng chí" that names nobody new, "Phần 3." before the conclusion, and header lines and
clauses that name the chair, the secretary and the guests.

Every minutes text here is written by hand, every name invented; the expected speakers, roles and kinds
are what a reader of the minutes sees (codebook §2, ruling 23), written before running the code.
"""

from __future__ import annotations

import pytest

from minutes_nlp.reading.text import normalize
from minutes_nlp.segmentation.header import parse_header, role_label_line
from minutes_nlp.segmentation.turns import segment

HEADER = (
    "ĐẢNG BỘ KHỐI DOANH NGHIỆP\nCHI BỘ CÔNG TY CƠ KHÍ PHÚ LÂM\n"
    "BIÊN BẢN HỌP CHI BỘ XÉT ĐỀ NGHỊ KẾT NẠP ĐẢNG VIÊN\n"
    "Hôm nay, vào hồi 14 giờ ngày 12 tháng 10 năm 2023, tại hội trường công ty, Chi bộ họp xét đề nghị kết nạp "
    "quần chúng Lò Thị Mến vào Đảng; có mặt 14/15 đảng viên; do đồng chí Vương Đình Khoa, Bí thư chi bộ chủ trì, "
    "đồng chí Tạ Thị Huệ làm thư ký.\n"
    "1. Đồng chí Vương Đình Khoa thông qua lý lịch và đơn xin vào Đảng của quần chúng Lò Thị Mến.\n"
    "2. Thảo luận:\n"
)
CLOSING = "3. Đồng chí chủ trì kết luận: chi bộ thống nhất đề nghị kết nạp.\nBiểu quyết: 14/14 tán thành.\n"


def contributions(text: str) -> list[tuple[str | None, str | None]]:
    doc = segment(normalize(text))
    return [(s.speaker, s.role) for s in doc.contributions]


@pytest.mark.xfail(
    strict=True,
    reason="every retraining since the dash cuts (corpus alone or with the challenge sets) joins the candidate's "
    "reported remark to the joint remark before it",
)
def test_joint_remark_by_given_names_then_the_candidate_speaks():
    body = (
        "Đồng chí Hà Văn Tư, Tổ trưởng tổ tiện, nhận xét quần chúng Mến chấp hành tốt nội quy, năm 2023 đạt "
        "lao động tiên tiến.\n"
        "Đồng chí Đàm Thị Liên, đảng viên giúp đỡ, cho biết quần chúng đã học xong lớp nhận thức về Đảng.\n"
        "Các đồng chí Tư, Hoàng, Liên nhất trí đề nghị kết nạp quần chúng vào Đảng.\n"
        "Quần chúng Lò Thị Mến xúc động cảm ơn chi bộ và hai đồng chí giới thiệu, xin hứa phấn đấu.\n"
        "Đồng chí Tạ Thị Huệ nhất trí kết nạp và đề nghị quần chúng học thêm về Điều lệ Đảng.\n"
    )
    assert contributions(HEADER + body + CLOSING) == [
        ("Hà Văn Tư", "member"),
        ("Đàm Thị Liên", "member"),
        ("Tư, Hoàng, Liên", "member"),
        ("Lò Thị Mến", "guest"),  # the candidate of an admission meeting is a guest (codebook §2)
        ("Tạ Thị Huệ", "secretary"),  # read from "đồng chí Tạ Thị Huệ làm thư ký", not the chair before her
    ]


def test_question_and_answer_exchange():
    body = (
        "Đồng chí Lục Văn Đăng, Phó Bí thư chi bộ hỏi quần chúng Mến: nếu được vào Đảng, quần chúng sẽ làm gì "
        "để giúp tổ nâng năng suất?\n"
        "Quần chúng Lò Thị Mến trả lời: tôi sẽ kèm hai công nhân mới đứng máy tiện và giữ tỷ lệ phế phẩm dưới 2%.\n"
        "Đồng chí Đăng nhất trí đề nghị kết nạp.\n"
    )
    assert contributions(HEADER + body + CLOSING) == [
        ("Lục Văn Đăng", "committee"),
        ("Lò Thị Mến", "guest"),
        ("Đăng", "committee"),
    ]


def test_an_anaphoric_title_names_nobody_new():
    body = (
        "Đồng chí Quan Văn Sính cho biết tổ bảo vệ đã trực đủ ca trong tháng.\n"
        "Đồng chí Phùng Đức Lân, Phó Giám đốc cho biết đến nay đã thay 18/25 máy cũ. Đồng chí thừa nhận việc "
        "theo dõi tiền ăn ca như đồng chí Quan Văn Sính nêu là có, trách nhiệm một phần thuộc về ban giám đốc.\n"
        "Đồng chí Nông Thị Bích đề nghị công khai bảng chấm công hằng tuần.\n"
    )
    found = contributions(HEADER + body + CLOSING)
    assert [s for s, _role in found] == ["Quan Văn Sính", "Phùng Đức Lân", "Nông Thị Bích"]


def test_numbered_part_before_the_conclusion_ends_the_last_remark():
    text = (
        HEADER
        + "Các đồng chí Nông Thị Bích, Quan Văn Sính, Phùng Đức Lân:\n- Nhất trí thông qua nghị quyết tháng 10.\n"
        "Phần 3. Đ/c Vương Đình Khoa kết luận:\n- Chi bộ thống nhất với báo cáo.\nBiểu quyết: 14/14 tán thành.\n"
    )
    doc = segment(normalize(text))
    kinds = [(s.kind, s.speaker) for s in doc.segments if s.kind != "procedural"]
    assert kinds[-2:] == [
        ("discussion", "Nông Thị Bích, Quan Văn Sính, Phùng Đức Lân"),
        ("chair_conclusion", "Vương Đình Khoa"),
    ]
    joint = [s for s in doc.contributions][-1]
    assert "Phần 3" not in doc.text[joint.start : joint.end]


def test_lower_case_given_name_in_a_notebook():
    body = (
        "- Đ/c Kha Văn Bảo: Đơn giá lột tôm tháng này thấp, công nhân tổ lột nghỉ nhiều.\n"
        "- Đ/c Trịnh Hoàng Nam: Tôi đồng ý với đ/c Bảo về đơn giá, nên có thưởng chuyên cần.\n"
        "- đ/c bảo phát biểu lại: Tổ lột tháng 11 sẽ tự sắp xếp để không ai nghỉ quá 2 ngày.\n"
    )
    found = contributions(HEADER + body + CLOSING)
    assert [s.casefold() for s, _role in found] == ["kha văn bảo", "trịnh hoàng nam", "bảo"]


def test_header_lines_naming_chair_secretary_and_guest_open_no_turn():
    text = (
        "ĐẢNG BỘ P. HƯNG LỢI\nCB KHU VỰC 3\nBB SINH HOẠT CB THÁNG 10/2022\nNgày 09/10/2022 lúc 19g, tại NVH KV3\n"
        "Chủ trì: BT Thạch Văn Mười\nTK: Trương Thị Ngọc Hà\nĐV: hiện diện 21, vắng 2 (1 MSH, 1 đi làm ca)\n"
        "ĐB: đ/c Khải, ĐUV phụ trách KV\n1. BT Mười thông qua BC tháng 9, PH tháng 10\n2. Thảo luận\n"
        "- Lành (TT tổ 2): nhất trí BC. Đề nghị làm lại nắp cống hẻm 4\n- Sơn: tổ 5 thu quỹ được 80%\n"
        "3. BT kết luận: giao tổ 2 theo dõi nắp cống\n"
    )
    doc = segment(normalize(text))
    assert [s.speaker for s in doc.contributions] == ["Lành", "Sơn"]
    h = doc.header
    assert (h.secretary, h.members_present, h.members_absent, h.members_total) == ("Trương Thị Ngọc Hà", 21, 2, 23)


def test_role_label_line_is_only_a_label_and_a_name():
    for line, expected in (
        ("TK: Trương Thị Ngọc Hà", True),
        ("Thư ký: đồng chí Mạc Thị Liên (chi ủy viên)", True),
        ("ĐB: đ/c Khải, ĐUV phụ trách KV", True),
        ("TK: nhất trí BC, không bổ sung", False),  # a remark, not a header line
        ("Đại biểu: Tôi đánh giá cao chi bộ đã chọn đúng vấn đề.", False),
        ("Thư ký Lê Văn Tám: Tôi đề nghị bổ sung chỉ tiêu.", False),
    ):
        assert role_label_line(line, 0, len(line)) is expected, line


def test_guest_named_inside_the_opening_sentence():
    h = parse_header(
        "Hôm nay, Chi bộ tổ chức sinh hoạt chuyên đề; tổng số đảng viên 15, có mặt 13, vắng 02; đại biểu có đồng chí "
        "Hà Công Ngọ, Phó Chủ tịch UBND huyện; đồng chí Lê Văn Hiển, Bí thư chi bộ chủ trì; đồng chí Mai Thị Diệp "
        "làm thư ký.\n"
    )
    roles = {p.name: p.role for p in h.people}
    assert roles == {"Hà Công Ngọ": "guest", "Lê Văn Hiển": "chair", "Mai Thị Diệp": "secretary"}


def test_a_remark_naming_nobody_is_no_contribution_and_the_chair_by_office_is_the_chair():
    body = (
        "- Đ/c Ma Văn Quyết: Đề nghị công ty sửa mái che khu phơi trước mùa mưa.\n"
        "- Các đ/c còn lại nhất trí với báo cáo.\n"
        "- Đ/c Hầu Thị Sen: Tổ may 2 còn 4 người chưa đóng đảng phí tháng 9.\n"
        "- BT trả lời: công ty đã duyệt kinh phí sửa mái che, làm xong trong tháng 11.\n"
    )
    assert contributions(HEADER + body + CLOSING) == [
        ("Ma Văn Quyết", "member"),
        ("Hầu Thị Sen", "member"),
        ("Vương Đình Khoa", "chair"),  # "BT" (Bí thư) is the chair the header names (codebook §2, ruling 17)
    ]


def test_a_tagged_name_that_stops_on_a_middle_name_runs_on():
    from minutes_nlp.segmentation.features import tokens
    from minutes_nlp.segmentation.turn_model import _names

    def names(text, tagged):
        toks = tokens(text, 0, len(text))
        tags = ["O"] * len(toks)
        for i, (_s, _e, word) in enumerate(toks):
            if word in tagged:
                tags[i] = "I-S" if i and tags[i - 1] != "O" else "B-S"
        return _names(text, toks, tags)[0]

    text = "– Đưa tiêu chí thái độ phục vụ vào xếp loại cuối năm. (ý kiến đ/c Đinh Thị Thanh Mai)"
    assert names(text, {"Đinh", "Thị"}) == ["Đinh Thị Thanh Mai"]
    # a full name is not stretched over the office written after it without a separator
    text = "6. Đ/c Nguyễn Thị Kim Dung Trạm trưởng Trạm Y tế xã: Trạm đã tiêm đủ mũi 2."
    assert names(text, {"Nguyễn", "Thị", "Kim", "Dung"}) == ["Nguyễn Thị Kim Dung"]
