"""Pseudonyms: every name replaced consistently, offsets still exact, nothing else changed."""

from __future__ import annotations

import re

import pytest

from minutes_nlp.web.anonymize import ExportCodes, anonymize, redactions

from .minutes import PEOPLE, minutes_text

EXTRA = "\nĐ/c Bửu phát biểu bổ sung: nhất trí. Đồng chí Hoàng Văn Xuân được khen thưởng.\nKIỀU THỊ NGA\n"


CODES = ExportCodes(b"t" * 16)


def pseudonyms(report):
    return redactions(report, CODES)


@pytest.fixture(scope="module")
def report(analyzer):
    return analyzer(minutes_text("A", "Chi bộ Khu phố 1", 3, True) + EXTRA).to_dict()


def test_no_name_is_left_anywhere(report):
    out = anonymize(report, "m-1", CODES)
    blob = repr(out)
    for name in [*PEOPLE["A"].values(), "Hoàng Văn Xuân", "Bửu"]:
        assert name.casefold() not in blob.casefold(), name


def test_same_person_same_pseudonym(report):
    out = anonymize(report, "m-1", CODES)
    mapping, _ = pseudonyms(report)
    bửu = mapping["ông văn bửu"]
    assert out["text"].count(bửu) == 2  # full name and "Đ/c Bửu"
    assert out["meta"]["chair"] == mapping["lương văn thắng"] == "Người 1"
    assert sorted(set(re.findall(r"Người \d+", out["text"]))) == [f"Người {i}" for i in range(1, 7)]


def test_offsets_index_the_new_text(report):
    out = anonymize(report, "m-1", CODES)
    _, spans = pseudonyms(report)

    def replaced(a, b):
        text, pos, pieces = report["text"], a, []
        for x, y, new in spans:
            if a <= x and y <= b:
                pieces += [text[pos:x], new]
                pos = y
        return "".join(pieces) + text[pos:b]

    for old, new in zip(report["segments"], out["segments"]):
        assert out["text"][new["start"] : new["end"]] == replaced(old["start"], old["end"])
        for s_old, s_new in zip(old.get("sentences", []), new.get("sentences", [])):
            assert out["text"][s_new["start"] : s_new["end"]] == replaced(s_old["start"], s_old["end"])


def test_text_outside_names_is_unchanged(report):
    out = anonymize(report, "m-1", CODES)
    _, spans = pseudonyms(report)
    kept, pos, rest = [], 0, out["text"]
    for a, b, _new in spans:
        kept.append(report["text"][pos:a])
        pos = b
    kept.append(report["text"][pos:])
    for piece, (_, _, new) in zip(kept, spans):
        assert rest.startswith(piece + new)
        rest = rest[len(piece + new) :]
    assert rest == kept[-1]


def test_titles_and_role_words_are_not_names():
    rec = {"text": "Đồng chí Bí thư Chi bộ phát biểu. Đồng chí chủ trì kết luận.", "meta": {}, "segments": []}
    assert redactions(rec, CODES) == ({}, [])
