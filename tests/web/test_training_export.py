"""Issue 12, item 5: corrected meetings and the annotation queue's labels, exported for training.

Researchers label queue items through the API (single labels, two who agree, two who disagree with and
without adjudication, a skip), a secretary corrects a meeting that also has queue labels; the export
(CLI and researcher page) must hold exactly the labels people settled, anonymised, pass `corpus
validate`, and `train --extra` must train on it and list it in the model card.
"""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from minutes_nlp.classifiers.model_store import file_sha256
from minutes_nlp.cli.main import main
from minutes_nlp.codebook import LABELS
from minutes_nlp.corpus.dataset import load, validate
from minutes_nlp.web.training_data import item_label

from .conftest import PASSWORD, csrf_of, seed
from .minutes import PEOPLE


class Item:
    """What item_label reads of a queue item."""

    def __init__(self, final_label=None):
        self.final_label = final_label


def test_item_label_by_hand():
    assert item_label(Item(), ["report"]) == "report"  # one researcher
    assert item_label(Item(), ["report", "report"]) == "report"  # two who agree
    assert item_label(Item(), ["report", "proposal"]) is None  # two who disagree, nobody settled it
    assert item_label(Item("proposal"), ["report", "complaint"]) == "proposal"  # adjudicated
    assert item_label(Item(), [None]) is None  # skipped
    assert item_label(Item(), [None, "other"]) == "other"  # one skipped, one labelled


@pytest.fixture(scope="module")
def world(tmp_path_factory, analyzer):
    from minutes_nlp.web import Settings, create_app
    from minutes_nlp.web import admin as admin_lib
    from minutes_nlp.web.auth import new_token
    from minutes_nlp.web.db import Unit

    folder = tmp_path_factory.mktemp("training")
    app = create_app(
        Settings(data_dir=folder, migrate=True, analyzer=analyzer, secret_key="khoa-thu-nghiem", queue_double_share=0.5)
    )
    world = seed(app)
    world.data_dir = folder
    with app.state.sessions() as s:
        for name, unit in (("res2", None), ("res_dn", world.units["dn"])):
            user = admin_lib.create_user(s, name, PASSWORD, "researcher", s.get(Unit, unit) if unit else None)
            world.tokens[name] = new_token(s, user, "thử nghiệm")
    return world


def label(world, who, item, **body):
    r = world.client.post(f"/api/queue/{item.id}/label", headers=world.api(who), json=body)
    assert r.status_code == 201, r.text


def other_than(model_label: str, *avoid: str) -> str:
    """A label the model did not give (so the export can only hold it if a person gave it)."""
    return next(x for x in LABELS if x != model_label and x not in avoid)


