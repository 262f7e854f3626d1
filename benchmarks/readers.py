"""Speed and memory of the document readers on generated files of realistic size.

    python benchmarks/readers.py [--out DIR] [--quick]

Writes the files (synthetic text, no real data) into DIR (a temp dir by
default), reads each with its reader as the engine would (every segment
pulled, no detectors), and prints MB/s, files/s and segments/s per CPU
second (Tesseract's included), with wall time beside. Then,
each in a fresh process so the numbers are its own, the peak memory
(tracemalloc and ru_maxrss) of reading a 100 000 × 10 workbook as XLSX
and ODS, against openpyxl loading it whole. Also times pdfplumber against
PDFium on the 50-page PDF, the measure behind the PDF reader's design.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any, Callable
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from piiscan.engine import ReadContext, ScanOptions  # noqa: E402
from piiscan.model import Item, Segment  # noqa: E402

WORDS = ("participant dossier suivi rencontre programme donateur famille logement emploi "
         "the client meeting follow-up housing employment report note appel courriel "
         "rendez-vous besoin service aide formation intervenante référence").split()


def sentence(rng: random.Random, n: int = 14) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


# -- generators ----------------------------------------------------------------------------

def make_pdf(path: Path, pages: int = 50, table: bool = False) -> None:
    from fpdf import FPDF

    rng = random.Random(1)
    pdf = FPDF()
    pdf.set_font("Helvetica", size=10)
    for _ in range(pages):
        pdf.add_page()
        if table:
            with pdf.table() as t:
                for r in range(25):
                    row = t.row()
                    for c in range(4):
                        row.cell(f"{rng.choice(WORDS)} {r}" if r else f"Col {c}")
        for _ in range(10 if table else 55):
            pdf.cell(0, 4.5, sentence(rng), new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))


def _zip(path: Path, parts: dict[str, str]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in parts.items():
            zf.writestr(name, text)


W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def make_docx(path: Path, target_mb: float = 5.0) -> None:
    """A text-only DOCX of about `target_mb` MB: paragraphs, and a table every 50."""
    rng = random.Random(2)
    body: list[str] = []
    size = 0
    n = 0
    while size < target_mb * 8.3e6:  # deflate shrinks this repetitive text about 8×
        n += 1
        if n % 50 == 0:
            rows = "".join("<w:tr>" + "".join(
                f"<w:tc><w:p><w:r><w:t>{escape(rng.choice(WORDS))}</w:t></w:r></w:p></w:tc>"
                for _ in range(4)) + "</w:tr>" for _ in range(6))
            piece = f"<w:tbl>{rows}</w:tbl>"
        else:
            piece = f"<w:p><w:r><w:t>{escape(sentence(rng, 30))}</w:t></w:r></w:p>"
        body.append(piece)
        size += len(piece)
    _zip(path, {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Override PartName="/word/document.xml" ContentType="'
            'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
            "</Types>"),
        "_rels/.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="word/document.xml"/></Relationships>'),
        "word/document.xml": f"<w:document {W}><w:body>{''.join(body)}</w:body></w:document>",
    })


def _rows(n: int, seed: int = 3) -> Any:
    rng = random.Random(seed)
    yield ["id", "nom", "prenom", "courriel", "ville", "programme", "montant", "date",
           "telephone", "note"]
    for i in range(n):
        yield [i, rng.choice(WORDS).title(), rng.choice(WORDS).title(),
               f"{rng.choice(WORDS)}{i}@example.org", rng.choice(WORDS), rng.choice(WORDS),
               round(rng.random() * 1000, 2), f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}",
               f"514-555-{i % 10000:04d}", sentence(rng, 5)]


def make_xlsx(path: Path, rows: int) -> None:
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Participants")
    for row in _rows(rows):
        ws.append(row)
    wb.save(path)


def make_xlsx_shared(path: Path, rows: int) -> None:
    """An XLSX as Excel writes it: text in a shared-string table (openpyxl writes it inline).

    The table is read whole by any reader, so it sets the floor of memory use.
    """
    index: dict[str, int] = {}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
            'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml'
            '.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'))
        zf.writestr("_rels/.rels", (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'))
        zf.writestr("xl/workbook.xml", (
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="Participants" sheetId="1" r:id="rId1"/></sheets></workbook>'))
        zf.writestr("xl/_rels/workbook.xml.rels", (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'sharedStrings" Target="sharedStrings.xml"/></Relationships>'))
        with zf.open("xl/worksheets/sheet1.xml", "w") as out:
            out.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
                      b'main"><sheetData>')
            for r, row in enumerate(_rows(rows), 1):
                cells = []
                for value in row:
                    if isinstance(value, str):
                        cells.append(f'<c t="s"><v>{index.setdefault(value, len(index))}</v></c>')
                    else:
                        cells.append(f"<c><v>{value}</v></c>")
                out.write(f'<row r="{r}">{"".join(cells)}</row>'.encode())
            out.write(b"</sheetData></worksheet>")
        with zf.open("xl/sharedStrings.xml", "w") as out:
            out.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
            for text in index:
                out.write(f"<si><t>{escape(text)}</t></si>".encode())
            out.write(b"</sst>")


def make_xls(path: Path, rows: int = 60_000) -> None:
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("Participants")
    for r, row in enumerate(_rows(min(rows, 65_000))):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.save(str(path))


ODF_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')


def make_ods(path: Path, rows: int) -> None:
    def cell(v: Any) -> str:
        if isinstance(v, (int, float)):
            return f'<table:table-cell office:value-type="float" office:value="{v}"><text:p>{v}</text:p></table:table-cell>'
        return f'<table:table-cell office:value-type="string"><text:p>{escape(str(v))}</text:p></table:table-cell>'

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet",
                    compress_type=zipfile.ZIP_STORED)
        with zf.open("content.xml", "w") as out:
            out.write(f'<office:document-content {ODF_NS}><office:body><office:spreadsheet>'
                      '<table:table table:name="Participants">'.encode())
            for row in _rows(rows):
                out.write(("<table:table-row>" + "".join(map(cell, row)) + "</table:table-row>").encode())
            out.write(b"</table:table></office:spreadsheet></office:body></office:document-content>")


def make_odt(path: Path, paragraphs: int = 40_000) -> None:
    rng = random.Random(4)
    body = "".join(f"<text:p>{escape(sentence(rng, 20))}</text:p>" for _ in range(paragraphs))
    _zip(path, {"mimetype": "application/vnd.oasis.opendocument.text",
                "content.xml": f"<office:document-content {ODF_NS}><office:body><office:text>"
                               f"{body}</office:text></office:body></office:document-content>"})


def make_pptx(path: Path, slides: int = 100) -> None:
    from pptx import Presentation
    from pptx.util import Inches

    rng = random.Random(5)
    prs = Presentation()
    for _ in range(slides):
        slide = prs.slides.add_slide(prs.slide_layouts[1])
        slide.shapes.title.text = sentence(rng, 5)
        slide.placeholders[1].text = "\n".join(sentence(rng) for _ in range(6))
        table = slide.shapes.add_table(5, 4, Inches(1), Inches(5), Inches(8), Inches(2)).table
        for r in range(5):
            for c in range(4):
                table.cell(r, c).text = rng.choice(WORDS)
        slide.notes_slide.notes_text_frame.text = sentence(rng, 20)
    prs.save(path)


def make_rtf(path: Path, paragraphs: int = 60_000) -> None:
    rng = random.Random(6)
    with path.open("w", encoding="ascii") as out:
        out.write(r"{\rtf1\ansi\ansicpg1252{\fonttbl{\f0 Arial;}}{\header Dossier\par}")
        for _ in range(paragraphs):
            out.write(r"\pard\plain\f0\fs20 " + sentence(rng).replace("é", r"\'e9") + r"\par" + "\n")
        out.write("}")


def make_image(path: Path) -> None:
    from PIL import Image, ImageDraw, ImageFont

    rng = random.Random(7)
    img = Image.new("L", (1700, 2200), "white")  # a letter page at 200 dpi
    draw = ImageDraw.Draw(img)
    try:
        font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 28)
    except OSError:
        font = ImageFont.load_default()
    for i in range(40):
        draw.text((100, 100 + i * 50), sentence(rng, 9), font=font, fill="black")
    img.save(path)


# -- measuring -------------------------------------------------------------------------

def _cpu() -> float:
    """CPU seconds of this process and its finished children (Tesseract runs as one)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def read_all(reader: Any, path: Path, tmp: str) -> tuple[float, float, int, int]:
    """(wall seconds, CPU seconds, segments, characters) of reading `path` to the end."""
    ctx = ReadContext(ScanOptions(), tmp)
    item = Item(location=path.name, name=path.name, open=lambda: open(path, "rb"))
    start, cpu = time.perf_counter(), _cpu()
    segments = chars = 0
    for out in reader.read(item, ctx):
        if isinstance(out, Segment):
            segments += 1
            chars += len(out.text)
    return time.perf_counter() - start, _cpu() - cpu, segments, chars


