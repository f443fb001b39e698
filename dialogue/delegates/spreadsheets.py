"""Reading delegates from CSV and XLSX files, and the template to fill in.

Column headers and the values of choice columns are accepted as our codes (`given_name`,
`head`) or as their labels in any of the three languages ("Nom de famille", "Jefe de
delegación"), so a file filled in from the French template imports in the Spanish interface.
"""
from __future__ import annotations

import csv
import io
import unicodedata

from flask_babel import force_locale
from flask_babel import gettext as _

from ..i18n import LANGUAGES
from ..imports import HEADER_SEARCH, header_row
from ..imports import norm as _norm
from ..sessions.labels import GENDER_LABELS
from ..spreadsheet_safety import safe_writer, unprefixed, xlsx_row
from .labels import (
    ATTENDANCE_LABELS,
    DELEGATE_ROLE_LABELS,
    FEMININE_LABELS,
    FIELD_LABELS,
    NAME_ORDER_LABELS,
    SALUTATION_LABELS,
)
from .services import EXAMPLE_EMAIL, FIELDS, DelegationError

CHOICES = {"salutation": SALUTATION_LABELS, "gender": GENDER_LABELS, "role": DELEGATE_ROLE_LABELS,
           "attendance": ATTENDANCE_LABELS, "name_order": NAME_ORDER_LABELS}
MAX_ROWS = 2000
#: The columns a file must have (its row of headers is the one that names them).
REQUIRED = ("given_name", "family_name", "email")
#: What ministries write besides our labels: feminine forms, other usual abbreviations. Compared
#: after `_choice_norm` (case, dots and spaces do not count: "Sra", "sra." and "SRA." are one).
EXTRA_VALUES = {
    "salutation": {"dra": "dr", "doctora": "dr", "doctor": "dr", "profa": "prof", "profesora": "prof", "profesor": "prof",
                   "srta": "ms", "señora": "ms", "señor": "mr", "mrs": "ms", "miss": "ms", "mme": "ms", "mlle": "ms",
                   "madame": "ms", "monsieur": "mr", "m": "mr", "excma": "he_ms", "excmo": "he_mr", "sem": "he_mr",
                   "semme": "he_ms", "hems": "he_ms", "hemr": "he_mr"},
    "role": {"jefa de delegación": "head", "jefa de la delegación": "head", "jefe de la delegación": "head",
             "jefe/a de delegación": "head", "cheffe de délégation": "head", "chef de la délégation": "head",
             "head of the delegation": "head", "suppléante": "alternate", "conseillère": "adviser", "asesora": "adviser",
             "advisor": "adviser", "miembra": "member"},
    "gender": {"f": "female", "m": "male", "woman": "female", "man": "male", "femenino": "female", "masculino": "male",
               "féminin": "female", "masculin": "male"},
    "attendance": {"presencial": "in_person", "virtual": "online", "à distance": "online", "en persona": "in_person"},
    "name_order": {"given-family": "given_family", "given family": "given_family", "family-given": "family_given",
                   "family given": "family_given", "prénom nom": "given_family", "nom prénom": "family_given",
                   "nombre apellido": "given_family", "apellido nombre": "family_given"},
}


def _choice_norm(text) -> str:
    """Values of choice columns: case, dots and spaces do not count ("S. E. Mme" is "S.E. Mme")."""
    return "".join(ch for ch in _norm(text) if ch not in ". ")


def _aliases() -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """Header aliases -> field, and per choice field value aliases -> code, in every language."""
    headers = {_norm(f): f for f in FIELDS}
    values: dict[str, dict[str, str]] = {name: {_choice_norm(code): code for code in labels} for name, labels in CHOICES.items()}
    for lang in LANGUAGES:
        with force_locale(lang):
            for name in FIELDS:
                headers.setdefault(_norm(str(FIELD_LABELS[name])), name)
            for name, labels in CHOICES.items():
                for code, label in labels.items():
                    values[name].setdefault(_choice_norm(str(label)), code)
            # What the badges and lists print for women ("Jefa de delegación", "Dra.") reads back too.
            for name, labels in FEMININE_LABELS.items():
                for code, label in labels.items():
                    values[name].setdefault(_choice_norm(str(label)), code)
    for name, extra in EXTRA_VALUES.items():
        for alias, code in extra.items():
            values[name].setdefault(_choice_norm(alias), code)
    return headers, values


