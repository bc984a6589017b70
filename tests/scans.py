"""Make scans and phone photos of minutes from their text, for the OCR tests and benchmarks/ocr.py.

The text is typeset to PDF (fpdf2, DejaVu Serif, a page number at the foot of every page), each page
rasterised (pypdfium2, which pdfplumber brings), and either kept as a clean scan or degraded as a phone
photo: tilted, slightly blurred, unevenly lit, saved as JPEG of low quality. Images go back into an
image-only PDF (no text layer) or stay as image files.
"""

from __future__ import annotations

import io
import random
import tempfile
from pathlib import Path

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
FONT_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf")


def text_pdf(text: str, path: Path) -> Path:
    """Typeset text on A4 pages with a page number at the foot, as a word processor prints minutes."""
    from fpdf import FPDF

    class Minutes(FPDF):
        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("serif", size=10)
            self.cell(0, 8, f"Trang {self.page_no()}/{{nb}}", align="C")

    pdf = Minutes(format="A4")
    pdf.add_font("serif", "", str(FONT))
    pdf.set_margins(25, 20, 20)
    pdf.set_auto_page_break(True, margin=22)
    pdf.add_page()
    pdf.set_font("serif", size=12)
    for line in text.split("\n"):
        pdf.multi_cell(0, 6.2, line if line.strip() else " ", new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def rasterise(pdf_path: Path, dpi: int) -> list:
    """The pages of a PDF as greyscale PIL images at dpi."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf_path))
    try:
        return [page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L") for page in doc]
    finally:
        doc.close()


def photo(image, seed: int, dpi_in: int = 300, dpi_out: int = 200):
    """A phone photo of a printed page: smaller, tilted 2-3 degrees, blurred, lit from one side, JPEG 55."""
    import numpy as np
    from PIL import Image, ImageFilter

    rnd = random.Random(seed)
    w, h = image.size
    img = image.resize((w * dpi_out // dpi_in, h * dpi_out // dpi_in), Image.Resampling.LANCZOS)
    angle = rnd.choice((-1, 1)) * rnd.uniform(2.0, 3.0)
    img = img.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=235)
    img = img.filter(ImageFilter.GaussianBlur(radius=rnd.uniform(0.6, 0.9)))
    a = np.asarray(img, dtype=np.float32)
    yy, xx = np.mgrid[0 : a.shape[0], 0 : a.shape[1]]
    gx, gy = rnd.uniform(-1, 1), rnd.uniform(-1, 1)
    ramp = (xx / a.shape[1] - 0.5) * gx + (yy / a.shape[0] - 0.5) * gy  # light falls off across the page
    light = 0.86 + 0.14 * (ramp - ramp.min()) / max(float(np.ptp(ramp)), 1e-6)
    a = np.clip(a * light - 8 * (1 - light), 0, 255).astype(np.uint8)
    img = Image.fromarray(a).convert("RGB")
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=55)
    return Image.open(io.BytesIO(buf.getvalue()))


def image_pdf(images: list, path: Path, dpi: int) -> Path:
    """Write images as the pages of a PDF without a text layer."""
    images[0].save(path, "PDF", save_all=True, append_images=images[1:], resolution=dpi)
    return path


def scanned_pdf(text: str, folder: Path, name: str = "scan", dpi: int = 300) -> Path:
    """An image-only PDF of text, as a flatbed scanner makes it."""
    pages = rasterise(text_pdf(text, folder / f"{name}-text.pdf"), dpi)
    return image_pdf(pages, folder / f"{name}.pdf", dpi)


def photos(text: str, folder: Path, name: str = "photo", seed: int = 7) -> list[Path]:
    """One JPEG phone photo per page of text, named so that name order is page order (nothing else in folder)."""
    with tempfile.TemporaryDirectory() as tmp:
        pages = rasterise(text_pdf(text, Path(tmp) / "typed.pdf"), 300)
    out = []
    for i, page in enumerate(pages, 1):
        path = folder / f"{name}-{i:02d}.jpg"
        photo(page, seed + i).save(path, "JPEG", quality=95)
        out.append(path)
    return out
