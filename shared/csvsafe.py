"""CSV that is safe to open in Excel, LibreOffice and Google Sheets.

A cell beginning with `=`, `+`, `-` or `@` (or a tab / carriage return, which some spreadsheets skip
before reading the formula) is run as a formula when the file is opened; a pupil or activity name can be
written to do that. Such cells get a leading apostrophe, which spreadsheets read as "this is text".
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date, datetime

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
# Excel skips leading spaces before it looks for a formula sign, so those are looked through too.
_LEADING_BLANKS = " \t\r\n"
# Excel recognises the BOM and then reads the file as UTF-8 instead of the local code page.
BOM = "\ufeff"


def safe_cell(value: object) -> str:
    """One cell's text: numbers and dates as plain text, anything formula-like defused with an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, datetime | date):
        text = value.isoformat()
    else:
        text = str(value)
    # Checked for numbers too: the API promises that no cell ever starts with a formula sign, and a
    # negative number shown as text is a smaller harm than an exception to that promise.
    if text.startswith(FORMULA_TRIGGERS) or text.lstrip(_LEADING_BLANKS).startswith(FORMULA_TRIGGERS[:4]):
        return "'" + text
    return text


def csv_bytes(header: list[str], rows: Iterable[Iterable[object]]) -> bytes:
    """A whole CSV file: UTF-8 with a BOM, CRLF line ends, every cell (header included) through `safe_cell`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(cell) for cell in header])
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return (BOM + buffer.getvalue()).encode("utf-8")
