"""Every API endpoint and every role's reach, denied cases included."""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from .minutes import PEOPLE

READ_ENDPOINTS = ["/api/meetings/{id}", "/api/meetings/{id}/report", "/api/meetings/{id}/original"]


def ids(world, *keys):
    return {world.meetings[k] for k in keys}


def listed(world, who, **params):
    r = world.client.get("/api/meetings", headers=world.api(who), params=params)
    assert r.status_code == 200, r.text
    return {row["meeting_id"] for row in r.json()["items"]}


@pytest.mark.parametrize(
    "path",
    [
        "/api/me",
        "/api/meetings",
        "/api/meetings/1",
        "/api/meetings/1/report",
        "/api/meetings/1/original",
        "/api/export/meetings.csv",
        "/api/export/meetings.xlsx",
        "/api/export/corpus.jsonl",
        "/api/export/training.jsonl",
        "/api/dashboard",
        "/api/admin/units",
        "/api/admin/users",
    ],
)
@pytest.mark.parametrize("header", [None, "Bearer mnl_khong-phai-ma-that", "Basic c2VjX2E6eA==", "Bearer "])
def test_missing_or_invalid_token_is_401(world, path, header):
    r = world.client.get(path, headers={"Authorization": header} if header else {})
    assert r.status_code == 401
    assert "detail" in r.json()


def test_upload_without_token_is_401(world):
    r = world.client.post("/api/meetings", files=[("files", ("a.txt", b"x", "text/plain"))])
    assert r.status_code == 401


def test_session_cookie_does_not_open_the_api(world):
    from .conftest import sign_in

    client, _ = sign_in(world.app, "sec_a")
    assert client.get("/api/meetings").status_code == 401


def test_me_names_the_token_owner(world):
    r = world.client.get("/api/me", headers=world.api("sup_ab"))
    assert r.json()["username"] == "sup_ab" and r.json()["role"] == "supervisor"


def test_secretary_lists_only_own_cell(world):
    assert listed(world, "sec_a") == ids(world, "A03", "A04", "A05")
    assert listed(world, "sec_b") == ids(world, "B03")


def test_secretary_cannot_widen_the_list_by_filter(world):
    assert listed(world, "sec_a", cell=world.units["B"]) == set()
    assert listed(world, "sec_a", committee=world.units["dn"]) == set()


@pytest.mark.parametrize("path", READ_ENDPOINTS)
def test_secretary_cannot_read_another_cells_meeting(world, path):
    other = world.meetings["B03"]
    r = world.client.get(path.format(id=other), headers=world.api("sec_a"))
    assert r.status_code == 404
    assert PEOPLE["B"]["chair"] not in r.text
    own = world.client.get(path.format(id=world.meetings["A03"]), headers=world.api("sec_a"))
    assert own.status_code == 200


def test_analysis_of_another_meeting_cannot_be_read_through_own_meeting(world):
    other = world.client.get(f"/api/meetings/{world.meetings['B03']}", headers=world.api("admin")).json()
    analysis = other["analyses"][0]["analysis_id"]
    r = world.client.get(
        f"/api/meetings/{world.meetings['A03']}/report", params={"analysis_id": analysis}, headers=world.api("sec_a")
    )
    assert r.status_code == 404


def test_secretary_exports_only_own_cell(world):
    r = world.client.get("/api/export/meetings.csv", headers=world.api("sec_a"))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert {int(row["Mã biên bản"]) for row in rows} == ids(world, "A03", "A04", "A05")
    for cell in "BCD":
        assert PEOPLE[cell]["chair"] not in r.text
    x = world.client.get("/api/export/meetings.xlsx", headers=world.api("sec_a"))
    assert x.status_code == 200
    book = load_workbook(io.BytesIO(x.content))
    text = json.dumps(
        [[c for c in row] for ws in book for row in ws.iter_rows(values_only=True)], ensure_ascii=False, default=str
    )
    assert PEOPLE["A"]["a"] in text
    for cell in "BCD":
        assert PEOPLE[cell]["a"] not in text and PEOPLE[cell]["chair"] not in text


