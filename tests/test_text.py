"""Normalisation at the boundary, and invariants of segmentation on arbitrary text."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minutes_nlp.errors import NoSpeakers
from minutes_nlp.reading.text import normalize, unwrap
from minutes_nlp.segmentation.turns import segment


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("hoá đơn", "hóa đơn"),
        ("thuỷ lợi", "thủy lợi"),
        ("Uỷ ban", "Ủy ban"),
        ("khoẻ mạnh", "khỏe mạnh"),
        ("nôị dung", "nội dung"),
        ("thơì sự", "thời sự"),
        ("chất lựơng", "chất lượng"),
        ("\u00d0ảng bộ", "Đảng bộ"),
        ("quý", "quý"),
        ("giữa", "giữa"),
        ("hoàng", "hoàng"),
        ("KHOÁ", "KHÓA"),
        ("Chi\u00a0bộ\u200b", "Chi bộ"),
        ("dòng 1\r\ndòng 2  ", "dòng 1\ndòng 2"),
        ("Ho\u0300a", "Hòa"),  # decomposed input becomes NFC
        ("Néang", "Néang"),  # a Khmer name: not a Vietnamese vowel cluster, left alone
        ("QÙ", "QÙ"),  # no vowel after "qu": left alone, no crash
    ],
)
def test_normalize_fixes_tone_marks_and_characters(raw, clean):
    assert normalize(raw) == clean


def test_unwrap_joins_hard_wrapped_sentence_but_keeps_turns():
    text = (
        "- Đồng chí Lê Văn Sang: Tôi đề nghị chi bộ phân công mỗi chi ủy viên phụ trách\n"
        "một tổ dân phố để kiểm tra.\n- Đồng chí Đinh Thị Hương: Thống nhất."
    )
    assert unwrap(text) == (
        "- Đồng chí Lê Văn Sang: Tôi đề nghị chi bộ phân công mỗi chi ủy viên phụ trách "
        "một tổ dân phố để kiểm tra.\n- Đồng chí Đinh Thị Hương: Thống nhất."
    )


_CHARS = list(
    "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩị"
    "òóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵĐÐ:-–.,;()/ \n\t0123456789\u00a0\u200b\u0300\u0301"
)
_PIECES = ["Đồng chí ", "Đ/c ", "Lan", " Văn ", "Hùng: ", "phát biểu", "đề nghị", "Thảo luận:\n", "- ", ". "]
VIET = st.lists(st.one_of(st.sampled_from(_CHARS), st.sampled_from(_PIECES)), max_size=150).map("".join)


@given(VIET)
@settings(max_examples=300, deadline=None)
def test_normalize_is_idempotent(text):
    once = normalize(text)
    assert normalize(once) == once


@given(VIET)
@settings(max_examples=300, deadline=None)
def test_segment_invariants_on_arbitrary_text(text):
    text = normalize(text)
    try:
        doc = segment(text)
    except NoSpeakers:
        return
    prev_end = 0
    for seg in doc.segments:
        assert 0 <= seg.start < seg.end <= len(text)
        assert seg.start >= prev_end, "segments overlap or are out of order"
        prev_end = seg.end
        last = seg.start
        for sent in seg.sentences:
            assert seg.start <= sent.start < sent.end <= seg.end
            assert sent.start >= last
            last = sent.end


def test_normalize_tones_returns_standard_text_itself_and_fixes_only_new_style_words():
    from minutes_nlp.reading.text import normalize_tones

    standard = "Chi bộ thống nhất kế hoạch hòa giải, thủy lợi và bảo vệ môi trường."
    assert normalize_tones(standard) is standard
    mixed = "Hoà giải ở thôn Hoà Bình, thuỷ lợi; hòa giải đã xong. Néang Sóc"
    assert normalize_tones(mixed) == "Hòa giải ở thôn Hòa Bình, thủy lợi; hòa giải đã xong. Néang Sóc"
