"""minutes-nlp batch on a Dask LocalCluster of two worker processes: nothing lost or duplicated, reruns add nothing."""

import json
import logging
import os
import signal
import zipfile
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from minutes_nlp.batch import run as batch_run
from minutes_nlp.batch.sources import iter_sources, name_of
from minutes_nlp.batch.store import DATASETS
from minutes_nlp.cli.main import main

distributed = pytest.importorskip("distributed")
DATA = Path(__file__).parent / "data" / "minutes"
CORPUS = Path(__file__).parents[1] / "corpora" / "minutes" / "minutes.jsonl"


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0", silence_logs=logging.CRITICAL
    )
    with cluster, distributed.Client(cluster) as c:
        yield c


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """Sixteen Vietnamese minutes in a folder and a zip, a .docx that is not one, a zip member that climbs out."""
    folder = tmp_path_factory.mktemp("luu-tru") / "bien-ban"
    (folder / "2024").mkdir(parents=True)
    for path in sorted(DATA.glob("*.txt")):
        (folder / path.name).write_bytes(path.read_bytes())
    with CORPUS.open(encoding="utf-8") as lines:
        records = [json.loads(line) for line, _n in zip(lines, range(13))]
    for r in records[:9]:
        (folder / "2024" / f"{r['id']}.txt").write_text(r["text"], encoding="utf-8")
    with zipfile.ZipFile(folder / "thang-5.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        for r in records[9:]:
            zf.writestr(f"chi-bo/{r['id']}.txt", r["text"])
        zf.writestr("../ngoai.txt", records[0]["text"])
    (folder / "2024" / "bien-ban-hong.docx").write_bytes(b"PK\x03\x04 day khong phai tep Word")
    return folder


def _sources(folder) -> list[str]:
    return [name_of(s) for s in iter_sources([folder])]


def _frames(out: Path) -> dict[str, pd.DataFrame]:
    return {name: pd.read_parquet(out / name) for name in DATASETS}


def test_a_worker_killed_mid_run_loses_and_duplicates_nothing(client, archive, tmp_path):
    out = tmp_path / "ket-qua"
    killed = []

    def kill_one(_counts):
        if not killed:
            pid = next(iter(client.run(os.getpid).values()))
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    summary = batch_run.run([archive], out, client, chunk_size=2, progress=False, on_chunk=kill_one)
    assert killed and not summary.failed_chunks
    frames = _frames(out)
    seen = Counter(list(frames["meetings"]["source"]) + list(frames["errors"]["source"]))
    expected = _sources(archive)
    assert len(expected) == 18
    assert seen == Counter(expected)
    meetings = frames["meetings"]
    assert len(meetings) == summary.meetings == 16
    assert meetings["content_hash"].str.len().eq(64).all() and meetings["model_version"].nunique() == 1
    # every contribution and sentence belongs to a meeting, and none is there twice
    keys = set(meetings["content_hash"])
    for name, cols in (("contributions", ["index"]), ("sentences", ["contribution", "index"])):
        frame = frames[name]
        assert set(frame["content_hash"]) <= keys and not frame.duplicated(["content_hash", *cols]).any()
    counts = frames["contributions"].groupby("content_hash").size()
    assert (counts.reindex(meetings["content_hash"]).values == meetings["contributions"].values).all()


def test_unreadable_files_land_in_errors_with_their_reason(client, archive, tmp_path):
    out = tmp_path / "ket-qua"
    summary = batch_run.run([archive, tmp_path / "khong-co.zip"], out, client, chunk_size=4, progress=False)
    errors = pd.read_parquet(out / "errors").set_index("source")
    assert summary.errors == len(errors) == 3
    docx = errors.loc[str(archive / "2024" / "bien-ban-hong.docx")]
    assert docx["message"].startswith(str(archive / "2024" / "bien-ban-hong.docx")) and docx["reason"]
    assert "ra ngoài" in errors.loc[f"{archive / 'thang-5.zip'}/../ngoai.txt", "reason"]
    assert errors.loc[str(tmp_path / "khong-co.zip"), "reason"]


def test_a_second_run_skips_what_is_done_and_adds_no_rows(client, archive, tmp_path):
    out = tmp_path / "ket-qua"
    first = batch_run.run([archive], out, client, chunk_size=3, progress=False)
    before = {name: len(frame) for name, frame in _frames(out).items()}
    parts = sorted(p.relative_to(out) for p in out.rglob("*.parquet"))
    again = batch_run.run([archive], out, client, chunk_size=3, progress=False)
    assert again.skipped == again.files == first.files == 18 and again.meetings == again.errors == 0
    assert {name: len(frame) for name, frame in _frames(out).items()} == before
    assert sorted(p.relative_to(out) for p in out.rglob("*.parquet")) == parts


def test_a_file_added_to_the_input_is_analysed_once_and_the_rest_stays_single(client, archive, tmp_path):
    folder = tmp_path / "bien-ban"
    folder.mkdir()
    for path in sorted(archive.rglob("*.txt")):
        (folder / path.name).write_bytes(path.read_bytes())
    out = tmp_path / "ket-qua"
    batch_run.run([folder], out, client, chunk_size=3, progress=False)
    text = (DATA / "kp5-2024-03.txt").read_text(encoding="utf-8") + "\nBản sao gửi Đảng ủy phường.\n"
    (folder / "kp5-2024-03-ban-sao.txt").write_text(text, encoding="utf-8")
    summary = batch_run.run([folder], out, client, chunk_size=3, progress=False)
    assert 0 < summary.meetings < len(_sources(folder))
    meetings = pd.read_parquet(out / "meetings")
    assert Counter(meetings["source"]) == Counter(_sources(folder))


def test_a_file_inserted_anywhere_changes_only_the_chunks_around_it():
    """Replay the store's rule (a part per start, replaced when its digest changes) for every insertion point."""
    names = [(f"/luu-tru/bien-ban/{i:03d}-chi-bo.txt", None) for i in range(60)]
    for at in range(len(names) + 1):
        grown = names[:at] + [(f"/luu-tru/bien-ban/{at:03d}-bo-sung.txt", None)] + names[at:]
        parts = {c.start: (c.digest, c.sources) for c in batch_run.chunks(names, "v1", 4, "/luu-tru")}
        redone = 0
        for c in batch_run.chunks(grown, "v1", 4, "/luu-tru"):
            if parts.get(c.start, (None,))[0] != c.digest:
                parts[c.start] = (c.digest, c.sources)
                redone += 1
        assert Counter(s for _d, sources in parts.values() for s in sources) == Counter(grown), at
        assert redone <= 2, at


def test_the_command_uses_a_running_scheduler(client, archive, tmp_path):
    out = tmp_path / "ket-qua"
    address = client.scheduler.address
    args = ["--lang", "en", "batch", str(archive / "2024"), "--out", str(out), "--scheduler", address]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output  # the damaged .docx
    assert "10 files: 9 meetings and 1 errors written, 0 already done" in result.stderr
    assert len(pd.read_parquet(out / "meetings")) == 9
