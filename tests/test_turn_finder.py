"""The trained turn finder on layouts the first segmenter missed (issue 9, formats.md "found since").

Every minutes text here is written by hand, every name invented; the expected speakers, roles and kinds
are what a reader of the minutes sees, written before running the code.
"""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from minutes_nlp.reading.documents import read
from minutes_nlp.reading.text import normalize
from minutes_nlp.segmentation.features import name_before_colon, tail_attribution, tokens, units
from minutes_nlp.segmentation.layouts import HELD_OUT, TEMPLATES, excerpt, render
from minutes_nlp.segmentation.turn_model import _names
from minutes_nlp.segmentation.turns import segment

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

HEADER = (
    "ĐẢNG BỘ PHƯỜNG AN HÒA\nCHI BỘ KHU VỰC 4\nBIÊN BẢN SINH HOẠT CHI BỘ THƯỜNG KỲ THÁNG 9 NĂM 2022\n"
    "Thời gian: 19 giờ 00, ngày 08/9/2022. Địa điểm: nhà văn hóa khu vực 4.\n"
    "Chủ trì: đồng chí Đoàn Văn Thuận - Bí thư chi bộ. Thư ký: đồng chí Mạc Thị Liên.\n"
    "Tổng số đảng viên: 22; có mặt: 20; vắng: 02 (có lý do).\n"
    "1. Đồng chí Đoàn Văn Thuận thông qua dự thảo báo cáo tháng 8 và phương hướng tháng 9.\n"
)
CLOSING = "3. Đồng chí chủ trì kết luận: chi bộ thống nhất thông qua báo cáo.\nBiểu quyết: 20/20 tán thành.\n"


def turns(text: str) -> list[tuple[str | None, str | None]]:
    doc = segment(normalize(text))
    return [(s.speaker, s.role) for s in doc.contributions]


def speakers(text: str) -> list[str | None]:
    return [s for s, _role in turns(text)]


@pytest.mark.parametrize(
    "body, expected",
    [
        (  # academic titles, no "đồng chí"
            "- TS. Trần Văn Khoa: Nhất trí với dự thảo. Đề nghị bổ sung chỉ tiêu nghiên cứu.\n"
            "- ThS. Phạm Hoàng Yến liên hệ bản thân, năm học vừa qua còn chậm nộp điểm.\n"
            "- TS. Võ Văn Nam: Đề nghị khoa tổ chức seminar mỗi tháng một lần.\n",
            ["Trần Văn Khoa", "Phạm Hoàng Yến", "Võ Văn Nam"],
        ),
        (  # police ranks with the unit in brackets
            "Thượng tá Phan Văn Khánh (Công an phường): Tình hình trộm cắp xe máy giảm so với tháng trước.\n"
            "Đại úy Lò Văn Sinh (Cảnh sát khu vực): Đề nghị chi bộ vận động các hộ lắp camera.\n",
            ["Phan Văn Khánh", "Lò Văn Sinh"],
        ),
        (  # a notebook: given names only, abbreviations, no final stops
            "- Hùng: nhất trí BC. Đề nghị sửa cống hẻm 3\n- Lài: hẻm 9 đèn hư 2 tuần chưa thay\n"
            "- Tâm: tổ 2 thu quỹ đạt 80%\n",
            ["Hùng", "Lài", "Tâm"],
        ),
        (  # the discussion kept as a table, flattened with "|"
            "TT | Người phát biểu | Chức vụ | Nội dung ý kiến\n"
            "1 | Lê Thị Ngân | Chi ủy viên | Thống nhất với dự thảo báo cáo.\n"
            "2 | Hà Văn Sáu | Đảng viên | Đề nghị phường nạo vét cống hẻm 12.\n",
            ["Lê Thị Ngân", "Hà Văn Sáu"],
        ),
        (  # speaker-and-content blocks
            "Người phát biểu: BS.CKII Hoàng Văn Kiên – Phó Bí thư chi bộ\nNội dung: Nhất trí với báo cáo.\n"
            "Người phát biểu: ĐD. Nguyễn Thị Hằng – Đảng viên\nNội dung: Khoa còn thiếu 2 điều dưỡng trực đêm.\n",
            ["Hoàng Văn Kiên", "Nguyễn Thị Hằng"],
        ),
        (  # names of the Central Highlands and of the Mekong delta
            "- Y Bhim Niê: Buôn đã làm xong 300 mét đường bê tông.\n"
            "Ông Tư Sang cho biết mặn vào sớm, 37 hộ thiếu nước ngọt.\n",
            ["Y Bhim Niê", "Tư Sang"],
        ),
        (  # per-speaker numbered items with a) b) sub-items, a name in capitals
            "3.1. Đồng chí Lê Văn Đạt (Chi ủy viên):\na) Thống nhất với báo cáo.\nb) Đề nghị sửa đèn hẻm 5.\n"
            "3.2. Đ/c NGUYỄN THỊ HOA:\na) Tổ 3 đã thu xong quỹ.\n",
            ["Lê Văn Đạt", "NGUYỄN THỊ HOA"],
        ),
    ],
)
def test_turn_finder_reads_layouts_the_rules_missed(body, expected):
    found = speakers(HEADER + "2. Thảo luận:\n" + body + CLOSING)
    assert [s.casefold() if s else s for s in found] == [s.casefold() for s in expected]


