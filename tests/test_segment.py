"""Segmentation on hand-written minutes in every speaker-marker layout of formats.md."""

import pytest

from minutes_nlp.errors import NoSpeakers
from minutes_nlp.reading.text import normalize
from minutes_nlp.segmentation.turns import segment

HEADER = (
    "ĐẢNG BỘ PHƯỜNG 9\nCHI BỘ KHU PHỐ 2\nBIÊN BẢN SINH HOẠT CHI BỘ THƯỜNG KỲ THÁNG 4 NĂM 2023\n"
    "Thời gian: 19 giờ 30, ngày 06/4/2023. Địa điểm: nhà văn hóa khu phố 2.\n"
    "Chủ trì: đồng chí Lương Văn Khánh - Bí thư chi bộ. Thư ký: đồng chí Tạ Thị Yên.\n"
    "Tổng số đảng viên: 24; có mặt: 21; vắng: 03 (có lý do).\n"
)


def contributions(text):
    doc = segment(normalize(text))
    return [(s.speaker, s.role, doc.text[s.start : s.end]) for s in doc.segments if s.kind == "discussion"]


@pytest.mark.parametrize(
    "line, speaker",
    [
        ("– Đồng chí Trần Thị Hạnh: Tôi thống nhất với dự thảo.", "Trần Thị Hạnh"),
        ("- Đ/c Lâm: Tổ 4 đã thu xong quỹ.", "Lâm"),
        ("+ đ/c Quốc: Đường hẻm 12 ngập nặng.", "Quốc"),
        ("* ĐC Vinh: Đề nghị chi bộ lắp đèn.", "Vinh"),
        ("1. Đ/c Lan: Nhất trí với báo cáo.", "Lan"),
        ("1) đ/c Bình – Tôi thấy hẻm 5 còn tối.", "Bình"),
        ("(2) Đồng chí Hoàng Minh Đức: Thống nhất.", "Hoàng Minh Đức"),
        ("Đồng chí Vũ Thị Hoa – Phó Bí thư Chi bộ: Tôi đồng ý với báo cáo.", "Vũ Thị Hoa"),
        ("Đ/c Hùng (Tổ 5): Tổ 5 còn 3 hộ chưa đóng quỹ.", "Hùng"),
        ("Đ/c Phạm Thu (chi ủy viên) nêu: cần rà soát hộ nghèo.", "Phạm Thu"),
        ("Chi ủy viên Nguyễn Văn Tư: Đề nghị rà soát lại danh sách.", "Nguyễn Văn Tư"),
        ("Đồng chí Mai đề nghị chi bộ tổ chức đối thoại với bà con.", "Mai"),
        ("Đ/c Hải cho rằng việc thu gom rác còn chậm.", "Hải"),
        ("Phát biểu tại buổi sinh hoạt, đồng chí Tâm đánh giá báo cáo sát thực tế.", "Tâm"),
        ("Ý kiến đ/c Hùng (Tổ 5): Tổ 5 đã hoàn thành kế hoạch.", "Hùng"),
        ("Đồng chí Thiếu tá Ma Văn Lực: Tôi nhất trí với báo cáo.", "Ma Văn Lực"),
        ("Đảng viên dự bị Lò Thị Xuân: Em xin cảm ơn chi bộ.", "Lò Thị Xuân"),
        ("3.4. Quần chúng Trần Minh Quang: Em xin cảm ơn chi bộ.", "Trần Minh Quang"),
        ("III. Đ/c Ngô Văn Tiến: Tôi nhất trí.", "Ngô Văn Tiến"),
        ("3/ Đ/c Lương Thị Gái: Tổ 2 thu quỹ đạt 90%.", "Lương Thị Gái"),
        ("Theo đồng chí H'Nga Byă, Đội trưởng Đội sản xuất số 3, nắng hạn làm cà phê rụng quả.", "H'Nga Byă"),
        ("Đồng chí Phó Đức Long hỏi quần chúng đã xong hồ sơ chưa.", "Phó Đức Long"),
        ("Đ/c Phạm Quang Vịnh thanh tra viên, tự kiểm điểm: Năm nay tôi thanh tra 6 vụ.", "Phạm Quang Vịnh"),
        ("Chi ủy viên, thư ký Huỳnh Thị Thanh Nga: Tôi nhất trí với báo cáo.", "Huỳnh Thị Thanh Nga"),
        ("Tổ trưởng tổ dân phố Nguyễn Văn Lự: Trong tháng tổ đã thu quỹ.", "Nguyễn Văn Lự"),
        ("Đảng viên Đậu Văn Bình, kế toán: Kinh phí đã quyết toán xong.", "Đậu Văn Bình"),
        ("Trong phần thảo luận, đồng chí Lò Văn Thiêm cũng tự liên hệ: năm qua bản thân còn chậm.", "Lò Văn Thiêm"),
        ("- Nguyễn Văn Hùng (Tổ 5): Tôi nhất trí với dự thảo.", "Nguyễn Văn Hùng"),
        ("Chị Lan (tổ 3): Đề nghị chi bộ sửa đèn đường.", "Lan"),
        ("Thầy Đinh Văn Bình phát biểu: Tổ Toán đã dự 12 tiết.", "Đinh Văn Bình"),
        ("ĐỒNG CHÍ NGUYỄN VĂN AN - BÍ THƯ ĐOÀN: Chi đoàn đã tổ chức 3 buổi tình nguyện.", "NGUYỄN VĂN AN"),
        ("Tham luận của đồng chí Lê Thị Thu: Tổ 4 đã vận động 20 hộ phân loại rác.", "Lê Thị Thu"),
        ("- Đồng chí Tổ trưởng tổ Khoa học Tự nhiên Trần Thị Mơ nêu: Tổ đã dự 30 tiết.", "Trần Thị Mơ"),
        ("- Cô Bí thư Chi đoàn Vũ Thị Phượng: Chi đoàn đã tổ chức 2 buổi ngoại khóa.", "Vũ Thị Phượng"),
        ("4/ Đ/c Nguyễn Thị Mỹ Duyên (Kế toán trưởng) có 3 ý: công nợ còn cao.", "Nguyễn Thị Mỹ Duyên"),
        ("Hỏi (đ/c Lê Văn Cường - xóm Đông): Đường trục thôn khi nào làm tiếp?", "Lê Văn Cường"),
        (
            "3.1. Đ/c PGS.TS. Hồ Văn Khang (Chi ủy viên, Trưởng khoa): Học kỳ II có 4 lớp học trực tuyến.",
            "Hồ Văn Khang",
        ),
        ("3.2. Chuyên viên tổng hợp Nguyễn Hữu Phước: Nhất trí với báo cáo.", "Nguyễn Hữu Phước"),
        ("3.8. Phó Bí thư Đảng ủy Cơ quan chính quyền huyện Đinh Công Sơn: Đánh giá sát.", "Đinh Công Sơn"),
        (
            "Ý kiến đ/c Công Tằng Tôn Nữ Minh Châu (đảng viên giới thiệu): Quần chúng chăm chỉ.",
            "Công Tằng Tôn Nữ Minh Châu",
        ),
    ],
)
def test_segment_every_speaker_marker(line, speaker):
    text = HEADER + "II. Thảo luận:\n" + line + "\nBiểu quyết: 21/21 đồng chí tán thành.\n"
    found = contributions(text)
    assert [f[0] for f in found] == [speaker]
    assert found[0][2] == line


