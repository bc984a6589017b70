"""The Vietnamese pages: sign in/out, CSRF on every form, the same reach as the API, exports, dashboard, admin."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

from .conftest import PASSWORD, csrf_of, seed, sign_in
from .minutes import PEOPLE, docx_bytes, minutes_text


def test_pages_need_sign_in(world):
    client = TestClient(world.app)
    for path in ("/", "/meetings", "/upload", "/dashboard", "/admin", "/corpus", "/meetings/1", "/meetings/export.csv"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")


def test_wrong_password_is_refused_in_vietnamese(world):
    client = TestClient(world.app)
    token = csrf_of(client.get("/login").text)
    r = client.post("/login", data={"username": "sec_a", "password": "sai-mat-khau", "csrf_token": token})
    assert r.status_code == 401 and "Sai tên đăng nhập hoặc mật khẩu" in r.text
    r = client.post("/login", data={"username": "khong-co-ai", "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 401


@pytest.mark.parametrize("token", [None, "", "gia-mao"])
def test_login_without_csrf_is_403(world, token):
    client = TestClient(world.app)
    client.get("/login")
    data = {"username": "sec_a", "password": PASSWORD}
    if token is not None:
        data["csrf_token"] = token
    r = client.post("/login", data=data)
    assert r.status_code == 403 and "CSRF" in r.text


@pytest.mark.parametrize(
    "path, data",
    [
        ("/logout", {}),
        ("/upload", None),
        ("/admin/units", {"name": "Chi bộ X", "kind": "cell", "parent_id": "1"}),
        ("/admin/users", {"username": "x", "password": "12345678", "role": "admin"}),
        ("/admin/tokens", {"username": "sec_a"}),
    ],
)
@pytest.mark.parametrize("token", [None, "gia-mao"])
def test_every_form_refuses_a_missing_or_wrong_csrf_token(world, path, data, token):
    client, _ = sign_in(world.app, "admin")
    data = dict(data or {})
    if token:
        data["csrf_token"] = token
    files = [("files", ("a.txt", b"x", "text/plain"))] if path == "/upload" else None
    r = client.post(path, data=data, files=files, follow_redirects=False)
    assert r.status_code == 403
    assert client.get("/meetings").status_code == 200  # still signed in: the refused logout did nothing


def test_csrf_token_of_another_session_is_refused(world):
    _, token_a = sign_in(world.app, "sec_a")
    client_b, _ = sign_in(world.app, "sec_b")
    r = client_b.post("/upload", data={"csrf_token": token_a}, files=[("files", ("a.txt", b"x", "text/plain"))])
    assert r.status_code == 403


def test_sign_in_then_out(world):
    client, token = sign_in(world.app, "sec_a")
    assert "Danh sách biên bản" in client.get("/meetings").text
    r = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    assert client.get("/meetings", follow_redirects=False).status_code == 303


def test_sign_in_follows_only_local_next(world):
    client = TestClient(world.app)
    token = csrf_of(client.get("/login").text)
    r = client.post(
        "/login",
        data={"username": "sec_a", "password": PASSWORD, "csrf_token": token, "next": "//evil.example/x"},
        follow_redirects=False,
    )
    assert r.headers["location"] == "/"


def test_secretary_pages_show_only_own_cell(world):
    client, _ = sign_in(world.app, "sec_a")
    page = client.get("/meetings").text
    assert "Chi bộ Khu phố 1" in page and "Chi bộ Khu phố 2" not in page and "May Sao Mai" not in page
    for key in ("B03", "C03", "D04"):
        mid = world.meetings[key]
        for path in (f"/meetings/{mid}", f"/meetings/{mid}/report", f"/meetings/{mid}/original"):
            r = client.get(path)
            assert r.status_code == 404 and "Không tìm thấy" in r.text
    exported = client.get("/meetings/export.csv", params={"cell": world.units["B"]})
    assert list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))[1:] == []


def test_meeting_page_and_report(world):
    client, _ = sign_in(world.app, "sec_a")
    mid = world.meetings["A04"]
    page = client.get(f"/meetings/{mid}")
    assert page.status_code == 200 and "<iframe" in page.text and "Tải tệp gốc" in page.text
    report = client.get(f"/meetings/{mid}/report")
    assert report.status_code == 200 and "NO_PROPOSALS" in report.text and PEOPLE["A"]["chair"] in report.text
    assert report.headers["x-frame-options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in report.headers["content-security-policy"]


def test_list_filters_sort_and_export_links(world):
    client, _ = sign_in(world.app, "sup_ab")
    page = client.get("/meetings", params={"flag": "NO_PROPOSALS", "sort": "date", "order": "asc"}).text
    assert page.count('href="/meetings/') >= 2 and "(2)" in page
    assert "/meetings/export.csv?flag=NO_PROPOSALS&amp;sort=date&amp;order=asc" in page
    csv_rows = list(
        csv.DictReader(
            io.StringIO(client.get("/meetings/export.csv", params={"flag": "NO_PROPOSALS"}).content.decode("utf-8-sig"))
        )
    )
    assert {int(r["Mã biên bản"]) for r in csv_rows} == {world.meetings["A04"], world.meetings["A05"]}
    x = client.get("/meetings/export.xlsx", params={"month": "2024-03"})
    assert x.status_code == 200 and x.content[:2] == b"PK"
    bad = client.get("/meetings", params={"month": "3/2024"})
    assert bad.status_code == 422 and "YYYY-MM" in bad.text


def test_dashboard_page(world):
    client, _ = sign_in(world.app, "sup_ab")
    page = client.get("/dashboard").text
    assert "NO_PROPOSALS" in page and "2024-04" in page and "Chi bộ Khu phố 1" in page
    assert "Chi bộ nhiều lần không có ý kiến đề xuất" in page
    sec, _ = sign_in(world.app, "sec_a")
    assert sec.get("/dashboard").status_code == 403


def test_researcher_pages(world):
    client, _ = sign_in(world.app, "res")
    assert client.get("/", follow_redirects=False).headers["location"] == "/corpus"
    assert client.get("/meetings").status_code == 403
    assert client.get(f"/meetings/{world.meetings['A03']}/report").status_code == 403
    corpus = client.get("/corpus.jsonl")
    assert corpus.status_code == 200 and PEOPLE["A"]["chair"] not in corpus.text and "Người 1" in corpus.text


def test_upload_page_shows_report_link_and_flags(make_app):
    w = seed(make_app(), meetings=False)
    client, token = sign_in(w.app, "sec_a")
    form = client.get("/upload").text
    assert "Chi bộ Khu phố 1" in form and 'type="file"' in form
    data = docx_bytes(minutes_text("A", "Chi bộ Khu phố 1", 7, False))
    r = client.post("/upload", data={"csrf_token": token}, files=[("files", ("thang7.docx", data, "x"))])
    assert r.status_code == 201 and "Đã phân tích" in r.text and "NO_PROPOSALS" in r.text and "Xem báo cáo" in r.text
    again = client.post("/upload", data={"csrf_token": token}, files=[("files", ("thang7.docx", data, "x"))])
    assert again.status_code == 200 and "Trùng, không lưu lại" in again.text


def test_upload_page_refuses_supervisor(world):
    client, token = sign_in(world.app, "sup_ab")
    assert client.get("/upload").status_code == 403
    r = client.post("/upload", data={"csrf_token": token}, files=[("files", ("a.txt", b"x", "text/plain"))])
    assert r.status_code == 403


def test_admin_page_manages_units_users_tokens(make_app):
    w = seed(make_app(), meetings=False)
    client, token = sign_in(w.app, "admin")
    r = client.post(
        "/admin/units",
        data={"csrf_token": token, "name": "Chi bộ Khu phố 9", "kind": "cell", "parent_id": str(w.units["north"])},
    )
    assert r.status_code == 200 and "Đã thêm đơn vị Chi bộ Khu phố 9" in r.text
    r = client.post(
        "/admin/units", data={"csrf_token": token, "name": "Chi bộ mồ côi", "kind": "cell", "parent_id": ""}
    )
    assert r.status_code == 422 and "phải thuộc một đảng bộ" in r.text
    r = client.post(
        "/admin/users",
        data={
            "csrf_token": token,
            "username": "sec_9",
            "password": "mat-khau-9999",
            "role": "secretary",
            "unit_id": str(w.units["A"]),
        },
    )
    assert r.status_code == 200 and "Đã thêm người dùng sec_9" in r.text
    r = client.post(
        "/admin/users",
        data={"csrf_token": token, "username": "ngan", "password": "123", "role": "admin", "unit_id": ""},
    )
    assert r.status_code == 422 and "ít nhất 8 ký tự" in r.text
    r = client.post("/admin/tokens", data={"csrf_token": token, "username": "sec_9"})
    new = r.text.split("<code>")[1].split("</code>")[0]
    assert TestClient(w.app).get("/api/me", headers={"Authorization": f"Bearer {new}"}).json()["username"] == "sec_9"
    sec, _ = sign_in(w.app, "sec_a")
    assert sec.get("/admin").status_code == 403


def test_session_cookie_is_signed(world):
    client, _ = sign_in(world.app, "sec_a")
    cookie = client.cookies.get("minutes_nlp_session")
    forged = TestClient(world.app)
    forged.cookies.set("minutes_nlp_session", cookie[:-4] + "AAAA")
    assert forged.get("/meetings", follow_redirects=False).status_code == 303
