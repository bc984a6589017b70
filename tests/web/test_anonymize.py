"""Pseudonyms: every name replaced consistently, offsets still exact, nothing else changed."""

from __future__ import annotations

import re

import pytest

from minutes_nlp.web.anonymize import anonymize, pseudonyms

from .minutes import PEOPLE, minutes_text

EXTRA = "\nĐ/c Bửu phát biểu bổ sung: nhất trí. Đồng chí Hoàng Văn Xuân được khen thưởng.\nKIỀU THỊ NGA\n"


@pytest.fixture(scope="module")
def report(analyzer):
    return analyzer(minutes_text("A", "Chi bộ Khu phố 1", 3, True) + EXTRA).to_dict()


def test_no_name_is_left_anywhere(report):
    out = anonymize(report, "m-1")
    blob = repr(out)
    for name in [*PEOPLE["A"].values(), "Hoàng Văn Xuân", "Bửu"]:
        assert name.casefold() not in blob.casefold(), name


def test_same_person_same_pseudonym(report):
    out = anonymize(report, "m-1")
    mapping, _ = pseudonyms(report)
    bửu = mapping["ông văn bửu"]
    assert out["text"].count(bửu) == 2  # full name and "Đ/c Bửu"
    assert out["meta"]["chair"] == mapping["lương văn thắng"] == "Đảng viên 1"
    assert sorted(set(re.findall(r"Đảng viên \d+", out["text"]))) == [f"Đảng viên {i}" for i in range(1, 7)]


def test_offsets_index_the_new_text(report):
    out = anonymize(report, "m-1")
    old_text = report["text"]
    for old, new in zip(report["segments"], out["segments"]):
        before, after = old_text[old["start"] : old["end"]], out["text"][new["start"] : new["end"]]
        assert (
            re.sub(r"Đảng viên \d+", "", after).strip()[-10:]
            == re.sub(
                "|".join(n for n in PEOPLE["A"].values()) + "|Bửu|Hoàng Văn Xuân|KIỀU THỊ NGA", "", before
            ).strip()[-10:]
        )
        for _s_old, s_new in zip(old.get("sentences", []), new.get("sentences", [])):
            assert s_new["start"] >= new["start"] and s_new["end"] <= new["end"]


def test_text_outside_names_is_unchanged(report):
    out = anonymize(report, "m-1")

    def strip(t):
        return re.sub(r"Đảng viên \d+", "#", t)

    original = report["text"]
    _, spans = pseudonyms(report)
    for a, b, _ in sorted(spans, reverse=True):
        original = original[:a] + "#" + original[b:]
    assert strip(out["text"]) == original


def test_titles_and_role_words_are_not_names():
    rec = {"text": "Đồng chí Bí thư Chi bộ phát biểu. Đồng chí chủ trì kết luận.", "meta": {}, "segments": []}
    assert pseudonyms(rec) == ({}, [])
