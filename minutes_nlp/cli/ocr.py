"""The --ocr option of the commands that read files, and the bar over the pages OCR reads."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from minutes_nlp.cli.language import option
from minutes_nlp.i18n import N_, _


class PageBar:
    """A progress bar on stderr over the pages OCR reads in one file; shown only when OCR runs, on a terminal."""

    def __init__(self, path: Path):
        self.path, self.bar = path, None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            if not sys.stderr.isatty():
                return
            label = _("OCR {name}").format(name=self.path.name)
            self.bar = click.progressbar(length=total, label=label, file=sys.stderr, show_pos=True)
            self.bar.__enter__()
        self.bar.update(done - self.bar.pos)

    def __enter__(self) -> PageBar:
        return self

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)


OCR_OPTION = option(
    "--ocr",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help=N_(
        "Read scans and photos (.jpg, .png, .tif, a folder or .zip of page images, PDF pages without text) with "
        "OCR (Tesseract, Vietnamese): auto only where a page has no text, always for every PDF page, never to "
        "refuse them."
    ),
)
