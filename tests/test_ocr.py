"""Scans and phone photos of minutes, made here from hand-written text, read back by OCR (Tesseract, vie)."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from minutes_nlp.analysis.analyzer import Analyzer
from minutes_nlp.cli.main import main
from minutes_nlp.errors import NeedsOCR, ReadError
from minutes_nlp.reading import ocr
from minutes_nlp.reading.documents import read
from tests.scans import photo, photos, rasterise, scanned_pdf, text_pdf

pytestmark = pytest.mark.skipif(
    shutil.which("tesseract") is None, reason="Tesseract is installed by .ci/run (tesseract-ocr tesseract-ocr-vie)"
)

HEADER = """ĐẢNG BỘ PHƯỜNG HÒA KHÁNH
CHI BỘ KHU PHỐ 9
BIÊN BẢN SINH HOẠT CHI BỘ THƯỜNG KỲ THÁNG 5 NĂM 2025
Thời gian: 19 giờ 30 ngày 14 tháng 5 năm 2025. Địa điểm: Nhà văn hóa khu phố 9.
Chủ trì: đồng chí Lạc Văn Thuận - Bí thư chi bộ. Thư ký: đồng chí Âu Thị Ngân.
Tổng số đảng viên: 16; có mặt: 15; vắng: 01 (có lý do).
I. THẢO LUẬN"""

TURNS = [
    (
        "Khúc Văn Đông",
        "Tôi thống nhất với dự thảo báo cáo. Đề nghị chi bộ phân công đảng viên kiểm tra việc thu gom rác ở hẻm 24 "
        "trước ngày 30 tháng 5, vì bà con đã phản ánh nhiều lần mà đội vệ sinh vẫn chưa đến.",
    ),
    (
        "Ông Thị Lụa",
        "Đèn chiếu sáng ở tổ 4 bị hỏng đã ba tuần, buổi tối các cháu đi học về rất nguy hiểm. Đề nghị chi ủy làm "
        "văn bản gửi phường sửa chữa trong tháng này.",
    ),
    (
        "Mạc Đình Phú",
        "Trong tháng tổ 6 đã vận động được 9 hộ đăng ký gia đình văn hóa và thu quỹ khuyến học đạt 85% chỉ tiêu.",
    ),
]

CONCLUSION = """II. KẾT LUẬN
Đồng chí Bí thư kết luận: giao đồng chí Đông phối hợp tổ dân phố xử lý rác ở hẻm 24 trước ngày 30 tháng 5.
Buổi sinh hoạt kết thúc lúc 21 giờ 30 cùng ngày."""


def minutes(filler: int = 0) -> str:
    """The minutes; filler paragraphs of the chair's report push the discussion onto a second page."""
    report = (
        "Tình hình tháng 4 của khu phố: giữ vững an ninh trật tự, các hộ chấp hành tốt quy định về phòng cháy, "
        "công tác vệ sinh môi trường còn chậm ở một số hẻm nhỏ."
    )
    body = "\n".join([report] * filler)
    turns = "\n".join(f"- Đồng chí {name}: {words}" for name, words in TURNS)
    return "\n".join(part for part in (HEADER, body, turns, CONCLUSION) if part)


SPEAKERS = ["Khúc Văn Đông", "Ông Thị Lụa", "Mạc Đình Phú"]


@pytest.fixture(scope="module")
def analyzer():
    return Analyzer("default")


def speakers(meeting) -> list[str]:
    return [c.speaker for c in meeting.contributions]


def test_scanned_pdf_of_two_pages_reads_back_the_speakers_without_page_numbers(tmp_path, analyzer):
    pdf = scanned_pdf(minutes(filler=9), tmp_path)
    with pytest.raises(NeedsOCR, match="scan.pdf"):
        read(pdf, ocr="never")
    seen = []
    doc = read(pdf, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 2), (2, 2)] and doc.source.ocr_pages == 2
    assert "Trang 1/2" not in doc.text and "Trang 2/2" not in doc.text
    assert "Đề nghị chi ủy làm văn bản gửi phường sửa chữa trong tháng này." in doc.text  # wrapped line rejoined
    for line in doc.ocr_lines:  # offsets index the normalised text
        assert doc.text[line.start : line.end].strip() and 0 <= line.confidence <= 1
    meeting = analyzer.analyze_document(doc, "scan", "scan.pdf")
    assert speakers(meeting) == SPEAKERS
    report = meeting.to_dict()
    assert report["ocr"]["pages"] == 2 and report["ocr"]["confidence"] > 0.85
    assert "OCR_LOW_CONFIDENCE" not in [f.code for f in meeting.flags]


def test_phone_photos_in_a_zip_are_one_document_in_name_order(tmp_path, analyzer):
    folder = tmp_path / "anh"
    folder.mkdir()
    pages = photos(minutes(filler=9), folder)
    assert len(pages) == 2
    archive = tmp_path / "bien-ban.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for page in reversed(pages):  # stored out of order: name order decides
            z.write(page, page.name)
    meeting = analyzer(archive)
    assert speakers(meeting) == SPEAKERS
    assert meeting.ocr["pages"] == 2
    assert meeting.meta["members_present"] == 15 and meeting.meta["chair"] == "Lạc Văn Thuận"


