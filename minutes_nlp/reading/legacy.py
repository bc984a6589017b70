"""Convert text typed in the pre-Unicode Vietnamese font encodings to Unicode.

Old minutes were typed in TCVN3 (ABC, the ``.VnTime`` fonts) or VNI
(``VNI-Times``). Both are 8-bit font hacks: the file stores ordinary
Latin-1 code points and the font draws them as Vietnamese letters, so the
text we extract reads ``Hµ Néi`` (TCVN3) or ``Haø Noäi`` (VNI) for Hà Nội.

- TCVN3 puts each toned letter on its own byte; it has no upper-case toned
  letters, which is why headings use the ``.VnTimeH`` fonts that draw the
  lower-case code points as capitals.
- VNI writes a base letter followed by a modifier byte (``a`` + ``ù`` = á);
  ơ ư đ and the toned i are single bytes.

Conversion must run before :func:`minutes_nlp.reading.text.normalize`, which would
otherwise drop U+00AD (TCVN3 ư) and read Ð (TCVN3 é) as Đ.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache

# TCVN3 code point -> Unicode letter, aligned column by column (row = one vowel).
_TCVN3_FROM = "µ¸¶·¹¨»¾¼½Æ©ÇÊÈÉË®ÌÐÎÏÑªÒÕÓÔÖ×ÝØÜÞßãáâä«åèæçé¬êíëìîïóñòô\u00adõøö÷ùúýûüþ¡¢§£¤¥¦"
_TCVN3_TO = "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵĂÂĐÊÔƠƯ"
assert len(_TCVN3_FROM) == len(_TCVN3_TO)
TCVN3 = dict(zip(_TCVN3_FROM, _TCVN3_TO))

# VNI modifier byte -> the combining marks it adds to the preceding base letter.
_ACUTE, _GRAVE, _HOOK, _TILDE, _DOT = "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"
_CIRC, _BREVE = "\u0302", "\u0306"
_TONE_MODS = {"ù": _ACUTE, "ø": _GRAVE, "û": _HOOK, "õ": _TILDE, "ï": _DOT}
_CIRC_MODS = {"â": "", "á": _ACUTE, "à": _GRAVE, "å": _HOOK, "ã": _TILDE, "ä": _DOT}
_BREVE_MODS = {"ê": "", "é": _ACUTE, "è": _GRAVE, "ú": _HOOK, "ü": _TILDE, "ë": _DOT}
# Single-byte VNI letters: ơ ư đ, and i with a tone (Latin-1 has ì í already).
_VNI_SINGLE = {"ô": "ơ", "ö": "ư", "ñ": "đ", "ò": "ị", "æ": "ỉ", "ó": "ĩ", "î": "ỵ"}


def _vni_table() -> dict[str, str]:
    """Return VNI sequence -> Unicode letter, both cases, built from the modifier rules."""
    table: dict[str, str] = {}

    def add(base: str, mods: dict[str, str], extra: str = "") -> None:
        for mod, mark in mods.items():
            for b in (base, base.upper()):
                for m in (mod, mod.upper()):  # the case of the base letter decides
                    out = unicodedata.normalize("NFC", b + extra + mark)
                    table[b + m] = out

    for v in "aeiouy":
        if v != "i":  # toned i is a single byte
            add(v, _TONE_MODS)
    for v in "aeo":
        add(v, _CIRC_MODS, _CIRC)
    add("a", _BREVE_MODS, _BREVE)
    for single, letter in (("ô", "ơ"), ("ö", "ư")):
        for b in (single, single.upper()):
            for m, mark in _TONE_MODS.items():
                for mm in (m, m.upper()):
                    base = letter if b.islower() else letter.upper()
                    table[b + mm] = unicodedata.normalize("NFC", base + mark)
    for single, letter in _VNI_SINGLE.items():
        table[single], table[single.upper()] = letter, letter.upper()
    return table


VNI = _vni_table()
_VNI_PATTERN = re.compile("|".join(re.escape(k) for k in sorted(VNI, key=len, reverse=True)))

# Characters only a legacy surface can hold: Latin-1 plus ASCII.
_TOKEN = re.compile(r"\S+")
_EDGE = "\"'()[]{}.,;:!?…“”‘’–—-/*+"


def _convert_word(word: str, encoding: str) -> str:
    if any(ord(ch) > 0xFF for ch in word):  # already Unicode Vietnamese: leave it
        return word
    if encoding == "tcvn3":
        return "".join(TCVN3.get(ch, ch) for ch in word)
    return _VNI_PATTERN.sub(lambda m: VNI[m.group()], word)


def _typed_in_capitals(line: str) -> bool:
    """True when every ASCII letter is a capital and some word has two (CHI Bé, not Lª Hå Vò)."""
    letters = [ch for ch in line if ch.isascii() and ch.isalpha()]
    words = (sum(ch.isascii() and ch.isalpha() for ch in w) for w in line.split())
    return len(letters) >= 3 and all(ch.isupper() for ch in letters) and max(words, default=0) >= 2


def to_unicode(text: str, encoding: str) -> str:
    """Return text converted from ``"tcvn3"`` or ``"vni"`` to Unicode (NFC).

    Words that already hold characters beyond Latin-1 are left as they are,
    so a document mixing Unicode and legacy runs is not damaged. A TCVN3 line
    typed all in capitals was set in a ``.VnTimeH`` font: it is upper-cased.
    """
    if encoding not in ("tcvn3", "vni"):
        raise ValueError(f"unknown legacy encoding {encoding!r}: expected 'tcvn3' or 'vni'")
    lines = []
    for line in text.split("\n"):
        out = _TOKEN.sub(lambda m: _convert_word(m.group(), encoding), line)
        if encoding == "tcvn3" and out != line:
            if _typed_in_capitals(line):
                out = out.upper()
        lines.append(out)
    return unicodedata.normalize("NFC", "\n".join(lines))


def font_encoding(font: str | None) -> str | None:
    """Return the legacy encoding a font name implies (``.VnTime`` → tcvn3, ``VNI-Times`` → vni)."""
    if not font:
        return None
    name = font.strip().lower()
    if name.startswith(".vn") or name.startswith("vn3"):
        return "tcvn3"
    if name.startswith("vni-") or name.startswith("vni "):
        return "vni"
    return None


def is_capitals_font(font: str | None) -> bool:
    """Return True for TCVN3 capitals fonts (``.VnTimeH``, ``.VnArialH``): they draw every letter upper-case."""
    return font_encoding(font) == "tcvn3" and font.strip().endswith("H")  # type: ignore[union-attr]


# --- detection -------------------------------------------------------------

_TONE_MARKS = {_ACUTE, _GRAVE, _HOOK, _TILDE, _DOT}
_INITIALS = "ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx]"
# Nuclei by what may follow: a final or nothing (an, a), nothing (ai, iêu), a final (ăn, biết, xoong).
_FREE = "a e ê i o ô ơ u ư y oa oe uê uy"
_OPEN = "ai ao au ay âu ây eo êu ia iu oi ôi ơi ua ui uơ ưa ưi ưu iêu oai oao oay oeo uây uôi uya uyu ươi ươu yêu"
_CLOSED = "ă â iê yê oo oă uâ uô ươ uyê"
_FINAL = "ch|nh|ng|c|m|n|p|t"


def _alternation(words: str) -> str:
    return "|".join(sorted(words.split(), key=len, reverse=True))


_SYLLABLE = re.compile(
    rf"^(?P<initial>{_INITIALS})?(?:(?P<free>{_alternation(_FREE)})(?P<f1>{_FINAL})?"
    rf"|(?P<open>{_alternation(_OPEN)})|(?P<closed>{_alternation(_CLOSED)})(?P<f2>{_FINAL}))$"
)
_MARKED = set("ăâêôơư")


def _tone_slots(nucleus: str, final: bool) -> set[int]:
    """Return where a tone may sit in the nucleus, old (hóa) or new (hoá) style."""
    marked = [i for i, ch in enumerate(nucleus) if ch in _MARKED]
    if marked:
        return {marked[-1]}
    if len(nucleus) == 1:
        return {0}
    if final or len(nucleus) == 3:
        return {1}
    return {0, 1} if nucleus in ("oa", "oe", "uy") else {0}


def _spelling_ok(match: re.Match) -> bool:
    """Check the spelling rules that tie initial and vowel: ca/ke, ga/ghe, nga/nghe, qua not cua."""
    initial = match.group("initial") or ""
    nucleus = next(match.group(g) for g in ("free", "open", "closed") if match.group(g))
    front = nucleus[0] in "eêiy"
    if initial == "c":
        return not front and not nucleus.startswith(("uy", "uâ", "uê", "uơ", "oa", "oe", "oă"))
    if initial == "k":
        return front
    if initial in ("gh", "ngh"):
        return nucleus[0] in "eêi"
    if initial in ("g", "ng"):
        return nucleus[0] not in "eê"
    return True


@lru_cache(maxsize=1 << 16)  # called for every word of every document; words repeat
def is_vietnamese_syllable(word: str) -> bool:
    """Return True when word spells one Vietnamese syllable.

    At most one tone, on a vowel that can carry it, and c/ch/p/t finals take
    only sắc or nặng: strict enough that a legacy-encoded word rarely passes.
    """
    letters: list[str] = []
    tones: list[tuple[str, int]] = []
    for ch in unicodedata.normalize("NFD", word.lower()):
        if ch in _TONE_MARKS:
            tones.append((ch, len(letters) - 1))
        elif unicodedata.combining(ch) and letters:
            letters[-1] += ch
        else:
            letters.append(ch)
    if len(tones) > 1:
        return False
    base = "".join(unicodedata.normalize("NFC", letter) for letter in letters)
    match = _SYLLABLE.match(base)
    if not match or len(base) != len(letters) or not _spelling_ok(match):
        return False
    if not tones:
        return True
    tone, index = tones[0]
    final = match.group("f1") or match.group("f2")
    if final in ("c", "ch", "p", "t") and tone not in (_ACUTE, _DOT):
        return False
    group = next(g for g in ("free", "open", "closed") if match.group(g))
    return index - match.start(group) in _tone_slots(match.group(group), bool(final))


_NO_VOTE = (0, 0, 0, 0)


@lru_cache(maxsize=1 << 16)  # tokens repeat within and across documents
def _votes(token: str) -> tuple[int, int, int, int]:
    """What one whitespace-separated token adds to legacy_scores: (candidate words, unicode, tcvn3, vni)."""
    word = token.strip(_EDGE)
    if not word or word.isascii():
        return _NO_VOTE
    if is_vietnamese_syllable(word):
        return (1, 1, 0, 0)
    votes = [1, 0, 0, 0]
    for k, enc in ((2, "tcvn3"), (3, "vni")):
        converted = _convert_word(word, enc)
        if converted != word and is_vietnamese_syllable(converted):
            votes[k] = 1
    return tuple(votes)  # type: ignore[return-value]


def legacy_scores(text: str) -> dict[str, float]:
    """Return, per encoding, the share of non-ASCII words that are Vietnamese only after conversion.

    "unicode" is the share that already are. Words that read as Vietnamese
    both ways (``bé``) count for Unicode only. Each distinct token is judged once.
    """
    words = scores_u = scores_t = scores_v = 0
    for token, times in Counter(text.split()).items():
        votes = _votes(token)
        if votes[0]:
            words += times * votes[0]
            scores_u += times * votes[1]
            scores_t += times * votes[2]
            scores_v += times * votes[3]
    if not words:
        return {"unicode": 0.0, "tcvn3": 0.0, "vni": 0.0}
    return {"unicode": scores_u / words, "tcvn3": scores_t / words, "vni": scores_v / words}


def detect_legacy(text: str, threshold: float = 0.3) -> str | None:
    """Return "tcvn3" or "vni" when text reads as that legacy encoding, else None.

    Fires when at least ``threshold`` of the words carrying non-ASCII
    characters become Vietnamese syllables only after conversion; plain
    English (no such words) and Unicode Vietnamese (they already are
    syllables) stay None.
    """
    scores = legacy_scores(text)
    best = max(("tcvn3", "vni"), key=lambda enc: scores[enc])
    return best if scores[best] >= threshold and scores[best] > 0 else None
