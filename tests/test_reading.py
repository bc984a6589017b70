"""read(): every reader, every encoding, every expected failure. Names in the fixtures are invented."""

from __future__ import annotations

import io
import re
import shutil
import unicodedata
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from zipbomb import bomb_docx

from minutes_nlp.errors import NeedsOCR, ReadError, UnsupportedFormat
from minutes_nlp.reading.documents import SUPPORTED, decode_bytes, read
from minutes_nlp.reading.text import normalize

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

MINUTES = """ĐẢNG BỘ PHƯỜNG 5
BIÊN BẢN SINH HOẠT CHI BỘ THƯỜNG KỲ THÁNG 5 NĂM 2024
Hôm nay, vào lúc 19 giờ 30 phút, ngày 08 tháng 5 năm 2024, tại nhà văn hóa tổ dân phố.
Tổng số đảng viên: 25; có mặt: 23; vắng: 02 (có lý do).
Đồng chí Nguyễn Thị Hoa - Bí thư chi bộ trình bày báo cáo.
Đ/c Lê Văn Thuận: nhất trí với báo cáo, đề nghị bổ sung việc vệ sinh môi trường."""


def _cp1258(text: str) -> bytes:
    """Encode the way Windows-1258 stores Vietnamese: base letter, then a combining tone mark."""
    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    out = []
    for ch in unicodedata.normalize("NFC", text):
        decomposed = unicodedata.normalize("NFD", ch)
        tone = "".join(c for c in decomposed if c in tones)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in tones))
        out.append(base + tone)
    return "".join(out).encode("cp1258")


