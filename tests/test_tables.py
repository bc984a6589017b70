"""Discussion tables in .docx and .pdf: one line per row, cells at known offsets, columns named. Names invented."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from minutes_nlp.reading.documents import read
from minutes_nlp.reading.tables import column_role

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

DISCUSSION = [
    ("TT", "Người phát biểu", "Chức vụ", "Nội dung ý kiến"),
    (
        "1",
        "Phan Đình Sỹ",
        "Phó Bí thư chi bộ",
        "Thống nhất với dự thảo báo cáo. Đề nghị bổ sung chỉ tiêu kết nạp đảng viên.",
    ),
    ("2", "Nguyễn Thị Bích Thủy", "Đảng viên", "Hẻm 12 ngập sau mỗi trận mưa, đề nghị phường nạo vét cống."),
    ("3", "Võ Tấn Lực", "Chi ủy viên", "Trong tháng tổ 4 đã thu quỹ khuyến học được 3,2 triệu đồng."),
]


def _cells(doc, row):
    return [doc.text[c.start : c.end] for c in row.cells]


def _check_discussion(doc, rows=DISCUSSION):
    """The rows are lines of the text, each cell is at its offsets, columns named by the header row."""
    assert [doc.text[r.start : r.end] for r in doc.tables] == [" | ".join(row) for row in rows]
    for found, row in zip(doc.tables, rows):
        assert _cells(doc, found) == list(row)
        assert doc.text[found.start - 1] == "\n" and doc.text[found.end] == "\n"
    assert [r.is_header for r in doc.tables] == [True] + [False] * (len(rows) - 1)
    body = doc.tables[2]
    assert [c.column for c in body.cells] == ["number", "speaker", "role", "remark"]
    assert [c.header for c in body.cells] == list(rows[0])


# --- .docx ------------------------------------------------------------------------------


def _docx_table(d, rows):
    table = d.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    return table


def test_docx_discussion_table_rows_are_lines_with_cell_offsets(tmp_path):
    d = docx.Document()
    d.add_paragraph("BIÊN BẢN SINH HOẠT CHI BỘ THÁNG 8 NĂM 2017")
    d.add_paragraph("Ý kiến thảo luận:")
    _docx_table(d, DISCUSSION)
    d.add_paragraph("Đồng chí Bí thư tiếp thu các ý kiến và kết luận.")
    d.save(tmp_path / "bang.docx")
    doc = read(tmp_path / "bang.docx")
    assert doc.text.split("\n") == [
        "BIÊN BẢN SINH HOẠT CHI BỘ THÁNG 8 NĂM 2017",
        "Ý kiến thảo luận:",
        "TT | Người phát biểu | Chức vụ | Nội dung ý kiến",
        "1 | Phan Đình Sỹ | Phó Bí thư chi bộ | Thống nhất với dự thảo báo cáo. Đề nghị bổ sung chỉ tiêu kết nạp đảng viên.",
        "2 | Nguyễn Thị Bích Thủy | Đảng viên | Hẻm 12 ngập sau mỗi trận mưa, đề nghị phường nạo vét cống.",
        "3 | Võ Tấn Lực | Chi ủy viên | Trong tháng tổ 4 đã thu quỹ khuyến học được 3,2 triệu đồng.",
        "Đồng chí Bí thư tiếp thu các ý kiến và kết luận.",
    ]
    _check_discussion(doc)


def test_docx_merged_cells_are_read_once_and_keep_their_column(tmp_path):
    d = docx.Document()
    table = _docx_table(
        d,
        [
            ("STT", "Họ tên", "Chức vụ", "Ý kiến"),
            ("Ý kiến của đảng viên", "", "", ""),
            ("1", "Lê Văn Tài", "Đảng viên", "Hệ thống hút bụi buồng sơn số 2 yếu."),
            ("2", "Tô  Minh Luân", "", "Nhất trí với báo cáo."),
        ],
    )
    table.cell(1, 0).merge(table.cell(1, 3))  # a section row across the table
    table.cell(2, 2).merge(table.cell(3, 2))  # one role written for two speakers
    table.cell(2, 3).add_paragraph("Đề nghị thay  quạt hút.")  # a remark of two paragraphs
    d.save(tmp_path / "gop.docx")
    doc = read(tmp_path / "gop.docx")
    assert doc.text.split("\n") == [
        "STT | Họ tên | Chức vụ | Ý kiến",
        "Ý kiến của đảng viên",
        "1 | Lê Văn Tài | Đảng viên | Hệ thống hút bụi buồng sơn số 2 yếu. Đề nghị thay quạt hút.",
        "2 | Tô Minh Luân | Nhất trí với báo cáo.",
    ]
    section, first, second_row = doc.tables[1:]
    assert [(c.index, c.column) for c in section.cells] == [(0, "number")]
    assert _cells(doc, second_row) == ["2", "Tô Minh Luân", "Nhất trí với báo cáo."]
    assert [c.column for c in second_row.cells] == ["number", "speaker", "remark"]
    assert [c.column for c in first.cells] == ["number", "speaker", "role", "remark"]


def test_docx_table_without_header_row_has_rows_but_no_column_names(tmp_path):
    d = docx.Document()
    _docx_table(d, DISCUSSION[1:])
    d.save(tmp_path / "khong-tieu-de.docx")
    doc = read(tmp_path / "khong-tieu-de.docx")
    assert doc.text.split("\n") == [" | ".join(row) for row in DISCUSSION[1:]]
    assert [_cells(doc, r) for r in doc.tables] == [list(row) for row in DISCUSSION[1:]]
    assert not any(r.is_header for r in doc.tables)
    assert {c.column for r in doc.tables for c in r.cells} == {None}


def test_docx_one_column_frame_is_read_as_paragraphs(tmp_path):
    d = docx.Document()
    frame = d.add_table(rows=1, cols=1)
    frame.cell(0, 0).text = "Đồng chí Hà Văn Long: nhất trí."
    frame.cell(0, 0).add_paragraph("Đồng chí Kiều Thị Mai: đề nghị sửa đường.")
    d.save(tmp_path / "khung.docx")
    doc = read(tmp_path / "khung.docx")
    assert doc.text == "Đồng chí Hà Văn Long: nhất trí.\nĐồng chí Kiều Thị Mai: đề nghị sửa đường."
    assert doc.tables == []


def test_docx_table_row_is_never_joined_to_a_wrapped_paragraph(tmp_path):
    d = docx.Document()
    d.add_paragraph("Chi bộ đã nghe đồng chí Bí thư thông qua dự thảo báo cáo tháng và các đảng viên")
    table = d.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "góp ý"
    table.cell(0, 1).text = "nhất trí"
    d.save(tmp_path / "noi.docx")
    doc = read(tmp_path / "noi.docx")
    assert doc.text.split("\n")[1] == "góp ý | nhất trí"


# --- .pdf --------------------------------------------------------------------------------


def _pdf_with_table(path: Path, before: str, rows, after: str, font_size: int = 10) -> Path:
    fpdf = pytest.importorskip("fpdf")
    if not FONT.exists():
        pytest.skip("DejaVuSans.ttf not installed (apt-get install fonts-dejavu-core)")
    pdf = fpdf.FPDF()
    pdf.add_font("DejaVu", "", str(FONT))
    pdf.add_page()
    pdf.set_font("DejaVu", size=font_size)
    pdf.multi_cell(0, 7, before)
    with pdf.table(col_widths=(10, 45, 35, 100), first_row_as_headings=False, line_height=6) as table:
        for values in rows:
            row = table.row()
            for value in values:
                row.cell(value)
    pdf.multi_cell(0, 7, after)
    pdf.output(str(path))
    return path


def test_pdf_ruled_table_rows_are_lines_between_the_text_around_them(tmp_path):
    path = _pdf_with_table(
        tmp_path / "bang.pdf",
        "BIÊN BẢN SINH HOẠT CHI BỘ\nCác ý kiến thảo luận:",
        DISCUSSION,
        "Đồng chí Bí thư kết luận: chi bộ thống nhất.",
    )
    doc = read(path)
    lines = doc.text.split("\n")
    assert lines[:2] == ["BIÊN BẢN SINH HOẠT CHI BỘ", "Các ý kiến thảo luận:"]
    assert lines[-1] == "Đồng chí Bí thư kết luận: chi bộ thống nhất."
    assert len(lines) == 2 + len(DISCUSSION) + 1  # the table's words are not written twice
    _check_discussion(doc)


def test_pdf_table_continued_on_the_next_page_keeps_its_column_names(tmp_path):
    remark = "Nhất trí với dự thảo báo cáo. Đề nghị chi bộ phân công đảng viên theo dõi từng hộ trong tổ dân phố."
    rows = [("STT", "Họ và tên", "Chức danh", "Ý kiến phát biểu")]
    rows += [(str(i), f"Đảng viên số {i}", "Đảng viên", remark) for i in range(1, 13)]
    doc = read(_pdf_with_table(tmp_path / "dai.pdf", "\n" * 20 + "Ý kiến:", rows, "Hết.", font_size=12))
    assert doc.source.pages == 2
    assert len({r.table for r in doc.tables}) == 2
    assert [r.is_header for r in doc.tables].count(True) == 1
    last = doc.tables[-1]
    assert _cells(doc, last)[:2] == ["12", "Đảng viên số 12"]
    assert [c.column for c in last.cells] == ["number", "speaker", "role", "remark"]


@pytest.mark.parametrize(
    "name, role",
    [
        ("TT", "number"),
        ("Số TT", "number"),
        ("Người phát biểu", "speaker"),
        ("Họ và tên", "speaker"),
        ("Người có ý kiến", "speaker"),
        ("Chức vụ, đơn vị", "role"),
        ("Nội dung ý kiến", "remark"),
        ("Ý kiến tham gia", "remark"),
        ("NGƯỜI THỰC HIỆN", None),
        ("Thời gian hoàn thành", None),
        ("Phan Đình Sỹ", None),
    ],
)
def test_column_names(name, role):
    assert column_role(name) == role
