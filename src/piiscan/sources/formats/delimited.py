"""CSV and TSV files, streamed row by row: one segment per non-empty cell.

Pointers count rows the way a spreadsheet user does (the header is row 1,
so the first data row is 2; a quoted cell spanning three lines is still
one row) and name the column by its header, or by its letter (A, B, … AA)
when the file has none. The header text becomes the segment's `field`, which
detectors read as context: nine digits under "NAS" are a SIN.

The dialect is guessed from the first 64 KB (`csv.Sniffer`, restricted to
, ; tab and |; French Excel writes ";"). Header cells are scanned too, so a
file of names whose first row is mistaken for a header loses nothing.
"""

from __future__ import annotations

import csv
import itertools
import re
from typing import Any, Iterable, Iterator

from ... import sniff
from ...model import CorruptError, Item, Pointer, ScanError, Segment
from .docparts import column_letter  # noqa: F401  (also this module's, for callers)
from .textio import SAMPLE_BYTES, SEGMENT_CHARS, chunk_text, decode_text, iter_lines

DELIMITERS = ",;\t|"
MAX_LINE = 1 << 20  # a longer physical line is cut; csv's own field limit (128K) bounds a cell
MAX_BAD_ROWS = 100

# A cell that holds data rather than a column name: a number, an address, a date.
_VALUE_LIKE = re.compile(r"\d{3}|@|^\s*[-+]?[\d.,\s]+\s*$")


class _Dialect(csv.Dialect):
    delimiter = ","
    quotechar = '"'
    doublequote = True
    skipinitialspace = False
    lineterminator = "\n"
    quoting = csv.QUOTE_MINIMAL
    strict = False


def _count_outside_quotes(line: str, char: str) -> int:
    return line.count(char) if '"' not in line else re.sub(r'"[^"]*"', "", line).count(char)


def guess_dialect(sample: str, default: str = ",") -> type[csv.Dialect]:
    """A dialect for `sample`; the quote is always '"' (French apostrophes fool the sniffer)."""
    delimiter, skip = None, False
    try:
        found = csv.Sniffer().sniff(sample, delimiters=DELIMITERS)
        delimiter, skip = found.delimiter, bool(found.skipinitialspace)
    except csv.Error:
        pass
    if delimiter not in tuple(DELIMITERS):
        # The sniffer gives up on ragged files: take the delimiter that is most
        # often present in the first lines.
        lines = [l for l in sample.split("\n")[:50] if l.strip()]
        scores = {d: sum(1 for l in lines if _count_outside_quotes(l, d)) for d in DELIMITERS}
        best = max(scores, key=lambda d: (scores[d], d == default))
        delimiter = best if scores[best] else default
    return type("Sniffed", (_Dialect,), {"delimiter": delimiter, "skipinitialspace": skip})


def _label_like(row: list[str]) -> bool:
    cells = [c.strip() for c in row]
    return (bool(cells) and all(cells) and len(set(cells)) == len(cells)
            and all(len(c) <= 80 and not _VALUE_LIKE.search(c) for c in cells))


def guess_header(sample: str, dialect: type[csv.Dialect]) -> bool:
    """Whether the first row names the columns.

    It does when its cells are distinct, non-empty labels and some later row
    holds data-looking cells; for all-text files the sniffer decides.
    """
    rows = [r for r in itertools.islice(csv.reader(sample.split("\n"), dialect), 50) if r]
    if not rows or not _label_like(rows[0]):
        return False
    if len(rows) == 1 or any(not _label_like(r) for r in rows[1:]):
        return True
    try:
        return csv.Sniffer().has_header(sample)
    except csv.Error:
        return True


class DelimitedReader:
    name = "csv"
    media_types = (sniff.CSV, sniff.TSV)

    def read(self, item: Item, ctx: Any) -> Iterator[Segment | ScanError]:
        if item.open is None:
            return
        with item.open() as stream:
            chunks = decode_text(stream)
            head: list[str] = []
            size = 0
            for chunk in chunks:
                head.append(chunk)
                size += len(chunk)
                if size >= SAMPLE_BYTES:
                    break
            sample = "".join(head)
            default = "\t" if item.media_type == sniff.TSV or item.name.lower().endswith(
                (".tsv", ".tab")) else ","
            whole_lines = sample[:sample.rfind("\n") + 1] or sample  # the last may be cut short
            dialect = guess_dialect(whole_lines, default)
            header = guess_header(whole_lines, dialect)
            lines = iter_lines(itertools.chain([sample], chunks), MAX_LINE)
            yield from self.rows(lines, dialect, header, item.location, ctx)

    def rows(self, lines: Iterable[str], dialect: type[csv.Dialect], has_header: bool,
             location: str, ctx: Any = None) -> Iterator[Segment | ScanError]:
        reader = csv.reader(lines, dialect)
        names: list[str] = []
        bad = 0
        row_no = 0
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                row_no += 1
                bad += 1
                # csv's messages name the problem, never the data ("field larger than field limit").
                yield ScanError(location, "corrupt", f"row {row_no}: {exc}")
                if bad >= MAX_BAD_ROWS:
                    raise CorruptError(f"more than {MAX_BAD_ROWS} malformed rows") from None
                continue
            row_no += 1
            if ctx is not None and row_no % 1000 == 0:
                ctx.check_time()
            if row_no == 1 and has_header:
                names = [c.strip() for c in row]
            for i, cell in enumerate(row):
                if not cell or cell.isspace():
                    continue
                name = names[i] if i < len(names) and names[i] and row_no > 1 else None
                column = name or column_letter(i)
                record = f"row:{row_no}"
                for offset, text in chunk_text(cell, SEGMENT_CHARS):
                    yield Segment(text, location,
                                  Pointer(row=row_no, column=column, offset=offset or None),
                                  field=name, record=record)
