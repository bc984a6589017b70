"""One language policy: complete catalogs in both languages, Vietnamese by default, English on request.

The catalog tests extract the messages of the code afresh with Babel (babel.cfg)
and compare them with both catalogs, so a message added without its
translation, an empty or fuzzy entry, or a stale compiled .mo fails here.
"""

from __future__ import annotations

import gettext
import json
import re
import string
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from click.testing import CliRunner

from minutes_nlp import i18n
from minutes_nlp.cli.language import CLICK_MESSAGES
from minutes_nlp.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "minutes_nlp" / "locale"
MINUTES = """CHI BỘ KHU PHỐ 4
BIÊN BẢN SINH HOẠT CHI BỘ THƯỜNG KỲ THÁNG 10 NĂM 2022
Thời gian: 19 giờ 30, ngày 09/10/2022.
Chủ trì: đồng chí Kim Văn Sơn - Bí thư chi bộ. Thư ký: đồng chí Lại Thị Mơ.
Tổng số đảng viên: 20; có mặt: 18; vắng: 02 (có lý do).
Thảo luận:
- Đồng chí Tống Văn Lực: Tôi thống nhất với dự thảo báo cáo.
- Đ/c Mơ: Tôi nhất trí với báo cáo của chi ủy.
Đồng chí chủ trì kết luận: Chi bộ thống nhất thông qua báo cáo.
"""


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """The messages of the code, extracted now with Babel into a fresh .pot."""
    pot = tmp_path_factory.mktemp("pot") / "minutes_nlp.pot"
    CommandLineInterface().run(
        ["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-o", str(pot), "--no-location", str(ROOT)]
    )
    with open(pot, "rb") as fh:
        return read_po(fh)


def _catalog(language: str):
    with open(LOCALE / language / "LC_MESSAGES" / "minutes_nlp.po", "rb") as fh:
        return read_po(fh, locale=language)


def _strings(message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple) else [message.string]


def test_extraction_finds_the_messages_of_code_and_templates(template):
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in template if m.id}
    # one from a library module, one from the click help, one from each kind of template
    assert "No conclusion by the chair was found." in ids
    assert "Model name or directory." in ids
    assert "Flags for the higher party committee" in ids
    assert "Upload and analyse" in ids
    assert len(ids) > 400


@pytest.mark.parametrize("language", ["vi", "en"])
def test_catalog_has_every_message_translated_and_nothing_stale(template, language):
    catalog = _catalog(language)
    wanted = {m.id for m in template if m.id}
    held = {m.id for m in catalog if m.id}
    assert not wanted - held, f"{language}: messages missing from the catalog: {sorted(wanted - held)[:10]}"
    assert not held - wanted, f"{language}: messages no longer in the code: {sorted(held - wanted)[:10]}"
    for m in catalog:
        if not m.id:
            continue
        assert not m.fuzzy, f"{language}: fuzzy entry {m.id!r}"
        assert all(s.strip() for s in _strings(m)), f"{language}: untranslated {m.id!r}"
    assert not catalog.obsolete
    # Babel's own checks (those of pybabel compile): placeholders compatible with the msgid, plural forms
    assert not [(m.id, errors) for m, errors in catalog.check()]


def test_vietnamese_catalog_is_really_vietnamese():
    translated = [m for m in _catalog("vi") if m.id and isinstance(m.id, str)]
    same = [m.id for m in translated if m.string == m.id and re.search(r"[a-z]{4,}", m.id)]
    # only messages that are names or formulas in both languages may stay as they are
    assert not same, same


def _fields(text: str) -> set[str]:
    brace = {name for _, name, _, _ in string.Formatter().parse(text) if name}
    percent = set(re.findall(r"%\((\w+)\)s", text))
    return brace | percent


@pytest.mark.parametrize("language", ["vi", "en"])
def test_translations_keep_every_placeholder(language):
    for m in _catalog(language):
        if not m.id:
            continue
        ids = [m.id] if isinstance(m.id, str) else list(m.id)
        for s in _strings(m):
            assert _fields(s) == _fields(ids[0]), (language, m.id, s)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_compiled_catalog_matches_the_po_file(language):
    def plain(value):
        return tuple(value) if isinstance(value, (list, tuple)) else value

    po = {plain(m.id): plain(m.string) for m in _catalog(language) if m.id}
    with open(LOCALE / language / "LC_MESSAGES" / "minutes_nlp.mo", "rb") as fh:
        mo = {plain(m.id): plain(m.string) for m in read_mo(fh) if m.id}
    assert mo == po, "run the compile step of docs/i18n.md"


def test_click_messages_are_still_clicks_own():
    import click

    source = "".join(p.read_text(encoding="utf-8") for p in Path(click.__file__).parent.glob("*.py"))
    for message in CLICK_MESSAGES:
        assert f'"{message}"' in source, message


# ---------------------------------------------------------------- choosing the language


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "vi"),
        ({"LANG": "C.UTF-8"}, "vi"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "en_US.UTF-8", "LC_ALL": "vi_VN.UTF-8"}, "vi"),
        ({"LC_MESSAGES": "en_GB.UTF-8", "LANG": "vi_VN"}, "en"),
        ({"MINUTES_NLP_LANG": "en"}, "en"),
        ({"MINUTES_NLP_LANG": "vi", "LANG": "en_US.UTF-8"}, "vi"),
    ],
)
def test_language_comes_from_the_environment(monkeypatch, env, expected):
    for var in ("LANG", "LC_ALL", "LC_MESSAGES", "MINUTES_NLP_LANG"):
        monkeypatch.delenv(var, raising=False)
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    assert i18n.current_language() == expected


