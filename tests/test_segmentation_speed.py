"""The segmenter's shortcuts give what the patterns they stand for give (issue 11: faster, same output)."""

from minutes_nlp.segmentation import features, header, rules
from minutes_nlp.segmentation.phrases import ODD, finditer_after, odd_characters

LINES = [
    "II. THẢO LUẬN:",
    "Ý kiến tham gia của các đồng chí đảng viên",
    "Chi bộ biểu quyết thông qua nghị quyết",
    "Góp Ý",
    "Đồng chí Nguyễn Văn Hòa phát biểu: nhất trí với báo cáo.",
    "Bİểu quyết:",  # re folds İ onto i, str.lower() gives i and a combining dot
    "Thảo lıận",  # re folds ı onto i too, str.lower() keeps it
    "Hội nghị kết thúc lúc 11 giờ 30 phút cùng ngày.",
    "Buổi sinh hoạt KẾT THÚC vào 16h, kết thúc lúc 17 giờ",
    "",
]


def test_phrase_shortcuts_agree_with_their_patterns():
    for line in LINES:
        assert rules._HEADING_PHRASES.found(line) == bool(rules._HEADING_WORDS.search(line)), line
        assert rules._DISCUSSION_PHRASES.found(line) == bool(rules._DISCUSSION_HEADING.search(line)), line
    assert rules._HEADING_PHRASES.found("Bİểu quyết:")  # a substring test on the lower case alone misses it
    assert "biểu quyết" not in "Bİểu quyết:".lower()
    text = "\n".join(LINES)
    expected = [(m.span(), m.groups()) for m in header._END_TIME.finditer(text)]
    assert [(m.span(), m.groups()) for m in header._END_TIMES.finditer(text)] == expected
    assert len(expected) == 3


def test_odd_characters_are_all_known():
    for phrases in (rules._HEADING_PHRASES, rules._DISCUSSION_PHRASES, header._END_TIMES):
        assert odd_characters(phrases.phrases) <= ODD


def test_breaks_found_only_after_stops_are_the_same():
    text = (
        "Tháng 5 thu được 12 triệu đồng.Đồng chí Lan đề nghị tăng quỹ; đ/c Hùng nhất trí.  (Ý kiến đ/c Tâm.) Xong!\n"
        'Kết luận: … các đồng chí thực hiện."  Đ/c Bình hỏi?Đ/C Mai trả lời.'
    )
    for pattern in (rules._SENTENCE_START, features._BREAK):
        for start in range(len(text)):
            for end in (start + 15, start + 60, len(text)):
                expected = [m.span() for m in pattern.finditer(text, start, end)]
                assert [m.span() for m in finditer_after(pattern, text, start, end, rules._STOPS)] == expected


def test_summary_counts_only_in_its_first_31_characters():
    early = "x" * 29 + " các ý kiến khác nhất trí"
    late = "x" * 31 + " các ý kiến khác nhất trí"
    assert rules._is_aggregate(early)
    assert not rules._is_aggregate(late)
    assert not rules._is_aggregate("Thống nhất với các ý kiến trên")


def test_document_tokens_are_the_tokens_of_each_range():
    text = "1.Đồng chí Lê Thị Hoa (Bí thư) phát biểu: chi bộ đạt 95%.\n- Đ/c Nguyễn Văn Bình, tổ 3: nhất trí."
    ctx = features.DocContext(text, [], None, None, {}, set(), {}, {})
    for start in range(-1, len(text) + 2):
        for end in range(start, len(text) + 2, 3):
            assert ctx.tokens(start, end) == features.tokens(text, start, end), (start, end)
    long = text * (features.INDEX_LIMIT // len(text) + 1)  # searched per range, no index of every token
    ctx = features.DocContext(long, [], None, None, {}, set(), {}, {})
    assert ctx.tokens(2, 40) == features.tokens(long, 2, 40) and ctx._tokens is None


def test_crf_items_keep_strings_and_true_flags():
    assert features._crf({"w0": "đồng", "heading": True, "closing": False, "n": 2}) == {
        "w0": "đồng",
        "heading": 1.0,
        "n": 2,
    }


def test_given_name_resolves_to_the_one_full_name():
    people = rules._People(header.Header(chair="Lê Thị Hoa", secretary="Trần Văn Nam"))
    people.add("Phạm Thị Hoa")
    assert people.resolve("Nam") == "Trần Văn Nam"
    assert people.resolve("hoa") == "hoa"  # two full names end with Hoa
    assert people.resolve("Bình") == "Bình"
