"""Tests for minutes_nlp.corpus.dataset and the validate/stats/build commands of minutes_nlp.cli.corpus."""

from __future__ import annotations

import json
import random
import shutil
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from minutes_nlp.cli.corpus import corpus as corpus_cmd
from minutes_nlp.corpus import dataset as corpus
from minutes_nlp.corpus.markup import parse_markup
from minutes_nlp.errors import CorpusError

DATA = Path(__file__).parent / "data" / "corpus"
SMALL_ID = "t001-kp2-hue-2023-03"

# Each broken fixture is valid/small.jsonl with one hand edit; these are the codes it must give.
BROKEN = {
    "missing-field": ["missing-field"],  # "segments" renamed "segmentz"
    "field-type": ["field-type"],  # "id": 17
    "duplicate-id": ["duplicate-id"],  # the same meeting twice (only the second is flagged)
    "text-not-nfc": ["text-not-nfc"],  # "tán" written with a combining acute
    "text-not-normalized": ["text-not-normalized"],  # a no-break space after "Có mặt:"
    "cell-type": ["cell-type"],  # "ward"
    "source": ["source"],  # "web"
    "members": ["members"],  # members_present "18" as a string
    "date": ["date"],  # "12/3/2023"
    "split": ["split"],  # "validation"
    "span-bounds": ["span-bounds"],  # last segment ends at 400, text has 354 characters
    "span-whitespace": ["span-whitespace"],  # chair_report starts on the "\n" before it
    "segment-order": ["segment-order"],  # the last two segments swapped
    "segment-overlap": ["segment-overlap"],  # chair_conclusion starts 1 before the discussion ends
    "segment-kind": ["segment-kind"],  # "conclusion"
    "role": ["role"],  # "đảng viên"
    "speaker-missing": ["speaker-missing"],  # chair_report with speaker null
    "speaker-empty": ["speaker-empty"],  # speaker ""
    "speaker-title": ["speaker-title"],  # "Đồng chí Phan Thị Thu"
    "speaker-role": ["speaker-role"],  # "Hà (Tổ 2)"
    "sentences-not-allowed": ["sentences-not-allowed"],  # sentences on the chair_report
    "sentences-missing": ["sentences-missing"],  # Thu's remark without sentences
    "sentence-outside": ["sentence-outside"],  # Thu's sentence runs 6 characters past her segment
    "sentence-order": ["sentence-order"],  # Hà's two sentences swapped
    "sentence-overlap": ["sentence-overlap"],  # Hà's first sentence runs into the second
    "sentence-label": ["sentence-label"],  # "phan_anh"
    "sentence-gap": ["sentence-gap"],  # "Đề nghị chi bộ" left out of Hà's proposal
    "sentence-tail": ["sentence-tail"],  # "trong tháng 4." left out at the end of Hà's remark
    "rating-substantive": ["rating-substantive"],  # 145
    "rating-level": ["rating-level"],  # "good"
    "rating-band": ["rating-band"],  # 45 tot (tot is 75-100)
}


def run(*args: str):
    return CliRunner().invoke(corpus_cmd, [str(a) for a in args])


def small() -> dict:
    return corpus.load(DATA / "valid" / "small.jsonl")[0]


# --- load and validate ----------------------------------------------------------


@pytest.mark.parametrize("name", ["example.jsonl", "small.jsonl"])
def test_valid_fixture_has_no_violation(name):
    assert corpus.validate(corpus.load(DATA / "valid" / name)) == []


def test_tiny_corpus_is_valid():
    assert corpus.validate(corpus.load(DATA / "tiny.jsonl")) == []


@pytest.mark.parametrize("name, expected", sorted(BROKEN.items()))
def test_broken_fixture_gives_exactly_its_rule(name, expected):
    violations = corpus.validate(corpus.load(DATA / "broken" / f"{name}.jsonl"))
    assert [v.rule for v in violations] == expected


def test_every_rule_has_a_broken_fixture():
    assert set(BROKEN) == set(corpus.RULES)
    assert {p.stem for p in (DATA / "broken").glob("*.jsonl")} == set(BROKEN) | {"bad-json"}


