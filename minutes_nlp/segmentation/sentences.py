"""Split a contribution into sentences with offsets.

underthesea's splitter does the prose; the minutes' own structure does the
rest: every line is split on its own (underthesea is not lossless across
newlines), a bullet or number opens a new sentence and is not part of it,
and a long semicolon list is split into its items.
"""

from __future__ import annotations

import re

from underthesea import sent_tokenize

from minutes_nlp.types import Sentence

_BULLET = re.compile(r"\s*(?:(?:[-+*•►–—·]+|\(?\d{1,2}[.)](?!\d)|\(\d{1,2}\)|[a-zđ][.)](?=\s))\s*)?")
_SEMICOLON = re.compile(r";\s+")
_END = re.compile(r"[.?!]")  # the only characters underthesea's splitter ends a sentence at


def _sentences(line: str) -> list[str]:
    """``sent_tokenize(line)``, without calling it for a line whose only . ? ! are at its end.

    underthesea's splitter walks every character in Python; a line with no . ? ! before its closing run of
    them is one sentence to it whatever it decides at the end (a boundary, or an abbreviation such as "TP."),
    and most lines of minutes are such lines.
    """
    if _END.search(line.rstrip().rstrip(".?!")):
        return sent_tokenize(line)
    line = line.strip()
    return [line] if line else []


def _locate(text: str, pieces: list[str], start: int, end: int) -> list[tuple[int, int]]:
    """Find each piece in text[start:end] in order; pieces that cannot be found are skipped."""
    spans, pos = [], start
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        at = text.find(piece, pos, end)
        if at < 0:
            continue
        spans.append((at, at + len(piece)))
        pos = at + len(piece)
    return spans


def _split_semicolons(text: str, a: int, b: int) -> list[tuple[int, int]]:
    parts = [(a, b)]
    chunk = text[a:b]
    cuts = [m for m in _SEMICOLON.finditer(chunk)]
    if len(cuts) >= 2:
        bounds, prev = [], 0
        for m in cuts:
            bounds.append((prev, m.start() + 1))
            prev = m.end()
        bounds.append((prev, len(chunk)))
        if all(len(chunk[x:y].split()) >= 5 for x, y in bounds):
            parts = [(a + x, a + y) for x, y in bounds]
    return parts


def split_sentences(text: str, start: int, end: int) -> list[Sentence]:
    """Return the sentences of text[start:end], in order, each trimmed of spaces and bullets."""
    out: list[Sentence] = []
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        line_end = end if nl < 0 else nl
        a = _BULLET.match(text, pos, line_end).end() if pos < line_end else pos
        if a < line_end and text[a:line_end].strip():
            for x, y in _locate(text, _sentences(text[a:line_end]), a, line_end):
                for p, q in _split_semicolons(text, x, y):
                    while q > p and text[q - 1].isspace():
                        q -= 1
                    if q > p:
                        out.append(Sentence(p, q))
        pos = line_end + 1
    return out