def test_turn_finder_chair_opening_conclusion_wording_and_assignments():
    text = (
        HEADER.replace(
            "1. Đồng chí Đoàn Văn Thuận thông qua",
            "1. Đồng chí Đoàn Văn Thuận nêu mục đích, yêu cầu cuộc họp và thông qua",
        )
        + "2. Thảo luận:\n- Đ/c Mai Văn Tài (Bí thư Chi đoàn): Chi đoàn đã ra quân dọn vệ sinh hai lần.\n"
        "- Đ/c Lý Thị Hòa: Đề nghị chi bộ giao tổ 3 theo dõi việc sửa đèn.\n"
        "Đ/c chủ trì tiếp thu ý kiến và kết luận:\n1. Đồng chí Mai Văn Tài chủ trì làm việc với tổ dân phố.\n"
        "2. Đồng chí Lý Thị Hòa theo dõi việc sửa đèn hẻm 5.\nBiểu quyết: 20/20 tán thành.\n"
    )
    doc = segment(normalize(text))
    kinds = [(s.kind, s.speaker, s.role) for s in doc.segments if s.kind != "procedural"]
    assert kinds == [
        ("chair_report", "Đoàn Văn Thuận", "chair"),
        ("discussion", "Mai Văn Tài", "member"),  # another organisation's office is not a cell role
        ("discussion", "Lý Thị Hòa", "member"),
        ("chair_conclusion", "Đoàn Văn Thuận", "chair"),
    ]


def test_turn_finder_several_speakers_in_one_paragraph():
    body = (
        "Đ/c Hòa nhất trí với báo cáo; đ/c Minh đề nghị làm lại mương thoát nước xóm Bàu; "
        "đ/c Thủy phản ánh đèn đường hẻm 2 hỏng đã hai tuần.\n"
    )
    assert speakers(HEADER + "2. Thảo luận:\n" + body + CLOSING) == ["Hòa", "Minh", "Thủy"]


