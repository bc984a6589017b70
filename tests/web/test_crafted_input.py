"""Crafted numbers and lengths (issue 14, item 8): never a 500, a 404 or 422 in Vietnamese instead.

Unicode digits ("²" passes str.isdigit but not int), numbers above 2^63 (SQLite cannot bind them) or above
PostgreSQL's integer, and texts longer than their columns (PostgreSQL refuses them, SQLite does not).
"""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import select

from minutes_nlp.web.db import Document, Unit, User

from .conftest import seed, sign_in
from .minutes import minutes_text

HUGE = "99999999999999999999"


@pytest.fixture(scope="module")
def supervisor(world):
    return sign_in(world.app, "sup_ab")[0]


def api_paths(world):
    a03 = world.meetings["A03"]
    return [
        f"/api/meetings/{HUGE}",
        f"/api/meetings/{HUGE}/report",
        f"/api/meetings/{HUGE}/original",
        f"/api/meetings?offset={HUGE}",
        f"/api/meetings?cell={HUGE}",
        f"/api/meetings?committee={HUGE}",
        "/api/meetings?cell=²",
        f"/api/meetings/{a03}/report?analysis_id={HUGE}",
        f"/api/dashboard?committee={HUGE}",
        f"/api/export/meetings.csv?offset={HUGE}",
    ]


def page_paths(world):
    a03 = world.meetings["A03"]
    return [
        f"/meetings/{HUGE}",
        f"/meetings/{HUGE}/report",
        f"/meetings/{HUGE}/original",
        "/meetings?page=²",
        f"/meetings?page={HUGE}",
        "/meetings?cell=²",
        f"/meetings?committee={HUGE}",
        f"/meetings/{a03}?analysis_id={HUGE}",
        f"/meetings/{a03}/report?analysis_id={HUGE}",
        "/dashboard?committee=²",
        f"/dashboard?committee={HUGE}",
        f"/meetings/export.csv?cell={HUGE}",
    ]


def test_api_answers_crafted_numbers_with_a_4xx_in_vietnamese(world):
    for path in api_paths(world):
        r = world.client.get(path, headers=world.api("admin"))
        assert r.status_code in (404, 422), (path, r.status_code, r.text)
        detail = r.json()["detail"]
        assert "Yêu cầu không hợp lệ" in detail or "Không" in detail, (path, detail)
        assert "Input should" not in detail, (path, detail)


def test_pages_answer_crafted_numbers_with_the_vietnamese_page(world, supervisor):
    for path in page_paths(world):
        r = supervisor.get(path)
        assert r.status_code in (404, 422), (path, r.status_code)
        assert r.headers["content-type"].startswith("text/html"), path
        assert "Yêu cầu không hợp lệ" in r.text or "Giá trị" in r.text or "Không" in r.text, path
        assert "Đăng xuất" in r.text, path  # the error page keeps the sign-out button


@pytest.fixture(scope="module")
def fresh(tmp_path_factory, analyzer):
    """One app of this module's own (the tests only add refused requests, and two documents)."""
    from minutes_nlp.web import Settings, create_app

    from .conftest import POSTGRES, _fresh_postgres_database

    extra = {"database_url": _fresh_postgres_database()} if POSTGRES else {}
    folder = tmp_path_factory.mktemp("crafted")
    return seed(create_app(Settings(data_dir=folder, migrate=True, analyzer=analyzer, secret_key="k", **extra)), False)


def test_crafted_unit_numbers_in_upload_forms(fresh):
    txt = [("files", ("bien-ban.txt", minutes_text("A", "Chi bộ Khu phố 1", 8).encode(), "text/plain"))]
    for value in ("²", HUGE):
        r = fresh.client.post("/api/meetings", headers=fresh.api("admin"), data={"unit_id": value}, files=txt)
        assert r.status_code == 422 and "unit_id" in r.json()["detail"], r.text
    admin, token = sign_in(fresh.app, "admin")
    for value in ("²", HUGE):
        r = admin.post("/upload", data={"csrf_token": token, "unit_id": value}, files=txt)
        assert r.status_code == 422 and "unit_id" in r.text and "Đăng xuất" in r.text


