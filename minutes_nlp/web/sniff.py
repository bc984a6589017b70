"""What an uploaded file really is, by its first bytes, checked against its extension.

| kind | how it is recognised |
|---|---|
| docx | a zip holding word/document.xml |
| zip | any other zip archive (PK\\x03\\x04 or an empty archive) |
| damaged-zip | starts like a zip but cannot be opened (truncated or corrupt .docx or .zip) |
| pdf | %PDF- within the first 1024 bytes |
| doc | the OLE2 compound-file signature D0 CF 11 E0 A1 B1 1A E1 |
| html | <!doctype html, <html, <body or <p… near the start of text |
| txt | text: no NUL byte (UTF-16 with its BOM allowed) |
| exe | MZ (Windows program) or \\x7fELF (Linux program) |

A refusal is an :class:`UploadRefused` with an HTTP status and a Vietnamese
message naming the file; nothing here reads more than it needs.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import PurePosixPath

# Extension -> kinds its content may have. Text and HTML are one family: both are read as text.
ALLOWED = {
    ".docx": {"docx"},
    ".pdf": {"pdf"},
    ".doc": {"doc"},
    ".txt": {"txt", "html"},
    ".html": {"html", "txt"},
    ".htm": {"html", "txt"},
    ".zip": {"zip"},
}
KIND_VI = {
    "docx": "tệp Word .docx",
    "zip": "tệp nén .zip",
    "pdf": "tệp PDF",
    "doc": "tệp Word .doc cũ",
    "html": "trang HTML",
    "txt": "tệp văn bản",
    "exe": "tệp chương trình (.exe)",
    "binary": "dữ liệu nhị phân không rõ loại",
    "damaged-zip": "tệp nén bị hỏng",
}
_HTML = re.compile(rb"<(?:!doctype\s+html|html|head|body|p|div|table)[\s>]", re.IGNORECASE)


class UploadRefused(Exception):
    """An upload the service will not take; ``status`` is the HTTP status, the message is for the user."""

    def __init__(self, name: str, reason: str, status: int = 422):
        self.name, self.reason, self.status = name, reason, status
        super().__init__(f"{name}: {reason}")


def sniff(data: bytes) -> str:
    """The kind of data (module table), 'empty' for no bytes, 'binary' when nothing fits."""
    if not data:
        return "empty"
    head = data[:1024]
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                return "docx" if "word/document.xml" in z.namelist() else "zip"
        except (zipfile.BadZipFile, OSError, ValueError):
            return "damaged-zip"
    if b"%PDF-" in head:
        return "pdf"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "doc"
    if head.startswith((b"MZ", b"\x7fELF")):
        return "exe"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "txt"  # UTF-16 with BOM: NUL bytes are expected
    if b"\x00" in head:
        return "binary"
    return "html" if _HTML.search(head) else "txt"


def check(name: str, data: bytes, max_bytes: int) -> str:
    """The kind of an upload named name, or UploadRefused: empty, too large, unsupported, content not its extension."""
    ext = PurePosixPath(name).suffix.lower()
    if len(data) > max_bytes:
        raise UploadRefused(
            name,
            f"tệp lớn {len(data) / 2**20:.1f} MB, vượt giới hạn {max_bytes / 2**20:.0f} MB; hãy chia nhỏ hoặc nén lại",
            413,
        )
    if ext not in ALLOWED:
        raise UploadRefused(
            name,
            f"không nhận tệp có đuôi {ext or '(không có đuôi)'}; hãy lưu biên bản dưới dạng "
            ".docx, .pdf, .txt, .html, .doc hoặc gửi tệp nén .zip",
            415,
        )
    kind = sniff(data)
    if kind == "empty":
        raise UploadRefused(name, "tệp rỗng (0 byte); hãy kiểm tra đã chọn đúng tệp biên bản", 422)
    if kind == "damaged-zip" and ext in (".docx", ".zip"):
        what = "tệp Word .docx" if ext == ".docx" else "tệp nén .zip"
        raise UploadRefused(
            name, f"{what} bị hỏng (không mở được, có thể tải lên chưa hết); hãy mở và lưu lại rồi tải lên lại", 422
        )
    if ext == ".docx" and kind == "zip":
        raise UploadRefused(
            name,
            "tệp .docx không hợp lệ: là tệp nén nhưng không có nội dung văn bản Word "
            "(word/document.xml); hãy mở bằng Word và lưu lại",
            422,
        )
    if kind not in ALLOWED[ext]:
        raise UploadRefused(
            name,
            f"tệp có đuôi {ext} nhưng nội dung là {KIND_VI.get(kind, kind)}; "
            "không xử lý để đảm bảo an toàn, hãy lưu lại đúng định dạng",
            415,
        )
    return kind
