"""The service's model: install after checks (card, no pickle, not worse), switch, train on corrections."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from minutes_nlp.classifiers.model_store import MODELS_DIR, file_sha256
from minutes_nlp.cli.main import main
from minutes_nlp.web import Settings

CORPUS = Path(__file__).resolve().parents[2] / "corpora" / "minutes" / "minutes.jsonl"


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory):
    """Four test-split meetings of the corpus: enough to tell the rules from the shipped model, and quick."""
    lines = CORPUS.read_text(encoding="utf-8").splitlines()
    test = [line for line in lines if '"split": "test"' in line][:4]
    path = tmp_path_factory.mktemp("corpus") / "small.jsonl"
    path.write_text("\n".join(test) + "\n", encoding="utf-8")
    return str(path)


@pytest.fixture()
def data_dir(tmp_path):
    assert run("admin", "migrate", "--data-dir", str(tmp_path / "data")).exit_code == 0
    return tmp_path / "data"


def test_a_worse_model_is_refused_unless_forced(data_dir, small_corpus):
    result = run(
        "admin", "install-model", str(MODELS_DIR / "rules"), "--corpus", small_corpus, "--data-dir", str(data_dir)
    )
    assert result.exit_code == 1
    assert "test" in result.output and "--force" in result.output
    assert not (data_dir / "models" / "rules").exists()
    result = run(
        "admin",
        "install-model",
        str(MODELS_DIR / "rules"),
        "--force",
        "--corpus",
        small_corpus,
        "--data-dir",
        str(data_dir),
    )
    assert result.exit_code == 0, result.output
    assert (data_dir / "models" / "rules" / "model.skops").is_file()


def test_a_model_with_a_pickle_or_a_changed_file_is_refused(data_dir, tmp_path):
    copy = tmp_path / "mo-hinh"
    shutil.copytree(MODELS_DIR / "rules", copy)
    (copy / "extra.pkl").write_bytes(b"\x80\x04N.")
    result = run("admin", "install-model", str(copy), "--force", "--data-dir", str(data_dir))
    assert result.exit_code == 1 and "extra.pkl" in result.output
    (copy / "extra.pkl").unlink()
    card = json.loads((copy / "card.json").read_text(encoding="utf-8"))
    del card["train_split"]
    (copy / "card.json").write_text(json.dumps(card), encoding="utf-8")
    result = run("admin", "install-model", str(copy), "--force", "--data-dir", str(data_dir))
    assert result.exit_code == 1 and "train_split" in result.output


def test_use_model_switches_the_service(data_dir, small_corpus, monkeypatch):
    monkeypatch.delenv("MINUTES_NLP_MODEL", raising=False)
    assert Settings.from_env(data_dir=data_dir).model == "default"
    assert run("admin", "use-model", "rules", "--data-dir", str(data_dir)).exit_code == 1  # not installed
    installed = run(
        "admin",
        "install-model",
        str(MODELS_DIR / "rules"),
        "--force",
        "--corpus",
        small_corpus,
        "--data-dir",
        str(data_dir),
    )
    assert installed.exit_code == 0
    result = run("admin", "use-model", "rules", "--data-dir", str(data_dir))
    assert result.exit_code == 0, result.output
    assert Settings.from_env(data_dir=data_dir).model == str(data_dir / "models" / "rules")
    monkeypatch.setenv("MINUTES_NLP_MODEL", "default")
    assert Settings.from_env(data_dir=data_dir).model == "default"


def test_train_with_extra_data_lists_every_source_and_its_hash(tmp_path):
    extra = tmp_path / "sua.jsonl"
    text = "Đồng chí Đảng viên 1: Đề nghị chi bộ lắp thêm hai bóng đèn ở hẻm 12 trước ngày 30/4."
    record = {
        "id": "corrected-1-1",
        "text": text,
        "meta": {"source": "real", "split": "train"},
        "segments": [
            {
                "start": 0,
                "end": len(text),
                "kind": "discussion",
                "speaker": "Đảng viên 1",
                "role": "member",
                "sentences": [{"start": 21, "end": len(text), "label": "proposal"}],
            }
        ],
    }
    extra.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / "model"
    result = run("train", "--classifier", "rules", "--out", str(out), "--extra", str(extra))
    assert result.exit_code == 0, result.output
    card = json.loads((out / "card.json").read_text(encoding="utf-8"))
    sources = {d["role"]: d for d in card["data_sources"]}
    assert sources["extra"]["sha256"] == file_sha256(extra) and sources["extra"]["train_sentences"] == 1
    assert sources["corpus"]["path"] == "corpora/minutes/minutes.jsonl"
    assert card["train_sentences"] == sources["corpus"]["train_sentences"] + 1
    assert file_sha256(extra) in (out / "card.md").read_text(encoding="utf-8")
