"""People in the loop, in headless Chromium: a secretary corrects, a supervisor rates and follows the charts,
two researchers label queued sentences and see their agreement.

One seeded site (module scope, every queue item given to two researchers) and one browser for all
tests, which run in file order. Skipped only when /usr/bin/chromium is absent, like test_browser.py.
"""

from __future__ import annotations

import re
import threading
import time

import pytest

from .conftest import PASSWORD, seed
from .test_browser import ARGS, CHROMIUM, free_port

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent (apt-get install -y chromium)")


@pytest.fixture(scope="module")
def site(tmp_path_factory, analyzer):
    import uvicorn

    from minutes_nlp.web import Settings, create_app
    from minutes_nlp.web import admin as admin_lib

    app = create_app(
        Settings(
            data_dir=tmp_path_factory.mktemp("browser-loop"),
            migrate=True,
            analyzer=analyzer,
            secret_key="khoa-thu-nghiem",
            queue_double_share=1.0,
        )
    )
    world = seed(app)
    with app.state.sessions() as s:
        admin_lib.create_user(s, "res2", PASSWORD, "researcher", None)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    world.base = f"http://127.0.0.1:{port}"
    yield world
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield chromium
        chromium.close()


def signed_in(browser, site, who: str, path: str):
    page = browser.new_page()
    page.goto(f"{site.base}/login?next={path}")
    page.fill("input[name=username]", who)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{site.base}{path}")
    return page


def number(text: str) -> float:
    return float(text.strip().replace(",", "."))


def test_secretary_corrects_a_label_and_a_speaker_and_sees_the_score_change(site, browser):
    mid = site.meetings["A05"]
    report = site.client.get(f"/api/meetings/{mid}/report", headers=site.api("sec_a")).json()
    i = next(k for k, s in enumerate(report["segments"]) if s["kind"] == "discussion")
    page = signed_in(browser, site, "sec_a", f"/meetings/{mid}")
    page.click("text=Sửa phân tích")
    label = page.locator(f'select[aria-label="Nhãn của câu 1 trong ý kiến {i + 1}"]')
    label.select_option("proposal")
    label.focus()
    page.keyboard.press("Tab")  # to the form's save button, then Enter: no mouse needed
    page.keyboard.press("Enter")
    page.wait_for_selector("#corrected-score")
    automatic = number(page.locator("table.compare tr:nth-child(2) td:nth-child(2)").inner_text())
    corrected = number(page.inner_text("#corrected-score"))
    assert corrected > automatic
    assert "− Không có ý kiến đề xuất" in page.inner_text("table.compare")

    speaker = page.locator(f'input[aria-label="Người phát biểu ý kiến {i + 1}"]')
    speaker.fill("Doãn Thị Mận")
    speaker.press("Enter")
    page.wait_for_selector("ol.versions li:nth-child(2)")
    assert f"ý kiến {i + 1}: người phát biểu Doãn Thị Mận" in page.inner_text("ol.versions")
    assert page.input_value(f'input[aria-label="Người phát biểu ý kiến {i + 1}"]') == "Doãn Thị Mận"
    page.goto(f"{site.base}/meetings")
    assert "đã hiệu chỉnh" in page.inner_text("table")
    page.close()


def test_supervisor_records_a_rating(site, browser):
    page = signed_in(browser, site, "sup_ab", f"/meetings/{site.meetings['B03']}")
    page.fill("input[name=substantive]", "62")
    page.fill("input[name=note]", "Có đề xuất về rác thải nhưng chưa giao người thực hiện")
    page.click("text=Ghi đánh giá")
    page.wait_for_selector("text=Có đề xuất về rác thải nhưng chưa giao người thực hiện")
    row = page.locator("#ratings tr", has_text="sup_ab").inner_text()
    assert "Khá" in row and "62" in row
    page.close()


def test_researcher_labels_ten_queued_sentences_with_one_key_each(site, browser):
    page = signed_in(browser, site, "res", "/queue")
    for k in range(10):
        page.wait_for_selector("#queue-text")
        page.keyboard.press(str(k % 5 + 1))
        page.wait_for_selector(f'#labelled-count:has-text("đã gán nhãn {k + 1} câu")')
    page.close()


def test_second_researcher_sees_the_kappa(site, browser):
    page = signed_in(browser, site, "res2", "/queue")
    assert "Chưa có câu nào được hai nhà nghiên cứu gán nhãn" in page.inner_text("main")
    for k in range(4):
        page.keyboard.press("3")
        page.wait_for_selector(f'#labelled-count:has-text("đã gán nhãn {k + 1} câu")')
    assert "Số câu do hai nhà nghiên cứu gán nhãn: 4" in page.inner_text("main")
    page.wait_for_selector("#kappa")
    assert page.locator("#kappa-table tr").count() == 6  # a header and the five labels
    page.close()


def test_supervisor_follows_a_chart_to_its_meetings(site, browser):
    page = signed_in(browser, site, "sup_ab", "/dashboard")
    for key in ("trend", "heatmap", "no_proposals", "participation", "flags"):
        assert page.locator(f"#chart-{key} svg").count() == 1
    square = page.locator('#chart-heatmap a[href*="cell="][href*="month="]').first
    title = square.locator("title").text_content()
    n = int(re.search(r": (\d+) biên bản", title).group(1))
    square.click()
    page.wait_for_url(re.compile(r".*/meetings\?.*month=.*"))
    assert page.inner_text("h1") == f"Danh sách biên bản ({n})"
    assert page.locator("table tr").count() == n + 1
    page.close()
