"""Issue 12 in the service: corrections on the meeting page, the annotation queue, the dashboard's charts.

One seeded world of its own (module scope) with a second researcher and one whose reach is a single
committee; tests run in file order and build on each other's corrections and labels.
"""

from __future__ import annotations

import csv
import html
import io
import re

import pytest

from minutes_nlp.web.queue import kappa

from .conftest import PASSWORD, seed, sign_in
from .minutes import PEOPLE


@pytest.fixture(scope="module")
def loop(tmp_path_factory, analyzer):
    from minutes_nlp.web import Settings, create_app
    from minutes_nlp.web import admin as admin_lib
    from minutes_nlp.web.auth import new_token
    from minutes_nlp.web.db import Unit

    folder = tmp_path_factory.mktemp("loop")
    app = create_app(
        Settings(data_dir=folder, migrate=True, analyzer=analyzer, secret_key="khoa-thu-nghiem", queue_double_share=0.5)
    )
    world = seed(app)
    with app.state.sessions() as s:
        for name, unit in (("res2", None), ("res_dn", world.units["dn"])):
            user = admin_lib.create_user(s, name, PASSWORD, "researcher", s.get(Unit, unit) if unit else None)
            world.tokens[name] = new_token(s, user, "thử nghiệm")
    return world


def sign_in_researcher(app, username):
    """conftest.sign_in reads the CSRF token off /meetings, which researchers may not open."""
    from fastapi.testclient import TestClient

    from .conftest import csrf_of

    client = TestClient(app)
    token = csrf_of(client.get("/login").text)
    client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token, "next": "/"})
    return client, csrf_of(client.get("/queue").text)


def api(world, who, method, path, **kw):
    return world.client.request(method, path, headers=world.api(who) if who else {}, **kw)


def first_discussion(world, who, key) -> int:
    report = api(world, who, "GET", f"/api/meetings/{world.meetings[key]}/report").json()
    return next(k for k, s in enumerate(report["segments"]) if s["kind"] == "discussion")


# ---------------------------------------------------------------- corrections on the page