# Remarks whose speaker is named only after them, in the wordings secretaries use; several run over more
# than one line or bullet, and mention other members before the attribution that names the speaker.
AT_END = (
    "- Nhất trí với dự thảo báo cáo tháng 8. Đèn đầu kiệt 24 hỏng đã hai tuần, đề nghị tổ 3 báo điện lực "
    "thay ngay (ý kiến của đ/c Trịnh Văn Hải).\n"
    "- Tôi đồng tình với đồng chí Hải về đèn đường.\n"
    "- Quỹ khuyến học tổ 5 mới thu được 60%, còn 9 hộ chưa đóng. – Đ/c Lưu Thị Nhàn, tổ trưởng tổ 5\n"
    "- Đề nghị chi ủy sớm có kế hoạch thăm các gia đình chính sách dịp 27/7 (đ/c Cao Minh Quý nêu).\n"
    "- Tổ 2 đã vận động được 4 hộ hiến đất làm hẻm. Còn 2 hộ chưa đồng ý, đề nghị chi bộ giao đồng chí "
    "Thuận cùng tổ gặp gỡ [Đ/c Phùng Hữu Lực]\n"
    "- Vừa qua mưa lớn, đoạn mương thoát nước trước nhà văn hóa bị tắc, nước tràn vào\n"
    "6 hộ ở tổ 4. Đề nghị chi bộ đề xuất phường nạo vét trước mùa mưa bão, tổ 4\n"
    "sẽ cử người cùng làm (Ý kiến: đồng chí Đào Thị Hạnh).\n"
    "- Tôi nhất trí với các ý kiến trên — Hà Thu Trang\n"
)


# The turn finder trained with the challenge sets (issue 9, fourth session) reads a remark of two bullet lines
# whose second line alone names its speaker as two remarks: their writers closed one-line remarks with a name.
_AT_END_LOST = pytest.mark.xfail(strict=True, reason="multi-line remark closed by a name: lost since the retraining")


@_AT_END_LOST
def test_turn_finder_speaker_named_at_the_end_of_the_remark():
    assert speakers(HEADER + "2. Thảo luận:\n" + AT_END + CLOSING) == [
        "Trịnh Văn Hải",
        "Lưu Thị Nhàn",
        "Cao Minh Quý",
        "Phùng Hữu Lực",
        "Đào Thị Hạnh",
        "Hà Thu Trang",
    ]


@_AT_END_LOST
def test_turn_finder_remark_spans_end_at_the_attribution():
    doc = segment(normalize(HEADER + "2. Thảo luận:\n" + AT_END + CLOSING))
    spans = [doc.text[s.start : s.end] for s in doc.contributions]
    assert spans[1].startswith("- Tôi đồng tình với đồng chí Hải") and spans[1].endswith("tổ trưởng tổ 5")
    assert spans[4].startswith("- Vừa qua mưa lớn") and spans[4].endswith("(Ý kiến: đồng chí Đào Thị Hạnh).")


@pytest.mark.parametrize(
    "line, names",
    [
        ("- Nhất trí với báo cáo (ý kiến của đ/c Tâm).", 1),
        ("- Tổ 5 đã thu xong quỹ – Đ/c Lưu Thị Nhàn, tổ trưởng tổ 5", 3),
        ("- Đề nghị sửa cống hẻm 3 [TS. Lê Văn An]", 3),  # the title's abbreviation counts among capitals
        ("- Tôi đồng ý với báo cáo — Hà Thu Trang", 3),
        ("Chủ trì: Đ/c Hồ Sỹ Tâm - Bí thư chi bộ.", 0),  # a role after a dash names nobody
        ("Tổng số: 24; có mặt 21; vắng: 03 (02 MSH, 01 có lý do).", 0),
        ("Thư ký: đồng chí Tạ Quang Minh - Bí thư chi bộ. Thư ký: đồng chí Lò Thị Hà.", 0),
        ("CHI BỘ PHÒNG TÀI CHÍNH - KẾ HOẠCH HUYỆN", 0),
        # a long office after the name (set 9's retired members): the name and title are what must be short
        (
            "- Đề nghị sửa đèn ngõ 5. (Đ/c Lục Thị Thoan, nguyên hiệu trưởng Trường Mầm non Hoa Sen, Chi hội "
            "trưởng Chi hội Cựu giáo chức phường)",
            3,
        ),
        ("- Tổ chức kỷ niệm (theo Kế hoạch số 12 của Ban Thường vụ Đảng ủy thị trấn về các hoạt động)", 0),
    ],
)
def test_tail_attribution_names_the_speaker_not_a_header_field(line, names):
    assert tail_attribution(line)[2] == names


