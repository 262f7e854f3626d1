"""A set of dictionary words held as sorted 64-bit hashes: 8 bytes a word.

The person detector asks "is this capitalised word an ordinary English or
French word?" for a third of a million lemmas. As a frozenset of str they
took 100 MB in every process and two seconds to read from the pipelines'
lemmatizer tables at each start. Here they are a sorted `array('Q')` of
unkeyed, stable hashes (blake2b, so the same in every process and run):
2.6 MB, looked up by bisection, and kept in a cache file so a later start
reads it in milliseconds. A hash collision can only make an unknown word
look common (a name then needs NER's agreement rather than the rule's),
with odds of about 1 in 50 billion per lookup.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import sys
import tempfile
from array import array
from bisect import bisect_left
from pathlib import Path
from typing import Callable, Iterable

log = logging.getLogger("piiscan")

_MAGIC = b"piiscan-lexicon-1\n"


def word_hash(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "little")


class Lexicon:
    """Membership of words, by their 64-bit hashes."""

    __slots__ = ("_hashes",)

    def __init__(self, hashes: array) -> None:
        self._hashes = hashes

    @classmethod
    def of(cls, words: Iterable[str]) -> "Lexicon":
        return cls(array("Q", sorted({word_hash(w) for w in words})))

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str):
            return False
        h = word_hash(word)
        i = bisect_left(self._hashes, h)
        return i < len(self._hashes) and self._hashes[i] == h

    def __len__(self) -> int:
        return len(self._hashes)

    def __bool__(self) -> bool:
        return len(self._hashes) > 0

    # -- the cache file -----------------------------------------------------------
    def to_bytes(self) -> bytes:
        return _MAGIC + self._hashes.tobytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> "Lexicon":
        if not data.startswith(_MAGIC) or (len(data) - len(_MAGIC)) % 8:
            raise ValueError("not a lexicon cache file")
        hashes = array("Q")
        hashes.frombytes(data[len(_MAGIC):])
        if sys.byteorder != "little":  # written little-endian
            hashes.byteswap()
        if any(hashes[i] > hashes[i + 1] for i in range(0, len(hashes) - 1, max(1, len(hashes) // 64))):
            raise ValueError("lexicon cache is not sorted")
        return cls(hashes)


def cache_dir() -> Path:
    """$PIISCAN_CACHE, else $XDG_CACHE_HOME/piiscan (~/.cache/piiscan)."""
    env = os.environ.get("PIISCAN_CACHE")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "piiscan"


def cached(name: str, build: Callable[[], Iterable[str]]) -> Lexicon:
    """The lexicon cached as `name` (which must change when its sources do), else built and cached.

    The cache holds hashes of dictionary words, nothing read from a scan.
    A cache that cannot be read or written is rebuilt or skipped, silently
    apart from a debug line: it only saves time.
    """
    path = cache_dir() / f"{name}.lexicon"
    try:
        return Lexicon.from_bytes(path.read_bytes())
    except (OSError, ValueError):
        pass
    lex = Lexicon.of(build())
    if lex:
        try:
            save(path, lex.to_bytes())
        except OSError as exc:
            log.debug("lexicon cache not written: %s", type(exc).__name__)
    return lex


def save(path: Path, data: bytes) -> None:
    """Write a cache file whole or not at all, whoever else is writing it, owner-only."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
