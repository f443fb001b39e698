"""Reading delegates from CSV and XLSX files, and the template to fill in.

Column headers and the values of choice columns are accepted as our codes (`given_name`,
`head`) or as their labels in any of the three languages ("Nom de famille", "Jefe de
delegación"), so a file filled in from the French template imports in the Spanish interface.
"""
from __future__ import annotations

import csv
import io
import unicodedata

from flask_babel import force_locale, gettext as _

from ..i18n import LANGUAGES
from ..sessions.forms import GENDER_LABELS
from .forms import ATTENDANCE_LABELS, FIELD_LABELS, ROLE_LABELS, SALUTATION_LABELS
from .services import FIELDS, DelegationError

CHOICES = {"salutation": SALUTATION_LABELS, "gender": GENDER_LABELS, "role": ROLE_LABELS, "attendance": ATTENDANCE_LABELS}
MAX_ROWS = 2000


def _norm(text) -> str:
    return " ".join(unicodedata.normalize("NFC", str(text or "")).casefold().split())


def _aliases() -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """Header aliases -> field, and per choice field value aliases -> code, in every language."""
    headers = {_norm(f): f for f in FIELDS}
    values: dict[str, dict[str, str]] = {name: {_norm(code): code for code in labels} for name, labels in CHOICES.items()}
    for lang in LANGUAGES:
        with force_locale(lang):
            for name in FIELDS:
                headers.setdefault(_norm(str(FIELD_LABELS[name])), name)
            for name, labels in CHOICES.items():
                for code, label in labels.items():
                    values[name].setdefault(_norm(str(label)), code)
    return headers, values


def read_rows(filename: str, content: bytes) -> list[tuple[int, dict]]:
    """Rows of the file as (row number as a spreadsheet shows it, {field: value})."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        table = _read_xlsx(content)
    elif name.endswith(".csv"):
        table = _read_csv(content)
    else:
        raise DelegationError(_("Upload a .csv or .xlsx file."), "file")
    if not table:
        raise DelegationError(_("The file is empty."), "file")
    headers, values = _aliases()
    columns = [headers.get(_norm(h)) for h in table[0]]
    missing = [f for f in ("given_name", "family_name", "email") if f not in columns]
    if missing:
        raise DelegationError(_("The file lacks the columns %(columns)s: start from the template.",
                                columns=", ".join(str(FIELD_LABELS[f]) for f in missing)), "file")
    rows = []
    for number, raw in enumerate(table[1:], start=2):
        if not any(str(c or "").strip() for c in raw):
            continue
        data = {}
        for field, cell in zip(columns, raw):
            if field is None:
                continue
            value = "" if cell is None else str(cell).strip()
            if field in CHOICES and value:
                value = values[field].get(_norm(value), value)
            data[field] = value
        rows.append((number, data))
        if len(rows) > MAX_ROWS:
            raise DelegationError(_("The file has more than %(max)d rows.", max=MAX_ROWS), "file")
    return rows


def _read_csv(content: bytes) -> list[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DelegationError(_("Save the CSV file as UTF-8 (Excel: \"CSV UTF-8\")."), "file")
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [row for row in csv.reader(io.StringIO(text), dialect)]


def _read_xlsx(content: bytes) -> list[list]:
    from zipfile import BadZipFile

    from openpyxl import load_workbook
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (BadZipFile, KeyError, ValueError, OSError):
        raise DelegationError(_("This is not a readable Excel (.xlsx) file."), "file")
    sheet = book.worksheets[0]
    table = [list(row) for row in sheet.iter_rows(values_only=True)]
    book.close()
    return table


def template(fmt: str, lang: str, session_codes: list[str]) -> tuple[bytes, str]:
    """An empty file to fill in, with the headers and one example row in `lang`."""
    with force_locale(lang):
        header = [str(FIELD_LABELS[f]) for f in FIELDS]
        example = ["" if f not in CHOICES else str(CHOICES[f][{"salutation": "ms", "gender": "female", "role": "head",
                                                                "attendance": "in_person"}[f]]) for f in FIELDS]
    example[FIELDS.index("given_name")] = "María José"
    example[FIELDS.index("family_name")] = "Núñez Ibáñez"
    example[FIELDS.index("function")] = "Directora"
    example[FIELDS.index("email")] = "maria.nunez@example.org"
    example[FIELDS.index("sessions")] = " ".join(session_codes)
    if fmt == "csv":
        out = io.StringIO()
        csv.writer(out).writerows([header, example])
        return ("\ufeff" + out.getvalue()).encode(), "text/csv"
    from openpyxl import Workbook
    book = Workbook()
    sheet = book.active
    sheet.title = "delegates"
    sheet.append(header)
    sheet.append(example)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
