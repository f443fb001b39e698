"""Cells that a spreadsheet would run as formulas, made harmless in every CSV and XLSX we write.

A name typed as ``=HYPERLINK("http://evil", "Click")`` or a function starting with ``+`` or ``@``
is data to us but a formula to Excel or LibreOffice when an organiser opens the file (OWASP "CSV
injection"). Every writer goes through this module:

- CSV: ``safe_row(values)`` (or ``safe_writer(out, delimiter)``, a ``csv.writer`` that does it)
  prefixes with an apostrophe each text cell that starts, after any leading spaces, with ``=``,
  ``+``, ``-``, ``@`` (or their full-width forms), a tab or a carriage return. The apostrophe stays
  visible, so a phone number reads ``'+41 22 917 12 34``: readable, and never computed.
  Numbers, dates and None pass unchanged (a negative number is data, not a formula).
- XLSX: ``xlsx_row(sheet, values)`` returns cells for ``sheet.append()`` (normal or write-only
  workbooks) in which text is always a string cell (openpyxl data type ``s``), never a formula,
  so nothing needs a prefix; characters XLSX cannot hold are dropped.
- Reading back: ``unprefixed(text)`` removes the apostrophe ``safe_cell`` added, so that a file we
  wrote, or the same file saved again by Excel, imports as the text that was typed.
"""
from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

#: Characters that make a spreadsheet read a cell as a formula (or a DDE command) when it starts
#: with them: OWASP's list, plus the full-width forms some input methods type.
TRIGGERS = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")
#: Control characters that start a formula in some programs when they lead the cell.
LEADING_CONTROLS = ("\t", "\r", "\n")
PREFIX = "'"


def is_risky(text: str) -> bool:
    """Whether a spreadsheet could run this text as a formula."""
    return text.startswith(LEADING_CONTROLS) or text.lstrip().startswith(TRIGGERS)


def safe_cell(value: Any) -> Any:
    """The value to write in a CSV cell: risky text gets a leading apostrophe; others unchanged."""
    if isinstance(value, str) and is_risky(value):
        return PREFIX + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """`safe_cell` of every value of a row, for ``csv.writer.writerow``."""
    return [safe_cell(v) for v in values]


class _SafeWriter:
    """A csv.writer whose rows go through `safe_row`."""

    def __init__(self, out, **kwargs):
        self._writer = csv.writer(out, **kwargs)

    def writerow(self, row: Iterable[Any]):
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self._writer.writerow(safe_row(row))


def safe_writer(out, delimiter: str = ",", **kwargs) -> _SafeWriter:
    """``csv.writer(out, delimiter=...)`` (Excel dialect, standard quoting) that neutralises formulas."""
    return _SafeWriter(out, delimiter=delimiter, **kwargs)


def unprefixed(text: str) -> str:
    """Text read from a file, without the apostrophe `safe_cell` put before a risky value."""
    if text.startswith(PREFIX) and is_risky(text[1:]):
        return text[1:]
    return text


def xlsx_row(sheet, values: Iterable[Any]) -> list:
    """Cells for ``sheet.append()`` in which text is never a formula (openpyxl data type ``s``)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    cells = []
    for value in values:
        if isinstance(value, str):
            cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
            cell.data_type = "s"
        else:
            cell = WriteOnlyCell(sheet, value=value)
        cells.append(cell)
    return cells
