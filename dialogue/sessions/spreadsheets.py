"""Sessions as CSV and XLSX: the export, the template to fill in, and reading a file back.

Headers and kinds are accepted as our codes (`title_es`, `plenary`) or as their labels in any of
the three languages ("Título (español)", "Séance plénière"), like the delegate import; reading
shares its decoding, delimiters and header search (delegates/spreadsheets.py).
"""
from __future__ import annotations

import io
import unicodedata
from datetime import date, datetime, time

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..actions import DomainError
from ..delegates import spreadsheets as sheets
from ..i18n import LANGUAGES, pick
from ..imports import header_row
from ..imports import norm as _norm
from ..spreadsheet_safety import safe_writer, unprefixed, xlsx_row
from . import localtime
from .labels import KIND_LABELS
from .models import Event, MeetingSession

FIELDS = ("code", "day", "start", "end", "kind", "room", "title_fr", "title_es", "title_en",
          "purpose_fr", "purpose_es", "purpose_en", "chairs", "speakers")
REQUIRED = ("code", "day", "start", "end")
FIELD_LABELS = {
    "code": _l("Code"), "day": _l("Day"), "start": _l("Start"), "end": _l("End"), "kind": _l("Kind"),
    "room": _l("Room"), "title_fr": _l("Title (French)"), "title_es": _l("Title (Spanish)"),
    "title_en": _l("Title (English)"), "purpose_fr": _l("Description (French)"),
    "purpose_es": _l("Description (Spanish)"), "purpose_en": _l("Description (English)"),
    "chairs": _l("Chairs"), "speakers": _l("Speakers"),
}
MAX_ROWS = 2000
#: Titles of the template's example row: a file that still has that row is refused.
EXAMPLE_TITLE = {"fr": "Séance d'ouverture (exemple)", "es": "Sesión de apertura (ejemplo)", "en": "Opening session (example)"}
#: Between names in the chairs and speakers columns.
NAME_SEPARATOR = ";"


class SessionImportError(DomainError):
    """A file that cannot be read or imported, with a message for the user."""


WIDTHS = {"code": 10, "day": 12, "start": 8, "end": 8, "kind": 20, "room": 18, "chairs": 30, "speakers": 40}


def _aliases() -> tuple[dict[str, str], dict[str, str]]:
    """Header aliases -> field, and kind aliases -> kind code, in every language."""
    headers = {_norm(f): f for f in FIELDS}
    kinds = {_norm(code): code for code in KIND_LABELS}
    for lang in LANGUAGES:
        with force_locale(lang):
            for name in FIELDS:
                headers.setdefault(_norm(str(FIELD_LABELS[name])), name)
            for code, label in KIND_LABELS.items():
                kinds.setdefault(_norm(str(label)), code)
    return headers, kinds


def _text(cell) -> str:
    """A cell as text: dates as YYYY-MM-DD, times as HH:MM, NFC, without our formula apostrophe."""
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        cell = cell.strftime("%Y-%m-%d") if cell.time() == time() else cell.strftime("%Y-%m-%d %H:%M")
    elif isinstance(cell, date):
        cell = cell.isoformat()
    elif isinstance(cell, time):
        cell = cell.strftime("%H:%M")
    elif isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return unicodedata.normalize("NFC", unprefixed(str(cell).strip()))


def read_rows(filename: str, content: bytes) -> list[tuple[int, dict]]:
    """Rows of the file as (row number as a spreadsheet shows it, {field: text}); kinds as codes.

    Raises SessionImportError for a file that cannot be read.
    """
    name = filename.lower()
    headers, kinds = _aliases()
    try:
        if name.endswith(".xlsx"):
            table = sheets._read_xlsx(content)
        elif name.endswith(".csv"):
            table = sheets._read_csv(content, headers, REQUIRED)
        else:
            raise SessionImportError(_("Upload a .csv or .xlsx file."), "file")
    except sheets.DelegationError as error:
        raise SessionImportError(error.message, "file") from None
    if not table:
        raise SessionImportError(_("The file is empty."), "file")
    start = header_row(table, headers, REQUIRED)
    if start is None:
        raise SessionImportError(_("The file lacks the columns %(columns)s: start from the template.",
                                   columns=", ".join(str(FIELD_LABELS[f]) for f in REQUIRED)), "file")
    columns = [headers.get(_norm(h)) for h in table[start]]
    rows = []
    for number, raw in enumerate(table[start + 1:], start=start + 2):
        if not any(_text(c) for c in raw):
            continue
        data = {}
        for field, cell in zip(columns, raw, strict=False):
            if field is not None:
                value = _text(cell)
                data[field] = kinds.get(_norm(value), value) if field == "kind" and value else value
        rows.append((number, data))
        if len(rows) > MAX_ROWS:
            raise SessionImportError(_("The file has more than %(max)d rows.", max=MAX_ROWS), "file")
    return rows