def test_supervisor_sees_their_committee_recursively(world):
    assert listed(world, "sup_ab") == ids(world, "A03", "A04", "A05", "B03", "D04")
    assert listed(world, "sup_north") == ids(world, "D04")
    assert listed(world, "sup_dn") == ids(world, "C03")


def test_supervisor_cannot_read_outside_their_subtree(world):
    for path in READ_ENDPOINTS:
        assert world.client.get(path.format(id=world.meetings["C03"]), headers=world.api("sup_ab")).status_code == 404
        assert (
            world.client.get(path.format(id=world.meetings["A03"]), headers=world.api("sup_north")).status_code == 404
        )
    assert (
        world.client.get(f"/api/meetings/{world.meetings['D04']}/report", headers=world.api("sup_ab")).status_code
        == 200
    )


def test_supervisor_export_stays_in_subtree(world):
    r = world.client.get("/api/export/meetings.csv", headers=world.api("sup_north"))
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert [int(row["Mã biên bản"]) for row in rows] == [world.meetings["D04"]]


def test_admin_sees_everything(world):
    assert listed(world, "admin") == set(world.meetings.values())


@pytest.mark.parametrize("who", ["res"])
@pytest.mark.parametrize(
    "path",
    [
        "/api/meetings",
        "/api/meetings/{id}",
        "/api/meetings/{id}/report",
        "/api/export/meetings.csv",
        "/api/export/meetings.xlsx",
        "/api/dashboard",
    ],
)
def test_researcher_reads_no_named_data(world, who, path):
    r = world.client.get(path.format(id=world.meetings["A03"]), headers=world.api(who))
    assert r.status_code == 403


@pytest.mark.parametrize("who", ["sec_a", "sup_ab"])
def test_corpus_export_is_for_researchers_and_admins(world, who):
    assert world.client.get("/api/export/corpus.jsonl", headers=world.api(who)).status_code == 403
    assert world.client.get("/api/export/training.jsonl", headers=world.api(who)).status_code == 403
    assert world.client.get("/api/export/training.jsonl", headers=world.api("admin")).status_code == 200


def test_researcher_corpus_is_anonymised_and_valid(world):
    from minutes_nlp.corpus.dataset import validate

    r = world.client.get("/api/export/corpus.jsonl", headers=world.api("res"))
    assert r.status_code == 200
    records = [json.loads(line) for line in r.text.splitlines()]
    assert len(records) == len(world.meetings)
    for people in PEOPLE.values():
        for name in people.values():
            assert name not in r.text, f"{name} leaked"
            assert name.upper() not in r.text
    assert "source_file" not in r.text and "bien-ban-A" not in r.text
    for unit_or_hour in ("Khu phố", "KHU PHỐ", "An Bình", "AN BÌNH", "19 giờ 00", "20 giờ 40", "Nhà văn hóa"):
        assert unit_or_hour not in r.text, unit_or_hour
    cells = {}
    for rec in records:
        assert not {"date", "place", "start_time", "end_time"} & set(rec["meta"])
        cells.setdefault(rec["meta"]["cell"], []).append(rec["meta"]["committee"])
        assert rec["meta"]["chair"].startswith("Người ")
        speakers = [s["speaker"] for s in rec["segments"] if s["kind"] == "discussion"]
        assert all(s.startswith("Người ") for s in speakers)
        assert len(set(speakers)) == len(speakers) == 3
        for seg in rec["segments"]:
            if seg["kind"] == "discussion":
                assert rec["text"][seg["start"] : seg["end"]].lstrip("- ").startswith(("Đồng chí Người", "Người"))
    # cells A (three meetings, one code), B (A's committee), D and C (other committees)
    assert sorted(len(v) for v in cells.values()) == [1, 1, 1, 3]
    assert len({c for v in cells.values() for c in v}) == 3
    assert [str(v) for v in validate(records)] == []


