"""Header facts from hand-written headers in the styles of formats.md."""

import pytest

from minutes_nlp.reading.text import normalize
from minutes_nlp.segmentation.header import office_role, parse_header, parse_number


def header(text):
    return parse_header(normalize(text))


@pytest.mark.parametrize(
    "line, total, present, absent, exempt",
    [
        ("Tổng số đảng viên: 41; có mặt: 33; vắng: 08 (có lý do 06, miễn sinh hoạt 02).", 41, 33, 8, 2),
        ("Chi bộ có mặt 19/21 đảng viên.", 21, 19, 2, None),
        ("Tham dự đầy đủ 29 đồng chí, trong đó chính thức 27, dự bị 02, đạt tỷ lệ 100%.", 29, 29, 0, None),
        ("Tổng số ĐV: 15 đ/c, có mặt 14 đ/c, vắng 01đ/c (MSH).", 15, 14, 1, None),
        ("Tổng số đảng viên: hai mươi mốt đồng chí; có mặt: mười chín đồng chí; vắng: hai đồng chí.", 21, 19, 2, None),
        (
            "Tổng số đảng viên của chi bộ: 12 đồng chí. Có mặt: 10 đồng chí. Vắng: 02 đồng chí, trong đó miễn sinh hoạt: 01.",
            12,
            10,
            2,
            1,
        ),
        ("Với sự tham dự đầy đủ của các đồng chí đảng viên trong chi bộ.", None, None, None, None),
        ("Đảng viên chính thức 20/22, dự bị 2/2 có mặt.", 24, 22, 2, None),
        ("Tổng số đảng viên: ……đ/c; có mặt: ……đ/c; vắng: ……đ/c.", None, None, None, None),
    ],
)
def test_header_attendance_styles(line, total, present, absent, exempt):
    h = header("CHI BỘ TỔ DÂN PHỐ 6\nBIÊN BẢN SINH HOẠT CHI BỘ\n" + line + "\n")
    assert (h.members_total, h.members_present, h.members_absent, h.members_exempt) == (total, present, absent, exempt)


def test_header_absent_with_and_without_reason():
    h = header("Tổng số: 30 đảng viên, có mặt 26, vắng 04 (có lý do: 03, không lý do: 01).\n")
    assert (h.members_absent, h.members_absent_with_reason, h.members_absent_without_reason) == (4, 3, 1)


def test_header_flattened_two_column_title_and_roles():
    h = header(
        "ĐẢNG BỘ PHƯỜNG 5            ĐẢNG CỘNG SẢN VIỆT NAM\nCHI BỘ KHU PHỐ 3\n*\nBIÊN BẢN\n"
        "SINH HOẠT CHI BỘ THƯỜNG KỲ (ĐỊNH KỲ) THÁNG 5 NĂM 2024\n"
        "Hôm nay, vào lúc 19 giờ 30 phút, ngày 08 tháng 5 năm 2024, tại nhà văn hóa khu phố 3.\n"
        "Chủ trì: đồng chí Đoàn Văn Lợi - Bí thư chi bộ.\nThư ký: đ/c Mạc Thị Yến.\n"
        "Đại biểu: đồng chí Kiều Văn Nam - Đảng ủy viên; đồng chí Hà Thị Liên - Chủ tịch Hội Phụ nữ.\n"
        "Cuộc họp kết thúc vào hồi 21 giờ 15 phút cùng ngày.\n"
    )
    assert h.committee == "ĐẢNG BỘ PHƯỜNG 5"
    assert h.cell == "CHI BỘ KHU PHỐ 3"
    assert h.meeting_type == "thuong_ky"
    assert (h.date, h.start_time, h.end_time) == ("2024-05-08", "19:30", "21:15")
    assert h.place == "nhà văn hóa khu phố 3"
    assert (h.chair, h.secretary) == ("Đoàn Văn Lợi", "Mạc Thị Yến")
    assert h.guests == ["Kiều Văn Nam", "Hà Thị Liên"]


@pytest.mark.parametrize(
    "title, kind",
    [
        ("SINH HOẠT CHUYÊN ĐỀ QUÝ III NĂM 2022", "chuyen_de"),
        ("HỌP CHI BỘ THÁNG 7/2019", "thuong_ky"),
        ("BIÊN BẢN HỘI NGHỊ KIỂM ĐIỂM, ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG NĂM 2021", "kiem_diem"),
        ("BIÊN BẢN LỄ KẾT NẠP ĐẢNG VIÊN", "ket_nap"),
    ],
)
def test_header_meeting_type(title, kind):
    assert header("CHI BỘ TRƯỜNG THCS HÒA LẠC\nBIÊN BẢN\n" + title + "\n").meeting_type == kind


def test_header_evening_time_and_short_date():
    h = header("Tối ngày 03/4/2021, lúc 7 giờ 30, tại nhà văn hóa tổ dân phố, chi bộ họp thường kỳ.\n")
    assert (h.date, h.start_time) == ("2021-04-03", "19:30")


