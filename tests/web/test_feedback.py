"""Supervisors' ratings and corrected analyses: the API, the rating form, who may do what, and the export."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from minutes_nlp.cli.main import main
from minutes_nlp.corpus.dataset import load, validate

from .conftest import seed, sign_in
from .minutes import PEOPLE


@pytest.fixture(scope="module")
def fed(tmp_path_factory, analyzer):
    """A seeded world of its own (the session world is never written to)."""
    from minutes_nlp.web import Settings, create_app

    folder = tmp_path_factory.mktemp("feedback")
    app = create_app(Settings(data_dir=folder, migrate=True, analyzer=analyzer, secret_key="khoa-thu-nghiem"))
    world = seed(app)
    world.data_dir = folder
    return world


def rate(world, who, key, **body):
    return world.client.post(f"/api/meetings/{world.meetings[key]}/ratings", headers=world.api(who), json=body)


def test_supervisor_rates_a_meeting_in_scope(fed):
    r = rate(fed, "sup_ab", "A03", substantive=82, note="Nhiều đề xuất cụ thể, kết luận tiếp thu đầy đủ")
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["level"] == "tot" and body["by"] == "sup_ab" and body["created_at"]
    listed = fed.client.get(f"/api/meetings/{fed.meetings['A03']}/ratings", headers=fed.api("sec_a")).json()
    assert [(x["substantive"], x["note"]) for x in listed] == [(82, "Nhiều đề xuất cụ thể, kết luận tiếp thu đầy đủ")]


@pytest.mark.parametrize(
    ("who", "key", "status"),
    [
        ("sec_a", "A03", 403),
        ("res", "A03", 403),
        ("admin", "A03", 403),
        ("sup_dn", "A03", 404),
        ("sup_north", "A03", 404),
    ],
)
def test_rating_denied(fed, who, key, status):
    assert rate(fed, who, key, substantive=50).status_code == status


def test_rating_level_must_match_the_score(fed):
    r = rate(fed, "sup_ab", "B03", substantive=30, level="tot")
    assert r.status_code == 422 and "tot" in r.json()["detail"]
    assert rate(fed, "sup_ab", "B03", substantive=130).status_code == 422


def test_rating_form_on_the_meeting_page(fed):
    client, token = sign_in(fed.app, "sup_north")
    page = client.get(f"/meetings/{fed.meetings['D04']}")
    assert 'action="/meetings/' in page.text and "/rating" in page.text
    r = client.post(
        f"/meetings/{fed.meetings['D04']}/rating",
        data={"substantive": "35", "level": "trung_binh", "note": "Ít ý kiến", "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert "Ít ý kiến" in client.get(f"/meetings/{fed.meetings['D04']}").text
    secretary, token_a = sign_in(fed.app, "sec_a")
    assert "/rating" not in secretary.get(f"/meetings/{fed.meetings['A04']}").text
    denied = secretary.post(
        f"/meetings/{fed.meetings['A04']}/rating", data={"substantive": "50", "csrf_token": token_a}
    )
    assert denied.status_code == 403


def report_of(world, who, key):
    return world.client.get(f"/api/meetings/{world.meetings[key]}/report", headers=world.api(who)).json()


def correct(world, who, key, **change):
    return world.client.post(f"/api/meetings/{world.meetings[key]}/corrections", headers=world.api(who), json=change)


def test_secretary_corrects_a_label_and_the_score_follows(fed):
    auto = report_of(fed, "sec_a", "A05")
    assert "NO_PROPOSALS" in {f["code"] for f in auto["flags"]}
    i = next(k for k, s in enumerate(auto["segments"]) if s["kind"] == "discussion")
    r = correct(fed, "sec_a", "A05", op="label", index=i, sentence=0, label="proposal")
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["version"] == 1 and body["by"] == "sec_a"
    assert body["corrected"]["score"] > body["automatic"]["score"]
    assert "NO_PROPOSALS" not in body["corrected"]["flags"]
    corrected = fed.client.get(
        f"/api/meetings/{fed.meetings['A05']}/corrected-report", headers=fed.api("sup_ab")
    ).json()
    assert corrected["segments"][i]["sentences"][0]["label"] == "proposal"
    assert corrected["correction"] == {
        "version": 1,
        "analysis_id": corrected["correction"]["analysis_id"],
        "by": "sec_a",
    }
    assert report_of(fed, "sec_a", "A05")["score"] == auto["score"]  # the automatic analysis is kept as it was


def test_speaker_split_and_merge(fed):
    auto = report_of(fed, "sup_ab", "B03")
    i = next(k for k, s in enumerate(auto["segments"]) if s["kind"] == "discussion" and len(s["sentences"]) >= 2)
    r = correct(fed, "sup_ab", "B03", op="split", index=i, sentence=1, speaker="Ninh Thị Thoa", role="member")
    assert r.status_code == 201, r.text
    after = fed.client.get(f"/api/meetings/{fed.meetings['B03']}/corrected-report", headers=fed.api("sec_b")).json()
    assert len(after["segments"]) == len(auto["segments"]) + 1
    assert after["segments"][i + 1]["speaker"] == "Ninh Thị Thoa"
    assert after["metrics"]["contributions"] == auto["metrics"]["contributions"] + 1
    r = correct(fed, "sec_b", "B03", op="segment", index=i + 1, speaker="Giáp Thị Mơ")
    assert r.status_code == 201
    r = correct(fed, "sec_b", "B03", op="merge", index=i)
    assert r.status_code == 201 and r.json()["version"] == 3
    merged = fed.client.get(f"/api/meetings/{fed.meetings['B03']}/corrected-report", headers=fed.api("sec_b")).json()
    assert len(merged["segments"]) == len(auto["segments"])
    history = fed.client.get(f"/api/meetings/{fed.meetings['B03']}/corrections", headers=fed.api("sec_b")).json()
    assert [(c["version"], c["by"], c["change"]["op"]) for c in history] == [
        (1, "sup_ab", "split"),
        (2, "sec_b", "segment"),
        (3, "sec_b", "merge"),
    ]


@pytest.mark.parametrize(
    ("who", "key", "status"),
    [("sec_b", "A04", 404), ("sup_dn", "A04", 404), ("res", "A04", 403), ("sup_north", "A04", 404)],
)
def test_correction_denied(fed, who, key, status):
    assert correct(fed, who, key, op="label", index=0, sentence=0, label="report").status_code == status


def test_correction_that_does_not_fit_is_422(fed):
    r = correct(fed, "sec_a", "A04", op="label", index=99, sentence=0, label="report")
    assert r.status_code == 422 and "99" in r.json()["detail"]
    assert correct(fed, "sec_a", "A04", op="merge", index=0, label="ý kiến").status_code == 422


def test_corrections_export_is_an_anonymised_valid_corpus(fed, tmp_path):
    out = tmp_path / "sua.jsonl"
    result = CliRunner().invoke(
        main, ["corrections", "export", "--out", str(out), "--data-dir", str(fed.data_dir)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    records = load(out)
    assert len(records) >= 2 and validate(records) == []
    text = out.read_text(encoding="utf-8")
    for cell in ("A", "B"):
        for name in PEOPLE[cell].values():
            assert name not in text
    a05 = next(r for r in records if r["id"].startswith(f"corrected-{fed.meetings['A05']}-"))
    first = next(s for s in a05["segments"] if s["kind"] == "discussion")
    assert first["sentences"][0]["label"] == "proposal"


def test_calibrate_from_db_needs_enough_ratings(fed, tmp_path):
    result = CliRunner().invoke(
        main,
        ["calibrate", "--from-db", "--out", str(tmp_path / "w.toml"), "--data-dir", str(fed.data_dir)],
        catch_exceptions=False,
    )
    assert result.exit_code == 1
    assert "2" in result.output and "8" in result.output  # two rated meetings so far, eight needed
    assert not (tmp_path / "w.toml").exists()


def test_rated_reports_average_ratings_per_report(fed):
    from minutes_nlp.web.feedback import rated_reports

    with fed.app.state.sessions() as s:
        pairs = rated_reports(s)
    assert sorted(round(r) for _, r in pairs) == [35, 82]
    assert all("label_shares" in report["metrics"] for report, _ in pairs)


def test_report_schema_holds_for_a_corrected_report(fed):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(open("docs/report.schema.json", encoding="utf-8").read())
    corrected = fed.client.get(f"/api/meetings/{fed.meetings['A05']}/corrected-report", headers=fed.api("sec_a")).json()
    jsonschema.validate(corrected, schema)
