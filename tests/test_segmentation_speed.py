"""The segmenter's shortcuts give what the patterns they stand for give (issue 11: faster, same output)."""

import numpy as np

from minutes_nlp.segmentation import features, header, rules
from minutes_nlp.segmentation.phrases import ODD, finditer_after, odd_characters
from minutes_nlp.segmentation.turns import turn_finder

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


MINUTES = """BIÊN BẢN SINH HOẠT CHI BỘ THÁNG 5
Chủ trì: đồng chí Lò Văn Sinh - Bí thư chi bộ. Thư ký: đồng chí Hà Thị Mơ.
Có mặt 12/14 đảng viên, vắng 2 (có lý do).
I. Báo cáo tình hình
Đồng chí Bí thư báo cáo kết quả tháng 5: chi bộ hoàn thành 9 trên 10 chỉ tiêu.
II. Thảo luận
- Đ/c Nguyễn Văn Bình, tổ 3: đề nghị tăng quỹ khuyến học. Đ/c Trần Thị Lụa phát biểu: nhất trí.
- Ama Kông hỏi: bao giờ làm đường?
- Đại úy Lò Văn Sánh (Công an xã) cho biết đã tuần tra đủ 8 đêm.
- Cần sửa mái nhà văn hóa trước mùa mưa (ý kiến đ/c Phạm Văn Tước, tổ 2).
III. Kết luận
Đồng chí Lò Văn Sinh kết luận: tiếp thu các ý kiến, giao tổ 3 lập danh sách.
Hội nghị kết thúc lúc 11 giờ cùng ngày."""


def _opening(feats: list[dict], start: str) -> dict:
    return next(f for f, u in feats if MINUTES[u.start :].startswith(start))


def test_marker_shape_classes_the_opening_words():
    ctx = features.context(MINUTES)
    feats = list(zip(features.unit_features(ctx), ctx.units))
    assert _opening(feats, "- Ama Kông hỏi")["marker_shape"] == "N V :"
    assert _opening(feats, "- Đại úy Lò Văn Sánh")["marker_shape"] == "T N ("
    assert _opening(feats, "Đ/c Trần Thị Lụa")["marker_shape"] == "T N V :"


def test_decoder_reads_unconverted_flags_as_crfsuite_items():
    finder = turn_finder()
    ctx = features.context(MINUTES)
    raw, items = features.unit_features(ctx, crf=False), features.unit_features(ctx)
    assert any(v is False for f in raw for v in f.values())  # the flags _crf leaves out are there
    for only in ({}, {0: "B-procedural", 3: "I", 6: "B-discussion"}):
        assert finder.decode(raw, only) == finder.decode(items, only) == _numpy_viterbi(finder.decode, items, only)


def _numpy_viterbi(decoder, feats: list[dict], only: dict[int, str]) -> list[str]:
    """The textbook Viterbi in numpy over the same weights: the reference the plain-float loop must match."""
    emission = np.zeros((len(feats), len(decoder.labels)))
    for k, f in enumerate(feats):
        for key, value in f.items():
            j = decoder.by_value.get(key, {}).get(value) if isinstance(value, str) else decoder.attrs.get(key)
            if j is not None:
                emission[k] += (1.0 if isinstance(value, str) else value) * decoder.state[j]
    for k, label in only.items():
        keep = emission[k, decoder.index[label]]
        emission[k] = -1e9
        emission[k, decoder.index[label]] = keep
    back = np.zeros(emission.shape, dtype=int)
    delta = emission[0]
    for t in range(1, len(feats)):
        scores = delta[:, None] + decoder.transition + emission[t][None, :]
        back[t], delta = scores.argmax(axis=0), scores.max(axis=0)
    path = [int(delta.argmax())]
    for t in range(len(feats) - 1, 0, -1):
        path.append(int(back[t, path[-1]]))
    return [decoder.labels[i] for i in reversed(path)]


def test_speaker_names_left_out_are_unknown_to_the_model_and_change_no_tag():
    finder = turn_finder()
    known = finder.token_names.known
    ctx = features.context(MINUTES)
    words = (b"w:", b"-1:w:", b"-2:w:", b"+1:w:", b"+2:w:")
    dropped = 0
    for k in range(len(ctx.units)):
        toks = features.speaker_window(ctx, k, len(MINUTES))
        every, flags = features.token_features(ctx, toks)
        kept, same_flags = features.token_features(ctx, toks, finder.token_names)
        assert flags == same_flags
        assert kept == [[n for n in f if not n.startswith(words) or n.decode() in known] for f in every]
        dropped += sum(map(len, every)) - sum(map(len, kept))
        as_text = [[n.decode() for n in f] for f in every]  # python-crfsuite encodes str names itself
        assert finder.speakers.tag(kept) == finder.speakers.tag(every) == finder.speakers.tag(as_text)
    assert dropped > 0


def test_token_names_are_python_crfsuite_names_of_the_features():
    ctx = features.context(MINUTES)
    start = MINUTES.index("- Ama Kông")
    k = next(k for k, u in enumerate(ctx.units) if u.start == start)
    names, in_attr = features.token_features(ctx, features.speaker_window(ctx, k, len(MINUTES)))
    kong = names[2]  # "Kông": {"w": "kông", "shape": "Aa", "i": "<=2", …, "-1:w": "ama", "-2:w": "-", "+1:w": "hỏi", …}
    for name in (b"bias", b"w:k\xc3\xb4ng", b"shape:Aa", b"i:<=2", b"title:none", b"paren:0", b"colons:0"):
        assert name in kong
    assert kong.index(b"w:k\xc3\xb4ng") < kong.index(b"-1:w:ama") < kong.index(b"+1:w:h\xe1\xbb\x8fi")
    assert b"+1:speech" in kong and b"-2:w:-" in kong and b"-2:w:ama" not in kong and not any(in_attr)
