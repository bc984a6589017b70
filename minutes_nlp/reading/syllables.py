"""Vietnamese syllables: which strings can be one, and how often minutes use each.

The mojibake repair (mojibake.py) must choose between letters a lost byte may
have been ("á»" + lost byte is ề, ọ, ỏ, Ố or ờ). It prefers a syllable that
minutes actually use, by its frequency in ``data/syllables.tsv``, and falls back
on the structure of a Vietnamese syllable (initial, vowel cluster, final, and a
tone the final allows) for a syllable the table lacks.

The table is built from the corpus text and shipped with the package (nothing
is downloaded or read from the corpus at run time); rebuild it with
``python -m minutes_nlp.reading.syllables corpora/minutes/minutes.jsonl``.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from minutes_nlp.reading.text import _CLUSTERS, _FINALS, _INITIALS, _split_tone, normalize

TABLE = Path(__file__).with_name("data") / "syllables.tsv"
_WORD = re.compile(r"[^\W\d_]+")
_PAIR = re.compile(r"(?<![^\W\d_])(?=([^\W\d_]+) ([^\W\d_]+)(?![^\W\d_]))")
# Lower-case letters whose UTF-8 form ends in a byte Windows-1252 lacks and that share their first two bytes
# with other letters (ề ọ ỏ ờ, and ố for Ố): a lost byte leaves them in doubt inside an ordinary word.
CONTEXT_LETTERS = set("ềọỏờố")
_STOP_FINALS = ("c", "ch", "p", "t")  # a syllable ending in these takes only the sắc or nặng tone
_STOP_TONES = ("\u0301", "\u0323")


def is_syllable(word: str) -> bool:
    """True when word (any case) is a possible Vietnamese syllable: 'thường', 'ĐẢNG'; not 'bỏt', 'Ẑa', 'ca̍'."""
    base, tone, count = _split_tone(word.lower())
    if count > 1 or not base.isalpha():
        return False
    initial = next(i for i in _INITIALS if base.startswith(i))
    rest = base[len(initial) :]
    if initial == "gi" and rest[:1] not in ("a", "ă", "â", "e", "ê", "o", "ô", "ơ", "u", "ư"):
        initial, rest = "g", base[1:]  # "gì", "gìn": the i is the vowel
    if initial == "qu" and not rest:
        return False
    final = next((f for f in _FINALS if rest.endswith(f) and len(rest) > len(f)), "")
    if rest[: len(rest) - len(final)] not in _CLUSTERS:
        return False
    return final not in _STOP_FINALS or tone in _STOP_TONES


def count_syllables(texts: Iterable[str]) -> Counter[str]:
    """Return how often each lower-case syllable occurs in texts (normalised the way read() normalises).

    Also counted, as "a b": pairs of syllables written one space apart where one
    of them holds a letter a lost byte leaves in doubt (``CONTEXT_LETTERS``), so the
    repair can tell "bờ kè" from "bỏ phiếu".
    """
    counts: Counter[str] = Counter()
    for text in texts:
        low = normalize(text).lower()
        counts.update(w for w in _WORD.findall(low) if is_syllable(w))
        for m in _PAIR.finditer(low):
            a, b = m.groups()
            if (CONTEXT_LETTERS & set(a + b)) and is_syllable(a) and is_syllable(b):
                counts[f"{a} {b}"] += 1
    return counts


@lru_cache(maxsize=1)
def frequencies() -> dict[str, int]:
    """The shipped table: lower-case syllable (or "a b" pair) -> count in the corpus it was built from."""
    table: dict[str, int] = {}
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        word, _, count = line.partition("\t")
        if word and count.isdigit():
            table[word] = int(count)
    return table


def write_table(counts: Counter[str], path: Path = TABLE) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"{w}\t{n}" for w, n in sorted(counts.items(), key=lambda x: (-x[1], x[0]))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str]) -> int:
    """Build data/syllables.tsv from the text of corpus JSON Lines files."""
    if not argv:
        print("usage: python -m minutes_nlp.reading.syllables CORPUS.jsonl [...]", file=sys.stderr)
        return 2
    texts = [json.loads(line)["text"] for path in argv for line in open(path, encoding="utf-8") if line.strip()]
    counts = count_syllables(texts)
    write_table(counts)
    pairs = sum(" " in k for k in counts)
    print(f"{TABLE}: {len(counts) - pairs} syllables and {pairs} pairs from {len(texts)} texts")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