# --- writing ----------------------------------------------------------------------------------

def session_row(event: Event, s: MeetingSession, lang: str) -> list[str]:
    """A session as a row of the export, times on the wall clock of the event's zone."""
    starts = localtime.to_local(s.starts_at, event.timezone)
    ends = localtime.to_local(s.ends_at, event.timezone)
    with force_locale(lang):
        kind = str(KIND_LABELS.get(s.kind, s.kind))
    room = pick(s.room.name, lang, event.original_language).text if s.room else ""
    names = {role: NAME_SEPARATOR.join(p.name for p in s.people if p.role == role) for role in ("chair", "speaker")}
    return [s.code, starts.date().isoformat(), starts.strftime("%H:%M"), ends.strftime("%H:%M"), kind, room,
            *(s.title.get(code, "") for code in LANGUAGES), *(s.purpose.get(code, "") for code in LANGUAGES),
            names["chair"], names["speaker"]]


def headers(lang: str) -> list[str]:
    with force_locale(lang):
        return [str(FIELD_LABELS[f]) for f in FIELDS]


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def write(fmt: str, lang: str, rows: list[list], *, kinds: bool = False, rooms: list[str] | None = None) -> tuple[bytes, str]:
    """A CSV (Excel's delimiter for `lang`, UTF-8 with BOM) or XLSX file of the header and `rows`;
    in XLSX, drop-down lists of the kinds and rooms when asked (the template)."""
    header = headers(lang)
    if fmt == "csv":
        out = io.StringIO()
        safe_writer(out, delimiter=sheets.csv_delimiter(lang)).writerows([header, *rows])
        return ("\ufeff" + out.getvalue()).encode(), "text/csv"
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation
    book = Workbook()
    sheet = book.active
    sheet.title = "sessions"
    sheet.append(xlsx_row(sheet, header))
    for row in rows:
        sheet.append(xlsx_row(sheet, row))
    sheet.freeze_panes = "A2"
    for index, name in enumerate(FIELDS, start=1):
        letter = get_column_letter(index)
        sheet[f"{letter}1"].font = Font(bold=True)
        sheet.column_dimensions[letter].width = WIDTHS.get(name, 24)
    lists = {}
    if kinds:
        with force_locale(lang):
            lists["kind"] = [str(label) for label in KIND_LABELS.values()]
    if rooms:
        lists["room"] = rooms
    for name, choices in lists.items():
        formula = '"' + ",".join(c.replace('"', "'").replace(",", " ") for c in choices) + '"'
        if len(formula) > 255:  # Excel's limit for a list written in the rule
            continue
        letter = get_column_letter(FIELDS.index(name) + 1)
        check = DataValidation(type="list", formula1=formula, allow_blank=True, errorStyle="warning",
                               showErrorMessage=True)
        check.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
        sheet.add_data_validation(check)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), XLSX


def template(fmt: str, lang: str, event: Event, rooms: list[str]) -> tuple[bytes, str]:
    """An empty file to fill in: the headers in `lang` and one example row."""
    with force_locale(lang):
        kind = str(KIND_LABELS["plenary"])
    example = ["PL1", event.starts_on.isoformat(), "09:30", "11:00", kind, rooms[0] if rooms else "",
               *(EXAMPLE_TITLE[code] for code in LANGUAGES), "", "", "", "", ""]
    return write(fmt, lang, [example], kinds=True, rooms=rooms)


def export(fmt: str, lang: str, event: Event, sessions: list[MeetingSession], rooms: list[str]) -> tuple[bytes, str]:
    """The event's sessions, one a row, in a file the import reads back."""
    return write(fmt, lang, [session_row(event, s, lang) for s in sessions], kinds=True, rooms=rooms)
