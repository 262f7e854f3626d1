"""Which sources, readers and detectors exist: built once from entry points.

Built-ins register through the same entry points as third-party packages.
`PIISCAN_PLUGINS` (comma-separated names) restricts what loads, so tests
and locked-down sites don't run whatever happens to be installed. A plugin
that fails to import (a missing optional dependency) is listed as
unavailable with its reason, not silently dropped.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any, Callable, Iterable, Iterator, Protocol, runtime_checkable

from .detectors.base import Detector
from .model import EntityType, Item, ScanError, Segment

GROUPS = ("piiscan.sources", "piiscan.readers", "piiscan.detectors")


@runtime_checkable
class Reader(Protocol):
    """Turns an item of a known format into segments, and child items for containers."""

    name: str
    media_types: tuple[str, ...]

    def read(self, item: Item, ctx: Any) -> Iterator[Segment | Item]: ...


@runtime_checkable
class Source(Protocol):
    """Knows where data lives: yields the items (or per-item errors) of a target."""

    name: str

    def accepts(self, target: str) -> bool: ...

    def items(self, target: str, options: Any) -> Iterator[Item | ScanError]: ...


class RegistryError(Exception):
    pass


def _wanted(only: Iterable[str] | None) -> set[str] | None:
    if only is None and os.environ.get("PIISCAN_PLUGINS"):
        only = [n.strip() for n in os.environ["PIISCAN_PLUGINS"].split(",") if n.strip()]
    return set(only) if only is not None else None


def _selected(wanted: set[str] | None, groups: tuple[str, ...],
              installed: Any = None) -> Iterator[tuple[str, metadata.EntryPoint, str, str]]:
    """The entry points to load, group by group, by name, with their package's name and version."""
    if installed is None:
        installed = metadata.entry_points()  # one pass over the installed packages, not one per group
    packages: dict[int, tuple[str, str]] = {}  # each read parses the package's METADATA: once
    for group in groups:
        for ep in sorted(installed.select(group=group), key=lambda e: e.name):
            if wanted is not None and ep.name not in wanted:
                continue
            if ep.dist is None:
                yield group, ep, "?", "?"
                continue
            if id(ep.dist) not in packages:
                packages[id(ep.dist)] = (ep.dist.name, ep.dist.version)
            yield group, ep, *packages[id(ep.dist)]


def _qualname(hook: Any) -> str:
    kind = hook if isinstance(hook, type) else type(hook)
    return f"{kind.__module__}.{kind.__qualname__}"


