"""ZIP, TAR and single-file compressions (gzip, bzip2, xz) as containers.

Members become child items (`exports/2023.zip!donors.csv`) that the engine
reads with their own readers, recursively, to its depth limit. Nothing is
extracted to disk by member name: a member is streamed from the archive, or
copied to a private spool file when its reader needs to seek.

Zip bombs: each archive has a budget of uncompressed bytes
(`max_archive_bytes`) and a compression-ratio limit (`max_ratio`), checked
on the declared sizes before a member is opened and on the bytes actually
read, since declared sizes can lie. A member over a limit is recorded as a
"too large" error and skipped; the rest of the archive is still scanned
while the budget lasts.

A `.tar.gz` (`.tgz`, `.tar.bz2`, `.tar.xz`) is read as one TAR, streamed:
its members sit right under it (`backup.tar.gz!home/notes.txt`). Other
compressed files have one child named after them without the suffix
(`dump.sql.gz!dump.sql`). 7-Zip and RAR need libraries that are not
installed: they are reported as unsupported.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import tarfile
import time
import zipfile
import zlib
from typing import IO, Any, Callable, Iterator

from ... import sniff
from ...model import CorruptError, Item, ItemError, ScanError, Segment, UnsupportedError
from .containers import (
    Budget,
    CountingReader,
    Meter,
    Reopener,
    UniqueNames,
    cheap_seek,
    clean_name,
    metered,
    spooled,
)

COMPRESSED: dict[str, Callable[[IO[bytes]], IO[bytes]]] = {
    sniff.GZIP: lambda raw: gzip.GzipFile(fileobj=raw, mode="rb"),
    sniff.BZIP2: lambda raw: bz2.BZ2File(raw, mode="rb"),
    sniff.XZ: lambda raw: lzma.LZMAFile(raw, mode="rb"),
}
SUFFIXES = {
    sniff.GZIP: (".gz", ".gzip", ".z"),
    sniff.BZIP2: (".bz2", ".bzip2", ".bz"),
    sniff.XZ: (".xz", ".lzma"),
}
NAMES = {sniff.GZIP: "gzip", sniff.BZIP2: "bzip2", sniff.XZ: "xz"}
TAR_SUFFIXES = (".tgz", ".tbz", ".tbz2", ".txz", ".tar.gz", ".tar.bz2", ".tar.xz")
UNSUPPORTED = {sniff.SEVENZ: "7-Zip", sniff.RAR: "RAR"}
ZIP_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}

# What broken compressed data raises, from the decompressors and tarfile.
DAMAGE = (zipfile.BadZipFile, tarfile.TarError, zlib.error, lzma.LZMAError, EOFError,
          gzip.BadGzipFile, OSError, ValueError)

Out = Segment | Item | ScanError


class ArchiveReader:
    name = "archive"
    media_types = (sniff.ZIP, sniff.TAR, sniff.GZIP, sniff.BZIP2, sniff.XZ,
                   sniff.SEVENZ, sniff.RAR)

    def read(self, item: Item, ctx: Any) -> Iterator[Out]:
        if item.open is None:
            return
        kind = self._kind(item)
        if kind in UNSUPPORTED:
            raise UnsupportedError(f"{UNSUPPORTED[kind]} archives are not supported")
        if kind == sniff.ZIP:
            yield from self._zip(item, ctx)
        elif kind == sniff.TAR:
            yield from self._tar(item, ctx)
        elif kind in COMPRESSED:
            yield from self._compressed(item, ctx, kind)
        else:
            raise UnsupportedError("not an archive")

    @staticmethod
    def _kind(item: Item) -> str:
        # The engine sniffed already but does not pass the result on; sniff the head again.
        assert item.open is not None
        with item.open() as fh:
            head = fh.read(sniff.HEAD_BYTES)
        kind = sniff.sniff(head, item.name)
        if kind not in ArchiveReader.media_types and item.media_type:
            return item.media_type
        return kind

    # -- ZIP ----------------------------------------------------------------
    def _zip(self, item: Item, ctx: Any) -> Iterator[Out]:
        assert item.open is not None
        with item.open() as stream:
            if not stream.seekable():
                with spooled(stream, ctx.temp_dir) as spool, spool.open() as copy:
                    yield from self._zip_members(item, ctx, copy)
            else:
                yield from self._zip_members(item, ctx, stream)

    def _zip_members(self, item: Item, ctx: Any, stream: IO[bytes]) -> Iterator[Out]:
        try:
            zf = zipfile.ZipFile(stream)
        except DAMAGE:
            raise CorruptError("not a readable zip (truncated or damaged)") from None
        budget = Budget(ctx.options.max_archive_bytes, ctx.options.max_ratio)
        unique = UniqueNames()
        with zf:
            for info in zf.infolist():
                ctx.check_time()
                if info.is_dir():
                    continue
                member = unique(clean_name(info.filename))
                location = f"{item.location}!{member}"
                if info.flag_bits & 0x1:
                    yield ScanError(location, "encrypted", "password-protected zip member")
                    continue
                if info.compress_type not in ZIP_METHODS:
                    yield ScanError(location, UnsupportedError.reason,
                                    f"zip compression method {info.compress_type}")
                    continue
                refused = (budget.over_ratio(info.file_size, info.compress_size)
                           or budget.over_limit(info.file_size))
                if refused is not None:
                    ctx.count("archive_limit")
                    yield ScanError(location, refused.reason, refused.detail)
                    continue
                meter = budget.member()
                fresh = _zip_opener(zf, info, meter)
                with Reopener(fresh, member, ctx.temp_dir) as opener:
                    yield item.child(member, opener, size=info.file_size,
                                     mtime=_zip_mtime(info.date_time))
                meter.finish()
                if budget.left() <= 0:
                    yield _stopped(item, budget)
                    return

    # -- TAR ----------------------------------------------------------------
    def _tar(self, item: Item, ctx: Any) -> Iterator[Out]:
        assert item.open is not None
        with item.open() as stream:
            if cheap_seek(stream):
                yield from self._tar_random(item, ctx, stream)
            else:
                budget = Budget(ctx.options.max_archive_bytes, ctx.options.max_ratio)
                yield from self._tar_stream(item, ctx, metered(stream, budget.member()), budget)

    def _tar_random(self, item: Item, ctx: Any, stream: IO[bytes]) -> Iterator[Out]:
        """An uncompressed TAR on disk or in memory: members are opened where they lie."""
        try:
            tf = tarfile.open(fileobj=stream, mode="r:")
        except DAMAGE:
            raise CorruptError("not a readable tar (truncated or damaged)") from None
        budget = Budget(ctx.options.max_archive_bytes, ctx.options.max_ratio)
        unique = UniqueNames()
        with tf:
            for member in _undamaged(_members(tf)):
                ctx.check_time()
                name = unique(clean_name(member.name))
                refused = budget.over_limit(member.size)
                if refused is not None:
                    ctx.count("archive_limit")
                    yield ScanError(f"{item.location}!{name}", refused.reason, refused.detail)
                    continue
                meter = budget.member()
                fresh = _tar_opener(tf, member, meter)
                with Reopener(fresh, name, ctx.temp_dir) as opener:
                    yield item.child(name, opener, size=member.size, mtime=member.mtime or None)
                meter.finish()
                if budget.left() <= 0:
                    yield _stopped(item, budget)
                    return

    def _tar_stream(self, item: Item, ctx: Any, stream: IO[bytes], budget: Budget) -> Iterator[Out]:
        """A TAR read once, front to back (compressed, or a member of another archive).

        `stream` is already metered against `budget` (the decompressed bytes),
        so skipping over members counts too. Each member is spooled when the
        engine opens it, since a streamed member cannot be read twice.
        """
        try:
            tf = tarfile.open(fileobj=stream, mode="r|")
        except DAMAGE:
            raise CorruptError("not a readable tar (truncated or damaged)") from None
        unique = UniqueNames()
        with tf:
            for member in _undamaged(_members(tf)):
                ctx.check_time()
                name = unique(clean_name(member.name))
                if stream.tell() + member.size > budget.limit:
                    ctx.count("archive_limit")
                    yield ScanError(f"{item.location}!{name}", "too large",
                                    f"archive expands past {budget.limit} bytes")
                    yield _stopped(item, budget)
                    return
                fresh = _stream_opener(tf, member)
                with Reopener(fresh, name, ctx.temp_dir, once=True) as opener:
                    yield item.child(name, opener, size=member.size, mtime=member.mtime or None)

    # -- gzip, bzip2, xz ------------------------------------------------------
    def _compressed(self, item: Item, ctx: Any, kind: str) -> Iterator[Out]:
        budget = Budget(ctx.options.max_archive_bytes, ctx.options.max_ratio)
        decompress = COMPRESSED[kind]
        assert item.open is not None
        parent_open = item.open

        def fresh(meter: Meter) -> IO[bytes]:
            raw = CountingReader(parent_open())
            inner = decompress(io.BufferedReader(raw))
            return metered(inner, meter, compressed=lambda: raw.count, also_close=(raw,))

        try:
            with fresh(budget.member()) as probe:  # a peek, not charged to the budget
                head = probe.read(1024)
        except DAMAGE:
            raise CorruptError(f"not a readable {NAMES[kind]} stream") from None
        if _is_tar(head, item.name):
            with fresh(budget.member()) as stream:
                yield from self._tar_stream(item, ctx, stream, budget)
            return
        name = _strip_suffix(item.name, kind)
        meter = budget.member()
        with Reopener(lambda: fresh(meter), name, ctx.temp_dir) as reopener:
            yield item.child(name, reopener)
        meter.finish()


def _members(tf: tarfile.TarFile) -> Iterator[tarfile.TarInfo]:
    """Regular files only: links, devices and directories hold no content of their own."""
    for member in tf:
        if member.isreg():
            yield member


def _undamaged(members: Iterator[tarfile.TarInfo]) -> Iterator[tarfile.TarInfo]:
    """Members up to the damage, then a CorruptError saying how far it got."""
    seen = 0
    try:
        for member in members:
            seen += 1
            yield member
    except ItemError:
        raise
    except DAMAGE:
        raise CorruptError(f"truncated or damaged after {seen} members") from None


def _zip_opener(zf: zipfile.ZipFile, info: zipfile.ZipInfo, meter: Meter) -> Callable[[], IO[bytes]]:
    return lambda: metered(zf.open(info), meter, compressed=info.compress_size)


def _tar_opener(tf: tarfile.TarFile, member: tarfile.TarInfo, meter: Meter) -> Callable[[], IO[bytes]]:
    def fresh() -> IO[bytes]:
        data = tf.extractfile(member)
        if data is None:
            raise CorruptError("tar member has no data")
        return metered(data, meter)  # type: ignore[arg-type]
    return fresh


def _stream_opener(tf: tarfile.TarFile, member: tarfile.TarInfo) -> Callable[[], IO[bytes]]:
    def fresh() -> IO[bytes]:
        data = tf.extractfile(member)
        if data is None:
            raise CorruptError("tar member has no data")
        return data  # type: ignore[return-value]
    return fresh


def _is_tar(head: bytes, name: str) -> bool:
    if len(head) >= 262 and head[257:262] == b"ustar":
        return True
    return name.lower().endswith(TAR_SUFFIXES) and len(head) >= 512


def _strip_suffix(name: str, kind: str) -> str:
    lower = name.lower()
    for suffix in (".tgz", ".tbz", ".tbz2", ".txz"):
        if lower.endswith(suffix):
            return name[: -len(suffix)] + ".tar"
    for suffix in SUFFIXES[kind]:
        if lower.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def _zip_mtime(date_time: tuple[int, int, int, int, int, int]) -> float | None:
    try:
        return time.mktime((*date_time, 0, 0, -1))
    except (OverflowError, ValueError):
        return None


def _stopped(item: Item, budget: Budget) -> ScanError:
    return ScanError(item.location, "too large",
                     f"archive expands past {budget.limit} bytes; remaining members skipped")
