"""analyze, flag and survey with --jobs N: worker processes give the output of one process, in the same order."""

import json
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from minutes_nlp.analysis.analyzer import Analyzer
from minutes_nlp.cli.main import main

DATA = Path(__file__).parent / "data" / "minutes"
CORPUS = Path(__file__).parents[1] / "corpora" / "minutes" / "minutes.jsonl"


@pytest.fixture(scope="module")
def analyzer():
    return Analyzer()


@pytest.fixture()
def shared_analyzer(analyzer, monkeypatch):
    """flag and survey load the model once per call; hand them the one loaded already (the workers inherit it)."""
    monkeypatch.setattr("minutes_nlp.cli.supervise.load_analyzer", lambda model: analyzer)


@pytest.fixture()
def files(tmp_path):
    """Seven Vietnamese minutes and, in the middle, a .docx that is not one."""
    folder = tmp_path / "bien-ban"
    folder.mkdir()
    paths = [Path(shutil.copy(p, folder)) for p in sorted(DATA.glob("*.txt"))]
    with CORPUS.open(encoding="utf-8") as lines:
        for line, _n in zip(lines, range(4)):
            record = json.loads(line)
            path = folder / f"{record['id']}.txt"
            path.write_text(record["text"], encoding="utf-8")
            paths.append(path)
    bad = folder / "bien-ban-hong.docx"
    bad.write_bytes(b"PK\x03\x04 day khong phai tep Word")
    return paths[:5] + [bad] + paths[5:]


def _run(args):
    result = CliRunner().invoke(main, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def test_analyze_jobs_2_writes_what_jobs_1_writes(files):
    one = _run(["analyze", "--format", "jsonl", "--jobs", "1", *map(str, files)])
    two = _run(["analyze", "--format", "jsonl", "--jobs", "2", *map(str, files)])
    assert one.exit_code == two.exit_code == 1
    assert two.stdout == one.stdout
    reports = [json.loads(line) for line in two.stdout.splitlines()]
    assert [r["source_file"] for r in reports] == [p.name for p in files if p.suffix == ".txt"]
    assert all(r["segments"] for r in reports)
    (line,) = two.stderr.splitlines()
    assert line.startswith(f"minutes-nlp: {files[5]}: ")


def test_flag_and_survey_jobs_2_match_jobs_1(files, shared_analyzer, tmp_path):
    folder = files[0].parent
    with zipfile.ZipFile(folder / "thang-5.zip", "w") as zf:
        zf.write(files[1], "chi-bo/thang-5.txt")
    for command in (["flag"], ["survey", "--by", "cell_type"]):
        one = _run([*command, "--jobs", "1", str(folder)])
        two = _run([*command, "--jobs", "2", str(folder)])
        assert one.exit_code == two.exit_code == 1
        assert two.stdout == one.stdout
        assert two.stderr == one.stderr
        assert "bien-ban-hong.docx" in two.stderr
        if command == ["flag"]:
            assert "thang-5.zip/chi-bo/thang-5.txt" in two.stdout


def test_jobs_must_be_positive(files):
    result = CliRunner().invoke(main, ["analyze", "--jobs", "0", str(files[0])])
    assert result.exit_code == 2
    assert "--jobs" in result.output