def speed_table(out: Path, quick: bool) -> list[dict[str, Any]]:
    from piiscan.sources.formats.image import ImageReader
    from piiscan.sources.formats.opendocument import OpenDocumentTextReader
    from piiscan.sources.formats.pdf import PdfReader
    from piiscan.sources.formats.presentation import PresentationReader
    from piiscan.sources.formats.rtf import RtfReader
    from piiscan.sources.formats.spreadsheet import SpreadsheetReader
    from piiscan.sources.formats.word import WordReader

    scale = 0.2 if quick else 1.0
    cases: list[tuple[str, Any, str, Callable[[Path], None]]] = [
        ("pdf", PdfReader(), "report-50p.pdf", lambda p: make_pdf(p, 50)),
        ("pdf", PdfReader(), "tables-10p.pdf", lambda p: make_pdf(p, 10, table=True)),
        ("word", WordReader(), "notes-5mb.docx", lambda p: make_docx(p, 5 * scale)),
        ("spreadsheet", SpreadsheetReader(), "participants-20mb.xlsx",
         lambda p: make_xlsx(p, int(200_000 * scale))),
        ("spreadsheet", SpreadsheetReader(), "participants.xls",
         lambda p: make_xls(p, int(60_000 * scale))),
        ("spreadsheet", SpreadsheetReader(), "participants.ods",
         lambda p: make_ods(p, int(100_000 * scale))),
        ("presentation", PresentationReader(), "bilan-100.pptx", lambda p: make_pptx(p, 100)),
        ("opendocument", OpenDocumentTextReader(), "notes.odt",
         lambda p: make_odt(p, int(40_000 * scale))),
        ("rtf", RtfReader(), "notes.rtf", lambda p: make_rtf(p, int(60_000 * scale))),
        ("image", ImageReader(), "scan-letter-200dpi.png", make_image),
    ]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for reader_name, reader, name, make in cases:
            path = out / name
            if not path.exists():
                make(path)
            size = path.stat().st_size
            try:
                seconds, cpu, segments, chars = read_all(reader, path, tmp)
            except Exception as exc:  # OCR missing: say so, go on
                rows.append({"reader": reader_name, "file": name, "error": str(exc)})
                continue
            # Rates per CPU second: wall time on a shared machine measures the neighbours.
            rows.append({"reader": reader_name, "file": name, "MB": round(size / 1e6, 2),
                         "wall_s": round(seconds, 2), "cpu_s": round(cpu, 2),
                         "MB/s": round(size / 1e6 / cpu, 2), "files/s": round(1 / cpu, 2),
                         "segments": segments, "segments/s": round(segments / cpu),
                         "chars/s": round(chars / cpu)})
            print(json.dumps(rows[-1]), flush=True)
    return rows


