"""The Vietnamese spaCy tokenizer is lossless, keeps offsets, and carries underthesea's words in NORM."""

import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st

from minutes_nlp.classifiers.vi_tokenizer import ViTokenizer, word_spans


@pytest.fixture(scope="module")
def nlp():
    nlp = spacy.blank("xx")
    nlp.tokenizer = ViTokenizer(nlp.vocab)
    return nlp


TEXTS = [
    "Chi bộ đã thu 4.500.000 đồng đảng phí, có mặt 19/21 đảng viên.",
    "Đồng chí Nguyễn Văn Hải phát biểu:\tTôi thống nhất với dự thảo báo cáo.",
    "- Đ/c Lan (Tổ 5):  Hẻm 42 ngập nặng mỗi khi mưa lớn, bà con rất bức xúc!!",
    "Thời gian: 19h30 ngày 05/3/2024.\nĐịa điểm: Hội trường khu phố 3.\n\nCó mặt: 25/28.",
    "  Đề nghị chi bộ phân công đảng viên phụ trách từng tổ dân phố.  \n",
    "Kiến nghị Đảng ủy phường sớm có văn bản chỉ đạo xử lý dứt điểm…",
    "Thu đạt 96% kế hoạch (tăng 3,5% so với cùng kỳ); chi 1.250,5 triệu đồng.",
    "\n\n\t \n",
    "",
    "Ủy ban nhân dân xã Thụy Lôi\u00a0hỗ trợ 100 tấn xi măng.\r\nXin cảm ơn chi bộ.",
    "Ho\u0300a thuận, khoẻ mạnh, THỦ TỤC RƯỜM RÀ, email: to5@phuong.gov.vn",
]


@pytest.mark.parametrize("text", TEXTS)
def test_doc_text_is_the_input_exactly(nlp, text):
    assert nlp(text).text == text


@pytest.mark.parametrize("text", TEXTS)
def test_token_offsets_point_at_the_token_text(nlp, text):
    doc = nlp(text)
    for token in doc:
        assert text[token.idx : token.idx + len(token.text)] == token.text
        assert token.text  # never an empty token
    assert sum(len(t.text_with_ws) for t in doc) == len(text)


def test_compound_words_become_syllables_sharing_the_word_as_norm(nlp):
    doc = nlp("Chi bộ thống nhất phân công đồng chí Nguyễn Văn Hải.")
    pairs = [(t.text, t.norm_) for t in doc]
    assert ("Chi", "chi_bộ") in pairs and ("bộ", "chi_bộ") in pairs
    assert ("Nguyễn", "nguyễn_văn_hải") in pairs and ("Hải", "nguyễn_văn_hải") in pairs
    assert not any(" " in t.text for t in doc)


@pytest.mark.parametrize(
    "text, token",
    [
        ("thu 4.500.000 đồng", "4.500.000"),
        ("có mặt 19/21 đảng viên", "19/21"),
        ("ngày 05/3/2024", "05/3/2024"),
    ],
)
def test_numbers_stay_one_token(nlp, text, token):
    assert token in [t.text for t in nlp(text)]


def test_whitespace_follows_spacy_conventions(nlp):
    doc = nlp("Tôi  nhất trí.\nXin cảm ơn.")
    assert [t.text for t in doc][:2] == ["Tôi", " "]  # an extra space is a token of its own
    assert "\n" in [t.text for t in doc]
    assert doc[0].whitespace_ == " "


def test_lines_are_tokenized_separately():
    spans = word_spans("Chi\nbộ họp")
    assert [w for _, _, w in spans][:2] == ["chi", "bộ"]  # never the word "chi bộ" across a newline


def test_tokenizer_is_registered_for_configs():
    make = spacy.registry.tokenizers.get("minutes_nlp.vi_tokenizer")()
    nlp = spacy.blank("xx")
    assert make(nlp)("Chi bộ").text == "Chi bộ"


def test_nlp_with_the_tokenizer_round_trips_through_disk(tmp_path, nlp):
    nlp.to_disk(tmp_path / "m")
    other = spacy.blank("xx")
    other.tokenizer = ViTokenizer(other.vocab)
    other.from_disk(tmp_path / "m")
    assert other("Chi bộ họp").text == "Chi bộ họp"


_CHARS = list(
    "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịĐ"
    "òóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ:-–.,;()/%…!?\"' \n\t\r0123456789\u00a0\u200b\u0300\u0301"
)
_PIECES = ["chi bộ ", "Đồng chí ", "Đ/c ", "Nguyễn Văn Hải", " đề nghị ", "4.500.000", "19/21", ". ", "\n- "]
VIET = st.lists(st.one_of(st.sampled_from(_CHARS), st.sampled_from(_PIECES)), max_size=80).map("".join)


@given(st.one_of(VIET, st.text(max_size=60)))
@settings(max_examples=200, deadline=None)
def test_doc_text_is_the_input_for_arbitrary_text(text):
    nlp = spacy.blank("xx")
    nlp.tokenizer = ViTokenizer(nlp.vocab)
    doc = nlp(text)
    assert doc.text == text
    for token in doc:
        assert token.text and text[token.idx : token.idx + len(token.text)] == token.text