def test_violation_names_meeting_and_span():
    [v] = corpus.validate(corpus.load(DATA / "broken" / "sentence-gap.jsonl"))
    assert (v.meeting_id, v.rule, v.span) == (SMALL_ID, "sentence-gap", (179, 195))
    assert str(v).startswith(f"{SMALL_ID}  sentence-gap  [179:195]  ")


def test_load_bad_line_names_file_and_line():
    with pytest.raises(CorpusError, match=r"bad-json\.jsonl:2: không phải JSON hợp lệ \(tại cột \d+\)"):
        corpus.load(DATA / "broken" / "bad-json.jsonl")


def test_load_missing_file_is_a_corpus_error(tmp_path):
    with pytest.raises(CorpusError, match="không tìm thấy tệp"):
        corpus.load(tmp_path / "none.jsonl")


def test_load_skips_blank_lines(tmp_path):
    path = tmp_path / "c.jsonl"
    line = (DATA / "valid" / "small.jsonl").read_text(encoding="utf-8").strip()
    path.write_text("\n" + line + "\n\n", encoding="utf-8")
    assert len(corpus.load(path)) == 1


@pytest.mark.parametrize(
    "speaker, rule",
    [
        ("Đ/c Thu", "speaker-title"),
        ("đ/c Thu", "speaker-title"),
        ("đồng chí Phan Thị Thu", "speaker-title"),
        ("Phan Thị Thu (chi ủy viên)", "speaker-role"),
        ("Hùng, Lan, Minh", None),
        ("Thu", None),
    ],
)
def test_speaker_form(speaker, rule):
    record = small()
    record["segments"][4]["speaker"] = speaker
    assert [v.rule for v in corpus.validate([record])] == ([rule] if rule else [])


def test_markup_record_with_lettered_bullets_and_null_members_is_valid():
    source = (
        "---\nid: t009-cq-da-nang-2022-01\ncell_type: agency\nmembers_total: null\n---\n"
        "BIÊN BẢN HỌP CHI BỘ\n"
        "[[discussion|Lan|member]]- Đ/c Lan: a) {proposal}Đề nghị sửa quy chế. b) {complaint}Máy in hỏng.\n"
        "[[procedural]]Cuộc họp kết thúc.\n"
    )
    record = parse_markup(source)
    assert record["meta"]["members_total"] is None
    assert corpus.validate([record]) == []


def test_reported_speech_sentence_may_start_the_segment():
    record = small()
    seg = record["segments"][4]  # "- Đồng chí Phan Thị Thu: Rác ở chợ vẫn ùn ứ."
    seg["sentences"][0]["start"] = seg["start"] + 2  # the whole remark "Đồng chí ... ứ." as one sentence
    assert corpus.validate([record]) == []


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 500) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=10,
)


@settings(max_examples=150, deadline=None)
@given(
    key=st.sampled_from(["id", "text", "meta", "segments", "rating"]),
    value=json_values,
    seg_key=st.sampled_from(["start", "end", "kind", "speaker", "role", "sentences"]),
    seg_value=json_values,
)
def test_validate_reports_instead_of_crashing_on_any_json(key, value, seg_key, seg_value):
    record = small()
    record["segments"][3][seg_key] = seg_value
    record[key] = value
    for v in corpus.validate([record]):
        assert v.rule in corpus.RULES


# --- splits ---------------------------------------------------------------------

TYPES = ["residential"] * 100 + ["agency"] * 40 + ["school"] * 20 + ["enterprise"] * 20 + ["health"] * 7 + ["armed"] * 3


def fake_records(types=TYPES) -> list[dict]:
    return [{"id": f"m{i:03d}", "meta": {"cell_type": t}} for i, t in enumerate(types)]


def test_split_is_70_15_15_overall():
    counts = Counter(corpus.split(fake_records()).values())  # 190 meetings: 133 / 28.5 / 28.5
    assert sum(counts.values()) == 190
    assert abs(counts["train"] - 133) <= 1
    assert abs(counts["dev"] - 28.5) <= 1 and abs(counts["test"] - 28.5) <= 1