def test_admin_forms_refuse_crafted_numbers_and_overlong_texts(fresh):
    admin, token = sign_in(fresh.app, "admin")
    long_name = "Nguyễn " * 715  # 5,005 characters
    cases = [
        ("/admin/units", {"name": "Chi bộ Khu phố 9", "kind": "cell", "parent_id": "²"}, "²"),
        ("/admin/units", {"name": "Chi bộ Khu phố 9", "kind": "cell", "parent_id": HUGE}, HUGE),
        ("/admin/units", {"name": long_name, "kind": "committee"}, "quá dài"),
        (
            "/admin/users",
            {"username": "moi", "password": "mat-khau-dai", "role": "researcher", "full_name": long_name},
            "quá dài",
        ),
        ("/admin/users", {"username": "u" * 101, "password": "mat-khau-dai", "role": "researcher"}, "quá dài"),
        ("/admin/users", {"username": "moi2", "password": "mat-khau-dai", "role": "researcher", "unit_id": "²"}, "²"),
        ("/admin/tokens", {"username": "res", "name": "t" * 101}, "quá dài"),
        ("/admin/units", {"name": "Đảng ủy\x00Phường 3", "kind": "committee"}, "ký tự điều khiển"),
    ]
    for path, form, words in cases:
        r = admin.post(path, data={"csrf_token": token, **form})
        assert r.status_code == 422, (path, form, r.status_code)
        assert words in r.text, (path, words)
    with fresh.app.state.sessions() as s:
        assert s.scalar(select(User).where(User.username.in_(["moi", "moi2"]))) is None
        assert s.scalar(select(Unit).where(Unit.name == "Chi bộ Khu phố 9")) is None


def test_admin_api_refuses_crafted_numbers_and_overlong_texts(fresh):
    h = fresh.api("admin")
    cases = [
        ("/api/admin/units", {"name": "Chi bộ Khu phố 9", "kind": "cell", "parent_id": int(HUGE)}),
        (
            "/api/admin/users",
            {"username": "moi", "password": "mat-khau-dai", "role": "researcher", "full_name": "Ng" * 2500},
        ),
        (
            "/api/admin/users",
            {"username": "moi", "password": "mat-khau-dai", "role": "researcher", "unit_id": int(HUGE)},
        ),
        ("/api/admin/users/res/tokens", {"name": "t" * 101}),
    ]
    for path, body in cases:
        r = fresh.client.post(path, headers=h, json=body)
        assert r.status_code == 422, (path, r.status_code, r.text)
        assert "Yêu cầu không hợp lệ" in r.json()["detail"]


def test_long_names_fit_their_column_and_keep_the_extension(fresh):
    text = minutes_text("A", "Chi bộ Khu phố 1", 9).encode()
    member = "/".join(["thu-muc-rat-dai-" + "x" * 40] * 12) + "/bien-ban-thang-9.txt"  # over 500 characters
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(member, text)
    long_file = "bien-ban-" + "dai-" * 100 + "thang-10.txt"  # 400 characters
    r = fresh.client.post(
        "/api/meetings",
        headers=fresh.api("sec_a"),
        files=[
            ("files", ("goi.zip", out.getvalue(), "application/zip")),
            ("files", (long_file, minutes_text("A", "Chi bộ Khu phố 1", 10).encode(), "text/plain")),
        ],
    )
    assert r.status_code == 201, r.text
    assert [x["status"] for x in r.json()["results"]] == ["created", "created"]
    with fresh.app.state.sessions() as s:
        names = list(s.scalars(select(Document.original_name)))
    limit = Document.__table__.c.original_name.type.length
    assert len(names) == 2 and all(len(n) <= limit and n.endswith(".txt") for n in names), names
    assert any(n.startswith("goi.zip/thu-muc") for n in names) and any(n.startswith("bien-ban-dai-") for n in names)
