"""CPU time of reading and segmentation alone, per meeting: the 200 files benchmarks/speed.py writes.

Usage: taskset -c 1 python benchmarks/segment_speed.py [--passes 3] [--tree DIR]

--tree measures the code of another checkout or export (its minutes_nlp and models), so two trees can be
timed one after the other; CPU time (time.process_time), best of the passes after a warm-up.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--passes", type=int, default=3)
    ap.add_argument("--tree", default=str(ROOT), help="the checkout whose code is measured")
    args = ap.parse_args()
    tree = Path(args.tree).resolve()
    os.environ["MINUTES_NLP_SEGMENTER"] = str(tree / "models" / "segmenter")
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from speed import write_files

    sys.path.insert(0, str(tree))  # after speed, which puts this checkout first
    from minutes_nlp.reading.documents import read
    from minutes_nlp.segmentation.turns import segment

    with tempfile.TemporaryDirectory() as tmp:
        paths = write_files(ROOT / "corpora" / "minutes" / "minutes.jsonl", 200, Path(tmp))
        for p in paths[:20]:  # warm up: the model, caches, lazy imports
            segment(read(p).text, str(p))
        best = float("inf")
        for _ in range(args.passes):
            t0 = time.process_time()
            for p in paths:
                segment(read(p).text, str(p))
            best = min(best, time.process_time() - t0)
    import minutes_nlp

    ms = round(1000 * best / len(paths), 2)
    print(json.dumps({"code": str(Path(minutes_nlp.__file__).parent), "read_and_segment_ms_per_meeting": ms}))


if __name__ == "__main__":
    main()
