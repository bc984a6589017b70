"""The HTML report of one meeting and the Excel workbook of many, on hand-written minutes."""

import re
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from minutes_nlp.analysis.analyzer import Analyzer
from minutes_nlp.cli.main import main
from minutes_nlp.reports.html import render_html
from minutes_nlp.reports.xlsx import write_xlsx

DATA = Path(__file__).parent / "data" / "minutes"
FILES = sorted(DATA.glob("*.txt"))
# The Vietnamese names a reader sees, written out here rather than taken from the code under test.
ROLES_VI = {
    "chair": "chủ trì",
    "secretary": "thư ký",
    "committee": "chi ủy",
    "member": "đảng viên",
    "guest": "đại biểu",
}
LABELS_VI = {
    "proposal": "đề xuất",
    "complaint": "phản ánh",
    "report": "báo cáo",
    "agreement": "thống nhất",
    "other": "khác",
}

SCRIPT_MINUTES = """CHI BỘ KHU PHỐ 8
BIÊN BẢN SINH HOẠT CHI BỘ THƯỜNG KỲ THÁNG 6 NĂM 2024
Thời gian: 19 giờ 00, ngày 09/6/2024.
Chủ trì: đồng chí Kiều Văn Nam - Bí thư chi bộ. Thư ký: đồng chí Lò Thị Hoa.
Tổng số đảng viên: 15; có mặt: 14; vắng: 01 (có lý do).
Thảo luận:
- Đồng chí Doãn Văn Phú: Trang thông tin của khu phố bị chèn mã <script>alert("x")</script> & quảng cáo lạ, bà con phản ánh nhiều.
- Đồng chí Ninh Thị Lan: Đề nghị chi bộ giao tổ công nghệ số gỡ mã lạ trên trang thông tin trong tuần này.
Đồng chí chủ trì kết luận: Giao tổ công nghệ số gỡ mã lạ trên trang thông tin trong tuần.
"""


@pytest.fixture(scope="module")
def analyzer():
    return Analyzer()


@pytest.fixture(scope="module")
def meetings(analyzer):
    return [analyzer(path) for path in FILES]


@pytest.fixture(scope="module")
def pages(meetings):
    return [render_html(m) for m in meetings]


def _ids(page: str) -> set[str]:
    return set(re.findall(r'\bid="([^"]+)"', page))


def test_html_names_every_contribution_with_speaker_role_and_label(meetings, pages):
    for m, page in zip(meetings, pages):
        assert m.contributions
        for c in m.contributions:
            assert c.speaker in page
            assert ROLES_VI[c.role] in page
            assert f"label-{c.primary_label}" in page


def test_html_flag_codes_link_to_anchors_that_exist(meetings, pages):
    for m, page in zip(meetings, pages):
        ids = _ids(page)
        for href in re.findall(r'href="#([^"]+)"', page):
            assert href in ids, f"{m.id}: #{href} has no target"
        for f in m.flags:
            block = re.search(rf'<div class="flag [a-z]+" id="canh-bao-{f.code}">(.*?)</div>', page, re.DOTALL)
            assert block, f.code
            assert re.search(r'href="#[^"]+"', block.group(1))


def test_html_flag_evidence_points_at_the_contribution(analyzer):
    m = analyzer(DATA / "thcs-2024-04.txt")
    page = render_html(m)
    agreement_only = next(f for f in m.flags if f.code == "AGREEMENT_ONLY")
    first = agreement_only.evidence[0]
    index = next(i for i, s in enumerate(m.segments) if (s.start, s.end) == (first["start"], first["end"]))
    assert f'href="#doan-{index}"' in page and f'id="doan-{index}"' in page


def test_html_escapes_markup_from_the_minutes(analyzer):
    page = render_html(analyzer(SCRIPT_MINUTES, "kp8-2024-06"))
    assert "<script" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; quảng cáo" in page


