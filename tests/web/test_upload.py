"""Uploads: many files and zips, duplicates, storage, and every kind of bad input answered with a 4xx, never a 500."""

from __future__ import annotations

import hashlib
import io
import shutil
import zipfile

import pytest
from sqlalchemy import func, select

from minutes_nlp.web.db import Analysis, Document

from .conftest import seed, sign_in
from .minutes import docx_bytes, minutes_text


@pytest.fixture()
def fresh(make_app):
    return seed(make_app(), meetings=False)


@pytest.fixture()
def small(make_app):
    return seed(make_app(max_upload_mb=0.05), meetings=False)


def post(w, who, files, **form):
    return w.client.post(
        "/api/meetings",
        headers=w.api(who),
        data=form,
        files=[("files", (name, data, "application/octet-stream")) for name, data in files],
    )


def counts(w):
    with w.app.state.sessions() as s:
        return s.scalar(select(func.count(Document.id))), s.scalar(select(func.count(Analysis.id)))


def a_minutes(month=6, variant=0):
    return minutes_text("A", "Chi bộ Khu phố 1", month, True, variant=variant)


def corrupt_docx() -> bytes:
    """A real .docx whose document.xml is cut in half."""
    good = docx_bytes(a_minutes())
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info, data[: len(data) // 2] if info.filename == "word/document.xml" else data)
    return out.getvalue()


def zipped(members: dict) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return out.getvalue()


def _png(width: int, height: int) -> bytes:
    """A blank greyscale PNG of that size: small on disk, large in pixels."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("1", (width, height), 1).save(out, "PNG")
    return out.getvalue()


BAD = [
    ("corrupt-docx", "hong.docx", corrupt_docx, 422, "bị hỏng"),
    ("truncated-docx", "cut.docx", lambda: docx_bytes(a_minutes())[:900], 422, "bị hỏng"),
    ("zip-named-docx", "goi.docx", lambda: zipped({"a.txt": "x"}), 422, "word/document.xml"),
    ("empty", "rong.txt", lambda: b"", 422, "tệp rỗng"),
    ("exe-as-pdf", "bao-cao.pdf", lambda: b"MZ\x90\x00\x03\x00\x00\x00" + bytes(200), 415, "chương trình"),
    ("elf-as-docx", "bao-cao.docx", lambda: b"\x7fELF\x02\x01\x01" + bytes(100), 415, "chương trình"),
    ("pdf-as-docx", "x.docx", lambda: b"%PDF-1.4\n%...", 415, "tệp PDF"),
    ("unsupported-ext", "bang.xlsx", lambda: b"PK\x03\x04", 415, "không nhận tệp có đuôi .xlsx"),
    ("no-ext", "bienban", lambda: b"hello", 415, "không có đuôi"),
    ("binary-as-txt", "x.txt", lambda: b"\x00\x01\x02\x03" * 50, 415, "nhị phân"),
    ("broken-pdf", "x.pdf", lambda: b"%PDF-1.7\n1 0 obj garbage", 422, "PDF"),
    ("not-minutes", "thu.txt", lambda: "Kính gửi ban quản lý, xin cảm ơn.".encode(), 422, "không tìm thấy ý kiến"),
    ("traversal-zip", "thang6.zip", lambda: zipped({"../../etc/x.txt": a_minutes()}), 422, "vượt ra ngoài"),
    ("bomb-zip", "bom.zip", lambda: zipped({"a.txt": "a" * 3_000_000}), 422, "bom nén"),
    ("empty-zip", "rong.zip", lambda: zipped({"anh.gif": b"GIF89a"}), 422, "không chứa biên bản"),
    ("jpeg-as-pdf", "scan.pdf", lambda: b"\xff\xd8\xff\xe0" + bytes(100), 415, "ảnh JPEG"),
    ("broken-photo", "trang1.jpg", lambda: b"\xff\xd8\xff\xe0" + bytes(100), 422, "không mở được"),
    ("huge-photo", "trang1.png", lambda: _png(10000, 7000), 413, "60 megapixel"),
    ("too-many-pages", "anh.zip", lambda: zipped({f"{i:02d}.png": _png(10, 10) for i in range(41)}), 413, "41 trang"),
    ("damaged-zip", "hong.zip", lambda: b"PK\x03\x04" + bytes(50), 422, "bị hỏng"),
]


@pytest.mark.parametrize("case, name, make, status, words", BAD, ids=[b[0] for b in BAD])
def test_bad_file_is_a_clear_4xx_and_stores_nothing(world, case, name, make, status, words):
    before = counts(world)
    r = post(world, "sec_a", [(name, make())])
    assert r.status_code == status, r.text
    detail = r.json()["detail"]
    assert isinstance(detail, str) and name in detail and words in detail
    assert counts(world) == before


@pytest.mark.parametrize("case, name, make, status, words", BAD[:5], ids=[b[0] for b in BAD[:5]])
def test_bad_file_on_the_page_is_a_vietnamese_message(world, case, name, make, status, words):
    client, token = sign_in(world.app, "sec_a")
    r = client.post(
        "/upload", data={"csrf_token": token}, files=[("files", (name, make(), "application/octet-stream"))]
    )
    assert 400 <= r.status_code < 500
    assert "Không nhận" in r.text and words in r.text


def test_too_large_file_is_413(small):
    r = post(small, "sec_a", [("lon.txt", a_minutes().encode() * 40)])
    assert r.status_code == 413 and "vượt giới hạn" in r.json()["detail"]


def test_request_larger_than_the_limit_is_refused_before_reading(small):
    r = post(small, "sec_a", [(f"f{i}.txt", b"x" * 60_000) for i in range(6)])
    assert r.status_code == 413


def test_too_many_files_is_413(make_app):
    w = seed(make_app(max_files=2), meetings=False)
    r = post(w, "sec_a", [(f"f{i}.txt", a_minutes(variant=i).encode()) for i in range(3)])
    assert r.status_code == 413


def test_many_files_one_bad_keeps_the_good_ones(fresh):
    r = post(
        fresh,
        "sec_a",
        [
            ("a.docx", docx_bytes(a_minutes(variant=1))),
            ("b.txt", a_minutes(variant=2).encode()),
            ("hong.docx", corrupt_docx()),
        ],
    )
    assert r.status_code == 201
    body = r.json()
    assert (body["created"], body["refused"]) == (2, 1)
    assert [x["status"] for x in body["results"]] == ["created", "created", "refused"]


def test_zip_upload_gives_one_meeting_per_member_and_keeps_the_archive(fresh):
    archive = zipped(
        {
            "thang6/a.docx": docx_bytes(a_minutes(variant=3)),
            "thang6/b.txt": a_minutes(variant=4),
            "__MACOSX/._a.docx": b"junk",
            "ghi-chu.png": b"\x89PNG",
        }
    )
    r = post(fresh, "sec_a", [("thang6.zip", archive)])
    assert r.status_code == 201
    results = r.json()["results"]
    assert [x["name"] for x in results] == ["thang6.zip/thang6/a.docx", "thang6.zip/thang6/b.txt"]
    info = fresh.client.get(f"/api/meetings/{results[0]['meeting_id']}", headers=fresh.api("sec_a")).json()
    assert info["archive_sha256"] == hashlib.sha256(archive).hexdigest()
    assert fresh.app.state.storage.get(info["archive_sha256"]) == archive


def test_duplicate_in_same_cell_is_reported_not_stored(fresh):
    data = docx_bytes(a_minutes(variant=5))
    first = post(fresh, "sec_a", [("a.docx", data)])
    before = counts(fresh)
    again = post(fresh, "sec_a", [("ban-sao.docx", data)])
    assert again.status_code == 200
    result = again.json()["results"][0]
    assert result["status"] == "duplicate" and result["meeting_id"] == first.json()["results"][0]["meeting_id"]
    assert "đã được tải lên" in result["detail"]
    assert counts(fresh) == before


def test_same_file_in_another_cell_is_not_a_duplicate(fresh):
    data = docx_bytes(a_minutes(variant=6))
    post(fresh, "sec_a", [("a.docx", data)])
    r = post(fresh, "admin", [("a.docx", data)], unit_id=str(fresh.units["B"]))
    assert r.status_code == 201 and r.json()["results"][0]["status"] == "created"


def test_duplicate_inside_one_request_is_recognised(fresh):
    data = a_minutes(variant=7).encode()
    r = post(fresh, "sec_a", [("a.txt", data), ("b.txt", data)])
    assert [x["status"] for x in r.json()["results"]] == ["created", "duplicate"]


def test_original_is_stored_with_name_uploader_time_and_hash(fresh):
    data = docx_bytes(a_minutes(variant=8))
    mid = post(fresh, "sec_a", [("Biên bản tháng 6.docx", data)]).json()["results"][0]["meeting_id"]
    with fresh.app.state.sessions() as s:
        doc = s.get(Document, mid)
        assert (doc.original_name, doc.uploader.username, doc.size) == ("Biên bản tháng 6.docx", "sec_a", len(data))
        assert doc.sha256 == hashlib.sha256(data).hexdigest() and doc.uploaded_at is not None
    assert fresh.app.state.storage.path(doc.sha256).read_bytes() == data
    r = fresh.client.get(f"/api/meetings/{mid}/original", headers=fresh.api("sec_a"))
    assert r.content == data and "filename*=UTF-8''Bi%C3%AAn" in r.headers["content-disposition"]


def test_upload_name_with_folders_keeps_only_the_file_name(fresh):
    r = post(fresh, "sec_a", [("../../x/bien-ban.txt", a_minutes(variant=9).encode())])
    assert r.json()["results"][0]["name"] == "bien-ban.txt"


@pytest.mark.parametrize(
    "who, form, status",
    [
        ("sup_ab", {}, 403),
        ("res", {}, 403),
        ("admin", {}, 422),
        ("sec_a", {"unit_id": "B"}, 403),
        ("admin", {"unit_id": "ab"}, 422),
    ],
)
def test_who_may_upload_where(fresh, who, form, status):
    form = {k: str(fresh.units[v]) for k, v in form.items()}
    r = post(fresh, who, [("a.txt", a_minutes(variant=10).encode())], **form)
    assert r.status_code == status


def test_secretary_naming_own_cell_may_upload(fresh):
    r = post(fresh, "sec_a", [("a.txt", a_minutes(variant=11).encode())], unit_id=str(fresh.units["A"]))
    assert r.status_code == 201


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="Tesseract is installed by .ci/run")
def test_a_photo_of_the_minutes_is_read_by_ocr_and_the_page_says_so(fresh, tmp_path):
    from tests.scans import photo, rasterise, text_pdf

    text = (
        "CHI BỘ KHU PHỐ 1\nBIÊN BẢN SINH HOẠT CHI BỘ THÁNG 6 NĂM 2025\n"
        "Chủ trì: đồng chí Hà Văn Quế - Bí thư chi bộ. Thư ký: đồng chí Lò Thị Xuyến.\n"
        "- Đồng chí Cù Văn Tiến: Đề nghị chi bộ sửa đường ống nước ở hẻm 8 trước mùa mưa.\n"
        "- Đồng chí Ninh Thị Hảo: Tôi thống nhất với báo cáo của chi ủy."
    )
    page = rasterise(text_pdf(text, tmp_path / "typed.pdf"), 300)[0]
    image = photo(page.crop((0, 0, page.width, page.height // 3)), seed=3)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    r = post(fresh, "sec_a", [("anh-bien-ban.jpg", out.getvalue())])
    result = r.json()["results"][0]
    assert result["status"] == "created", result
    report = fresh.client.get(f"/api/meetings/{result['meeting_id']}/report", headers=fresh.api("sec_a")).json()
    assert [s["speaker"] for s in report["segments"] if s["kind"] == "discussion"] == ["Cù Văn Tiến", "Ninh Thị Hảo"]
    assert report["ocr"]["pages"] == 1
    client, _token = sign_in(fresh.app, "sec_a")
    page_html = client.get(f"/meetings/{result['meeting_id']}").text
    assert "Đọc bằng OCR từ ảnh quét hoặc ảnh chụp: 1 trang" in page_html
