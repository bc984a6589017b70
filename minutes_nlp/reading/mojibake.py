"""Repair UTF-8 text that went through a lossy Windows-1252 round trip.

A tool that decodes UTF-8 bytes as Windows-1252 writes "Ä�áº¢NG Bá»˜" for
"ĐẢNG BỘ": each byte becomes one character, and the five bytes Windows-1252
has no character for (81, 8D, 8F, 90, 9D) become U+FFFD, so the byte is lost.
ftfy repairs such text when those bytes were kept as C1 controls, but a lost
byte leaves it a U+FFFD. Here each character goes back to its byte, a U+FFFD
to any of the five; every UTF-8 sequence is decoded, and where a lost byte
leaves several characters possible (ề ọ ỏ Ố ờ after "á»", Á Í Ý after "Ã"),
the syllable they make is chosen: the most frequent in the corpus table
(syllables.py), else a possible Vietnamese syllable, else the likelier
character; then, where readings remain, the one that the neighbouring
syllables most often go with ("bờ kè", "bỏ phiếu"). benchmarks/mojibake.py
measures it.
"""

from __future__ import annotations

import math
import re
import unicodedata
from functools import cache
from itertools import product

from minutes_nlp.reading.legacy import is_vietnamese_syllable
from minutes_nlp.reading.syllables import frequencies
from minutes_nlp.reading.text import normalize_tones

LOST = (0x81, 0x8D, 0x8F, 0x90, 0x9D)  # the bytes Windows-1252 leaves undefined
_MAX_READINGS = 125  # readings tried per word; more lost bytes in one word are resolved one by one


def _byte_of() -> dict[str, int]:
    """Character -> the byte a Windows-1252 decoder made it from (C1 controls stand for the undefined bytes)."""
    table = {}
    for b in range(256):
        try:
            table[bytes([b]).decode("cp1252")] = b
        except UnicodeDecodeError:
            table[chr(b)] = b
    return table


_BYTE = _byte_of()


def _class(lo: int, hi: int, lost: bool = False) -> str:
    chars = "".join(re.escape(ch) for ch, b in _BYTE.items() if lo <= b <= hi)
    return "[" + chars + ("\ufffd" if lost else "") + "]"


_CONT = _class(0x80, 0xBF, lost=True)
_SEQUENCE = re.compile(f"{_class(0xC2, 0xDF)}{_CONT}|{_class(0xE0, 0xEF)}{_CONT}{{2}}|{_class(0xF0, 0xF4)}{_CONT}{{3}}")
_LOSSY = re.compile(f"(?:{_class(0xC2, 0xDF)}|{_class(0xE0, 0xEF)}{_CONT}?|{_class(0xF0, 0xF4)}{_CONT}{{0,2}})\ufffd")


def has_lossy(text: str) -> bool:
    """True when text holds a UTF-8 sequence read as Windows-1252 with a byte lost (a U+FFFD after a lead)."""
    return "\ufffd" in text and _LOSSY.search(text) is not None


def _readings(seq: str) -> list[str]:
    """Every character the mojibake sequence can stand for, one per choice of its lost bytes."""
    options = [[_BYTE[ch]] if ch != "\ufffd" else list(LOST) for ch in seq]
    out = []
    for combo in product(*options):
        try:
            ch = bytes(combo).decode("utf-8")
        except UnicodeDecodeError:
            continue
        if ch not in out:
            out.append(ch)
    return out


def _wordy(ch: str) -> bool:
    return ch.isalpha() or unicodedata.category(ch) == "Mn"


def _score(word: str, table: dict[str, int]) -> float:
    """How plausible a reading of one word is: corpus frequency, else syllable structure; mixed case costs."""
    nfc = unicodedata.normalize("NFC", word)
    key = normalize_tones(nfc).lower()
    if key in table:
        score = 1.0 + math.log(table[key])
    elif is_vietnamese_syllable(nfc):
        score = 0.5
    else:
        score = -5.0
    letters = [c for c in nfc if c.isalpha()]
    if len(letters) > 1 and not (nfc.islower() or nfc.isupper() or nfc.istitle()):
        score -= 20.0  # "HỏI", "bỐ": a lost byte never makes a word of mixed case
    return score


