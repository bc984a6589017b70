"""The minutes-nlp command line, end to end on hand-written files."""

import json

import pytest
from click.testing import CliRunner

from minutes_nlp.cli.main import main

MINUTES = """CHI BỘ KHU PHỐ 4
BIÊN BẢN SINH HOẠT CHI BỘ THƯỜNG KỲ THÁNG 10 NĂM 2022
Thời gian: 19 giờ 30, ngày 09/10/2022.
Chủ trì: đồng chí Kim Văn Sơn - Bí thư chi bộ. Thư ký: đồng chí Lại Thị Mơ.
Tổng số đảng viên: 20; có mặt: 18; vắng: 02 (có lý do).
Thảo luận:
- Đồng chí Tống Văn Lực: Tôi thống nhất với dự thảo báo cáo.
- Đ/c Mơ: Đề nghị chi bộ giao tổ 2 vận động các hộ còn nợ quỹ trong tháng 11.
Đồng chí chủ trì kết luận: Chi bộ thống nhất thông qua báo cáo.
"""


@pytest.fixture()
def minutes_file(tmp_path):
    path = tmp_path / "kp4-2022-10.txt"
    path.write_text(MINUTES, encoding="utf-8")
    return path


def test_every_command_has_help_text():
    runner = CliRunner()
    commands = dict(main.commands)
    commands.update({f"corpus {k}": v for k, v in main.commands["corpus"].commands.items()})
    for name, command in commands.items():
        assert command.help, f"{name} has no help"
        result = runner.invoke(main, name.split() + ["--help"])
        assert result.exit_code == 0, name


def test_segment_table_names_speakers(minutes_file):
    result = CliRunner().invoke(main, ["segment", str(minutes_file)])
    assert result.exit_code == 0
    assert "Tống Văn Lực" in result.output and "Mơ" in result.output and "thư ký" in result.output


def test_segment_json_is_a_corpus_record(minutes_file):
    result = CliRunner().invoke(main, ["segment", str(minutes_file), "--format", "json"])
    record = json.loads(result.output)
    assert record["id"] == "kp4-2022-10" and record["source_file"] == "kp4-2022-10.txt"
    disc = [s for s in record["segments"] if s["kind"] == "discussion"]
    assert [s["speaker"] for s in disc] == ["Tống Văn Lực", "Mơ"]
    assert record["meta"]["members_present"] == 18
    text = record["text"]
    assert text[disc[1]["sentences"][0]["start"] : disc[1]["sentences"][0]["end"]].startswith("Đề nghị chi bộ")


def test_segment_bad_file_is_one_line_and_others_continue(minutes_file, tmp_path):
    empty = tmp_path / "rong.txt"
    empty.write_text("   \n", encoding="utf-8")
    weird = tmp_path / "bang.xyz"
    weird.write_text("x", encoding="utf-8")
    result = CliRunner().invoke(main, ["segment", str(empty), str(minutes_file), str(weird), "--format", "jsonl"])
    assert result.exit_code == 1
    out_lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(out_lines) == 1 and json.loads(out_lines[0])["id"] == "kp4-2022-10"
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 2
    assert "rong.txt" in errors[0] and "bang.xyz" in errors[1]
    assert "Traceback" not in result.output


def test_segment_file_without_speakers_fails_clearly(tmp_path):
    path = tmp_path / "danh-sach.txt"
    path.write_text("Danh sách vật tư cần mua.\nBàn ghế: 12 bộ.\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["segment", str(path)])
    assert result.exit_code == 1
    assert "danh-sach.txt" in result.stderr and "không tìm thấy lượt phát biểu" in result.stderr


def test_train_evaluate_compare_classify(tmp_path):
    corpus = "tests/data/corpus/tiny.jsonl"
    runner = CliRunner()
    out = tmp_path / "rules"
    result = runner.invoke(main, ["train", "--classifier", "rules", "--corpus", corpus, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert {"card.json", "card.md", "metrics.json", "model.skops"} <= {p.name for p in out.iterdir()}
    result = runner.invoke(
        main,
        ["evaluate", "--model", str(out), "--corpus", corpus, "--split", "test", "--png", str(tmp_path / "cm.png")],
    )
    assert result.exit_code == 0 and "macro-F1" in result.output
    assert (tmp_path / "cm.png").stat().st_size > 1000
    result = runner.invoke(main, ["compare", str(out)])
    assert result.exit_code == 0 and "rules" in result.output
    result = runner.invoke(
        main,
        ["classify", "--model", str(out), "-"],
        input="Đề nghị chi bộ sớm sửa đèn đường.\nTôi thống nhất với dự thảo.\n",
    )
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [r["label"] for r in rows] == ["proposal", "agreement"]
    assert set(rows[0]["scores"]) == {"proposal", "complaint", "report", "agreement", "other"}


def test_classify_with_missing_model_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(main, ["classify", "--model", str(tmp_path), "-"], input="Thống nhất.\n")
    assert result.exit_code == 1 and "no card.json" in result.output


@pytest.mark.parametrize("option", ["--config", "--profile"])
def test_analyze_with_an_unreadable_settings_file_is_one_clear_line(minutes_file, tmp_path, option):
    bad = tmp_path / "cau-hinh.toml"
    bad.write_bytes(b"\xff\xfe\x00 not toml")
    result = CliRunner().invoke(main, ["analyze", option, str(bad), str(minutes_file)])
    assert result.exit_code == 1 and "cau-hinh.toml" in result.output
    assert not isinstance(result.exception, UnicodeDecodeError) and "Traceback" not in result.output