def read_rows(filename: str, content: bytes) -> list[tuple[int, dict]]:
    """Rows of the file as (row number as a spreadsheet shows it, {field: value}).

    Text comes back NFC-normalised ("José" typed with a combining accent is the same "José"), and
    without the apostrophe our own exports put before a value a spreadsheet would take for a formula.
    """
    name = filename.lower()
    headers, values = _aliases()
    if name.endswith(".xlsx"):
        table = _read_xlsx(content)
    elif name.endswith(".csv"):
        table = _read_csv(content, headers)
    else:
        raise DelegationError(_("Upload a .csv or .xlsx file."), "file") from None
    if not table:
        raise DelegationError(_("The file is empty."), "file") from None
    # Ministries often put a title ("Delegación del Perú") or a blank line above the headers.
    start = header_row(table, headers, REQUIRED) or 0
    columns = [headers.get(_norm(h)) for h in table[start]]
    missing = [f for f in REQUIRED if f not in columns]
    if missing:
        raise DelegationError(_("The file lacks the columns %(columns)s: start from the template.",
                                columns=", ".join(str(FIELD_LABELS[f]) for f in missing)), "file")
    rows = []
    for number, raw in enumerate(table[start + 1:], start=start + 2):
        if not any(str(c or "").strip() for c in raw):
            continue
        data = {}
        for field, cell in zip(columns, raw, strict=False):
            if field is None:
                continue
            value = "" if cell is None else unicodedata.normalize("NFC", unprefixed(str(cell).strip()))
            if field in CHOICES and value:
                value = values[field].get(_choice_norm(value), value)
            data[field] = value
        rows.append((number, data))
        if len(rows) > MAX_ROWS:
            raise DelegationError(_("The file has more than %(max)d rows.", max=MAX_ROWS), "file")
    return rows


#: What separates the columns of a CSV file: Excel writes commas in English, semicolons in French
#: and Spanish, tabs in its "Unicode text".
DELIMITERS = (",", ";", "\t")


def _read_csv(content: bytes, headers: dict[str, str], required: tuple[str, ...] = REQUIRED) -> list[list[str]]:
    """The cells of a CSV file, in standard (Excel) quoting: a quote inside a cell is doubled.

    The delimiter is the one that yields the row of headers naming the `required` columns (else the one that yields most
    columns), rather than a guess by `csv.Sniffer`: sniffing the header line took files whose
    header has no quotes for files without doubled quotes, and broke `"Director, ""Perú"" Office"`.
    """
    text = _decode_csv(content)
    tables = []
    for delimiter in DELIMITERS:
        try:
            table = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        except csv.Error:
            raise DelegationError(_("This is not a readable CSV file."), "file") from None
        if header_row(table, headers, required) is not None:
            return table
        tables.append(table)
    return max(tables, key=lambda t: max((len(row) for row in t[:HEADER_SEARCH]), default=0))


def _decode_csv(content: bytes) -> str:
    """UTF-16 with its byte order mark (Excel's "Unicode text"), UTF-8 (with or without BOM) or,
    failing that, Windows-1252: what Excel writes for "CSV" in French and Spanish Windows."""
    try:
        if content[:2] in (b"\xff\xfe", b"\xfe\xff"):
            return content.decode("utf-16")
        try:
            return content.decode("utf-8-sig")
        except UnicodeDecodeError:
            return content.decode("cp1252")
    except UnicodeDecodeError:
        raise DelegationError(_("Save the CSV file as UTF-8 (Excel: \"CSV UTF-8\")."), "file") from None


