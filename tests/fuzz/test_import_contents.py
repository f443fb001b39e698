"""Fuzzing what is INSIDE an uploaded delegates file (CSV and XLSX): hostile cells, encodings,
delimiters, empty and huge files, broken XLSX archives. Whatever the bytes: never a 5xx; an error
names the row and the field (or the file); nothing is imported unless the whole file is."""
from __future__ import annotations

import csv
import io
import re
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from dialogue.delegates.models import Delegate, Delegation, FocalPoint
from dialogue.extensions import db
from dialogue.models import User

from .conftest import FUZZ, ROLES, signed_in
from .strategies import nasty_text

HEADER = ["Salutation", "Given name", "Family name", "Function", "Email", "Gender", "Role in the delegation",
          "Attendance", "Sessions"]
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1", "utf-32", "shift_jis"]


@pytest.fixture(scope="module")
def place(demo):
    """The demo focal point's client, its delegation's import URL, and the delegation's id."""
    from dialogue.demo import SLUG
    user = db.session.scalar(select(User).where(User.email == ROLES["focal_point"]))
    delegation = db.session.get(Delegation, db.session.scalar(
        select(FocalPoint.delegation_id).where(FocalPoint.user_id == user.id)))
    delegation.quota = 10_000
    db.session.commit()
    url = f"/en/events/{SLUG}/delegations/{delegation.id}/import"
    return signed_in(demo, "focal_point"), url, delegation.id


def held(delegation_id: int) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(Delegate.id)).where(Delegate.delegation_id == delegation_id))


def post(place, filename: str, content: bytes):
    """Upload the file; check the answer; undo a successful import so the next example starts alike."""
    client, url, delegation_id = place
    before = held(delegation_id)
    response = client.post(url, data={"file": (io.BytesIO(content), filename)}, content_type="multipart/form-data")
    assert response.status_code < 500, (filename, content[:200])
    after = held(delegation_id)
    if response.status_code == 302:
        assert after > before
        db.session.execute(delete(Delegate).where(Delegate.delegation_id == delegation_id, Delegate.id.notin_(
            select(Delegate.id).where(Delegate.delegation_id == delegation_id).order_by(Delegate.id).limit(before))))
        db.session.commit()
    else:
        assert response.status_code in (400, 413, 422), response.status_code
        assert after == before, "an import that failed left delegates behind"
        page = response.get_data(as_text=True)
        if response.status_code == 422:
            assert 'role="alert"' in page or "error" in page
    return response


def rows_table(page: str) -> list[tuple[str, str]]:
    """(row, field) of the import's error table."""
    body = re.search(r'id="import-errors".*?</table>', page, re.S)
    return re.findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td>", body.group(0)) if body else []


cell = st.one_of(nasty_text(longest=501), st.sampled_from(["=1+1", "+SUM(A1)", "-2", "@cmd", '"quoted ""x"""',
                                                             "a,b;c\td", "line\nbreak", "\r", "\x00", "é", "Jefa de delegación"]))
good_row = st.tuples(st.sampled_from(["Ms.", "Dr.", ""]), st.sampled_from(["Ana", "José", "丽", "Zoë"]),
                     st.sampled_from(["Pérez", "Núñez", "王", "O'Brien"]), st.just("Adviser"),
                     st.integers(1, 10 ** 9).map(lambda n: f"fuzz{n}@example.org"), st.sampled_from(["female", "male"]),
                     st.just("member"), st.just("in_person"), st.just("")).map(list)
hostile_row = st.lists(cell, min_size=0, max_size=12)


def csv_bytes(rows: list[list[str]], delimiter: str, encoding: str) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue().encode(encoding, errors="replace")


@FUZZ
@given(rows=st.lists(st.one_of(good_row, hostile_row), min_size=0, max_size=8),
       delimiter=st.sampled_from([",", ";", "\t", "|"]), encoding=st.sampled_from(ENCODINGS),
       header=st.booleans())