@pytest.mark.parametrize("cell_type, n", [("residential", 100), ("agency", 40), ("school", 20), ("enterprise", 20)])
def test_split_is_stratified_by_cell_type(cell_type, n):
    records = fake_records()
    splits = corpus.split(records)
    counts = Counter(splits[r["id"]] for r in records if r["meta"]["cell_type"] == cell_type)
    for name, share in corpus.SPLIT_SHARES.items():
        assert abs(counts[name] - share * n) <= 1.5, (name, counts)


def test_split_small_stratum_still_reaches_held_out_sets():
    records = fake_records()
    splits = corpus.split(records)
    assert {splits[r["id"]] for r in records if r["meta"]["cell_type"] == "health"} >= {"dev", "test"}


def test_split_is_deterministic_and_independent_of_order():
    records = fake_records()
    first = corpus.split(records)
    shuffled = records[:]
    random.Random(0).shuffle(shuffled)
    assert corpus.split(records) == first == corpus.split(shuffled)
    assert corpus.split(records, seed=14) != first


def test_assign_splits_keeps_existing_and_assigns_new():
    records = fake_records()
    existing = {r["id"]: "train" for r in records[:100]} | {"gone-meeting": "test"}
    result = corpus.assign_splits(records, existing)
    assert all(result[k] == v for k, v in existing.items())
    assert set(result) == {r["id"] for r in records} | {"gone-meeting"}
    new = Counter(result[r["id"]] for r in records[100:])
    # 100 residential already all train: the new ids make up for it in dev and test.
    assert new["dev"] + new["test"] > new["train"]


def test_splits_tsv_round_trip(tmp_path):
    splits = corpus.split(fake_records())
    corpus.write_splits(splits, tmp_path / "splits.tsv")
    assert corpus.read_splits(tmp_path / "splits.tsv") == splits


# --- stats (tiny.jsonl counted by hand) -----------------------------------------


def tiny_stats():
    return corpus.stats(corpus.load(DATA / "tiny.jsonl"))


def test_stats_totals_counted_by_hand():
    totals = tiny_stats()["totals"]["value"].to_dict()
    assert totals == {
        "meetings": 3,
        "contributions": 7,
        "labelled_sentences": 12,
        "rated_meetings": 2,
        "meetings_without_proposal": 1,
        "share_without_proposal": 0.3333,
        "near_duplicate_pairs": 1,
        "near_duplicate_pairs_train_test": 1,
        # the planted pair occurs in two meetings only, so it is not a stock formula
        "near_duplicate_pairs_train_test_beyond_stock_formulas": 1,
    }


def test_stock_formulas_are_short_sentences_repeated_in_three_meetings():
    import pandas as pd

    short, long_ = (
        "Tôi nhất trí với báo cáo.",
        ("Đề nghị chi bộ giao tổ 2 vận động các hộ còn nợ quỹ khuyến học hoàn thành trước ngày 30 tháng 6 năm nay."),
    )
    pairs = pd.DataFrame(
        [
            {"meeting_a": "m1", "start_a": 0, "meeting_b": "m2", "start_b": 0, "text_a": short, "text_b": short},
            {"meeting_a": "m2", "start_a": 0, "meeting_b": "m3", "start_b": 5, "text_a": short, "text_b": short},
            {
                "meeting_a": "m4",
                "start_a": 0,
                "meeting_b": "m5",
                "start_b": 0,
                "text_a": "Thống nhất cao.",
                "text_b": "Thống nhất cao.",
            },
            {"meeting_a": "m6", "start_a": 0, "meeting_b": "m7", "start_b": 0, "text_a": long_, "text_b": long_},
            {"meeting_a": "m7", "start_a": 0, "meeting_b": "m8", "start_b": 0, "text_a": long_, "text_b": long_},
        ]
    )
    assert corpus._stock_formulas(pairs) == [True, True, False, False, False]


def test_stats_labels_counted_by_hand():
    labels = tiny_stats()["labels"]
    assert labels["sentences"].to_dict() == {"proposal": 3, "complaint": 3, "report": 2, "agreement": 2, "other": 2}
    # t001: proposal, complaint; t002: report, agreement, other; t003: proposal, complaint
    assert labels["contributions"].to_dict() == {"proposal": 2, "complaint": 2, "report": 1, "agreement": 1, "other": 1}


