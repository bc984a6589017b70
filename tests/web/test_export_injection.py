"""Formula injection through the service (issue 14, item 2): a secretary uploads a valid minutes file named
``=2+5+cmd|' calc'!A0.txt``; the supervisor's exports (API and pages, CSV and XLSX) carry the name as text."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from .conftest import seed, sign_in
from .minutes import minutes_text

ATTACK = "=2+5+cmd|' calc'!A0.txt"


@pytest.fixture(scope="module")
def attacked(tmp_path_factory, analyzer):
    """A seeded app where sec_a uploaded real minutes without proposals (a flag) under the attacker's name."""
    from minutes_nlp.web import Settings, create_app

    from .conftest import POSTGRES, _fresh_postgres_database

    extra = {"database_url": _fresh_postgres_database()} if POSTGRES else {}
    app = create_app(
        Settings(data_dir=tmp_path_factory.mktemp("inject"), migrate=True, analyzer=analyzer, secret_key="k", **extra)
    )
    w = seed(app, meetings=False)
    text = minutes_text("A", "Chi bộ Khu phố 1", 7, proposals=False)
    r = w.client.post("/api/meetings", headers=w.api("sec_a"), files=[("files", (ATTACK, text.encode("utf-8")))])
    assert r.status_code == 201, r.text
    assert r.json()["results"][0]["name"] == ATTACK
    return w


@pytest.mark.parametrize("via", ["api", "page"])
def test_xlsx_export_stores_the_name_as_a_string_on_both_sheets(attacked, via):
    if via == "api":
        r = attacked.client.get("/api/export/meetings.xlsx", headers=attacked.api("sup_ab"))
    else:
        r = sign_in(attacked.app, "sup_ab")[0].get("/meetings/export.xlsx")
    assert r.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    found = {ws.title: c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value == ATTACK}
    assert set(found) >= {"Cuộc họp", "Cảnh báo"}
    assert all(c.data_type == "s" for c in found.values()), {t: c.data_type for t, c in found.items()}
    meetings = wb["Cuộc họp"]
    header = [c.value for c in meetings[1]]
    score = meetings.cell(2, header.index("Điểm thực chất") + 1)
    assert score.data_type == "n" and isinstance(score.value, int | float)


@pytest.mark.parametrize("via", ["api", "page"])
def test_csv_export_neutralises_the_name_and_keeps_numbers(attacked, via):
    if via == "api":
        r = attacked.client.get("/api/export/meetings.csv", headers=attacked.api("sup_ab"))
    else:
        r = sign_in(attacked.app, "sup_ab")[0].get("/meetings/export.csv")
    assert r.status_code == 200
    (row,) = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert row["Tệp gốc"] == "'" + ATTACK
    assert row["Mã biên bản"].isdigit()
    float(row["Điểm thực chất"])  # a number, not text behind an apostrophe
