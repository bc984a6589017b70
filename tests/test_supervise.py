"""Supervisors' commands: collecting files, folders and zips safely; ranking by flags; the survey figures."""

import csv
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from minutes_nlp.analysis.analyzer import Analyzer
from minutes_nlp.cli.main import main
from minutes_nlp.reports import supervise
from minutes_nlp.types import Meeting, Segment, Sentence

DATA = Path(__file__).parent / "data" / "minutes"
WORST, MIDDLE, BEST = "thcs-2024-04", "cty-2024-05", "kp5-2024-03"


@pytest.fixture(scope="module")
def analyzer():
    return Analyzer()


@pytest.fixture()
def shared_analyzer(analyzer, monkeypatch):
    """The commands load the model once per call; hand them the one this module loaded already."""
    monkeypatch.setattr("minutes_nlp.cli.supervise.load_analyzer", lambda model: analyzer)
    return analyzer


@pytest.fixture()
def batch(tmp_path):
    """A folder with one minutes file, one in a sub-folder, a zip holding the third, an empty file and a stray .xlsx."""
    folder = tmp_path / "bien-ban"
    (folder / "thang-4").mkdir(parents=True)
    shutil.copy(DATA / f"{BEST}.txt", folder)
    shutil.copy(DATA / f"{WORST}.txt", folder / "thang-4")
    with zipfile.ZipFile(folder / "thang-5.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(DATA / f"{MIDDLE}.txt", f"cong-ty/{MIDDLE}.txt")
        zf.writestr("cong-ty/ghi-chu.png", b"not minutes")
    (folder / "ghi-chu.xlsx").write_bytes(b"not minutes either")
    return folder


def _read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


# ---------------------------------------------------------------- collect


def test_collect_reads_folders_recursively_and_zip_members_as_bytes(batch):
    items = supervise.collect([batch])
    names = [Path(name).name for name, _ in items]
    assert sorted(names) == sorted(f"{n}.txt" for n in (WORST, MIDDLE, BEST))
    member = next(data for name, data in items if name.endswith(f"thang-5.zip/cong-ty/{MIDDLE}.txt"))
    assert member == (DATA / f"{MIDDLE}.txt").read_bytes()


@pytest.mark.parametrize(
    "name", ["../evil.txt", "bien-ban/../../evil.txt", "/etc/evil.txt", "..\\evil.txt", "C:/evil.txt"]
)
def test_zip_member_escaping_the_archive_is_refused(tmp_path, name):
    archive = tmp_path / "gui-len.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("tot.txt", "Biên bản")
        zf.writestr(name, "Biên bản")
    with pytest.raises(supervise.UnsafeArchive) as err:
        supervise.collect([archive])
    assert "gui-len.zip" in str(err.value) and "từ chối" in str(err.value)


def test_zip_bomb_over_the_size_limit_is_refused(tmp_path):
    archive = tmp_path / "bom.zip"
    zeros = bytes(2**20)
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("bien-ban.txt", "w") as member:
        for _ in range(300):
            member.write(zeros)
    assert archive.stat().st_size < 2 * 2**20
    with pytest.raises(supervise.UnsafeArchive) as err:
        supervise.collect([archive])
    assert "bom.zip" in str(err.value) and "300 MB" in str(err.value) and "200 MB" in str(err.value)


def test_zip_member_compressed_over_the_ratio_limit_is_refused(tmp_path):
    archive = tmp_path / "nen.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bien-ban.txt", bytes(5 * 2**20))
    with pytest.raises(supervise.UnsafeArchive) as err:
        supervise.collect([archive])
    assert "nen.zip" in str(err.value) and "tỷ lệ nén" in str(err.value)


def test_collect_with_an_error_list_keeps_going_past_a_refused_archive(batch, tmp_path):
    bad = tmp_path / "xau.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("../evil.txt", "x")
    errors: list = []
    items = supervise.collect([bad, batch, tmp_path / "khong-co.txt"], errors)
    assert len(items) == 3
    assert [type(e).__name__ for e in errors] == ["UnsafeArchive", "ReadError"]


# ---------------------------------------------------------------- flag