@pytest.mark.parametrize(
    "table, expected",
    [
        ("cell_type", {"agency": 1, "residential": 1, "school": 1}),
        ("split", {"train": 1, "dev": 1, "test": 1}),
        ("layout", {"bullet_colon": 2, "numbered": 1}),
        ("meeting_type", {"thuong_ky": 2, "chuyen_de": 1}),
        ("year", {"2023": 1, "2024": 2}),
        ("province", {"Hà Nội": 2, "Thừa Thiên Huế": 1}),
    ],
)
def test_stats_meetings_by(table, expected):
    assert tiny_stats()[table]["meetings"].to_dict() == expected


def test_stats_contributions_by_cell_type():
    frame = tiny_stats()["cell_type"]
    assert frame.loc["agency"].to_dict() == {"meetings": 1, "contributions": 3, "sentences": 4, "with_proposal": 0}


@pytest.mark.parametrize(
    "contribution, primary",
    [
        (["agreement", "proposal"], "proposal"),
        (["report", "complaint", "agreement"], "complaint"),
        (["other", "report"], "report"),
        (["other"], "other"),
        ([], "other"),
    ],
)
def test_primary_label_follows_precedence(contribution, primary):
    assert corpus.primary_label(contribution) == primary


# --- near-duplicates ------------------------------------------------------------


def test_near_duplicate_found_across_train_and_test():
    pairs = tiny_stats()["near_duplicates"]
    assert len(pairs) == 1
    row = pairs.iloc[0]
    assert (row.meeting_a, row.meeting_b, row.split_a, row.split_b) == (
        "t001-kp2-hue-2023-03",
        "t003-thcs-ha-noi-2024-10",
        "train",
        "test",
    )
    assert row.text_b == "Đề nghị chi bộ sửa đèn hẻm 12 trong tháng 5."


def test_similar_pairs_ignores_unrelated_and_case():
    texts = [
        "Đề nghị chi bộ phân công đảng viên phụ trách từng tổ dân phố.",
        "Tình trạng xả rác ra kênh vẫn còn diễn ra, bà con rất bức xúc.",
        "ĐỀ NGHỊ CHI BỘ PHÂN CÔNG ĐẢNG VIÊN PHỤ TRÁCH TỪNG TỔ DÂN PHỐ.",
        "Đề nghị chi bộ phân công cán bộ theo dõi việc đóng quỹ.",
    ]
    assert [(i, j) for i, j, _ in corpus.similar_pairs(texts)] == [(0, 2)]


def brute_force(texts, threshold):
    sets = [corpus.shingles(t) for t in texts]
    out = []
    for i in range(len(sets)):
        for j in range(i + 1, len(sets)):
            if sets[i] and sets[j]:
                jac = len(sets[i] & sets[j]) / len(sets[i] | sets[j])
                if jac >= threshold:
                    out.append((i, j))
    return out


@pytest.mark.parametrize("threshold", [0.5, 0.8, 0.9])
def test_similar_pairs_matches_brute_force(threshold):
    rng = random.Random(7)
    words = "chi bộ đề nghị tổ dân phố vận động hộ đóng quỹ tháng".split()
    texts = [" ".join(rng.choice(words) for _ in range(rng.randint(2, 6))) for _ in range(150)]
    assert [(i, j) for i, j, _ in corpus.similar_pairs(texts, threshold)] == brute_force(texts, threshold)


def test_similar_pairs_finds_a_near_copy_among_10000_sentences():
    # Correctness only: how fast this runs is a benchmark's business, not a test's (CI machines are shared).
    rng = random.Random(1)
    text = json.loads((DATA / "valid" / "example.jsonl").read_text(encoding="utf-8"))["text"]
    words = sorted(set(text.lower().split()))
    texts = [" ".join(rng.choice(words) for _ in range(rng.randint(6, 30))) for _ in range(10_000)]
    texts[9_000] = texts[3] + " nữa"
    pairs = corpus.similar_pairs(texts)
    assert (3, 9_000) in [(i, j) for i, j, _ in pairs]


# --- CLI: validate, stats, build ------------------------------------------------