def test_segment_reported_speech_without_colon_keeps_whole_sentence():
    text = HEADER + (
        "Thảo luận:\nĐồng chí Mai đề nghị chi bộ giao tổ 3 vận động các hộ đóng quỹ. Bà con đồng tình.\n"
        "Đ/c Hải cho rằng việc dọn vệ sinh kênh chưa triệt để.\n"
    )
    found = contributions(text)
    assert [f[0] for f in found] == ["Mai", "Hải"]
    assert found[0][2].startswith("Đồng chí Mai đề nghị")
    assert found[0][2].endswith("Bà con đồng tình.")


def test_segment_turns_starting_mid_line_in_continuous_prose():
    text = HEADER + (
        "Thảo luận: đồng chí Vương Thị Na nhất trí với dự thảo báo cáo. Đồng chí Kha Văn Tùng phản ánh "
        "đoạn đường đầu ấp bị sạt lở. Tiếp đó, đ/c Lành đề nghị ban ấp báo cáo xã để sửa chữa trước mùa mưa.\n"
    )
    found = contributions(text)
    assert [f[0] for f in found] == ["Vương Thị Na", "Kha Văn Tùng", "Lành"]
    assert found[2][2].startswith("Tiếp đó, đ/c Lành đề nghị")


def test_segment_turn_glued_to_the_previous_sentence():
    text = HEADER + "Thảo luận: đồng chí Vương Thị Na nhất trí với dự thảo.Đồng chí Kha Văn Tùng phản ánh cống tắc.\n"
    assert [f[0] for f in contributions(text)] == ["Vương Thị Na", "Kha Văn Tùng"]


