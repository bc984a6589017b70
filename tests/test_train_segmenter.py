"""Training the turn finder on more than our corpus (issue 9): minutes by other hands and people's corrections.

A meeting given with --extra is trained on whole, re-rendered like the corpus's meetings, and named on the
card; a meeting exported from the annotation queue alone (its contributions as the automatic analysis cut them,
nobody checked them) is left out, since training on it would teach the turn finder its own mistakes.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from minutes_nlp.cli.main import main
from minutes_nlp.corpus.dataset import load
from minutes_nlp.segmentation.turn_model import TurnFinder, train_from_corpus

ROOT = Path(__file__).resolve().parents[1]


def _write(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def test_extra_meetings_are_trained_on_and_unchecked_segments_are_not(tmp_path):
    corpus = load(ROOT / "corpora" / "minutes" / "minutes.jsonl")
    train = [r for r in corpus if r["meta"].get("split") == "train"][:2]
    test = [r for r in corpus if r["meta"].get("split") == "test"][:1]
    base = _write(tmp_path / "small.jsonl", train + test)

    other_hands = load(ROOT / "corpora" / "challenge" / "challenge8.jsonl")[:2]
    corrected = dict(other_hands[0], id="corrected-7-9", meta={**other_hands[0]["meta"], "corrections": 2})
    queue_only = dict(other_hands[1], id="queue-8-10", meta={**other_hands[1]["meta"], "queue_labels": 5})
    extra = _write(tmp_path / "corrections.jsonl", [corrected, queue_only])

    out = tmp_path / "segmenter"
    info = train_from_corpus(base, out, split="train", per_record=1, iterations=5, extra=[extra])

    assert info["train_meetings"] == 2
    assert info["extra_meetings"] == 1  # the corrected meeting; the queue-only one is left out
    assert info["train_records"] >= 2 * (2 + 1)  # each meeting as written and in one other layout
    assert [Path(e["file"]).name for e in info["extra"]] == ["corrections.jsonl"]
    assert f"--extra {extra.as_posix()}" in (out / "card.md").read_text(encoding="utf-8")  # how to rebuild it
    assert info["test"]["meetings"] == 1  # the corpus's test split is scored with the new model
    doc = TurnFinder(out)(corrected["text"], "corrected-7-9")
    assert doc.segments, "the model trained with the extra file loads and segments"


def test_a_missing_extra_file_is_named_in_vietnamese_and_nothing_is_written(tmp_path):
    out = tmp_path / "segmenter"
    missing = tmp_path / "sua.jsonl"
    result = CliRunner().invoke(main, ["train-segmenter", "--out", str(out), "--extra", str(missing)])
    assert result.exit_code == 1
    assert f"{missing}: không tìm thấy tệp" in result.output
    assert "Traceback" not in result.output and not out.exists()
