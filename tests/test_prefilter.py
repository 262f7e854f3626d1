"""The engine's prefilter: which detectors read a segment, decided before any of them runs."""

from __future__ import annotations

import re
from typing import Iterator, Sequence

import pytest

from piiscan.detectors.base import RegexDetector
from piiscan.engine import Detection, Prefilter, ScanOptions
from piiscan.model import EntityType, Match, Segment
from piiscan.registry import Registry


class Recording(RegexDetector):
    """Reports 'ID-' and six digits; remembers every text it was asked to read."""

    name = "recording"
    entity = EntityType.CA_UCI
    pattern = re.compile(r"ID-\d{6}")
    keywords = tuple("0123456789")
    examples = {"ID-123456": True}
    pattern_score = 0.9

    def __init__(self) -> None:
        super().__init__()
        self.read: list[str] = []

    def detect(self, segment: Segment) -> Iterator[Match]:
        self.read.append(segment.text)
        return super().detect(segment)


class NeedsSixDigits(Recording):
    name = "six"
    prefilter = re.compile(r"\d{6}")


class Worded(Recording):
    name = "worded"
    keywords = ("Client ID",)  # matched case-insensitively, as before


class Always(Recording):
    name = "always"
    keywords = ()


class BatchedNamesake:
    """A batch detector with keywords: gets only the segments that hold one, in order."""

    name = "batched"
    entities = (EntityType.PERSON,)
    keywords = ("@",)
    examples: dict[str, bool] = {}

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def detect(self, segment: Segment) -> Iterator[Match]:
        yield from self.detect_many([segment])[0]

    def detect_many(self, segments: Sequence[Segment]) -> list[list[Match]]:
        self.batches.append([s.text for s in segments])
        return [[Match(EntityType.PERSON, 0, s.text.index("@"), 0.9, self.name,
                       s.text[:s.text.index("@")])] for s in segments]


@pytest.mark.parametrize("text,wanted", [
    ("no digits here", {"always"}),
    ("ID-12 only", {"recording", "always"}),
    ("ID-123456", {"recording", "six", "always"}),
    ("CLIENT id: none", {"worded", "always"}),
    ("client id ID-123456", {"recording", "six", "worded", "always"}),
])
def test_each_detector_reads_only_text_its_keywords_and_pattern_allow(text: str,
                                                                     wanted: set[str]) -> None:
    dets = [Recording(), NeedsSixDigits(), Worded(), Always()]
    chosen = {d.name for d, ok in zip(dets, Prefilter(dets).select(text)) if ok}
    assert chosen == wanted


def test_a_detector_is_not_called_on_text_its_prefilter_rejects() -> None:
    six = NeedsSixDigits()
    det = Detection([six], ScanOptions())
    segs = [Segment("ID-12345", "a.txt"), Segment("ID-123456", "a.txt")]
    found = [m.text for _, ms in det.detect_batch(segs) for m in ms]
    assert found == ["ID-123456"]
    assert six.read == ["ID-123456"]


def test_a_batch_detector_gets_the_segments_it_needs_and_its_results_land_on_them() -> None:
    batched = BatchedNamesake()
    det = Detection([batched], ScanOptions())
    segs = [Segment("nothing", "a"), Segment("marie@example.org", "b"), Segment("x", "c"),
            Segment("luc@example.org", "d")]
    out = [(seg.location, [m.text for m in ms]) for seg, ms in det.detect_batch(segs)]
    assert out == [("b", ["marie"]), ("d", ["luc"])]
    assert batched.batches == [["marie@example.org", "luc@example.org"]]


def test_the_phone_prefilter_lets_every_number_libphonenumber_finds_through() -> None:
    reg = Registry.from_entry_points(only=["phone"])
    phone = reg.detectors["phone"]
    for text, expected in phone.examples.items():
        if expected:
            assert phone.prefilter.search(text), text
    for text in ("Niue +683 4002", "phone: ５１４５５５０１４７", "011 683 4002",
                 "(613) 555-0199", "+1 514 555 0147"):
        assert list(phone.detect(Segment(text, "t"))), text
        assert phone.prefilter.search(text), text
    # a date, a SIN or an amount alone cannot hold a valid number: libphonenumber is skipped
    for text in ("Né le 1987-03-12", "NAS 130 692 544", "Total: 1 250,00 $"):
        assert not phone.prefilter.search(text), text
        assert not list(phone.detect(Segment(text, "t"))), text
