"""Where the commands write, and what they read before the work: --out checked first, formats from extensions.

A model name that does not exist ("khong-co") is passed where the checks must
come first: the refusal then has to be about --out, proving the model was not
loaded (nor any minutes read) before it.
"""

from __future__ import annotations

import json
import unicodedata

import openpyxl
import pytest
from click.testing import CliRunner

from minutes_nlp.cli.main import main

MINUTES = """CHI BỘ KHU PHỐ 9
BIÊN BẢN SINH HOẠT CHI BỘ THƯỜNG KỲ THÁNG 3 NĂM 2023
Thời gian: 19 giờ 00, ngày 05/3/2023. Kết thúc lúc 21 giờ 00.
Chủ trì: đồng chí Hà Văn Khôi - Bí thư chi bộ. Thư ký: đồng chí Mạc Thị Yến.
Tổng số đảng viên: 16; có mặt: 15; vắng: 01 (có lý do).
Thảo luận:
- Đồng chí Quách Văn Lộc: Đề nghị chi bộ vận động các hộ dọn vệ sinh kênh Ba Bò trước ngày 20/3.
- Đồng chí Tạ Thị Nhung: Đường hẻm 12 ngập mỗi khi mưa lớn, bà con phản ánh nhiều lần.
Đồng chí chủ trì kết luận: Giao tổ 3 vận động các hộ dọn vệ sinh kênh trước ngày 20/3.
"""


def run(*args, **kwargs):
    return CliRunner().invoke(main, [str(a) for a in args], **kwargs)


def one_clear_line(result) -> str:
    """The single line a refused command prints (no traceback), for the test to read."""
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    return lines[0]


@pytest.fixture()
def minutes_file(tmp_path):
    path = tmp_path / "kp9-2023-03.txt"
    path.write_text(MINUTES, encoding="utf-8")
    return path


# ---------------------------------------------------------------- --out into a folder that does not exist


@pytest.mark.parametrize(
    "args",
    [
        ["analyze", "{minutes}", "--format", "xlsx", "--out", "{missing}/bao-cao.xlsx"],
        ["analyze", "{minutes}", "--format", "html", "--out", "{missing}/bao-cao"],
        ["analyze", "{minutes}", "{minutes}", "--format", "html", "--out", "{missing}/cac-bao-cao"],
        ["analyze", "{minutes}", "--out", "{missing}/bao-cao.json"],
        ["flag", "{minutes}", "--out", "{missing}/canh-bao.csv"],
        ["flag", "{minutes}", "--out", "{missing}/canh-bao.xlsx"],
        ["survey", "{minutes}", "--out", "{missing}/khao-sat.xlsx"],
        ["survey", "{minutes}", "--out", "{missing}/khao-sat.html"],
    ],
)
def test_out_into_a_missing_folder_is_refused_before_the_model_loads(minutes_file, tmp_path, args):
    missing = tmp_path / "chua-tao"
    argv = [a.format(minutes=minutes_file, missing=missing) for a in args] + ["--model", "khong-co"]
    result = run(*argv)
    assert result.exit_code == 1
    line = one_clear_line(result)
    assert line.startswith("Lỗi: --out ") and f"thư mục {missing} không tồn tại" in line
    assert "khong-co" not in result.output  # the model was never looked for
    assert not missing.exists()


def test_out_that_is_a_folder_where_a_file_goes_is_refused(minutes_file, tmp_path):
    (tmp_path / "bao-cao.xlsx").mkdir()
    result = run("analyze", minutes_file, "--out", tmp_path / "bao-cao.xlsx", "--model", "khong-co")
    assert result.exit_code == 1 and "là một thư mục; hãy cho tên tệp" in one_clear_line(result)


def test_a_write_that_fails_after_the_analysis_is_one_line(minutes_file, tmp_path, monkeypatch):
    import minutes_nlp.reports.xlsx as xlsx

    def full_disk(meetings, path):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(xlsx, "write_xlsx", full_disk)
    result = run("analyze", minutes_file, "--out", tmp_path / "bao-cao.xlsx")
    assert result.exit_code == 1
    assert one_clear_line(result) == f"Lỗi: không ghi được {tmp_path / 'bao-cao.xlsx'} (No space left on device)"


def test_html_of_several_files_goes_into_a_new_folder_inside_an_existing_one(minutes_file, tmp_path):
    second = tmp_path / "kp9-2023-04.txt"
    second.write_text(MINUTES.replace("THÁNG 3", "THÁNG 4"), encoding="utf-8")
    result = run("analyze", minutes_file, second, "--format", "html", "--out", tmp_path / "bao-cao")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "bao-cao").iterdir()) == ["kp9-2023-03.html", "kp9-2023-04.html"]


# ---------------------------------------------------------------- the format from the extension of --out


