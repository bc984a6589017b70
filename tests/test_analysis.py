"""Golden tests: three minutes whose expected analysis was written by hand (tests/data/golden/*.expected.json)."""

import json
from pathlib import Path

import pytest

from minutes_nlp.analysis.analyzer import Analyzer, contributions_frame, meetings_frame
from minutes_nlp.analysis.measures import (
    attendance_rate,
    distinct_people,
    duration_minutes,
    is_specific,
    participation_rate,
    taken_up,
)

GOLDEN = Path(__file__).parent / "data" / "golden"
CASES = sorted(p.name.replace(".expected.json", "") for p in GOLDEN.glob("*.expected.json"))


@pytest.fixture(scope="module")
def analyzer():
    return Analyzer()


@pytest.mark.parametrize("name", CASES)
def test_golden_meeting(analyzer, name):
    expected = json.loads((GOLDEN / f"{name}.expected.json").read_text(encoding="utf-8"))
    meeting = analyzer(GOLDEN / f"{name}.txt")
    for key, value in expected["meta"].items():
        assert meeting.meta.get(key) == value, key
    for key in expected.get("absent_meta", []):
        assert key not in meeting.meta
    got = [[c.speaker, c.role, c.primary_label] for c in meeting.contributions]
    assert got == expected["contributions"]
    for key, value in expected["metrics"].items():
        assert meeting.metrics[key] == (pytest.approx(value, abs=1e-4) if isinstance(value, float) else value), key
    uptake = meeting.metrics["conclusion_uptake"]
    assert {"proposals": uptake["proposals"], "taken_up": uptake["taken_up"]} == expected["uptake"]
    assert sorted(f.code for f in meeting.flags) == sorted(expected["flags"])
    assert meeting.score["level"] == expected["level"]


def test_report_contract_shape(analyzer):
    d = analyzer(GOLDEN / "to-dan-pho-8.txt").to_dict()
    assert d["schema_version"] == 1 and d["source_file"] == "to-dan-pho-8.txt"
    for seg in d["segments"]:
        assert d["text"][seg["start"] : seg["end"]].strip()
        if seg["kind"] == "discussion":
            assert seg["primary_label"] in ("proposal", "complaint", "report", "agreement", "other")
            assert all(0 <= s["confidence"] <= 1 for s in seg["sentences"])
        else:
            assert "labels" not in seg and "sentences" not in seg
    assert set(d["metrics"]["label_shares"]) == {"proposal", "complaint", "report", "agreement", "other"}
    assert 0 <= d["score"]["substantive"] <= 100
    assert all(f["code"].isupper() and f["message"] for f in d["flags"])
    assert d["criteria"]["profile"] == "hd12-2018"


def test_analyze_text_and_frames(analyzer):
    text = (GOLDEN / "to-dan-pho-8.txt").read_text(encoding="utf-8")
    meeting = analyzer(text)
    assert len(meeting.contributions) == 6
    frames = contributions_frame([meeting]), meetings_frame([meeting])
    assert len(frames[0]) == 6 and len(frames[1]) == 1
    assert frames[1].loc[0, "proposal_count"] == 2


def test_pipe_labels_meetings_in_batches_with_the_results_of_one_at_a_time(analyzer, tmp_path):
    """pipe gives each meeting what a call on it alone gives, in input order, a bad file in its place, and
    labels a batch of meetings with one call of the classifier."""
    from minutes_nlp.errors import MinutesError

    empty = tmp_path / "trang.txt"
    empty.write_text("Danh sách đảng viên tổ 3: Nguyễn Văn An, Trần Thị Bình.\n", encoding="utf-8")
    sources = [GOLDEN / f"{name}.txt" for name in CASES] + [empty] + [GOLDEN / f"{CASES[0]}.txt"]
    calls = []
    classify = analyzer.classifier.predict_proba
    analyzer.classifier.predict_proba = lambda items: calls.append(len(items)) or classify(items)
    try:
        piped = list(analyzer.pipe(sources))
    finally:
        del analyzer.classifier.predict_proba
    assert len(calls) == 1
    assert isinstance(piped[len(CASES)], MinutesError)
    for src, got in zip(sources, piped):
        if src == empty:
            continue
        alone = analyzer(src).to_dict()
        assert got.to_dict() == alone


def test_local_profile_is_named_and_scores_points():
    meeting = Analyzer(profile="vi-du-phuong-2025")(GOLDEN / "truong-tieu-hoc.txt")
    c = meeting.criteria
    assert c["profile"] == "vi-du-phuong-2025" and "không phải quy định toàn quốc" in c["title"]
    points = {r["code"]: r["points"] for r in c["criteria"]}
    # by hand: 20% speaking -> 2, 75% attendance -> 3, 60/90 minutes = 0.67 -> 2
    assert points == {"speaking": 2, "attendance": 3, "duration": 2}


def test_measure_formulas():
    assert attendance_rate(33, 41, 2) == pytest.approx(33 / 39, abs=1e-4)
    assert attendance_rate(None, 41, 2) is None
    assert duration_minutes("19:30", "21:15") == 105 and duration_minutes("19:30", None) is None
    assert duration_minutes("23:30", "00:30") == 60
    assert participation_rate(6, 14) == pytest.approx(0.4286, abs=1e-4) and participation_rate(3, None) is None
    assert distinct_people(["Nguyễn Văn Hải", "Hải", "Lan"]) == ["Nguyễn Văn Hải", "Lan"]


@pytest.mark.parametrize(
    "sentence, specific",
    [
        (
            "Đề nghị chi bộ giao Ban điều hành khu phố phối hợp Công an phường lập biên bản các chủ xe ngay trong tháng 9.",
            True,
        ),
        ("Đề nghị chi bộ quan tâm hơn.", False),
        ("Đề nghị chi bộ quan tâm hơn đến các cháu học sinh nghèo.", False),
        ("Kiến nghị phường nạo vét cống hẻm 42 trước mùa mưa.", True),
    ],
)
def test_specific_proposal_detector(sentence, specific):
    assert is_specific(sentence) is specific


def test_uptake_finds_the_conclusion_sentence():
    conclusion = [
        "Chi bộ thống nhất thông qua báo cáo.",
        "Giao tổ trưởng làm văn bản gửi phường đề nghị nạo vét cống ngõ 12.",
    ]
    assert taken_up("Đề nghị giao tổ trưởng làm văn bản gửi phường nạo vét cống ngõ 12.", conclusion) == conclusion[1]
    assert taken_up("Đề nghị tổ chức giải bóng đá thiếu nhi dịp hè.", conclusion) is None
