"""Compiled forms of very large regular expressions, kept between runs.

spaCy's French tokenizer keeps its exceptions in one pattern of 1.4 million
characters, and Python's `re` spends 3–5 s compiling it at every start (its
charset optimiser is pure Python): the largest single cost of starting a
scan. The compiled program is plain data, so it is saved once in the cache
directory, tagged with the interpreter and the `_sre` magic number so that
another Python never reads it, and handed to `_sre.compile` at the next
start (which validates it) and put in `re`'s own cache, where spaCy's
`re.compile` of the same text finds it. Whatever goes wrong (another
Python's internals, a damaged file, a full disk) falls back to compiling as
usual: the cache only saves time.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import sys
from array import array
from typing import Any

from .lexicon import cache_dir, save

log = logging.getLogger("piiscan")

LARGE = 100_000  # patterns shorter than this compile fast enough


def _tag() -> str:
    import _sre

    return f"{sys.implementation.cache_tag}-{_sre.MAGIC}-{_sre.CODESIZE}"


def _path(pattern: str, flags: int) -> Any:
    digest = hashlib.sha256(f"{flags}:{pattern}".encode("utf-8", "surrogatepass")).hexdigest()[:24]
    return cache_dir() / f"re-{digest}-{_tag()}.bin"


def _compile(pattern: str, flags: int, saved: dict[str, Any] | None) -> tuple[re.Pattern[str], dict[str, Any]]:
    """What `re._compiler.compile` does, from a saved program when there is one."""
    import _sre
    from re import _compiler, _parser  # type: ignore[attr-defined]

    if saved is None:
        p = _parser.parse(pattern, flags)
        code = _compiler._code(p, flags)
        indexgroup: list[str | None] = [None] * p.state.groups
        for k, i in p.state.groupdict.items():
            indexgroup[i] = k
        saved = {"flags": flags | p.state.flags, "code": code, "groups": p.state.groups - 1,
                 "groupindex": dict(p.state.groupdict), "indexgroup": indexgroup}
    compiled = _sre.compile(pattern, saved["flags"], list(saved["code"]), saved["groups"],
                            saved["groupindex"], tuple(saved["indexgroup"]))
    return compiled, saved


def _read(path: Any) -> dict[str, Any] | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    head, _, body = data.partition(b"\n")
    meta = json.loads(head)
    code = array("I")
    if code.itemsize != meta["itemsize"]:
        raise ValueError("another word size")
    code.frombytes(body)
    meta["code"] = code
    return meta


def _write(path: Any, saved: dict[str, Any]) -> None:
    code = array("I", saved["code"])
    meta = {k: v for k, v in saved.items() if k != "code"} | {"itemsize": code.itemsize}
    save(path, json.dumps(meta).encode() + b"\n" + code.tobytes())


def preload(pattern: str, flags: int = 0) -> bool:
    """Make `re.compile(pattern, flags)` instant for this process; True if it now is."""
    if len(pattern) < LARGE:
        return False
    try:
        import _sre  # noqa: F401  (CPython only)

        path = _path(pattern, flags)
        try:
            saved = _read(path)
        except (ValueError, KeyError, TypeError):
            saved = None
        try:
            compiled, fresh = _compile(pattern, flags, saved)
        except (RuntimeError, TypeError, ValueError, KeyError):  # a saved program _sre refused
            compiled, fresh = _compile(pattern, flags, None)
            saved = None
        if saved is None:
            try:
                _write(path, fresh)
            except OSError as exc:
                log.debug("compiled pattern not cached: %s", type(exc).__name__)
        cache = getattr(re, "_cache", None)
        if not isinstance(cache, dict):
            return False
        cache[type(pattern), pattern, flags] = compiled
        return re.compile(pattern, flags) is compiled
    except Exception as exc:  # internals of another Python: compile as usual
        log.debug("pattern cache unavailable: %s", type(exc).__name__)
        return False
