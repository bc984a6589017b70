"""Throughput of ``minutes-nlp batch`` on a LocalCluster, memory per worker, and ``analyze --jobs 2`` vs ``--jobs 1``.

Usage:
  python benchmarks/batch.py [--data /tmp/minutes-nlp-batch] [--count 20000] [--files 1000] [--workers 1 2]
                             [--chunk-size 100] [--jobs-files 200] [--skip-jobs] [--out benchmarks/results/batch.json]

The archive: the corpus meetings re-rendered in the 19 layouts of
minutes_nlp/segmentation/layouts.py with several seeds (new names, wraps,
conclusions), --count .txt files in folders of 250, and the same files in one
zip. Each batch run reads the first --files of them (whole folders) into a
fresh output folder, on a new LocalCluster of N single-threaded worker
processes. Steady throughput counts the files finished after the first chunk
(so the model loads are left out); CPU seconds per file are the workers' own
CPU time, which the load of other processes on the machine does not inflate,
and give the projection of core-hours for 10 million minutes. The machine's
load average is recorded beside each timing.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from minutes_nlp.batch import run as batch_run
from minutes_nlp.segmentation.layouts import TEMPLATES, render

PER_FOLDER = 250


def build(data: Path, count: int) -> list[Path]:
    """Write count re-rendered minutes under data/folders (and data/all.zip); return the folders in order."""
    folders = data / "folders"
    done = data / f".built-{count}"
    if not done.exists():
        shutil.rmtree(data, ignore_errors=True)
        folders.mkdir(parents=True)
        lines = (ROOT / "corpora" / "minutes" / "minutes.jsonl").read_text(encoding="utf-8").splitlines()
        records = [json.loads(line) for line in lines]
        n = 0
        with zipfile.ZipFile(data / "all.zip", "w", zipfile.ZIP_DEFLATED) as zf:
            for seed in range(1000):
                for template in TEMPLATES:
                    for record in records:
                        if n == count:
                            break
                        text = render(record, template, seed=seed)["text"]
                        name = f"{n // PER_FOLDER:03d}/{record['id']}-{template}-{seed}.txt"
                        (folders / name).parent.mkdir(exist_ok=True)
                        (folders / name).write_text(text, encoding="utf-8")
                        zf.writestr(name, text)
                        n += 1
                if n == count:
                    break
        done.touch()
    return sorted(p for p in folders.iterdir() if p.is_dir())


def _worker_stats() -> dict:
    import psutil

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "rss_mb": round(psutil.Process().memory_info().rss / 2**20),
        "peak_rss_mb": round(usage.ru_maxrss / 1024),
        "cpu_s": usage.ru_utime + usage.ru_stime,
    }


def batch_throughput(folders: list[Path], files: int, workers: int, chunk_size: int) -> dict:
    paths = folders[: max(1, files // PER_FOLDER)]
    n = len(paths) * PER_FOLDER
    with tempfile.TemporaryDirectory(prefix="minutes-nlp-batch-") as tmp:
        load_before = os.getloadavg()
        t0 = time.perf_counter()
        client = batch_run.client_for(None, workers)
        try:
            t_ready = time.perf_counter()
            done: list[tuple[float, int]] = []
            state = {"files": 0}

            def tick(counts):
                state["files"] += counts["meetings"] + counts["errors"]
                done.append((time.perf_counter(), state["files"]))

            summary = batch_run.run(
                paths, Path(tmp) / "out", client, chunk_size=chunk_size, progress=False, on_chunk=tick
            )
            t_end = time.perf_counter()
            stats = list(client.run(_worker_stats).values())
        finally:
            batch_run.close(client)
    (t_first, f_first), (t_last, f_last) = done[0], done[-1]
    steady = (f_last - f_first) / (t_last - t_first) if t_last > t_first else None
    cpu = sum(s["cpu_s"] for s in stats)
    return {
        "workers": workers,
        "files": n,
        "chunk_size": chunk_size,
        "meetings": summary.meetings,
        "errors": summary.errors,
        "cluster_start_s": round(t_ready - t0, 1),
        "wall_s": round(t_end - t0, 1),
        "steady_files_per_s": round(steady, 2) if steady else None,
        "worker_cpu_s_per_file": round(cpu / n, 4),
        "worker_rss_mb": [s["rss_mb"] for s in stats],
        "worker_peak_rss_mb": [s["peak_rss_mb"] for s in stats],
        "loadavg_before": [round(x, 1) for x in load_before],
        "loadavg_after": [round(x, 1) for x in os.getloadavg()],
    }


def jobs_speedup(folders: list[Path], count: int, rounds: int = 2) -> dict:
    files = [f for folder in folders[: count // PER_FOLDER + 1] for f in sorted(folder.glob("*.txt"))][:count]
    exe = Path(sys.executable).with_name("minutes-nlp")
    times: dict[int, list[float]] = {0: [], 1: [], 2: []}
    cpu: dict[int, list[float]] = {0: [], 1: [], 2: []}
    loads = []
    with tempfile.TemporaryDirectory() as tmp:
        outputs = {}
        for _round in range(rounds):
            for jobs in (0, 1, 2):  # 0: one file, --jobs 1: what every run pays before and after the files
                out = Path(tmp) / f"jobs{jobs}.jsonl"
                loads.append(os.getloadavg()[0])
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                t0 = time.perf_counter()
                subprocess.run(
                    [str(exe), "analyze", *map(str, files[:1] if jobs == 0 else files), "--out", str(out)]
                    + ["--jobs", str(max(jobs, 1))],
                    check=True,
                    capture_output=True,
                )
                times[jobs].append(time.perf_counter() - t0)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the pool's workers are counted in
                cpu[jobs].append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
                outputs[jobs] = out.read_bytes()
        same = outputs[1] == outputs[2]
    best = {j: min(times[j]) for j in times}
    serial, c1, c2 = min(cpu[0]), min(cpu[1]), min(cpu[2])
    return {
        "files": len(files),
        "one_file_s": [round(t, 1) for t in times[0]],
        "jobs1_s": [round(t, 1) for t in times[1]],
        "jobs2_s": [round(t, 1) for t in times[2]],
        "speedup_measured": round(best[1] / best[2], 2),
        "cpu_s": {"one_file": round(serial, 1), "jobs1": round(c1, 1), "jobs2": round(c2, 1)},
        # On two idle cores: the one-file part runs alone, the rest of --jobs 2's CPU time on two cores at once.
        "speedup_idle_projection": round(c1 / (serial + (c2 - serial) / 2), 2),
        "outputs_identical": same,
        "loadavg_1min_at_starts": [round(x, 1) for x in loads],
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "minutes-nlp-batch")
    ap.add_argument("--count", type=int, default=20000)
    ap.add_argument("--files", type=int, default=1000, help="files per batch run (whole folders of 250)")
    ap.add_argument("--workers", type=int, nargs="*", default=[1, 2], help="none: keep the batch results on file")
    ap.add_argument("--chunk-size", type=int, default=100, help="as batch --chunk-size (its default)")
    ap.add_argument("--jobs-files", type=int, default=200)
    ap.add_argument("--skip-jobs", action="store_true")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "batch.json")
    args = ap.parse_args()

    t0 = time.perf_counter()
    folders = build(args.data, args.count)
    result: dict = json.loads(args.out.read_text(encoding="utf-8")) if args.out.exists() else {}
    result |= {
        "archive": {
            "files": args.count,
            "folders": len(folders),
            "zip_mb": round((args.data / "all.zip").stat().st_size / 2**20, 1),
            "build_s": round(time.perf_counter() - t0, 1) if time.perf_counter() - t0 > 1 else None,  # None: reused
        },
        "cores": os.cpu_count(),
    }
    if args.workers:
        result["batch"] = []
    for workers in args.workers:
        result["batch"].append(batch_throughput(folders, args.files, workers, args.chunk_size))
        print(json.dumps(result["batch"][-1]), file=sys.stderr)
    cpu = [r["worker_cpu_s_per_file"] for r in result.get("batch", [])]
    if cpu:  # none when --workers is empty and no earlier batch results are on file
        result["projection_10M"] = {
            "core_hours_from_worker_cpu": round(1e7 * min(cpu) / 3600),
            "core_hours_from_steady_wall_1_worker": next(
                (round(1e7 / r["steady_files_per_s"] / 3600) for r in result["batch"] if r["workers"] == 1), None
            ),
        }
    if not args.skip_jobs:
        result["analyze_jobs"] = jobs_speedup(folders, args.jobs_files)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
