"""Read page images with Tesseract's Vietnamese model, keeping each line's confidence.

Scans and phone photos of signed minutes are what secretaries often have. Each page's lighting is evened
out, the page is turned upright (Tesseract's orientation detection, tried only when the upright reading is
poor), straightened (the angle whose rows of ink are sharpest), and read line by line through pytesseract.
What OCR adds to a page and the minutes do not hold (page numbers, the running header of every page) is
dropped, wrapped lines of a paragraph are joined, and the tone marks Tesseract misplaces in frequent words
(chỉ bộ for chi bộ) are set right, so the text reaches the pipeline as a typed file would.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from minutes_nlp.errors import ReadError
from minutes_nlp.i18n import _

LANG = "vie"
DPI = 300  # PDF pages are rendered at this resolution, a scanner's
DEBIAN = "apt-get install tesseract-ocr tesseract-ocr-vie"
IMAGES = (".jpg", ".jpeg", ".png", ".tif", ".tiff")

Progress = Callable[[int, int], None]  # (pages done, pages in all)


@dataclass
class Line:
    """One line as OCR read it: text, confidence 0-1, its box on the page, and the paragraph it belongs to."""

    text: str
    confidence: float
    left: int
    top: int
    right: int
    bottom: int
    paragraph: tuple[int, int]


@lru_cache(maxsize=1)
def _installed() -> str | None:
    """The reason OCR cannot run here, or None; asked once per process."""
    binary = shutil.which("tesseract")
    if binary is None:
        return _("Tesseract OCR is not installed")
    try:
        out = subprocess.run([binary, "--list-langs"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return _("Tesseract OCR does not start")
    if LANG not in out.stdout.split():
        return _("Tesseract's Vietnamese data (vie) is not installed")
    return None


def require(path: Path) -> None:
    """Raise one ReadError naming the Debian packages when Tesseract or its Vietnamese data is missing."""
    reason = _installed()
    if reason:
        raise ReadError(
            path,
            _("needs OCR (a scan or photo): {reason}").format(reason=reason),
            _("install: {cmd}").format(cmd=DEBIAN),
        )


def _tesseract():
    from minutes_nlp.extras import import_for

    return import_for("pytesseract", _("reading scans and photos (OCR)"))


# --- one page -------------------------------------------------------------------------------------


def _flatten(gray):
    """The page with its lighting evened out: divided by the paper's own brightness, estimated without the ink.

    A phone photo is lit from one side; Tesseract's single threshold then cuts through the paper's shading and
    a page with little text (the signatures alone on the last page) reads as blank.
    """
    import numpy as np
    from PIL import Image, ImageFilter

    w, h = gray.size
    small = gray.resize((max(1, w // 8), max(1, h // 8)), Image.Resampling.BILINEAR)
    paper = small.filter(ImageFilter.MaxFilter(5)).filter(ImageFilter.GaussianBlur(8))
    paper = np.asarray(paper.resize((w, h), Image.Resampling.BILINEAR), dtype=np.float32)
    flat = np.asarray(gray, dtype=np.float32) / np.maximum(paper, 1.0) * 255
    return Image.fromarray(np.clip(flat, 0, 255).astype(np.uint8))


def _skew(gray) -> float:
    """The angle (degrees) that makes the text rows of a greyscale page horizontal: their profile is sharpest."""
    import numpy as np
    from PIL import Image

    small = gray.copy()
    small.thumbnail((900, 900))
    levels = np.percentile(np.asarray(small), [1, 50])
    cut = (levels[0] + levels[1]) / 2  # halfway between the darkest ink and the paper: pale or blurred ink counts
    ink = Image.eval(small, lambda v: 255 if v < cut else 0)
    best, best_angle = -1.0, 0.0
    for step in range(-16, 17):  # -4 .. 4 degrees by 0.25
        angle = step / 4
        rows = np.asarray(ink.rotate(angle, resample=Image.Resampling.NEAREST), dtype=np.float32).sum(axis=1)
        sharp = float(np.square(np.diff(rows)).sum())
        if sharp > best:
            best, best_angle = sharp, angle
    return best_angle


def _words(image, pt) -> list[dict]:
    data = pt.image_to_data(image, lang=LANG, config="--psm 3", output_type=pt.Output.DICT)
    keys = ("text", "conf", "left", "top", "width", "height", "block_num", "par_num", "line_num")
    return [dict(zip(keys, values)) for values in zip(*(data[k] for k in keys)) if str(values[0]).strip()]


def _mean_confidence(words: list[dict]) -> float:
    scored = [(float(w["conf"]), len(w["text"])) for w in words if float(w["conf"]) >= 0]
    total = sum(n for _c, n in scored)
    return sum(c * n for c, n in scored) / total / 100 if total else 0.0


def _upright(image, pt):
    """The page turned by the rotation Tesseract's orientation detection reports (0 when it cannot tell)."""
    small = image.copy()
    small.thumbnail((1600, 1600))
    try:
        osd = pt.image_to_osd(small, config="--psm 0", output_type=pt.Output.DICT)
    except pt.TesseractError:  # too little text to decide
        return None
    rotate = int(osd.get("rotate", 0)) % 360
    return image.rotate(-rotate, expand=True) if rotate else None