def test_flag_over_folder_and_zip_gives_one_row_per_meeting_worst_first(shared_analyzer, batch, tmp_path):
    out = tmp_path / "canh-bao.csv"
    result = CliRunner().invoke(main, ["flag", str(batch), "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = _read_csv(out)
    assert [Path(r["Tệp"]).stem for r in rows][0] == WORST
    assert len(rows) == 3 and {Path(r["Tệp"]).stem for r in rows} == {WORST, MIDDLE, BEST}
    # The order is the specified one: more warnings first, then lower score.
    meetings = {m.id: m for m in (shared_analyzer(DATA / f"{n}.txt") for n in (WORST, MIDDLE, BEST))}
    key = {n: (-sum(f.severity == "warning" for f in m.flags), m.score["substantive"]) for n, m in meetings.items()}
    assert [Path(r["Tệp"]).stem for r in rows] == sorted(key, key=key.get)
    worst = rows[0]
    assert worst["Chi bộ"] == "CHI BỘ TRƯỜNG THCS LÊ LỢI" and worst["Ngày họp"] == "2024-04-05"
    assert set(worst["Cảnh báo"].split(", ")) == {f.code for f in meetings[WORST].flags}
    assert next(r for r in rows if MIDDLE in r["Tệp"])["Tệp"].endswith(f"thang-5.zip/cong-ty/{MIDDLE}.txt")


def test_flag_prints_a_table_without_out(shared_analyzer, batch):
    result = CliRunner().invoke(main, ["flag", str(batch)])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split()[:3] == ["Tệp", "Chi", "bộ"]
    assert WORST in lines[2] and "AGREEMENT_ONLY" in lines[2] and BEST in lines[-1]


def test_flag_only_keeps_meetings_with_those_codes(shared_analyzer, batch, tmp_path):
    out = tmp_path / "chi-short.csv"
    result = CliRunner().invoke(main, ["flag", str(batch), "--only", "SHORT_MEETING", "--out", str(out)])
    assert result.exit_code == 0
    rows = _read_csv(out)
    assert [Path(r["Tệp"]).stem for r in rows] == [WORST] and rows[0]["Cảnh báo"] == "SHORT_MEETING"
    result = CliRunner().invoke(
        main, ["flag", str(batch), "--only", "NO_PROPOSALS", "--only", "short_meeting", "--out", str(out)]
    )
    assert {Path(r["Tệp"]).stem for r in _read_csv(out)} == {WORST, MIDDLE}


def test_flag_unknown_code_names_the_known_ones(batch):
    result = CliRunner().invoke(main, ["flag", str(batch), "--only", "NO_PROPOSAL"])
    assert result.exit_code == 2 and "NO_PROPOSAL" in result.output and "NO_PROPOSALS" in result.output


def test_flag_bad_file_is_one_stderr_line_and_the_rest_continue(shared_analyzer, batch, tmp_path):
    (batch / "rong.txt").write_text("  \n", encoding="utf-8")
    with zipfile.ZipFile(tmp_path / "xau.zip", "w") as zf:
        zf.writestr("../evil.txt", "x")
    out = tmp_path / "canh-bao.xlsx"
    result = CliRunner().invoke(main, ["flag", str(batch), str(tmp_path / "xau.zip"), "--out", str(out)])
    assert result.exit_code == 1
    errors = result.stderr.strip().splitlines()[:-1]  # the last line says where the rows went
    assert len(errors) == 2
    assert any("rong.txt" in e for e in errors) and any("xau.zip" in e and "evil.txt" in e for e in errors)
    assert "Traceback" not in result.output
    ws = openpyxl.load_workbook(out).active
    assert ws.max_row == 4 and ws["A1"].value == "Tệp" and ws.freeze_panes == "A2"


def test_flag_refused_zip_bomb_is_reported_not_raised(tmp_path):
    archive = tmp_path / "bom.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bien-ban.txt", bytes(5 * 2**20))
    result = CliRunner().invoke(main, ["flag", str(archive)])
    assert result.exit_code == 1 and "bom.zip" in result.stderr and "bom nén" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


# ---------------------------------------------------------------- survey


def _meeting(
    mid: str,
    level: str,
    score: float,
    rate: float | None,
    primaries: list[str],
    cell_type: str,
    committee: str,
    date: str,
) -> Meeting:
    """A hand-made analysed meeting: one contribution of one sentence per primary label."""
    segments, text = [], ""
    for i, label in enumerate(primaries):
        start = len(text)
        text += f"Ý kiến {i}.\n"
        segments.append(
            Segment(start, len(text) - 1, "discussion", f"Người {i}", "member", [Sentence(start, len(text) - 1, label)])
        )
    metrics = {"participation_rate": rate, "has_proposal": "proposal" in primaries}
    return Meeting(
        id=mid,
        text=text,
        meta={"cell_type": cell_type, "committee": committee, "date": date},
        segments=segments,
        metrics=metrics,
        score={"substantive": score, "level": level},
        flags=[],
        criteria={},
        model={},
    )


@pytest.fixture()
def three():
    return [
        _meeting(
            "a",
            "tot",
            80.0,
            0.6,
            ["proposal", "proposal", "complaint", "agreement"],
            "residential",
            "Đảng bộ Phường 9",
            "2024-03-10",
        ),
        _meeting("b", "kem", 10.0, 0.5, ["agreement", "other"], "school", "Đảng bộ Phường 9", "2024-03-20"),
        _meeting(
            "c",
            "trung_binh",
            30.0,
            None,
            ["report", "complaint", "complaint", "proposal"],
            "residential",
            "Đảng bộ Xã An Phú",
            "2024-04-02",
        ),
    ]


def test_survey_figures_are_the_shares_counted_by_hand(three):
    s = supervise.survey(three)["overall"]
    assert s["meetings"] == 3
    assert s["level_shares"] == pytest.approx({"tot": 1 / 3, "kha": 0.0, "trung_binh": 1 / 3, "kem": 1 / 3})
    # b has exactly half speaking, which is not "more than half"; c has no attendance figures.
    assert s["meetings_with_attendance"] == 2 and s["half_spoke_share"] == pytest.approx(1 / 2)
    assert s["contributions"] == 10
    assert s["label_shares"] == pytest.approx(
        {"proposal": 0.3, "complaint": 0.3, "report": 0.1, "agreement": 0.2, "other": 0.1}
    )
    assert s["no_proposal_share"] == pytest.approx(1 / 3)
    assert s["mean_score"] == pytest.approx(40.0)


@pytest.mark.parametrize(
    "by, groups",
    [
        ("cell_type", {"Khu dân cư": ["a", "c"], "Trường học": ["b"]}),
        ("committee", {"Đảng bộ Phường 9": ["a", "b"], "Đảng bộ Xã An Phú": ["c"]}),
        ("month", {"2024-03": ["a", "b"], "2024-04": ["c"]}),
    ],
)
def test_survey_groups_meetings(three, by, groups):
    result = supervise.survey(three, by)
    assert {g: s["meetings"] for g, s in result["groups"].items()} == {g: len(v) for g, v in groups.items()}


def test_survey_group_figures_by_hand(three):
    residential = supervise.survey(three, "cell_type")["groups"]["Khu dân cư"]
    assert residential["level_shares"] == pytest.approx({"tot": 0.5, "kha": 0.0, "trung_binh": 0.5, "kem": 0.0})
    assert residential["half_spoke_share"] == pytest.approx(1.0)
    assert residential["label_shares"] == pytest.approx(
        {"proposal": 3 / 8, "complaint": 3 / 8, "report": 1 / 8, "agreement": 1 / 8, "other": 0.0}
    )
    assert residential["no_proposal_share"] == 0.0 and residential["mean_score"] == pytest.approx(55.0)
    school = supervise.survey(three, "cell_type")["groups"]["Trường học"]
    assert school["half_spoke_share"] == 0.0 and school["no_proposal_share"] == 1.0


def test_survey_without_attendance_anywhere_leaves_the_share_empty(three):
    s = supervise.survey_stats([three[2]])
    assert s["meetings_with_attendance"] == 0 and s["half_spoke_share"] is None
    assert "-" in supervise.survey_table(supervise.survey([three[2]]))


def test_survey_command_prints_writes_html_with_charts_and_xlsx(shared_analyzer, batch, tmp_path):
    result = CliRunner().invoke(main, ["survey", str(batch), "--by", "cell_type"])
    assert result.exit_code == 0, result.output
    assert "Trường học" in result.output and "Tỷ lệ cuộc họp không có ý kiến đề xuất" in result.output
    html = tmp_path / "khao-sat.html"
    result = CliRunner().invoke(main, ["survey", str(batch), "--by", "month", "--out", str(html)])
    assert result.exit_code == 0
    page = html.read_text(encoding="utf-8")
    assert page.count('src="data:image/png;base64,') == 3 and "2024-03" in page and "<script" not in page
    xlsx = tmp_path / "khao-sat.xlsx"
    result = CliRunner().invoke(main, ["survey", str(batch), "--out", str(xlsx)])
    assert result.exit_code == 0
    ws = openpyxl.load_workbook(xlsx)["Khảo sát"]
    assert ws["A2"].value == "Số cuộc họp" and ws["B2"].value == 3
    # openpyxl does not read charts back: look for them in the file.
    with zipfile.ZipFile(xlsx) as zf:
        assert sum(n.startswith("xl/charts/chart") for n in zf.namelist()) == 2


def test_survey_rejects_an_unknown_output_type(batch, tmp_path):
    result = CliRunner().invoke(main, ["survey", str(batch), "--out", str(tmp_path / "x.pdf")])
    assert result.exit_code == 2 and ".xlsx" in result.output


def test_flag_and_survey_have_help_text():
    runner = CliRunner()
    for name in ("flag", "survey"):
        assert name in main.commands and main.commands[name].help
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0 and "PATHS" in result.output and "--out" in result.output
    assert "--only" in runner.invoke(main, ["flag", "--help"]).output
    assert "--by" in runner.invoke(main, ["survey", "--help"]).output
