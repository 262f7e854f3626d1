"""What container readers (archives, mail) share: re-openable member streams,
byte budgets against zip bombs, and member names safe to put in a location.

The engine opens every child item at least twice (once to sniff its format,
once to read it), and some child formats need to seek (a ZIP inside a ZIP,
an XLSX attachment). Members of a streamed TAR or lines of an MBOX can be
read only once, and seeking inside a compressed member means decompressing
it again from the start. `Reopener` hides that: it streams a member straight
from its container when that is cheap, and copies it otherwise.

Every byte an archive expands to is charged to a `Budget`, so a zip bomb
stops at the per-archive limit (or at an absurd compression ratio) with a
`TooLargeError`, instead of filling memory or the disk. Declared sizes are
checked first by the readers; the budget enforces the bytes actually read,
because declared sizes can lie.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
from typing import IO, Callable

from ... import sniff
from ...model import TooLargeError

MEMORY_BYTES = 16 << 20  # a spool bigger than this goes to a private temp file
RATIO_FLOOR = 1 << 20  # small members may compress absurdly well (a log of zeros): no ratio check below
CHUNK = 1 << 20

# Child formats whose readers jump around the file (central directory at the
# end, xref tables, OLE sectors): give them a real seekable copy.
RANDOM_ACCESS = frozenset({
    sniff.ZIP, sniff.OLE, sniff.DOC, sniff.XLS, sniff.MSG, sniff.OOXML_ENCRYPTED,
    sniff.PDF, sniff.SQLITE, sniff.SEVENZ, sniff.RAR, sniff.TIFF,
})


def needs_random_access(head: bytes, name: str) -> bool:
    return sniff.sniff(head, name) in RANDOM_ACCESS


def cheap_seek(stream: IO[bytes]) -> bool:
    """Whether seeking is free: a file on disk or bytes in memory, not a decompressor."""
    if isinstance(stream, (io.BytesIO, io.FileIO)):
        return True
    return isinstance(stream, io.BufferedReader) and isinstance(stream.raw, io.FileIO)


class Spool:
    """A private copy of a stream: in memory up to `memory` bytes, else a temp file.

    Unlike a SpooledTemporaryFile, `open()` hands out independent handles, so
    the sniffer closing its handle does not close the reader's.
    """

    def __init__(self, temp_dir: str | None, memory: int = MEMORY_BYTES):
        self.temp_dir = temp_dir
        self.memory = memory
        self.size = 0
        self._buf: bytearray | None = bytearray()
        self._data: bytes | None = None
        self._path: str | None = None
        self._file: IO[bytes] | None = None

    def write(self, data: bytes) -> None:
        self.size += len(data)
        if self._buf is not None:
            self._buf += data
            if len(self._buf) <= self.memory:
                return
            fd, self._path = tempfile.mkstemp(prefix="spool-", dir=self.temp_dir)
            self._file = os.fdopen(fd, "wb")
            data, self._buf = bytes(self._buf), None
        assert self._file is not None
        self._file.write(data)

    def fill(self, stream: IO[bytes]) -> "Spool":
        while block := stream.read(CHUNK):
            self.write(block)
        return self

    def open(self) -> IO[bytes]:
        if self._buf is not None:
            if self._data is None:
                self._data = bytes(self._buf)
            return io.BytesIO(self._data)
        assert self._file is not None and self._path is not None
        self._file.flush()
        return open(self._path, "rb")

    def close(self) -> None:
        self._buf, self._data = bytearray(), None
        if self._file is not None:
            self._file.close()
            self._file = None
        if self._path is not None:
            try:
                os.unlink(self._path)
            except FileNotFoundError:
                pass
            self._path = None

    def __enter__(self) -> "Spool":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def spooled(stream: IO[bytes], temp_dir: str | None) -> Spool:
    """A copy of the rest of `stream`, cleaned up by the caller's `with`."""
    spool = Spool(temp_dir)
    try:
        return spool.fill(stream)
    except BaseException:
        spool.close()
        raise


class Budget:
    """How many bytes one archive has expanded to, against its limits."""

    def __init__(self, limit: int, ratio: float, floor: int = RATIO_FLOOR):
        self.limit = limit
        self.ratio = ratio
        self.floor = floor
        self.done = 0  # bytes of members already finished

    def left(self) -> int:
        return self.limit - self.done

    def over_limit(self, size: int) -> TooLargeError | None:
        if self.done + size > self.limit:
            return TooLargeError(f"archive expands past {self.limit} bytes")
        return None

    def over_ratio(self, size: int, compressed: int | None) -> TooLargeError | None:
        if compressed is None or size <= self.floor:
            return None
        ratio = size / max(compressed, 1)
        if ratio > self.ratio:
            return TooLargeError(f"zip bomb: ratio {ratio:.0f} over {self.ratio:g}")
        return None

    def member(self) -> "Meter":
        return Meter(self)


