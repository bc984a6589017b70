"""Sentence splitting of a contribution's lines (segmentation/sentences.py). Names invented."""

from __future__ import annotations

import pytest
from underthesea import sent_tokenize

from minutes_nlp.segmentation.sentences import _sentences, split_sentences


@pytest.mark.parametrize(
    "line",
    [
        "Đồng chí Hùng nhất trí với báo cáo.",
        "Đề nghị chuyển sinh hoạt về TP.",  # an abbreviation at the end: no boundary, still one sentence
        "Kinh phí 1.500.000 đồng đã chi hết.",
        "Có ý kiến gì nữa không?!",
        "Thống nhất... Đề nghị tổ 3 làm ngay",
        "Nhất trí. Tổ 3 làm ngay.",
        "  Nhất trí  ",
        "...",
        "?",
        "Giao đ/c Lan theo dõi …",
        "Chờ ý kiến cấp trên..",
        "Đề nghị bổ sung. ",
    ],
)
def test_sentences_of_a_line_are_underthesea_s(line):
    """A line whose only . ? ! close it skips underthesea's splitter and must get what the splitter gives."""
    assert _sentences(line) == sent_tokenize(line)


def test_split_sentences_of_a_contribution():
    text = "Đ/c Hoa: nhất trí với báo cáo của TP.\n- Đề nghị sửa cống hẻm 3. Cần xong trước 30/6.\n- Còn 2 hộ nợ quỹ"
    start = text.index("nhất")
    got = [text[s.start : s.end] for s in split_sentences(text, start, len(text))]
    assert got == [
        "nhất trí với báo cáo của TP.",
        "Đề nghị sửa cống hẻm 3.",
        "Cần xong trước 30/6.",
        "Còn 2 hộ nợ quỹ",
    ]
