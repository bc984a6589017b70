"""Sign-in attempts per second before and after lockout, against a live ``minutes-nlp serve`` on 127.0.0.1.

    python benchmarks/sign_in.py [--seconds 60] [--spray-seconds 30] [--threads 8] [--source DIR] [--out FILE]

Starts the server over a temporary SQLite database with a cell secretary (the target) and a
supervisor (a bystander), then:
1. flood: THREADS clients from one address send wrong passwords for the secretary for SECONDS;
   counts the guesses that reached the password hash (answered 401) and the attempts refused
   before it (429), the time to lockout, and the latency of refusals; meanwhile the bystander
   signs in from another address once a second (latency: do refused attempts slow others down?);
   then the right password is tried (a locked account refuses it; the 10th guess comes after
   31 s of growing delays, so the flood lasts 60 s by default);
2. spray: THREADS clients, each from its own address (X-Forwarded-For, trusted from 127.0.0.1 as
   uvicorn does by default), each attempt a different account name, for SPRAY_SECONDS: the guesses per
   second that still reach the hash when an attacker spreads over names and addresses;
3. the accounts and addresses still limited (``minutes-nlp admin sign-in-limits``); then
   ``minutes-nlp admin unlock`` lifts the secretary's lock and the right password signs in.
``--source DIR`` runs the server (and the admin commands) from another source tree, e.g. the code
before the limits (``git archive f8fe2b5 | tar -x -C /tmp/before``), to measure the same attack on it.
Writes the numbers as JSON to --out (default benchmarks/results/sign_in.json).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "mat-khau-do-hieu-nang"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def command(source: Path, data_dir: Path, *args: str, check: bool = True) -> str:
    env = {**os.environ, "PYTHONPATH": str(source), "MINUTES_NLP_PASSWORD": PASSWORD}
    done = subprocess.run(
        [sys.executable, "-m", "minutes_nlp.cli.main", *args, "--data-dir", str(data_dir)],
        env=env,
        cwd=source,  # python -m puts the working folder first on the path
        capture_output=True,
        text=True,
    )
    if done.returncode and check:
        raise SystemExit(f"{' '.join(args)}: {done.stderr.strip()}\n{done.stdout}")
    return done.stdout


def prepare(source: Path, data_dir: Path) -> None:
    command(source, data_dir, "admin", "migrate")
    command(source, data_dir, "admin", "create-unit", "Đảng ủy Phường Tân Hòa", "--kind", "committee")
    command(source, data_dir, "admin", "create-unit", "Chi bộ Khu phố 1", "--kind", "cell", "--parent", "1")
    command(source, data_dir, "admin", "create-user", "bithu", "--role", "secretary", "--unit", "2")
    command(source, data_dir, "admin", "create-user", "giamsat", "--role", "supervisor", "--unit", "1")


def login_client(base: str, address: str | None = None) -> tuple[httpx.Client, str]:
    headers = {"X-Forwarded-For": address} if address else {}
    client = httpx.Client(base_url=base, headers=headers, timeout=60)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    return client, token


def attempt(client: httpx.Client, token: str, username: str, password: str) -> int:
    data = {"username": username, "password": password, "csrf_token": token, "next": "/"}
    return client.post("/login", data=data, follow_redirects=False).status_code


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")


def run_threads(threads: int, seconds: float, work) -> list[tuple[float, float, int]]:
    """work(i, stop_at) -> [(start, seconds, status)] from each of threads threads, merged by start."""
    out: list = []
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def run(i: int) -> None:
        found = work(i, stop_at)
        with lock:
            out.extend(found)

    pool = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return sorted(out)


def flood(base: str, threads: int, seconds: float) -> dict:
    t0 = time.perf_counter()

    def guesser(i: int, stop_at: float):
        client, token = login_client(base)
        found, n = [], 0
        while time.perf_counter() < stop_at:
            start = time.perf_counter()
            status = attempt(client, token, "bithu", f"doan-sai-{i}-{n}")
            found.append((start - t0, time.perf_counter() - start, status))
            n += 1
        return found

    bystander: list[tuple[float, int]] = []

    def watch() -> None:
        stop_at = t0 + seconds
        while time.perf_counter() < stop_at:
            start = time.perf_counter()
            client, token = login_client(base, "198.51.100.20")
            status = attempt(client, token, "giamsat", PASSWORD)
            bystander.append((time.perf_counter() - start, status))
            time.sleep(max(0.0, 1.0 - (time.perf_counter() - start)))

    watcher = threading.Thread(target=watch)
    watcher.start()
    rows = run_threads(threads, seconds, guesser)
    watcher.join()
    hashed = [r for r in rows if r[2] == 401]
    refused = [r for r in rows if r[2] == 429]
    client, token = login_client(base)
    right = attempt(client, token, "bithu", PASSWORD)
    return {
        "attempts": len(rows),
        "attempts_per_s": round(len(rows) / seconds, 1),
        "guesses_hashed": len(hashed),
        "guesses_hashed_per_s": round(len(hashed) / seconds, 2),
        "last_guess_answered_s": round(hashed[-1][0] + hashed[-1][1], 1) if hashed else None,
        "first_refusal_s": round(refused[0][0], 2) if refused else None,
        "refused_before_hashing": len(refused),
        "refusal_latency_ms_p50": round(1000 * pct([r[1] for r in refused], 0.5), 1) if refused else None,
        "guess_latency_ms_p50": round(1000 * pct([r[1] for r in hashed], 0.5), 1) if hashed else None,
        "right_password_afterwards": right,
        "bystander_sign_ins": len(bystander),
        "bystander_ok": sum(s == 303 for _, s in bystander),
        "bystander_latency_ms_p50": round(1000 * statistics.median([d for d, _ in bystander]), 1),
        "bystander_latency_ms_max": round(1000 * max(d for d, _ in bystander), 1),
    }


def spray(base: str, threads: int, seconds: float) -> dict:
    t0 = time.perf_counter()

    def sprayer(i: int, stop_at: float):
        client, token = login_client(base, f"203.0.113.{i + 1}")
        found, n = [], 0
        while time.perf_counter() < stop_at:
            start = time.perf_counter()
            status = attempt(client, token, f"ten-doan-{i}-{n}", "123456789")
            found.append((start - t0, time.perf_counter() - start, status))
            n += 1
        return found

    rows = run_threads(threads, seconds, sprayer)
    hashed = [r for r in rows if r[2] == 401]
    return {
        "addresses": threads,
        "attempts": len(rows),
        "guesses_hashed": len(hashed),
        "guesses_hashed_per_s": round(len(hashed) / seconds, 1),
        "refused_before_hashing": sum(r[2] == 429 for r in rows),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the flood on one account")
    parser.add_argument("--spray-seconds", type=float, default=30.0, help="length of the spray over names")
    parser.add_argument("--threads", type=int, default=8, help="attacking clients")
    parser.add_argument("--source", type=Path, default=ROOT, help="source tree the server runs from")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "sign_in.json")
    args = parser.parse_args()
    source = args.source.resolve()

    with tempfile.TemporaryDirectory(prefix="minutes-nlp-bench-") as tmp:
        data_dir = Path(tmp)
        prepare(source, data_dir)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [sys.executable, "-m", "minutes_nlp.cli.main", "serve", "--port", str(port), "--data-dir", str(data_dir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": str(source)},
            cwd=source,
        )
        try:
            started = time.perf_counter()
            while True:
                try:
                    if httpx.get(f"{base}/login", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if server.poll() is not None or time.perf_counter() - started > 120:
                    raise SystemExit("server did not start")
                time.sleep(0.2)
            results = {
                "source": str(source),
                "threads": args.threads,
                "seconds": args.seconds,
                "spray_seconds": args.spray_seconds,
                "load_average_at_start": os.getloadavg()[0],
            }
            results["flood_one_account_one_address"] = flood(base, args.threads, args.seconds)
            results["spray_many_names_many_addresses"] = spray(base, args.threads, args.spray_seconds)
            if source == ROOT:
                limited = command(source, data_dir, "admin", "sign-in-limits").splitlines()
                results["limits_afterwards"] = [line for line in limited if "bithu" in line or "127.0.0.1" in line]
                command(source, data_dir, "admin", "unlock", "bithu", check=False)
                client, token = login_client(base)
                results["right_password_after_admin_unlock"] = attempt(client, token, "bithu", PASSWORD)
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(json.dumps(results, indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
