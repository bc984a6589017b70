"""Tables in minutes: rows written as lines, columns named from the header row.

Some secretaries keep the discussion as a table (TT | Người phát biểu | Chức vụ |
Nội dung ý kiến). Readers hand over each row as its non-merged cells with their
grid column; ``read()`` writes a row as one line with the cells joined by
``SEPARATOR``, and :func:`name_columns` records which column holds the number,
the speaker, the role and the remark, so the segmenter can use the table's
structure instead of guessing it from the flattened line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from minutes_nlp.types import TableRow

SEPARATOR = " | "


@dataclass
class RawRow:
    """A table row as a reader found it, before the text is repaired and normalised."""

    table: int
    cells: list[tuple[int, str]]  # (grid column, cell text); a merged cell appears once


# Header words, looked for in this order: "Người có ý kiến" is the speaker, not the remark.
_COLUMNS = (
    ("number", re.compile(r"(?:s[ốo]\s*)?(?:s?tt|thứ tự)|no\.?|#|số", re.IGNORECASE)),
    (
        "speaker",
        re.compile(
            r"\bngười (?:phát biểu|góp ý|tham gia|nêu|có ý kiến|trình bày|tham luận)|\bhọ (?:và )?tên|^tên\b|"
            r"^(?:đồng chí|đ/c|đảng viên|đại biểu)$|^tên đồng chí",
            re.IGNORECASE,
        ),
    ),
    ("role", re.compile(r"\bchức (?:vụ|danh)|^đơn vị|\bvai trò|^nhiệm vụ$", re.IGNORECASE)),
    ("remark", re.compile(r"\bnội dung|\bý kiến|\btóm tắt|\bgóp ý|\btham luận|\bphát biểu", re.IGNORECASE)),
)
_LONGEST_HEADER = 40  # characters; a longer cell is content, not a column name
_BETWEEN_PAGES = 40  # at most this much text (a page number) between a table and its continuation


def column_role(name: str) -> str | None:
    """Return which column a header cell names ("number", "speaker", "role", "remark"), or None."""
    name = " ".join(name.strip(" .:*").split())
    if not name or len(name) > _LONGEST_HEADER:
        return None
    for role, rx in _COLUMNS:
        if rx.fullmatch(name) if role == "number" else rx.search(name):
            return role
    return None


def _columns(row: TableRow) -> frozenset[int]:
    return frozenset(cell.index for cell in row.cells)


def name_columns(rows: list[TableRow], text: str) -> None:
    """Mark each table's header row and give every cell its column's header and role.

    A first row is a header when at least two of its cells name a column. A table
    without one that follows a table of the same columns with only a page number
    or nothing in between (a table continued on the next PDF page) takes that
    table's header.
    """
    names: dict[int, dict[int, str]] = {}  # table -> grid column -> header text
    first_row: dict[int, TableRow] = {}
    last_row: dict[int, TableRow] = {}
    for row in rows:
        first_row.setdefault(row.table, row)
        last_row[row.table] = row
    previous: int | None = None
    for table, head in first_row.items():
        cells = {c.index: text[c.start : c.end] for c in head.cells}
        if sum(column_role(name) is not None for name in cells.values()) >= 2:
            head.is_header = True
            names[table] = cells
        elif (
            previous in names
            and _columns(head) <= frozenset(names[previous])
            and len(text[last_row[previous].end : head.start].strip()) <= _BETWEEN_PAGES
        ):
            names[table] = names[previous]
        previous = table
    for row in rows:
        for cell in row.cells:
            cell.header = names.get(row.table, {}).get(cell.index)
            cell.column = column_role(cell.header) if cell.header else None
