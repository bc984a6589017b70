"""Turn a minutes file (.txt, .docx, .doc, .pdf, .html) into one normalised Document.

This is the only place bytes become text: encodings, legacy fonts and
mojibake are settled here, so every later stage sees Unicode NFC and every
offset indexes ``Document.text``. Expected failures raise ReadError (or its
subclasses) naming the file, the reason and the fix; never a traceback.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import ftfy

from minutes_nlp.errors import NeedsOCR, ReadError, UnsupportedFormat
from minutes_nlp.i18n import _
from minutes_nlp.reading import ocr as ocr_lib
from minutes_nlp.reading.badness import is_bad
from minutes_nlp.reading.legacy import detect_legacy, font_encoding, is_capitals_font, legacy_scores, to_unicode
from minutes_nlp.reading.ocr import IMAGES, Line, Progress
from minutes_nlp.reading.packages import PackageTooLarge, check_package
from minutes_nlp.reading.tables import SEPARATOR, RawRow, name_columns
from minutes_nlp.reading.text import normalize, unwrap
from minutes_nlp.types import Document, OcrLine, Source, TableCell, TableRow

ZIP_LIMIT = 500 * 2**20  # unpacked bytes of a zip of page images

SUPPORTED = (".txt", ".docx", ".doc", ".pdf", ".html", ".htm")  # one file, one minutes (folders and zips list these)
SCANS = (*IMAGES, ".zip")  # page images, alone or in a .zip (or a folder): one document read by OCR


def read(path: str | os.PathLike, ocr: str = "auto", progress: Progress | None = None) -> Document:
    """Return the Document read from path, its text normalised and hard wraps rejoined.

    ocr says when pages are read by OCR: "auto" where a PDF page has no text layer (and always for images,
    a folder or a zip of images), "always" for every PDF page too, "never" to refuse scans. progress, when
    given, is called with (pages done, pages in all) after each page OCR reads.
    """
    p = Path(path)
    pages = _image_files(p) if p.is_dir() else []
    if pages:
        return _read_scanned(p, pages, ocr, progress)
    _check_file(p)
    ext = p.suffix.lower()
    if ext in IMAGES:
        return _read_scanned(p, [p], ocr, progress)
    if ext == ".zip":
        return _read_image_zip(p, ocr, progress)
    if ext not in SUPPORTED:
        raise UnsupportedFormat(
            p,
            _("unsupported file type {ext}").format(ext=repr(ext) if ext else _("(no extension)")),
            _("supported: {types}; save the minutes as .docx or .txt").format(types=", ".join(SUPPORTED + SCANS)),
        )
    try:
        parts, source = _read_pdf(p, ocr, progress) if ext == ".pdf" else _READERS[ext](p)
    except PermissionError:
        raise ReadError(p, _("permission denied"), _("check the file's permissions")) from None
    except OSError as exc:
        raise ReadError(p, _("cannot be read ({reason})").format(reason=exc.strerror or exc)) from None
    return _document(p, parts, source)


def _document(p: Path, parts: list, source: Source) -> Document:
    """The Document of a reader's parts; a part that OCR read is (text, its lines) and leaves its confidences."""
    source.path = str(p)
    text, rows = _assemble([part[0] if isinstance(part, tuple) else part for part in parts], source)
    if not text.strip() and source.ocr_pages:
        raise ReadError(
            p, _("OCR found no text on the scanned pages (blank or unreadable)"), _("scan the paper minutes again")
        )
    if not text.strip():
        raise ReadError(p, _("contains no text (the file is empty)"), _("check that this is the right file"))
    ocr_lines = _locate([part[1] for part in parts if isinstance(part, tuple)], text)
    if ocr_lines:
        total = sum(line.end - line.start for line in ocr_lines)
        source.ocr_confidence = sum(line.confidence * (line.end - line.start) for line in ocr_lines) / max(total, 1)
    return Document(text=text, source=source, tables=rows, ocr_lines=ocr_lines)