def _zip(members: dict[str, bytes]) -> bytes:
    """A zip archive holding members (a .docx without its [Content_Types].xml makes python-docx raise KeyError)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def _write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


# --- plain text and encodings -------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (MINUTES.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + MINUTES.encode("utf-8"), "utf-8"),
        (MINUTES.encode("utf-16"), "utf-16"),  # with BOM, as Notepad's "Unicode"
        (MINUTES.encode("utf-16-le"), "utf-16-le"),  # no BOM
        (_cp1258(MINUTES), "cp1258"),
    ],
)
def test_txt_encodings_read_to_the_same_text(tmp_path, data, encoding):
    doc = read(_write(tmp_path, "bien-ban.txt", data))
    assert doc.text == MINUTES
    assert doc.source.encoding == encoding
    assert doc.source.format == "txt"
    assert doc.source.path.endswith("bien-ban.txt")
    assert doc.source.legacy_font is None and not doc.source.repaired_mojibake


def test_cp1258_bytes_written_by_hand():
    # Đ=D0, a + hook D2, ô=F4 + dot below F2: "Đảng bộ"
    assert decode_bytes(b"\xd0a\xd2ng b\xf4\xf2 ph\xfd\xf5\xccng")[1] == "cp1258"
    text, _ = decode_bytes(b"\xd0a\xd2ng b\xf4\xf2 ph\xfd\xf5\xccng")
    assert normalize(text) == "Đảng bộ phường"


TCVN3_TEXT = (
    "§¶NG Bé PH\u00adêNG 5\nBiªn b¶n sinh ho¹t chi bé th\u00adêng kú th¸ng 5 n¨m 2024\n"
    "§ång chÝ NguyÔn ThÞ Hoa ph¸t biÓu: nhÊt trÝ víi b¸o c¸o cña chi ñy."
)
VNI_TEXT = (
    "ÑAÛNG BOÄ PHÖÔØNG 5\nBieân baûn sinh hoaït chi boä thöôøng kyø thaùng 5 naêm 2024\n"
    "Ñoàng chí Nguyeãn Thò Hoa phaùt bieåu: nhaát trí vôùi baùo caùo cuûa chi uûy."
)
LEGACY_EXPECTED = (
    "ĐẢNG BỘ PHƯỜNG 5\nBiên bản sinh hoạt chi bộ thường kỳ tháng 5 năm 2024\n"
    "Đồng chí Nguyễn Thị Hoa phát biểu: nhất trí với báo cáo của chi ủy."
)


@pytest.mark.parametrize(("legacy", "font"), [(TCVN3_TEXT, "tcvn3"), (VNI_TEXT, "vni")])
def test_txt_saved_from_old_word_in_a_legacy_font_is_converted(tmp_path, legacy, font):
    doc = read(_write(tmp_path, "cu.txt", legacy.encode("latin-1")))
    assert doc.text == LEGACY_EXPECTED
    assert doc.source.legacy_font == font
    assert doc.source.encoding == font


@pytest.mark.parametrize(("legacy", "font"), [(TCVN3_TEXT, "tcvn3"), (VNI_TEXT, "vni")])
def test_utf8_txt_holding_legacy_font_characters_is_converted(tmp_path, legacy, font):
    doc = read(_write(tmp_path, "trich.txt", legacy))
    assert doc.text == LEGACY_EXPECTED
    assert doc.source.legacy_font == font
    assert doc.source.encoding == "utf-8"


def test_mojibake_is_repaired(tmp_path):
    doc = read(_write(tmp_path, "loi-font.txt", "Há»‡ thá»‘ng chÃ­nh trá»‹ cÆ¡ sá»Ÿ"))
    assert doc.text == "Hệ thống chính trị cơ sở"
    assert doc.source.repaired_mojibake


def test_mojibake_of_a_whole_document_is_repaired(tmp_path):
    import ftfy.bad_codecs  # noqa: F401  registers sloppy-windows-1252, the way Windows tools garble

    garbled = MINUTES.encode("utf-8").decode("sloppy-windows-1252")
    assert "LÃª VÄƒn Thuáº" in garbled
    doc = read(_write(tmp_path, "loi-font.txt", garbled))
    assert doc.text == MINUTES and doc.source.repaired_mojibake


def test_binary_doc_read_as_text_is_left_as_it_is(tmp_path):
    doc = read(_write(tmp_path, "ban-chap-hanh.txt", "BAN CH?P H?NH ??NG B? PH??NG"))
    assert doc.text == "BAN CH?P H?NH ??NG B? PH??NG"
    assert not doc.source.repaired_mojibake and doc.source.legacy_font is None


def test_text_is_normalised_and_hard_wraps_rejoined(tmp_path):
    raw = (
        "Đồng chí Phạm Thị Lan phát biểu: chi bộ cần tăng cường công tác kiểm tra\r\n"
        "giám sát việc thực hiện nghị quyết của Đảng uỷ phường.  \r\n"
        "Ðồng chí Bùi Văn Tâm nhất trí.\r\n"
    )
    doc = read(_write(tmp_path, "wrap.txt", raw))
    assert doc.text == (
        "Đồng chí Phạm Thị Lan phát biểu: chi bộ cần tăng cường công tác kiểm tra "
        "giám sát việc thực hiện nghị quyết của Đảng ủy phường.\nĐồng chí Bùi Văn Tâm nhất trí."
    )


# --- .docx ---------------------------------------------------------------------------


def _numbered(paragraph, num_id: int, ilvl: int = 0) -> None:
    num_pr = OxmlElement("w:numPr")
    lvl, nid = OxmlElement("w:ilvl"), OxmlElement("w:numId")
    lvl.set(qn("w:val"), str(ilvl))
    nid.set(qn("w:val"), str(num_id))
    num_pr.extend([lvl, nid])
    paragraph._p.get_or_add_pPr().append(num_pr)


def _docx_minutes(path: Path) -> Path:
    d = docx.Document()
    d.sections[0].header.paragraphs[0].text = "Mẫu biên bản - đầu trang"
    d.sections[0].footer.paragraphs[0].text = "Trang 1"
    d.add_paragraph("ĐẢNG BỘ PHƯỜNG 5")
    d.add_paragraph("Chi bộ khu phố 3")
    table = d.add_table(rows=3, cols=3)
    for r, row in enumerate(
        [
            ("STT", "NỘI DUNG", "NGƯỜI THỰC HIỆN"),
            ("1", "Kiểm tra vệ sinh môi trường", "Tổ 5"),
            ("2", "Vận động đóng góp quỹ khuyến học", "Đ/c Hiên"),
        ]
    ):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    d.add_paragraph("Nội dung sinh hoạt:")
    d.add_paragraph("Thông qua nghị quyết tháng 4", style="List Number")
    d.add_paragraph("Phân công đảng viên phụ trách hộ", style="List Number")
    d.add_paragraph("Ý kiến của tổ dân phố", style="List Bullet")
    d.add_paragraph("Kết luận của đồng chí chủ trì.")
    d.save(path)
    return path


def test_docx_keeps_body_order_tables_and_list_numbers(tmp_path):
    doc = read(_docx_minutes(tmp_path / "bien-ban.docx"))
    assert doc.text.split("\n") == [
        "ĐẢNG BỘ PHƯỜNG 5",
        "Chi bộ khu phố 3",
        "STT | NỘI DUNG | NGƯỜI THỰC HIỆN",
        "1 | Kiểm tra vệ sinh môi trường | Tổ 5",
        "2 | Vận động đóng góp quỹ khuyến học | Đ/c Hiên",
        "Nội dung sinh hoạt:",
        "1. Thông qua nghị quyết tháng 4",
        "2. Phân công đảng viên phụ trách hộ",
        "- Ý kiến của tổ dân phố",
        "Kết luận của đồng chí chủ trì.",
    ]
    assert doc.source.format == "docx"
    assert "đầu trang" not in doc.text and "Trang 1" not in doc.text


_NUMBERING = """<w:abstractNum %s w:abstractNumId="90">
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperRoman"/><w:lvlText w:val="%%1."/></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%%2."/></w:lvl>
  <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%%3)"/></w:lvl>