def test_pseudonyms_are_consistent_within_a_meeting(world):
    rec = json.loads(world.client.get("/api/export/corpus.jsonl", headers=world.api("admin")).text.splitlines()[0])
    chair = rec["meta"]["chair"]
    assert rec["text"].count(chair) >= 3  # header, report, signature
    assert rec["meta"]["secretary"] != chair


def test_dashboard_counts_flags_levels_months_and_repeats(world):
    r = world.client.get("/api/dashboard", headers=world.api("sup_ab"))
    assert r.status_code == 200
    d = r.json()
    assert d["meetings"] == 5
    assert d["by_flag"]["NO_PROPOSALS"] == 2
    assert sum(d["by_level"].values()) == 5
    assert [m["month"] for m in d["months"]] == ["2024-03", "2024-04", "2024-05"]
    assert d["repeated_no_proposals"] == [
        {"unit_id": world.units["A"], "cell": "Chi bộ Khu phố 1", "count": 2, "months": ["2024-04", "2024-05"]}
    ]
    assert world.client.get("/api/dashboard", headers=world.api("sec_a")).status_code == 403
    north = world.client.get("/api/dashboard", headers=world.api("sup_north")).json()
    assert north["meetings"] == 1 and north["repeated_no_proposals"] == []


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"month": "2024-04"}, ("A04", "D04")),
        ({"flag": "NO_PROPOSALS"}, ("A04", "A05")),
        ({"committee": "north"}, ("D04",)),
        ({"cell": "B"}, ("B03",)),
    ],
)
def test_list_filters(world, params, expected):
    params = {k: world.units[v] if k in ("committee", "cell") else v for k, v in params.items()}
    assert listed(world, "sup_ab", **params) == ids(world, *expected)


def test_list_filter_by_level_and_sort(world):
    rows = world.client.get("/api/meetings", headers=world.api("admin"), params={"sort": "score", "order": "asc"})
    scores = [r["score"] for r in rows.json()["items"]]
    assert scores == sorted(scores)
    level = rows.json()["items"][0]["level"]
    assert all(
        r["level"] == level
        for r in world.client.get("/api/meetings", headers=world.api("admin"), params={"level": level}).json()["items"]
    )
    by_date = world.client.get("/api/meetings", headers=world.api("admin"), params={"sort": "date", "order": "desc"})
    dates = [r["date"] for r in by_date.json()["items"]]
    assert dates == sorted(dates, reverse=True)


@pytest.mark.parametrize(
    "params",
    [{"month": "04/2024"}, {"level": "xuat_sac"}, {"flag": "NOPE"}, {"sort": "ten"}, {"order": "up"}, {"limit": 0}],
)
def test_bad_filters_are_422_with_a_reason(world, params):
    r = world.client.get("/api/meetings", headers=world.api("admin"), params=params)
    assert r.status_code == 422
    assert isinstance(r.json()["detail"], str)


def test_export_respects_filters(world):
    r = world.client.get("/api/export/meetings.csv", headers=world.api("admin"), params={"flag": "NO_PROPOSALS"})
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert {int(row["Mã biên bản"]) for row in rows} == ids(world, "A04", "A05", "C03")
    assert all("NO_PROPOSALS" in row["Cảnh báo"] for row in rows)


def test_meeting_info_lists_versions_and_original_is_byte_exact(world):
    mid = world.meetings["A03"]
    info = world.client.get(f"/api/meetings/{mid}", headers=world.api("sec_a")).json()
    assert info["uploaded_by"] == "sec_a" and len(info["sha256"]) == 64 and info["kind"] == "docx"
    assert len(info["analyses"]) == 1 and info["analyses"][0]["current"]
    original = world.client.get(f"/api/meetings/{mid}/original", headers=world.api("sec_a")).content
    import hashlib

    assert hashlib.sha256(original).hexdigest() == info["sha256"]


def test_report_is_the_report_contract(world):
    report = world.client.get(f"/api/meetings/{world.meetings['A03']}/report", headers=world.api("sec_a")).json()
    assert report["schema_version"] == 1 and report["meta"]["chair"] == PEOPLE["A"]["chair"]
    assert report["model"]["version"]
    assert {s["kind"] for s in report["segments"]} >= {"procedural", "discussion", "chair_conclusion"}


