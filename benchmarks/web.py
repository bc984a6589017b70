"""Web service latency and concurrency against a live uvicorn on 127.0.0.1.

    python benchmarks/web.py [--sequential 30] [--concurrent 20]

Starts ``minutes-nlp serve`` on a free local port over a temporary SQLite
database, then:
1. uploads N distinct typical minutes (.docx, ~3 KB of text, 6 speakers) one
   after another and times upload-to-report (POST /api/meetings, then GET the
   report JSON): p50, p95, max;
2. uploads M more distinct minutes at once from M threads (each its own
   connection): errors, p50/p95 of the same latency, wall time;
3. counts rows in the database afterwards: every upload must be one document
   and one analysis, nothing lost or doubled.
Exits 1 on any error or lost record.
"""

from __future__ import annotations

import argparse
import io
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương"]
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Ngọc", "Đức"]
GIVEN = [
    "An",
    "Bình",
    "Châu",
    "Dũng",
    "Giang",
    "Hà",
    "Khánh",
    "Lâm",
    "Mai",
    "Nam",
    "Oanh",
    "Phúc",
    "Quân",
    "Sơn",
    "Thảo",
    "Uyên",
    "Vinh",
    "Xuân",
    "Yến",
]
TURNS = [
    (
        "Tình trạng rác thải tại hẻm {n} vẫn chưa được xử lý, bà con phản ánh nhiều lần. Đề nghị chi bộ giao tổ dân phố "  # noqa: E501
        "phối hợp đội vệ sinh thu gom trước ngày {d}/{m}."
    ),
    "Trong tháng tổ {n} đã vận động được {k} hộ đăng ký gia đình văn hóa, thu quỹ đạt {p}% chỉ tiêu.",
    "Tôi thống nhất với dự thảo báo cáo của chi ủy, không có ý kiến bổ sung.",
    "Đề nghị chi bộ phân công đảng viên trẻ phụ trách tuyên truyền phòng chống ma túy tại điểm trường {n}.",
    "Đường dây điện ở tổ {n} bị chùng thấp, mùa mưa rất nguy hiểm cho người đi đường.",
    "Kiến nghị Đảng ủy phường sớm có văn bản đề nghị quận nạo vét cống thoát nước đường số {n} trước mùa mưa.",
]


def person(i: int) -> str:
    return f"{FAMILY[i % len(FAMILY)]} {MIDDLE[(i // 3) % len(MIDDLE)]} {GIVEN[(i * 7) % len(GIVEN)]}"


def minutes(i: int) -> str:
    """A distinct, typical minutes text: header, chair report, six contributions, conclusion, vote."""
    m = i % 12 + 1
    chair, secretary = person(i), person(i + 101)
    lines = [
        "ĐẢNG BỘ PHƯỜNG TÂN HÒA",
        f"CHI BỘ KHU PHỐ {i % 9 + 1}",
        "*",
        "BIÊN BẢN",
        f"SINH HOẠT CHI BỘ THƯỜNG KỲ THÁNG {m} NĂM 2024",
        "",
        f"Thời gian: bắt đầu lúc 19 giờ 00, ngày {i % 27 + 1}/{m}/2024.",
        f"Địa điểm: Nhà văn hóa Khu phố {i % 9 + 1}.",
        f"Chủ trì: đồng chí {chair} - Bí thư Chi bộ.",
        f"Thư ký: đồng chí {secretary} - Chi ủy viên.",
        f"Tổng số đảng viên: {20 + i % 10} đồng chí; có mặt: {17 + i % 8} đồng chí; vắng: 03 đồng chí (có lý do).",
        "I. PHẦN THỦ TỤC",
        "Chào cờ, tuyên bố lý do. Đồng chí chủ trì thông qua nội dung sinh hoạt.",
        "II. NỘI DUNG",
        (
            f"1. Đồng chí {chair} thông qua dự thảo báo cáo kết quả thực hiện nhiệm vụ tháng {m - 1 or 12} và "
            f"phương hướng nhiệm vụ tháng {m}/2024. Trong tháng, khu phố thu quỹ vì người nghèo đạt {60 + i % 40}% "
            "chỉ tiêu; tình trạng lấn chiếm vỉa hè chưa giảm."
        ),
        "2. Thảo luận:",
    ]
    for k in range(6):
        text = TURNS[(i + k) % len(TURNS)].format(n=i + k + 1, d=(i + k) % 27 + 1, m=m, k=k + 2, p=70 + k * 4)
        lines.append(f"- Đồng chí {person(i * 6 + k + 7)}: {text}")
    lines += [
        (
            f"3. Đồng chí chủ trì kết luận: Chi bộ thống nhất thông qua báo cáo. Giao tổ dân phố phối hợp đội vệ "
            f"sinh thu gom rác thải hẻm {i + 1} trước ngày {i % 27 + 1}/{m}; phân công đảng viên trẻ phụ trách "
            "tuyên truyền phòng chống ma túy."
        ),
        f"Biểu quyết: {17 + i % 8}/{17 + i % 8} đồng chí tán thành nghị quyết.",
        "Cuộc họp kết thúc lúc 20 giờ 45 cùng ngày.",
        "THƯ KÝ                CHỦ TRÌ",
        f"{secretary}            {chair}",
    ]
    return "\n".join(lines)