Item = str | list[str]  # a character as read, or the readings of a sequence with a lost byte


def _tokens(items: list[Item]) -> list[Item | list[Item]]:
    """Group items into words (lists of items: letters, marks, ambiguous slots) and single separator characters."""
    tokens: list[Item | list[Item]] = []
    word: list[Item] = []
    for it in items:
        letter = any(_wordy(c) for ch in it for c in ch) if isinstance(it, list) else _wordy(it)
        if letter:
            word.append(it)
            continue
        if word:
            tokens.append(word)
            word = []
        tokens.append(it if isinstance(it, str) else it[0])
    if word:
        tokens.append(word)
    return tokens


def _candidates(word: list[Item], table: dict[str, int]) -> list[str]:
    """The readings of a word, preferred first; a word with too many lost bytes gets its slots chosen one by one."""
    slots = [i for i, it in enumerate(word) if isinstance(it, list)]
    chars = [it if isinstance(it, str) else it[0] for it in word]
    if math.prod(len(word[i]) for i in slots) > _MAX_READINGS:
        for i in slots:
            chars[i] = max(word[i], key=lambda ch, i=i: _score("".join(chars[:i] + [ch] + chars[i + 1 :]), table))
        return ["".join(chars)]
    out = []
    for combo in product(*(word[i] for i in slots)):
        for i, ch in zip(slots, combo):
            chars[i] = ch
        out.append("".join(chars))
    return out


def _choose(items: list[Item], table: dict[str, int]) -> str:
    """Pick one reading per word: by the word's own score, then again with its neighbours' pair counts."""
    tokens = _tokens(items)
    score = cache(lambda w: _score(w, table))
    low = cache(lambda w: normalize_tones(unicodedata.normalize("NFC", w)).lower())
    options = {k: _candidates(t, table) for k, t in enumerate(tokens) if isinstance(t, list)}
    chosen = {k: max(c, key=lambda w, c=c: (score(w), -c.index(w))) for k, c in options.items()}

    def neighbour(k: int, step: int) -> str:
        if 0 <= k + step < len(tokens) and tokens[k + step] == " " and k + 2 * step in chosen:
            return low(chosen[k + 2 * step])
        return ""

    for k, cands in options.items():
        if len(cands) > 1:
            before, after = neighbour(k, -1), neighbour(k, 1)

            def key(w: str, cands: list[str] = cands, before: str = before, after: str = after) -> tuple[float, int]:
                pair = math.log1p(table.get(f"{before} {low(w)}", 0)) + math.log1p(table.get(f"{low(w)} {after}", 0))
                return score(w) + pair, -cands.index(w)

            chosen[k] = max(cands, key=key)
    return "".join(chosen[k] if k in chosen else t for k, t in enumerate(tokens))  # type: ignore[misc]


_PREFERRED = "”‐\u0301"  # lost-byte readings that are not letters: a closing quote, a hyphen, an acute accent


def _order(readings: list[str]) -> list[str]:
    """Vietnamese letters and common marks first, so ties and non-words take the likelier reading."""

    def key(ch: str) -> tuple[int, int]:
        if ch in _PREFERRED:
            return 0, _PREFERRED.index(ch)
        return (1 if is_vietnamese_syllable(ch) or ch.lower() in "đ" else 2), 0

    return sorted(readings, key=key)


def repair_lossy(text: str, table: dict[str, int] | None = None) -> str:
    """Return text with every Windows-1252-decoded UTF-8 sequence decoded, lost bytes restored by syllable.

    ``table`` (syllable or "a b" pair -> frequency, syllables.count_syllables) defaults to the shipped one;
    the benchmark passes one built on the train split to measure the repair on unseen text.
    """
    items: list[str | list[str]] = []
    pos = 0
    for m in _SEQUENCE.finditer(text):
        readings = _readings(m.group())
        if not readings:
            continue
        items.extend(text[pos : m.start()])
        items.append(readings[0] if len(readings) == 1 else _order(readings))
        pos = m.end()
    items.extend(text[pos:])
    return _choose(items, frequencies() if table is None else table)
