"""Score segmentation and header reading against the annotated corpus, and time them.

Usage: python benchmarks/segmentation.py [--corpus corpora/minutes/minutes.jsonl] [--split test|dev|train|all]
       [--src corpora/src] [--errors N]

The metrics are those of minutes_nlp.segmentation.evaluate (contribution F1 with
one-to-one matching by speaker and half-span overlap, speaker, role and attendance
accuracy). Throughput reads each meeting from a
.txt file and segments it, on one core; peak memory is the process's maximum RSS.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from minutes_nlp.errors import MinutesError  # noqa: E402
from minutes_nlp.reading.documents import read  # noqa: E402
from minutes_nlp.segmentation.evaluate import score  # noqa: E402
from minutes_nlp.segmentation.markers import parse_marker  # noqa: E402
from minutes_nlp.segmentation.rules import rule_segments  # noqa: E402
from minutes_nlp.segmentation.turns import segment  # noqa: E402


def load(args) -> list[dict]:
    if args.src:
        from minutes_nlp.corpus.markup import build

        return build(Path(args.src))
    with open(args.corpus, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default="corpora/minutes/minutes.jsonl")
    ap.add_argument("--src", help="score the authored files under this folder instead of the built corpus")
    ap.add_argument("--split", default="test")
    ap.add_argument("--errors", type=int, default=0, help="print this many errors")
    args = ap.parse_args()
    records = load(args)
    if args.split != "all" and not args.src:
        records = [r for r in records if r["meta"].get("split") == args.split]
    result, errors = score(records, segment)
    result = {"split": args.split, **result}
    # Throughput: read each meeting from a .txt file and segment it.
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for r in records:
            path = Path(tmp) / f"{r['id']}.txt"
            path.write_text(r["text"], encoding="utf-8")
            paths.append(path)
        size = sum(p.stat().st_size for p in paths)
        segment(read(paths[0]).text)  # open the model before the clock starts, as a long run would

        def rate(cut) -> tuple[float, float]:
            """Wall and CPU seconds (CPU: what other processes on a shared machine do not inflate)."""
            parse_marker.cache_clear()  # the scoring pass above must not warm the rules' cache
            t0, c0 = time.perf_counter(), time.process_time()
            for path in paths:
                try:
                    cut(read(path).text, str(path))
                except MinutesError:
                    pass
            return time.perf_counter() - t0, time.process_time() - c0

        elapsed, cpu = rate(segment)
        rules_elapsed, _ = rate(rule_segments)  # the hand-written segmenter alone, timed in the same run
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result.update(
        meetings_per_s=round(len(records) / elapsed, 1),
        cpu_meetings_per_s=round(len(records) / cpu, 1),
        mb_per_s=round(size / 1e6 / elapsed, 3),
        rules_only_meetings_per_s=round(len(records) / rules_elapsed, 1),
        peak_rss_mb=round(peak_mb, 1),
    )
    print(json.dumps(result, indent=2, ensure_ascii=False))
    for e in errors[: args.errors]:
        print(*[str(x).replace("\n", " ")[:100] for x in e], sep=" | ")


if __name__ == "__main__":
    main()
