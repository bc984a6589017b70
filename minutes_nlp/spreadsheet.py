"""Cells a spreadsheet shows as text and never runs: the one guard against formula injection in CSV and XLSX.

A minutes file named ``=2+5+cmd|' calc'!A0.txt``, a cell name or a speaker read from the minutes ends up in
the tables supervisors open in Excel or LibreOffice, which read text starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return as a formula. CSV cells holding such text get a leading apostrophe
(OWASP's advice for CSV injection); XLSX cells are written as strings, with the quote prefix that keeps
them text when edited. Only text is touched: numbers, negative ones too, stay numbers.
"""

from __future__ import annotations

from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value) -> bool:
    """True for text a spreadsheet would read as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_cell(value):
    """value as written to a CSV cell: formula-like text behind an apostrophe, anything else unchanged."""
    return "'" + value if is_formula_like(value) else value


def csv_row(values: Iterable) -> list:
    """A CSV row of values, each through csv_cell."""
    return [csv_cell(v) for v in values]


def guard_sheet(ws) -> None:
    """Make every formula-like text cell of an openpyxl worksheet a plain string (openpyxl stores "=…" as a
    formula); call it once the sheet's values are written."""
    for row in ws.iter_rows():
        for cell in row:
            if is_formula_like(cell.value):
                cell.data_type = "s"
                cell.quotePrefix = True
