"""Golden tests for the TCVN3 and VNI tables, written by hand from the font layouts."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from minutes_nlp.reading.legacy import (
    TCVN3,
    VNI,
    detect_legacy,
    font_encoding,
    is_capitals_font,
    is_vietnamese_syllable,
    legacy_scores,
    to_unicode,
)

# Each row: one vowel with no tone, huyền, sắc, hỏi, ngã, nặng (TCVN3 has the plain vowels in ASCII).
TCVN3_ALPHABET = [
    ("a µ ¸ ¶ · ¹", "a à á ả ã ạ"),
    ("¨ » ¾ ¼ ½ Æ", "ă ằ ắ ẳ ẵ ặ"),
    ("© Ç Ê È É Ë", "â ầ ấ ẩ ẫ ậ"),
    ("e Ì Ð Î Ï Ñ", "e è é ẻ ẽ ẹ"),
    ("ª Ò Õ Ó Ô Ö", "ê ề ế ể ễ ệ"),
    ("i × Ý Ø Ü Þ", "i ì í ỉ ĩ ị"),
    ("o ß ã á â ä", "o ò ó ỏ õ ọ"),
    ("« å è æ ç é", "ô ồ ố ổ ỗ ộ"),
    ("¬ ê í ë ì î", "ơ ờ ớ ở ỡ ợ"),
    ("u ï ó ñ ò ô", "u ù ú ủ ũ ụ"),
    ("\u00ad õ ø ö ÷ ù", "ư ừ ứ ử ữ ự"),
    ("y ú ý û ü þ", "y ỳ ý ỷ ỹ ỵ"),
    ("® §", "đ Đ"),
    ("¡ ¢ £ ¤ ¥ ¦", "Ă Â Ê Ô Ơ Ư"),
]

TCVN3_SENTENCES = [
    ("§¶ng bé ph\u00adêng", "Đảng bộ phường"),
    ("Chi bé khu phè", "Chi bộ khu phố"),
    (
        "Biªn b¶n sinh ho¹t chi bé th\u00adêng kú th¸ng 5 n¨m 2024",
        "Biên bản sinh hoạt chi bộ thường kỳ tháng 5 năm 2024",
    ),
    (
        "§ång chÝ NguyÔn ThÞ Hoa ph¸t biÓu: nhÊt trÝ víi b¸o c¸o cña chi ñy.",
        "Đồng chí Nguyễn Thị Hoa phát biểu: nhất trí với báo cáo của chi ủy.",
    ),
    ("Céng hoµ x· héi chñ nghÜa ViÖt Nam", "Cộng hoà xã hội chủ nghĩa Việt Nam"),
    ("§éc lËp - Tù do - H¹nh phóc", "Độc lập - Tự do - Hạnh phúc"),
    ("Tæng sè ®¶ng viªn: 25; cã mÆt: 23; v¾ng: 02", "Tổng số đảng viên: 25; có mặt: 23; vắng: 02"),
    # a heading typed in capitals for a .VnTimeH font
    ("§¶NG Bé PH\u00adêNG 5", "ĐẢNG BỘ PHƯỜNG 5"),
    ("Lª Hå Vò", "Lê Hồ Vũ"),  # capitals only as initials: not a heading
]

VNI_ALPHABET = [
    ("a aø aù aû aõ aï", "a à á ả ã ạ"),
    ("aê aè aé aú aü aë", "ă ằ ắ ẳ ẵ ặ"),
    ("aâ aà aá aå aã aä", "â ầ ấ ẩ ẫ ậ"),
    ("e eø eù eû eõ eï", "e è é ẻ ẽ ẹ"),
    ("eâ eà eá eå eã eä", "ê ề ế ể ễ ệ"),
    ("i ì í æ ó ò", "i ì í ỉ ĩ ị"),
    ("o oø où oû oõ oï", "o ò ó ỏ õ ọ"),
    ("oâ oà oá oå oã oä", "ô ồ ố ổ ỗ ộ"),
    ("ô ôø ôù ôû ôõ ôï", "ơ ờ ớ ở ỡ ợ"),
    ("u uø uù uû uõ uï", "u ù ú ủ ũ ụ"),
    ("ö öø öù öû öõ öï", "ư ừ ứ ử ữ ự"),
    ("y yø yù yû yõ î", "y ỳ ý ỷ ỹ ỵ"),
    ("ñ Ñ", "đ Đ"),
    ("A AØ AÙ AÛ AÕ AÏ", "A À Á Ả Ã Ạ"),
    ("AÊ AÈ AÉ AÚ AÜ AË", "Ă Ằ Ắ Ẳ Ẵ Ặ"),
    ("AÂ AÀ AÁ AÅ AÃ AÄ", "Â Ầ Ấ Ẩ Ẫ Ậ"),
    ("E EØ EÙ EÛ EÕ EÏ", "E È É Ẻ Ẽ Ẹ"),
    ("EÂ EÀ EÁ EÅ EÃ EÄ", "Ê Ề Ế Ể Ễ Ệ"),
    ("I Ì Í Æ Ó Ò", "I Ì Í Ỉ Ĩ Ị"),
    ("O OØ OÙ OÛ OÕ OÏ", "O Ò Ó Ỏ Õ Ọ"),
    ("OÂ OÀ OÁ OÅ OÃ OÄ", "Ô Ồ Ố Ổ Ỗ Ộ"),
    ("Ô ÔØ ÔÙ ÔÛ ÔÕ ÔÏ", "Ơ Ờ Ớ Ở Ỡ Ợ"),
    ("U UØ UÙ UÛ UÕ UÏ", "U Ù Ú Ủ Ũ Ụ"),
    ("Ö ÖØ ÖÙ ÖÛ ÖÕ ÖÏ", "Ư Ừ Ứ Ử Ữ Ự"),
    ("Y YØ YÙ YÛ YÕ Î", "Y Ỳ Ý Ỷ Ỹ Ỵ"),
]

VNI_SENTENCES = [
    ("Ñaûng boä phöôøng", "Đảng bộ phường"),
    ("Chi boä khu phoá", "Chi bộ khu phố"),
    (
        "Bieân baûn sinh hoaït chi boä thöôøng kyø thaùng 5 naêm 2024",
        "Biên bản sinh hoạt chi bộ thường kỳ tháng 5 năm 2024",
    ),
    (
        "Ñoàng chí Nguyeãn Thò Hoa phaùt bieåu: nhaát trí vôùi baùo caùo cuûa chi uûy.",
        "Đồng chí Nguyễn Thị Hoa phát biểu: nhất trí với báo cáo của chi ủy.",
    ),
    ("COÄNG HOØA XAÕ HOÄI CHUÛ NGHÓA VIEÄT NAM", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
    ("Ñoäc laäp - Töï do - Haïnh phuùc", "Độc lập - Tự do - Hạnh phúc"),
    ("Ñoàng chí Leâ Vaên Thuaän - Bí thö chi boä keát luaän", "Đồng chí Lê Văn Thuận - Bí thư chi bộ kết luận"),
    ("thuôû aáy, xoaên, khuyeân", "thuở ấy, xoăn, khuyên"),
]


@pytest.mark.parametrize(("legacy", "expected"), TCVN3_ALPHABET + TCVN3_SENTENCES)
def test_tcvn3_converts_to_expected_unicode(legacy, expected):
    assert to_unicode(legacy, "tcvn3") == expected


@pytest.mark.parametrize(("legacy", "expected"), VNI_ALPHABET + VNI_SENTENCES)
def test_vni_converts_to_expected_unicode(legacy, expected):
    assert to_unicode(legacy, "vni") == expected


def test_tcvn3_table_covers_every_toned_lowercase_letter_and_the_capital_bases():
    letters = set(TCVN3.values())
    vowels = "aăâeêioôơuưy"
    for v in vowels:
        for tone in ("\u0300", "\u0301", "\u0309", "\u0303", "\u0323"):
            assert unicodedata.normalize("NFC", v + tone) in letters
    assert set("ăâêôơưđĂÂÊÔƠƯĐ") <= letters
    assert len(TCVN3) == 74


def test_vnitimesh_heading_is_upper_cased_by_its_font():
    # In .VnTimeH the lower-case code points are drawn as capitals.
    assert to_unicode("biªn b¶n häp chi bé", "tcvn3").upper() == "BIÊN BẢN HỌP CHI BỘ"
    assert is_capitals_font(".VnTimeH") and is_capitals_font(".VnArialH")
    assert not is_capitals_font(".VnTime") and not is_capitals_font("VNI-Times")


@pytest.mark.parametrize(
    ("font", "encoding"),
    [
        (".VnTime", "tcvn3"),
        (".VnTimeH", "tcvn3"),
        (".VnArial", "tcvn3"),
        ("VNI-Times", "vni"),
        ("VNI-Helve", "vni"),
        ("Times New Roman", None),
        ("Arial", None),
        (None, None),
    ],
)
def test_font_encoding_from_font_name(font, encoding):
    assert font_encoding(font) == encoding


def test_unicode_words_are_left_alone_in_mixed_text():
    assert to_unicode("Đảng bộ Hµ Néi", "tcvn3") == "Đảng bộ Hà Nội"
    assert to_unicode("phường Haø Noäi", "vni") == "phường Hà Nội"


def test_unknown_encoding_is_refused():
    with pytest.raises(ValueError, match="tcvn3"):
        to_unicode("abc", "viscii")


@pytest.mark.parametrize("text", [s for s, _ in TCVN3_SENTENCES if s != "Chi bé khu phè"])
def test_detect_tcvn3(text):
    # "Chi bé khu phè" alone is also valid Unicode (bé, phè): too short to call, so left out.
    assert detect_legacy(text) == "tcvn3"


@pytest.mark.parametrize("text", [s for s, _ in VNI_SENTENCES])
def test_detect_vni(text):
    assert detect_legacy(text) == "vni"


@pytest.mark.parametrize(
    "text",
    [
        "Biên bản sinh hoạt chi bộ thường kỳ tháng 5 năm 2024",
        "Đồng chí Trần Văn Bé phát biểu: tôi nhất trí với ông Tổ trưởng, bà con đều vui.",
        "Cộng hoà xã hội chủ nghĩa Việt Nam — Độc lập - Tự do - Hạnh phúc",
        "The cell met on Tuesday; the café was closed and the résumé was read.",
        "Meeting minutes, party cell, ward 5",
        "Há»‡ thá»‘ng chÃ­nh trá»‹",  # mojibake is repaired elsewhere, it is not a legacy font
        "BAN CH?P H?NH ??NG B?",
        "",
    ],
)
def test_detect_does_not_fire_on_unicode_english_or_mojibake(text):
    assert detect_legacy(text) is None


@pytest.mark.parametrize(
    ("word", "ok"),
    [
        ("nghiêng", True),
        ("khuya", True),
        ("quyết", True),
        ("gìn", True),
        ("được", True),
        ("thuở", True),
        ("xoong", True),
        ("tốt", True),
        ("tòt", False),
        ("café", False),
        ("néi", False),
        ("hoaø", False),
        ("bé", True),
        ("meeting", False),
        ("lẽo", True),
        ("leõ", False),
        ("hóa", True),
        ("hoá", True),
        ("thúy", True),
        ("thuý", True),
        ("hoàng", True),
        ("hòang", False),
        ("người", True),
        ("ngứơi", False),
        ("ăn", True),
        ("ă", False),
    ],
)
def test_is_vietnamese_syllable(word, ok):
    assert is_vietnamese_syllable(word) is ok


# Round trip: real words spelled in a legacy encoding convert back and are detected.
WORDS = (
    "đảng bộ phường chi khu phố biên bản sinh hoạt thường kỳ tháng năm đồng chí phát biểu "
    "nhất trí với báo cáo của ủy ban nhân dân đề nghị kết luận thống hệ thực hiện nghị quyết "
    "tổ chức đảng viên có mặt vắng lý do miễn dự bị chính thức xếp loại tốt khá trung bình "
    "Nguyễn Trần Lê Phạm Hoàng Vũ Đặng Bùi Hà Nội Huế Việt Nam"
).split()


def _encoder(table: dict[str, str]) -> dict[str, str]:
    inverse: dict[str, str] = {}
    for legacy, letter in sorted(table.items(), key=lambda kv: len(kv[0])):
        # VNI spells a capital with capital base and modifier; TCVN3 glyph codes have no case.
        same_case = table is TCVN3 or all(ch.islower() == letter.islower() for ch in legacy)
        if same_case:
            inverse.setdefault(letter, legacy)
    return inverse


def _encode(text: str, table: dict[str, str]) -> str:
    inverse = _encoder(table)
    return "".join(inverse.get(ch, ch) for ch in unicodedata.normalize("NFC", text))


@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=30))
def test_legacy_round_trip_and_detection(words):
    text = " ".join(words)
    assert detect_legacy(text) is None
    for encoding, table in (("tcvn3", TCVN3), ("vni", VNI)):
        legacy = _encode(text, table)
        assert to_unicode(legacy, encoding) == text
        # never the wrong encoding; certain once three words read as Vietnamese only after conversion
        assert detect_legacy(legacy) in (encoding, None)
        evidence = [w for w in legacy.split() if not w.isascii() and not is_vietnamese_syllable(w)]
        if len(evidence) >= 3 and len(evidence) >= 0.3 * len(words):
            assert detect_legacy(legacy) == encoding


@pytest.mark.parametrize(
    ("text", "scores"),
    [
        # repeated tokens count each time; "bé" reads as Vietnamese both ways and counts for Unicode only
        ("Chi bé ®· häp. Chi bé ®· häp. Chi bộ đã họp.", {"unicode": 5 / 9, "tcvn3": 4 / 9, "vni": 0.0}),
        ("Hµ Néi, Hµ Néi. Hà Nội", {"unicode": 2 / 6, "tcvn3": 4 / 6, "vni": 0.0}),
        ("“Hµ” — Néi …", {"unicode": 0.0, "tcvn3": 1.0, "vni": 0.0}),  # quotes, dashes and dots are not words
        ("Chi bộ họp ngày 5", {"unicode": 1.0, "tcvn3": 0.0, "vni": 0.0}),
        ("Party cell meeting", {"unicode": 0.0, "tcvn3": 0.0, "vni": 0.0}),
    ],
)
def test_legacy_scores_count_every_word_once_judged_per_token(text, scores):
    assert legacy_scores(text) == pytest.approx(scores, abs=1e-15)