def test_segment_hard_wrapped_turn_is_one_contribution():
    text = HEADER + (
        "Thảo luận:\n- Đồng chí Lê Văn Sang: Tôi đề nghị chi bộ phân công mỗi chi ủy viên phụ trách\n"
        "một tổ dân phố để kiểm tra việc phân loại rác.\n- Đồng chí Đinh Thị Hương: Thống nhất.\n"
    )
    found = contributions(text)
    assert [f[0] for f in found] == ["Lê Văn Sang", "Đinh Thị Hương"]
    assert "phân loại rác" in found[0][2]


def test_segment_given_name_resolves_to_full_name_for_role():
    text = HEADER + (
        "Thảo luận:\n- Đồng chí Lương Văn Khánh: Tôi nêu thêm việc thu quỹ còn chậm.\n"
        "- Đ/c Khánh: Đề nghị tổ 2 báo cáo lại.\n- Đồng chí Tạ Thị Yên: Nhất trí.\n"
    )
    found = contributions(text)
    assert [(f[0], f[1]) for f in found] == [
        ("Lương Văn Khánh", "chair"),
        ("Khánh", "chair"),
        ("Tạ Thị Yên", "secretary"),
    ]


def test_segment_member_speaking_twice_gives_two_contributions():
    text = HEADER + ("Thảo luận:\n- Đ/c Sơn: Hẻm 7 ngập.\n- Đ/c Thủy: Nhất trí.\n- Đ/c Sơn: Đề nghị nạo vét cống.\n")
    assert [f[0] for f in contributions(text)] == ["Sơn", "Thủy", "Sơn"]


@pytest.mark.parametrize(
    "line, speaker",
    [
        ("Các đồng chí Hùng, Lan, Minh thống nhất với dự thảo.", "Hùng, Lan, Minh"),
        ("13. Các đồng chí Hằng, Toại, Lan: Thống nhất với đề nghị kết nạp.", "Hằng, Toại, Lan"),
        ("- Đ/c Loan, đ/c Mai: Thống nhất với ý kiến đ/c Trung.", "Loan, Mai"),
        ("12. Đ/c Phạm Văn Thông và đ/c Lê Thị Lựu nhất trí với báo cáo.", "Phạm Văn Thông, Lê Thị Lựu"),
    ],
)
def test_segment_joint_remark_layouts(line, speaker):
    text = HEADER + "Thảo luận:\n- Đ/c Sơn: Hẻm 7 ngập.\n" + line + "\n"
    assert [f[0] for f in contributions(text)] == ["Sơn", speaker]


def test_segment_names_of_people_together_are_not_a_turn_without_speech():
    text = (
        HEADER
        + "Thảo luận:\n- Đ/c Sơn: Hẻm 7 ngập.\nCác đồng chí Khánh, Quyên xây dựng kế hoạch khắc phục trong tháng.\n"
    )
    assert [f[0] for f in contributions(text)] == ["Sơn"]