def test_set_language_wins_over_the_environment_and_refuses_an_unknown_one(monkeypatch):
    monkeypatch.setenv("MINUTES_NLP_LANG", "vi")
    i18n.set_language("en")
    assert i18n._("Score") == "Score"
    i18n.set_language(None)
    assert i18n._("Score") == "Điểm"
    with pytest.raises(ValueError, match="fr"):
        i18n.set_language("fr")


def test_the_catalogs_are_found_by_plain_gettext():
    vi = gettext.translation("minutes_nlp", LOCALE, languages=["vi"])
    assert vi.gettext("No proposals") == "Không có ý kiến đề xuất"


# ---------------------------------------------------------------- the command line


def run(*args, env=None):
    return CliRunner().invoke(main, [str(a) for a in args], env=env)


def test_cli_help_is_vietnamese_by_default_and_english_on_request():
    vi = run("analyze", "--help")
    assert vi.exit_code == 0
    assert "Cách dùng:" in vi.output and "Tùy chọn:" in vi.output
    assert "Phân tích các tệp biên bản FILES" in vi.output and "Tên hoặc thư mục mô hình." in vi.output
    en = run("--lang", "en", "analyze", "--help")
    assert "Usage:" in en.output and "Analyse minutes FILES" in en.output and "Model name or directory." in en.output
    env = run("analyze", "--help", env={"MINUTES_NLP_LANG": "en"})
    assert "Usage:" in env.output and "Cách dùng" not in env.output


def test_cli_message_follows_the_language(tmp_path):
    missing = tmp_path / "khong-co.txt"
    vi = run("segment", missing)
    assert vi.exit_code == 1 and "khong-co.txt: không tìm thấy tệp (kiểm tra lại đường dẫn)" in vi.stderr
    en = run("--lang", "en", "segment", missing)
    assert "khong-co.txt: file not found (check the path)" in en.stderr
    env = run("segment", missing, env={"MINUTES_NLP_LANG": "en"})
    assert "file not found" in env.stderr
    locale = run("segment", missing, env={"LANG": "en_US.UTF-8"})
    assert "file not found" in locale.stderr


def test_a_bad_option_value_is_reported_in_vietnamese():
    result = run("analyze", "x.txt", "--format", "pdf")
    assert result.exit_code == 2
    assert "Lỗi: Giá trị không hợp lệ cho '--format'" in result.output


def test_lang_refuses_a_language_it_does_not_have():
    result = run("--lang", "fr", "analyze", "--help")
    assert result.exit_code == 2 and "--lang" in result.output


@pytest.fixture()
def minutes_file(tmp_path):
    path = tmp_path / "kp4-2022-10.txt"
    path.write_text(MINUTES, encoding="utf-8")
    return path


def test_report_is_vietnamese_by_default_and_english_on_request(minutes_file):
    vi = run("analyze", minutes_file)
    assert vi.exit_code == 0, vi.output
    assert "Điểm thực chất:" in vi.output and "Cảnh báo:" in vi.output
    assert "[NO_PROPOSALS] Không có ý kiến nào đề xuất phương hướng, giải pháp (2 ý kiến thảo luận)." in vi.output
    en = run("--lang", "en", "analyze", minutes_file)
    assert "Substantive score:" in en.output and "Flags:" in en.output
    assert "[NO_PROPOSALS] No contribution proposes a direction or a solution (2 contributions" in en.output
    env = run("analyze", minutes_file, env={"MINUTES_NLP_LANG": "en"})
    assert "Substantive score:" in env.output


def test_html_report_follows_the_language(minutes_file):
    vi = run("analyze", minutes_file, "--format", "html")
    assert '<html lang="vi">' in vi.output and "Cảnh báo cho cấp ủy cấp trên" in vi.output
    assert '<b title="NO_PROPOSALS">Không có ý kiến đề xuất</b>' in vi.output
    en = run("analyze", minutes_file, "--format", "html", env={"MINUTES_NLP_LANG": "en"})
    assert '<html lang="en">' in en.output and "Flags for the higher party committee" in en.output
    assert '<b title="NO_PROPOSALS">No proposals</b>' in en.output
    assert "Cảnh báo cho cấp ủy" not in en.output


def test_json_keeps_machine_codes_in_both_languages(minutes_file):
    vi = json.loads(run("analyze", minutes_file, "--format", "json").output)
    en = json.loads(run("--lang", "en", "analyze", minutes_file, "--format", "json").output)
    for report in (vi, en):
        assert report["score"]["level"] in ("tot", "kha", "trung_binh", "kem")
        assert [f["code"] for f in report["flags"]][:1] == ["NO_PROPOSALS"]
        discussion = [s for s in report["segments"] if s["kind"] == "discussion"]
        assert [(s["role"], s["primary_label"]) for s in discussion] == [
            ("member", "agreement"),
            ("secretary", "agreement"),
        ]
    assert vi["score"] == en["score"] and vi["metrics"] == en["metrics"]


def test_xlsx_headers_follow_the_language(minutes_file, tmp_path):
    import openpyxl

    vi, en = tmp_path / "vi.xlsx", tmp_path / "en.xlsx"
    assert run("analyze", minutes_file, "--out", vi).exit_code == 0
    assert run("--lang", "en", "analyze", minutes_file, "--out", en).exit_code == 0
    sheets_vi, sheets_en = openpyxl.load_workbook(vi), openpyxl.load_workbook(en)
    assert sheets_vi.sheetnames == ["Cuộc họp", "Ý kiến", "Cảnh báo"]
    assert sheets_en.sheetnames == ["Meetings", "Contributions", "Flags"]
    assert "Điểm thực chất" in [c.value for c in sheets_vi["Cuộc họp"][1]]
    assert "Substantive score" in [c.value for c in sheets_en["Meetings"][1]]
