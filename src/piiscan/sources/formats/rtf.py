"""RTF documents: the body, headers, footers, footnotes and comments.

striprtf drops headers, footers, footnotes, comments and text boxes as
"destinations" to ignore, and those hold names and numbers as often as the
body does; so the groups are walked here with a small tokenizer that
tells them apart. Pictures, fonts, styles, field instructions and document
properties are skipped. Text in \\'hh escapes is decoded with the
document's code page (\\ansicpg), \\uN characters as Unicode.
"""

from __future__ import annotations

import codecs
import re
from typing import Any, Iterator

from ... import sniff
from ...model import Item, Pointer, Segment, TooLargeError
from .docparts import Captions

MAX_BYTES = 200 << 20  # RTF is read whole; a 200 MB one is mostly pictures anyway

_TOKEN = re.compile(rb"\\([a-zA-Z]{1,32})(-?\d{1,10})? ?|\\'([0-9a-fA-F]{2})|\\(.)|([{}])"
                    rb"|([^\\{}\r\n]+)|[\r\n]+", re.DOTALL)

# Groups whose text is not the document's: tables of fonts, colours, styles, lists,
# pictures and objects, field instructions, revision and property tables.
_SKIP = frozenset(b"""fonttbl colortbl stylesheet listtable listoverridetable info pict
    object objdata themedata colorschememapping datastore latentstyles xmlnstbl rsidtbl
    generator filetbl revtbl pgptbl fldinst bkmkstart bkmkend pntext pntxta pntxtb listtext
    nonshppict shpinst sp sn sv atnauthor atnid atndate atnref atnicn atrfstart atrfend
    protusertbl mmathPr wgrffmtfilter userprops docvar template ftnsep ftnsepc ftncn
    aftnsep aftnsepc aftncn fname falt panose fontemb fontfile pgdsctbl blipuid
    xmlopen xmlclose""".split())
_PARTS = {b"header": "header", b"headerl": "header", b"headerr": "header", b"headerf": "header",
          b"footer": "footer", b"footerl": "footer", b"footerr": "footer", b"footerf": "footer",
          b"footnote": "footnote", b"annotation": "comment", b"dptxbxtext": "textbox",
          b"shptxt": "textbox"}
_CHARS = {b"par": "\n", b"line": "\n", b"sect": "\n", b"page": "\n", b"row": "\n",
          b"tab": "\t", b"cell": "\t", b"nestcell": "\t", b"emdash": "—", b"endash": "–",
          b"lquote": "\u2018", b"rquote": "\u2019", b"ldblquote": "\u201c",
          b"rdblquote": "\u201d", b"bullet": "•", b"emspace": " ", b"enspace": " ",
          b"qmspace": " ", b"~": "\u00a0", b"-": "", b"_": "-"}


class _State:
    __slots__ = ("skip", "part", "uc")

    def __init__(self, skip: bool = False, part: str = "body", uc: int = 1):
        self.skip, self.part, self.uc = skip, part, uc


def rtf_parts(data: bytes) -> dict[str, str]:
    """The text of each part ("body", "header", …) of an RTF document."""
    out: dict[str, list[str]] = {}
    stack: list[_State] = []
    state = _State()
    codepage = "cp1252"
    pending = bytearray()  # \'hh bytes, decoded together (a double-byte code page needs pairs)
    fallback = 0  # characters still to drop after a \uN
    new_group = False  # the first control word of a group may name a destination

    def emit(text: str) -> None:
        if not state.skip and text:
            out.setdefault(state.part, []).append(text)

    def flush() -> None:
        if pending:
            emit(pending.decode(codepage, "replace"))
            pending.clear()

    pos = 0
    end = len(data)
    while pos < end:
        m = _TOKEN.match(data, pos)
        if m is None:  # a lone byte the pattern does not take (cannot happen, but be safe)
            pos += 1
            continue
        pos = m.end()
        word, arg, hexbyte, symbol, brace, text = m.groups()
        if hexbyte is not None:
            if fallback:
                fallback -= 1
            else:
                pending.append(int(hexbyte, 16))
            new_group = False
            continue
        flush()
        if brace is not None:
            if brace == b"{":
                stack.append(state)
                state = _State(state.skip, state.part, state.uc)
                new_group = True
            elif stack:
                state = stack.pop()
            fallback = 0
            continue
        if text is not None:
            if fallback:
                drop = min(fallback, len(text))
                text, fallback = text[drop:], fallback - drop
            emit(text.decode(codepage, "replace"))
            new_group = False
            continue
        if symbol is not None:
            if symbol == b"*":
                state.skip = True  # "ignore this group if you don't know it"
                continue
            if symbol in (b"\\", b"{", b"}"):
                emit(symbol.decode("latin-1"))
            elif symbol in _CHARS:
                emit(_CHARS[symbol])
            new_group = False
            continue
        if word is None:
            new_group = False
            continue  # line ends in the source are not text
        if word in _PARTS and new_group:
            state.part, state.skip = _PARTS[word], False
        elif word in _SKIP:
            state.skip = True
        elif word == b"u" and arg is not None:
            code = int(arg)
            emit(chr(code + 65536 if code < 0 else code) if -32768 <= code < 65536 else "")
            fallback = state.uc
        elif word == b"uc" and arg is not None:
            state.uc = max(int(arg), 0)
        elif word == b"ansicpg" and arg is not None:
            codepage = _codepage(int(arg))
        elif word == b"bin" and arg is not None:
            pos += max(int(arg), 0)  # raw bytes of a picture
        elif word in _CHARS:
            emit(_CHARS[word])
        new_group = False
    flush()
    return {part: "".join(pieces) for part, pieces in out.items()}


def _codepage(number: int) -> str:
    name = f"cp{number}"
    try:
        codecs.lookup(name)
    except LookupError:
        return "cp1252"
    return name


class RtfReader:
    """Paragraphs of the body, headers, footers, footnotes, comments and text boxes."""

    name = "rtf"
    media_types = (sniff.RTF,)

    def read(self, item: Item, ctx: Any) -> Iterator[Segment]:
        if item.info.size is not None and item.info.size > MAX_BYTES:
            raise TooLargeError(f"RTF over {MAX_BYTES >> 20} MB")
        if item.open is None:
            return
        with item.open() as fh:
            data = fh.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise TooLargeError(f"RTF over {MAX_BYTES >> 20} MB")
        ctx.check_time()
        parts = rtf_parts(data)
        del data
        for part in ("body", "header", "footer", "footnote", "comment", "textbox"):
            text = parts.get(part, "")
            captions = Captions()
            for line, paragraph in enumerate(text.split("\n"), 1):
                if line % 1024 == 0:
                    ctx.check_time()
                yield from captions.segments(paragraph, item.location,
                                             Pointer(part=part, line=line), record=part)