def test_secretary_corrects_a_label_on_the_page_and_lists_exports_use_it(loop):
    client, token = sign_in(loop.app, "sec_a")
    mid = loop.meetings["A05"]
    page = client.get(f"/meetings/{mid}").text
    assert "Sửa phân tích" in page and "Chưa ai hiệu chỉnh phân tích này" in page
    i = first_discussion(loop, "sec_a", "A05")
    r = client.post(
        f"/meetings/{mid}/corrections",
        data={"op": "label", "index": str(i), "sentence": "0", "label": "proposal", "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    page = client.get(f"/meetings/{mid}").text
    assert "Phân tích tự động" in page and "Bản hiệu chỉnh 1" in page
    assert "− Không có ý kiến đề xuất" in page  # the flag the correction removed, in the difference column
    assert "(tự động: thống nhất)" in page or "(tự động: báo cáo)" in page or "(tự động: khác)" in page

    listed = {r["meeting_id"]: r for r in api(loop, "sec_a", "GET", "/api/meetings").json()["items"]}
    assert listed[mid]["corrected"] == 1 and "NO_PROPOSALS" not in listed[mid]["flags"]
    assert listed[loop.meetings["A04"]]["corrected"] is None
    flagged = api(loop, "sec_a", "GET", "/api/meetings", params={"flag": "NO_PROPOSALS"}).json()["items"]
    assert [r["meeting_id"] for r in flagged] == [loop.meetings["A04"]]  # A05 no longer, by its corrected flags
    assert "đã hiệu chỉnh" in client.get("/meetings").text

    rows = list(csv.DictReader(io.StringIO(client.get("/meetings/export.csv").content.decode("utf-8-sig"))))
    by_id = {int(r["Mã biên bản"]): r for r in rows}
    assert (
        by_id[mid]["Đã hiệu chỉnh (phiên bản)"] == "1"
        and by_id[loop.meetings["A04"]]["Đã hiệu chỉnh (phiên bản)"] == ""
    )
    assert "NO_PROPOSALS" not in by_id[mid]["Cảnh báo"]
    assert float(by_id[mid]["Điểm thực chất"]) == listed[mid]["score"]
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(client.get("/meetings/export.xlsx").content)).worksheets[0]
    ids = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert f"{mid} (đã hiệu chỉnh, bản 1)" in ids and str(loop.meetings["A04"]) in ids
    only = api(loop, "sec_a", "GET", "/api/meetings", params={"ids": f"{mid},{loop.meetings['B03']}"}).json()
    assert [r["meeting_id"] for r in only["items"]] == [mid]  # B03 is outside sec_a's cell


def test_segment_form_records_only_what_changed(loop):
    client, token = sign_in(loop.app, "sup_ab")
    mid = loop.meetings["B03"]
    i = first_discussion(loop, "sup_ab", "B03")
    seg = api(loop, "sup_ab", "GET", f"/api/meetings/{mid}/report").json()["segments"][i]
    form = {"op": "segment", "index": str(i), "kind": seg["kind"], "role": seg["role"] or "", "speaker": "Âu Văn Khoa"}
    r = client.post(f"/meetings/{mid}/corrections", data={**form, "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    history = api(loop, "sup_ab", "GET", f"/api/meetings/{mid}/corrections").json()
    assert [c["change"] for c in history] == [{"op": "segment", "index": i, "speaker": "Âu Văn Khoa"}]
    assert "ý kiến " + str(i + 1) + ": người phát biểu Âu Văn Khoa" in client.get(f"/meetings/{mid}").text


@pytest.mark.parametrize(("who", "key", "status"), [("sec_b", "A04", 404), ("sup_dn", "A04", 404), ("res", "A04", 403)])
def test_correction_form_denied(loop, who, key, status):
    client, token = sign_in(loop.app, who)
    r = client.post(
        f"/meetings/{loop.meetings[key]}/corrections",
        data={"op": "label", "index": "0", "sentence": "0", "label": "report", "csrf_token": token},
    )
    assert r.status_code == status


def test_correction_form_without_csrf_or_with_a_bad_label(loop):
    client, token = sign_in(loop.app, "sec_a")
    url = f"/meetings/{loop.meetings['A04']}/corrections"
    assert client.post(url, data={"op": "label", "index": "0", "sentence": "0", "label": "report"}).status_code == 403
    bad = client.post(url, data={"op": "label", "index": "0", "sentence": "0", "label": "y-kien", "csrf_token": token})
    assert bad.status_code == 422 and "label" in bad.text


# ---------------------------------------------------------------- annotation queue


def test_kappa_by_hand():
    # po = 3/4; first rater 2 proposal, 1 report, 1 agreement; second 1, 2, 1: pe = (2 + 2 + 1) / 16
    pairs = [("proposal", "proposal"), ("proposal", "report"), ("report", "report"), ("agreement", "agreement")]
    assert kappa(pairs) == round((0.75 - 5 / 16) / (1 - 5 / 16), 3)
    assert kappa([("report", "report")] * 3) is None  # chance agreement is total: undefined
    assert kappa([]) is None


@pytest.mark.parametrize(
    ("who", "method", "path", "status"),
    [
        (None, "GET", "/api/queue/next", 401),
        ("sec_a", "GET", "/api/queue/next", 403),
        ("sup_ab", "GET", "/api/queue/next", 403),
        ("admin", "GET", "/api/queue/next", 403),
        ("sec_a", "GET", "/api/queue/agreement", 403),
        ("sup_ab", "GET", "/api/queue/agreement", 403),
        ("admin", "GET", "/api/queue/agreement", 200),
        (None, "GET", "/api/queue/agreement", 401),
        (None, "POST", "/api/queue/1/label", 401),
        ("sec_a", "POST", "/api/queue/1/label", 403),
        ("sup_ab", "POST", "/api/queue/1/label", 403),
        ("admin", "POST", "/api/queue/1/label", 403),
        ("sec_a", "POST", "/api/queue/1/adjudicate", 403),
        ("sup_ab", "POST", "/api/queue/1/adjudicate", 403),
        ("admin", "POST", "/api/queue/1/adjudicate", 403),
        ("res", "POST", "/api/queue/999999/label", 404),
    ],
)
def test_queue_access(loop, who, method, path, status):
    body = {"label": "report"} if method == "POST" else None
    assert api(loop, who, method, path, json=body).status_code == status


def test_queue_serves_uncertain_sentences_anonymised_across_meetings(loop):
    from minutes_nlp.web.db import QueueItem

    first = api(loop, "res", "GET", "/api/queue/next").json()["item"]
    with loop.app.state.sessions() as s:
        items = list(s.query(QueueItem))
        margins = {x.id: x.margin for x in items}
        meeting_of = {x.id: x.document_id for x in items}
    assert len(items) > 20 and margins[first["item_id"]] == min(margins.values())
    real = {name for people in PEOPLE.values() for name in people.values()}
    assert not any(name in x.text or name in (x.context or "") for x in items for name in real)
    seen = [first["item_id"]]
    assert api(loop, "res", "POST", f"/api/queue/{first['item_id']}/label", json={"label": "report"}).status_code == 201
    for _round in range(3):
        item = api(loop, "res", "GET", "/api/queue/next").json()["item"]
        seen.append(item["item_id"])
        assert api(loop, "res", "POST", f"/api/queue/{item['item_id']}/label", json={"skip": True}).status_code == 201
    # a skip leaves the meeting unlabelled, so only the first labelled item pushes its meeting back
    assert meeting_of[seen[1]] != meeting_of[seen[0]]
    again = api(loop, "res", "POST", f"/api/queue/{first['item_id']}/label", json={"label": "other"})
    assert again.status_code == 409


def test_scoped_researcher_gets_only_their_committee(loop):
    mine = api(loop, "res_dn", "GET", "/api/queue/next").json()["item"]
    assert mine["meeting"] == f"meeting-{loop.meetings['C03']}"
    from minutes_nlp.web.db import QueueItem

    with loop.app.state.sessions() as s:
        outside = s.query(QueueItem).filter(QueueItem.document_id == loop.meetings["A04"]).first().id
    assert api(loop, "res_dn", "POST", f"/api/queue/{outside}/label", json={"label": "report"}).status_code == 404
    assert api(loop, "res_dn", "POST", f"/api/queue/{outside}/adjudicate", json={"label": "report"}).status_code == 404


def test_two_researchers_kappa_and_adjudication(loop):
    from minutes_nlp.web.db import QueueItem

    labelled = []
    for _round in range(12):
        item = api(loop, "res", "GET", "/api/queue/next").json()["item"]
        assert (
            api(loop, "res", "POST", f"/api/queue/{item['item_id']}/label", json={"label": "report"}).status_code == 201
        )
        labelled.append(item["item_id"])
    from minutes_nlp.web.db import QueueLabel

    with loop.app.state.sessions() as s:  # every item res labelled (here and before) that goes to two researchers
        by_res = {
            a.item_id for a in s.query(QueueLabel).filter(QueueLabel.label.is_not(None)) if a.user.username == "res"
        }
        double = sorted(i for i in by_res if s.get(QueueItem, i).double)
    assert set(labelled) <= by_res and double, "a share of 0.5 gives some items to two researchers"
    answers = {}
    for k in range(len(double)):
        item = api(loop, "res2", "GET", "/api/queue/next").json()["item"]
        assert item["item_id"] in double  # items waiting for a second label come first
        answers[item["item_id"]] = "report" if k else "proposal"
        api(loop, "res2", "POST", f"/api/queue/{item['item_id']}/label", json={"label": answers[item["item_id"]]})
    stats = api(loop, "res", "GET", "/api/queue/agreement").json()
    assert stats["pairs"] == len(double) and stats["agreed"] == len(double) - 1
    pairs = [("report", answers[i]) for i in double]
    assert stats["per_label"]["report"] == kappa([(a == "report", b == "report") for a, b in pairs])
    [dis] = stats["disagreements"]
    assert dis["labels"] == {"res": "report", "res2": "proposal"}
    r = api(loop, "res2", "POST", f"/api/queue/{dis['item_id']}/adjudicate", json={"label": "proposal"})
    assert r.status_code == 200
    assert api(loop, "admin", "GET", "/api/queue/agreement").json()["disagreements"][0]["final_label"] == "proposal"
    page = sign_in(loop.app, "res")[0].get("/queue").text
    assert "Cohen" in page and "Bất đồng cần phân xử" in page


def test_queue_page_labels_with_the_form(loop):
    client, token = sign_in_researcher(loop.app, "res_dn")
    page = client.get("/queue").text
    item_id = int(re.search(r'action="/queue/(\d+)"', page).group(1))
    assert 'data-key="1"' in page and "/static/queue.js" in page
    r = client.post(f"/queue/{item_id}", data={"label": "complaint", "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    assert "Bạn đã gán nhãn 1 câu" in client.get("/queue").text
    assert client.get("/static/queue.js").headers["content-type"].startswith("text/javascript")
    secretary, token_a = sign_in(loop.app, "sec_a")
    assert secretary.get("/queue").status_code == 403
    assert secretary.post(f"/queue/{item_id}", data={"label": "report", "csrf_token": token_a}).status_code == 403


# ---------------------------------------------------------------- dashboard charts


def chart_links(page: str) -> list[tuple[str, str]]:
    return [
        (html.unescape(h), html.unescape(t)) for h, t in re.findall(r'<a href="([^"]+)"><title>([^<]*)</title>', page)
    ]


def listed_total(client, href: str) -> int:
    return int(re.search(r"<h1>Danh sách biên bản \((\d+)\)</h1>", client.get(href).text).group(1))


def test_dashboard_charts_link_to_the_meetings_behind_them(loop):
    client, _token = sign_in(loop.app, "sup_ab")
    page = client.get("/dashboard").text
    for key in ("trend", "heatmap", "no_proposals", "participation", "flags"):
        assert f'id="chart-{key}"' in page
    links = chart_links(page)
    squares = [(h, t) for h, t in links if "cell=" in h and "month=" in h and "biên bản, điểm trung bình" in t]
    assert squares
    for href, title in squares:
        assert listed_total(client, href) == int(re.search(r": (\d+) biên bản", title).group(1))
    bars = [(h, t) for h, t in links if "ids=" in h]
    assert sum(int(re.search(r"(\d+) biên bản", t).group(1)) for _h, t in bars) == 5  # A03, A04, A05, B03, D04
    for href, title in bars:
        assert listed_total(client, href) == int(re.search(r"(\d+) biên bản", title).group(1))
    assert any(t.startswith("Không có ý kiến đề xuất (NO_PROPOSALS)") for _h, t in links)
    assert "Chi bộ Công ty May Sao Mai" not in page  # outside sup_ab's committee

    by_flag = chart_links(client.get("/dashboard", params={"heat": "LOW_PARTICIPATION"}).text)
    squares = [(h, t) for h, t in by_flag if "“Ít đảng viên phát biểu” (LOW_PARTICIPATION)" in t and "cell=" in h]
    assert squares
    for href, title in squares:
        hit, n = map(int, re.search(r": (\d+)/(\d+) biên bản", title).groups())
        assert listed_total(client, href) == (hit if "flag=LOW_PARTICIPATION" in href else n) and hit >= 1


def test_queue_serves_only_current_analyses(loop):
    """After a re-analysis the old analysis's sentences are no longer served (their labels stay for kappa)."""
    from minutes_nlp.web.db import Analysis, QueueItem

    before = api(loop, "res2", "GET", "/api/queue/next").json()
    with loop.app.state.sessions() as s:
        doc = s.get(QueueItem, before["item"]["item_id"]).document_id
        old = s.query(Analysis).filter(Analysis.document_id == doc).one()
        old.current = False  # what admin reanalyze does to the analysis it replaces
        s.commit()
    after = api(loop, "res2", "GET", "/api/queue/next").json()
    assert after["remaining"] < before["remaining"]
    assert after["item"] is None or after["item"]["meeting"] != f"meeting-{doc}"