def docx(text: str) -> bytes:
    from docx import Document

    doc = Document()
    for line in text.splitlines():
        doc.add_paragraph(line)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(data_dir: Path) -> str:
    """Migrate a fresh database with one committee, one cell and its secretary; return the secretary's token."""
    from minutes_nlp.web import admin
    from minutes_nlp.web.auth import new_token
    from minutes_nlp.web.db import make_engine, make_sessionmaker, migrate
    from minutes_nlp.web.settings import Settings

    settings = Settings(data_dir=data_dir)
    migrate(settings.database_url)
    with make_sessionmaker(make_engine(settings.database_url))() as s:
        committee = admin.create_unit(s, "Đảng ủy Phường Tân Hòa", "committee")
        cell = admin.create_unit(s, "Chi bộ Khu phố 1", "cell", committee)
        user = admin.create_user(s, "bithu", "mat-khau-do-hieu-nang", "secretary", cell)
        return new_token(s, user, "benchmark")


def upload_to_report(client: httpx.Client, name: str, data: bytes) -> float:
    """Seconds from the upload's first byte to the report JSON's last; raises on any error or refusal."""
    start = time.perf_counter()
    r = client.post("/api/meetings", files=[("files", (name, data, "application/octet-stream"))])
    r.raise_for_status()
    result = r.json()["results"][0]
    if result["status"] != "created":
        raise RuntimeError(f"{name}: {result}")
    report = client.get(f"/api/meetings/{result['meeting_id']}/report")
    report.raise_for_status()
    if not report.json()["segments"]:
        raise RuntimeError(f"{name}: empty report")
    return time.perf_counter() - start


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def row_counts(data_dir: Path) -> tuple[int, int]:
    from sqlalchemy import func, select

    from minutes_nlp.web.db import Analysis, Document, make_engine
    from minutes_nlp.web.settings import Settings

    engine = make_engine(Settings(data_dir=data_dir).database_url)
    with engine.connect() as conn:
        return conn.scalar(select(func.count(Document.id))), conn.scalar(select(func.count(Analysis.id)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sequential", type=int, default=30, help="distinct uploads one after another")
    parser.add_argument("--concurrent", type=int, default=20, help="distinct uploads at once, one thread each")
    args = parser.parse_args()

    files = [(f"bien-ban-{i:03d}.docx", docx(minutes(i))) for i in range(args.sequential + args.concurrent)]
    sizes = [len(d) for _, d in files]
    with tempfile.TemporaryDirectory(prefix="minutes-nlp-bench-") as tmp:
        data_dir = Path(tmp)
        token = prepare(data_dir)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "minutes_nlp.cli.main",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--data-dir",
                str(data_dir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
        )
        try:
            started = time.perf_counter()
            while True:
                try:
                    if httpx.get(f"{base}/login", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if server.poll() is not None or time.perf_counter() - started > 60:
                    sys.stderr.write(server.stderr.read().decode(errors="replace"))
                    raise SystemExit("server did not start")
                time.sleep(0.1)
            print(
                f"server ready in {time.perf_counter() - started:.1f} s (model loaded once); "
                f"files {min(sizes) // 1024}-{max(sizes) // 1024} KB .docx"
            )

            headers = {"Authorization": f"Bearer {token}"}
            with httpx.Client(base_url=base, headers=headers, timeout=120) as client:
                upload_to_report(client, "warm-up.docx", docx(minutes(10_000)))  # first call loads lazy tokenizers
                seq = [upload_to_report(client, n, d) for n, d in files[: args.sequential]]
            print(
                f"sequential, {len(seq)} uploads: upload-to-report p50 {1000 * statistics.median(seq):.0f} ms, "
                f"p95 {1000 * pct(seq, 0.95):.0f} ms, max {1000 * max(seq):.0f} ms"
            )

            batch = files[args.sequential :]
            gate = threading.Barrier(len(batch))
            errors: list[str] = []

            def one(item):
                name, data = item
                with httpx.Client(base_url=base, headers=headers, timeout=120) as c:
                    gate.wait()
                    try:
                        return upload_to_report(c, name, data)
                    except Exception as exc:  # noqa: BLE001 - counted and reported, the run fails
                        errors.append(f"{name}: {exc}")
                        return None

            wall = time.perf_counter()
            with ThreadPoolExecutor(max_workers=len(batch)) as pool:
                conc = [t for t in pool.map(one, batch) if t is not None]
            wall = time.perf_counter() - wall
            print(
                f"concurrent, {len(batch)} uploads at once: {len(errors)} errors, wall {wall:.2f} s, "
                f"upload-to-report p50 {1000 * statistics.median(conc):.0f} ms, p95 {1000 * pct(conc, 0.95):.0f} ms"
                if conc
                else f"concurrent: every upload failed: {errors[:3]}"
            )
            for e in errors:
                print("  error:", e)
        finally:
            server.terminate()
            server.wait(timeout=30)
        expected = 1 + len(files)
        documents, analyses = row_counts(data_dir)
        lost = expected - documents
        print(f"rows after: {documents} documents, {analyses} analyses (expected {expected} each); lost {lost}")
        return 1 if errors or documents != expected or analyses != expected else 0


if __name__ == "__main__":
    sys.exit(main())
