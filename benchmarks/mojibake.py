"""Measure the repair of text that went through a lossy Windows-1252 round trip.

Usage: python benchmarks/mojibake.py [--corpus corpora/minutes/minutes.jsonl]
       [--challenge corpora/challenge/challenge*.jsonl ...]

Each meeting text is damaged the way a Windows tool damages UTF-8
(``text.encode("utf-8").decode("cp1252", errors="replace")``: the bytes 81, 8D,
8F, 90 and 9D become U+FFFD) and repaired. Character accuracy is the share of
the original characters the repair gives back (aligned by difflib when the
lengths differ); lost-character accuracy counts only the characters whose UTF-8
form held a lost byte, the ones the syllable table has to choose. Rows:

- corpus, shipped table: the whole corpus with the table shipped in the package,
  which was built from this same corpus (in-sample);
- test split, train table: a table built from the train split only, on the test
  split (held out);
- challenge sets, shipped table: minutes written by other hands, unseen by the table;
- ftfy alone: what read() did before this repair, on the whole corpus;
- through read(): the damaged text saved as .txt and read, compared with reading
  the clean text, and the share of meetings whose segments (kind, speaker, role,
  offsets) are the same as the clean text's, after this repair and with ftfy alone.
"""

from __future__ import annotations

import argparse
import difflib
import glob
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import ftfy

from minutes_nlp.errors import MinutesError
from minutes_nlp.reading.documents import _drop_controls, _normalized, _tidy, read
from minutes_nlp.reading.mojibake import LOST, repair_lossy
from minutes_nlp.reading.syllables import count_syllables
from minutes_nlp.reading.text import unwrap
from minutes_nlp.segmentation.turns import segment


def damage(text: str) -> str:
    return text.encode("utf-8").decode("cp1252", errors="replace")


def _lost(ch: str) -> bool:
    return any(b in LOST for b in ch.encode("utf-8"))


def compare(original: str, repaired: str) -> tuple[int, int, int, int]:
    """(characters, characters right, lost characters, lost characters right)."""
    if len(original) == len(repaired):
        pairs = list(zip(original, repaired))
    else:
        pairs = [(ch, None) for ch in original]
        for block in difflib.SequenceMatcher(None, original, repaired, autojunk=False).get_matching_blocks():
            for k in range(block.size):
                pairs[block.a + k] = (original[block.a + k], original[block.a + k])
    right = sum(a == b for a, b in pairs)
    lost = [(a, b) for a, b in pairs if _lost(a)]
    return len(pairs), right, len(lost), sum(a == b for a, b in lost)


def score(texts: list[str], repair) -> dict:
    totals = [0, 0, 0, 0]
    t0 = time.perf_counter()
    for text in texts:
        for i, n in enumerate(compare(text, repair(damage(text)))):
            totals[i] += n
    seconds = time.perf_counter() - t0
    return {
        "meetings": len(texts),
        "characters": totals[0],
        "char_accuracy": round(totals[1] / max(totals[0], 1), 6),
        "lost_characters": totals[2],
        "lost_char_accuracy": round(totals[3] / max(totals[2], 1), 4),
        "chars_per_s": round(totals[0] / seconds),
    }


def _segments(text: str, name: str) -> list[tuple] | None:
    try:
        return [(s.start, s.end, s.kind, s.speaker, s.role) for s in segment(text, name).segments]
    except MinutesError:
        return None


def _ftfy_only(damaged: str) -> str:
    """The text read() made of damaged text before this repair: ftfy, then the usual normalisation."""
    return unwrap(_tidy(_normalized(_drop_controls(ftfy.fix_encoding(damaged)))))


def through_read(records: list[dict]) -> dict:
    totals, same_text, same_segments, same_before = [0, 0, 0, 0], 0, 0, 0
    with tempfile.TemporaryDirectory() as tmp:
        for r in records:
            clean, damaged = Path(tmp, "clean.txt"), Path(tmp, "damaged.txt")
            clean.write_text(r["text"], encoding="utf-8")
            damaged.write_text(damage(r["text"]), encoding="utf-8")
            want, got = read(clean).text, read(damaged).text
            for i, n in enumerate(compare(want, got)):
                totals[i] += n
            same_text += want == got
            clean_segments = _segments(want, r["id"])
            same_segments += clean_segments == _segments(got, r["id"])
            same_before += clean_segments == _segments(_ftfy_only(damage(r["text"])), r["id"])
    return {
        "meetings": len(records),
        "char_accuracy": round(totals[1] / max(totals[0], 1), 6),
        "lost_char_accuracy": round(totals[3] / max(totals[2], 1), 4),
        "same_text": round(same_text / len(records), 4),
        "same_segments": round(same_segments / len(records), 4),
        "same_segments_with_ftfy_alone": round(same_before / len(records), 4),
    }


def _load(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default="corpora/minutes/minutes.jsonl")
    ap.add_argument("--challenge", nargs="*", default=sorted(glob.glob("corpora/challenge/challenge*.jsonl")))
    args = ap.parse_args()
    records = _load(args.corpus)
    texts = [r["text"] for r in records]
    train = dict(count_syllables(r["text"] for r in records if r["meta"].get("split") == "train"))
    test = [r["text"] for r in records if r["meta"].get("split") == "test"]
    challenge = [r["text"] for path in args.challenge for r in _load(path)]
    result = {
        "corpus, shipped table": score(texts, repair_lossy),
        "test split, train table": score(test, lambda t: repair_lossy(t, train)),
        "challenge sets, shipped table": score(challenge, repair_lossy),
        "ftfy alone (before)": score(texts, ftfy.fix_encoding),
        "corpus through read()": through_read(records),
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
