"""One bad file fails only itself: zip bombs refused before inflating, analyses in worker processes under a time
and a memory limit, a request's files saved together or not at all (kill -9 included), temporary folders swept."""

from __future__ import annotations

import hashlib
import io
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from zipbomb import bomb_docx

from minutes_nlp.web import Settings, create_app
from minutes_nlp.web.db import Analysis, Document
from minutes_nlp.web.workers import sweep_temp

from .conftest import PASSWORD, POSTGRES, csrf_of, seed, sign_in
from .minutes import docx_bytes, minutes_text

EXAMPLE = Path(__file__).parents[2] / "examples" / "bien-ban-to-dan-pho.txt"


def post(w, who, files, client=None, **form):
    return (client or w.client).post(
        "/api/meetings",
        headers=w.api(who),
        data=form,
        files=[("files", (name, data, "application/octet-stream")) for name, data in files],
    )


def documents(app) -> tuple[int, int]:
    with app.state.sessions() as s:
        return s.scalar(select(func.count(Document.id))), s.scalar(select(func.count(Analysis.id)))


def zipped(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return out.getvalue()


def b_minutes(variant: int) -> bytes:
    return docx_bytes(minutes_text("B", "Chi bộ Khu phố 2", 7, True, variant=variant))


# ---------------------------------------------------------------- zip bombs


@pytest.mark.parametrize("unpacked", [200, 1100], ids=["200MB", "1.1GB"])
def test_docx_bomb_is_refused_naming_the_file_alone_and_inside_a_zip(world, unpacked):
    bomb = bomb_docx(unpacked)
    before = documents(world.app)
    alone = post(world, "sec_a", [("bien-ban-thang-5.docx", bomb)])
    assert alone.status_code == 422
    assert alone.json()["detail"].startswith("bien-ban-thang-5.docx: ") and "bom nén" in alone.json()["detail"]
    inside = post(world, "sec_a", [("thang5.zip", zipped({"chi-bo/bom.docx": bomb}))])
    assert inside.status_code == 422
    assert inside.json()["detail"].startswith("thang5.zip/chi-bo/bom.docx: ") and "bom nén" in inside.json()["detail"]
    assert documents(world.app) == before


def test_docx_bomb_on_the_upload_page_is_a_vietnamese_message(world):
    client, token = sign_in(world.app, "sec_a")
    r = client.post(
        "/upload",
        data={"csrf_token": token},
        files=[("files", ("bom.docx", bomb_docx(1100), "application/octet-stream"))],
    )
    assert r.status_code == 422 and "bom.docx" in r.text and "nghi là bom nén" in r.text


# ---------------------------------------------------------------- worker processes


def _served(app):
    """app served by uvicorn on a free 127.0.0.1 port in a thread (real concurrency); returns (url, stop)."""
    import socket

    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"

    def stop():
        server.should_exit = True
        thread.join(timeout=10)

    return f"http://127.0.0.1:{port}", stop


@pytest.fixture(scope="module")
def pooled(tmp_path_factory):
    """A seeded app whose uploads go to 2 worker processes, 3 s and 160 MB per file, served over HTTP."""
    from .conftest import _fresh_postgres_database

    extra = {"database_url": _fresh_postgres_database()} if POSTGRES else {}
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("pooled"),
        migrate=True,
        secret_key="khoa-thu-nghiem",
        analysis_workers=2,
        analysis_seconds=3,
        analysis_memory_mb=160,
        **extra,
    )
    world = seed(create_app(settings), meetings=False)
    url, stop = _served(world.app)
    world.url = url
    yield world
    stop()
    world.app.state.analysis.close()


def _upload(world, who, name, data, results, key):
    with httpx.Client(base_url=world.url, timeout=120) as client:
        r = post(world, who, [(name, data)], client=client)
    results[key] = (r.status_code, r.json(), time.monotonic())


def test_slow_file_fails_alone_while_another_cell_signs_in_and_uploads(pooled):
    # 1 MB: about 3.5 s of analysis on an idle core, at most 135 MB more address space (whole analysis)
    slow = EXAMPLE.read_text(encoding="utf-8") * 220
    results: dict = {}
    mine = re.compile(rf"minutes-nlp-web-{os.getpid()}-")
    before = {p.name for p in Path(tempfile.gettempdir()).iterdir() if mine.match(p.name)}
    slow_thread = threading.Thread(
        target=_upload, args=(pooled, "sec_a", "bien-ban-rat-dai.txt", slow.encode(), results, "slow")
    )
    slow_thread.start()
    deadline = time.monotonic() + 20  # wait until the slow file is in a worker (its temporary folder exists)
    while time.monotonic() < deadline and not (
        {p.name for p in Path(tempfile.gettempdir()).iterdir() if mine.match(p.name)} - before
    ):
        time.sleep(0.02)
    with httpx.Client(base_url=pooled.url, timeout=60) as page:
        token = csrf_of(page.get("/login").text)
        signed = page.post("/login", data={"username": "sec_b", "password": PASSWORD, "csrf_token": token, "next": "/"})
        assert signed.status_code == 303 and signed.headers["location"] == "/"  # signed in
    _upload(pooled, "sec_b", "bien-ban-thang-7.docx", b_minutes(1), results, "other")
    slow_thread.join()
    status, body, slow_done = results["slow"]
    assert results["other"][0] == 201 and results["other"][1]["results"][0]["status"] == "created"
    assert results["other"][2] < slow_done, "the small upload waited behind the slow one"
    assert status == 422 and body["detail"].startswith("bien-ban-rat-dai.txt: ")
    assert "kéo dài quá 3 giây nên đã bị dừng" in body["detail"]
    # the stopped worker was replaced: the same cell uploads again at once
    again: dict = {}
    _upload(pooled, "sec_a", "bien-ban-thang-8.docx", b_minutes(2), again, "next")
    assert again["next"][0] == 201


