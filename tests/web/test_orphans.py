"""No stored original without its database row: a server killed between writing a request's files and committing
it, or between committing and moving them into place, leaves nothing a restart does not clean up or finish."""

from __future__ import annotations

import io
import multiprocessing
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import event, select

from minutes_nlp.web import Settings, create_app
from minutes_nlp.web.db import Document, Unit, User, make_engine, make_sessionmaker
from minutes_nlp.web.store import Storage, ingest
from minutes_nlp.web.workers import InlineAnalysis, process_tag

from .conftest import seed
from .minutes import docx_bytes, minutes_text


def zipped(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return out.getvalue()


def a_minutes(variant: int) -> bytes:
    return docx_bytes(minutes_text("A", "Chi bộ Khu phố 1", 8, variant=variant))


def stored(app) -> set[str]:
    """The SHA-256 of every original file anywhere under the storage folder (staging included)."""
    return {p.stem for p in Path(app.state.settings.storage_dir).rglob("*.bin")}


def referenced(app) -> set[str]:
    with app.state.sessions() as s:
        docs = s.execute(select(Document.sha256, Document.archive_sha256)).all()
    return {d for row in docs for d in row if d}


def _ingest_until(when, marker, database_url, storage_dir, analyzer, cell_id, files):
    """In a forked child: ingest files for cell through the real code, and hang at the `when` event of the save."""
    sessions = make_sessionmaker(make_engine(database_url))
    with sessions() as s:

        @event.listens_for(s, when)
        def hang(session):
            if any(isinstance(o, Document) for o in session.identity_map.values()):
                Path(marker).write_text("ở đây", encoding="utf-8")
                time.sleep(120)

        user = s.scalar(select(User).where(User.username == "sec_a"))
        ingest(s, Storage(storage_dir), InlineAnalysis(analyzer), user, s.get(Unit, cell_id), files, 10 * 2**20)


def killed_at(app, world, analyzer, when, files, tmp_path) -> None:
    """Run ingest in a child process and kill it with SIGKILL once it reaches `when` of its saving transaction."""
    marker = tmp_path / f"{when}.marker"
    settings = app.state.settings
    args = (when, marker, settings.database_url, settings.storage_dir, analyzer, world.units["A"], files)
    child = multiprocessing.get_context("fork").Process(target=_ingest_until, args=args)
    child.start()
    deadline = time.monotonic() + 60
    while not marker.exists() and child.is_alive() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert marker.exists(), f"the child never reached {when} (exit code {child.exitcode})"
    os.kill(child.pid, signal.SIGKILL)
    child.join()


def restart(app, analyzer):
    s = app.state.settings
    return create_app(Settings(data_dir=s.data_dir, database_url=s.database_url, analyzer=analyzer, secret_key="k"))


@pytest.fixture()
def world(make_app):
    w = seed(make_app(), meetings=False)
    r = w.client.post("/api/meetings", headers=w.api("sec_a"), files=[("files", ("thang7.docx", a_minutes(1)))])
    assert r.status_code == 201, r.text
    return w


def test_kill_before_commit_leaves_no_stored_copy_after_restart(world, analyzer, tmp_path):
    app = world.app
    before = stored(app)
    assert before == referenced(app) and len(before) == 1
    committed = {d: app.state.storage.path(d).read_bytes() for d in before}
    files = [
        ("dot-thang8.zip", zipped({f"to-{k}.docx": a_minutes(10 + k) for k in range(3)})),
        ("le.docx", a_minutes(20)),
    ]
    killed_at(app, world, analyzer, "before_commit", files, tmp_path)
    assert referenced(app) == before  # the request saved nothing
    again = restart(app, analyzer)
    assert stored(again) == before  # no copy of the killed request's minutes anywhere under storage
    assert {d: again.state.storage.path(d).read_bytes() for d in before} == committed
    assert [p.name for p in Path(app.state.settings.storage_dir).iterdir() if p.name.startswith(".")] in (
        [],
        [".staging"],
    )
    assert not list(Path(app.state.settings.storage_dir).glob(".staging/*"))


def test_kill_after_commit_before_the_move_is_finished_at_restart(world, analyzer, tmp_path):
    app = world.app
    data = a_minutes(30)
    killed_at(app, world, analyzer, "after_commit", [("thang9.docx", data)], tmp_path)
    assert len(referenced(app)) == 2  # committed: its row must find its file
    again = restart(app, analyzer)
    assert stored(again) == referenced(again)
    with again.state.sessions() as s:
        doc = s.scalar(select(Document).where(Document.original_name == "thang9.docx"))
    assert again.state.storage.get(doc.sha256) == data
    assert not list(Path(app.state.settings.storage_dir).glob(".staging/*"))


def test_failed_commit_removes_the_staged_files(world, analyzer):
    app = world.app
    before = stored(app)
    with app.state.sessions() as s:

        @event.listens_for(s, "before_commit")
        def refuse(session):
            if any(isinstance(o, Document) for o in session.identity_map.values()):
                raise RuntimeError("ổ đĩa cơ sở dữ liệu đầy")

        user = s.scalar(select(User).where(User.username == "sec_a"))
        with pytest.raises(RuntimeError):
            ingest(
                s,
                app.state.storage,
                app.state.analysis,
                user,
                s.get(Unit, world.units["A"]),
                [("x.docx", a_minutes(40))],
                2**20,
            )
    assert stored(app) == before


def test_restart_removes_old_unreferenced_files_only(world, analyzer):
    app = world.app
    storage: Storage = app.state.storage
    (kept,) = referenced(app)
    hour_ago = time.time() - 3600
    os.utime(storage.path(kept), (hour_ago, hour_ago))
    old = storage.path("ab" * 32)
    old.parent.mkdir(parents=True, exist_ok=True)
    old.write_bytes(a_minutes(50))  # left by a version that wrote before committing
    os.utime(old, (hour_ago, hour_ago))
    fresh = storage.path("cd" * 32)
    fresh.parent.mkdir(parents=True, exist_ok=True)
    fresh.write_bytes(a_minutes(51))  # another server process may be about to commit its row
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        live = Path(app.state.settings.storage_dir) / ".staging" / f"{process_tag(sleeper.pid)}-abc"
        live.mkdir(parents=True)
        (live / f"{'ef' * 32}.bin").write_bytes(a_minutes(52))  # a live process's request in flight
        restart(app, analyzer)
        assert not old.exists()
        assert fresh.exists() and storage.path(kept).exists()
        assert (live / f"{'ef' * 32}.bin").exists()
    finally:
        sleeper.kill()
        sleeper.wait()
