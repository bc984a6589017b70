"""Issue 14 items 1 and 7, issue 11 item 4, against live servers on 127.0.0.1.

    python benchmarks/web_hardening.py [--rounds 20] [--concurrent 200] [--postgres URL]

1. bomb: `serve --analysis-workers 2`; cell A uploads a 650 KB .docx that unpacks to 200 MB and a 4 MB one
   that unpacks to 1.1 GB (alone and in a zip), and a 900 KB text that runs into the 60 s time limit,
   while cell B signs in and uploads a small minutes file: each one's latency.
2. kill: `serve` (one process and its analysis worker) is killed with kill -9 during a 40-file zip upload,
   `--rounds` times; after each round the database must hold all 40 members of that zip or none, every
   document an analysis, and once the server is up again no `minutes-nlp-web-*` folder may be left, nor a
   stored or staged original that no document names.
3. concurrent: `serve --workers 2` on PostgreSQL (`--postgres postgresql+psycopg://user:pw@host:5432/`,
   a fresh database is made on it; skipped without), `--concurrent` distinct uploads at once plus 20
   re-sends of the same files: errors, lost and duplicated rows, p50/p95 latency.

Results go to benchmarks/results/web_hardening.json. Exits 1 when a check fails.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.append(str(ROOT / "tests"))  # zipbomb.py; after benchmarks/, whose web.py is imported below

import httpx  # noqa: E402
from web import docx, free_port, minutes, pct  # noqa: E402  benchmarks/web.py
from zipbomb import bomb_docx  # noqa: E402

from minutes_nlp.web.workers import _alive  # noqa: E402

PASSWORD = "mat-khau-do-hieu-nang"


def prepare(database_url: str) -> dict:
    """Migrate database_url; two cells of one committee, a secretary each; their tokens."""
    from minutes_nlp.web import admin
    from minutes_nlp.web.auth import new_token
    from minutes_nlp.web.db import make_engine, make_sessionmaker, migrate

    migrate(database_url)
    tokens = {}
    with make_sessionmaker(make_engine(database_url))() as s:
        committee = admin.create_unit(s, "Đảng ủy Phường Tân Hòa", "committee")
        for cell in ("A", "B"):
            unit = admin.create_unit(s, f"Chi bộ Khu phố {cell}", "cell", committee)
            user = admin.create_user(s, f"bithu_{cell.lower()}", PASSWORD, "secretary", unit)
            tokens[cell] = new_token(s, user, "benchmark")
    return tokens


def fresh_postgres(server: str) -> str:
    import sqlalchemy

    name = f"minutes_bench_{uuid.uuid4().hex[:10]}"
    engine = sqlalchemy.create_engine(server.rstrip("/") + "/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return server.rstrip("/") + "/" + name


class Server:
    """`minutes-nlp serve` in its own process group, TMPDIR pointed at temp."""

    def __init__(self, data_dir: Path, database_url: str, temp: Path, *extra: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        cmd = [sys.executable, "-m", "minutes_nlp.cli.main", "serve", "--port", str(self.port)]
        cmd += ["--data-dir", str(data_dir), "--database-url", database_url, *extra]
        env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(temp)}
        self.proc = subprocess.Popen(
            cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        started = time.perf_counter()
        while True:
            try:
                if httpx.get(f"{self.url}/login", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if self.proc.poll() is not None or time.perf_counter() - started > 180:
                raise SystemExit("server did not start")
            time.sleep(0.1)
        self.ready_after = time.perf_counter() - started

    def children(self) -> list[int]:
        out = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.proc.pid:
                out.append(int(stat.parent.name))
        return out

    def kill9(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def upload(url: str, token: str, files: list[tuple[str, bytes]], timeout: float = 600) -> tuple[float, httpx.Response]:
    start = time.perf_counter()
    r = httpx.post(
        f"{url}/api/meetings",
        headers={"Authorization": f"Bearer {token}"},
        files=[("files", (n, d, "application/octet-stream")) for n, d in files],
        timeout=timeout,
    )
    return time.perf_counter() - start, r


def sign_in(url: str, username: str) -> float:
    import re

    start = time.perf_counter()
    with httpx.Client(base_url=url, timeout=120) as c:
        token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)
        r = c.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token, "next": "/"})
        assert r.status_code == 303, r.text
    return time.perf_counter() - start


def bomb(tmp: Path) -> dict:
    data_dir, temp = tmp / "bomb", tmp / "bomb-tmp"
    temp.mkdir(parents=True)
    url_db = f"sqlite:///{data_dir / 'minutes.db'}"
    data_dir.mkdir()
    tokens = prepare(url_db)
    server = Server(data_dir, url_db, temp, "--analysis-workers", "2")
    out: dict = {"server_ready_s": round(server.ready_after, 1)}
    try:
        upload(server.url, tokens["B"], [("warm-up.docx", docx(minutes(9000)))])
        slow = (ROOT / "examples" / "bien-ban-to-dan-pho.txt").read_text(encoding="utf-8") * 150
        attacks = {
            "docx_200MB": [("bom-200.docx", bomb_docx(200))],
            "docx_1.1GB": [("bom-1100.docx", bomb_docx(1100))],
            "docx_1.1GB_in_zip": [("bom.zip", _zip({"bom-1100.docx": bomb_docx(1100)}))],
            "slow_900KB_text": [("rat-dai.txt", slow.encode())],
        }
        for k, (key, files) in enumerate(attacks.items()):
            result: dict = {"size_KB": sum(len(d) for _, d in files) // 1024}

            def attack(result=result, files=files):
                result["seconds"], result["response"] = upload(server.url, tokens["A"], files)

            thread = threading.Thread(target=attack)
            thread.start()
            time.sleep(0.3)
            result["other_cell_sign_in_s"] = round(sign_in(server.url, "bithu_b"), 2)
            other, r = upload(server.url, tokens["B"], [(f"b-{k}.docx", docx(minutes(9100 + k)))])
            result["other_cell_upload_s"] = round(other, 2)
            result["other_cell_status"] = r.status_code
            thread.join()
            response = result.pop("response")
            result["seconds"] = round(result["seconds"], 2)
            result["status"] = response.status_code
            result["detail"] = response.json().get("detail", "")[:200]
            out[key] = result
    finally:
        server.stop()
    return out


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def kill(tmp: Path, rounds: int) -> dict:
    from sqlalchemy import func, select

    from minutes_nlp.web.db import Analysis, Document, make_engine

    data_dir, temp = tmp / "kill", tmp / "kill-tmp"
    data_dir.mkdir()
    temp.mkdir()
    url_db = f"sqlite:///{data_dir / 'minutes.db'}"
    tokens = prepare(url_db)
    engine = make_engine(url_db)
    rng = random.Random(14)
    rows, problems, left_after_restart, orphans_alive = [], [], [], 0
    for r in range(rounds):
        server = Server(data_dir, url_db, temp, "--analysis-workers", "1")
        left_after_restart.append(len(list(temp.glob("minutes-nlp-web-*"))))
        members = {f"r{r:02d}/bien-ban-{k:02d}.docx": docx(minutes(r * 100 + k)) for k in range(40)}
        archive = _zip(members)
        outcome: dict = {}

        def send(url=server.url, name=f"dot-{r:02d}.zip", archive=archive, outcome=outcome):
            try:
                outcome["response"] = upload(url, tokens["A"], [(name, archive)])[1]
            except httpx.TransportError as exc:
                outcome["error"] = type(exc).__name__

        workers = server.children()
        thread = threading.Thread(target=send)
        thread.start()
        time.sleep(rng.uniform(0.5, 12))
        server.kill9()
        thread.join()
        time.sleep(1)
        orphans_alive += sum(_alive(pid) for pid in workers)  # zombies (killed, not yet reaped) are gone
        digest = hashlib.sha256(archive).hexdigest()
        with engine.connect() as conn:
            saved = conn.scalar(select(func.count(Document.id)).where(Document.archive_sha256 == digest))
            without = conn.scalar(select(func.count(Document.id)).where(~Document.id.in_(select(Analysis.document_id))))
        if saved not in (0, 40) or without:
            problems.append(f"round {r}: {saved} of 40 saved, {without} documents without analysis")
        rows.append(
            {
                "round": r,
                "killed_while": "uploading" if "error" in outcome else "already answered",
                "saved_of_40": saved,
                "temp_folders_left_by_kill": len(list(temp.glob("minutes-nlp-web-*"))),
            }
        )
    server = Server(data_dir, url_db, temp, "--analysis-workers", "1")
    left_after_restart.append(len(list(temp.glob("minutes-nlp-web-*"))))
    server.stop()
    storage = data_dir / "storage"
    with engine.connect() as conn:
        referenced = set(conn.scalars(select(Document.sha256))) | set(
            conn.scalars(select(Document.archive_sha256).where(Document.archive_sha256.is_not(None)))
        )
    blobs = {p.stem for p in storage.glob("??/*.bin")}
    half_written = len(list(storage.glob("*/.up-*")))
    return {
        "rounds": rows,
        "half_saved_rounds": problems,
        "rounds_killed_mid_upload": sum(r["killed_while"] == "uploading" for r in rows),
        "temp_folders_after_each_restart": left_after_restart,
        "analysis_workers_alive_after_kill": orphans_alive,
        "stored_files_not_referenced": len(blobs - referenced),
        "half_written_stored_files": half_written,
        "staged_files_left": len(list(storage.glob(".staging/*/*.bin"))),
    }


def concurrent(tmp: Path, postgres: str, n: int) -> dict:
    from sqlalchemy import func, select

    from minutes_nlp.web.db import Analysis, Document, make_engine

    data_dir, temp = tmp / "conc", tmp / "conc-tmp"
    data_dir.mkdir()
    temp.mkdir()
    url_db = fresh_postgres(postgres)
    tokens = prepare(url_db)
    files = [(f"bien-ban-{i:03d}.docx", docx(minutes(20_000 + i))) for i in range(n)]
    resend = files[:20]
    server = Server(data_dir, url_db, temp, "--workers", "2", "--analysis-workers", "1")
    try:
        for k in range(2):  # both server processes past their first (lazy) analysis
            upload(server.url, tokens["B"], [(f"warm-{k}.docx", docx(minutes(30_000 + k)))])
        gate = threading.Barrier(n + len(resend))
        errors: list[str] = []

        def one(item):
            name, data = item
            gate.wait()
            try:
                seconds, r = upload(server.url, tokens["A"], [(name, data)])
            except httpx.TransportError as exc:
                errors.append(f"{name}: {type(exc).__name__}")
                return None
            if r.status_code not in (200, 201):
                errors.append(f"{name}: {r.status_code} {r.text[:200]}")
                return None
            return seconds, r.json()["results"][0]["status"]

        wall = time.perf_counter()
        with ThreadPoolExecutor(max_workers=n + len(resend)) as pool:
            answers = [a for a in pool.map(one, files + resend) if a is not None]
        wall = time.perf_counter() - wall
    finally:
        server.stop()
    engine = make_engine(url_db)
    with engine.connect() as conn:
        a_docs = select(Document.id).where(Document.original_name.like("bien-ban-%"))
        documents = conn.scalar(select(func.count()).select_from(a_docs.subquery()))
        distinct = conn.scalar(
            select(func.count(func.distinct(Document.sha256))).where(Document.original_name.like("bien-ban-%"))
        )
        analyses = conn.scalar(select(func.count(Analysis.id)).where(Analysis.document_id.in_(a_docs)))
    engine.dispose()
    latencies = [s for s, _ in answers]
    statuses = [st for _, st in answers]
    return {
        "uploads": n,
        "resent_at_the_same_time": len(resend),
        "server": "serve --workers 2 --analysis-workers 1, PostgreSQL",
        "server_ready_s": round(server.ready_after, 1),
        "errors": len(errors),
        "error_examples": errors[:5],
        "created": statuses.count("created"),
        "duplicate": statuses.count("duplicate"),
        "documents_stored": documents,
        "distinct_contents": distinct,
        "analyses_stored": analyses,
        "lost": n - distinct,
        "duplicated_rows": documents - distinct,
        "wall_s": round(wall, 1),
        "p50_s": round(statistics.median(latencies), 2) if latencies else None,
        "p95_s": round(pct(latencies, 0.95), 2) if latencies else None,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--concurrent", type=int, default=200)
    parser.add_argument("--postgres", default=os.environ.get("MINUTES_NLP_BENCH_POSTGRES"))
    parser.add_argument("--only", choices=["bomb", "kill", "concurrent"])
    args = parser.parse_args()
    results: dict = {"measured": time.strftime("%Y-%m-%d"), "cores": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="minutes-nlp-bench-") as tmp:
        if args.only in (None, "bomb"):
            results["bomb"] = bomb(Path(tmp))
            print(json.dumps(results["bomb"], ensure_ascii=False, indent=1), flush=True)
        if args.only in (None, "kill"):
            results["kill"] = kill(Path(tmp), args.rounds)
            print(json.dumps({k: v for k, v in results["kill"].items() if k != "rounds"}, indent=1), flush=True)
        if args.only in (None, "concurrent") and args.postgres:
            results["concurrent"] = concurrent(Path(tmp), args.postgres, args.concurrent)
            print(json.dumps(results["concurrent"], indent=1), flush=True)
    out = ROOT / "benchmarks" / "results" / "web_hardening.json"
    previous = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
    out.write_text(json.dumps({**previous, **results}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    kill_result = results.get("kill", {})
    failed = any(kill_result.get(k) for k in ("half_saved_rounds", "stored_files_not_referenced", "staged_files_left"))
    failed = failed or any(results.get("concurrent", {}).get(k) for k in ("errors", "lost", "duplicated_rows"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