def test_header_cited_document_date_is_not_the_meeting_date():
    h = header(
        "Căn cứ Hướng dẫn 12-HD/BTCTW ngày 06/7/2018 của Ban Tổ chức Trung ương.\nThời gian: 14 giờ, ngày 15/3/2023.\n"
    )
    assert h.date == "2023-03-15"


def test_header_unknown_facts_stay_null():
    h = header("BIÊN BẢN\nChi bộ họp bàn công tác tháng.\n")
    assert (h.date, h.start_time, h.chair, h.members_total, h.members_present) == (None, None, None, None, None)


@pytest.mark.parametrize(
    "words, value",
    [("08", 8), ("hai mươi mốt", 21), ("mười lăm", 15), ("ba mươi tư", 34), ("một trăm linh năm", 105), ("chín", 9)],
)
def test_parse_number_digits_and_words(words, value):
    assert parse_number(words) == value


@pytest.mark.parametrize(
    "lines, chair, secretary",
    [
        (
            "Chủ trì: Bí thư chi bộ Huỳnh Tấn Lộc, Giám đốc Trung tâm.\nThư ký: Chi ủy viên Nguyễn Thị Hồng Nhung.",
            "Huỳnh Tấn Lộc",
            "Nguyễn Thị Hồng Nhung",
        ),
        (
            "Chủ trì hội nghị: đồng chí Trần Đình Khoa - Bí thư Chi bộ.\nThư ký hội nghị: đồng chí Huỳnh Thị Thanh Nga.",
            "Trần Đình Khoa",
            "Huỳnh Thị Thanh Nga",
        ),
        (
            "Đ/c Trần Văn Nhượng - Bí thư chi bộ chủ trì; đ/c Vũ Thị Thơm ghi biên bản.",
            "Trần Văn Nhượng",
            "Vũ Thị Thơm",
        ),
        (
            "- Chủ trì: Bí thư chi bộ Phan Văn Tường.\n- Thư ký: ĐD Nguyễn Thị Diệu Hiền.",
            "Phan Văn Tường",
            "Nguyễn Thị Diệu Hiền",
        ),
    ],
)
def test_header_chair_and_secretary_styles(lines, chair, secretary):
    h = header("CHI BỘ KHU PHỐ 2\nBIÊN BẢN SINH HOẠT CHI BỘ\n" + lines + "\n")
    assert (h.chair, h.secretary) == (chair, secretary)


@pytest.mark.parametrize(
    "line, total, present, absent, exempt",
    [
        ("ĐV: 19/21", 21, 19, 2, None),
        ("ĐV: hiện diện 17, vắng 3 (1 MSH, 2 đi làm ca có báo)", 20, 17, 3, 1),
        ("Có mặt 15/17 đ/c, miễn sinh hoạt 1", 17, 15, 2, 1),
        ("Hiện diện 17, vắng 3", 20, 17, 3, None),
        ("Chi bộ họp với sự tham dự của toàn bộ 25 đảng viên.", 25, 25, 0, None),
        ("Tham dự: 100% (21/21 đảng viên).", 21, 21, 0, None),
        ("13/13 đảng viên của chi bộ tham dự hội nghị.", 13, 13, 0, None),
        ("Đảng viên chi bộ 26, dự họp 22, vắng 4 (miễn sinh hoạt 2, bệnh 1, đi làm ăn xa 1).", 26, 22, 4, 2),
        ("Hiện có 17 đảng viên. Dự họp 15 đồng chí. Vắng 2 đồng chí.", 17, 15, 2, None),
        ("Chi bộ có tất cả 25 đảng viên, có mặt 20 đồng chí.", 25, 20, 5, None),
        ("Có mặt 17/19 đảng viên (02 đ/c vắng: 01 đ/c ốm, 01 đ/c đi công tác).", 19, 17, 2, None),
    ],
)
def test_header_attendance_abbreviated_and_partial(line, total, present, absent, exempt):
    h = header("CB KHU VỰC 6\nBB SINH HOẠT CB THÁNG 11/2021\n" + line + "\n")
    assert (h.members_total, h.members_present, h.members_absent, h.members_exempt) == (total, present, absent, exempt)


@pytest.mark.parametrize(
    "lines, chair, secretary",
    [
        ("Chủ trì: BT Lâm Văn Sửu\nTK: Dương Thị Thắm", "Lâm Văn Sửu", "Dương Thị Thắm"),
        ("Chủ trì: đ/c Trần Văn Luân (Bí thư chi bộ)  – Thư ký: đ/c Đặng Thị Mai", "Trần Văn Luân", "Đặng Thị Mai"),
        (
            "Chủ trì: Thầy ĐINH VĂN KHỞI - Bí thư chi bộ, Hiệu trưởng.\nThư ký: Cô Phan Thị Lựu - Đảng viên.",
            "ĐINH VĂN KHỞI",
            "Phan Thị Lựu",
        ),
        (
            "Chủ trì: BS.CKII Trần Quốc Bửu – Bí thư chi bộ.\nThư ký: đồng chí Ông Thị Kim Huê.",
            "Trần Quốc Bửu",
            "Ông Thị Kim Huê",
        ),
        (
            "Dự có đồng chí Thượng úy Bùi Xuân Thiện, Chính trị viên đại đội, Bí thư chi bộ chủ trì; "
            "đồng chí Trung úy Lê Văn Hạp ghi biên bản.",
            "Bùi Xuân Thiện",
            "Lê Văn Hạp",
        ),
    ],
)
def test_header_chair_and_secretary_with_abbreviations_titles_and_ranks(lines, chair, secretary):
    h = header("CHI BỘ KHU PHỐ 2\nBIÊN BẢN SINH HOẠT CHI BỘ\n" + lines + "\n")
    assert (h.chair, h.secretary) == (chair, secretary)