def test_a_page_photographed_sideways_is_turned_upright(tmp_path):
    page = rasterise(text_pdf(minutes(), tmp_path / "typed.pdf"), 300)[0]
    page = page.crop((0, 0, page.width, page.height // 2)).rotate(90, expand=True)
    path = tmp_path / "nghieng.png"
    page.save(path)
    doc = read(path)
    assert "Đồng chí Khúc Văn Đông" in doc.text and "BIÊN BẢN SINH HOẠT CHI BỘ" in doc.text


def test_an_unevenly_lit_photo_of_the_signatures_alone_is_not_read_as_blank(tmp_path):
    """The last page of minutes often holds only the signature block; lit from one side it used to read as empty."""
    text = (
        "THƯ KÝ                                         CHỦ TRÌ\nÂu Thị Ngân                              Lạc Văn Thuận"
    )
    page = rasterise(text_pdf(text, tmp_path / "typed.pdf"), 300)[0]
    path = tmp_path / "trang-cuoi.jpg"
    photo(page, seed=53).save(path)
    doc = read(path)
    assert "Âu Thị Ngân" in doc.text and "Lạc Văn Thuận" in doc.text and "Trang 1/1" not in doc.text


def test_page_furniture_is_dropped_and_wrapped_lines_joined():
    def line(text, right, par, top):
        return ocr.Line(text, 0.9, 100, top, right, top + 40, par)

    pages = [
        [
            line("CHI BỘ KHU PHỐ 9", 900, (1, 1), 50),
            line("- Đồng chí Khúc Văn Đông: Tôi thống nhất với dự thảo báo cáo. Đề", 2200, (1, 2), 100),
            line("nghị chi bộ phân công đảng viên.", 1200, (1, 2), 150),
            line("Trang 1/2", 1300, (1, 3), 3300),
        ],
        [
            line("- Đồng chí Ông Thị Lụa: Đèn ở tổ 4 bị hỏng.", 1500, (1, 1), 100),
            line("- 2 -", 1250, (1, 2), 3300),
        ],
    ]
    texts = [[text for text, _lines in page] for page in ocr.page_text(pages)]
    assert texts == [
        [
            "CHI BỘ KHU PHỐ 9",
            "- Đồng chí Khúc Văn Đông: Tôi thống nhất với dự thảo báo cáo. Đề nghị chi bộ phân công đảng viên.",
        ],
        ["- Đồng chí Ông Thị Lụa: Đèn ở tổ 4 bị hỏng."],
    ]


def test_tone_marks_ocr_misplaces_in_frequent_words_are_set_right_in_context():
    line = "Chỉ bộ thống nhất; để nghị CHỈ ỦY giao chỉ tiêu, chỉ bộ phận văn phòng làm, NỘI DƯNG, để xe gọn"
    assert ocr.fix_words(line) == (
        "Chi bộ thống nhất; đề nghị CHI ỦY giao chỉ tiêu, chỉ bộ phận văn phòng làm, NỘI DUNG, để xe gọn"
    )


def test_ocr_never_refuses_a_scan_in_one_line_on_every_command_that_reads(tmp_path):
    pdf = scanned_pdf(HEADER, tmp_path, dpi=100)
    for command in ("analyze", "segment", "flag"):
        result = CliRunner().invoke(main, [command, str(pdf), "--ocr", "never"])
        lines = result.stderr.strip().splitlines()
        assert result.exit_code == 1 and len(lines) == 1, (command, result.output)
        assert "scan.pdf" in lines[0] and "--ocr auto" in lines[0]


def test_missing_tesseract_is_one_line_naming_the_debian_packages(tmp_path, monkeypatch):
    page = tmp_path / "trang-1.png"
    _blank().save(page)
    monkeypatch.setenv("PATH", str(tmp_path))  # no tesseract on PATH
    ocr._installed.cache_clear()
    try:
        with pytest.raises(ReadError) as caught:
            read(page)
        result = CliRunner().invoke(main, ["analyze", str(page), "--format", "json"])
    finally:
        ocr._installed.cache_clear()
    assert "apt-get install tesseract-ocr tesseract-ocr-vie" in str(caught.value)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "trang-1.png" in lines[0] and "tesseract-ocr-vie" in lines[0]
    assert "Traceback" not in result.output


def test_json_report_marks_low_confidence_lines_and_the_flag(tmp_path, analyzer):
    """A blurred, dim photo: the lines OCR doubts are listed with offsets into the text the report shows."""
    from PIL import ImageFilter

    page = rasterise(text_pdf(minutes(), tmp_path / "typed.pdf"), 100)[0]
    page = page.crop((0, 0, page.width, page.height // 2))
    page = page.filter(ImageFilter.GaussianBlur(1.8)).point(lambda v: 90 + v // 3)
    path = tmp_path / "mo.jpg"
    page.save(path, quality=30)
    meeting = analyzer(path)
    report = json.loads(json.dumps(meeting.to_dict()))
    schema = json.loads((Path(__file__).parents[1] / "docs" / "report.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(report, schema)
    low = report["ocr"]["low_confidence_lines"]
    assert low and all(x["confidence"] < report["ocr"]["low_confidence_threshold"] for x in low)
    assert all(report["text"][x["start"] : x["end"]].strip() for x in low)
    assert "OCR_LOW_CONFIDENCE" in [f["code"] for f in report["flags"]]
    assert report["ocr"]["confidence"] < 0.88


def _blank():
    from PIL import Image

    return Image.new("L", (200, 200), 255)