def _locate(paragraphs: list[list[Line]], text: str) -> list[OcrLine]:
    """Where each OCR line ended up in the normalised text, with its confidence: found in order, as written."""
    out, at = [], 0
    for lines in paragraphs:
        for line in lines:
            piece = " ".join(_normalized(_drop_controls(line.text)).split())
            where = text.find(piece, at) if piece else -1
            if where >= 0:
                out.append(OcrLine(where, where + len(piece), round(line.confidence, 3)))
                at = where + len(piece)
    return out


def _image_files(folder: Path) -> list[Path]:
    """The images of a folder that holds nothing else but images, in name order: the pages of one document."""
    files = sorted((f for f in folder.iterdir() if not f.name.startswith(".")), key=lambda f: f.name)
    return files if files and all(f.is_file() and f.suffix.lower() in IMAGES for f in files) else []


def _read_scanned(p: Path, files: list[Path], ocr: str, progress: Progress | None) -> Document:
    """One document from page images (files in name order, each possibly several TIFF frames)."""
    if ocr == "never":
        raise NeedsOCR(p, _("is a scan or photo and --ocr never was given"), _("use --ocr auto"))
    ocr_lib.require(p)
    total, images = ocr_lib.open_images(files)
    pages = ocr_lib.page_text(ocr_lib.read_images(images, total, progress))
    return _document(p, [part for page in pages for part in page], Source(format="image", pages=total, ocr_pages=total))


def _read_image_zip(p: Path, ocr: str, progress: Progress | None) -> Document:
    """A zip of page photos or scans, read as one document in the order of the members' names."""
    import zipfile

    with tempfile.TemporaryDirectory(prefix="minutes-nlp-ocr-") as tmp:
        try:
            files = _unzip_images(p, Path(tmp))
        except zipfile.BadZipFile:
            raise ReadError(
                p, _("is not a valid .zip archive, it may be damaged"), _("make the archive again")
            ) from None
        return _read_scanned(p, files, ocr, progress)


def _unzip_images(p: Path, tmp: Path) -> list[Path]:
    """The zip's page images written into tmp, named so that their order is the members' name order."""
    import zipfile

    with zipfile.ZipFile(p) as z:
        members = sorted((m for m in z.infolist() if not m.is_dir()), key=lambda m: m.filename)
        if not members or any(Path(m.filename).suffix.lower() not in IMAGES for m in members):
            raise ReadError(
                p,
                _("a .zip is read as the page images of one document, and this one holds other files"),
                _("put only .jpg, .png or .tif pages in it, or unpack it and give the minutes files"),
            )
        if sum(m.file_size for m in members) > ZIP_LIMIT:
            raise ReadError(p, _("the images in the zip are too large when unpacked"), _("send fewer pages"))
        files = []
        for k, m in enumerate(members):
            target = tmp / f"{k:04d}{Path(m.filename).suffix.lower()}"
            target.write_bytes(z.read(m))
            files.append(target)
    return files


def read_lines(path: str | os.PathLike, data: bytes | None = None) -> list[str]:
    """The non-empty lines of a plain-text file, decoded and normalised as read() does, wrapped lines left apart.

    For input with one item a line (``minutes-nlp classify``); data, when
    given, is the file's bytes (standard input) and path only names it.
    """
    p = Path(path)
    if data is None:
        _check_file(p)
        try:
            data = p.read_bytes()
        except PermissionError:
            raise ReadError(p, _("permission denied"), _("check the file's permissions")) from None
        except OSError as exc:
            raise ReadError(p, _("cannot be read ({reason})").format(reason=exc.strerror or exc)) from None
    text, source = text_of_bytes(data, p)
    text, _rows = _assemble([text], source)
    return [line.strip() for line in text.splitlines() if line.strip()]