@pytest.mark.parametrize("who", ["sec_a", "sup_ab", "res"])
def test_admin_endpoints_refuse_others(world, who):
    h = world.api(who)
    assert world.client.get("/api/admin/units", headers=h).status_code == 403
    assert world.client.get("/api/admin/users", headers=h).status_code == 403
    assert (
        world.client.post(
            "/api/admin/units", headers=h, json={"name": "Chi bộ lạ", "kind": "cell", "parent_id": world.units["ab"]}
        ).status_code
        == 403
    )
    assert (
        world.client.post(
            "/api/admin/users", headers=h, json={"username": "x", "password": "12345678", "role": "admin"}
        ).status_code
        == 403
    )
    assert world.client.post("/api/admin/users/sec_a/tokens", headers=h).status_code == 403


def test_admin_manages_units_users_and_tokens(make_app):
    from fastapi.testclient import TestClient

    from .conftest import seed

    w = seed(make_app())
    c, h = w.client, w.api("admin")
    assert len(c.get("/api/admin/units", headers=h).json()) == 7
    r = c.post(
        "/api/admin/units", headers=h, json={"name": "Chi bộ Khu phố 9", "kind": "cell", "parent_id": w.units["north"]}
    )
    assert r.status_code == 201
    cell = r.json()["id"]
    bad = c.post("/api/admin/units", headers=h, json={"name": "Con", "kind": "cell", "parent_id": cell})
    assert bad.status_code == 422 and "chi bộ" in bad.json()["detail"]
    r = c.post(
        "/api/admin/users",
        headers=h,
        json={"username": "sec_9", "password": "mat-khau-9999", "role": "secretary", "unit_id": cell},
    )
    assert r.status_code == 201
    assert (
        c.post(
            "/api/admin/users",
            headers=h,
            json={"username": "sec_9", "password": "mat-khau-9999", "role": "secretary", "unit_id": cell},
        ).status_code
        == 422
    )
    assert (
        c.post(
            "/api/admin/users",
            headers=h,
            json={"username": "sup_x", "password": "mat-khau-9999", "role": "supervisor", "unit_id": cell},
        ).status_code
        == 422
    )
    token = c.post("/api/admin/users/sec_9/tokens", headers=h, json={"name": "máy bí thư"}).json()["token"]
    assert TestClient(w.app).get("/api/me", headers={"Authorization": f"Bearer {token}"}).json()["username"] == "sec_9"
    assert any(u["username"] == "sec_9" for u in c.get("/api/admin/users", headers=h).json())


def test_tokens_and_passwords_are_stored_hashed(world):
    from sqlalchemy import select

    from minutes_nlp.web.db import ApiToken, User

    with world.app.state.sessions() as s:
        hashes = set(s.scalars(select(ApiToken.token_hash)))
        passwords = list(s.scalars(select(User.password_hash)))
    assert not any(t in hashes for t in world.tokens.values())
    assert all(p.startswith("$argon2") for p in passwords)


def test_revoked_token_is_401(make_app):
    from sqlalchemy import update

    from minutes_nlp.web.db import ApiToken

    from .conftest import seed

    w = seed(make_app())
    with w.app.state.sessions() as s:
        s.execute(update(ApiToken).values(revoked=True))
        s.commit()
    assert w.client.get("/api/me", headers=w.api("admin")).status_code == 401


def test_openapi_documents_the_api(world):
    spec = world.client.get("/api/openapi.json").json()
    paths = set(spec["paths"])
    assert {
        "/api/meetings",
        "/api/meetings/{meeting_id}/report",
        "/api/export/meetings.csv",
        "/api/export/corpus.jsonl",
        "/api/admin/users",
    } <= paths
    assert not any(p.startswith("/meetings") for p in paths)
    assert "HTTPBearer" in json.dumps(spec["components"])
    assert world.client.get("/api/docs").status_code == 200