def plugin_environment(only: Iterable[str] | None = None, installed: Any = None) -> str:
    """A digest of what decides which plugins load, and at which versions, without loading any.

    It covers the entry points that would load (group, name, target,
    package and version), what can be imported from each folder of the
    import path (installing, removing or upgrading a package, a plugin's
    dependency included, adds or renames a module, package or .dist-info
    entry there; other files, such as a store or reports beside a
    `python -m` run, do not count), the import hooks, the Python and
    PIISCAN_PLUGINS. An equal digest stands for the same plugins loaded or
    unavailable. Not covered: files edited inside a package's own folders.
    """
    if installed is None:
        installed = metadata.entry_points()
    plugins = [(group, ep.name, ep.value, dist, version)
               for group, ep, dist, version in _selected(_wanted(only), GROUPS, installed)]
    hooks = [_qualname(h) for h in sys.meta_path]
    digest = hashlib.sha256()
    digest.update(json.dumps([sys.version, os.environ.get("PIISCAN_PLUGINS", ""), plugins,
                              hooks, sys.path]).encode())
    for entry in sys.path:
        digest.update(b"\0" + _importable(entry).encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


IMPORTABLE = (".py", ".pyc", ".so", ".pyd", ".pth", ".egg-link", ".zip", ".egg", ".dist-info",
              ".egg-info")


def _importable(entry: str) -> str:
    """What an import path entry offers: its modules, packages and metadata folders by name.

    Other names (temporary folders, data files) are left out: they come and go
    in a working directory that `python -m` puts first on the path.
    """
    try:
        with os.scandir(entry or ".") as it:
            names = sorted(e.name for e in it
                           if e.name.endswith(IMPORTABLE) or (e.name.isidentifier() and e.is_dir()))
    except NotADirectoryError:  # a zip file
        try:
            st = os.stat(entry)
        except OSError:
            return "-"
        return f"{st.st_size}:{st.st_mtime_ns}"
    except OSError:
        return "-"
    return "\n".join(names)


@dataclass(frozen=True, slots=True)
class PluginInfo:
    group: str
    name: str
    distribution: str
    version: str
    error: str | None = None


@dataclass
class Registry:
    detectors: dict[str, Detector] = field(default_factory=dict)
    readers: dict[str, Reader] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    plugins: list[PluginInfo] = field(default_factory=list)

    # -- building -----------------------------------------------------------
    @classmethod
    def from_entry_points(cls, only: Iterable[str] | None = None,
                          groups: tuple[str, ...] = GROUPS, installed: Any = None) -> "Registry":
        """Load the plugins of `groups` (`installed`: entry points already read, to read them once)."""
        reg = cls()
        reg.load(only, groups, installed)
        return reg

    def load(self, only: Iterable[str] | None = None, groups: tuple[str, ...] = GROUPS,
             installed: Any = None) -> None:
        """Load and add the plugins of `groups`, each group's in order of name."""
        for group, ep, dist, version in _selected(_wanted(only), groups, installed):
            try:
                obj = ep.load()()
            except Exception as exc:  # an optional dependency missing, a broken plugin
                self.plugins.append(PluginInfo(group, ep.name, dist, version,
                                               f"{type(exc).__name__}: {exc}"))
                continue
            self.add(group, ep.name, obj)
            self.plugins.append(PluginInfo(group, ep.name, dist, version))

    def add(self, group: str, name: str, obj: Any) -> None:
        table = {"piiscan.sources": self.sources, "piiscan.readers": self.readers,
                 "piiscan.detectors": self.detectors}[group]
        if name in table:
            raise RegistryError(f"two {group} plugins are named {name!r}")
        if group == "piiscan.detectors":
            for e in getattr(obj, "entities", ()):
                if not isinstance(e, EntityType):
                    raise RegistryError(f"detector {name!r} declares unknown entity type {e!r}")
        table[name] = obj

    def add_detector(self, det: Detector) -> None:
        self.add("piiscan.detectors", det.name, det)

    def add_reader(self, reader: Reader) -> None:
        self.add("piiscan.readers", reader.name, reader)

    # -- lookup -------------------------------------------------------------
    def reader_for(self, media_type: str) -> Reader | None:
        for reader in self.readers.values():
            if media_type in reader.media_types:
                return reader
        return None

    def source_for(self, target: str) -> Source | None:
        # Sources other than the file system first: a URL is never a path.
        ordered = sorted(self.sources.values(), key=lambda s: s.name == "filesystem")
        for source in ordered:
            if source.accepts(target):
                return source
        return None

    def restrict(self, entities: Iterable[EntityType]) -> "Registry":
        """A copy whose detectors are only those that find one of `entities`."""
        keep = set(entities)
        dets = {n: d for n, d in self.detectors.items() if keep & set(d.entities)}
        return Registry(dets, dict(self.readers), dict(self.sources), list(self.plugins))


class DeferredRegistry(Registry):
    """A registry whose sources load at once and whose readers and detectors load at first use.

    An audit rescan walks its sources but may read nothing; when the
    plugins' census is known for this `environment` (see
    `plugin_environment`), it need not import them. Any use of the readers,
    detectors or plugin list loads them from the entry points the digest
    was made of, as `from_entry_points` does: the scan is then the same.
    `on_load` is told when that happens.
    """

    def __init__(self, only: Iterable[str] | None = None,
                 on_load: Callable[[Registry], None] | None = None) -> None:
        self._installed = metadata.entry_points()
        self._only, self._on_load = _wanted(only), on_load  # PIISCAN_PLUGINS read once
        self.environment = plugin_environment(self._only, self._installed)
        self._early = Registry.from_entry_points(self._only, GROUPS[:1], self._installed)
        self.sources = self._early.sources
        self._rest: Registry | None = None

    @property
    def loaded(self) -> bool:
        return self._rest is not None

    def _loaded(self) -> Registry:
        if self._rest is None:
            rest = Registry(sources=self.sources, plugins=list(self._early.plugins))
            rest.load(self._only, GROUPS[1:], self._installed)
            self._rest = rest
            if self._on_load is not None:
                self._on_load(rest)
        return self._rest

    @property  # type: ignore[override]
    def detectors(self) -> dict[str, Detector]:
        return self._loaded().detectors

    @property  # type: ignore[override]
    def readers(self) -> dict[str, Reader]:
        return self._loaded().readers

    @property  # type: ignore[override]
    def plugins(self) -> list[PluginInfo]:
        return self._loaded().plugins
