"""The nearest label decides: for, against, or no opinion."""

from __future__ import annotations

import pytest

from piiscan.detectors.base import words_pattern
from piiscan.detectors.context import nearest_label, part_of_longer
from piiscan.model import Segment

FOR = words_pattern(["NAS", "social insurance"])
AGAINST = words_pattern(["facture", "invoice"])
VALUE = "130 692 544"


def verdict(text: str, field: str | None = None, floor: int = 0) -> bool | None:
    start = text.index(VALUE)
    return nearest_label(Segment(text, "a.txt", field=field), start, start + len(VALUE),
                         FOR, AGAINST, floor=floor)


@pytest.mark.parametrize("text, field, expected", [
    (f"NAS {VALUE}", None, True),
    (f"Facture {VALUE}", None, False),
    (f"{VALUE}", None, None),
    (f"Facture 1, NAS {VALUE}", None, True),
    (f"NAS de la facture {VALUE}", None, False),
    (f"{VALUE} (NAS)", None, True),
    (f"{VALUE} (facture)", None, False),
    (f"NAS : {VALUE} (facture)", None, True),  # before beats after
    (f"Social Insurance: {VALUE}", None, True),
    (f"Numéro de FACTURE : {VALUE}", None, False),
    (f"{'x' * 45}basin {VALUE}", None, None),  # "basin" cut by the window is not "sin"
    (VALUE, "NAS", True),
    (VALUE, "invoice_no", False),
    (f"Facture {VALUE}", "NAS", True),  # the column speaks first
    (f"NAS {'x' * 70} {VALUE}", None, None),  # too far
])
def test_nearest_label(text: str, field: str | None, expected: bool | None) -> None:
    assert verdict(text, field) is expected


def test_floor_stops_the_look_back() -> None:
    text = f"NAS 1, {VALUE}"
    assert verdict(text) is True
    assert verdict(text, floor=text.index(",")) is None


@pytest.mark.parametrize("text, value, longer", [
    ("Compte 130 692 544 123", "130 692 544", True),
    ("ref 99-130-692-544", "130-692-544", True),
    ("1 130-692-544", "130-692-544", False),  # another separator: a separate number
    ("NAS 130 692 544.", "130 692 544", False),
    ("130692544 123", "130692544", False),  # ungrouped: the pattern's lookarounds decide
])
def test_part_of_longer(text: str, value: str, longer: bool) -> None:
    start = text.index(value)
    assert part_of_longer(text, start, start + len(value)) is longer