def test_layout_generator_writes_the_attribution_in_several_wordings():
    openers = set()
    for seed in range(12):
        new = render(_record(), "speaker_at_end", seed=seed, rename=0.0, joint=0.0, caption=0.0)
        for seg in new["segments"]:
            if seg["kind"] == "discussion":
                tail = new["text"][seg["start"] : seg["end"]].rstrip(".")
                assert tail.casefold().endswith((seg["speaker"].casefold(), ")", "]")) or seg["speaker"] in tail[-60:]
                cut = max(tail.rfind("("), tail.rfind("["), tail.rfind(" – "), tail.rfind(" — "), tail.rfind(" - "))
                openers.add(" ".join(tail[cut:].split()[:2]).casefold())
    assert len(openers) >= 6


def test_turn_finder_discussion_table_in_docx(tmp_path):
    d = docx.Document()
    for line in HEADER.strip().split("\n"):
        d.add_paragraph(line)
    d.add_paragraph("2. Ý kiến thảo luận:")
    rows = [
        ("STT", "Họ tên", "Chức vụ", "Ý kiến"),
        ("1", "Phan Thanh Hải", "Phó Bí thư chi bộ", "Thống nhất với báo cáo và phương hướng tháng 9."),
        ("2", "Tô Minh Luân", "Bí thư Chi đoàn", "Đề nghị công ty bố trí ca làm cho đoàn viên đi học."),
        ("3", "Đặng Thị Mỹ Duyên", "Đảng viên dự bị", "Máy đóng gói số 2 hỏng ba lần trong tháng."),
    ]
    table = d.add_table(rows=len(rows), cols=4)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    for line in CLOSING.strip().split("\n"):
        d.add_paragraph(line)
    path = tmp_path / "bien-ban-bang.docx"
    d.save(path)
    doc = segment(read(path).text)
    assert [(s.speaker, s.role) for s in doc.contributions] == [
        ("Phan Thanh Hải", "committee"),
        ("Tô Minh Luân", "member"),
        ("Đặng Thị Mỹ Duyên", "member"),
    ]


@pytest.mark.skipif(not FONT.exists(), reason="DejaVu font not installed (fonts-dejavu-core)")
def test_turn_finder_discussion_table_in_pdf(tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.add_font("dejavu", "", str(FONT))
    pdf.set_font("dejavu", size=10)
    for line in HEADER.strip().split("\n"):
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 6, "2. Ý kiến thảo luận:", new_x="LMARGIN", new_y="NEXT")
    with pdf.table(col_widths=(10, 40, 35, 95), first_row_as_headings=False) as table:
        for row in (
            ("TT", "Người phát biểu", "Chức vụ", "Nội dung ý kiến"),
            ("1", "Lê Thị Ngân", "Chi ủy viên", "Thống nhất với dự thảo báo cáo."),
            ("2", "Hà Văn Sáu", "Đảng viên", "Đề nghị phường nạo vét cống hẻm 12."),
        ):
            cells = table.row()
            for value in row:
                cells.cell(value)
    for line in CLOSING.strip().split("\n"):
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    path = tmp_path / "bien-ban-bang.pdf"
    pdf.output(str(path))
    doc = segment(read(path).text)
    assert [(s.speaker, s.role) for s in doc.contributions] == [("Lê Thị Ngân", "committee"), ("Hà Văn Sáu", "member")]


def test_turn_finder_after_a_lossy_cp1252_round_trip(tmp_path):
    text = HEADER + "2. Thảo luận:\n- Đ/c Nguyễn Văn Hùng: Đề nghị sửa cống hẻm 3.\n- Đ/c Lê Thị Lài: Hẻm 9 tối.\n"
    damaged = text.encode("utf-8").decode("cp1252", errors="replace")
    assert "\ufffd" in damaged
    path = tmp_path / "hong-ma.txt"
    path.write_text(damaged, encoding="utf-8")
    assert speakers(read(path).text) == ["Nguyễn Văn Hùng", "Lê Thị Lài"]


# --- the layout generator -------------------------------------------------------------------------