def pdf_libraries(path: Path) -> dict[str, float]:
    """CPU seconds to get the text of every page: pdfplumber against PDFium (pypdfium2)."""
    import pdfplumber
    import pypdfium2 as pdfium

    start = _cpu()
    doc = pdfium.PdfDocument(str(path))
    for i in range(len(doc)):
        page = doc[i]
        textpage = page.get_textpage()
        textpage.get_text_range()
        textpage.close()
        page.close()
    doc.close()
    pdfium_s = _cpu() - start
    start = _cpu()
    with pdfplumber.open(str(path)) as pdf:
        for page in pdf.pages:
            page.extract_text()
            page.close()
    plumber_s = _cpu() - start
    return {"pdfium_cpu_s": round(pdfium_s, 3), "pdfplumber_cpu_s": round(plumber_s, 3),
            "ratio": round(plumber_s / max(pdfium_s, 1e-3), 1)}


def _rss_mb(field: str) -> float | None:
    """VmRSS / VmHWM of this process (Linux): unlike ru_maxrss, VmHWM starts afresh at exec.

    ru_maxrss keeps the high-water mark of the process image replaced by exec,
    here the parent's (the benchmark that wrote big files), so it overstates.
    """
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def memory_child(kind: str, path: str) -> None:
    """Run in a fresh process: read `path` one way, print peak memory as JSON."""
    import openpyxl

    from piiscan.sources.formats.spreadsheet import SpreadsheetReader

    base_rss = _rss_mb("VmRSS")  # after imports: what reading costs, not what loading code does
    tracemalloc.start()
    cells = 0
    start = time.perf_counter()
    if kind == "openpyxl-full-load":
        wb = openpyxl.load_workbook(path)
        for row in wb.active.iter_rows(values_only=True):
            cells += sum(v is not None for v in row)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            _, _, cells, _ = read_all(SpreadsheetReader(), Path(path), tmp)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    hwm = _rss_mb("VmHWM")
    print(json.dumps({"how": kind, "cells": cells, "seconds": round(time.perf_counter() - start, 1),
                      "tracemalloc_peak_MB": round(peak / 1e6, 1),
                      "rss_before_MB": base_rss, "peak_rss_MB": hwm,
                      "peak_rss_growth_MB": round(hwm - base_rss, 1) if hwm and base_rss else None,
                      "ru_maxrss_MB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                                            / 1024, 1)}))


def memory_table(out: Path, quick: bool) -> list[dict[str, Any]]:
    rows = 20_000 if quick else 100_000
    xlsx, ods = out / f"big-{rows}x10-shared.xlsx", out / f"big-{rows}x10.ods"
    if not xlsx.exists():
        make_xlsx_shared(xlsx, rows)
    if not ods.exists():
        make_ods(ods, rows)
    results = []
    for kind, path in [("piiscan-xlsx", xlsx), ("piiscan-ods", ods),
                       ("openpyxl-full-load", xlsx)]:
        proc = subprocess.run([sys.executable, __file__, "--memory-child", kind, str(path)],
                              capture_output=True, text=True, check=True)
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        result["file_MB"] = round(path.stat().st_size / 1e6, 1)
        print(json.dumps(result), flush=True)
        results.append(result)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, help="where to write the files (kept)")
    parser.add_argument("--quick", action="store_true", help="smaller files, for a smoke run")
    parser.add_argument("--only", choices=("speed", "pdf", "memory"), help="run one part")
    parser.add_argument("--memory-child", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(*args.memory_child)
        return
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        if args.only in (None, "speed"):
            print("# reader speed (one process, no detectors)")
            speed_table(out, args.quick)
        if args.only in (None, "pdf"):
            print("# PDF text, 50 pages: PDFium vs pdfplumber")
            pdf = out / "report-50p.pdf"
            if not pdf.exists():
                make_pdf(pdf, 50)
            print(json.dumps(pdf_libraries(pdf)))
        if args.only in (None, "memory"):
            print("# peak memory reading a 10-column workbook")
            memory_table(out, args.quick)


if __name__ == "__main__":
    main()