def read_page(image) -> list[Line]:
    """The lines of one page image, upright and straightened, each with its confidence."""
    from PIL import Image, ImageOps

    pt = _tesseract()
    gray = _flatten(ImageOps.exif_transpose(image).convert("L"))
    angle = _skew(gray)
    if angle:
        gray = gray.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    words = _words(gray, pt)
    if _mean_confidence(words) < 0.6 or len(words) < 10:  # upside down or sideways reads as noise
        turned = _upright(gray, pt)
        if turned is not None:
            again = _words(turned, pt)
            if _mean_confidence(again) > _mean_confidence(words):
                words = again
    lines: dict[tuple[int, int, int], list[dict]] = {}
    for w in words:
        lines.setdefault((w["block_num"], w["par_num"], w["line_num"]), []).append(w)
    out = []
    for (block, par, _n), ws in lines.items():
        out.append(
            Line(
                text=" ".join(str(w["text"]) for w in ws),
                confidence=_mean_confidence(ws),
                left=min(w["left"] for w in ws),
                top=min(w["top"] for w in ws),
                right=max(w["left"] + w["width"] for w in ws),
                bottom=max(w["top"] + w["height"] for w in ws),
                paragraph=(block, par),
            )
        )
    return out


# --- what OCR gets wrong in minutes ------------------------------------------------------------------

_PAGE_NUMBER = re.compile(
    r"^[\s\-–—.]*(?:trang|page|tr\.)?\s*\d{1,3}\s*(?:/\s*\d{1,3}|trên\s*\d{1,3})?[\s\-–—.]*$", re.I
)
# Tesseract's Vietnamese model adds or moves a tone mark on frequent words of minutes. Measured on the test
# split read from scans (benchmarks/ocr.py): "chi" read as "chỉ" was 57 of 141 word errors, "đề" as "để" 7,
# "DUNG" as "DƯNG" 5. The wrong pairs below never occur in the 271 corpus meetings; the right ones thousands
# of times. Ð for Đ (Icelandic Eth) is set right by reading.text.normalize for every format.
_WORD_PAIRS = {
    "chỉ bộ": "chi bộ",
    "chỉ ủy": "chi ủy",
    "chỉ uỷ": "chi uỷ",
    "chỉ hội": "chi hội",
    "chỉ đoàn": "chi đoàn",
    "chỉ trả": "chi trả",
    "để nghị": "đề nghị",
    "để xuất": "đề xuất",
    "nội dưng": "nội dung",
    "đẳng viên": "đảng viên",
    "đẳng ủy": "đảng ủy",
    "đẳng bộ": "đảng bộ",
}
# ... unless the next word makes the first reading a phrase: "chỉ bộ phận" (only the department), "chỉ hội ý".
_PAIR = re.compile(r"(?<!\w)(" + "|".join(_WORD_PAIRS) + r")(?!\w)(?!\s+(?:phận|đội|ý|đủ|tụ)\b)", re.IGNORECASE)


