"""The score reaches every level (issue 12): the calibrated weights and curve, calibrate, and the settings it writes."""

from __future__ import annotations

import csv
import json
import tomllib
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from minutes_nlp.analysis.analyzer import Analyzer
from minutes_nlp.analysis.calibration import fit_curve, fit_cuts
from minutes_nlp.analysis.config import load_config
from minutes_nlp.analysis.score import COMPONENTS, level_of, map_curve, substantive
from minutes_nlp.cli.main import main
from minutes_nlp.corpus.dataset import load

CORPUS = Path(__file__).resolve().parents[1] / "corpora" / "minutes" / "minutes.jsonl"
LEVELS = ("tot", "kha", "trung_binh", "kem")


@pytest.fixture(scope="module")
def cfg():
    return load_config()["score"]


@pytest.fixture(scope="module")
def records():
    return load(CORPUS)


def test_every_component_at_its_maximum_scores_100(cfg):
    assert substantive(dict.fromkeys(COMPONENTS, 1.0), 0.0, cfg) == 100.0
    assert sum(cfg["weights"].values()) == pytest.approx(1.0, abs=0.002)


def test_every_level_is_reachable(cfg):
    """The shipped weights summed to 0.73, so nothing scored above 73 and tot was out of reach."""
    reached = set()
    for step in range(101):
        comps = dict.fromkeys(COMPONENTS, step / 100)
        reached.add(level_of(substantive(comps, 0.0, cfg), cfg["levels"]))
    assert reached == set(LEVELS)


def test_the_score_never_falls_when_a_component_rises(cfg):
    base = dict.fromkeys(COMPONENTS, 0.5)
    for name in COMPONENTS:
        assert substantive({**base, name: 0.9}, 0.1, cfg) >= substantive(base, 0.1, cfg)


def test_levels_on_the_test_split_follow_the_ratings(records, cfg):
    analyzer = Analyzer()
    pairs = [
        (r["rating"]["level"], analyzer(r["text"], r["id"]).score["level"])
        for r in records
        if r["meta"]["split"] == "test"
    ]
    rated, scored = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    assert scored["tot"] >= rated["tot"] - 2 > 0  # before the calibration: none
    for level in LEVELS:
        assert abs(scored[level] - rated[level]) <= 0.1 * len(pairs), (level, rated, scored)
    assert sum(a == b for a, b in pairs) >= 0.75 * len(pairs)
    assert set(scored) == set(LEVELS)  # before the level cut points: kem was never scored
    kem = [b for a, b in pairs if a == "kem"]
    assert kem == ["kem"]  # the test split's one kem-rated meeting (only agreeing, no proposal, few problems)


def test_the_rare_bottom_level_gets_its_cut_point():
    # 20 meetings without proposals differ only in their agreement-only share (index 0.300 … 0.319);
    # the three lowest are rated kem (15), the rest trung_binh (25); then 20 kha (0.50 … 0.69), 5 tot (0.90)
    index = [0.300 + i / 1000 for i in range(20)] + [0.50 + i / 100 for i in range(20)] + [0.9] * 5
    ratings = [15] * 3 + [25] * 17 + [50 + i for i in range(20)] + [85] * 5
    assert fit_cuts(index, ratings) == pytest.approx([0.3025, 0.4095, 0.795])
    curve = fit_curve(index, ratings)
    levels = {"tot": 75, "kha": 40, "trung_binh": 20}
    scored = [level_of(round(100 * map_curve(x, curve), 1), levels) for x in index]
    assert scored == ["kem"] * 3 + ["trung_binh"] * 17 + ["kha"] * 20 + ["tot"] * 5
    assert curve[0] == [0.0, 0.0] and curve[-1] == [1.0, 100.0]


def test_a_crowd_of_equal_values_takes_its_middle_percentile():
    # 40 meetings without proposals tie at 0.3; their ratings run from 10 to 49: the tie lands mid-way
    index = [0.3] * 40 + [0.6 + i / 200 for i in range(60)]
    ratings = [10 + i for i in range(40)] + [50 + i * 0.5 for i in range(60)]
    knots = dict((x, y) for x, y in fit_curve(index, ratings))
    assert knots[0.0] == 0 and knots[1.0] == 100
    assert 25 <= knots[0.3] <= 35
    ys = [y for _, y in fit_curve(index, ratings)]
    assert ys == sorted(ys)


def test_a_settings_file_names_its_calibration(tmp_path):
    path = tmp_path / "trong-so.toml"
    path.write_text("[score]\nweights = { proposals = 0.7, engagement = 0.3 }\n", encoding="utf-8")
    score = load_config(path)["score"]
    assert score["calibration"].startswith("trong-so.toml sha256:")
    assert load_config()["score"]["calibration"].startswith("corpus train+dev")


def test_calibrate_writes_settings_that_analyze_uses(records, tmp_path):
    chosen = [r for r in records if r["meta"]["split"] == "dev"][:10]
    files = []
    for r in chosen:
        path = tmp_path / f"{r['id']}.txt"
        path.write_text(r["text"], encoding="utf-8")
        files.append(str(path))
    with open(tmp_path / "diem.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["file", "substantive"])
        writer.writerows([(f"{r['id']}.txt", r["rating"]["substantive"]) for r in chosen])
    out = tmp_path / "trong-so.toml"
    runner = CliRunner()
    result = runner.invoke(
        main, ["calibrate", *files, "--ratings", str(tmp_path / "diem.csv"), "--out", str(out)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert "Spearman" in result.output and "10" in result.output
    score = tomllib.loads(out.read_text(encoding="utf-8"))["score"]
    assert sum(score["weights"].values()) == pytest.approx(1.0, abs=0.01)
    assert score["curve"][0] == [0.0, 0.0] and score["curve"][-1] == [1.0, 100.0]
    assert {20.0, 40.0, 75.0} <= {y for _x, y in score["curve"]}  # the level cut points, fitted as for the corpus
    report = json.loads(runner.invoke(main, ["analyze", files[0], "--config", str(out), "--format", "json"]).output)
    assert report["score"]["calibration"] == "diem.csv, 10 meetings"


def test_calibrate_refuses_a_ratings_file_without_its_columns(tmp_path):
    (tmp_path / "diem.csv").write_text("tệp,điểm\nbien-ban.txt,50\n", encoding="utf-8")
    (tmp_path / "bien-ban.txt").write_text("Biên bản", encoding="utf-8")
    result = CliRunner().invoke(
        main,
        [
            "calibrate",
            str(tmp_path / "bien-ban.txt"),
            "--ratings",
            str(tmp_path / "diem.csv"),
            "--out",
            str(tmp_path / "w.toml"),
        ],
    )
    assert result.exit_code == 1
    assert "diem.csv" in result.output and "substantive" in result.output
    assert "Traceback" not in result.output