def _check_file(p: Path) -> None:
    if not p.exists():
        raise ReadError(p, _("file not found"), _("check the path"))
    if p.is_dir():
        raise ReadError(
            p,
            _("is a folder, not a file"),
            _("pass one minutes file, or use 'minutes-nlp flag' or 'survey' for a folder"),
        )


def _assemble(parts: list[str | RawRow], source: Source) -> tuple[str, list[TableRow]]:
    """Return the document text and its table rows, every offset into that text.

    The repairs are chosen on the whole text (a table is part of the evidence of
    mojibake or a legacy font) and then applied piece by piece: a run of
    paragraphs is tidied and unwrapped on its own, and each table row becomes one
    line of normalised cells joined by " | ", so no row is ever joined to its neighbours.
    """
    whole = "\n".join(part if isinstance(part, str) else SEPARATOR.join(c for _, c in part.cells) for part in parts)
    steps = _repairs(whole, source)

    def clean(piece: str) -> str:
        for step in steps:
            piece = step(piece)
        return _normalized(_drop_controls(piece))

    pieces: list[str] = []
    rows: list[TableRow] = []
    pos = 0
    for part in _grouped(parts):
        if isinstance(part, str):
            line = unwrap(_tidy(clean(part)))
            cells = []
        else:
            texts = [(col, " ".join(clean(cell).split())) for col, cell in part.cells]
            texts = [(col, cell) for col, cell in texts if cell]
            line, cells, at = SEPARATOR.join(cell for _, cell in texts), [], pos
            for col, cell in texts:
                cells.append(TableCell(at, at + len(cell), col))
                at += len(cell) + len(SEPARATOR)
        if not line:
            continue
        if cells:
            rows.append(TableRow(pos, pos + len(line), part.table, cells))
        pieces.append(line)
        pos += len(line) + 1
    text = "\n".join(pieces)
    name_columns(rows, text)
    return text, rows


def _grouped(parts: list[str | RawRow]) -> list[str | RawRow]:
    """Join each run of consecutive text parts into one, so hard wraps and blank lines are seen whole."""
    out: list[str | RawRow] = []
    for part in parts:
        if isinstance(part, str) and out and isinstance(out[-1], str):
            out[-1] += "\n" + part
        else:
            out.append(part)
    return out


def _normalized(text: str) -> str:
    """Return normalize(text), repeated until stable.

    A stray combining mark after a moved tone ("eù" + U+0303 in a damaged
    cp1258 file) leaves one pass of normalize() un-composed; the second pass
    settles it, so Document.text is always a fixed point of normalize().
    """
    for _attempt in range(3):
        again = normalize(text)
        if again == text:
            break
        text = again
    return text


_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # category Cc but tab, line feed, return
_C0 = re.compile("[\x00-\x08\x0b\x0e-\x1f]")  # C0 controls but tab, line feed, return, form feed


def _drop_controls(text: str) -> str:
    """Remove control characters (NUL and the like from damaged files); before normalize, which sees words."""
    return _CONTROLS.sub("", text)


def _tidy(text: str) -> str:
    """Collapse runs of blank lines and trim the ends: layout noise, not content."""
    text = re.sub(r"\n[ \t]*\n(?:[ \t]*\n)+", "\n\n", text)
    return text.strip("\n")


def _repairs(text: str, source: Source) -> list[Callable[[str], str]]:
    """Return the repairs text needs (mojibake, legacy font), in order, recording them on source.

    They are decided on the whole text and returned as functions so that read()
    can apply them to each paragraph run and table cell alike.
    """
    steps: list[Callable[[str], str]] = []
    if source.legacy_font is None and "\ufffd" in text:  # "Ä�áº¢NG": bytes lost, beyond ftfy
        from minutes_nlp.reading.mojibake import has_lossy, repair_lossy  # loads the syllable table

        fixed = repair_lossy(text) if has_lossy(text) else text
        if fixed != text:
            text, source.repaired_mojibake = fixed, True
            steps.append(repair_lossy)
    if source.legacy_font is None and is_bad(text):
        fixed = ftfy.fix_encoding(text)
        if fixed != text and legacy_scores(fixed)["unicode"] >= legacy_scores(text)["unicode"]:
            text, source.repaired_mojibake = fixed, True
            steps.append(ftfy.fix_encoding)
    if source.legacy_font is None:
        enc = detect_legacy(text)
        if enc:
            source.legacy_font = enc
            steps.append(lambda piece: to_unicode(piece, enc))
    return steps


