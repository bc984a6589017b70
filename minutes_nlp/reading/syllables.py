"""Vietnamese syllables: which strings can be one, and how often minutes use each.

The mojibake repair (mojibake.py) must choose between letters a lost byte may
have been ("á»" + lost byte is ề, ọ, ỏ, Ố or ờ). It prefers a syllable that
minutes actually use, by its frequency in ``data/syllables.tsv``, and falls back
on the structure of a Vietnamese syllable (legacy.is_vietnamese_syllable: initial,
vowel cluster, final, spelling, a tone the final allows) for one the table lacks.

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

from minutes_nlp.reading.legacy import is_vietnamese_syllable
from minutes_nlp.reading.text import normalize

TABLE = Path(__file__).with_name("data") / "syllables.tsv"
_WORD = re.compile(r"[^\W\d_]+")
_PAIR = re.compile(r"(?<![^\W\d_])(?=([^\W\d_]+) ([^\W\d_]+)(?![^\W\d_]))")
# Lower-case letters whose UTF-8 form ends in a byte Windows-1252 lacks and that share their first two bytes
# with other letters (ề ọ ỏ ờ, and ố for Ố): a lost byte leaves them in doubt inside an ordinary word.
CONTEXT_LETTERS = set("ềọỏờố")


def count_syllables(texts: Iterable[str]) -> Counter[str]:
    """Return how often each lower-case syllable occurs in texts (normalised the way read() normalises).

    Also counted, as "a b": pairs of syllables written one space apart where one
    of them holds a letter a lost byte leaves in doubt (``CONTEXT_LETTERS``), so the
    repair can tell "bờ kè" from "bỏ phiếu".
    """
    counts: Counter[str] = Counter()
    for text in texts:
        low = normalize(text).lower()
        counts.update(w for w in _WORD.findall(low) if is_vietnamese_syllable(w))
        for m in _PAIR.finditer(low):
            a, b = m.groups()
            if (CONTEXT_LETTERS & set(a + b)) and is_vietnamese_syllable(a) and is_vietnamese_syllable(b):
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
