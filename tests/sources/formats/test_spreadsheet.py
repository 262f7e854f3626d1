"""Spreadsheet reader: XLSX, XLS and ODS cells with sheet/row/column pointers."""

from __future__ import annotations

import datetime as dt
import io
import struct
import zipfile
from pathlib import Path

import olefile
import openpyxl
from openpyxl.comments import Comment
import pytest
import xlwt
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import Table, TableCell, TableRow
from odf.text import P

from piiscan import sniff
from piiscan.model import EntityType, Pointer
from piiscan.sources.formats.spreadsheet import SpreadsheetReader, cell_text
from piiscan.sources.formats.word import WordReader
from tests.sources.formats.document_helpers import (
    EMAIL,
    EMAIL2,
    SIN,
    SIN_DIGITS,
    item_for,
    ole_file,
    read_item,
    scan,
    segments,
    unseekable_item,
)

SIN2 = "130 692 544"
SIN_NUMBER = int(SIN_DIGITS)  # 46454286: Excel dropped the leading zero


def _payroll_xlsx(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Paie 2024"
    ws.append(["Liste des employés"])  # a title line above the header
    ws.append([])
    ws.append(["Nom", "NAS", "Courriel", "Date de naissance"])
    ws.append(["Marie Tremblay", SIN_NUMBER, EMAIL, dt.date(1987, 3, 12)])
    ws["B4"].number_format = "000 000 000"
    ws.append(["Jean Dupont", SIN2, EMAIL2, dt.datetime(1990, 1, 2)])
    ws["A5"].comment = Comment(f"Nouveau courriel : {EMAIL2}", "RH")
    hidden = wb.create_sheet("Archives")
    hidden.sheet_state = "hidden"
    hidden.append(["NAS :", SIN_NUMBER])
    hidden["B1"].number_format = "000000000"
    wb.save(path)
    return path


def test_xlsx_cells_point_at_sheet_row_and_header(tmp_path: Path) -> None:
    result = scan(_payroll_xlsx(tmp_path / "paie.xlsx"), SpreadsheetReader())
    assert set((f.entity_type, f.pointer, f.field, f.record) for f in result.findings) == set([
        (EntityType.CA_SIN, Pointer(sheet="Paie 2024", row=4, column="NAS"), "NAS",
         "Paie 2024!row:4"),
        (EntityType.EMAIL_ADDRESS, Pointer(sheet="Paie 2024", row=4, column="Courriel"),
         "Courriel", "Paie 2024!row:4"),
        (EntityType.CA_SIN, Pointer(sheet="Paie 2024", row=5, column="NAS"), "NAS",
         "Paie 2024!row:5"),
        (EntityType.EMAIL_ADDRESS, Pointer(sheet="Paie 2024", row=5, column="Courriel"),
         "Courriel", "Paie 2024!row:5"),
        (EntityType.EMAIL_ADDRESS, Pointer(sheet="Paie 2024", row=5, column="A", part="comment"),
         None, "Paie 2024!row:5"),
        # the hidden sheet has no header: column letter, caption of the cell before
        (EntityType.CA_SIN, Pointer(sheet="Archives", row=1, column="B"), "NAS :",
         "Archives!row:1"),
    ])
    assert result.errors == []


def test_xlsx_numbers_read_as_excel_shows_them_and_dates_as_iso(tmp_path: Path) -> None:
    segs = segments(SpreadsheetReader(), _payroll_xlsx(tmp_path / "paie.xlsx"), tmp_path)
    by_cell = {(s.pointer.sheet, s.pointer.row, s.pointer.column): s.text for s in segs}
    assert by_cell["Paie 2024", 4, "NAS"] == SIN  # "000 000 000" mask, leading zero back
    assert by_cell["Archives", 1, "B"] == SIN_DIGITS
    assert by_cell["Paie 2024", 4, "Date de naissance"] == "1987-03-12"
    assert by_cell["Paie 2024", 5, "Date de naissance"] == "1990-01-02"
    assert by_cell["Paie 2024", 1, "A"] == "Liste des employés"


@pytest.mark.parametrize("value, fmt, text", [
    (46454286, "000000000", SIN_DIGITS),
    (46454286, "000 000 000", SIN),
    (46454286.0, "General", "46454286"),
    (46454286.0, None, "46454286"),
    (12.5, "0.00", "12.5"),
    (5145550147, "000-000-0000", "514-555-0147"),
    (1234, '"No "0000', "1234"),  # literal text in the format: not a plain mask
    (True, None, "TRUE"),
    (dt.datetime(2024, 3, 1, 14, 30), None, "2024-03-01 14:30:00"),
    (dt.time(9, 15), None, "09:15:00"),
])
def test_cell_text(value: object, fmt: str | None, text: str) -> None:
    assert cell_text(value, fmt) == text


@pytest.mark.parametrize("rows", [
    [["Marie Tremblay", "Montréal"], ["Jean Dupont", EMAIL2]],  # one value under a "header"
    [["Marie Tremblay", "Montréal"], ["Jean Dupont", "Québec"], ["Léa Roy", "Laval"]],
    # a form in a sheet: captions in column A, values of every kind in column B
    [["Nom", "Marie Tremblay"], ["NAS", SIN], ["Naissance", dt.date(1987, 3, 12)],
     ["Courriel", EMAIL]],
])
def test_first_row_of_data_never_becomes_a_header(tmp_path: Path, rows: list) -> None:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    path = tmp_path / "noms.xlsx"
    wb.save(path)
    segs = segments(SpreadsheetReader(), path, tmp_path)
    assert {s.pointer.column for s in segs} == {"A", "B"}
    assert "Marie Tremblay" not in {s.field for s in segs}


def _payroll_xls(path: Path) -> Path:
    book = xlwt.Workbook()
    sheet = book.add_sheet("Paie")
    mask = xlwt.easyxf(num_format_str="000000000")
    day = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for c, head in enumerate(["Nom", "NAS", "Courriel", "Naissance"]):
        sheet.write(0, c, head)
    sheet.write(1, 0, "Marie Tremblay")
    sheet.write(1, 1, SIN_NUMBER, mask)
    sheet.write(1, 2, EMAIL)
    sheet.write(1, 3, dt.date(1987, 3, 12), day)
    sheet.write(2, 0, "Jean Dupont")
    sheet.write(2, 2, EMAIL2)
    book.save(str(path))
    return path


def test_xls_cells_with_masks_and_dates(tmp_path: Path) -> None:
    path = _payroll_xls(tmp_path / "paie.xls")
    result = scan(path, SpreadsheetReader())
    assert set((f.entity_type, f.pointer, f.field) for f in result.findings) == set([
        (EntityType.CA_SIN, Pointer(sheet="Paie", row=2, column="NAS"), "NAS"),
        (EntityType.EMAIL_ADDRESS, Pointer(sheet="Paie", row=2, column="Courriel"), "Courriel"),
        (EntityType.EMAIL_ADDRESS, Pointer(sheet="Paie", row=3, column="Courriel"), "Courriel"),
    ])
    texts = {s.pointer.column: s.text for s in segments(SpreadsheetReader(), path, tmp_path)
             if s.pointer.row == 2}
    assert texts == {"Nom": "Marie Tremblay", "NAS": SIN_DIGITS, "Courriel": EMAIL,
                     "Naissance": "1987-03-12"}


def _cell(text: str = "", **attrs: str) -> TableCell:
    cell = TableCell(**attrs)
    if text:
        cell.addElement(P(text=text))
    return cell


def _donors_ods(path: Path) -> Path:
    doc = OpenDocumentSpreadsheet()
    table = Table(name="Donateurs")
    rows = [
        [_cell("Nom", valuetype="string"), _cell("NAS", valuetype="string"),
         _cell("Courriel", valuetype="string"), _cell("Naissance", valuetype="string")],
        [_cell("Marie Tremblay", valuetype="string"),
         _cell(SIN_DIGITS, valuetype="float", value=str(SIN_NUMBER)),  # shown with its zero
         _cell(EMAIL, valuetype="string"),
         _cell("12/03/1987", valuetype="date", datevalue="1987-03-12")],
    ]
    for cells in rows:
        row = TableRow()
        for cell in cells:
            row.addElement(cell)
        table.addElement(row)
    gap = TableRow(numberrowsrepeated="1000")  # LibreOffice pads sheets like this
    gap.addElement(TableCell(numbercolumnsrepeated="1024"))
    table.addElement(gap)
    last = TableRow()
    last.addElement(TableCell(numbercolumnsrepeated="2"))
    last.addElement(_cell(EMAIL2, valuetype="string"))
    table.addElement(last)
    doc.spreadsheet.addElement(table)
    doc.save(str(path))
    return path


def test_ods_cells_rows_after_repeats_and_displayed_numbers(tmp_path: Path) -> None:
    path = _donors_ods(tmp_path / "dons.ods")
    result = scan(path, SpreadsheetReader())
    assert set((f.entity_type, f.pointer, f.field) for f in result.findings) == set([
        (EntityType.CA_SIN, Pointer(sheet="Donateurs", row=2, column="NAS"), "NAS"),
        (EntityType.EMAIL_ADDRESS, Pointer(sheet="Donateurs", row=2, column="Courriel"),
         "Courriel"),
        (EntityType.EMAIL_ADDRESS, Pointer(sheet="Donateurs", row=1003, column="Courriel"),
         "Courriel"),
    ])
    texts = {s.pointer.column: s.text for s in segments(SpreadsheetReader(), path, tmp_path)
             if s.pointer.row == 2}
    assert texts["Naissance"] == "1987-03-12"


# -- what can't be read ------------------------------------------------------------------

def test_password_protected_xlsx_is_reported_encrypted(tmp_path: Path) -> None:
    pytest.importorskip("msoffcrypto")
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = _payroll_xlsx(tmp_path / "paie.xlsx")
    locked = tmp_path / "paie-verrouillee.xlsx"
    with plain.open("rb") as src, locked.open("wb") as dst:
        OOXMLFile(src).encrypt("secret", dst)
    # Office encrypts any OOXML the same way: the word reader claims that type.
    result = scan(locked, SpreadsheetReader(), WordReader())
    assert [(e.reason, e.detail) for e in result.errors] == [
        ("encrypted", "password-protected Office document")]


def _with_filepass(xls: bytes) -> bytes:
    """An .xls whose workbook stream says it is encrypted (a FILEPASS record after BOF)."""
    with olefile.OleFileIO(io.BytesIO(xls)) as ole:
        stream = ole.openstream("Workbook").read()
    size = struct.unpack_from("<H", stream, 2)[0]
    bof_end = 4 + size
    filepass = struct.pack("<HH", 0x002F, 54) + struct.pack("<HHH", 1, 1, 1) + b"\0" * 48
    return ole_file({"Workbook": stream[:bof_end] + filepass + stream[bof_end:]})


def test_password_protected_xls_is_reported_encrypted(tmp_path: Path) -> None:
    plain = _payroll_xls(tmp_path / "paie.xls")
    locked = tmp_path / "paie-verrouillee.xls"
    locked.write_bytes(_with_filepass(plain.read_bytes()))
    result = scan(locked, SpreadsheetReader())
    assert [(e.reason, e.detail) for e in result.errors] == [
        ("encrypted", "password-protected workbook")]


def test_encrypted_ods_is_reported_encrypted(tmp_path: Path) -> None:
    path = _donors_ods(tmp_path / "dons.ods")
    buf = io.BytesIO()
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(buf, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "META-INF/manifest.xml":
                data = data.replace(b'manifest:full-path="content.xml"',
                                    b'manifest:full-path="content.xml"><manifest:encryption-data'
                                    b' manifest:checksum-type="SHA1/1K"/></manifest:file-entry'
                                    b'><manifest:file-entry manifest:media-type="" '
                                    b'manifest:full-path="x"', 1)
            elif info.filename == "content.xml":
                data = bytes(range(256)) * 4  # what an encrypted part looks like
            zout.writestr(info, data)
    path.write_bytes(buf.getvalue())
    assert scan(path, SpreadsheetReader()).reasons() == ["encrypted"]


def _cut(path: Path) -> bytes:
    data = path.read_bytes()
    return data[: len(data) * 2 // 3]


@pytest.mark.parametrize("name, make, media", [
    ("cut.xlsx", lambda d: _cut(_payroll_xlsx(d / "a.xlsx")), sniff.XLSX),
    ("cut.xls", lambda d: _cut(_payroll_xls(d / "a.xls")), None),
    ("cut.ods", lambda d: _cut(_donors_ods(d / "a.ods")), sniff.ODS),
    ("junk.xls", lambda d: ole_file({"Workbook": b"\x09\x08" + b"\xff" * 5000}), None),
    ("empty.xlsx", lambda d: b"", sniff.XLSX),
])
def test_damaged_workbooks_are_recorded_as_corrupt(tmp_path: Path, name: str, make,
                                                   media: str | None) -> None:
    path = tmp_path / name
    path.write_bytes(make(tmp_path))
    result = scan(path, SpreadsheetReader(), media_type=media)
    assert result.reasons() == ["corrupt"]
    assert all(e.detail and SIN_DIGITS not in e.detail for e in result.errors)


def test_xlsb_is_reported_unsupported(tmp_path: Path) -> None:
    path = tmp_path / "binaire.xlsb"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.bin", b"\0" * 64)
    result = scan(path, SpreadsheetReader())
    assert [(e.reason, e.detail) for e in result.errors] == [
        ("unsupported format", "XLSB (binary workbook) is not read; save it as XLSX")]


@pytest.mark.parametrize("make, name", [(_payroll_xlsx, "paie.xlsx"), (_payroll_xls, "paie.xls"),
                                        (_donors_ods, "dons.ods")])
def test_forward_only_streams_read_like_files(tmp_path: Path, make, name: str) -> None:
    """Archive members and attachments can't seek: the reader copies them first."""
    path = make(tmp_path / name)
    assert read_item(SpreadsheetReader(), unseekable_item(path), tmp_path) == \
        read_item(SpreadsheetReader(), item_for(path), tmp_path)