def test_file_needing_more_memory_than_its_limit_fails_alone(pooled):
    # 14 MB; four bytes a character once decoded: reading it alone takes about 220 MB more address space
    wide = "Đồng chí Lan: tôi nhất trí với báo cáo 😀\n" * 300_000
    results: dict = {}
    _upload(pooled, "sec_a", "bien-ban-phong-to.txt", wide.encode(), results, "wide")
    status, body, _ = results["wide"]
    assert status == 422 and body["detail"].startswith("bien-ban-phong-to.txt: ") and "160 MB bộ nhớ" in body["detail"]
    _upload(pooled, "sec_a", "bien-ban-thang-9.docx", b_minutes(3), results, "next")
    assert results["next"][0] == 201


def test_same_file_from_two_requests_at_once_is_stored_once(pooled):
    data = b_minutes(4)
    results: dict = {}
    threads = [
        threading.Thread(target=_upload, args=(pooled, "sec_b", f"ban-{k}.docx", data, results, k)) for k in (1, 2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = sorted(results[k][1]["results"][0]["status"] for k in (1, 2))
    ids = {results[k][1]["results"][0]["meeting_id"] for k in (1, 2)}
    assert statuses == ["created", "duplicate"] and len(ids) == 1
    with pooled.app.state.sessions() as s:
        stored = select(func.count(Document.id)).where(Document.sha256 == hashlib.sha256(data).hexdigest())
        assert s.scalar(stored) == 1


# ---------------------------------------------------------------- one transaction, kill -9, temporary folders


def test_sweep_removes_only_folders_of_processes_that_are_gone(tmp_path):
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = tmp_path / f"minutes-nlp-web-{gone.stdout.strip()}-abc"
    alive = tmp_path / f"minutes-nlp-web-{os.getpid()}-def"
    old_style = tmp_path / "minutes-nlp-web-x1y2z3"
    other = tmp_path / "something-else"
    for folder in (dead, alive, old_style, other):
        folder.mkdir()
        (folder / "upload.txt").write_text("Đồng chí Lan: nhất trí.", encoding="utf-8")
    assert sweep_temp(tmp_path) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([alive.name, other.name])


def test_server_killed_mid_upload_saves_nothing_and_its_temporary_folder_is_swept(tmp_path, analyzer, monkeypatch):
    """kill -9 of `serve --workers 2` while a 60-file zip is being analysed: no document, and a restart sweeps.

    Sixty members keep the upload busy long enough to be caught mid-way however fast analysis becomes."""
    data_dir, temp = tmp_path / "data", tmp_path / "tmp"
    temp.mkdir()
    extra = {}
    if POSTGRES:
        from .conftest import _fresh_postgres_database

        extra["database_url"] = _fresh_postgres_database()
    settings = Settings(data_dir=data_dir, migrate=True, analyzer=analyzer, secret_key="khoa-thu-nghiem", **extra)
    world = seed(create_app(settings), meetings=False)
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, TMPDIR=str(temp), MINUTES_NLP_SECRET_KEY="khoa-thu-nghiem")
    cmd = [sys.executable, "-m", "minutes_nlp.cli.main", "serve", "--port", str(port), "--data-dir", str(data_dir)]
    cmd += ["--database-url", settings.database_url, "--workers", "2", "--analysis-workers", "1"]
    server = subprocess.Popen(
        cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        url = f"http://127.0.0.1:{port}"
        first, deadline = b_minutes(5), time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                ready = httpx.post(
                    url + "/api/meetings", headers=world.api("sec_b"), files=[("files", ("b.docx", first))], timeout=120
                )
                break
            except httpx.ConnectError:  # not listening yet
                time.sleep(0.3)
        assert ready.status_code == 201, ready.text  # serving, with its analysis workers
        archive = zipped(
            {f"thang-{k}.docx": docx_bytes(minutes_text("A", "Chi bộ Khu phố 1", 6, variant=20 + k)) for k in range(60)}
        )
        outcome: dict = {}

        def upload():
            try:
                outcome["response"] = httpx.post(
                    url + "/api/meetings",
                    headers=world.api("sec_a"),
                    files=[("files", ("thang6.zip", archive))],
                    timeout=120,
                )
            except httpx.TransportError as exc:
                outcome["error"] = exc

        thread = threading.Thread(target=upload)
        thread.start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not list(temp.glob("minutes-nlp-web-*")):
            time.sleep(0.01)
        time.sleep(0.5)  # a few members analysed, none stored yet
        os.killpg(server.pid, signal.SIGKILL)
        thread.join()
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
        server.wait()
    assert "error" in outcome, "the upload finished before the server was killed"
    with world.app.state.sessions() as s:
        names = list(s.scalars(select(Document.original_name)))
    assert names == ["b.docx"]  # the earlier upload only: nothing of the killed request
    # the kill usually leaves the folder of the member being analysed (what the issue found); between two
    # members there is none, so its presence is not asserted: whatever is left must go at the restart
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    create_app(Settings(data_dir=data_dir, analyzer=analyzer, secret_key="khoa-thu-nghiem", **extra))
    assert not list(temp.glob("minutes-nlp-web-*"))
