"""Zip-bomb .docx files for the tests and benchmarks, small on disk and built in well under a second.

A real python-docx package whose ``word/document.xml`` is replaced by a deflate
stream of one paragraph block repeated: each block is compressed once and
closed with a full flush (which resets the compressor's history), so the same
compressed bytes can be repeated as often as wanted and still inflate to the
whole text. ``declared`` lets the central directory lie about the unpacked size.
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib

import docx

_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
)
_TAIL = b"</w:body></w:document>"
_WORDS = "đồng chí nguyễn văn bình đề nghị chi bộ quan tâm việc vệ sinh môi trường khu phố họp tháng".split()


def _paragraphs(size: int, varied: bool) -> bytes:
    """About size bytes of paragraphs; varied ones (shuffled words) compress about 5-10 times, plain ones 1000."""
    rng = random.Random(7)
    out, n = [], 0
    while n < size:
        words = rng.sample(_WORDS, 12) if varied else _WORDS[:12]
        p = f"<w:p><w:r><w:t>Đồng chí {' '.join(words)}.</w:t></w:r></w:p>".encode()
        out.append(p)
        n += len(p)
    return b"".join(out)


def _flushed(data: bytes) -> bytes:
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    return co.compress(data) + co.flush(zlib.Z_FULL_FLUSH)


def bomb_docx(unpacked_mb: float, varied: bool = False, declared: int | None = None) -> bytes:
    """A .docx whose document.xml inflates to about unpacked_mb MB; declared: the size its central directory states."""
    block = _paragraphs(2**20, varied)
    times = max(1, round(unpacked_mb))
    stream = (
        _flushed(_HEAD) + _flushed(block) * times + _flushed(_TAIL) + zlib.compressobj(9, zlib.DEFLATED, -15).flush()
    )
    crc, size = zlib.crc32(_HEAD), len(_HEAD) + len(block) * times + len(_TAIL)
    for _ in range(times):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(_TAIL, crc)
    buf = io.BytesIO()
    docx.Document().save(buf)
    with zipfile.ZipFile(buf) as real:
        others = [(i.filename, real.read(i)) for i in real.infolist() if i.filename != "word/document.xml"]
    members = [(name, zlib.compressobj(9, zlib.DEFLATED, -15), data) for name, data in others]
    entries = [(name, _raw(co, data), zlib.crc32(data), len(data)) for name, co, data in members]
    entries.append(("word/document.xml", stream, crc, size if declared is None else declared))
    return _zip(entries)


def _raw(co, data: bytes) -> bytes:
    return co.compress(data) + co.flush()


def _zip(entries: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip archive of already deflated members (name, deflated bytes, CRC-32, stated size), written by hand."""
    out, central = io.BytesIO(), io.BytesIO()
    for name, data, crc, size in entries:
        raw = name.encode()
        offset = out.tell()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data), size, len(raw), 0))
        out.write(raw + data)
        central.write(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                0,
                8,
                0,
                0x21,
                crc,
                len(data),
                size,
                len(raw),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + raw
        )
    start, cd = out.tell(), central.getvalue()
    out.write(cd)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(cd), start, 0))
    return out.getvalue()