def test_cli_validate_clean_file():
    result = run("validate", DATA / "valid" / "example.jsonl")
    assert result.exit_code == 0
    assert result.output.strip() == "1 cuộc họp hợp lệ"


def test_cli_validate_prints_violations_and_exits_1():
    result = run("validate", DATA / "broken" / "sentence-gap.jsonl")
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines[0].startswith(f"{SMALL_ID}  sentence-gap  [179:195]  ")
    assert lines[-1] == "1 vi phạm trong 1 trên 1 cuộc họp"


@pytest.mark.parametrize(
    "name, reason",
    [
        ("broken/bad-json.jsonl", "bad-json.jsonl:2: không phải JSON hợp lệ"),
        ("missing.jsonl", "missing.jsonl: không tìm thấy tệp"),
    ],
)
def test_cli_unreadable_file_is_one_line_without_traceback(name, reason):
    result = run("validate", DATA / name)
    assert result.exit_code == 1
    assert reason in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1


def test_cli_stats_table_and_json():
    table = run("stats", DATA / "tiny.jsonl")
    assert table.exit_code == 0
    assert "== labels ==" in table.output and "1 cặp, 1 cặp giữa train/test" in table.output
    as_json = run("stats", DATA / "tiny.jsonl", "--format", "json")
    assert as_json.exit_code == 0
    data = json.loads(as_json.output)
    assert data["totals"]["contributions"] == 7
    assert {"label": "proposal", "sentences": 3, "contributions": 2} in data["labels"]
    assert data["near_duplicates"][0]["train_test"] is True


def test_every_command_has_help():
    assert corpus_cmd.help
    for name, command in corpus_cmd.commands.items():
        assert command.help, name
        for param in command.params:
            if param.param_type_name == "option":
                assert param.help, (name, param.name)


def copy_src(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    shutil.copytree(DATA / "src", src)
    return src


def test_cli_build_writes_corpus_and_splits(tmp_path):
    src, out = copy_src(tmp_path), tmp_path / "minutes" / "minutes.jsonl"
    result = run("build", "--src", src, "--out", out)
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("3 cuộc họp hợp lệ")
    records = corpus.load(out)
    splits = corpus.read_splits(tmp_path / "minutes" / "splits.tsv")
    assert [r["id"] for r in records] == sorted(splits)
    assert all(r["meta"]["split"] == splits[r["id"]] for r in records)


def test_cli_build_keeps_existing_splits(tmp_path):
    src, out = copy_src(tmp_path), tmp_path / "minutes" / "minutes.jsonl"
    out.parent.mkdir()
    (out.parent / "splits.tsv").write_text(
        "id\tsplit\nt001-kp2-hue-2023-03\ttest\nt002-vp-ha-noi-2024-06\tdev\n", encoding="utf-8"
    )
    assert run("build", "--src", src, "--out", out).exit_code == 0
    splits = {r["id"]: r["meta"]["split"] for r in corpus.load(out)}
    assert splits["t001-kp2-hue-2023-03"] == "test" and splits["t002-vp-ha-noi-2024-06"] == "dev"
    assert set(corpus.read_splits(out.parent / "splits.tsv")) == set(splits)


def test_cli_build_markup_error_is_one_line(tmp_path):
    src = copy_src(tmp_path)
    (src / "t" / "t004-bad.txt").write_text(
        "---\nid: t004-bad\n---\n[[discussion|Lan]]- Đ/c Lan: ...\n", encoding="utf-8"
    )
    result = run("build", "--src", src, "--out", tmp_path / "out.jsonl")
    assert result.exit_code == 1
    assert "t004-bad.txt: expected [[discussion|Speaker name|role]]" in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1


def test_cli_build_invalid_record_exits_1(tmp_path):
    src = copy_src(tmp_path)
    path = src / "t" / "t001-kp2-hue-2023-03.txt"
    path.write_text(
        path.read_text(encoding="utf-8").replace("cell_type: residential", "cell_type: ward"), encoding="utf-8"
    )
    result = run("build", "--src", src, "--out", tmp_path / "out.jsonl")
    assert result.exit_code == 1
    assert f"{SMALL_ID}  cell-type" in result.output
