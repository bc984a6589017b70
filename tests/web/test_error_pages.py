"""No raw framework text (issue 14, item 9): refusals are the Vietnamese page (with the navigation) in a
browser and JSON under /api; the API docs work offline; nothing is cached."""

from __future__ import annotations

import hashlib
import re

import pytest

from .conftest import seed, sign_in
from .minutes import minutes_text


@pytest.fixture(scope="module")
def small(tmp_path_factory, analyzer):
    """An app taking 0.05 MB a file (a request is refused above about 1.3 MB)."""
    from minutes_nlp.web import Settings, create_app

    from .conftest import POSTGRES, _fresh_postgres_database

    extra = {"database_url": _fresh_postgres_database()} if POSTGRES else {}
    folder = tmp_path_factory.mktemp("small")
    app = create_app(
        Settings(data_dir=folder, migrate=True, analyzer=analyzer, secret_key="k", max_upload_mb=0.05, **extra)
    )
    w = seed(app, meetings=False)
    w.browser, w.csrf = sign_in(app, "sec_a")
    return w


def is_page_with_navigation(r) -> bool:
    return r.headers["content-type"].startswith("text/html") and "Đăng xuất" in r.text and "/upload" in r.text


def test_oversized_request_is_the_vietnamese_page_in_a_browser_and_json_for_the_api(small):
    big = [("files", ("lon.txt", b"x" * 2_000_000, "text/plain"))]
    page = small.browser.post("/upload", data={"csrf_token": small.csrf}, files=big)
    assert page.status_code == 413 and is_page_with_navigation(page)
    assert "quá lớn" in page.text and '{"detail"' not in page.text
    api = small.client.post("/api/meetings", headers=small.api("sec_a"), files=big)
    assert api.status_code == 413 and "quá lớn" in api.json()["detail"]


def test_oversized_streamed_request_is_refused_the_same_way(small):
    boundary = "ranh-gioi"

    def body():
        yield f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="lon.txt"\r\n\r\n'.encode()
        for _ in range(40):
            yield b"x" * 50_000
        yield f"\r\n--{boundary}--\r\n".encode()

    headers = {"content-type": f"multipart/form-data; boundary={boundary}", **small.api("sec_a")}
    r = small.client.post("/api/meetings", content=body(), headers=headers)
    assert r.status_code == 413 and "quá lớn" in r.json()["detail"]


def test_too_many_files_is_a_vietnamese_message(small):
    many = [("files", (f"f{i}.txt", b"x", "text/plain")) for i in range(1200)]
    page = small.browser.post("/upload", data={"csrf_token": small.csrf}, files=many)
    assert page.status_code == 413 and is_page_with_navigation(page)
    assert "tối đa 50 tệp" in page.text and "Too many" not in page.text
    api = small.client.post("/api/meetings", headers=small.api("sec_a"), files=many)
    assert api.status_code == 413 and "tối đa 50 tệp" in api.json()["detail"]


def test_empty_file_name_is_a_clear_message(small):
    nameless = [("files", ("", minutes_text("A", "Chi bộ Khu phố 1", 6).encode(), "text/plain"))]
    page = small.browser.post("/upload", data={"csrf_token": small.csrf}, files=nameless)
    assert page.status_code == 422 and is_page_with_navigation(page)
    assert "không có tên" in page.text and "UploadFile" not in page.text
    api = small.client.post("/api/meetings", headers=small.api("sec_a"), files=nameless)
    assert api.status_code == 422 and "không có tên" in api.json()["detail"]


def test_unknown_address_and_method_are_in_vietnamese(small):
    r = small.browser.get("/khong-co-trang-nay")
    assert r.status_code == 404 and is_page_with_navigation(r) and "Not Found" not in r.text
    r = small.client.get("/api/khong-co", headers=small.api("sec_a"))
    assert r.status_code == 404 and r.json()["detail"] == "Không có trang hoặc địa chỉ này"
    r = small.client.delete("/api/meetings", headers=small.api("sec_a"))
    assert r.status_code == 405 and "Method Not Allowed" not in r.text


def test_pages_downloads_and_errors_are_not_stored(world):
    browser = sign_in(world.app, "sup_ab")[0]
    a03 = world.meetings["A03"]
    for r in (
        browser.get("/meetings"),
        browser.get(f"/meetings/{a03}/original"),
        browser.get("/meetings/export.csv"),
        browser.get("/meetings/999999"),
        world.client.get(f"/api/meetings/{a03}/original", headers=world.api("sup_ab")),
        world.client.get("/login"),
    ):
        assert r.headers.get("cache-control") == "no-store", (r.url, r.headers.get("cache-control"))


def test_api_docs_use_only_local_assets(world):
    r = world.client.get("/api/docs")
    assert r.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', r.text)
    assert sources and all(s.startswith("/api/docs/assets/") for s in sources), sources
    assert "https://" not in r.headers["content-security-policy"]
    for source in sources:
        asset = world.client.get(source)
        assert asset.status_code == 200 and len(asset.content) > 500, source
    assert "SwaggerUIBundle" in world.client.get("/api/docs/assets/swagger-ui-bundle.js").text


def test_an_unexpected_failure_is_a_vietnamese_500_not_the_framework_text(small):
    from fastapi.testclient import TestClient

    text = minutes_text("A", "Chi bộ Khu phố 1", 11).encode()
    r = small.client.post("/api/meetings", headers=small.api("sec_a"), files=[("files", ("thang-11.txt", text))])
    meeting = r.json()["results"][0]["meeting_id"]
    small.app.state.storage.path(hashlib.sha256(text).hexdigest()).unlink()  # the original lost from the disk
    api = TestClient(small.app, raise_server_exceptions=False)
    r = api.get(f"/api/meetings/{meeting}/original", headers=small.api("sec_a"))
    assert r.status_code == 500 and "lỗi nội bộ" in r.json()["detail"]
    page = TestClient(small.app, raise_server_exceptions=False, cookies=small.browser.cookies)
    r = page.get(f"/meetings/{meeting}/original")
    assert r.status_code == 500 and "lỗi nội bộ" in r.text and "Internal Server Error" not in r.text
    assert r.headers["cache-control"] == "no-store"


def test_a_missing_page_fetched_before_signing_in_keeps_the_sign_in_form_working(small):
    # a browser asks for /favicon.ico while the sign-in form is open; that 404 page once emptied the
    # visitor's session, so the form's CSRF token no longer matched and every browser sign-in was refused
    from fastapi.testclient import TestClient

    from .conftest import PASSWORD, csrf_of

    client = TestClient(small.app)
    token = csrf_of(client.get("/login").text)
    assert client.get("/favicon.ico").status_code == 404
    r = client.post(
        "/login",
        data={"username": "sec_a", "password": PASSWORD, "csrf_token": token, "next": "/meetings"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/meetings"