def test_segment_joint_remark_lists_every_name():
    text = HEADER + "Thảo luận:\n- Đ/c Sơn: Hẻm 7 ngập.\nCác đồng chí Hùng, Lan, Minh thống nhất với dự thảo.\n"
    assert [f[0] for f in contributions(text)] == ["Sơn", "Hùng, Lan, Minh"]


def test_segment_photo_caption_and_aggregated_remarks_are_procedural():
    text = HEADER + (
        "Thảo luận:\nĐồng chí Quách Văn Tín - Chủ tịch công đoàn phát biểu thảo luận\n"
        "Ảnh: Quang cảnh buổi sinh hoạt\n"
        "Đồng chí Quách Văn Tín cho biết công đoàn đã thăm 12 đoàn viên ốm đau.\n"
        "Các ý kiến khác thống nhất với dự thảo, đã có 6 ý kiến phát biểu.\n"
    )
    doc = segment(normalize(text))
    found = [s for s in doc.segments if s.kind == "discussion"]
    assert [s.speaker for s in found] == ["Quách Văn Tín"]
    assert doc.text[found[0].start : found[0].end].startswith("Đồng chí Quách Văn Tín cho biết")
    assert doc.stated_remarks == 6


def test_segment_kinds_report_discussion_conclusion():
    text = HEADER + (
        "1. Đồng chí Lương Văn Khánh thông qua dự thảo báo cáo tháng 3 và phương hướng tháng 4.\n"
        "2. Thảo luận:\n- Đ/c Bùi Thị Lụa: Thống nhất với dự thảo.\n"
        "3. Đồng chí chủ trì kết luận: Chi bộ thống nhất thông qua báo cáo.\n"
        "Cuộc họp kết thúc lúc 21 giờ cùng ngày.\nTHƯ KÝ        CHỦ TRÌ\nTạ Thị Yên        Lương Văn Khánh\n"
    )
    doc = segment(normalize(text))
    kinds = [(s.kind, s.speaker) for s in doc.segments if s.kind != "procedural"]
    assert kinds == [
        ("chair_report", "Lương Văn Khánh"),
        ("discussion", "Bùi Thị Lụa"),
        ("chair_conclusion", "Lương Văn Khánh"),
    ]
    assert doc.segments[-1].kind == "procedural"


def test_segment_guest_from_header_and_role_words():
    text = HEADER.replace("Tổng số", "Đại biểu: đồng chí Hồ Minh Quân - Đảng ủy viên.\nTổng số") + (
        "Thảo luận:\n- Đồng chí Hồ Minh Quân: Đề nghị chi bộ rà soát hộ nghèo.\n"
        "- Đ/c Phan Thị Gấm (chi ủy viên): Nhất trí.\n- Quần chúng Lê Văn Út: Em xin cảm ơn chi bộ.\n"
    )
    assert [(f[0], f[1]) for f in contributions(text)] == [
        ("Hồ Minh Quân", "guest"),
        ("Phan Thị Gấm", "committee"),
        ("Lê Văn Út", "guest"),
    ]


def test_segment_sentences_skip_marker_and_bullets():
    text = HEADER + (
        "Ý kiến thảo luận:\nÝ kiến đ/c Hùng (Tổ 5):\n- Tổ 5 đã thu quỹ đạt 90%.\n"
        "- Đề nghị chi bộ nhắc các hộ còn lại. Cần xong trong tháng 5.\n"
    )
    doc = segment(normalize(text))
    seg = [s for s in doc.segments if s.kind == "discussion"][0]
    assert [doc.text[x.start : x.end] for x in seg.sentences] == [
        "Tổ 5 đã thu quỹ đạt 90%.",
        "Đề nghị chi bộ nhắc các hộ còn lại.",
        "Cần xong trong tháng 5.",
    ]