class Meter:
    """The bytes of one member; re-reading it (sniff, then read) is charged once."""

    def __init__(self, budget: Budget):
        self.budget = budget
        self.extent = 0
        self.finished = False

    def charge(self, position: int, compressed: int | None) -> None:
        if position > self.extent:
            self.extent = position
            error = (self.budget.over_limit(self.extent)
                     or self.budget.over_ratio(position, compressed))
            if error is not None:
                raise error

    def finish(self) -> None:
        if not self.finished:
            self.finished = True
            self.budget.done += self.extent


class _MeteredRaw(io.RawIOBase):
    def __init__(self, inner: IO[bytes], meter: Meter,
                 compressed: Callable[[], int | None] | int | None,
                 also_close: tuple[IO[bytes], ...]):
        self.inner = inner
        self.meter = meter
        self.compressed = compressed
        self.also_close = also_close
        self.pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return self.inner.seekable()

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.inner.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.pos += n
        comp = self.compressed() if callable(self.compressed) else self.compressed
        self.meter.charge(self.pos, comp)
        return n

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self.pos = self.inner.seek(offset, whence)
        return self.pos

    def tell(self) -> int:
        return self.pos

    def close(self) -> None:
        if not self.closed:
            self.inner.close()
            for other in self.also_close:
                other.close()
        super().close()


def metered(inner: IO[bytes], meter: Meter,
            compressed: Callable[[], int | None] | int | None = None,
            also_close: tuple[IO[bytes], ...] = ()) -> IO[bytes]:
    """`inner`, counting what is read from it against `meter` (raises TooLargeError).

    `compressed` gives the compressed size for the ratio check; `also_close`
    are streams under `inner` that it does not close itself (GzipFile leaves
    the file it was given open).
    """
    raw = _MeteredRaw(inner, meter, compressed, also_close)
    return io.BufferedReader(raw, buffer_size=64 << 10)  # type: ignore[arg-type]


class CountingReader(io.RawIOBase):
    """Counts the compressed bytes a decompressor consumed, for the ratio check."""

    def __init__(self, inner: IO[bytes]):
        self.inner = inner
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.inner.read(len(buffer))
        buffer[:len(data)] = data
        self.count += len(data)
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self.inner.close()
        super().close()


class Reopener:
    """The `open` of a child item: a fresh stream per call, however the source reads.

    `fresh` opens the member from its container; `once` says it can be called
    only once (a member of a streamed TAR), so the member is spooled. A member
    in a random-access format is spooled too, so its reader seeks for free.
    Use it in a `with` around the `yield` of the child: the copy is removed as
    soon as the engine is done with the child.
    """

    def __init__(self, fresh: Callable[[], IO[bytes]], name: str, temp_dir: str | None,
                 once: bool = False):
        self.fresh = fresh
        self.name = name
        self.temp_dir = temp_dir
        self.once = once
        self.spool: Spool | None = None
        self.direct = False
        self.failed: BaseException | None = None

    def __call__(self) -> IO[bytes]:
        if self.failed is not None:  # a one-shot member cannot be read again
            raise self.failed
        if self.spool is not None:
            return self.spool.open()
        if self.direct:
            return self.fresh()
        stream = self.fresh()
        with stream:
            if not self.once:
                head = stream.read(sniff.HEAD_BYTES)
                if not needs_random_access(head, self.name):
                    self.direct = True
                    return self.fresh()
                spool = Spool(self.temp_dir)
                spool.write(head)
            else:
                spool = Spool(self.temp_dir)
            try:
                spool.fill(stream)
            except Exception as exc:
                spool.close()
                self.failed = exc
                raise
        self.spool = spool
        return spool.open()

    def close(self) -> None:
        if self.spool is not None:
            self.spool.close()
            self.spool = None

    def __enter__(self) -> "Reopener":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def clean_name(name: str) -> str:
    """A member name as it may appear in a location: one line, valid UTF-8.

    Names are only ever used as labels ("../../etc/passwd" included): nothing
    is written to disk under them.
    """
    name = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return _CONTROL.sub("?", name)


class UniqueNames:
    """Two attachments called scan.pdf get locations `scan.pdf` and `scan-2.pdf`."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def __call__(self, name: str) -> str:
        candidate, n = name, 1
        stem, dot, ext = name.rpartition(".")
        if not stem or "/" in ext:
            stem, dot, ext = name, "", ""
        while candidate in self.seen:
            n += 1
            candidate = f"{stem}-{n}{dot}{ext}"
        self.seen.add(candidate)
        return candidate
