"""Property-based fuzzing of every registered reader and detector (hypothesis).

Readers: arbitrary bytes handed to each reader (its media type forced), and
valid files with bytes flipped and tails cut (sniffed as the engine would),
go through `Scanner.scan_item`. It must only yield events, end with the
item's ItemDone, and any error must be one a user can act on: a known
reason, and never a programming error (TypeError, AttributeError…) that fell
through to the engine's catch-all, which is how a reader bug shows.

Detectors: arbitrary text (and text built from value-like pieces, so the
validators run) never raises, and every match lies inside the text it came
from, with `text[start:end] == match.text`.

Examples are few (the suite stays fast) and derandomized (CI is
repeatable); `PIISCAN_FUZZ_EXAMPLES=2000 PIISCAN_FUZZ_RANDOM=1` digs deeper
by hand.
"""

from __future__ import annotations

import io
import os
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from piiscan import sniff
from piiscan.engine import ItemDone, Scanner, ScanOptions
from piiscan.model import Finding, Item, ItemInfo, Match, ScanError, Segment
from piiscan.redact import Redactor
from piiscan.registry import Registry
from tests.hostile.corpus import CARD, EMAIL, PHONE, REASONS, SIN, SIN2, valid_files

EXAMPLES = int(os.environ.get("PIISCAN_FUZZ_EXAMPLES", "60"))
RANDOM = bool(os.environ.get("PIISCAN_FUZZ_RANDOM"))  # new examples each run, by hand
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=not RANDOM, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])
# Exceptions that mean a bug in our code, not damage in the input.
BUGS = ("TypeError", "AttributeError", "NameError", "UnboundLocalError", "RecursionError",
        "ZeroDivisionError", "SystemError", "AssertionError")
# Reads items only the database source makes (a table handle as payload).
SOURCE_ONLY = {"dbtable"}

ALL = Registry.from_entry_points()
READERS = sorted(n for n in ALL.readers if n not in SOURCE_ONLY)
DETECTORS = sorted(ALL.detectors)


@lru_cache(maxsize=1)
def registry() -> Registry:
    """Every reader, and two cheap detectors: the readers are what is fuzzed here."""
    return Registry.from_entry_points(only=[*READERS, "ca_sin", "email"])


@lru_cache(maxsize=1)
def seeds(tmp: str) -> dict[str, list[tuple[str, bytes]]]:
    """Valid files by the reader that reads them (as sniffed)."""
    out: dict[str, list[tuple[str, bytes]]] = {}
    for name, data in valid_files(Path(tmp)).values():
        media = sniff.sniff(data[:sniff.HEAD_BYTES], name, io.BytesIO(data))
        reader = registry().reader_for(media)
        if reader is not None:
            out.setdefault(reader.name, []).append((name, data))
    return out


def scan(data: bytes, name: str, media_type: str | None = None, **options: object) -> list[object]:
    item = Item(location=name, name=name, open=lambda: io.BytesIO(data),
                info=ItemInfo(size=len(data)), media_type=media_type)
    opts = ScanOptions(item_timeout_s=60, **options)  # type: ignore[arg-type]
    with Scanner(registry(), Redactor(b"k" * 32), opts) as scanner:
        return list(scanner.scan_item(item))


def check(events: list[object], name: str) -> None:
    assert events and isinstance(events[-1], ItemDone) and events[-1].location == name
    for ev in events:
        assert isinstance(ev, (Finding, ScanError, ItemDone)), type(ev)
        if isinstance(ev, ScanError):
            assert ev.reason in REASONS, (ev.reason, ev.detail)
            assert not ev.detail.startswith(BUGS), ev.detail


@pytest.fixture(scope="module")
def seed_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("seeds"))


@pytest.mark.parametrize("reader", READERS)
@FUZZ
@given(data=st.binary(max_size=3000))
def test_any_bytes_through_each_reader(reader: str, data: bytes) -> None:
    media = registry().readers[reader].media_types[0]
    check(scan(data, "fuzz.bin", media_type=media, ocr=False), "fuzz.bin")


@pytest.mark.parametrize("reader", READERS)
@FUZZ
@given(pick=st.integers(0, 10), cut=st.one_of(st.none(), st.floats(0, 1)),
       flips=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(1, 255)),
                      max_size=24))
def test_damaged_valid_files_through_each_reader(seed_dir: str, reader: str, pick: int,
                                                 cut: float | None,
                                                 flips: list[tuple[float, int]]) -> None:
    files = seeds(seed_dir).get(reader)
    if not files:
        pytest.skip(f"no valid file of {reader}'s formats in the corpus")
    name, data = files[pick % len(files)]
    buf = bytearray(data)
    for where, xor in flips:
        buf[int(where * len(buf))] ^= xor
    if cut is not None:
        buf = buf[:int(cut * len(buf))]
    # OCR would only read noise, slowly: the image decoders are what is fuzzed
    check(scan(bytes(buf), name, ocr=False), name)


VALUEISH = st.sampled_from([SIN, SIN2, CARD, EMAIL, PHONE, "NAS", "SIN", "né le", "DOB",
                            "1987-03-12", "P<CAN", "<<<<", "AB123456", "TREM 8703 1215", "H2X 1Y4",
                            "192.168.0.1", "GB82 WEST 1234 5698 7654 32", "M. ", "Mme ", "Dr ",
                            "TREMBLAY, Marie", "Marie", "@", ".", "-", " ", "\n", "\t", "\u00a0",
                            "é", "ÿ", "\u0301", "\ufeff", "\x00", "9", "0"])
TEXTS = st.one_of(st.text(max_size=400), st.lists(st.one_of(VALUEISH, st.text(max_size=8)),
                                                  max_size=40).map("".join))


def matches_of(name: str, seg: Segment) -> list[Match]:
    det = ALL.detectors[name]
    if hasattr(det, "detect_many"):
        if getattr(det, "wants_prior_matches", False):
            return [m for ms in det.detect_many([seg], [[]]) for m in ms]
        return [m for ms in det.detect_many([seg]) for m in ms]
    return list(det.detect(seg))


@pytest.mark.parametrize("detector", DETECTORS)
@FUZZ
@given(text=TEXTS, field=st.one_of(st.none(), st.sampled_from(["NAS", "nom", "courriel", "notes"]),
                                   st.text(max_size=12)))
def test_any_text_through_each_detector(detector: str, text: str, field: str | None) -> None:
    seg = Segment(text, "fuzz.txt", field=field)
    for m in matches_of(detector, seg):
        assert 0 <= m.start <= m.end <= len(text), (m.start, m.end, len(text))
        assert text[m.start:m.end] == m.text
        assert 0 <= m.score <= 1
