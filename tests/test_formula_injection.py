"""Formula injection (issue 14, item 2): a minutes file named like a formula stays text in every table we write.

The attack: a secretary names a valid minutes file ``=2+5+cmd|' calc'!A0.txt``; a spreadsheet opening the
export would run it. CSV cells that start with = + - @ tab or CR get a leading apostrophe; XLSX cells are
strings (openpyxl would store "=…" as a formula). Numbers stay numbers.
"""

import csv
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from minutes_nlp.analysis.analyzer import Analyzer
from minutes_nlp.cli.main import main
from minutes_nlp.corpus import exchange
from minutes_nlp.reports import supervise
from minutes_nlp.reports.xlsx import write_survey_xlsx
from minutes_nlp.spreadsheet import csv_cell, csv_row

DATA = Path(__file__).parent / "data" / "minutes"
ATTACK = "=2+5+cmd|' calc'!A0.txt"


@pytest.fixture(scope="module")
def analyzer():
    return Analyzer()


@pytest.fixture()
def attack(tmp_path, analyzer, monkeypatch):
    """The working folder, holding one real minutes file (it raises flags) under the attacker's name."""
    monkeypatch.setattr("minutes_nlp.cli.supervise.load_analyzer", lambda model: analyzer)
    folder = tmp_path / "bien-ban"
    folder.mkdir()
    shutil.copy(DATA / "thcs-2024-04.txt", folder / ATTACK)
    monkeypatch.chdir(folder)  # the supervisor runs `minutes-nlp flag *.txt` where the files are
    return folder


def cells_holding(path: Path, text: str) -> list:
    """Every cell of every sheet of the workbook at path whose value is text."""
    wb = openpyxl.load_workbook(path)
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value == text]


def test_the_helper_guards_text_only():
    for text in ("=1+1", "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"):
        assert csv_cell(text) == "'" + text
    assert csv_row(["Chi bộ Khu phố 1", 57.5, -3, None, ""]) == ["Chi bộ Khu phố 1", 57.5, -3, None, ""]


def test_flag_csv_neutralises_the_name_and_keeps_numbers(attack, tmp_path):
    out = tmp_path / "canh-bao.csv"
    result = CliRunner().invoke(main, ["flag", ATTACK, "--out", str(out)])
    assert result.exit_code == 0, result.output
    (row,) = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert row["Tệp"] == "'" + ATTACK
    assert float(row["Điểm thực chất"]) >= 0 and not row["Điểm thực chất"].startswith("'")


def test_flag_xlsx_writes_the_name_as_a_string(attack, tmp_path):
    out = tmp_path / "canh-bao.xlsx"
    result = CliRunner().invoke(main, ["flag", ATTACK, "--out", str(out)])
    assert result.exit_code == 0, result.output
    (cell,) = cells_holding(out, ATTACK)
    assert cell.data_type == "s"
    ws = openpyxl.load_workbook(out).active
    score = ws.cell(2, [c.value for c in ws[1]].index("Điểm thực chất") + 1)
    assert score.data_type == "n" and score.value >= 0


def test_analyze_xlsx_writes_the_name_as_a_string_on_every_sheet(attack, tmp_path):
    out = tmp_path / "phan-tich.xlsx"
    result = CliRunner().invoke(main, ["analyze", ATTACK, "--format", "xlsx", "--out", str(out)])
    assert result.exit_code == 0, result.output
    found = cells_holding(out, ATTACK)
    assert {c.parent.title for c in found} >= {"Cuộc họp", "Cảnh báo"}
    assert all(c.data_type == "s" for c in found)


def test_survey_xlsx_writes_a_group_name_from_the_minutes_as_a_string(analyzer, tmp_path):
    meeting = analyzer(DATA / "thcs-2024-04.txt")
    meeting.meta["committee"] = "=1+cmd|' /C calc'!A0"  # a committee name as read from the header
    out = write_survey_xlsx(supervise.survey([meeting], "committee"), tmp_path / "khao-sat.xlsx")
    (cell,) = cells_holding(out, "=1+cmd|' /C calc'!A0")
    assert cell.data_type == "s"
    ws = openpyxl.load_workbook(out).active
    assert ws.cell(2, 2).value == 1 and ws.cell(2, 2).data_type == "n"  # the number of meetings


def test_corpus_csv_neutralises_sentences(tmp_path):
    record = {
        "id": "m1",
        "split": "train",
        "text": 'Đồng chí Hà: =HYPERLINK("http://x") xin ý kiến.',
        "segments": [
            {
                "start": 0,
                "end": 47,
                "kind": "contribution",
                "speaker": "Hà",
                "role": None,
                "sentences": [{"start": 13, "end": 47, "label": "other"}],
            }
        ],
    }
    exchange.to_csv([record], tmp_path / "s.csv")
    (row,) = list(csv.DictReader((tmp_path / "s.csv").open(encoding="utf-8")))
    assert row["text"] == '\'=HYPERLINK("http://x") xin ý kiến.'
    assert row["start"] == "13"
