"""Spreadsheet safety: no cell we write runs as a formula in Excel or LibreOffice."""
import csv
import io

import pytest
from openpyxl import Workbook, load_workbook

from dialogue.auth import grant_role
from dialogue.extensions import db
from dialogue.spreadsheet_safety import safe_cell, safe_row, safe_writer, unprefixed, xlsx_row

from . import factories as f
from .delegates import factories as df
from .workers import fetch

RISKY = ['=1+1', '+41 22 917 12 34', '-2+3', '@SUM(A1:A2)', '\t=1', '\r=1', '  =cmd|" /C calc"!A0',
         '\n=1', '\uff1d1+1']
HARMLESS = ["María José", "d'Almeida", "Director, \"Perú 2030\" Office", "", "a=b", "50-50", "ü+"]


@pytest.mark.parametrize("text", RISKY)
def test_text_a_spreadsheet_would_compute_gets_a_visible_apostrophe(text):
    assert safe_cell(text) == "'" + text
    assert unprefixed(safe_cell(text)) == text


@pytest.mark.parametrize("text", HARMLESS)
def test_other_text_is_written_as_typed(text):
    assert safe_cell(text) == text
    assert unprefixed(text) == text


def test_numbers_dates_and_empty_cells_pass_unchanged():
    from datetime import date
    assert safe_row([-3, 2.5, None, date(2024, 3, 31), "-3"]) == [-3, 2.5, None, date(2024, 3, 31), "'-3"]


def test_safe_writer_quotes_the_standard_way_and_prefixes():
    out = io.StringIO()
    safe_writer(out, delimiter=";").writerows([["=A1", 'say "hi"; bye'], ["+41", -1]])
    assert out.getvalue() == "'=A1;\"say \"\"hi\"\"; bye\"\r\n'+41;-1\r\n"
    assert list(csv.reader(io.StringIO(out.getvalue()), delimiter=";")) == [["'=A1", 'say "hi"; bye'], ["'+41", "-1"]]


@pytest.mark.parametrize("write_only", [False, True], ids=["workbook", "write-only"])
def test_xlsx_cells_are_strings_never_formulas(write_only):
    book = Workbook(write_only=write_only)
    sheet = book.create_sheet() if write_only else book.active
    sheet.append(xlsx_row(sheet, [*RISKY, "bell\x07", 7, None]))
    out = io.BytesIO()
    book.save(out)
    cells = list(load_workbook(io.BytesIO(out.getvalue())).active.iter_rows())[0]
    assert [c.data_type for c in cells[:len(RISKY)]] == ["s"] * len(RISKY)
    # Depending on openpyxl's version a carriage return comes back as itself or as a line feed (XML
    # normalises line ends unless it is escaped): the text is otherwise as given.
    assert [c.value.replace("\r", "\n") for c in cells[:len(RISKY)]] == [text.replace("\r", "\n") for text in RISKY]
    assert cells[len(RISKY)].value == "bell"
    assert cells[len(RISKY) + 1].value == 7


def _formula_delegate(ev):
    d = df.delegation(ev, "PE")
    df.delegate(d, "=HYPERLINK(\"http://evil.example\",\"x\")", "@Family", status="accredited",
                function="+41 22 917 12 34", email="evil@example.org")
    return d


@pytest.mark.parametrize("lang,delimiter", [("en", ","), ("es", ";")])
def test_participants_csv_neutralises_formulas(jobs, app, client, auth, lang, delimiter):
    org, ev = f.user(), f.event()
    grant_role(org, ev, "organiser")
    db.session.commit()
    _formula_delegate(ev)
    auth.login(org.email)
    text = fetch(client, jobs, f"/{lang}/manage/events/{ev.slug}/participants.csv").data.decode("utf-8-sig")
    row = list(csv.reader(io.StringIO(text), delimiter=delimiter))[1]
    assert "'=HYPERLINK(\"http://evil.example\",\"x\")" in row
    assert "'@Family" in row and "'+41 22 917 12 34" in row
    assert not [cell for cell in row if cell.lstrip().startswith(("=", "+", "-", "@"))]


def test_import_templates_contain_no_formula(app, client, auth):
    ev = f.event()
    f.session(ev, "PL1")
    user, d = df.focal_point(ev)
    auth.login(user.email)
    for lang in ("fr", "es", "en"):
        book = load_workbook(io.BytesIO(client.get(f"/{lang}/events/{ev.slug}/delegations/{d.id}/template.xlsx").data))
        assert {c.data_type for row in book.active.iter_rows() for c in row if c.value is not None} == {"s"}
        text = client.get(f"/{lang}/events/{ev.slug}/delegations/{d.id}/template.csv").data.decode("utf-8-sig")
        assert not [c for row in csv.reader(io.StringIO(text), delimiter="," if lang == "en" else ";")
                    for c in row if c.lstrip().startswith(("=", "+", "-", "@"))]


def test_participants_xlsx_made_by_a_worker_has_no_formula(app, client, auth, jobs):
    org, ev = f.user(), f.event()
    grant_role(org, ev, "organiser")
    db.session.commit()
    _formula_delegate(ev)
    auth.login(org.email)
    response = fetch(client, jobs, f"/fr/manage/events/{ev.slug}/participants.xlsx")
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    cells = [c for row in sheet.iter_rows() for c in row]
    assert sheet["A1"].value == "Type" and sheet["A1"].font.bold
    assert not [c for c in cells if c.data_type == "f"]
    assert '=HYPERLINK("http://evil.example","x")' in [c.value for c in cells]