def test_hostile_csv_cells(place, rows, delimiter, encoding, header):
    response = post(place, "delegates.csv", csv_bytes(([HEADER] if header else []) + rows, delimiter, encoding))
    if response.status_code == 422 and header and rows:
        for row, field in rows_table(response.get_data(as_text=True)):
            assert row == "—" or 2 <= int(row) <= len(rows) + 1  # a row of the file, as a spreadsheet numbers it
            assert field


@FUZZ
@given(content=st.one_of(st.binary(max_size=2000), st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\x00" * 100,
                                                                    b"\n" * 5000, b'"' * 1000, b"a," * 50_000])),
       filename=st.sampled_from(["d.csv", "d.xlsx", "d.CSV", "d.txt", "", "d.xlsx.csv", "../../d.xlsx"]))
def test_any_bytes_as_a_file(place, content, filename):
    post(place, filename, content)


def xlsx_bytes(rows: list[list]) -> bytes:
    from openpyxl import Workbook
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("damage", ["none", "truncate", "flip", "drop_sheet", "drop_workbook", "garbage_sheet",
                                    "no_sheets"])
@FUZZ
@given(rows=st.lists(st.one_of(good_row, hostile_row.map(lambda r: [c.replace("\x00", "") for c in r])),
                     min_size=0, max_size=6),
       where=st.floats(0, 1))
def test_hostile_and_broken_xlsx(place, damage, rows, where):
    from openpyxl.utils.exceptions import IllegalCharacterError
    try:
        content = xlsx_bytes([HEADER, *rows])
    except (ValueError, IllegalCharacterError):  # openpyxl itself refuses control characters in cells
        content = xlsx_bytes([HEADER])
    if damage == "truncate":
        content = content[:int(len(content) * where)]
    elif damage == "flip":
        at = int((len(content) - 1) * where)
        content = content[:at] + bytes([content[at] ^ 0xFF]) + content[at + 1:]
    elif damage != "none":
        source = zipfile.ZipFile(io.BytesIO(content))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as broken:
            for info in source.infolist():
                data = source.read(info)
                if damage == "drop_sheet" and info.filename.startswith("xl/worksheets/"):
                    continue
                if damage == "drop_workbook" and info.filename == "xl/workbook.xml":
                    continue
                if damage == "garbage_sheet" and info.filename.startswith("xl/worksheets/"):
                    data = data[:int(len(data) * where)] + b"<row><c t=\"s\"><v>999999</v></c>"
                if damage == "no_sheets" and info.filename == "xl/workbook.xml":
                    data = re.sub(rb"<sheets>.*</sheets>", b"<sheets/>", data, flags=re.S)
                broken.writestr(info, data)
        content = out.getvalue()
    post(place, "delegates.xlsx", content)


def test_a_huge_xlsx_is_refused_without_reading_it_all(place):
    """Many rows (past the import's limit): a clear message about the file, nothing imported."""
    rows = [[None, f"Given{i}", f"Family{i}", None, f"huge{i}@example.org"] for i in range(2_500)]
    response = post(place, "delegates.xlsx", xlsx_bytes([HEADER[:5], *rows]))
    assert response.status_code == 422 and "2000" in response.get_data(as_text=True).replace(",", "").replace("\u202f", "")


def test_a_file_over_the_upload_limit_is_refused(place):
    response = post(place, "delegates.csv", b"a" * (9 * 1024 * 1024))
    assert response.status_code == 413


def test_one_bad_row_names_its_row_and_field_and_imports_nothing(place):
    rows = [HEADER, ["Ms.", "Ana", "Pérez", "", "ana.fuzz@example.org", "female", "member", "in_person", ""],
            ["Ms.", "Rosa", "", "", "not-an-email", "female", "member", "in_person", ""]]
    response = post(place, "delegates.csv", csv_bytes(rows, ";", "utf-8"))
    assert response.status_code == 422
    found = rows_table(response.get_data(as_text=True))
    assert ("3", "Family name") in found and ("3", "Email") in found


@settings(parent=FUZZ, max_examples=1)
@given(st.just(None))
def test_the_strategies_run(place, _nothing):
    """Keeps the hypothesis settings used even when FUZZ_EXAMPLES=0 (a quick import check)."""
