"""Which sources, readers and detectors exist: built once from entry points.

Built-ins register through the same entry points as third-party packages.
`PIISCAN_PLUGINS` (comma-separated names) restricts what loads, so tests
and locked-down sites don't run whatever happens to be installed. A plugin
that fails to import (a missing optional dependency) is listed as
unavailable with its reason, not silently dropped.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any, Iterable, Iterator, Protocol, runtime_checkable

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
    def from_entry_points(cls, only: Iterable[str] | None = None) -> "Registry":
        if only is None and os.environ.get("PIISCAN_PLUGINS"):
            only = [n.strip() for n in os.environ["PIISCAN_PLUGINS"].split(",") if n.strip()]
        wanted = set(only) if only is not None else None
        reg = cls()
        installed = metadata.entry_points()  # one pass over the installed packages, not one per group
        for group in GROUPS:
            for ep in sorted(installed.select(group=group), key=lambda e: e.name):
                if wanted is not None and ep.name not in wanted:
                    continue
                dist = ep.dist.name if ep.dist else "?"
                version = ep.dist.version if ep.dist else "?"
                try:
                    obj = ep.load()()
                except Exception as exc:  # an optional dependency missing, a broken plugin
                    reg.plugins.append(PluginInfo(group, ep.name, dist, version,
                                                  f"{type(exc).__name__}: {exc}"))
                    continue
                reg.add(group, ep.name, obj)
                reg.plugins.append(PluginInfo(group, ep.name, dist, version))
        return reg

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
