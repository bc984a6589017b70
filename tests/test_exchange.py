"""Tests for minutes_nlp.corpus.exchange and the export/import commands of minutes_nlp.cli.corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from minutes_nlp.cli.corpus import corpus as corpus_cmd
from minutes_nlp.corpus import dataset as corpus
from minutes_nlp.corpus import exchange
from minutes_nlp.corpus.markup import parse_markup
from minutes_nlp.errors import CorpusError, UnsupportedFormat

DATA = Path(__file__).parent / "data" / "corpus"
CORPORA = [DATA / "tiny.jsonl", DATA / "valid" / "example.jsonl"]


def run(*args):
    return CliRunner().invoke(corpus_cmd, [str(a) for a in args])


def emoji_record() -> dict:
    # A character outside the BMP before the sentences: Label Studio counts it as 2 (UTF-16).
    return parse_markup(
        "---\nid: t010-kp1-can-tho-2024-02\ncell_type: residential\n---\n"
        "BIÊN BẢN 📄 HỌP CHI BỘ\n"
        "[[discussion|Lan|member]]- Đ/c Lan: {agreement}Thống nhất. {proposal}Đề nghị sửa cống 🚧 ở hẻm 3.\n"
    )


@pytest.mark.parametrize("fmt", exchange.IMPORT_FORMATS)
@pytest.mark.parametrize("path", CORPORA, ids=lambda p: p.name)
def test_round_trip_gives_back_the_same_records(tmp_path, fmt, path):
    records = corpus.load(path)
    exchange.export(records, fmt, tmp_path / "out")
    assert exchange.import_records(tmp_path / "out", fmt) == records


@pytest.mark.parametrize("fmt", exchange.IMPORT_FORMATS)
def test_round_trip_outside_the_bmp(tmp_path, fmt):
    record = emoji_record()
    assert corpus.validate([record]) == []
    exchange.export([record], fmt, tmp_path / "out")
    assert exchange.import_records(tmp_path / "out", fmt) == [record]


def test_label_studio_offsets_are_utf16(tmp_path):
    record = emoji_record()
    exchange.to_label_studio([record], tmp_path / "ls.json")
    [task] = json.loads((tmp_path / "ls.json").read_text(encoding="utf-8"))
    first = record["segments"][1]["sentences"][0]
    value = task["annotations"][0]["result"][0]["value"]
    assert (value["start"], value["end"]) == (first["start"] + 1, first["end"] + 1)
    assert value["text"] == "Thống nhất." and value["labels"] == ["agreement"]


def test_label_studio_task_shape(tmp_path):
    records = corpus.load(DATA / "tiny.jsonl")
    exchange.to_label_studio(records, tmp_path / "ls.json")
    tasks = json.loads((tmp_path / "ls.json").read_text(encoding="utf-8"))
    assert len(tasks) == 3
    result = tasks[0]["annotations"][0]["result"]
    assert [r["value"]["labels"] for r in result] == [["agreement"], ["proposal"], ["complaint"]]
    assert {(r["from_name"], r["to_name"], r["type"]) for r in result} == {("label", "text", "labels")}
    assert tasks[0]["data"]["meeting_id"] == "t001-kp2-hue-2023-03"
    assert tasks[0]["data"]["segments"][3] == {
        "start": 135,
        "end": 224,
        "kind": "discussion",
        "speaker": "Hà",
        "role": "member",
    }


def test_label_studio_import_uses_latest_annotation_else_prediction(tmp_path):
    [record] = corpus.load(DATA / "valid" / "small.jsonl")
    exchange.to_label_studio([record], tmp_path / "ls.json")
    [task] = json.loads((tmp_path / "ls.json").read_text(encoding="utf-8"))
    changed = json.loads(json.dumps(task["annotations"][0]))
    changed["result"][2]["value"]["labels"] = ["report"]
    cancelled = {"was_cancelled": True, "result": []}
    task["annotations"] = [task["annotations"][0], changed, cancelled]
    (tmp_path / "a.jsonl").write_text(json.dumps(task, ensure_ascii=False) + "\n", encoding="utf-8")
    [back] = exchange.import_records(tmp_path / "a.jsonl", "label-studio")
    assert back["segments"][4]["sentences"][0]["label"] == "report"

    task["predictions"] = [task.pop("annotations")[0]]
    (tmp_path / "p.json").write_text(json.dumps([task], ensure_ascii=False), encoding="utf-8")
    assert exchange.import_records(tmp_path / "p.json", "label-studio") == [record]


def test_doccano_line_shape_and_entities_form(tmp_path):
    [record] = corpus.load(DATA / "valid" / "small.jsonl")
    exchange.to_doccano([record], tmp_path / "d.jsonl")
    line = json.loads((tmp_path / "d.jsonl").read_text(encoding="utf-8"))
    assert line["id"] == line["meeting_id"] == "t001-kp2-hue-2023-03"
    assert line["label"] == [[152, 179, "agreement"], [180, 224, "proposal"], [250, 269, "complaint"]]
    # newer doccano exports: its own numeric id, spans as "entities" objects
    line["id"] = 42
    line["entities"] = [
        {"id": n, "start_offset": s, "end_offset": e, "label": lab} for n, (s, e, lab) in enumerate(line.pop("label"))
    ]
    (tmp_path / "e.jsonl").write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    assert exchange.import_records(tmp_path / "e.jsonl", "doccano") == [record]


def test_import_span_outside_discussion_is_a_corpus_error(tmp_path):
    [record] = corpus.load(DATA / "valid" / "small.jsonl")
    exchange.to_doccano([record], tmp_path / "d.jsonl")
    line = json.loads((tmp_path / "d.jsonl").read_text(encoding="utf-8"))
    line["label"].append([63, 120, "report"])  # the chair's report
    (tmp_path / "d.jsonl").write_text(json.dumps(line, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CorpusError, match=r"d\.jsonl:1: .*\[63:120\] report lies in no discussion segment"):
        exchange.import_records(tmp_path / "d.jsonl", "doccano")


def test_import_foreign_doccano_without_segments_says_so(tmp_path):
    (tmp_path / "d.jsonl").write_text('{"id": 1, "text": "abc", "label": []}\n', encoding="utf-8")
    with pytest.raises(CorpusError, match="no segments field"):
        exchange.import_records(tmp_path / "d.jsonl", "doccano")


def test_unknown_format_is_refused(tmp_path):
    with pytest.raises(UnsupportedFormat):
        exchange.export([], "brat", tmp_path / "x")
    with pytest.raises(UnsupportedFormat):
        exchange.import_records(tmp_path / "x", "csv")


def test_csv_has_one_row_per_sentence_with_context(tmp_path):
    exchange.to_csv(corpus.load(DATA / "tiny.jsonl"), tmp_path / "s.csv")
    frame = pd.read_csv(tmp_path / "s.csv", keep_default_na=False)
    assert list(frame.columns) == exchange.CSV_COLUMNS
    assert len(frame) == 12
    first, second = frame.iloc[0], frame.iloc[1]
    assert (first.meeting_id, first.split, first.segment, first.speaker, first.role) == (
        "t001-kp2-hue-2023-03",
        "train",
        3,
        "Hà",
        "member",
    )
    assert (first.start, first.end, first.text, first.label) == (152, 179, "Tôi thống nhất với dự thảo.", "agreement")
    assert (first.prev_text, first.position, first.n_sentences) == ("", 1, 2)
    assert (second.prev_text, second.position, second.label) == ("Tôi thống nhất với dự thảo.", 2, "proposal")


def test_spacy_docbin_one_doc_per_sentence(tmp_path):
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    exchange.to_spacy(corpus.load(DATA / "tiny.jsonl"), tmp_path / "s.spacy")
    docs = list(DocBin().from_disk(tmp_path / "s.spacy").get_docs(spacy.blank("xx").vocab))
    assert len(docs) == 12
    assert docs[1].text == "Đề nghị chi bộ sửa đèn hẻm 12 trong tháng 4."
    assert docs[1].cats == {"proposal": 1.0, "complaint": 0.0, "report": 0.0, "agreement": 0.0, "other": 0.0}
    assert docs[1].user_data["meeting_id"] == "t001-kp2-hue-2023-03"
    assert all(sum(d.cats.values()) == 1.0 for d in docs)


# --- CLI ------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", exchange.EXPORT_FORMATS)
def test_cli_export_writes_file(tmp_path, fmt):
    result = run("export", DATA / "tiny.jsonl", "--to", fmt, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out").stat().st_size > 0


@pytest.mark.parametrize("fmt", exchange.IMPORT_FORMATS)
def test_cli_import_round_trip(tmp_path, fmt):
    assert run("export", DATA / "tiny.jsonl", "--to", fmt, "--out", tmp_path / "x").exit_code == 0
    result = run("import", tmp_path / "x", "--from", fmt, "--out", tmp_path / "back.jsonl")
    assert result.exit_code == 0, result.output
    assert corpus.load(tmp_path / "back.jsonl") == corpus.load(DATA / "tiny.jsonl")


def test_cli_import_refuses_invalid_records(tmp_path):
    [record] = corpus.load(DATA / "valid" / "small.jsonl")
    exchange.to_doccano([record], tmp_path / "d.jsonl")
    line = json.loads((tmp_path / "d.jsonl").read_text(encoding="utf-8"))
    line["label"][2][2] = "phan_anh"
    (tmp_path / "d.jsonl").write_text(json.dumps(line, ensure_ascii=False), encoding="utf-8")
    result = run("import", tmp_path / "d.jsonl", "--from", "doccano", "--out", tmp_path / "back.jsonl")
    assert result.exit_code == 1
    assert "sentence-label" in result.output and "chưa ghi gì" in result.output
    assert not (tmp_path / "back.jsonl").exists()
    forced = run("import", tmp_path / "d.jsonl", "--from", "doccano", "--out", tmp_path / "back.jsonl", "--force")
    assert forced.exit_code == 1 and (tmp_path / "back.jsonl").exists()


def test_cli_import_unreadable_file_is_one_line(tmp_path):
    (tmp_path / "bad.json").write_text("[{", encoding="utf-8")
    result = run("import", tmp_path / "bad.json", "--from", "label-studio", "--out", tmp_path / "o.jsonl")
    assert result.exit_code == 1
    assert "bad.json: not Label Studio JSON or JSONL" in result.output
    assert "Traceback" not in result.output
