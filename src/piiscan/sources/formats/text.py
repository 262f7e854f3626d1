"""Plain text and log files, streamed in segments of about 32 KB.

Segments end at a line break, so a value is never split across two of them
and each one points at the line it starts on. A line longer than a segment
(a minified dump, a 500 MB log line) is cut into bounded pieces that repeat
the last few hundred characters of the previous piece, so a value sitting
on a cut is still seen whole; such pieces also carry their character offset
within the line.
"""

from __future__ import annotations

from typing import Any, Iterator

from ... import sniff
from ...model import Item, Pointer, Segment
from .textio import OVERLAP, SEGMENT_CHARS, decode_text


class TextReader:
    name = "text"
    media_types = (sniff.TEXT, sniff.LOG)

    def __init__(self, segment_chars: int = SEGMENT_CHARS, overlap: int = OVERLAP):
        self.segment_chars = segment_chars
        self.overlap = overlap

    def read(self, item: Item, ctx: Any) -> Iterator[Segment]:
        if item.open is None:
            return
        with item.open() as stream:
            yield from self.segments(decode_text(stream), item.location, ctx)

    def segments(self, chunks: Iterator[str], location: str, ctx: Any = None) -> Iterator[Segment]:
        size, step = self.segment_chars, self.segment_chars - self.overlap
        buf = ""
        line = 1  # line number where `buf` starts
        offset = 0  # characters of that line already behind us (after a forced cut)

        def segment(text: str) -> Segment:
            # After a forced cut the piece starts with characters already scanned.
            return Segment(text, location, Pointer(line=line, offset=offset or None),
                           overlap=self.overlap if offset else 0)

        for chunk in chunks:
            buf += chunk
            while len(buf) >= size:
                if ctx is not None:
                    ctx.check_time()
                cut = buf.rfind("\n", 0, size)
                if cut >= 0:
                    text, buf = buf[:cut + 1], buf[cut + 1:]
                    yield segment(text)
                    line += text.count("\n")
                    offset = 0
                else:  # one line longer than a segment
                    yield segment(buf[:size])
                    buf = buf[step:]
                    offset += step
        if buf and not buf.isspace():
            yield segment(buf)
