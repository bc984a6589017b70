"""The web service speaks the language in force: Vietnamese pages by default, English on request, flags by title."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from .conftest import sign_in


def test_pages_are_vietnamese_by_default_and_english_on_request(world, monkeypatch):
    page = TestClient(world.app).get("/login").text
    assert '<html lang="vi">' in page and "<h1>Đăng nhập</h1>" in page and "Tên đăng nhập" in page
    monkeypatch.setenv("MINUTES_NLP_LANG", "en")
    page = TestClient(world.app).get("/login").text
    assert '<html lang="en">' in page and "<h1>Sign in</h1>" in page and "User name" in page
    assert "Đăng nhập" not in page


def test_meeting_list_shows_flag_titles_with_the_code_in_a_tooltip(world):
    client, _ = sign_in(world.app, "sec_a")
    page = client.get("/meetings").text
    assert '<span class="flag" title="NO_PROPOSALS">Không có ý kiến đề xuất</span>' in page
    assert '<option value="NO_PROPOSALS" title="NO_PROPOSALS" >Không có ý kiến đề xuất</option>' in page
    # no flag code is shown bare as the text of an element
    assert not re.search(r">\s*[A-Z]+(?:_[A-Z]+)+\s*<", page)


def test_dashboard_names_flags_by_title(world):
    client, _ = sign_in(world.app, "sup_ab")
    page = client.get("/dashboard").text
    assert '<a href="/meetings?flag=NO_PROPOSALS" title="NO_PROPOSALS">Không có ý kiến đề xuất</a>' in page
    assert not re.search(r">\s*[A-Z]+(?:_[A-Z]+)+\s*<", page)


def test_report_page_and_api_errors_follow_the_language(world, monkeypatch):
    client, _ = sign_in(world.app, "sec_a")
    meeting = world.meetings["A04"]
    assert "Cảnh báo cho cấp ủy cấp trên" in client.get(f"/meetings/{meeting}/report").text
    assert "Thiếu mã truy cập" in TestClient(world.app).get("/api/meetings").json()["detail"]
    monkeypatch.setenv("MINUTES_NLP_LANG", "en")
    report = client.get(f"/meetings/{meeting}/report").text
    assert "Flags for the higher party committee" in report and '<b title="NO_PROPOSALS">No proposals</b>' in report
    assert client.get("/meetings").text.count('title="NO_PROPOSALS">No proposals<') >= 2
    assert TestClient(world.app).get("/api/meetings").json()["detail"].startswith("No access token")
