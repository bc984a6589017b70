"""Repair of text that lost bytes in a Windows-1252 round trip ("Ä�áº¢NG Bá»˜"). Names invented."""

from __future__ import annotations

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minutes_nlp.reading.documents import read
from minutes_nlp.reading.mojibake import has_lossy, repair_lossy
from minutes_nlp.reading.syllables import count_syllables

LINES = [
    "ĐẢNG BỘ PHƯỜNG HÒA XUÂN",
    "BIÊN BẢN SINH HOẠT CHI BỘ THƯỜNG KỲ THÁNG 10 NĂM 2023",
    "Đồng chí Trịnh Thị Ngọc Hân - Phó Bí thư chi bộ phát biểu: đề nghị bỏ phiếu kín.",
    "Đ/c Hồ Văn Tới: tổ 3 còn 5 hộ chưa sửa bờ kè, nước tràn vào ruộng, đề nghị phường hỗ trợ.",
    "Ý KIẾN THẢO LUẬN CỦA CÁC ĐỒNG CHÍ ĐẢNG VIÊN",
    "Đồng chí Bí thư tiếp thu ý kiến, giao đồng chí Tới làm việc với tổ trưởng trước ngày 20/10.",
    "Hội nghị kết thúc vào hồi 21 giờ cùng ngày. Thư ký: Lò Thị Ngọc.",
]


def damage(text: str) -> str:
    """What a Windows tool writes for UTF-8 text: bytes 81, 8D, 8F, 90, 9D become U+FFFD."""
    return text.encode("utf-8").decode("cp1252", errors="replace")


@pytest.mark.parametrize("line", LINES)
def test_lost_bytes_are_restored(line):
    damaged = damage(line)
    assert "\ufffd" in damaged and has_lossy(damaged)
    assert repair_lossy(damaged) == line


def test_damaged_example_from_the_issue():
    assert damage("ĐẢNG BỘ") == "Ä\ufffdáº¢NG Bá»˜"
    assert repair_lossy("Ä\ufffdáº¢NG Bá»˜") == "ĐẢNG BỘ"


def test_neighbours_decide_between_frequent_readings():
    # "bỏ" is the more frequent syllable, "bờ" the one "kè" and "sông" go with
    table = dict(count_syllables(["đề nghị bỏ phiếu, bỏ phiếu kín, bỏ qua, bờ kè, bờ sông"]))
    assert repair_lossy(damage("sửa bờ kè và bỏ phiếu"), table) == "sửa bờ kè và bỏ phiếu"
    assert repair_lossy(damage("bờ sông"), {"bỏ": 9, "bờ": 1}) == "bỏ sông"  # without pairs, frequency alone


def test_clean_text_and_stray_replacement_characters_are_left_alone():
    assert not has_lossy("ĐẢNG BỘ PHƯỜNG 5, Hà Nội")
    assert not has_lossy("Nguyễn Văn \ufffd nhất trí")
    assert repair_lossy("Hà Nội, ngày 08/5/2024 \ufffd") == "Hà Nội, ngày 08/5/2024 \ufffd"


def test_damaged_txt_is_read_as_the_clean_text(tmp_path):
    text = "\n".join(LINES)
    path = tmp_path / "loi-ma.txt"
    path.write_text(damage(text), encoding="utf-8")
    doc = read(path)
    assert doc.text == text
    assert doc.source.repaired_mojibake


def test_damaged_docx_table_cells_are_repaired_at_their_offsets(tmp_path):
    d = docx.Document()
    d.add_paragraph(damage("Ý kiến thảo luận:"))
    table = d.add_table(rows=2, cols=3)
    for r, row in enumerate([("TT", "Người phát biểu", "Nội dung ý kiến"), ("1", "Đỗ Thị Ngọc", "Đề nghị sửa bờ kè.")]):
        for c, value in enumerate(row):
            table.cell(r, c).text = damage(value)
    d.save(tmp_path / "loi-ma.docx")
    doc = read(tmp_path / "loi-ma.docx")
    assert doc.text == "Ý kiến thảo luận:\nTT | Người phát biểu | Nội dung ý kiến\n1 | Đỗ Thị Ngọc | Đề nghị sửa bờ kè."
    assert [doc.text[c.start : c.end] for c in doc.tables[1].cells] == ["1", "Đỗ Thị Ngọc", "Đề nghị sửa bờ kè."]
    assert doc.source.repaired_mojibake


def test_c1_controls_kept_by_the_round_trip_are_still_repaired(tmp_path):
    import ftfy.bad_codecs  # noqa: F401  registers sloppy-windows-1252: the lost bytes kept as C1 controls

    text = "\n".join(LINES)
    path = tmp_path / "c1.txt"
    path.write_text(text.encode("utf-8").decode("sloppy-windows-1252"), encoding="utf-8")
    assert read(path).text == text


# ftfy's mojibake test is run over only the alternatives of its pattern that the text's characters allow
# (reading/badness.py); it must answer as ftfy does, on clean text, on mojibake, and on any mix.
_BADNESS_ALPHABET = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐÊÔƠƯàáảãạằắầấèéẻẽẹềếìíòóỏõọồốờớùúủũụừứỳýÀÁÂÃÈÉÌÍÒÓÔÕÙÚÝ"
    "ÄÅÆÇËÎÏÐÑÖ×ØÜßäåæçëîïðñöøü¢£¥€°±²³µ·»«“”‘’‚„•–—…™®©§¶¦¤¨¬¯¸ƒˆ˜†‡‰ΒΓΞΟβВГРСЂўαЖ│┌═▀"
    "\x81\x8d\x90\x9d\ufffd\xa0\xad .,:;?!-/()0123456789\n\t"
)


@pytest.mark.parametrize(
    "text",
    [
        *LINES,
        *(damage(line) for line in LINES),
        *(line.encode("utf-8").decode("sloppy-windows-1252") for line in LINES),
        "hoàNG Hôm nay, “Chi bộ” họp lúc 19 giờ – 21 giờ.",  # a lower-case accent before a capital one
        "Â Ã Thành phố",
        "x Â ",
        "Kinh phí 5 triệu × 2 đợt, ± 10%.",
        "",
    ],
)
def test_mojibake_test_answers_as_ftfy(text):
    from ftfy.badness import is_bad as ftfy_is_bad

    from minutes_nlp.reading import badness

    assert badness._PREPARED is not None  # the installed ftfy's pattern was split into its alternatives
    assert badness.is_bad(text) == ftfy_is_bad(text)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=_BADNESS_ALPHABET, max_size=12))
def test_mojibake_test_answers_as_ftfy_on_any_mix(text):
    from ftfy.badness import is_bad as ftfy_is_bad

    from minutes_nlp.reading.badness import is_bad

    assert is_bad(text) == ftfy_is_bad(text)
