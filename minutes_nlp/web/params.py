"""Numbers and texts from requests, checked where they come in, so the database never sees one it cannot hold.

Every id column is a PostgreSQL ``integer``: an id above MAX_ID, or a number SQLite cannot bind (above
2^63), would otherwise reach the database and fail there as a 500. Python's ``str.isdigit`` and ``int``
accept Unicode digits such as "²" and "٣"; request numbers are ASCII digits only. Texts are checked against
their column's length, which PostgreSQL enforces and SQLite does not.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import HTTPException, Path, Query

from minutes_nlp.i18n import N_, _

MAX_ID = 2**31 - 1  # the largest PostgreSQL integer, the type of every id column
MAX_OFFSET = MAX_ID  # no list is longer than the ids that number it
PLAIN_TEXT = r"^[^\x00-\x1f\x7f]*$"  # no control characters (PostgreSQL refuses NUL in text)

PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
QueryId = Annotated[int | None, Query(ge=1, le=MAX_ID, description=N_("Number of a version of the analysis"))]


def ascii_number(text: str) -> int | None:
    """The number written in text with ASCII digits only ("12"), else None ("", "²", "1.5", "-3", "１２")."""
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() else None


def form_id(text: str, field: str) -> int | None:
    """The id in a form or query field: None when empty; 422 with the reason when it is not an id."""
    if not text.strip():
        return None
    number = ascii_number(text)
    if number is None or not 1 <= number <= MAX_ID:
        raise HTTPException(422, _("Invalid value of {key}: {value}").format(key=field, value=repr(text[:50])))
    return number


def column_length(column) -> int:
    """The declared length of a String column (a model attribute such as User.full_name)."""
    return column.property.columns[0].type.length


def length_problem(text: str | None, column, what: str) -> str | None:
    """Why text cannot be stored in column (what names the field for the person who typed it): too long, or
    holding control characters; None when it fits."""
    limit = column_length(column)
    if text is None:
        return None
    if len(text) > limit:
        return _("{what} is too long ({n} characters; at most {limit})").format(what=what, n=len(text), limit=limit)
    if not re.match(PLAIN_TEXT, text):
        return _("{what} holds control characters").format(what=what)
    return None
