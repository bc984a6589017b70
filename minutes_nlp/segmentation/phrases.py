"""Case-insensitive phrase patterns answered by substring tests on the lower-cased text.

Python's re tries every alternative of an IGNORECASE alternation at every position of the text; ``in`` on
the lower-cased text finds the same phrases far faster. The two agree on every character whose lower case
is one character that re's case folding also gives, which is all but a few (``ODD``: the Turkish dotted
and dotless i); where one of those occurs, the pattern itself decides. ``odd_characters`` recomputes the
set over all of Unicode (the tests check it).
"""

from __future__ import annotations

import re
import sys
from bisect import bisect_left, bisect_right
from collections.abc import Iterator

ODD = frozenset("İı")
_SPECIAL = set(".^$*+?{}[]\\|()")


def odd_characters(phrases: tuple[str, ...]) -> set[str]:
    """The characters on which str.lower() and re.IGNORECASE disagree about the letters of phrases."""
    letters = set("".join(phrases))
    chars = "".join(chr(i) for i in range(sys.maxunicode + 1) if not 0xD800 <= i <= 0xDFFF)
    folded = set(re.findall("[" + "".join(re.escape(c) for c in sorted(letters)) + "]", chars, re.IGNORECASE))
    odd = {c for c in folded if c.lower() not in letters}  # re folds it onto a letter, lower() does not
    odd |= {c for c in chars if c.lower() in letters and c not in folded}  # lower() does, re does not
    odd |= {c for c in chars if len(c.lower()) > 1 and letters & set(c.lower())}  # lower() adds characters
    return odd


class Phrases:
    """An IGNORECASE pattern that opens with an alternation of plain phrases (lower case)."""

    def __init__(self, pattern: re.Pattern, phrases: tuple[str, ...]):
        assert pattern.flags & re.IGNORECASE and all(p == p.lower() and not _SPECIAL & set(p) for p in phrases)
        self.pattern = pattern
        self.phrases = phrases

    def found(self, text: str) -> bool:
        """Whether pattern.search(text) finds something; the pattern must be the alternation alone."""
        if not ODD.isdisjoint(text):
            return bool(self.pattern.search(text))
        low = text.lower()
        return any(p in low for p in self.phrases)

    def finditer(self, text: str) -> Iterator[re.Match]:
        """pattern.finditer(text): the pattern tried only where one of its phrases starts."""
        if not ODD.isdisjoint(text):
            yield from self.pattern.finditer(text)
            return
        low = text.lower()  # no odd character: as long as text, offsets agree
        starts = set()
        for p in self.phrases:
            at = low.find(p)
            while at >= 0:
                starts.add(at)
                at = low.find(p, at + 1)
        done = 0
        for at in sorted(starts):
            if at < done:
                continue
            m = self.pattern.match(text, at)
            if m:  # a phrase is never empty: the next search starts where this match ends
                yield m
                done = m.end()


def finditer_after(pattern: re.Pattern, text: str, start: int, end: int, chars: str) -> Iterator[re.Match]:
    """pattern.finditer(text, start, end) for a pattern whose every match starts right after one of chars
    (a look-behind): the pattern is tried only there, not at every character of the line."""
    after = _after(text, chars)
    done, empty = start, -1
    for at in after[bisect_left(after, start) : bisect_right(after, end)]:
        if at < done or at == empty:
            continue
        m = pattern.match(text, at, end)
        if m:
            yield m
            # as finditer: the next match may start where a match ends, but not empty where an empty one was
            done = m.end()
            empty = at if m.end() == at else -1


_last: tuple[str, str, list[int]] = ("", "", [])


def _after(text: str, chars: str) -> list[int]:
    """The offsets right after each of chars in text, in order; the last text's are kept (lines of one
    document ask in turn)."""
    global _last
    last = _last
    if last[0] is text and last[1] == chars:
        return last[2]
    after = []
    for c in chars:
        at = text.find(c)
        while at >= 0:
            after.append(at + 1)
            at = text.find(c, at + 1)
    after.sort()
    _last = (text, chars, after)
    return after
