"""Optional extras of the install: code that needs one says which, in one line, instead of an ImportError trace.

The base install analyses minutes; spaCy, matplotlib and the web stack are extras
(pyproject.toml). Each entry names the modules that must import for the extra to work.
"""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec

from minutes_nlp.errors import MinutesError
from minutes_nlp.i18n import _

EXTRAS = {
    "spacy": ("spacy",),
    "plots": ("matplotlib",),
    "ocr": ("pytesseract",),
    "web": ("fastapi", "uvicorn", "sqlalchemy", "alembic", "multipart", "argon2", "itsdangerous"),
    "batch": ("dask", "distributed", "pyarrow", "tqdm"),
}


class MissingExtra(MinutesError, ImportError):
    """An optional extra is not installed; the message names the pip command that installs it."""


def missing(extra: str) -> list[str]:
    """The modules of extra that do not import here."""
    return [name for name in EXTRAS[extra] if find_spec(name) is None]


def _error(purpose: str, modules: list[str], extra: str) -> MissingExtra:
    return MissingExtra(
        purpose,
        _("needs {modules}, which comes with the optional extra '{extra}'").format(
            modules=", ".join(modules), extra=extra
        ),
        f'pip install "minutes-nlp[{extra}]"',
    )


def require(extra: str, purpose: str) -> None:
    """Raise MissingExtra naming purpose and the install command unless every module of extra imports."""
    absent = missing(extra)
    if absent:
        raise _error(purpose, absent, extra)


def explain(exc: ModuleNotFoundError, purpose: str) -> MissingExtra | None:
    """The MissingExtra an import failure means when the module belongs to an extra, else None."""
    top = (exc.name or "").partition(".")[0]
    extra = next((name for name, modules in EXTRAS.items() if top in modules), None)
    return _error(purpose, [top], extra) if extra else None


def import_for(module: str, purpose: str):
    """import_module(module), a missing extra's module turned into MissingExtra naming the extra."""
    try:
        return import_module(module)
    except ModuleNotFoundError as exc:
        missing = explain(exc, purpose)
        if missing is None:
            raise
        raise missing from None