RECORD = {
    "id": "t001-kv4-test-2022-09",
    "text": (
        "CHI BỘ KHU VỰC 4\nThảo luận:\n- Đồng chí Lê Thị Ngân: Thống nhất với báo cáo. Đề nghị sửa đèn hẻm 5.\n"
        "- Đồng chí Hà Văn Sáu: Hẻm 12 ngập.\nĐồng chí chủ trì kết luận: giao tổ 3 sửa đèn."
    ),
    "meta": {"chair": "Đoàn Văn Thuận"},
}


def _spans(text: str, needle: str) -> tuple[int, int]:
    at = text.index(needle)
    return at, at + len(needle)


def _record() -> dict:
    t = RECORD["text"]
    s1, s2, s3 = (
        _spans(t, "Thống nhất với báo cáo."),
        _spans(t, "Đề nghị sửa đèn hẻm 5."),
        _spans(t, "Hẻm 12 ngập."),
    )
    return dict(
        RECORD,
        segments=[
            {"start": 0, "end": t.index("\n- Đồng chí Lê"), "kind": "procedural", "speaker": None, "role": None},
            {
                "start": t.index("- Đồng chí Lê"),
                "end": s2[1],
                "kind": "discussion",
                "speaker": "Lê Thị Ngân",
                "role": "committee",
                "sentences": [
                    {"start": s1[0], "end": s1[1], "label": "agreement"},
                    {"start": s2[0], "end": s2[1], "label": "proposal"},
                ],
            },
            {
                "start": t.index("- Đồng chí Hà"),
                "end": s3[1],
                "kind": "discussion",
                "speaker": "Hà Văn Sáu",
                "role": "member",
                "sentences": [{"start": s3[0], "end": s3[1], "label": "complaint"}],
            },
            {
                "start": t.index("Đồng chí chủ trì"),
                "end": len(t),
                "kind": "chair_conclusion",
                "speaker": "Đoàn Văn Thuận",
                "role": "chair",
            },
        ],
    )


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_layout_generator_carries_every_offset_and_label(template):
    record = _record()
    new = render(record, template, seed=5, rename=0.0, joint=0.0, caption=0.0)
    text = new["text"]
    sentences = [(text[x["start"] : x["end"]], x["label"]) for s in new["segments"] for x in s.get("sentences", [])]
    # the remarks' words and labels survive every layout (notebook drops final stops, abbreviates words)
    assert [lab for _sent, lab in sentences] == ["agreement", "proposal", "complaint"]
    assert "12" in sentences[2][0]
    for seg in new["segments"]:
        assert 0 <= seg["start"] < seg["end"] <= len(text)
        for x in seg.get("sentences", []):
            assert seg["start"] <= x["start"] < x["end"] <= seg["end"]
    names = [s["speaker"] for s in new["segments"] if s["kind"] == "discussion"]
    for name, seg in zip(names, [s for s in new["segments"] if s["kind"] == "discussion"]):
        assert name.casefold() in text[seg["start"] : seg["end"]].casefold()


def test_layout_generator_holds_templates_out_and_makes_excerpts():
    assert set(HELD_OUT) < set(TEMPLATES)
    short = excerpt(render(_record(), "numbered", seed=1), seed=2)
    kinds = [s["kind"] for s in short["segments"]]
    assert 1 <= kinds.count("discussion") <= 2 and kinds[0] == "procedural"


