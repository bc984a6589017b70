"""End to end in headless Chromium (Debian's /usr/bin/chromium, no browser download): sign in, upload a .docx,
read the report with its flags, export the list.

Skipped only when /usr/bin/chromium is absent (CI installs it: apt-get install -y chromium).
"""

from __future__ import annotations

import csv
import io
import socket
import threading
import time
from pathlib import Path

import pytest

from .conftest import PASSWORD, seed
from .minutes import docx_bytes, minutes_text

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

if not CHROMIUM.exists():
    print(f"test_browser: skipped because {CHROMIUM} is absent (apt-get install -y chromium)")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent (apt-get install -y chromium)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def live(make_app):
    """A seeded app served by uvicorn on a free 127.0.0.1 port, in a thread; yields its base URL."""
    import uvicorn

    world = seed(make_app(), meetings=False)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(world.app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_sign_in_upload_read_report_and_export(live, tmp_path):
    from playwright.sync_api import sync_playwright

    docx = tmp_path / "bien-ban-thang-9.docx"
    docx.write_bytes(docx_bytes(minutes_text("A", "Chi bộ Khu phố 1", 9, proposals=False)))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            page = browser.new_page(accept_downloads=True)
            page.goto(f"{live}/meetings")
            assert "/login" in page.url
            page.fill("input[name=username]", "sec_a")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{live}/meetings")
            assert "Danh sách biên bản (0)" in page.inner_text("h1")

            page.click("text=Tải biên bản lên")
            page.set_input_files("input[type=file]", str(docx))
            page.click("text=Tải lên và phân tích")
            page.wait_for_selector("text=Đã phân tích")
            # flags read by their Vietnamese title; the code stays in the tooltip
            assert "Không có ý kiến đề xuất" in page.inner_text("table")
            assert page.get_attribute("span.flag >> text=Không có ý kiến đề xuất", "title") == "NO_PROPOSALS"

            page.click("text=Xem báo cáo")
            report = page.frame_locator("iframe")
            report.locator("text=NO_PROPOSALS").first.wait_for()
            body = report.locator("body").inner_text()
            assert "Lương Văn Thắng" in body and "AGREEMENT_ONLY" in body

            page.goto(f"{live}/meetings?flag=NO_PROPOSALS")
            assert "bien-ban-thang-9.docx" in page.inner_text("table")
            with page.expect_download() as info:
                page.click("text=CSV")
            saved = tmp_path / "xuat.csv"
            info.value.save_as(saved)
            rows = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8-sig"))))
            assert len(rows) == 1 and rows[0]["Tệp gốc"] == "bien-ban-thang-9.docx"
            assert "NO_PROPOSALS" in rows[0]["Cảnh báo"]
            with page.expect_download() as info:
                page.click("text=Excel (.xlsx)")
            assert info.value.suggested_filename == "bien-ban.xlsx"

            # a phone-width screen: the list's rows become cards, nothing wider than the screen
            page.set_viewport_size({"width": 375, "height": 800})
            page.goto(f"{live}/meetings")
            assert page.evaluate("document.documentElement.scrollWidth") <= 375
            assert page.is_visible("text=bien-ban-thang-9.docx")
            page.set_viewport_size({"width": 1280, "height": 800})

            # the API docs with nothing from outside 127.0.0.1
            outside = []
            page.route(
                "**/*",
                lambda route: (
                    route.continue_()
                    if route.request.url.startswith(live)
                    else (outside.append(route.request.url), route.abort())
                ),
            )
            page.goto(f"{live}/api/docs")
            page.wait_for_selector('.opblock-summary-path[data-path="/api/meetings"]', timeout=15_000)
            assert outside == []
            page.unroute("**/*")
            page.goto(f"{live}/meetings")

            page.click("text=Đăng xuất")
            page.wait_for_url(f"{live}/login")
        finally:
            browser.close()