</w:abstractNum>"""


def test_docx_direct_numbering_counts_per_list_and_level(tmp_path):
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    d = docx.Document()
    numbering = d.part.numbering_part.element
    numbering.insert(0, parse_xml(_NUMBERING % nsdecls("w")))
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    for text, level in (
        ("PHẦN THỦ TỤC", 0),
        ("NỘI DUNG", 0),
        ("Báo cáo tình hình", 1),
        ("Ý kiến thảo luận", 1),
        ("về an ninh", 2),
        ("về vệ sinh", 2),
        ("Kết luận", 1),
        ("BIỂU QUYẾT", 0),
        ("Thông qua biên bản", 1),
    ):
        _numbered(d.add_paragraph(text), 90, level)
    path = tmp_path / "so.docx"
    d.save(path)
    assert read(path).text.split("\n") == [
        "I. PHẦN THỦ TỤC",
        "II. NỘI DUNG",
        "1. Báo cáo tình hình",
        "2. Ý kiến thảo luận",
        "a) về an ninh",
        "b) về vệ sinh",
        "3. Kết luận",
        "III. BIỂU QUYẾT",
        "1. Thông qua biên bản",
    ]


def test_docx_vntime_runs_are_converted_and_vntimeh_upper_cased(tmp_path):
    d = docx.Document()
    p = d.add_paragraph()
    p.add_run("biªn b¶n sinh ho¹t chi bé").font.name = ".VnTimeH"
    p = d.add_paragraph()
    p.add_run("§ång chÝ TrÇn V¨n Hïng").font.name = ".VnTime"
    p.add_run(" (Unicode): ")
    p.add_run("Cuoäc hoïp keát thuùc vaøo hoài 21 giôø.").font.name = "VNI-Times"
    path = tmp_path / "cu.docx"
    d.save(path)
    doc = read(path)
    assert doc.text == (
        "BIÊN BẢN SINH HOẠT CHI BỘ\nĐồng chí Trần Văn Hùng (Unicode): Cuộc họp kết thúc vào hồi 21 giờ."
    )
    assert doc.source.legacy_font in ("tcvn3", "vni")


def test_docx_legacy_font_set_in_the_normal_style(tmp_path):
    d = docx.Document()
    d.styles["Normal"].font.name = ".VnTime"
    d.add_paragraph("Chi bé khu phè 3 häp th\u00adêng kú.")
    d.add_paragraph("Tæng sè ®¶ng viªn: 25; cã mÆt: 23.")
    path = tmp_path / "style.docx"
    d.save(path)
    doc = read(path)
    assert doc.text == "Chi bộ khu phố 3 họp thường kỳ.\nTổng số đảng viên: 25; có mặt: 23."
    assert doc.source.legacy_font == "tcvn3"


# --- .docx zip bombs ------------------------------------------------------------------


@pytest.mark.parametrize(
    "unpacked, varied, words",
    [
        (200, False, "giải nén ra 200 MB, vượt giới hạn 100 MB (nghi là bom nén)"),  # 750 KB on disk
        (1100, False, "giải nén ra 1100 MB, vượt giới hạn 100 MB (nghi là bom nén)"),  # 4 MB on disk
        (3, False, "có tỷ lệ nén"),  # 11 KB on disk: under every size limit, compressed like a bomb
        (21, True, "phần word/document.xml giải nén ra 21 MB, vượt giới hạn 20 MB"),  # an ordinary ratio
    ],
    ids=["200MB", "1.1GB", "ratio", "part-size"],
)
def test_docx_zip_bomb_is_refused_before_anything_is_inflated(tmp_path, unpacked, varied, words):
    path = _write(tmp_path, "bien-ban-thang-5.docx", bomb_docx(unpacked, varied))
    with pytest.raises(ReadError) as caught:
        read(path)
    assert str(caught.value).startswith(f"{path}: ") and words in str(caught.value)


def test_docx_that_understates_its_size_is_read_only_up_to_the_stated_size(tmp_path):
    """The central directory says 1 MB; the stream inflates to 200 MB: reading stops at 1 MB and the CRC fails."""
    path = _write(tmp_path, "bien-ban-thang-6.docx", bomb_docx(200, declared=2**20))
    with pytest.raises(ReadError, match="không phải tệp Word .docx hợp lệ"):
        read(path)


def test_cli_on_a_docx_bomb_is_one_line_naming_the_file(tmp_path):
    from click.testing import CliRunner

    from minutes_nlp.cli.main import main

    path = _write(tmp_path, "bom.docx", bomb_docx(1100))
    result = CliRunner().invoke(main, ["segment", str(path)])  # analyze reads the same way, after loading its model
    assert result.exit_code != 0 and "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "bom.docx" in lines[0] and "bom nén" in lines[0]


# --- .pdf ----------------------------------------------------------------------------


def _pdf(path: Path, pages: list[str], password: str | None = None) -> Path:
    fpdf = pytest.importorskip("fpdf")
    if not FONT.exists():
        pytest.skip("DejaVuSans.ttf not installed (apt-get install fonts-dejavu-core)")
    pdf = fpdf.FPDF()
    pdf.add_font("DejaVu", "", str(FONT))
    for text in pages:
        pdf.add_page()
        if text:
            pdf.set_font("DejaVu", size=12)
            pdf.multi_cell(0, 8, text)
        else:
            pdf.rect(20, 20, 100, 60)  # a drawing, no text: what a scan looks like to a text extractor
    if password:
        pdf.set_encryption(owner_password="chu", user_password=password)
    pdf.output(str(path))
    return path


def test_pdf_pages_are_joined(tmp_path):
    path = _pdf(
        tmp_path / "bien-ban.pdf",
        ["ĐẢNG BỘ PHƯỜNG 5\nChi bộ khu phố 3", "Đồng chí Lê Văn Thuận: nhất trí với báo cáo."],
    )
    doc = read(path)
    assert doc.text == "ĐẢNG BỘ PHƯỜNG 5\nChi bộ khu phố 3\nĐồng chí Lê Văn Thuận: nhất trí với báo cáo."
    assert doc.source.pages == 2 and doc.source.format == "pdf"


def test_pdf_without_text_layer_needs_ocr(tmp_path):
    path = _pdf(tmp_path / "ban-scan.pdf", ["", ""])
    with pytest.raises(NeedsOCR, match="ban-scan.pdf.*không có lớp chữ.*--ocr auto"):
        read(path, ocr="never")
    if shutil.which("tesseract"):  # blank pages: OCR reads them and finds nothing
        with pytest.raises(ReadError, match="ban-scan.pdf: OCR không tìm thấy chữ"):
            read(path)


def test_encrypted_pdf_says_password_protected(tmp_path):
    path = _pdf(tmp_path / "mat-khau.pdf", ["Nội dung mật"], password="1234")
    with pytest.raises(ReadError, match="mat-khau.pdf.*có đặt mật khẩu"):
        read(path)


# --- .html ---------------------------------------------------------------------------


def test_html_visible_text_with_blocks_on_lines(tmp_path):
    html = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Tin tức</title>
    <style>p { color: red }</style><script>var x = "không hiện";</script></head>
    <body><h1>Sinh hoạt chi bộ khu phố 3</h1><!-- ghi chú -->
    <p>Tối ngày 03/4/2021, tại nhà văn hóa tổ dân phố,
       chi bộ tổ chức sinh hoạt thường kỳ.</p>
    <div>Đồng chí <b>Vũ Thị Hoa</b> &ndash; Phó Bí thư Chi bộ:<br>nhất trí.</div>
    <ul><li>Ý kiến 1</li><li>Ý kiến 2</li></ul>
    <table><tr><td>Có mặt</td><td>19/21</td></tr></table></body></html>"""
    doc = read(_write(tmp_path, "tin.html", html))
    assert doc.text.split("\n") == [
        "Sinh hoạt chi bộ khu phố 3",
        "Tối ngày 03/4/2021, tại nhà văn hóa tổ dân phố, chi bộ tổ chức sinh hoạt thường kỳ.",
        "Đồng chí Vũ Thị Hoa – Phó Bí thư Chi bộ:",
        "nhất trí.",
        "Ý kiến 1",
        "Ý kiến 2",
        "Có mặt\t19/21",
    ]
    assert doc.source.format == "html"


