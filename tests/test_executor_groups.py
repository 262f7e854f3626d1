"""Small files travel to workers in groups; large or unsized items go alone."""

from __future__ import annotations

import io

import pytest

from piiscan import executors
from piiscan.executors import small_groups
from piiscan.model import Item, ItemInfo, ScanError


def it(name: str, size: int | None) -> Item:
    return Item(name, name, lambda: io.BytesIO(b""), ItemInfo(size=size))


def shape(out: list) -> list:
    return [[i.name for i in x] if isinstance(x, list) else
            ("error:" + x.location if isinstance(x, ScanError) else x.name) for x in out]


def test_consecutive_small_files_are_grouped_and_the_rest_go_alone() -> None:
    items = [it("a", 10), it("b", 20), it("big", executors.SMALL_ITEM + 1), it("c", 5),
             ScanError("d", "permission denied"), it("e", 1), it("table", None)]
    assert shape(list(small_groups(items))) == [["a", "b"], "big", ["c"], "error:d", ["e"], "table"]


def test_groups_stop_at_their_count_and_size(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(executors, "GROUP_ITEMS", 3)
    monkeypatch.setattr(executors, "GROUP_BYTES", 100)
    items = [it(f"f{i}", 40) for i in range(5)] + [it(f"g{i}", 1) for i in range(4)]
    assert shape(list(small_groups(items))) == [["f0", "f1"], ["f2", "f3"], ["f4", "g0", "g1"],
                                                 ["g2", "g3"]]


def test_every_item_comes_out_once_in_order() -> None:
    items = [it(f"f{i}", (i * 7919) % (2 * executors.SMALL_ITEM)) for i in range(200)]
    flat = [x for g in small_groups(items) for x in (g if isinstance(g, list) else [g])]
    assert [x.name for x in flat] == [x.name for x in items]