def test_queue_labels_and_corrections_export_validate_and_train(world, tmp_path):
    from minutes_nlp.web.db import Analysis, QueueItem

    assert world.client.get("/api/queue/next", headers=world.api("res")).status_code == 200  # fills the queue
    with world.app.state.sessions() as s:
        items = list(s.query(QueueItem).order_by(QueueItem.id))
        s.expunge_all()
        analysis_of = {a.document_id: a.id for a in s.query(Analysis).filter(Analysis.current.is_(True))}
    at = {(x.document_id, x.segment, x.sentence): x for x in items}
    m = world.meetings
    expected = set()  # (meeting id, sentence text, label) the queue records must hold, and nothing else

    # A03: the first contribution's two sentences, one researcher each time: one segment of two sentences
    a03 = sorted(k for k in at if k[0] == m["A03"])
    seg = next(k[1] for k in a03 if (k[0], k[1], 1) in at)
    run = [at[(m["A03"], seg, 0)], at[(m["A03"], seg, 1)]]
    for x in run:
        given = other_than(x.model_label)
        label(world, "res", x, label=given)
        expected.add((m["A03"], x.text, given))

    # double items elsewhere (B03, D04): two who agree, two who disagree, a disagreement settled; a skip
    used = {x.id for x in run}
    doubles = [x for x in items if x.double and x.document_id in (m["B03"], m["D04"])]
    agree, clash, settled = doubles[:3]
    label(world, "res", agree, label="complaint")
    label(world, "res2", agree, label="complaint")
    expected.add((agree.document_id, agree.text, "complaint"))
    label(world, "res", clash, label="report")
    label(world, "res2", clash, label="proposal")
    label(world, "res", settled, label="report")
    label(world, "res2", settled, label="agreement")
    r = world.client.post(f"/api/queue/{settled.id}/adjudicate", headers=world.api("res2"), json={"label": "other"})
    assert r.status_code == 200
    expected.add((settled.document_id, settled.text, "other"))
    used |= {agree.id, clash.id, settled.id}
    skipped = next(x for x in items if x.document_id == m["B03"] and x.id not in used)
    label(world, "res", skipped, skip=True)

    # C03 (committee dn): one label, for the scoped researcher's export
    c03 = next(x for x in items if x.document_id == m["C03"])
    label(world, "res", c03, label=other_than(c03.model_label))
    expected.add((m["C03"], c03.text, other_than(c03.model_label)))

    # A05: a secretary corrects sentence 0 of the first contribution; the queue labels it and another one
    a05 = sorted(k for k in at if k[0] == m["A05"])
    first, second = sorted({k[1] for k in a05})[:2]
    r = world.client.post(
        f"/api/meetings/{m['A05']}/corrections",
        headers=world.api("sec_a"),
        json={"op": "label", "index": first, "sentence": 0, "label": "proposal"},
    )
    assert r.status_code == 201, r.text
    label(world, "res", at[(m["A05"], first, 0)], label="agreement")  # the corrector's label stands
    queue_on_corrected = other_than(at[(m["A05"], second, 0)].model_label, "proposal")
    label(world, "res", at[(m["A05"], second, 0)], label=queue_on_corrected)

    out = tmp_path / "huan-luyen.jsonl"
    runner = CliRunner()
    result = runner.invoke(
        main, ["corrections", "export", "--out", str(out), "--data-dir", str(world.data_dir)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    records = load(out)
    assert validate(records) == []
    assert runner.invoke(main, ["corpus", "validate", str(out)]).exit_code == 0
    text = out.read_text(encoding="utf-8")
    for people in PEOPLE.values():
        for name in people.values():
            assert name not in text

    by_id = {r["id"]: r for r in records}
    queue = [r for r in records if r["id"].startswith("queue-")]
    got = {
        (int(r["id"].split("-")[1]), r["text"][x["start"] : x["end"]], x["label"])
        for r in queue
        for seg in r["segments"]
        for x in seg["sentences"]
    }
    assert got == expected  # the skip and the unsettled disagreement are left out
    a03_record = by_id[f"queue-{m['A03']}-{analysis_of[m['A03']]}"]
    [segment] = a03_record["segments"]  # consecutive labelled sentences stay one contribution
    assert [a03_record["text"][x["start"] : x["end"]] for x in segment["sentences"]] == [x.text for x in run]
    assert segment["speaker"].startswith("Người ") and segment["role"] == "member"
    assert all(r["meta"]["split"] == "train" and r["meta"]["source"] == "real" for r in records)

    assert not any(r["id"].startswith(f"queue-{m['A05']}-") for r in records)
    corrected = by_id[f"corrected-{m['A05']}-{analysis_of[m['A05']]}"]
    assert corrected["meta"]["corrections"] == 1 and corrected["meta"]["queue_labels"] == 1
    discussion = [s for s in corrected["segments"] if s["kind"] == "discussion"]
    assert discussion[0]["sentences"][0]["label"] == "proposal"
    assert discussion[1]["sentences"][0]["label"] == queue_on_corrected
    sentences = sum(len(s.get("sentences", [])) for r in records for s in r["segments"])
    counts = [
        str(n) for n in (1, len(queue), sentences, len(expected) + 1)
    ]  # corrected, queue, sentences, queue labels
    assert re.findall(r"\d+", result.output.split("→")[0]) == counts

    model = tmp_path / "mo-hinh"
    corpus = "tests/data/corpus/tiny.jsonl"
    result = runner.invoke(
        main, ["train", "--classifier", "linear", "--corpus", corpus, "--extra", str(out), "--out", str(model)]
    )
    assert result.exit_code == 0, result.output
    card = json.loads((model / "card.json").read_text(encoding="utf-8"))
    sources = {d["role"]: d for d in card["data_sources"]}
    assert sources["extra"]["sha256"] == file_sha256(out) and sources["extra"]["records"] == len(records)
    assert sources["extra"]["train_sentences"] == sentences
    assert sources["corpus"]["sha256"] == file_sha256(corpus)
    assert card["train_sentences"] == sources["corpus"]["train_sentences"] + sentences


def sign_in_page(app, username):
    from fastapi.testclient import TestClient

    client = TestClient(app)
    token = csrf_of(client.get("/login").text)
    r = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token, "next": "/"})
    assert r.status_code in (200, 303), r.text
    return client


def test_researcher_page_and_api_export_their_reach(world):
    """Runs after the test above: C03 (committee dn) has one queue label; the other cells have the rest."""
    everything = world.client.get("/api/export/training.jsonl", headers=world.api("res"))
    assert everything.status_code == 200
    ids = {json.loads(line)["id"].split("-")[1] for line in everything.text.splitlines()}
    assert str(world.meetings["C03"]) in ids and str(world.meetings["A03"]) in ids

    client = sign_in_page(world.app, "res_dn")
    assert "/corpus/training.jsonl" in client.get("/corpus").text
    mine = client.get("/corpus/training.jsonl")
    assert mine.status_code == 200 and "attachment" in mine.headers["content-disposition"]
    records = [json.loads(line) for line in mine.text.splitlines()]
    assert [r["id"].split("-")[:2] for r in records] == [["queue", str(world.meetings["C03"])]]
    assert validate(records) == []

    for who in ("sec_a", "sup_ab"):
        r = world.client.get("/api/export/training.jsonl", headers=world.api(who))
        assert r.status_code == 403
    assert sign_in_page(world.app, "sup_ab").get("/corpus/training.jsonl").status_code == 403