#: Most rows, blank ones included, and cells a row read from an Excel file; past them it is refused.
XLSX_MAX_READ = 50_000
XLSX_MAX_COLUMNS = 64


def _read_xlsx(content: bytes) -> list[list]:
    """The cells of the first sheet. Any archive or XML that does not read (truncated, a part
    missing, no sheet) is the file's fault, said so, never an error of ours; the rows are read only
    as far as the import could take them, whatever size the file claims."""
    from openpyxl import load_workbook
    unreadable = DelegationError(_("This is not a readable Excel (.xlsx) file."), "file")
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # BadZipFile, KeyError, XML errors, InvalidFileException...: a broken file
        raise unreadable from None
    try:
        if not book.worksheets:
            raise unreadable
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # the size the file declares may be a lie (A1:XFD1048576)
        table, filled = [], 0
        for row in sheet.iter_rows(values_only=True):
            cells = list(row[:XLSX_MAX_COLUMNS])
            table.append(cells)
            filled += any(c is not None and str(c).strip() for c in cells)
            if filled > MAX_ROWS + HEADER_SEARCH + 1 or len(table) > XLSX_MAX_READ:
                raise DelegationError(_("The file has more than %(max)d rows.", max=MAX_ROWS), "file")
    except DelegationError:
        raise
    except Exception:  # a sheet whose XML breaks off or holds what openpyxl cannot read
        raise unreadable from None
    finally:
        book.close()
    return table


#: Column widths of the Excel template, in characters.
WIDTHS = {"salutation": 14, "given_name": 22, "family_name": 24, "name_order": 30, "native_name": 22,
          "function": 40, "email": 32, "gender": 14,
          "role": 24, "attendance": 20, "sessions": 20}


def csv_delimiter(lang: str) -> str:
    """Excel in French and Spanish reads and writes CSV with semicolons (the comma is their decimal
    sign); a comma file opens there as one column."""
    return "," if lang == "en" else ";"


def template(fmt: str, lang: str, session_codes: list[str]) -> tuple[bytes, str]:
    """An empty file to fill in, with the headers and one example row in `lang`."""
    with force_locale(lang):
        header = [str(FIELD_LABELS[f]) for f in FIELDS]
        example = ["" if f not in CHOICES else str(CHOICES[f][{"salutation": "ms", "gender": "female", "role": "head",
                                                                "attendance": "in_person",
                                                                "name_order": "given_family"}[f]]) for f in FIELDS]
    example[FIELDS.index("given_name")] = "María José"
    example[FIELDS.index("family_name")] = "Núñez Ibáñez"
    example[FIELDS.index("function")] = "Directora"
    example[FIELDS.index("email")] = EXAMPLE_EMAIL
    example[FIELDS.index("sessions")] = " ".join(session_codes)
    if fmt == "csv":
        out = io.StringIO()
        safe_writer(out, delimiter=csv_delimiter(lang)).writerows([header, example])
        return ("\ufeff" + out.getvalue()).encode(), "text/csv"
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation
    book = Workbook()
    sheet = book.active
    sheet.title = "delegates"
    sheet.append(xlsx_row(sheet, header))
    sheet.append(xlsx_row(sheet, example))
    sheet.freeze_panes = "A2"
    for index, name in enumerate(FIELDS, start=1):
        letter = get_column_letter(index)
        sheet[f"{letter}1"].font = Font(bold=True)
        sheet.column_dimensions[letter].width = WIDTHS.get(name, 18)
        if name in CHOICES:
            # A drop-down of the labels in the file's language; other values only warn, since the
            # import understands more ("Dra.", "Jefa de delegación").
            with force_locale(lang):
                choices = [str(label) for code, label in CHOICES[name].items() if code != "none"]
            check = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True,
                                   errorStyle="warning", showErrorMessage=True)
            check.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
            sheet.add_data_validation(check)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
