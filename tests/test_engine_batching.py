"""Small items share detection batches; what each item reports does not change."""

from __future__ import annotations

import io
import re
from typing import Iterator, Sequence

import pytest

from piiscan import engine
from piiscan.detectors.base import RegexDetector
from piiscan.engine import ItemDone, Scanner, ScanOptions
from piiscan.model import EntityType, Finding, Item, ItemError, ItemInfo, Match, Pointer, ScanError, Segment
from piiscan.redact import Redactor
from piiscan.registry import Registry

KEY = b"k" * 32


class CodeDetector(RegexDetector):
    name = "code"
    entity = EntityType.CA_UCI
    pattern = re.compile(r"ID-\d{6}")
    keywords = ("id-",)
    examples = {"ID-123456": True}
    pattern_score = 0.9


class NameBatches:
    """A batch detector (as spaCy's is) that remembers the size of every batch it gets,
    and fails on a text holding "POISON"."""

    name = "names"
    entities = (EntityType.PERSON,)
    keywords: tuple[str, ...] = ()
    examples: dict[str, bool] = {}

    def __init__(self) -> None:
        self.sizes: list[int] = []

    def detect(self, segment: Segment) -> Iterator[Match]:
        yield from next(iter(self.detect_many([segment])))

    def detect_many(self, segments: Sequence[Segment]) -> Iterator[list[Match]]:
        self.sizes.append(len(segments))
        for seg in segments:
            if "POISON" in seg.text:
                raise ValueError("model failure")
            yield [Match(EntityType.PERSON, m.start(), m.end(), 0.9, self.name, m.group())
                   for m in re.finditer(r"Marie \w+", seg.text)]


class LinesReader:
    """One segment per line; 'BOOM' raises; 'NEST a\\nb' holds a member with those lines."""

    name = "lines"
    media_types = ("text/plain",)

    def read(self, item: Item, ctx) -> Iterator[Segment | Item]:
        with item.open() as fh:
            for n, raw in enumerate(fh, 1):
                line = raw.decode()
                if line.startswith("BOOM"):
                    raise ValueError("bad line")
                if line.startswith("NEST"):
                    data = line[5:].replace("\\n", "\n").encode()
                    yield item.child(f"inner{n}.txt", lambda d=data: io.BytesIO(d))
                    continue
                yield Segment(line, item.location, Pointer(line=n))


def make_scanner() -> tuple[Scanner, NameBatches]:
    names = NameBatches()
    reg = Registry()
    reg.add_detector(CodeDetector())
    reg.add_detector(names)
    reg.add_reader(LinesReader())
    return Scanner(reg, Redactor(KEY, reveal=True), ScanOptions()), names


def item(name: str, text: str) -> Item:
    data = text.encode()
    return Item(name, name, lambda: io.BytesIO(data), ItemInfo(size=len(data)),
                media_type="text/plain")


def summary(events: list) -> list[tuple[str, str, str]]:
    out = []
    for e in events:
        if isinstance(e, Finding):
            out.append(("finding", e.location, e.value or ""))
        elif isinstance(e, ItemDone):
            out.append(("done", e.location, e.error or ""))
        elif isinstance(e, ScanError):
            out.append(("error", e.location, e.reason))
    return out


FILES = [("a.txt", "Marie Curie ID-111111\n"), ("b.txt", "nothing here\nMarie Ndiaye\n"),
         ("c.txt", "ID-222222\n")]


def test_small_items_share_one_batch_and_report_what_they_would_alone() -> None:
    scanner, names = make_scanner()
    with scanner:
        together = summary(list(scanner.scan_items([item(n, t) for n, t in FILES])))
        assert names.sizes == [4]  # four segments from three files, one call
        alone = [ev for n, t in FILES for ev in summary(list(scanner.scan_item(item(n, t))))]
    assert sorted(together) == sorted(alone)
    for location in ("a.txt", "b.txt", "c.txt"):  # an item's findings come before its ItemDone
        mine = [kind for kind, loc, _ in together if loc == location]
        assert mine[-1] == "done" and "done" not in mine[:-1]


def test_members_are_done_before_their_container() -> None:
    scanner, _ = make_scanner()
    with scanner:
        events = summary(list(scanner.scan_item(item("box.txt", "NEST Marie Dupont\\nID-333333\n"
                                                                 "ID-444444\n"))))
    done = [loc for kind, loc, _ in events if kind == "done"]
    assert done == ["box.txt!inner1.txt", "box.txt"]
    found = [(loc, v) for kind, loc, v in events if kind == "finding"]
    assert sorted(found) == [("box.txt", "ID-444444"), ("box.txt!inner1.txt", "ID-333333"),
                             ("box.txt!inner1.txt", "Marie Dupont")]
    assert events.index(("done", "box.txt!inner1.txt", "")) > max(
        i for i, e in enumerate(events) if e[1] == "box.txt!inner1.txt" and e[0] == "finding")


def test_what_was_read_before_a_failure_is_still_reported() -> None:
    scanner, _ = make_scanner()
    with scanner:
        events = summary(list(scanner.scan_items([item("bad.txt", "ID-555555\nBOOM\nID-666666\n"),
                                                  item("ok.txt", "ID-777777\n")])))
    assert ("finding", "bad.txt", "ID-555555") in events
    assert ("finding", "bad.txt", "ID-666666") not in events
    assert ("error", "bad.txt", "corrupt") in events and ("done", "bad.txt", "corrupt") in events
    assert ("finding", "ok.txt", "ID-777777") in events and ("done", "ok.txt", "") in events


def test_a_detector_failing_on_one_item_costs_only_that_item() -> None:
    scanner, _ = make_scanner()
    with scanner:
        events = summary(list(scanner.scan_items([item("a.txt", "Marie Curie\n"),
                                                  item("poison.txt", "POISON ID-888888\n"),
                                                  item("c.txt", "ID-222222\n")])))
    assert ("finding", "a.txt", "Marie Curie") in events
    assert ("finding", "c.txt", "ID-222222") in events
    assert ("done", "a.txt", "") in events and ("done", "c.txt", "") in events
    assert ("error", "poison.txt", "corrupt") in events
    assert ("done", "poison.txt", "corrupt") in events
    assert not any(loc == "poison.txt" for kind, loc, _ in events if kind == "finding")


def test_a_stop_thrown_in_at_a_finding_loses_no_other_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    """The watchdog throws its timeout into the scan at a yield; the rest is delivered after."""
    monkeypatch.setattr(engine, "BATCH", 2)
    scanner, _ = make_scanner()
    with scanner:
        gen = scanner.scan_item(item("slow.txt", "ID-100001\nID-100002\nID-100003\n"))
        first = next(gen)
        assert isinstance(first, Finding)
        rest = [gen.throw(ItemError("stopped after 1 s", reason="timeout"))]
        rest += list(gen)
    events = summary([first] + rest)
    assert ("finding", "slow.txt", "ID-100002") in events  # computed before the stop: kept
    assert ("error", "slow.txt", "timeout") in events
    assert events[-1] == ("done", "slow.txt", "timeout")
    assert ("finding", "slow.txt", "ID-100003") not in events  # not read: the item stopped