# Layouts that a fifth set of minutes by other hands showed the turn finder missing (issue 9); the text
# here is new, written for these tests, and the generator (layouts.py) now renders each of these forms.
@pytest.mark.parametrize(
    "body, expected",
    [
        pytest.param(  # a notebook paragraph: given names between semicolons
            "- Khanh: đồng ý BC; Lụa: không có ý kiến thêm; Tám Hòa: xin CB cho nghỉ sinh hoạt 2 tháng "
            "vì đi làm thuê ở Long An\n- Đực: đề nghị ấp sửa cây cầu khỉ kênh Ba Xã\n",
            ["Khanh", "Lụa", "Tám Hòa", "Đực"],
            # the shipped model finds Khanh, Lụa and Đực but not the third remark of the paragraph (issue 9 note)
            marks=pytest.mark.xfail(strict=True, reason="the third remark of a semicolon paragraph is missed"),
        ),
        (  # the remark named first, then whose it is
            "Góp ý của đ/c Tạ Minh Đoan: hồ sơ chậm là do phần mềm lỗi, không phải do bộ phận một cửa.\n"
            "Ý kiến của đ/c Vương Thị Nết: đề nghị phòng họp giao ban mỗi tuần để theo dõi hồ sơ.\n"
            "Ý kiến đ/c Khúc Văn Lâm (chuyên viên): tôi nhất trí với dự thảo.\n",
            ["Tạ Minh Đoan", "Vương Thị Nết", "Khúc Văn Lâm"],
        ),
        (  # ranks, and a speech verb before the colon
            "- Đại úy Mông Văn Kỳ hỏi: tiêu chuẩn gạo của tổ chốt tháng này đã về chưa?\n"
            "- Thiếu tá Sầm Đức Pao trả lời: gạo đã chuyển lên chốt hôm 12, còn rau xanh thì đồn tự tăng gia.\n",
            ["Mông Văn Kỳ", "Sầm Đức Pao"],
        ),
        (  # Central Highlands names with another organisation's office in brackets
            "- H'Bia Mlô (CHT Hội PN buôn): chi hội đã lập 2 tổ vay vốn, 19 chị em tham gia.\n"
            "- Ama Kông hỏi: đường ra rẫy phía suối Đăk Tơ bao giờ làm?\n"
            "- Rơ Ô Dơk (BT Chi đoàn): đoàn viên nhận dọn cỏ hai bên đường vào buôn.\n",
            ["H'Bia Mlô", "Ama Kông", "Rơ Ô Dơk"],
        ),
    ],
)
def test_turn_finder_reads_layouts_of_the_fifth_set(body, expected):
    found = speakers(HEADER + "2. Thảo luận:\n" + body + CLOSING)
    assert [s.casefold() if s else s for s in found] == [s.casefold() for s in expected]


def test_turn_finder_group_reports_and_task_tables_open_no_turn():
    text = (
        HEADER.replace(
            "tháng 9.\n", "tháng 9, kết quả từng tổ:\n- Tổ 1: thu xong quỹ khuyến học\n- T3: còn 2 hộ chưa nộp quỹ\n"
        )
        + "2. Thảo luận:\n- Đ/c Kha Văn Lợi: Nhất trí với báo cáo.\n"
        "- Đ/c Bế Thị Nhung: Đề nghị chi bộ giao tổ 3 vận động 2 hộ còn lại.\n"
        "3. Đồng chí chủ trì kết luận: chi bộ thống nhất thông qua báo cáo và giao việc như sau:\n"
        "TT | Việc | Người thực hiện | Thời hạn\n1 | Vận động 2 hộ tổ 3 nộp quỹ | đ/c Bế Thị Nhung | 30/9\n"
        "2 | Sửa loa truyền thanh | đ/c Kha Văn Lợi | tháng 10\nBiểu quyết: 20/20 tán thành.\n"
    )
    doc = segment(normalize(text))
    kinds = [(s.kind, s.speaker) for s in doc.segments if s.kind != "procedural"]
    assert kinds == [
        ("chair_report", "Đoàn Văn Thuận"),
        ("discussion", "Kha Văn Lợi"),
        ("discussion", "Bế Thị Nhung"),
        ("chair_conclusion", "Đoàn Văn Thuận"),
    ]


def test_turn_finder_star_line_under_the_header_opens_no_turn():
    text = (
        "ĐẢNG BỘ XÃ AN HÒA            ĐẢNG CỘNG SẢN VIỆT NAM\nCHI BỘ ẤP 3\n*\nAn Hòa, ngày 5 tháng 3 năm 2021\n"
        "BIÊN BẢN SINH HOẠT CHI BỘ\nChủ trì: đ/c Lê Văn Tám - Bí thư chi bộ. Thư ký: đ/c Mai Thị Hoa\n"
        "Đảng viên có mặt 17/19 đồng chí, vắng 2 có lý do.\n1. Đồng chí Lê Văn Tám thông qua báo cáo tháng 2.\n"
        "2. Thảo luận:\n- Đ/c Kha Văn Lợi: Nhất trí với báo cáo.\n" + CLOSING
    )
    doc = segment(normalize(text))
    assert (doc.header.members_present, doc.header.members_total) == (17, 19)
    assert [s.speaker for s in doc.contributions] == ["Kha Văn Lợi"]


