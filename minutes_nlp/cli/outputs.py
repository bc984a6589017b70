"""Where the commands write: --out is checked before any work, and a failed write is one line, not a traceback.

The rule is the same for every command: the file (or, for html reports of
several minutes, the folder) named by --out is created, the folder it is in
must already exist and be writable.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import click

from minutes_nlp.errors import reason_of
from minutes_nlp.i18n import _


def check_out(out: Path, folder: bool = False) -> None:
    """Refuse an --out that cannot be written: its folder missing or read-only, or a folder where a file goes."""
    parent = out.parent
    if not parent.is_dir():
        raise click.ClickException(
            _("--out {path}: the folder {folder} does not exist; create it first").format(path=out, folder=parent)
        )
    if not os.access(parent, os.W_OK | os.X_OK):
        raise click.ClickException(
            _("--out {path}: cannot write into the folder {folder}").format(path=out, folder=parent)
        )
    if folder and out.exists() and not out.is_dir():
        raise click.ClickException(_("--out {path} is a file; give a folder").format(path=out))
    if not folder and out.is_dir():
        raise click.ClickException(_("--out {path} is a folder; give a file name").format(path=out))


def write_out(path: Path, text: str | None = None, write: Callable[[], object] | None = None) -> None:
    """Write text to path as UTF-8 (or call write); an OS error becomes one line naming the path."""
    try:
        if write is None:
            path.write_text(text or "", encoding="utf-8")
        else:
            write()
    except OSError as exc:
        raise click.ClickException(
            _("cannot write {path} ({reason})").format(path=path, reason=reason_of(exc))
        ) from None