def test_htm_in_windows_1258_declared_by_meta(tmp_path):
    body = '<html><head><meta charset="windows-1258"></head><body><p>Chi bộ khu phố</p></body></html>'
    doc = read(_write(tmp_path, "cu.htm", _cp1258(body)))
    assert doc.text == "Chi bộ khu phố"


# --- .doc ----------------------------------------------------------------------------


def test_doc_without_libreoffice_says_how_to_fix(tmp_path, monkeypatch):
    path = _write(tmp_path, "bien-ban-cu.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(ReadError, match=r"bien-ban-cu.doc.*cần LibreOffice.*lưu dưới dạng \.docx"):
        read(path)


def test_doc_that_is_really_a_docx_is_read(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    path = _docx_minutes(tmp_path / "doi-ten.docx").rename(tmp_path / "doi-ten.doc")
    doc = read(path)
    assert doc.text.startswith("ĐẢNG BỘ PHƯỜNG 5") and doc.source.format == "doc"


def test_doc_saved_as_web_page_is_read(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    path = _write(tmp_path, "web.doc", "<html><body><p>Biên bản họp chi bộ</p></body></html>")
    assert read(path).text == "Biên bản họp chi bộ"


@pytest.mark.skipif(not (shutil.which("soffice") or shutil.which("libreoffice")), reason="LibreOffice not installed")
def test_doc_converted_with_libreoffice(tmp_path):
    office = shutil.which("soffice") or shutil.which("libreoffice")
    import subprocess

    src = _docx_minutes(tmp_path / "goc.docx")
    subprocess.run(
        [office, "--headless", "--convert-to", "doc", "--outdir", str(tmp_path), str(src)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    doc = read(tmp_path / "goc.doc")
    assert "Thông qua nghị quyết tháng 4" in doc.text and doc.source.format == "doc"


# --- errors ------------------------------------------------------------------------


def test_missing_file(tmp_path):
    with pytest.raises(ReadError, match="khong-co.txt: không tìm thấy tệp"):
        read(tmp_path / "khong-co.txt")


def test_directory(tmp_path):
    (tmp_path / "thu-muc.txt").mkdir()
    with pytest.raises(ReadError, match="thu-muc.txt: là thư mục, không phải tệp"):
        read(tmp_path / "thu-muc.txt")


@pytest.mark.parametrize("name", ["bien-ban.odt", "bien-ban.rtf", "bien-ban"])
def test_unsupported_extension_lists_supported_ones(tmp_path, name):
    with pytest.raises(UnsupportedFormat) as info:
        read(_write(tmp_path, name, "Biên bản"))
    message = str(info.value)
    assert name in message and "không đọc được loại tệp" in message
    assert all(ext in message for ext in SUPPORTED)


@pytest.mark.parametrize("content", [b"", b"   \n\t\r\n  ", "\ufeff\n".encode("utf-8")])
def test_empty_file(tmp_path, content):
    with pytest.raises(ReadError, match="trong.txt: không có nội dung chữ"):
        read(_write(tmp_path, "trong.txt", content))


def test_empty_docx(tmp_path):
    path = tmp_path / "trong.docx"
    docx.Document().save(path)
    with pytest.raises(ReadError, match="trong.docx: không có nội dung chữ"):
        read(path)


def test_unreadable_file(tmp_path, monkeypatch):
    path = _write(tmp_path, "khoa.txt", "Biên bản")

    def denied(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", denied)
    with pytest.raises(ReadError, match="khoa.txt: không có quyền đọc"):
        read(path)


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("hong.docx", b"PK\x03\x04 not really a zip", "không phải tệp Word .docx hợp lệ"),
        ("hong.docx", "Biên bản họp chi bộ".encode(), "không phải tệp Word .docx hợp lệ"),
        ("hong.docx", _zip({"word/document.xml": b"<w:document/>"}), "không phải tệp Word .docx hợp lệ"),
        ("hong.pdf", b"%PDF-1.4\n1 0 obj garbage", "không phải tệp PDF đọc được"),
        ("hong.pdf", b"", "không phải tệp PDF đọc được"),
        ("nhi-phan.txt", bytes(range(256)) * 4, "nội dung nhị phân"),
        ("word.txt", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "là tệp Word .doc"),
    ],
)
def test_corrupt_files(tmp_path, name, data, reason):
    with pytest.raises(ReadError) as info:
        read(_write(tmp_path, name, data))
    message = str(info.value)
    assert name in message and reason in message
    # no exception class of the library that failed ("(KeyError)", "(PDFSyntaxError)") reaches the reader
    assert not re.search(r"\b\w*(Error|Exception|EOF|BadZipFile)\b", message), message


# --- invariants ----------------------------------------------------------------------


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=2000))
def test_any_bytes_give_a_document_or_read_error(tmp_path, data):
    path = tmp_path / "ngau-nhien.txt"
    path.write_bytes(data)
    try:
        doc = read(path)
    except ReadError as exc:
        assert "ngau-nhien.txt" in str(exc)
        return
    assert doc.text.strip()
    assert normalize(doc.text) == doc.text


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=500))
def test_any_utf8_text_gives_a_document_or_read_error(tmp_path, text):
    path = tmp_path / "van-ban.txt"
    path.write_text(text, encoding="utf-8")
    try:
        doc = read(path)
    except ReadError:
        return
    assert normalize(doc.text) == doc.text