def test_turn_finder_an_answer_opened_by_dap_names_the_chair_not_dap():
    body = (
        "Hỏi (đ/c Mạc Văn Dũng - tổ 4): Bao giờ phường nạo vét mương hẻm 7?\n"
        "Đáp (đ/c Bí thư): Phường đã duyệt kinh phí, tháng 10 sẽ làm.\n"
    )
    assert turns(HEADER + "2. Thảo luận:\n" + body + CLOSING) == [
        ("Mạc Văn Dũng", "member"),
        ("Đoàn Văn Thuận", "chair"),  # "Bí thư" names the chair of the header
    ]


@pytest.mark.parametrize(
    "marker, name",
    [
        ("Quần chúng Ly Xá Tư trả lời: khi xuất ngũ em về bản làm ăn.", "Ly Xá Tư"),
        ("Chánh nói thêm: tổ 3 còn hai hộ chưa nộp.", "Chánh"),
        ("- Đảng viên dự bị TUÂN: tôi đồng ý với dự thảo.", "TUÂN"),
        ("• Chi hội trưởng Phụ nữ, giáo viên Toán TÁM VINH: tôi nhất trí.", "TÁM VINH"),
        ("Y Bhim: nhất trí báo cáo.", "Y Bhim"),
        ("H'Lin hỏi: bao giờ có gạo cứu đói?", "H'Lin"),
        # offices, headings and questions name nobody
        ("Ban Tuyên giáo: đề nghị chi bộ học tập nghị quyết.", None),
        ("UBND: sẽ trả lời bằng văn bản.", None),
        ("ĐU: chỉ đạo các chi bộ rà soát.", None),
        ("Hỏi: bao giờ nạo vét mương?", None),
        ("Ý kiến: nhất trí.", None),
        ("- CHI HỘI TRƯỞNG PHỤ NỮ - CCB: nhất trí.", None),
        # the one who speaks comes before the colon's name: not this test's to read
        ("• đ/c Hoàng Thị Bích Ngọc đặt câu hỏi với đồng chí Long: tổ dân phố có bao nhiêu hộ?", None),
    ],
)
def test_name_before_the_colon_of_a_marker(marker, name):
    assert name_before_colon(tokens(marker, 0, len(marker))) == name


def test_units_cut_a_notebook_paragraph_at_the_dash_before_each_remark():
    header = "- TG: 14h00 - ĐĐ: nhà văn hóa ấp - CT: đ/c Tư\n"
    body = (
        "- Sang: nhất trí BC - Ri: hỏi khi nào xã phát tiền hỗ trợ - Hoa - em nhận vận động 3 hộ nộp quỹ\n"
        "- Đ/c Lê Thị Lan - Bí thư chi đoàn: đoàn viên nhận dọn cỏ - không có ý kiến khác\n"
        "- ĐỒNG CHÍ TRẦN THỊ LỤA - CHI HỘI TRƯỞNG PHỤ NỮ: chi hội đã lập 2 tổ vay vốn\n"
        "- Hương: trạm đã tiêm Vắc-xin sởi - Rubella cho 40 cháu - Tổ 3 còn 2 cháu chưa tiêm\n"
    )
    text = header + body
    pieces = [text[u.start : u.end] for u in units(text, dash_from=len(header))]
    assert pieces == [
        "- TG: 14h00 - ĐĐ: nhà văn hóa ấp - CT: đ/c Tư",  # the header is not cut at its dashes
        "- Sang: nhất trí BC",
        "Ri: hỏi khi nào xã phát tiền hỗ trợ",
        "Hoa - em nhận vận động 3 hộ nộp quỹ",
        "- Đ/c Lê Thị Lan - Bí thư chi đoàn: đoàn viên nhận dọn cỏ - không có ý kiến khác",
        "- ĐỒNG CHÍ TRẦN THỊ LỤA - CHI HỘI TRƯỞNG PHỤ NỮ: chi hội đã lập 2 tổ vay vốn",
        "- Hương: trạm đã tiêm Vắc-xin sởi - Rubella cho 40 cháu - Tổ 3 còn 2 cháu chưa tiêm",
    ]