def test_header_names_every_person_with_role_and_office():
    h = header(
        "CHI BỘ CÔNG AN PHƯỜNG TÂN HƯNG\nBIÊN BẢN SINH HOẠT CHI BỘ THÁNG 8\n"
        "Chủ trì: Thượng tá Hoàng Minh Đạt, Bí thư chi bộ, Trưởng Công an phường.\n"
        "Thư ký: Đại úy Lương Thị Thu Hiền, đảng viên.\n"
        "Chi ủy gồm: Thượng tá Hoàng Minh Đạt - Bí thư; Trung tá Phan Văn Khải - Phó Bí thư; "
        "Thiếu tá Đinh Văn Tuấn - Chi ủy viên.\n"
        "Đại biểu: đồng chí Lò Thị Nhàn - Đảng ủy viên, phụ trách chi bộ.\n"
        "Có mặt 15/17 đ/c, miễn sinh hoạt 1.\n"
    )
    assert [(p.name, p.role, p.office) for p in h.people] == [
        ("Hoàng Minh Đạt", "chair", "Bí thư chi bộ, Trưởng Công an phường"),
        ("Lương Thị Thu Hiền", "secretary", "đảng viên"),
        ("Phan Văn Khải", "committee", "Phó Bí thư"),
        ("Đinh Văn Tuấn", "committee", "Chi ủy viên"),
        ("Lò Thị Nhàn", "guest", "Đảng ủy viên, phụ trách chi bộ"),
    ]
    assert h.guests == ["Lò Thị Nhàn"]
    assert "people" not in h.to_dict()  # a feature for the segmenter, not a meta field


def test_header_committee_list_with_abbreviated_roles_in_brackets():
    h = header(
        "BB SINH HOẠT CB THÁNG 3\nChi ủy: đ/c Trịnh Văn Lợi (BT), đ/c Hà Thị Mơ (PBT), đ/c Kha Văn Minh (CUV).\n"
    )
    assert [(p.name, p.role) for p in h.people] == [
        ("Trịnh Văn Lợi", "chair"),
        ("Hà Thị Mơ", "committee"),
        ("Kha Văn Minh", "committee"),
    ]


@pytest.mark.parametrize(
    "office, role",
    [
        ("Bí thư chi bộ, Trưởng phòng", "chair"),
        ("BT chi bộ", "chair"),
        ("Bí thư chi bộ kiêm Trưởng ấp", "chair"),
        ("Phó Bí thư chi bộ, Phó Trưởng phòng", "committee"),
        ("PBT", "committee"),
        ("CUV, Phó Chủ tịch UBND xã", "committee"),
        ("Chi ủy viên, phụ trách thanh tra", "committee"),
        ("ĐV dự bị", "member"),
        ("Đảng viên, chuyên viên", "member"),
        ("Bí thư Chi đoàn", None),
        ("Bí thư chi đoàn, đảng viên dự bị", "member"),
        ("Chủ tịch Hội Nông dân", None),
        ("Tổ trưởng tổ dân phố", None),
        ("Phó Bí thư Chi đoàn thanh niên", None),
        ("Phó Bí thư Thường trực Đảng ủy xã, phụ trách buôn", "guest"),
        ("ĐUV phụ trách khu vực", "guest"),
    ],
)
def test_office_role_tells_cell_roles_from_other_organisations(office, role):
    assert office_role(office) == role


def test_header_table_row_is_split_at_its_cells():
    h = header("ĐẢNG BỘ PHƯỜNG 5 | ĐẢNG CỘNG SẢN VIỆT NAM\nCHI BỘ KHU PHỐ 3 | Hà Nội, ngày 08 tháng 5 năm 2024\n")
    assert (h.committee, h.cell) == ("ĐẢNG BỘ PHƯỜNG 5", "CHI BỘ KHU PHỐ 3")


@pytest.mark.parametrize(
    "line, present, total",
    [
        ("Quân số đảng viên: 09/11 đ/c (02 đ/c làm nhiệm vụ tại chốt).", 9, 11),
        ("Sĩ số: 14/16 đồng chí, vắng 2 có lý do.", 14, 16),
    ],
)
def test_attendance_as_a_fraction_with_its_unit(line, present, total):
    text = "CHI BỘ ĐỘI 3\nBIÊN BẢN SINH HOẠT CHI BỘ\n" + line + "\n"
    h = parse_header(text, len(text))
    assert (h.members_present, h.members_total, h.members_absent) == (present, total, total - present)