def _same_case(wrong: str, right: str) -> str:
    if wrong.isupper():
        return right.upper()
    return right[0].upper() + right[1:] if wrong[0].isupper() else right


def fix_words(text: str) -> str:
    """Set right the tone marks OCR gets wrong in the words minutes use most (chỉ bộ → chi bộ), keeping case."""
    return _PAIR.sub(lambda m: _same_case(m.group(), _WORD_PAIRS[m.group().lower()]), text)


def _running(pages: list[list[Line]]) -> set[str]:
    """Lines repeated at the top or foot of most pages: a running header or footer, not the minutes."""
    if len(pages) < 2:
        return set()
    seen: Counter[str] = Counter()
    for lines in pages:
        ends = {_key(line.text) for line in lines[:2] + lines[-2:]}
        seen.update(k for k in ends if k)
    return {k for k, n in seen.items() if n >= max(2, (len(pages) + 1) // 2)}


def _key(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.split()).casefold())


def page_text(pages: list[list[Line]]) -> list[list[tuple[str, list[Line]]]]:
    """Each page's paragraphs as (text, the lines it was made of), page furniture dropped.

    Within one paragraph Tesseract found, a line that reaches the right margin was wrapped and is joined to
    the next with a space (a hyphen at such an end is kept: Vietnamese words are not hyphenated); a short
    line ends its paragraph line. Page numbers alone on a line and running headers are dropped.
    """
    running = _running(pages)
    out: list[list[tuple[str, list[Line]]]] = []
    for lines in pages:
        out.append([])
        kept = [
            line
            for k, line in enumerate(lines)
            if not ((k < 2 or k >= len(lines) - 2) and (_PAGE_NUMBER.match(line.text) or _key(line.text) in running))
        ]
        if not kept:
            continue
        margin = max(line.right for line in kept)
        width = margin - min(line.left for line in kept)
        current: list[Line] = []
        for line in kept:
            line.text = fix_words(line.text)
            if current and not (current[-1].paragraph == line.paragraph and current[-1].right >= margin - 0.08 * width):
                out[-1].append((" ".join(x.text for x in current), current))
                current = []
            current.append(line)
        if current:
            out[-1].append((" ".join(x.text for x in current), current))
    return out


# --- documents --------------------------------------------------------------------------------------


def read_images(images: Iterable, total: int, progress: Progress | None = None) -> list[list[Line]]:
    """OCR each image (a page) in order, reporting (done, total) after each one; images may come one at a time."""
    pages = []
    for i, image in enumerate(images, 1):
        pages.append(read_page(image))
        if progress:
            progress(i, total)
    return pages


def open_images(paths: list[Path]) -> tuple[int, Iterator]:
    """How many pages the image files hold (a multi-page TIFF has several) and the pages, opened one at a time.

    Every file is checked before any page is read, so a damaged one is refused at once; pages are decoded only
    when OCR reaches them, so a long document does not sit in memory.
    """
    from PIL import Image, ImageSequence, UnidentifiedImageError

    bad = (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError)

    def refuse(path: Path) -> ReadError:
        return ReadError(path, _("is not a readable image, it may be damaged"), _("take the photo again"))

    total = 0
    for path in paths:
        try:
            with Image.open(path) as img:
                total += getattr(img, "n_frames", 1)
        except bad:
            raise refuse(path) from None

    def frames() -> Iterator:
        for path in paths:
            try:
                with Image.open(path) as img:
                    for frame in ImageSequence.Iterator(img):
                        yield frame.copy()
            except bad:
                raise refuse(path) from None

    return total, frames()


def pdf_pages(path: Path, numbers: list[int]) -> Iterator:
    """The PDF's pages numbered (from 0) as greyscale images at DPI, rendered one at a time."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(path))
    try:
        for number in numbers:
            yield doc[number].render(scale=DPI / 72, grayscale=True).to_pil()
    finally:
        doc.close()