@pytest.mark.xfail(strict=True, reason="'Sáu Lành:' and 'Lực -' after a dash open no turn; the units are cut there")
def test_turn_finder_notebook_remarks_joined_by_dashes():
    body = (
        "- Đ/c Kiều Văn Hải: nhất trí BC tháng 8 - Sáu Lành: đề nghị ấp sửa đèn đường hẻm 5 trước Tết - "
        "Y Brơm hỏi: bao giờ xã phát tiền hỗ trợ giống lúa?\n"
        "- Ngân - thống nhất BC, xin nhận vận động 4 hộ nộp quỹ khuyến học - Lực - tôi đi làm xa nên xin "
        "nghỉ sinh hoạt tháng 10\n"
    )
    assert speakers(HEADER + "2. Thảo luận:\n" + body + CLOSING) == [
        "Kiều Văn Hải",
        "Sáu Lành",
        "Y Brơm",
        "Ngân",
        "Lực",
    ]


def test_turn_finder_a_lecturers_or_midwifes_title_is_not_the_name():
    body = (
        "– Ý kiến GV. Lại Thị Bích Vân: em xin nhận hướng dẫn hai nhóm sinh viên thực tập ở trường huyện.\n"
        "– Ý kiến NHS. Tô Thị Huệ (trạm y tế): đề nghị chi bộ bố trí thêm người trực đêm cuối tuần.\n"
    )
    assert speakers(HEADER + "2. Thảo luận:\n" + body + CLOSING) == ["Lại Thị Bích Vân", "Tô Thị Huệ"]


def _tagged(text: str, tagged: dict[str, str]) -> tuple[list, list]:
    """The tokens of text and tags for them: the words in tagged get their tag, the others "O"."""
    toks = tokens(text, 0, len(text))
    return toks, [tagged.get(t[2], "O") for t in toks]


def test_names_from_tags_join_a_name_the_tagger_split_and_finish_a_joint_list():
    # the tagger began a second name at "Khoa" right after "Trần Anh": one name needs no comma inside it
    text = "Đồng chí Trần Anh Khoa nhất trí với báo cáo."
    assert _names(text, *_tagged(text, {"Trần": "B-S", "Anh": "I-S", "Khoa": "B-S"}))[0] == ["Trần Anh Khoa"]
    # two names do need a comma or "và": "Hùng, Lan" stays a joint remark
    text = "Các đồng chí Hùng, Lan nhất trí."
    assert _names(text, *_tagged(text, {"Hùng": "B-S", "Lan": "B-S"}))[0] == ["Hùng", "Lan"]
    # a joint remark whose first name alone was tagged: the names listed after it are its speakers too
    text = "10. Các đồng chí Đỗ Thị Hậu, Mai Văn Lực và đ/c Bùi Thị Oanh nhất trí với báo cáo của Bí thư Hoàng Văn Sơn."
    found = _names(text, *_tagged(text, {"Đỗ": "B-S", "Thị": "I-S", "Hậu": "I-S"}))[0]
    assert found == ["Đỗ Thị Hậu", "Mai Văn Lực", "Bùi Thị Oanh"]
    # not after one named speaker: "Đồng chí Lan, tổ trưởng tổ 3, …" lists no one else
    text = "Đồng chí Lò Thị Lan, Tổ trưởng tổ 3, nhất trí."
    assert _names(text, *_tagged(text, {"Lò": "B-S", "Thị": "I-S", "Lan": "I-S"}))[0] == ["Lò Thị Lan"]