# --- plain text --------------------------------------------------------------

_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Return (text, encoding) for the bytes of a text file.

    The rule, in order: a BOM decides (UTF-8, UTF-16); valid UTF-8 is UTF-8
    (a Windows-1258 Vietnamese file is practically never valid UTF-8); UTF-16
    without BOM shows as NUL bytes in every other position; otherwise the bytes
    are 8-bit: TCVN3 or VNI when their Latin-1 reading converts to Vietnamese
    words, else Windows-1258 (combining tone marks, composed later by NFC).
    """
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return data.decode(enc, errors="replace"), "utf-16" if enc == "utf-16" else "utf-8"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if len(data) >= 4 and len(data) % 2 == 0:
        even, odd = data[0::2], data[1::2]
        if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.1 * len(even):
            return data.decode("utf-16-le", errors="replace"), "utf-16-le"
        if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.1 * len(odd):
            return data.decode("utf-16-be", errors="replace"), "utf-16-be"
    surface = data.decode("latin-1")  # legacy fonts store their glyphs on these code points
    legacy = detect_legacy(surface)
    if legacy:
        return surface, legacy
    return data.decode("cp1258", errors="replace"), "cp1258"


def _read_txt(path: Path) -> tuple[list[str | RawRow], Source]:
    text, source = text_of_bytes(path.read_bytes(), path)
    return [text], source


def text_of_bytes(data: bytes, path: Path) -> tuple[str, Source]:
    """The text and source of the bytes of a plain-text file named path; binary content is refused."""
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ReadError(path, _("is a Word .doc file, not plain text"), _("rename it to .doc"))
    if data.startswith(b"PK\x03\x04"):
        raise ReadError(path, _("is a zip package (probably a Word .docx), not plain text"), _("rename it to .docx"))
    text, encoding = decode_bytes(data)
    # C0 controls mark binary data; C1 ones (U+0080-U+009F) also come from garbled UTF-8, repaired later
    controls = len(_C0.findall(text))
    if controls > max(2, 0.05 * len(text)):
        raise ReadError(
            path,
            _("does not look like a text file (binary content)"),
            _("open it in Word and save it as .docx or .txt (UTF-8)"),
        )
    source = Source(format="txt", encoding=encoding)
    if encoding in ("tcvn3", "vni"):
        text, source.legacy_font = to_unicode(text, encoding), encoding
    return text, source


# --- Word .docx ----------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_CONTAINERS = {
    f"{_W}{t}" for t in ("hyperlink", "ins", "smartTag", "fldSimple", "sdt", "sdtContent", "customXml", "moveTo")
}
_ROMAN = (
    (1000, "m"),
    (900, "cm"),
    (500, "d"),
    (400, "cd"),
    (100, "c"),
    (90, "xc"),
    (50, "l"),
    (40, "xl"),
    (10, "x"),
    (9, "ix"),
    (5, "v"),
    (4, "iv"),
    (1, "i"),
)


def _attr(el, name: str) -> str | None:
    return None if el is None else el.get(f"{_W}{name}")


def _int(value: str | None, default: int) -> int:
    """Parse a numbering attribute; a damaged numbering part must not stop the reading."""
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _roman(n: int) -> str:
    out = ""
    for value, letters in _ROMAN:
        while n >= value:
            out, n = out + letters, n - value
    return out


def _format_number(n: int, fmt: str) -> str:
    if fmt in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (n - 1) % 26)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman"):
        return _roman(n).upper() if fmt == "upperRoman" else _roman(n)
    return str(n)


class _Docx:
    """What reading one .docx needs besides the body: style fonts, style numbering, list definitions."""

    def __init__(self, document):
        self.fonts: Counter[str] = Counter()
        self.styles: dict[str, tuple[str | None, str | None, tuple | None]] = {}  # id -> (font, basedOn, numPr)
        self.default_style, self.default_font = None, None
        styles = document.styles.element
        for st in styles.iter(f"{_W}style"):
            sid = _attr(st, "styleId")
            fonts = st.find(f"{_W}rPr/{_W}rFonts")
            num = st.find(f"{_W}pPr/{_W}numPr")
            numpr = None
            if num is not None:
                numpr = (_attr(num.find(f"{_W}numId"), "val"), _attr(num.find(f"{_W}ilvl"), "val"))
            based = st.find(f"{_W}basedOn")
            self.styles[sid] = (_attr(fonts, "ascii") or _attr(fonts, "hAnsi"), _attr(based, "val"), numpr)
            if _attr(st, "type") == "paragraph" and _attr(st, "default") in ("1", "true"):
                self.default_style = sid
        fonts = styles.find(f"{_W}docDefaults/{_W}rPrDefault/{_W}rPr/{_W}rFonts")
        self.default_font = _attr(fonts, "ascii") or _attr(fonts, "hAnsi")
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}  # numId -> ilvl -> (fmt, text, start)
        self.counters: dict[str, dict[int, int]] = {}
        self.tables = 0
        try:
            numbering = document.part.numbering_part.element
        except (KeyError, NotImplementedError):
            numbering = None
        if numbering is not None:
            abstract = {}
            for an in numbering.iter(f"{_W}abstractNum"):
                abstract[_attr(an, "abstractNumId")] = {
                    _int(_attr(lvl, "ilvl"), 0): (
                        _attr(lvl.find(f"{_W}numFmt"), "val") or "decimal",
                        _attr(lvl.find(f"{_W}lvlText"), "val") or "",
                        _int(_attr(lvl.find(f"{_W}start"), "val"), 1),
                    )
                    for lvl in an.iter(f"{_W}lvl")
                }
            for num in numbering.iter(f"{_W}num"):
                levels = dict(abstract.get(_attr(num.find(f"{_W}abstractNumId"), "val"), {}))
                for ov in num.iter(f"{_W}lvlOverride"):
                    start = _attr(ov.find(f"{_W}startOverride"), "val")
                    ilvl = _int(_attr(ov, "ilvl"), 0)
                    if start and ilvl in levels:
                        levels[ilvl] = (levels[ilvl][0], levels[ilvl][1], _int(start, 1))
                self.levels[_attr(num, "numId")] = levels

    def _style_chain(self, sid: str | None):
        seen = set()
        while sid and sid in self.styles and sid not in seen:
            seen.add(sid)
            yield self.styles[sid]
            sid = self.styles[sid][1]

    def font(self, run, pstyle: str | None) -> str | None:
        """Return the run's font: its own, else its character style's, the paragraph style's, the default."""
        rpr = run.find(f"{_W}rPr")
        fonts = None if rpr is None else rpr.find(f"{_W}rFonts")
        own = _attr(fonts, "ascii") or _attr(fonts, "hAnsi")
        if own:
            return own
        rstyle = None if rpr is None else _attr(rpr.find(f"{_W}rStyle"), "val")
        for sid in (rstyle, pstyle or self.default_style):
            for font, _parent, _numbering in self._style_chain(sid):
                if font:
                    return font
        return self.default_font

    def label(self, p, pstyle: str | None) -> str:
        """Return the list label a numbered paragraph shows ("1.", "a)", "-"), or ""."""
        num = p.find(f"{_W}pPr/{_W}numPr")
        num_id = _attr(None if num is None else num.find(f"{_W}numId"), "val")
        ilvl = _attr(None if num is None else num.find(f"{_W}ilvl"), "val")
        for _font, _parent, numpr in self._style_chain(pstyle):
            if numpr:
                num_id, ilvl = num_id or numpr[0], ilvl or numpr[1]
                break
        if not num_id or num_id == "0":
            return ""
        level = min(max(_int(ilvl, 0), 0), 8)
        levels = self.levels.get(num_id, {})
        fmt, text, start = levels.get(level, ("decimal", f"%{level + 1}.", 1))
        if fmt == "bullet":
            return "-"
        if fmt == "none":
            return ""
        counters = self.counters.setdefault(num_id, {})
        counters[level] = counters.get(level, start - 1) + 1
        for deeper in [k for k in counters if k > level]:
            del counters[deeper]

        def number(m: re.Match) -> str:
            k = int(m.group(1)) - 1
            k_fmt, _, k_start = levels.get(k, ("decimal", "", 1))
            return _format_number(counters.get(k, k_start), k_fmt)

        return re.sub(r"%([1-9])", number, text) or f"{counters[level]}."

    def paragraph(self, p) -> str:
        pstyle = _attr(p.find(f"{_W}pPr/{_W}pStyle"), "val")
        parts: list[str] = []
        self._runs(p, pstyle, parts)
        text = "".join(parts)
        label = self.label(p, pstyle)
        return f"{label} {text.lstrip()}" if label and text.strip() else text

    def _runs(self, el, pstyle: str | None, parts: list[str]) -> None:
        for child in el:
            if child.tag == f"{_W}r":
                parts.append(self._run(child, pstyle))
            elif child.tag in _CONTAINERS:
                self._runs(child, pstyle, parts)

    def _run(self, run, pstyle: str | None) -> str:
        out = []
        for child in run:
            tag = child.tag
            if tag == f"{_W}t":
                out.append(child.text or "")
            elif tag in (f"{_W}tab", f"{_W}ptab"):
                out.append("\t")
            elif tag in (f"{_W}br", f"{_W}cr"):
                out.append("\n")
            elif tag == f"{_W}noBreakHyphen":
                out.append("-")
        text = "".join(out)
        font = self.font(run, pstyle)
        enc = font_encoding(font)
        if enc and text.strip():
            self.fonts[enc] += len(text)
            text = to_unicode(text, enc)
            if is_capitals_font(font):
                text = text.upper()
        return text

    def table(self, tbl) -> list[str | RawRow]:
        """Return the table's rows; a cell merged across columns or down rows is read once.

        A one-column table is a frame around text (some templates box the whole
        minutes): its paragraphs are read as lines, not squeezed into one row.
        """
        trs = list(tbl.iterchildren(f"{_W}tr"))
        if all(len(tr.findall(f"{_W}tc")) <= 1 for tr in trs):
            return [part for tr in trs for tc in tr.iterchildren(f"{_W}tc") for part in self.body(tc)]
        index, self.tables = self.tables, self.tables + 1
        rows: list[str | RawRow] = []
        for tr in trs:
            col = _int(_attr(tr.find(f"{_W}trPr/{_W}gridBefore"), "val"), 0)
            cells = []
            for tc in tr.iterchildren(f"{_W}tc"):
                merged = tc.find(f"{_W}tcPr/{_W}vMerge")
                if merged is None or _attr(merged, "val") == "restart":
                    cells.append((col, " ".join(self.paragraph(p).strip() for p in tc.iter(f"{_W}p"))))
                col += max(_int(_attr(tc.find(f"{_W}tcPr/{_W}gridSpan"), "val"), 1), 1)
            rows.append(RawRow(index, cells))
        return rows

    def body(self, el) -> list[str | RawRow]:
        """Return the body's paragraphs (as lines) and table rows, in document order."""
        parts: list[str | RawRow] = []
        for child in el:
            if child.tag == f"{_W}p":
                parts.append(self.paragraph(child))
            elif child.tag == f"{_W}tbl":
                parts.extend(self.table(child))
            elif child.tag in (f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml"):
                parts.extend(self.body(child))
        return parts


def _read_docx(path: Path, fmt: str = "docx") -> tuple[list[str | RawRow], Source]:
    import docx  # python-docx; imported here so plain-text reading does not pay for lxml

    damaged = ReadError(
        path, _("is not a valid Word .docx file, it may be damaged"), _("open it in Word and save it again as .docx")
    )
    try:
        with zipfile.ZipFile(path) as package:
            check_package(package, str(path))  # a zip bomb is refused here, before anything is inflated
        document = docx.Document(str(path))
    except PackageTooLarge:
        raise
    except Exception:  # python-docx raises many types for a damaged package
        raise damaged from None
    reader = _Docx(document)
    parts = reader.body(document.element.body)
    source = Source(format=fmt)
    if reader.fonts:
        source.legacy_font = reader.fonts.most_common(1)[0][0]
    return parts, source


# --- PDF --------------------------------------------------------------------------


def _inside(obj: dict, box: tuple[float, float, float, float]) -> bool:
    x, y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def _pdf_page(page, tables: int) -> tuple[list[str | RawRow], int]:
    """Return the page's text and ruled-table rows in reading order, and how many tables it has.

    pdfplumber finds tables by their ruling lines. The text outside them is cut at
    each table's top, so what is above a table comes before its rows and the table's
    own characters are not written twice. A lone framed box (one column) is text.
    ``tables`` is the number the page's first table gets.
    """
    found = [t for t in page.find_tables() if max((len(r.cells) for r in t.rows), default=0) >= 2]
    found.sort(key=lambda t: t.bbox[1])
    boxes = [t.bbox for t in found]
    parts: list[str | RawRow] = []
    top = float("-inf")
    for k, table in enumerate([*found, None]):
        bottom = table.bbox[1] if table is not None else float("inf")

        def keep(obj: dict, top: float = top, bottom: float = bottom) -> bool:
            if obj.get("object_type") != "char":
                return True
            middle = (obj["top"] + obj["bottom"]) / 2
            return top <= middle < bottom and not any(_inside(obj, box) for box in boxes)

        text = page.filter(keep).extract_text() or ""
        if text.strip():
            parts.append(text)
        if table is not None:
            for row in table.extract():
                parts.append(RawRow(tables + k, [(i, cell) for i, cell in enumerate(row) if cell is not None]))
            top = bottom
    return parts, len(found)


def _read_pdf(path: Path, ocr: str = "auto", progress: Progress | None = None) -> tuple[list, Source]:
    """The PDF's text and table rows; pages without a text layer (every page with ocr="always") read by OCR."""
    import pdfplumber

    parts: list = []
    scanned = []  # (index in parts where the page goes, page number)
    try:
        with pdfplumber.open(path) as pdf:
            pages, tables = len(pdf.pages), 0
            for number, page in enumerate(pdf.pages):
                found, count = ([], 0) if ocr == "always" else _pdf_page(page, tables)
                if ocr != "never" and not any(isinstance(f, RawRow) or f.strip() for f in found):
                    scanned.append((len(parts), number))
                    continue
                parts, tables = parts + found, tables + count
    except Exception as exc:  # pdfminer wraps everything in PdfminerException
        cause = exc.args[0] if exc.args else exc
        if type(cause).__name__ in ("PDFPasswordIncorrect", "PDFEncryptionError"):
            raise ReadError(
                path, _("is password-protected"), _("open it with the password and save an unprotected copy")
            ) from None
        raise ReadError(
            path,
            _("is not a readable PDF, it may be damaged"),
            _("open it in a PDF reader and save or print it to a new PDF"),
        ) from None
    if scanned:
        ocr_lib.require(path)
        images = ocr_lib.pdf_pages(path, [number for _at, number in scanned])
        pages_read = ocr_lib.read_images(images, len(scanned), progress)
        for (at, _number), page in reversed(list(zip(scanned, ocr_lib.page_text(pages_read)))):
            parts[at:at] = page
        return parts, Source(format="pdf", pages=pages, ocr_pages=len(scanned))
    if not any(part.strip() if isinstance(part, str) else any(c.strip() for _, c in part.cells) for part in parts):
        raise NeedsOCR(
            path,
            _("the PDF has no text layer (a scan)"),
            _("read it with OCR (--ocr auto), or use the .docx original"),
        )
    return parts, Source(format="pdf", pages=pages)


# --- HTML ---------------------------------------------------------------------------

_BLOCKS = {
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "dd",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "tr",
    "ul",
    "caption",
}
_HIDDEN = {"script", "style", "noscript", "template", "head", "iframe", "svg", "object"}


def html_to_text(markup: bytes | str) -> tuple[str, str | None]:
    """Return (visible text, detected encoding): block elements on their own lines, cells tab-separated."""
    from bs4 import BeautifulSoup, Comment, NavigableString

    soup = BeautifulSoup(markup, "html.parser")
    parts: list[str] = []

    def walk(node) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                if not isinstance(child, Comment) and type(child) is NavigableString:
                    parts.append(str(child) if child.find_parent("pre") else re.sub(r"\s+", " ", str(child)))
                continue
            name = child.name
            if name in _HIDDEN:
                continue
            if name == "br":
                parts.append("\n")
            elif name in ("td", "th"):
                parts.append("\t")
            block = name in _BLOCKS
            if block:
                parts.append("\n")
            walk(child)
            if block:
                parts.append("\n")

    walk(soup)
    lines = [re.sub(r"^[ \t]+|[ \t]+$", "", line) for line in "".join(parts).split("\n")]
    return "\n".join(line for line in lines if line), soup.original_encoding


def _read_html(path: Path) -> tuple[list[str | RawRow], Source]:
    text, encoding = html_to_text(path.read_bytes())
    return [text], Source(format="html", encoding=encoding)


# --- Word 97-2003 .doc -------------------------------------------------------------


def _read_doc(path: Path) -> tuple[list[str | RawRow], Source]:
    head = path.read_bytes()[:2048]
    if head.startswith(b"PK\x03\x04"):  # a .docx saved with the old extension
        return _read_docx(path, fmt="doc")
    if b"<html" in head.lower():  # "Save as Web page" files often keep .doc
        text, encoding = html_to_text(path.read_bytes())
        return [text], Source(format="doc", encoding=encoding)
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if not office:
        raise ReadError(
            path,
            _("LibreOffice is needed to read .doc files and was not found"),
            _("install LibreOffice (soffice on PATH), or open the file in Word and save it as .docx"),
        )
    with tempfile.TemporaryDirectory() as tmp:
        profile = Path(tmp, "profile").as_uri()  # own profile: works while another LibreOffice runs
        cmd = [
            office,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "docx",
            "--outdir",
            tmp,
            str(path),
        ]
        try:
            subprocess.run(cmd, capture_output=True, timeout=180, check=False)
        except (subprocess.TimeoutExpired, OSError):
            raise ReadError(
                path,
                _("LibreOffice failed to convert the .doc (it took too long or could not start)"),
                _("open it in Word and save it as .docx"),
            ) from None
        converted = Path(tmp, path.stem + ".docx")
        if not converted.exists():
            raise ReadError(
                path,
                _("LibreOffice could not convert the .doc (damaged or not a Word file)"),
                _("open it in Word and save it as .docx"),
            )
        try:
            return _read_docx(converted, fmt="doc")
        except ReadError as exc:  # name the user's file, not the temporary copy
            raise ReadError(path, exc.reason, exc.fix) from None


_READERS = {
    ".txt": _read_txt,
    ".docx": _read_docx,
    ".pdf": _read_pdf,
    ".doc": _read_doc,
    ".html": _read_html,
    ".htm": _read_html,
}
