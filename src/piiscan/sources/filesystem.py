"""Local folders and mounted shares (SMB, NFS), walked in a stable order.

Nothing here writes: files are opened read-only, with O_NOATIME where the
OS allows it (Linux, as the file's owner or root), so a scan leaves access
times alone there; elsewhere the OS may update them, as any reader would.
Modification times never change. Special files (FIFOs, sockets, devices)
are reported and never opened: opening a FIFO would block the scan.

Filters follow .gitignore habits: `*.csv` matches at any depth, a pattern
with a "/" is anchored at the scanned root, `**` crosses folders, a trailing
"/" only matches folders, and in the ignore file `!` re-includes. Matching
ignores case, as the Windows shares most of our users scan do.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from dataclasses import dataclass
from typing import IO, Any, Iterable, Iterator

from ..model import Item, ItemError, ItemInfo, ScanError
from .formats.textio import UTF8_FALLBACK

_O_NOATIME = getattr(os, "O_NOATIME", 0)
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # a FIFO swapped in after listing must not block
_BASE_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0) | _O_NONBLOCK


@dataclass(frozen=True, slots=True)
class FileOpener:
    """Opens one file read-only; picklable, so items can go to worker processes."""

    path: str
    follow_symlinks: bool = True

    def __call__(self) -> IO[bytes]:
        flags = _BASE_FLAGS | (0 if self.follow_symlinks else _O_NOFOLLOW)
        try:
            fd = os.open(self.path, flags | _O_NOATIME)
        except PermissionError as exc:
            # O_NOATIME is refused (EPERM) on files we do not own: read without it.
            if not _O_NOATIME or exc.errno != errno.EPERM:
                raise
            fd = os.open(self.path, flags)
        try:
            mode = os.fstat(fd).st_mode
            if not stat.S_ISREG(mode):
                raise ItemError(_kind(mode), reason="not a regular file")
            return os.fdopen(fd, "rb")
        except BaseException:
            os.close(fd)
            raise


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "FIFO"), (stat.S_ISSOCK, "socket"),
                       (stat.S_ISCHR, "character device"), (stat.S_ISBLK, "block device"),
                       (stat.S_ISDIR, "folder"), (stat.S_ISLNK, "symbolic link")):
        if test(mode):
            return name
    return "special file"


# -- path patterns --------------------------------------------------------------

def glob_to_regex(pattern: str) -> re.Pattern[str]:
    """A .gitignore-style glob as a regex over "/"-separated relative paths."""
    anchored = pattern.startswith("/") or "/" in pattern.rstrip("/")
    body = pattern.strip("/")
    out = []
    i = 0
    while i < len(body):
        c = body[i]
        if body.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif body.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[" and (end := body.find("]", i + 2)) > 0:
            inner = body[i + 1:end]
            if inner.startswith("!"):
                inner = "^" + inner[1:]
            out.append("[" + inner.replace("\\", "\\\\") + "]")
            i = end + 1
        else:
            out.append(re.escape(c))
            i += 1
    prefix = "" if anchored else "(?:.*/)?"
    return re.compile(prefix + "".join(out), re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True, slots=True)
class Rule:
    regex: re.Pattern[str]
    negate: bool = False
    dirs_only: bool = False

    @classmethod
    def parse(cls, line: str) -> "Rule | None":
        line = line.rstrip("\n\r")
        if not line.strip() or line.startswith("#"):
            return None
        negate = line.startswith("!")
        if negate or line.startswith("\\"):
            line = line[1:]
        line = line.rstrip(" ") if not line.endswith("\\ ") else line
        return cls(glob_to_regex(line), negate, line.endswith("/"))

    def matches(self, rel: str, is_dir: bool) -> bool:
        if is_dir:
            # "hr/**" names what is inside hr: the folder itself can be skipped whole.
            return self.regex.fullmatch(rel) is not None or self.regex.fullmatch(rel + "/") is not None
        return not self.dirs_only and self.regex.fullmatch(rel) is not None


@dataclass(frozen=True, slots=True)
class PathFilter:
    """Which relative paths a walk visits: include, exclude and ignore-file rules."""

    include: tuple[Rule, ...] = ()
    exclude: tuple[Rule, ...] = ()
    ignore: tuple[Rule, ...] = ()

    @classmethod
    def build(cls, include: Iterable[str] = (), exclude: Iterable[str] = (),
              ignore_lines: Iterable[str] = ()) -> "PathFilter":
        def rules(lines: Iterable[str]) -> tuple[Rule, ...]:
            return tuple(r for r in map(Rule.parse, lines) if r is not None)
        return cls(rules(include), rules(exclude), rules(ignore_lines))

    def skips(self, rel: str, is_dir: bool) -> bool:
        """Excluded or ignored; a skipped folder is not entered."""
        if not (self.exclude or self.ignore):  # most walks: asked of every entry
            return False
        if any(r.matches(rel, is_dir) for r in self.exclude):
            return True
        ignored = False
        for rule in self.ignore:  # the last matching line wins, as in .gitignore
            if rule.matches(rel, is_dir):
                ignored = not rule.negate
        return ignored

    def includes(self, rel: str) -> bool:
        """A file is included when it, or a folder it is in, matches an include pattern."""
        if not self.include:
            return True
        parts = rel.split("/")
        candidates = ["/".join(parts[:n]) for n in range(len(parts), 0, -1)]
        return any(r.matches(c, c != rel) for r in self.include for c in candidates)


# -- the source -----------------------------------------------------------------

def _display(name: str) -> str:
    """A file name as text: bytes that are not UTF-8 (old shares) are read as cp1252."""
    if name.isascii():  # most names, and no undecodable byte (a surrogate) is ASCII
        return name
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", UTF8_FALLBACK)


def _info(st: os.stat_result) -> ItemInfo:
    return ItemInfo(size=st.st_size, mtime=st.st_mtime, inode=st.st_ino, mode=st.st_mode)


def _os_error(rel: str, exc: OSError, what: str) -> ScanError:
    if isinstance(exc, PermissionError):
        return ScanError(rel, "permission denied", what)
    if isinstance(exc, FileNotFoundError):
        return ScanError(rel, "vanished", "removed during the scan")
    return ScanError(rel, "unreadable", exc.strerror or type(exc).__name__)


def _open_dir(path: str) -> int | None:
    """A descriptor to list `path` without touching its access time, where the OS can."""
    if os.scandir not in os.supports_fd or not hasattr(os, "O_DIRECTORY"):
        return None
    flags = os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0)
    try:
        return os.open(path, flags | _O_NOATIME)
    except PermissionError as exc:
        if not _O_NOATIME or exc.errno != errno.EPERM:
            raise
        return os.open(path, flags)


@dataclass(frozen=True, slots=True)
class _Entry:
    """A folder entry, stat-ed while its folder was open (so a later error is "vanished")."""

    name: str
    path: str
    is_link: bool
    st: os.stat_result | None
    error: OSError | None = None

    @property
    def hidden(self) -> bool:
        if self.name.startswith("."):
            return True
        attrs = getattr(self.st, "st_file_attributes", 0)  # Windows only
        return bool(attrs & getattr(stat, "FILE_ATTRIBUTE_HIDDEN", 0))


@dataclass(frozen=True, slots=True)
class _Settings:
    filter: PathFilter
    follow: bool
    hidden: bool
    max_size: int | None


class FileSystemSource:
    """Yields the files under a folder (or one file) as items, in sorted order."""

    name = "filesystem"

    def accepts(self, target: str) -> bool:
        return "://" not in target and os.path.exists(target)

    def items(self, target: str, options: Any = None) -> Iterator[Item | ScanError]:
        settings = self._settings(target, options)
        if os.path.isdir(target):
            yield from self._walk(target, settings)
        else:
            yield from self._single(target, settings)

    @staticmethod
    def _settings(target: str, options: Any) -> _Settings:
        ignore_lines: list[str] = []
        ignore_file = getattr(options, "ignore_file", ".piiscanignore")
        if ignore_file and os.path.isdir(target):
            try:  # read like any scanned file: its access time is kept too
                with FileOpener(os.path.join(target, ignore_file))() as fh:
                    ignore_lines = fh.read(1 << 20).decode("utf-8", "replace").splitlines()
            except (OSError, ItemError):
                pass
        return _Settings(
            PathFilter.build(getattr(options, "include", ()) or (),
                             getattr(options, "exclude", ()) or (), ignore_lines),
            bool(getattr(options, "follow_symlinks", False)),
            bool(getattr(options, "hidden", True)),
            getattr(options, "max_file_size", None),
        )

    def _file(self, path: str, rel: str, name: str, st: os.stat_result,
              settings: _Settings) -> Item | ScanError:
        if settings.max_size and st.st_size > settings.max_size:
            return ScanError(rel, "too large",
                             f"{st.st_size} bytes, over the limit of {settings.max_size}")
        return Item(location=rel, name=name, info=_info(st),
                    open=FileOpener(path, follow_symlinks=settings.follow))

    def _single(self, target: str, settings: _Settings) -> Iterator[Item | ScanError]:
        # The user named this file: hidden and ignore rules do not apply, patterns do.
        name = _display(os.path.basename(os.path.normpath(target)))
        try:
            st = os.stat(target)
        except OSError as exc:
            yield _os_error(name, exc, "could not be read")
            return
        if not stat.S_ISREG(st.st_mode):
            yield ScanError(name, "not a regular file", _kind(st.st_mode))
            return
        if settings.filter.skips(name, False) or not settings.filter.includes(name):
            return
        yield self._file(target, name, name, st, settings)

    @staticmethod
    def _listing(path: str, rel: str, follow: bool) -> list[_Entry] | ScanError:
        """The sorted entries of a folder, each stat-ed (following links when asked)."""
        fd = None
        try:
            fd = _open_dir(path)
            with os.scandir(path if fd is None else fd) as it:
                found = sorted(it, key=lambda e: e.name)
            entries = []
            base = os.path.join(path, "")  # e.path is the bare name when listed by descriptor
            for e in found:  # stat while `fd` is open: DirEntry.stat uses it
                full = base + e.name
                try:
                    is_link = e.is_symlink()
                except OSError as exc:
                    entries.append(_Entry(e.name, full, False, None, exc))
                    continue
                try:
                    entries.append(_Entry(e.name, full, is_link, e.stat(follow_symlinks=follow)))
                except OSError as exc:
                    entries.append(_Entry(e.name, full, is_link, None, exc))
            return entries
        except OSError as exc:
            return _os_error(rel or ".", exc, "the folder could not be listed")
        finally:
            if fd is not None:
                os.close(fd)

    def _walk(self, root: str, settings: _Settings) -> Iterator[Item | ScanError]:
        try:
            st = os.stat(root)
        except OSError as exc:
            yield _os_error(".", exc, "the folder could not be read")
            return
        visited = {(st.st_dev, st.st_ino)}  # each folder once: symlink loops end here
        first = self._listing(root, "", settings.follow)
        if isinstance(first, ScanError):
            yield first
            return
        stack: list[tuple[Iterator[_Entry], str]] = [(iter(first), "")]
        while stack:
            entries, prefix = stack[-1]
            entry = next(entries, None)
            if entry is None:
                stack.pop()
                continue
            if not settings.hidden and entry.hidden:
                continue
            name = _display(entry.name)
            found = self._visit(entry, prefix + name, name, settings, visited)
            if isinstance(found, list):
                stack.append((iter(found), prefix + name + "/"))
            elif found is not None:
                yield found

    def _visit(self, entry: _Entry, rel: str, name: str, settings: _Settings,
               visited: set[tuple[int, int]]) -> Item | ScanError | list[_Entry] | None:
        """One folder entry: an item, an error, the entries of a folder to enter, or None."""
        st = entry.st
        is_dir = st is not None and stat.S_ISDIR(st.st_mode)
        if settings.filter.skips(rel, is_dir) or not (is_dir or settings.filter.includes(rel)):
            return None
        if entry.is_link and not settings.follow:
            return ScanError(rel, "skipped", "symbolic link not followed (see --follow-symlinks)")
        if st is None:
            if entry.is_link and isinstance(entry.error, FileNotFoundError):
                return ScanError(rel, "broken link", "the symbolic link points nowhere")
            return _os_error(rel, entry.error or OSError(), "could not be read")
        if is_dir:
            key = (st.st_dev, st.st_ino)
            if key in visited:
                return ScanError(rel, "skipped", "folder already scanned (a symbolic link loop)")
            visited.add(key)
            return self._listing(entry.path, rel, settings.follow)
        if stat.S_ISREG(st.st_mode):
            return self._file(entry.path, rel, name, st, settings)
        return ScanError(rel, "not a regular file", _kind(st.st_mode))
