"""Per classifier: training time, test macro-F1, classification throughput and peak memory.

Usage: python benchmarks/classifiers.py [--corpus corpora/minutes/minutes.jsonl] [--classifiers rules,linear,spacy]

Each classifier is trained on the train split in a fresh child process
pinned to one core (so peak RSS and time are its own), then classifies the
test split sentence list 3 times; throughput is the best of the three.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def run_one(name: str, corpus: str) -> dict:
    from minutes_nlp.classifiers import get_classifier, sentence_items
    from minutes_nlp.classifiers.evaluate import metrics
    from minutes_nlp.corpus.dataset import load

    records = load(corpus)
    x_train, y_train, _ = sentence_items(records, "train")
    x_test, y_test, _ = sentence_items(records, "test")
    model = get_classifier(name)
    t0 = time.perf_counter()
    model.fit(x_train, y_train)
    train_s = time.perf_counter() - t0
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        pred = model.predict(x_test)
        best = min(best, time.perf_counter() - t0)
    m = metrics(y_test, list(pred))
    return {
        "classifier": name,
        "train_sentences": len(x_train),
        "train_seconds": round(train_s, 2),
        "test_sentences": len(x_test),
        "test_macro_f1": round(m["macro_f1"], 4),
        "sentences_per_s": round(len(x_test) / best, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default="corpora/minutes/minutes.jsonl")
    ap.add_argument("--classifiers", default="rules,linear,spacy")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(run_one(args.child, args.corpus)))
        return
    rows = []
    for name in args.classifiers.split(","):
        cmd = [sys.executable, __file__, "--corpus", args.corpus, "--child", name]
        if hasattr(os, "sched_setaffinity"):
            cmd = ["taskset", "-c", "0"] + cmd
        env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        out = subprocess.run(cmd, capture_output=True, text=True, env=env)
        if out.returncode:
            print(f"{name}: failed\n{out.stderr[-2000:]}", file=sys.stderr)
            continue
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(f"{'classifier':<10}{'train s':>9}{'macro-F1':>10}{'sent/s':>10}{'peak MB':>9}")
    for r in rows:
        print(
            f"{r['classifier']:<10}{r['train_seconds']:>9}{r['test_macro_f1']:>10.3f}{r['sentences_per_s']:>10}{r['peak_rss_mb']:>9}"
        )
    print(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
