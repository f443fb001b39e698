"""What the file importers (delegates, sessions) share: row errors, the all-or-nothing refusal, the header search.

An import reads every row, collects a `RowError` for each problem (its row as a spreadsheet shows
it, 0 for the whole file; its column; a translated message) and, when there is one, refuses the
whole file with a `RowsRejected` error listing them; templates show them with the
`import_errors` macro of `_import_errors.html`.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext as _

#: How many rows from the top may come before the row of column headers.
HEADER_SEARCH = 10


@dataclass
class RowError:
    """A problem of the file: its row (0: the whole file), column (a field name) and message."""

    row: int
    field: str
    message: str


class RowsRejected:
    """Mixed into a domain error: nothing was imported; `errors` names each row's problems."""

    def __init__(self, errors: list[RowError]):
        super().__init__(_("Nothing was imported: correct the rows below and upload the file again."), "file")
        self.errors = errors


def file_error(message: str) -> RowError:
    """A problem of the whole file (no sessions, a closed window, a quota), listed as row 0."""
    return RowError(0, "file", message)


def duplicate(errors: list[RowError], seen: dict[str, int], value: str, number: int, field: str, message) -> None:
    """Note a value that must be unique in the file: an error naming the row it first came on."""
    if value in seen:
        errors.append(RowError(number, field, message(seen[value])))
    seen.setdefault(value, number)


def norm(text) -> str:
    """A header or value as compared: NFC, case and runs of spaces do not count."""
    return " ".join(unicodedata.normalize("NFC", str(text or "")).casefold().split())


def header_row(table: list[list], headers: dict[str, str], required: Iterable[str]) -> int | None:
    """Index of the row of column headers among the first rows: the one naming every required column."""
    wanted = set(required)
    for index, raw in enumerate(table[:HEADER_SEARCH]):
        if wanted <= {headers.get(norm(h)) for h in raw}:
            return index
    return None