def test_segment_capital_marker_with_conclusion_verb():
    text = HEADER + "Thảo luận:\n- Đ/c Thoa: Thống nhất.\n3. ĐỒNG CHÍ LƯƠNG VĂN KHÁNH KẾT LUẬN: Chi bộ thống nhất.\n"
    doc = segment(normalize(text))
    kinds = [(s.kind, s.speaker) for s in doc.segments if s.kind != "procedural"]
    assert kinds == [("discussion", "Thoa"), ("chair_conclusion", "LƯƠNG VĂN KHÁNH")]


def test_segment_speaker_named_at_the_end_of_the_remark():
    text = HEADER + (
        "Ý kiến thảo luận:\n- Nhất trí với dự thảo. Đèn đầu kiệt 24 hỏng, đề nghị thay ngay (ý kiến đ/c Hùng).\n"
        "- Đảng phí còn 2 đồng chí chưa đóng (đ/c Phan Thị Hiền tổ 5).\n- Nhất trí (đ/c Mai Xuân Đạt).\n"
        "Đồng chí chủ trì kết luận: giao tổ 5 thay đèn (đ/c Hùng).\n"
    )
    assert [f[0] for f in contributions(text)] == ["Hùng", "Phan Thị Hiền", "Mai Xuân Đạt"]


def test_segment_question_and_answer_part():
    text = HEADER + (
        "Thảo luận:\nHỏi (đ/c Lê Văn Cường - xóm Đông): Đường trục thôn khi nào làm tiếp?\n"
        "Trả lời (đ/c Bí thư): Ban phát triển thôn đã họp, tháng 5 sẽ khởi công.\n"
    )
    assert [(f[0], f[1]) for f in contributions(text)] == [("Lê Văn Cường", "member"), ("Lương Văn Khánh", "chair")]


def test_segment_agreeing_with_the_remarks_is_a_remark_not_a_summary():
    text = (
        HEADER
        + "Thảo luận:\nĐ/c Nguyễn Hữu Tài (Khoa Hồi sức):\nThống nhất với các ý kiến trên.\nĐề nghị thêm 2 giường.\n"
    )
    found = contributions(text)
    assert [f[0] for f in found] == ["Nguyễn Hữu Tài"] and found[0][2].endswith("Đề nghị thêm 2 giường.")


def test_segment_vote_by_ballot_ends_the_discussion_and_conclusion_mentions_are_not_turns():
    text = HEADER + (
        "Thảo luận:\n- Đ/c Thoa: Thống nhất.\n5) Chi bộ tiến hành bỏ phiếu kín, 21/21 tán thành.\n"
        "Đồng chí chủ trì kết luận: Giao tổ 2 thu quỹ. Đ/c Trường hỏi về quỹ: chi bộ đã nộp đủ.\n"
    )
    doc = segment(normalize(text))
    assert [s.speaker for s in doc.contributions] == ["Thoa"]
    assert doc.text[doc.contributions[0].start : doc.contributions[0].end] == "- Đ/c Thoa: Thống nhất."


def test_segment_header_fields_with_capitals_are_not_turns():
    text = HEADER + "Địa Điểm: Hội trường khu phố.\nThảo luận:\n- Đ/c Thoa: Thống nhất.\n"
    assert [f[0] for f in contributions(text)] == ["Thoa"]


def test_segment_reference_to_colleague_is_not_a_new_turn():
    text = (
        HEADER
        + "Thảo luận:\n- Đ/c Thoa: Hoàn toàn đồng ý với ý kiến của đồng chí Phúc. Đồng chí Tuấn cần khắc phục việc nộp báo cáo chậm.\n"
    )
    assert [f[0] for f in contributions(text)] == ["Thoa"]


def test_segment_without_speakers_raises_clear_error():
    with pytest.raises(NoSpeakers) as err:
        segment("Danh sách vật tư cần mua trong quý II.\nBàn ghế: 12 bộ.", "vattu.txt")
    assert "vattu.txt" in str(err.value)
