"""Every `analyze --format json` and `--format jsonl` output follows docs/report.schema.json (docs/report.md)."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from minutes_nlp.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((ROOT / "docs" / "report.schema.json").read_text(encoding="utf-8"))
VALIDATOR = Draft202012Validator(SCHEMA)

# No attendance figures, no times, nobody proposes: the report's nulls and info flags.
NO_FIGURES = """CHI BỘ THÔN ĐÔNG HÒA
BIÊN BẢN SINH HOẠT CHI BỘ THƯỜNG KỲ THÁNG 6 NĂM 2023
Ngày 14/6/2023, tại nhà văn hóa thôn, chi bộ sinh hoạt với sự tham dự đầy đủ của các đồng chí đảng viên.
Chủ trì: đồng chí Lò Văn Khiêm - Bí thư chi bộ. Thư ký: đồng chí Hà Thị Nguyệt.
Ý kiến thảo luận:
- Đồng chí Quàng Văn Pọm: Tôi nhất trí với báo cáo của chi ủy.
- Đồng chí Lường Thị Xuân: Tôi thống nhất với dự thảo, không bổ sung gì thêm.
Đồng chí chủ trì kết luận: Chi bộ thống nhất thông qua báo cáo tháng 6.
"""


def _fixtures(folder: Path) -> list[Path]:
    """Minutes of several layouts: the example, the test minutes, golden files, five challenge meetings."""
    paths = [ROOT / "examples" / "bien-ban-to-dan-pho.txt"]
    paths += sorted((ROOT / "tests" / "data" / "minutes").glob("*.txt"))
    paths += sorted((ROOT / "tests" / "data" / "golden").glob("*.txt"))
    lines = (ROOT / "corpora" / "challenge" / "challenge3.jsonl").read_text(encoding="utf-8").splitlines()
    for line in lines[::3]:
        record = json.loads(line)
        paths.append(folder / f"{record['id']}.txt")
        paths[-1].write_text(record["text"], encoding="utf-8")
    paths.append(folder / "thon-dong-hoa-2023-06.txt")
    paths[-1].write_text(NO_FIGURES, encoding="utf-8")
    return paths


@pytest.fixture(scope="module")
def minutes(tmp_path_factory):
    return _fixtures(tmp_path_factory.mktemp("minutes"))


def _check(report: dict) -> None:
    """Schema errors, then the offset rules the schema cannot say: every span indexes text."""
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in VALIDATOR.iter_errors(report)]
    assert not errors, (report.get("id"), errors[:5])
    text = report["text"]

    def spans(node):
        if isinstance(node, dict):
            if {"start", "end"} <= node.keys():
                yield node
            for value in node.values():
                yield from spans(value)
        elif isinstance(node, list):
            for value in node:
                yield from spans(value)

    for span in spans({k: report[k] for k in ("segments", "metrics", "score", "flags")}):
        assert 0 <= span["start"] <= span["end"] <= len(text)
        if "text" in span:
            assert text[span["start"] : span["end"]] == span["text"]
    for seg in report["segments"]:
        for sent in seg.get("sentences", []):
            assert seg["start"] <= sent["start"] and sent["end"] <= seg["end"]


def _analyze(args) -> str:
    result = CliRunner().invoke(main, ["analyze", *map(str, args)])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_schema_is_valid_draft_2020_12():
    Draft202012Validator.check_schema(SCHEMA)


def test_json_of_each_file_follows_the_schema(minutes):
    seen_codes, null_rates = set(), 0
    for path in minutes:
        report = json.loads(_analyze([path, "--format", "json"]))
        _check(report)
        assert report["source_file"] == path.name
        seen_codes |= {f["code"] for f in report["flags"]}
        null_rates += report["metrics"]["attendance_rate"] is None
    assert {"MISSING_ATTENDANCE", "MISSING_TIMES", "NO_PROPOSALS", "LOW_PARTICIPATION"} <= seen_codes
    assert null_rates >= 1


def test_json_of_several_files_is_an_array_of_reports(minutes):
    reports = json.loads(_analyze([*minutes, "--format", "json"]))
    assert isinstance(reports, list) and [r["source_file"] for r in reports] == [p.name for p in minutes]
    for report in reports:
        _check(report)


def test_jsonl_lines_follow_the_schema_with_a_points_profile(minutes):
    lines = _analyze([*minutes, "--format", "jsonl", "--profile", "vi-du-phuong-2025"]).splitlines()
    assert len(lines) == len(minutes)
    for line in lines:
        report = json.loads(line)
        _check(report)
        assert report["criteria"]["profile"] == "vi-du-phuong-2025" and "max_points" in report["criteria"]


def test_the_schema_refuses_what_the_contract_forbids(minutes):
    report = json.loads(_analyze([minutes[0], "--format", "json"]))
    broken = [
        {k: v for k, v in report.items() if k != "criteria"},
        {**report, "flags": [{**report["flags"][0], "code": "FEW_WORDS"}]},
        {**report, "metrics": {**report["metrics"], "attendance_rate": 1.4}},
        {**report, "segments": [{**report["segments"][0], "sentences": []}]},  # a procedural part with sentences
        {**report, "score": {**report["score"], "level": "good"}},
    ]
    for bad in broken:
        assert list(VALIDATOR.iter_errors(bad))
