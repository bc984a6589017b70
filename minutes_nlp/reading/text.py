"""Normalise Vietnamese text once, at the reading boundary.

Every offset in minutes_nlp indexes the text this module returns, so the
function must be idempotent: normalize(normalize(x)) == normalize(x).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Tone marks as combining characters (NFD); the order is the conventional one.
_TONES = {"\u0300": "huyền", "\u0301": "sắc", "\u0303": "ngã", "\u0309": "hỏi", "\u0323": "nặng"}
_BASE_VOWELS = set("aăâeêioôơuưy")
_MARKED_VOWELS = set("ăâêôơư")
_FINALS = ("ch", "nh", "ng", "c", "m", "n", "p", "t")
# Vowel clusters of Vietnamese syllables (without tone): a word with another cluster ("Néang") is not
# Vietnamese and keeps its marks where they are.
_CLUSTERS = set(
    "a ă â e ê i o ô ơ u ư y ai ao au ay âu ây eo êu ia iê iu oa oă oe oi ôi ơi oo ua uâ uê ui uô uơ ưa ưi ưu ươ "
    "uy yê iêu oai oay oeo uây uôi uya uyê uyu ươi ươu yêu".split()
)
_INITIALS = (
    "ngh",
    "ng",
    "nh",
    "ch",
    "gh",
    "gi",
    "kh",
    "ph",
    "qu",
    "th",
    "tr",
    "b",
    "c",
    "d",
    "đ",
    "g",
    "h",
    "k",
    "l",
    "m",
    "n",
    "p",
    "r",
    "s",
    "t",
    "v",
    "x",
    "",
)


def _vietnamese_letters() -> tuple[str, str]:
    base = "aăâeêioôơuưy"
    lower = {unicodedata.normalize("NFC", b + t) for b in base for t in ["", *_TONES]} | set("bcdđghklmnpqrstvxfjwz")
    return "".join(sorted(lower)), "".join(sorted(c.upper() for c in lower))


LOWER_LETTERS, UPPER_LETTERS = _vietnamese_letters()
LOWER = f"[{LOWER_LETTERS}]"  # one lower-case Vietnamese letter (character class)
UPPER = f"[{UPPER_LETTERS}]"  # one upper-case Vietnamese letter

_WORD = re.compile(r"(?:[^\W\d_]|[\u0300-\u036f])+")
_SPACE_LIKE = re.compile("[\u00a0\u2007\u202f\u2000-\u200a\u3000]")
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_TRAILING = re.compile(r"[ \t]+\n")


def _split_tone(word: str) -> tuple[str, str | None, int]:
    """Return the word without tone marks, its tone mark, and how many marks it had."""
    base, tone, count = [], None, 0
    for ch in unicodedata.normalize("NFD", word):
        if ch in _TONES:
            tone, count = ch, count + 1
        else:
            base.append(ch)
    return unicodedata.normalize("NFC", "".join(base)), tone, count


def _tone_position(syllable: str) -> int | None:
    """Index of the vowel that carries the tone in the traditional convention (hóa, thủy)."""
    low = syllable.lower()
    initial = next(i for i in _INITIALS if low.startswith(i))
    rest = low[len(initial) :]
    if initial == "gi" and (not rest or rest[0] not in _BASE_VOWELS):
        initial, rest = "g", low[1:]  # "gìn": the i is the vowel
    final = next((f for f in _FINALS if rest.endswith(f) and len(rest) > len(f)), "")
    vowels = rest[: len(rest) - len(final)]
    if vowels not in _CLUSTERS:  # no vowel ("qù"), or a cluster Vietnamese does not have ("Néang")
        return None
    start = len(initial)
    for i, ch in enumerate(vowels):
        if ch in _MARKED_VOWELS and not (ch == "ư" and vowels[i + 1 : i + 2] == "ơ"):
            return start + i
    if len(vowels) == 1:
        return start
    if final or len(vowels) == 3:
        return start + 1
    return start


@lru_cache(maxsize=1 << 16)  # called for every word of every document; words repeat
def _retone(word: str) -> str:
    base, tone, count = _split_tone(word)
    if count != 1 or not base:
        return word
    pos = _tone_position(base)
    if pos is None:
        return word
    placed = base[:pos] + unicodedata.normalize("NFC", base[pos] + tone) + base[pos + 1 :]
    return placed if len(placed) == len(word) else word


@lru_cache(maxsize=1 << 16)
def _token_changes(token: str) -> tuple[tuple[str, str], ...]:
    """The words of a space-free token whose tone moves, with their new form: () for most tokens."""
    if token.isascii():  # no tone mark
        return ()
    return tuple((word, placed) for word in _WORD.findall(token) if (placed := _retone(word)) != word)


def normalize_tones(text: str) -> str:
    """Return text with each syllable's tone mark on the traditional vowel (hoá → hóa, nôị → nội).

    Each distinct word is looked at once; text whose words are all already in the traditional form
    (the usual case) comes back as it is, without a substitution pass.
    """
    changed = {}
    for changes in filter(None, map(_token_changes, set(text.split()))):  # a word lies inside one token
        changed.update(changes)
    if not changed:
        return text
    return _WORD.sub(lambda m: changed.get(m.group(), m.group()), text)


def normalize(text: str) -> str:
    """Return text in the one form minutes_nlp works on.

    NFC, traditional tone placement, Ð (U+00D0) read as Đ, line ends as \\n,
    exotic spaces as plain spaces, invisible characters removed, trailing
    spaces dropped. Line breaks are kept here; rejoining hard-wrapped lines
    is a layout decision made by :func:`unwrap`.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00d0", "\u0110").replace("\u00f0", "\u0111")
    text = _INVISIBLE.sub("", text)
    text = _SPACE_LIKE.sub(" ", text)
    text = unicodedata.normalize("NFC", text)
    text = unicodedata.normalize("NFC", normalize_tones(text))
    text = _TRAILING.sub("\n", text)
    return text.rstrip(" \t")


_SENTENCE_END = re.compile(r"[.!?:;…\"”)\]]$")
_BLOCK_START = re.compile(r"^\s*([-+*•►–—]|\(?\d+[.)/-]|\(?[IVX]+[.)]|[a-zđ][.)]\s|Đ/c|Đồng chí|ĐC\b|[A-ZĐ]{2,})")


def unwrap(text: str, min_line: int = 50) -> str:
    """Return text with hard-wrapped lines rejoined.

    A line break is kept when the line ends a sentence or is short, or when the
    next line opens a new block (a bullet, a number, a speaker title, capitals)
    or starts with an upper-case letter; otherwise it was a wrap and becomes a space.
    """
    lines = text.split("\n")
    out = [lines[0]]
    for line in lines[1:]:
        prev = out[-1]
        nxt = line.lstrip()
        joinable = (
            len(prev.strip()) >= min_line
            and prev.strip()
            and nxt
            and not _SENTENCE_END.search(prev.rstrip())
            and nxt[0].islower()
            and not _BLOCK_START.match(line)
            and "  " not in prev.strip()
        )
        if joinable:
            out[-1] = prev.rstrip() + " " + nxt
        else:
            out.append(line)
    return "\n".join(out)