def test_out_xlsx_without_format_writes_the_workbook(minutes_file, tmp_path):
    out = tmp_path / "bao-cao.xlsx"
    result = run("analyze", minutes_file, "--out", out)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""  # nothing printed in place of the workbook
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Cuộc họp", "Ý kiến", "Cảnh báo"]
    assert book["Cuộc họp"]["B2"].value == "kp9-2023-03.txt"


def test_out_html_without_format_writes_one_page(minutes_file, tmp_path):
    out = tmp_path / "bao-cao.html"
    assert run("analyze", minutes_file, "--out", out).exit_code == 0
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "Quách Văn Lộc" in page


def test_out_json_and_jsonl_and_txt_without_format(minutes_file, tmp_path):
    assert run("analyze", minutes_file, "--out", tmp_path / "a.json").exit_code == 0
    report = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    assert report["source_file"] == "kp9-2023-03.txt" and report["meta"]["members_present"] == 15
    assert run("analyze", minutes_file, minutes_file, "--out", tmp_path / "a.jsonl").exit_code == 0
    lines = (tmp_path / "a.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["kp9-2023-03", "kp9-2023-03"]
    assert run("analyze", minutes_file, "--out", tmp_path / "a.txt").exit_code == 0
    table = (tmp_path / "a.txt").read_text(encoding="utf-8")
    assert table.startswith("== kp9-2023-03.txt ==") and "Điểm thực chất:" in table


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--out", "{tmp}/bao-cao.pdf"], "không biết định dạng từ đuôi tệp"),
        (["--out", "{tmp}/bao-cao"], "không biết định dạng từ đuôi tệp"),
        (["--format", "json", "--out", "{tmp}/bao-cao.xlsx"], "--format json không khớp với --out"),
        (["--format", "xlsx"], "--format xlsx cần --out TỆP.xlsx"),
        (["{minutes}", "--out", "{tmp}/mot-trang.html"], "là một tệp HTML nhưng có 2 tệp biên bản"),
    ],
)
def test_an_out_whose_format_cannot_work_is_refused_first(minutes_file, tmp_path, args, words):
    argv = [a.format(tmp=tmp_path, minutes=minutes_file) for a in args]
    result = run("analyze", minutes_file, *argv, "--model", "khong-co")
    assert result.exit_code == 2 and words in result.output
    assert "khong-co" not in result.output and "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == [minutes_file]


# ---------------------------------------------------------------- classify reads like analyze


def test_classify_reads_a_utf16_file(tmp_path):
    path = tmp_path / "cau.txt"
    path.write_text("Đề nghị chi bộ sớm sửa đèn đường hẻm 5.\nTôi thống nhất với dự thảo.\n", encoding="utf-16")
    result = run("classify", path)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [r["text"] for r in rows] == ["Đề nghị chi bộ sớm sửa đèn đường hẻm 5.", "Tôi thống nhất với dự thảo."]
    assert [r["label"] for r in rows] == ["proposal", "agreement"]


def _cp1258(text: str) -> bytes:
    """text as Windows-1258 writes it: base letters precomposed, tone marks as combining characters."""
    out = []
    for ch in text:
        base, *marks = unicodedata.normalize("NFD", ch)
        tones = "".join(m for m in marks if m in "\u0300\u0301\u0303\u0309\u0323")
        shape = "".join(m for m in marks if m not in tones)
        out.append((unicodedata.normalize("NFC", base + shape) + tones).encode("cp1258"))
    return b"".join(out)


def test_classify_reads_windows_1258_from_standard_input():
    data = _cp1258("Tôi thống nhất với dự thảo báo cáo.\n")
    assert data.decode("cp1258") != "Tôi thống nhất với dự thảo báo cáo.\n"  # combining marks, not NFC
    result = run("classify", "-", input=data)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["text"] == "Tôi thống nhất với dự thảo báo cáo."


def test_classify_refuses_a_binary_file_in_one_line(tmp_path):
    path = tmp_path / "anh.txt"
    path.write_bytes(bytes(range(256)) * 8)
    result = run("classify", path, "--model", "khong-co")
    assert result.exit_code == 1
    line = one_clear_line(result)
    assert "anh.txt: không phải tệp văn bản (nội dung nhị phân)" in line and "khong-co" not in result.output


def test_classify_of_a_missing_file_is_one_line(tmp_path):
    result = run("classify", tmp_path / "khong-co.txt")
    assert result.exit_code == 1 and "khong-co.txt: không tìm thấy tệp" in one_clear_line(result)


# ---------------------------------------------------------------- a broken .docx


def test_broken_docx_is_one_line_without_exception_names(tmp_path):
    import zipfile

    path = tmp_path / "hong.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")  # no [Content_Types].xml: python-docx raises KeyError
    result = run("analyze", path)
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"minutes-nlp: {path}: không phải tệp Word .docx hợp lệ, có thể bị hỏng "
        "(hãy mở bằng Word rồi lưu lại dưới dạng .docx)"
    )