def test_html_highlights_each_sentence_with_label_class_and_name(meetings, pages):
    for m, page in zip(meetings, pages):
        for c in m.contributions:
            for s in c.sentences:
                span = re.search(
                    rf'<span class="lab label-{s.label}[^"]*" id="cau-{s.start}-{s.end}"[^>]*>'
                    rf'<span class="tag">([^<]+)</span>',
                    page,
                )
                assert span, (m.id, s)
                assert span.group(1) == LABELS_VI[s.label]


def test_html_marks_specific_proposals(meetings, pages):
    specific = [
        (m, page, s) for m, page in zip(meetings, pages) for c in m.contributions for s in c.sentences if s.specific
    ]
    assert specific
    for _, page, s in specific:
        assert re.search(
            rf'class="lab label-proposal specific" id="cau-{s.start}-{s.end}"[^>]*>.*?'
            r'<span class="star">★ cụ thể</span></span>',
            page,
        )


def test_html_shows_header_score_components_and_criteria_profile(meetings, pages):
    m, page = next((m, p) for m, p in zip(meetings, pages) if m.id == "kp5-2024-03")
    for fact in (
        "CHI BỘ KHU PHỐ 5",
        "ĐẢNG BỘ PHƯỜNG 9",
        "10/03/2024",
        "Sinh hoạt thường kỳ",
        "Đỗ Văn Khải",
        "Hà Thị Thu",
        "11/12",
        "19:00 - 20:45 (105 phút)",
    ):
        assert fact in page, fact
    assert f"<b>{m.score['substantive']}</b>/100" in page
    assert m.criteria["title"] in page and m.criteria["note"] in page and m.criteria["profile"] in page
    proposal = m.score["components"]["proposals"]["evidence"][0]
    row = re.search(r'<tr id="thanh-phan-proposals">(.*?)</tr>', page, re.DOTALL).group(1)
    assert proposal["text"] in row


def test_html_is_self_contained_and_printable(pages):
    for page in pages:
        assert page.startswith("<!DOCTYPE html>") and '<html lang="vi">' in page
        assert "@media print" in page
        assert not re.search(r'(?:src|href)="(?:https?:)?//', page)
        assert "<link" not in page and "<script" not in page


def test_xlsx_has_three_sheets_with_one_row_per_meeting_contribution_and_flag(meetings, tmp_path):
    path = tmp_path / "bao-cao.xlsx"
    write_xlsx(meetings, path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Cuộc họp", "Ý kiến", "Cảnh báo"]
    expected = {
        "Cuộc họp": len(meetings),
        "Ý kiến": sum(len(m.contributions) for m in meetings),
        "Cảnh báo": sum(len(m.flags) for m in meetings),
    }
    for name, rows in expected.items():
        ws = wb[name]
        assert ws.max_row == rows + 1, name
        assert ws.freeze_panes == "A2"
        assert all(ws.column_dimensions[c.column_letter].width for c in ws[1])
    assert [c.value for c in wb["Cuộc họp"][1]][:4] == ["Mã biên bản", "Tệp", "Đảng bộ", "Chi bộ"]
    speakers = {c.value for (c,) in wb["Ý kiến"].iter_rows(min_row=2, min_col=5, max_col=5)}
    assert "Mai Văn Lộc" in speakers and wb["Ý kiến"]["E1"].value == "Người phát biểu"
    codes = {c.value for (c,) in wb["Cảnh báo"].iter_rows(min_row=2, min_col=5, max_col=5)}
    assert codes == {f.code for m in meetings for f in m.flags}


def test_analyze_command_writes_html_and_xlsx(analyzer, tmp_path, monkeypatch):
    monkeypatch.setattr("minutes_nlp.analysis.analyzer.Analyzer", lambda *a, **k: analyzer)
    out = tmp_path / "html"
    result = CliRunner().invoke(main, ["analyze", *map(str, FILES), "--format", "html", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{p.stem}.html" for p in FILES)
    xlsx = tmp_path / "all.xlsx"
    result = CliRunner().invoke(main, ["analyze", *map(str, FILES), "--format", "xlsx", "--out", str(xlsx)])
    assert result.exit_code == 0 and openpyxl.load_workbook(xlsx)["Cuộc họp"].max_row == len(FILES) + 1
